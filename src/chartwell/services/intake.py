"""Bringing records in: FHIR R4 files and folders -> the record store.

Each file is one transaction: its mapped records, the resources as received and one audit event
per patient it touched are written together, or, when the file is broken, nothing of it is.
Files are read, validated and mapped in worker processes while this process writes, so the
store's single writer is never the bottleneck. Resources the store already holds unchanged are
skipped; resources whose patient is unknown are kept unlinked and tried again when an import
brings new patients.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import orjson
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from chartwell.compliance.roles import Permission
from chartwell.errors import InvalidInput
from chartwell.intake.fhir import MappedResource, PreparedFile, Problem, link, prepare_file, prepare_resources
from chartwell.intake.sources import RawResource, fhir_files
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.store import tables as t
from chartwell.store.db import make_engine, transaction
from chartwell.store.records import (
    existing_ids,
    source_resource_states,
    unlinked_source_resources,
    write_batch,
    write_source_resources,
)

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (files done, files in all)

STORED = "(stored unlinked resources)"
_TABLES = {table.__tablename__: table for table in (
    t.PatientRow, t.EncounterRow, t.ProviderRow, t.OrganizationRow, t.PayerRow, t.CoverageRow, t.ClaimRow,
)}
# Below about this much JSON (~7,000 Synthea resources) starting worker processes (a few
# seconds: each imports fhir.resources and builds its models) costs more than it saves.
_POOL_THRESHOLD_BYTES = 24_000_000
_COMPRESSION_RATIO = {".xz": 30, ".gz": 10}  # rough, for FHIR JSON


@dataclass
class ImportReport:
    """What an import did. Counts are of rows that are new; ``errors`` are the files rejected
    whole, ``warnings`` what was imported with a caveat (both without patient data)."""

    files: int = 0
    patients: int = 0
    encounters: int = 0
    documents: int = 0
    resources: int = 0
    unlinked: int = 0
    relinked: int = 0
    skipped_unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Run:
    """The state of one import: its report and the resources left unlinked so far."""

    engine: Engine
    actor: Actor
    report: ImportReport
    unlinked: dict[uuid.UUID, Problem] = field(default_factory=dict)
    warned: set[tuple[uuid.UUID, str]] = field(default_factory=set)

    def warn(self, resource: MappedResource) -> None:
        """Report a resource's warnings once a run (Synthea repeats a practitioner in many
        bundles)."""
        for warning in resource.warnings:
            if (resource.source.id, warning.message) not in self.warned:
                self.warned.add((resource.source.id, warning.message))
                self.report.warnings.append(warning)


def import_fhir(
    *, engine: Engine, actor: Actor, paths: Iterable[Path | str], progress: Progress | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import FHIR R4 files and folders (Bundles, single resources, NDJSON; .gz/.xz).

    Raises :class:`~chartwell.errors.UnreadableInput` before anything is written when a path
    does not exist; a broken file is reported in ``errors`` and the others go on. ``workers``:
    processes that read and validate (default: one per CPU when the input is large).
    """
    started = time.perf_counter()
    with transaction(engine) as session:
        audit.authorize(session, actor, Permission.RECORDS_IMPORT)
    files = fhir_files(Path(p) for p in paths)
    run = _Run(engine=engine, actor=actor, report=ImportReport())
    for done, prepared in enumerate(_prepared_files(files, engine, workers), start=1):
        run.report.files += 1
        _import_one(run, prepared)
        if progress:
            progress(done, len(files))
    if run.report.patients:
        _retry_unlinked(run)
    run.report.unlinked = len(run.unlinked)
    run.report.warnings.extend(run.unlinked.values())
    run.report.seconds = round(time.perf_counter() - started, 3)
    log.debug("FHIR import: %d files, %d new patients, %d new resources, %d errors",
              run.report.files, run.report.patients, run.report.resources, len(run.report.errors))
    return run.report


# ---------------------------------------------------------------- reading, in worker processes


class _StoredStates:
    """The store's (hash, linked) for a file's resources, read on a connection of its own."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def __call__(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, bool]]:
        with Session(self.engine) as session:
            return source_resource_states(session, ids)


@lru_cache(maxsize=2)
def _worker_engine(url: str) -> Engine:
    return make_engine(url)


def _prepare_in_worker(path: str, url: str | None) -> PreparedFile:
    """Run in a worker process: read, skip what the store holds unchanged, validate, map."""
    return prepare_file(path, _StoredStates(_worker_engine(url)) if url else None)


def _expected_bytes(path: Path) -> int:
    return path.stat().st_size * _COMPRESSION_RATIO.get(path.suffix.lower(), 1)


def _worker_count(files: list[Path], workers: int | None) -> int:
    if workers is not None:
        return max(0, workers)
    if len(files) < 4 or sum(_expected_bytes(f) for f in files) < _POOL_THRESHOLD_BYTES:
        return 0
    return min(os.cpu_count() or 1, len(files))


def _store_url(engine: Engine) -> str | None:
    """The URL a worker can open (None for an in-memory SQLite database, which it cannot)."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


def _prepared_files(files: list[Path], engine: Engine, workers: int | None) -> Iterator[PreparedFile]:
    """Each file prepared, in order: in this process for small inputs, else by a pool of
    worker processes kept a few files ahead of the writer."""
    count = _worker_count(files, workers)
    if count == 0:
        states = _StoredStates(engine) if _store_url(engine) else None
        for path in files:
            yield prepare_file(path, states)
        return
    url = _store_url(engine)
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"))
    try:
        queue: deque[Future] = deque()
        waiting = iter(files)
        for path in waiting:
            queue.append(pool.submit(_prepare_in_worker, str(path), url))
            if len(queue) >= 2 * count:
                break
        while queue:
            prepared = queue.popleft().result()
            following = next(waiting, None)
            if following is not None:
                queue.append(pool.submit(_prepare_in_worker, str(following), url))
            yield prepared
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------- writing, in this process


@dataclass
class _Written:
    fresh: list[MappedResource]
    linked: set[uuid.UUID]
    unlinked: list[MappedResource]
    new_resources: int
    inserted: dict[str, int]


def _import_one(run: _Run, prepared: PreparedFile, *, retry: bool = False) -> None:
    """Write one prepared file in its own transaction and add what it did to the report."""
    report = run.report
    if prepared.error:
        report.errors.append(prepared.error)
        return
    if not prepared.resources:  # everything in it was already stored, unchanged
        report.skipped_unchanged += prepared.skipped_unchanged
        return
    try:
        with transaction(run.engine) as session:
            written = _write(session, run.actor, prepared.resources, skip_unchanged=not retry)
    except SQLAlchemyError as error:
        cause = type(getattr(error, "orig", None) or error).__name__
        report.errors.append(Problem(prepared.file, None, f"the store refused the file ({cause})"))
        log.warning("the store refused a FHIR file: %s", cause)
        return
    except InvalidInput as error:
        report.errors.append(Problem(prepared.file, error.position.resource if error.position else None,
                                     error.message))
        return
    _tally(run, prepared, written, retry)


def _tally(run: _Run, prepared: PreparedFile, written: _Written, retry: bool) -> None:
    report = run.report
    report.skipped_unchanged += prepared.skipped_unchanged + len(prepared.resources) - len(written.fresh)
    report.patients += written.inserted.get("patients", 0)
    report.encounters += written.inserted.get("encounters", 0)
    report.documents += written.inserted.get("documents", 0)
    report.resources += written.new_resources
    for resource in written.fresh:
        if not retry:  # a retried resource's warnings were given when it first came
            run.warn(resource)
        if resource.source.id in written.linked:
            if run.unlinked.pop(resource.source.id, None) is not None or retry:
                report.relinked += 1
    if not retry:
        for resource in written.unlinked:
            run.unlinked[resource.source.id] = _unlinked_warning(prepared.file, resource)


def _unlinked_warning(file: str, resource: MappedResource) -> Problem:
    patient = resource.patient_key or "(none named)"
    return Problem(file, resource.place, f"patient {patient} is neither in this import nor in the store: "
                                         "kept as received, unlinked")


def _write(session: Session, actor: Actor, resources: list[MappedResource], *, skip_unchanged: bool) -> _Written:
    states = source_resource_states(session, [r.source.id for r in resources])
    fresh = [r for r in resources
             if not skip_unchanged or states.get(r.source.id) != (r.source.content_hash, True)]
    linked = link(fresh, lambda table, ids: existing_ids(session, _TABLES[table], ids))
    counts = write_batch(session, linked.batch, recorded_by=actor.username)
    write_source_resources(session, linked.sources, linked.linked)
    _audit_patients(session, actor, [r for r in fresh if r.source.id in linked.linked])
    return _Written(fresh=fresh, linked=linked.linked, unlinked=linked.unlinked,
                    new_resources=sum(1 for r in fresh if r.source.id not in states), inserted=counts.inserted)


def _audit_patients(session: Session, actor: Actor, resources: list[MappedResource]) -> None:
    """One ``records.import`` event per patient whose record the file changed; the details
    are counts of resources by type, never their content."""
    by_patient: dict[uuid.UUID, Counter] = {}
    for resource in resources:
        patient_id = resource.source.patient_id
        if patient_id is not None:
            by_patient.setdefault(patient_id, Counter())[resource.source.resource_type] += 1
    for patient_id, types in by_patient.items():
        audit.record(session, actor, "records.import", resource_type="Patient", resource_id=patient_id,
                     patient_id=patient_id,
                     details={"source": "fhir", "resources": sum(types.values()), "types": dict(sorted(types.items()))})


def _retry_unlinked(run: _Run) -> None:
    """Try the store's unlinked resources again, now that new patients have arrived."""
    after = None
    while True:
        with transaction(run.engine) as session:
            rows = unlinked_source_resources(session, after=after)
        if not rows:
            return
        after = rows[-1][0]
        raws = [RawResource(position="stored", resource=orjson.loads(content), key=f"{kind}/{resource_id}")
                for _, kind, resource_id, content in rows]
        _import_one(run, prepare_resources(STORED, raws), retry=True)

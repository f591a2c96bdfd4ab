"""Use case: group coded inpatient stays into MS-DRGs, each with the tables of its discharge
date's fiscal year (Table 5 weights and lengths of stay, Tables 6I-6K for the CC/MCC view).

The tables release is chosen once per release period (its effective dates) and its reader kept
once per artifact for the process (its look-ups are memoised), so a file of 100,000 stays pays
for each table once; the same for the ICD-10-PCS codes, which say which procedure codes the
grouper ignored.

A long list (``POOL_FROM`` stays or more) is grouped by worker processes, one per processor
core: grouping is Python around a native grouper, one core's worth per process. The store is
read first, here (the releases in force on every discharge date of the list, the tables read
whole); then the workers are forked from this process, so they start with the references, the
grouper library and the list itself in memory: a task is the bounds of a chunk of ``CHUNK``
stays, which the worker reads, groups and answers (the results, plain data, come back in order).
A stay a worker does not answer (an entry that is not a readable stay, a discharge date whose
references were not read, a stay that cannot be grouped) comes back empty and is done here, the
way it is done alone, so its error is the one it would be. The workers are gone when the call
returns. Where processes are not forked (a start method other than fork; a call from a thread
other than the main one, as forking a process whose other threads hold locks is unsafe), and
for a shorter list, the stays are grouped here. Here as in a worker, the stays go a batch at a
time through :func:`chartwell.grouping.drg.group_encounters` (each step for the whole batch).
A long list is worked with the cyclic collector paused, and what it made is handed back as old
objects (:func:`chartwell.bulk.gc_paused`, ``kept``): the collector's first run after the pause
scanned every young answer again (measured on 20,000 stays: 5 to 10 us a stay of the parent's
processor time, of some 50, beside its workers' 250).
The audit event holds counts only, never codes or dates.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from chartwell.codesets.model import CodeSystem, TableSet
from chartwell.codesets.msdrg import MsdrgTables
from chartwell.compliance.roles import Permission
from chartwell.domain.coded import CodedEncounter
from chartwell.domain.encounter_json import (
    InvalidEncounter,
    error_answer,
    parse_encounter,
    parse_encounters,
)
from chartwell.edits.references import CodeFacts
from chartwell.errors import InvalidInput
from chartwell.grouping.drg import (
    VERSIONS,
    DrgResult,
    Grouping,
    Stay,
    group_encounter,
    group_encounters,
    shared_grouper,
)
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.services.codesets import OpenRelease
from chartwell.bulk import gc_paused
from chartwell.services.reference_data import ByDate, code_facts_by_date


def _tables(_session: Session, opened: OpenRelease) -> MsdrgTables:
    return MsdrgTables(opened.artifact)


@dataclass(slots=True)
class References:
    """What grouping reads besides the grouper, by discharge date: the MS-DRG tables (Table 5,
    6I-6K) and the ICD-10-PCS release, whose billable codes say which procedure codes the grouper
    ignored (it does not say so itself)."""

    tables: ByDate
    procedures: ByDate

    @classmethod
    def of(cls, session: Session) -> References:
        return cls(ByDate(session, TableSet.MSDRG, _tables, "drg.tables"),
                   code_facts_by_date(session, CodeSystem.ICD10PCS))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


WORKERS = _cores()
"""Worker processes grouping a long list: one per core this process may run on."""
POOL_FROM = 1_000
"""A list at least this long is grouped by the worker processes (below, starting them costs more
than they save)."""
CHUNK = 250  # stays a worker groups at a time (at most)
BATCH = 200  # stays grouped a step at a time in this process (see group_encounters)


@dataclass(frozen=True, slots=True)
class InForce:
    """What grouping a stay discharged on one day reads: the MS-DRG tables and the ICD-10-PCS
    codes in force (None where none is installed)."""

    tables: MsdrgTables | None
    procedures: CodeFacts | None

    @property
    def known_procedure(self) -> Callable[[str], bool] | None:
        return self.procedures.billable_codes.__contains__ if self.procedures is not None \
            else None


def in_force(references: References, encounter: CodedEncounter) -> InForce:
    return _in_force_on(references, _day(encounter))


def _in_force_on(references: References, day: date) -> InForce:
    return InForce(references.tables.on(day), references.procedures.on(day))


def _day(encounter: CodedEncounter) -> date:
    return encounter.discharge_date or encounter.service_date


def group_one(references: References, encounter: CodedEncounter) -> DrgResult:
    return _group(encounter, in_force(references, encounter))


def _group(encounter: CodedEncounter, force: InForce) -> DrgResult:
    return group_encounter(encounter, force.tables, shared_grouper(),
                           known_procedure=force.known_procedure)


def _group_batch(stays: list[tuple[CodedEncounter, InForce]]) -> list[DrgResult | InvalidInput]:
    return group_encounters([Stay(encounter, force.tables, force.known_procedure)
                             for encounter, force in stays], shared_grouper())


def group_document(*, session: Session, actor: Actor, document: object,
                   processes: int | None = None
                   ) -> tuple[list[DrgResult | InvalidInput], bool]:
    """Group the stay(s) of an ENCOUNTER.json document: a result per stay, or the error that
    stopped it (naming the field), in order; and whether the document was a list.
    ``processes``: see :func:`group_all`."""
    audit.authorize(session, actor, Permission.CODING_READ)
    references = References.of(session)
    workers = _workers(len(document), processes) if isinstance(document, list) else 1
    with gc_paused(isinstance(document, list) and len(document) >= POOL_FROM, kept=True):
        if workers > 1:  # the workers read the documents too
            results, is_list = _in_processes(references, document, False, workers), True
        else:
            parsed, is_list = parse_encounters(document)
            results = group_all(references, parsed, processes=1)
    grouped = [item for item in results if isinstance(item, DrgResult)]
    audit.record(session, actor, "drg.group", details={
        "encounters": len(results), "grouped": sum(item.grouping.grouped for item in grouped),
        "ungroupable": sum(not item.grouping.grouped for item in grouped),
        "errors": len(results) - len(grouped)})
    return results, is_list


def group_all(references: References, parsed: list[CodedEncounter | InvalidInput], *,
              processes: int | None = None) -> list[DrgResult | InvalidInput]:
    """Each parsed stay grouped (an error stays in its place). ``processes``: None groups a
    long list with the worker processes, 1 always here, more with that many workers whatever
    the length (where processes are forked)."""
    workers = _workers(len(parsed), processes)
    if workers > 1:
        return _in_processes(references, parsed, True, workers)
    with gc_paused(len(parsed) >= POOL_FROM, kept=True):
        results = list(parsed)  # the errors stay in their places
        readable = [(index, item) for index, item in enumerate(parsed)
                    if not isinstance(item, InvalidInput)]
        for start in range(0, len(readable), BATCH):
            batch = readable[start:start + BATCH]
            grouped = _group_batch([(item, in_force(references, item)) for _index, item in batch])
            for (index, _item), result in zip(batch, grouped, strict=True):
                results[index] = result
        return results


def answers(results: list[DrgResult | InvalidInput]) -> list[dict]:
    """The JSON answer of each result, in order: the grouping, or the error naming the field."""
    return [result.document if isinstance(result, DrgResult) else error_answer(result)
            for result in results]


def answer(result: DrgResult | InvalidInput) -> dict:
    return result.to_json() if isinstance(result, DrgResult) else error_answer(result)


# -- the worker processes --------------------------------------------------------------------


def _workers(count: int, processes: int | None) -> int:
    """How many worker processes group ``count`` stays (1: none, they are grouped here)."""
    if processes is None:
        processes = WORKERS if count >= POOL_FROM else 1
    if processes <= 1 or count == 0 or not _forks():
        return 1
    return min(processes, count)


def _forks() -> bool:
    """Whether worker processes are forked from this one (the start method in use, else the
    platform's default) and this is the main thread."""
    method = multiprocessing.get_start_method(allow_none=True) or \
        multiprocessing.get_all_start_methods()[0]
    return method == "fork" and threading.current_thread() is threading.main_thread()


@dataclass(frozen=True, slots=True)
class _Job:
    """What the workers of one call read, inherited when they are forked: the list (documents,
    or stays already parsed) and what is in force on each of its discharge dates."""

    items: list
    parsed: bool
    forces: dict[date, InForce]


_job: _Job | None = None


def _in_processes(references: References, items: list, parsed: bool, workers: int
                  ) -> list[DrgResult | InvalidInput]:
    global _job
    forces = _forces(references, items, parsed)
    shared_grouper()  # the library loaded before the fork (each worker opens its own handle)
    size = max(1, min(CHUNK, -(-len(items) // (workers * 4))))
    chunks = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    with gc_paused(True, kept=True):
        _job = _Job(items, parsed, forces)
        try:
            pool = multiprocessing.get_context("fork").Pool(min(workers, len(chunks)),
                                                            initializer=_worker_started)
            try:
                results = [result for chunk in pool.imap(_work, chunks) for result in chunk]
                pool.close()
            except BaseException:
                pool.terminate()
                raise
            finally:
                pool.join()
        finally:
            _job = None
        return [_received(result) if result is not None else _here(references, item, index,
                                                                     parsed)
                for index, (item, result) in enumerate(zip(items, results, strict=True))]


def _forces(references: References, items: list, parsed: bool) -> dict[date, InForce]:
    """What is in force on each discharge date of the list, read whole now: the workers must not
    touch the store (its connections belong to this process)."""
    if parsed:
        days = {_day(item) for item in items if not isinstance(item, InvalidInput)}
    else:
        days = set()
        for text in {item.get("discharge_date") for item in items if isinstance(item, dict)}:
            try:
                days.add(date.fromisoformat(text.strip()))
            except (AttributeError, TypeError, ValueError):
                continue  # not a date: the stay is done here, and its error said
    forces = {day: _in_force_on(references, day) for day in days}
    for force in forces.values():
        if force.tables is not None:
            force.tables.preload()
            _ = force.tables.version
        if force.procedures is not None:
            _ = force.procedures.billable_codes
    return forces


def _worker_started() -> None:
    """A worker keeps what it makes to the end of the call: no cyclic collection."""
    import gc

    gc.disable()


def _work(bounds: tuple[int, int]) -> list[tuple | None]:
    """In a worker: a chunk of the list grouped, each result as plain values (what pickles
    fastest), None for each stay left to the parent."""
    job = _job
    start, end = bounds
    sent: list[tuple | None] = [None] * (end - start)
    places, stays = [], []
    for place, item in enumerate(job.items[start:end]):
        encounter = _readable(job, item)
        force = job.forces.get(_day(encounter)) if encounter is not None else None
        if force is not None:
            places.append(place)
            stays.append((encounter, force))
    for place, result in zip(places, _group_batch(stays), strict=True):
        if isinstance(result, DrgResult):
            sent[place] = (result.version.number, result.grouping.values(), result.document)
    return sent


def _readable(job: _Job, item: object) -> CodedEncounter | None:
    if job.parsed:
        return None if isinstance(item, InvalidInput) else item
    try:
        return parse_encounter(item)
    except InvalidInput:
        return None


_VERSIONS = {version.number: version for version in VERSIONS}


def _received(values: tuple) -> DrgResult:
    number, grouping, document = values
    return DrgResult(_VERSIONS[number], Grouping.restored(grouping), document)


def _here(references: References, item: object, index: int, parsed: bool
          ) -> DrgResult | InvalidInput:
    """A stay the workers left: read (a document of the list) and grouped here, or its error."""
    if not parsed:
        try:
            item = parse_encounter(item, f"[{index}]")
        except InvalidEncounter as error:
            return error
    return _alone(references, item)


def _alone(references: References, item: CodedEncounter | InvalidInput
           ) -> DrgResult | InvalidInput:
    if isinstance(item, InvalidInput):
        return item
    try:
        return _group(item, in_force(references, item))
    except InvalidInput as error:
        return error

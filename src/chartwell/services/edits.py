"""Use case: check coded encounters with every edit family, against the code sets and edit tables
in force on each encounter's date.

The releases are opened once per date and their readers once per release (:class:`References`),
so a file of 100,000 encounters pays for each table once; the readers keep what they looked up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from chartwell.codesets.model import CodeSystem, TableSet
from chartwell.compliance.roles import Permission
from chartwell.domain.coded import CodedEncounter, Setting
from chartwell.domain.encounter_json import InvalidEncounter, error_answer, parse_encounters
from chartwell.edits import engine
from chartwell.edits.facts import make_whole
from chartwell.edits.model import EditContext, Finding
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.services.codesets import OpenRelease
from chartwell.bulk import gc_paused
from chartwell.services.reference_data import ByDate, Reader, code_facts_by_date

BULK = 256  # a list at least this long is checked with the cyclic garbage collector paused


@dataclass(slots=True)
class EditResult:
    """The findings on one encounter, the releases they were checked against, and notes (a
    family not run for want of its table)."""

    findings: list[Finding]
    releases: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not any(finding.severity == "error" for finding in self.findings)

    def to_json(self) -> dict[str, Any]:
        findings = [finding.to_json() for finding in self.findings]
        clean = True
        for finding in findings:
            if finding["severity"] == "error":
                clean = False
                break
        return {"findings": findings, "clean": clean, "releases": self.releases,
                "notes": self.notes}


def _table(reader: str) -> Reader:
    """The reader class of a table set's artifact, imported on first use."""
    module, name = reader.rsplit(".", 1)

    def read(_session: Session, opened: OpenRelease) -> Any:
        return getattr(importlib.import_module(module), name)(opened.artifact)

    return read


def _table_set(system: TableSet, reader: str) -> Callable[[Session], ByDate]:
    return lambda session: ByDate(session, system, _table(reader), f"edits.{system}")


CONTEXT_FIELDS: dict[str, Callable[[Session], ByDate]] = {
    "cm": lambda session: code_facts_by_date(session, CodeSystem.ICD10CM),
    "pcs": lambda session: code_facts_by_date(session, CodeSystem.ICD10PCS),
    "hcpcs": lambda session: code_facts_by_date(session, CodeSystem.HCPCS),
    "ncci": _table_set(TableSet.NCCI, "chartwell.codesets.ncci.NcciTables"),
    "mue": _table_set(TableSet.MUE, "chartwell.codesets.mue.MueTables"),
    "poa": _table_set(TableSet.POA, "chartwell.codesets.poa.PoaExemptList"),
}
"""The EditContext fields filled from releases: the release (by date) each is read from."""


class References:
    """The readers in force on each date for every context field, and the MCE tables."""

    def __init__(self, session: Session, whole: bool = False):
        """``whole``: the code tables of each combination of releases met are made whole at
        once (:func:`make_tables_whole`)."""
        self.whole = whole
        self.fields = {name: by_date(session) for name, by_date in CONTEXT_FIELDS.items()}
        self._mce: dict[date, Any] = {}
        self._by_date: dict[date, tuple[dict[str, Any], dict[str, str]]] = {}
        self._prepared: dict[tuple[date, Setting], _Prepared] = {}

    def on(self, day: date) -> tuple[dict[str, Any], dict[str, str]]:
        """The readers for ``day`` by context field (None where nothing is installed), and the
        release versions used."""
        cached = self._by_date.get(day)
        if cached is None:
            cached = self._by_date[day] = self._open(day)
        return cached

    def _open(self, day: date) -> tuple[dict[str, Any], dict[str, str]]:
        readers: dict[str, Any] = {}
        versions: dict[str, str] = {}
        for name, by_date in self.fields.items():
            readers[name], version = by_date.release_on(day)
            if version is not None:
                versions[str(by_date.system)] = version
        return readers, versions

    def mce(self, day: date) -> Any:
        """The MCE tables of a discharge date (inpatient stays only: deriving them for a date
        no stay needs is a second of work)."""
        if day not in self._mce:
            from chartwell.edits.mce_tables import mce_tables

            self._mce[day] = mce_tables(day)
        return self._mce[day]

    def prepared(self, day: date, setting: Setting) -> _Prepared:
        """What every encounter of a date and setting is checked with, chosen once."""
        found = self._prepared.get((day, setting))
        if found is None:
            readers, versions = self.on(day)
            readers, versions = dict(readers), dict(versions)
            if setting is Setting.INPATIENT:
                readers["mce"] = self.mce(day)
                if readers["mce"] is not None:
                    versions["mce"] = readers["mce"].version
            fields = tuple(readers.get(name) for name in _READER_FIELDS)
            if self.whole:
                make_whole(setting, *(readers.get(name) for name in
                                      ("cm", "mce", "poa", "pcs", "hcpcs", "ncci", "mue")))
            context = EditContext(None, *fields)  # type: ignore[arg-type]
            found = self._prepared[(day, setting)] = _Prepared(
                fields, versions, engine.plan(setting, tuple(
                    getattr(context, need) is not None for need in engine.needs())))
        return found


_READER_FIELDS = ("cm", "pcs", "hcpcs", "ncci", "mue", "poa", "mce")
"""The EditContext fields after the encounter, in their order."""


@dataclass(frozen=True, slots=True)
class _Prepared:
    readers: tuple[Any, ...]  # in the order of _READER_FIELDS
    versions: dict[str, str]
    plan: engine.Plan


def check_encounter(references: References, encounter: CodedEncounter) -> EditResult:
    prepared = references.prepared(encounter.service_date, encounter.setting)
    context = EditContext(encounter, *prepared.readers)
    return EditResult(engine.run(prepared.plan, context), dict(prepared.versions), context.notes)


def check_document(*, session: Session, actor: Actor, document: object
                   ) -> tuple[list[EditResult | InvalidEncounter], bool]:
    """Check the encounter(s) of an ENCOUNTER.json document: a result per encounter, or the
    error that stopped it, in order; and whether the document was a list."""
    audit.authorize(session, actor, Permission.CODING_READ)
    with gc_paused(isinstance(document, list) and len(document) >= BULK, kept=True):
        parsed, is_list = parse_encounters(document)
        references = References(session)
        results = [item if isinstance(item, InvalidEncounter)
                   else check_encounter(references, item) for item in parsed]
    audit.record(session, actor, "edits.check", details={
        "encounters": len(results),
        "findings": sum(len(item.findings) for item in results if isinstance(item, EditResult))})
    return results, is_list


def make_tables_whole(*, session: Session, actor: Actor, days: Iterable[date]) -> None:
    """For a process about to check a great many encounters of these dates (a long-running
    service as it starts, a benchmark): the code tables of every combination of releases in
    force on them made whole now (:func:`chartwell.edits.facts.make_whole`: seconds of CPU and
    a few hundred MB), so that every check that follows costs one look-up per code, the first
    as the later ones. A check without it makes the rows of the codes it meets as they come."""
    audit.authorize(session, actor, Permission.CODING_READ)
    references = References(session, whole=True)
    for day in days:
        for setting in Setting:
            references.prepared(day, setting)


def answers(results: list[EditResult | InvalidEncounter]) -> list[dict]:
    """The JSON answer of each encounter, in order."""
    with gc_paused(len(results) >= BULK, kept=True):
        return [answer(result) for result in results]


def answer(result: EditResult | InvalidEncounter) -> dict:
    """The JSON answer of one encounter: its findings, or the error naming its fields."""
    return error_answer(result) if isinstance(result, InvalidEncounter) else result.to_json()

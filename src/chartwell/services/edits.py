"""Use case: check coded encounters with every edit family, against the code sets and edit tables
in force on each encounter's date.

The releases are opened once per date and their readers once per release (:class:`References`),
so a file of 100,000 encounters pays for each table once; the readers keep what they looked up.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from chartwell.codesets.model import CodeSystem, ReleaseSystem, TableSet
from chartwell.compliance.roles import Permission
from chartwell.domain.coded import CodedEncounter
from chartwell.domain.encounter_json import InvalidEncounter, error_answer, parse_encounters
from chartwell.edits import engine
from chartwell.edits.model import EditContext, Finding
from chartwell.edits.references import CodeFacts
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.services.codesets import OpenRelease, installed_releases, release_neighbourhood
from chartwell.services.reference_data import ByDate, Reader, gc_paused

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
        return {"findings": [finding.to_json() for finding in self.findings],
                "clean": self.clean, "releases": self.releases, "notes": self.notes}


def _code_facts(session: Session, opened: OpenRelease) -> CodeFacts:
    return CodeFacts(release_neighbourhood(session, installed_releases(session), opened.release))


def _table(reader: str) -> Reader:
    """The reader class of a table set's artifact, imported on first use."""
    module, name = reader.rsplit(".", 1)

    def read(_session: Session, opened: OpenRelease) -> Any:
        return getattr(importlib.import_module(module), name)(opened.artifact)

    return read


CONTEXT_FIELDS: dict[str, tuple[ReleaseSystem, Reader]] = {
    "cm": (CodeSystem.ICD10CM, _code_facts),
    "pcs": (CodeSystem.ICD10PCS, _code_facts),
    "hcpcs": (CodeSystem.HCPCS, _code_facts),
    "ncci": (TableSet.NCCI, _table("chartwell.codesets.ncci.NcciTables")),
    "mue": (TableSet.MUE, _table("chartwell.codesets.mue.MueTables")),
    "poa": (TableSet.POA, _table("chartwell.codesets.poa.PoaExemptList")),
}
"""The EditContext fields filled from releases, with the release system and its reader."""


class References:
    """The readers in force on each date for every context field, and the MCE tables."""

    def __init__(self, session: Session):
        self.fields = {name: ByDate(session, system, read, f"edits.{name}")
                       for name, (system, read) in CONTEXT_FIELDS.items()}
        self._by_date: dict[date, tuple[dict[str, Any], dict[str, str]]] = {}

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
        from chartwell.edits.mce_tables import mce_tables

        readers["mce"] = mce_tables(day)
        if readers["mce"] is not None:
            versions["mce"] = readers["mce"].version
        return readers, versions


def check_encounter(references: References, encounter: CodedEncounter) -> EditResult:
    readers, versions = references.on(encounter.service_date)
    context = EditContext(encounter=encounter, **readers)
    findings = engine.check(context)
    return EditResult(findings, dict(versions), context.notes)


def check_document(*, session: Session, actor: Actor, document: object
                   ) -> tuple[list[EditResult | InvalidEncounter], bool]:
    """Check the encounter(s) of an ENCOUNTER.json document: a result per encounter, or the
    error that stopped it, in order; and whether the document was a list."""
    audit.authorize(session, actor, Permission.CODING_READ)
    with gc_paused(isinstance(document, list) and len(document) >= BULK):
        parsed, is_list = parse_encounters(document)
        references = References(session)
        results = [item if isinstance(item, InvalidEncounter)
                   else check_encounter(references, item) for item in parsed]
    audit.record(session, actor, "edits.check", details={
        "encounters": len(results),
        "findings": sum(len(item.findings) for item in results if isinstance(item, EditResult))})
    return results, is_list


def answers(results: list[EditResult | InvalidEncounter]) -> list[dict]:
    """The JSON answer of each encounter, in order."""
    with gc_paused(len(results) >= BULK):
        return [answer(result) for result in results]


def answer(result: EditResult | InvalidEncounter) -> dict:
    """The JSON answer of one encounter: its findings, or the error naming its fields."""
    return error_answer(result) if isinstance(result, InvalidEncounter) else result.to_json()

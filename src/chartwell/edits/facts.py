"""What the screens and rules ask about each code, in one look-up per code, for the releases in
force on an encounter's date:

* a diagnosis code's row (ICD-10-CM, the MCE tables, the POA-exempt list): its ICD-10-CM status
  and notes, the MCE's edits on it and whether it is exempt from POA reporting;
* a claim line's code's row (HCPCS, NCCI, MUE, for the claim's setting): its HCPCS dates,
  whether it has the CPT shape, the column 2 codes of its NCCI record, whether it is an add-on
  code, its MUE.

A row is made the first time a code is met with those releases and kept, so a code seen before
costs one dictionary probe; bulk work makes the tables whole when it first meets a combination
of releases (:func:`make_whole`). The screens, the MCE claim view and the POA rules then read
the encounter's rows instead of asking several tables each; each finding is still made by its
declared rule, from its own table.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from chartwell.codesets.cpt import CPT_CODE
from chartwell.domain.coded import CodedProcedure
from chartwell.edits.model import EditContext

DiagnosisRow = tuple[Any, Any, Any, bool]
"""(CodeStatus or None without ICD-10-CM, CmNotes when the code is valid else None, the MCE's
edits: DiagnosisEdits / VALID / None as ``MceTables.coded_diagnoses`` answers, or None without
MCE tables; exempt from POA reporting)."""

_REMEMBERED = 500_000  # codes per table (made-up codes must not grow it forever)


class DiagnosisRows(dict):
    """Code -> :data:`DiagnosisRow` for one combination of releases."""

    __slots__ = ("cm", "mce", "poa", "whole")

    def __init__(self, cm: Any, mce: Any, poa: Any):
        super().__init__()
        self.cm, self.mce, self.poa = cm, mce, poa
        self.whole = False  # every billable code's row made (:func:`make_whole`)

    def row(self, code: str, on: Any) -> DiagnosisRow:
        """The code's row, made and kept the first time (``on``: the date of service, which
        only an invalid code's message may name)."""
        found = self.get(code)
        if found is None:
            cm, mce, poa = self.cm, self.mce, self.poa
            status, notes = cm.diagnosis(code, on) if cm is not None else (None, None)
            found = (status, notes, mce.coded_diagnoses[code] if mce is not None else None,
                     poa is not None and code in poa.codes)
            if len(self) >= _REMEMBERED:
                self.clear()
            self[code] = found
        return found


_TABLES: dict[tuple[int, int, int], DiagnosisRows] = {}
_last: DiagnosisRows | None = None


def rows_for(cm: Any, mce: Any, poa: Any) -> DiagnosisRows:
    """The rows of a combination of releases (the readers are kept for the process, so one
    table each)."""
    global _last
    last = _last
    if last is not None and last.cm is cm and last.mce is mce and last.poa is poa:
        return last
    key = (id(cm), id(mce), id(poa))
    found = _TABLES.get(key)
    if found is None or found.cm is not cm or found.mce is not mce or found.poa is not poa:
        found = _TABLES[key] = DiagnosisRows(cm, mce, poa)
    _last = found
    return found


def diagnosis_rows(context: EditContext) -> list[DiagnosisRow]:
    """The row of each diagnosis of the encounter, in order; asked by several screens and
    rules, made once per encounter (kept on the context)."""
    found = context.memo.get("rows")
    if found is None:
        table = rows_for(context.cm, context.mce, context.poa)
        get = table.get
        on = None
        found = []
        for diagnosis in context.encounter.diagnoses:
            row = get(diagnosis.code)
            if row is None:
                if on is None:
                    on = context.encounter.service_date
                row = table.row(diagnosis.code, on)
            found.append(row)
        context.memo["rows"] = found
    return found


# -- the lines of each date of service -------------------------------------------------------

Line = tuple[int, CodedProcedure]  # (line number in the encounter, from 1; the procedure)


def service_lines(context: EditContext) -> dict[date, list[Line]]:
    """The HCPCS/CPT lines of each date of service, numbered as in the encounter. The screens
    and every NCCI and MUE rule ask for them in turn, so they are made once per encounter."""
    lines = context.memo.get("service lines")
    if lines is not None:
        return lines
    lines = context.memo["service lines"] = {}
    service = context.encounter.service_date
    number = 0
    for procedure in context.encounter.procedures:
        number += 1
        if procedure.system != "icd10pcs":
            on = procedure.date or service  # encounter.procedure_date(procedure)
            same_day = lines.get(on)
            if same_day is None:
                lines[on] = [(number, procedure)]
            else:
                same_day.append((number, procedure))
    return lines


# -- the lines of a claim (outpatient, professional) -----------------------------------------------
#
# What the NCCI, MUE and conventions screens ask about a claim's HCPCS/CPT lines, in one pass
# over the lines: each code's row (its HCPCS dates, whether it has the CPT shape, the column 2
# codes its NCCI record lists, whether it is an add-on code, its MUE) is made the first time the
# code is met with those releases and kept. Each family's screen then reads its part of the
# answer; the rules themselves still ask their tables (the screen only says which rules may
# find something, and may say so of a rule that then finds nothing).

ClaimCodeRow = tuple[Any, bool, frozenset, bool, Any]
"""(the HCPCS code's (first day, last day) or None, has the CPT shape, the column 2 codes of
its NCCI PTP record in the claim's table, is an NCCI add-on code, its MueValue or None)."""

_NOTHING: frozenset = frozenset()


class ClaimCodeRows(dict):
    """Code -> :data:`ClaimCodeRow` for one combination of releases and one claim setting."""

    __slots__ = ("hcpcs", "ncci", "mue", "setting", "whole", "_windows", "_records", "_add_ons",
                 "_values")

    def __init__(self, hcpcs: Any, ncci: Any, mue: Any, setting: str):
        super().__init__()
        self.hcpcs, self.ncci, self.mue, self.setting = hcpcs, ncci, mue, setting
        self.whole = False  # every code of the MUE table and the HCPCS file made
        self._windows = hcpcs.hcpcs_windows if hcpcs is not None else {}
        has_ptp = ncci is not None and ncci.has_ptp(setting)
        self._records = ncci.records(setting) if has_ptp else None
        self._add_ons = ncci.add_on_codes if ncci is not None else {}
        self._values = mue.values(setting) if mue is not None and mue.has(setting) else {}

    def row(self, code: str) -> ClaimCodeRow:
        found = self.get(code)
        if found is None:
            records = self._records
            found = (self._windows.get(code), cpt_shaped(code),
                     records(code).column_2_codes if records is not None else _NOTHING,
                     code in self._add_ons, self._values.get(code))
            if len(self) >= _REMEMBERED:
                self.clear()
            self[code] = found
        return found


_CLAIM_TABLES: dict[tuple[int, int, int, str], ClaimCodeRows] = {}


def claim_rows_for(hcpcs: Any, ncci: Any, mue: Any, setting: str) -> ClaimCodeRows:
    key = (id(hcpcs), id(ncci), id(mue), setting)
    found = _CLAIM_TABLES.get(key)
    if found is None or found.hcpcs is not hcpcs or found.ncci is not ncci or found.mue is not mue:
        found = _CLAIM_TABLES[key] = ClaimCodeRows(hcpcs, ncci, mue, setting)
    return found


_CPT_SHAPED: dict[str, bool] = {}


def cpt_shaped(code: str) -> bool:
    """Whether a code has the CPT format (kept per code: a claim file repeats its codes)."""
    shaped = _CPT_SHAPED.get(code)
    if shaped is None:
        if len(_CPT_SHAPED) >= 100_000:
            _CPT_SHAPED.clear()
        shaped = _CPT_SHAPED[code] = CPT_CODE.fullmatch(code) is not None
    return shaped


class ClaimLines:
    """What one pass over a claim's HCPCS/CPT lines found for the screens: the conventions rules
    its codes may fire, the dates where a code's NCCI record lists another code of the date (the
    NCCI screen then asks the table which edits are in force), whether an add-on code is
    reported, and the MUE rules the units may fire."""

    __slots__ = ("conventions", "ptp_dates", "add_on", "mue")

    def __init__(self) -> None:
        self.conventions: list[str] = []
        self.ptp_dates: list[tuple[Any, list]] = []
        self.add_on = False
        self.mue: set[str] = set()


HCPCS, CPT = "hcpcs", "cpt"


def claim_lines(context: EditContext) -> ClaimLines:
    """The pass over the lines of a claim (:func:`service_lines`), made once per encounter."""
    found = context.memo.get("claim lines")
    if found is not None:
        return found
    found = context.memo["claim lines"] = ClaimLines()
    setting = context.encounter.setting
    table = claim_rows_for(context.hcpcs, context.ncci, context.mue, setting)
    get, make = table.get, table.row
    hcpcs = table.hcpcs
    conventions = found.conventions
    mue = context.mue
    check_units = bool(table._values)
    if mue is not None and not check_units and not mue.has(setting):
        found.mue.update(("MUE-LINE", "MUE-DATE-OF-SERVICE"))
    add_on = False
    for on, lines in service_lines(context).items():
        codes = [line.code for _number, line in lines]
        several = len(codes) > 1
        ptp = False
        seen = set() if several else None
        for _number, line in lines:
            code = line.code
            row = get(code) or make(code)
            system = line.system
            if system == HCPCS:
                if hcpcs is not None:
                    window = row[0]
                    if (window is None or not window[0] <= on <= window[1]) \
                            and not hcpcs.status(code, on).valid:
                        conventions.append("HCPCS-INVALID-CODE")
            elif system == CPT and not row[1]:
                conventions.append("CPT-FORMAT")
            if several:
                if not ptp and row[2] and not row[2].isdisjoint(codes):
                    ptp = True
                if code in seen:
                    found.mue.add("MUE-DATE-OF-SERVICE")
                seen.add(code)
            if row[3]:
                add_on = True
            if check_units:
                value = row[4]
                if value is not None and line.units > value.units:
                    found.mue.add("MUE-LINE" if value.mai == 1 else "MUE-DATE-OF-SERVICE")
        if ptp:
            found.ptp_dates.append((on, lines))
    found.add_on = add_on
    return found


# -- the tables made whole, for bulk work ----------------------------------------------------------
#
# A file of tens of thousands of encounters meets nearly every code of every table; made as the
# codes come, each row costs a first look-up in the middle of the work. Bulk work makes the rows
# of a combination of releases whole when it first meets the combination (a second or so, said
# by :func:`seconds_made_whole`); a single encounter keeps making only its own rows.

_WHOLE_SECONDS = [0.0]  # CPU seconds spent making tables whole, for the process


def make_whole(setting: str, cm: Any, mce: Any, poa: Any, pcs: Any, hcpcs: Any, ncci: Any,
               mue: Any) -> None:
    """Every row of the tables an encounter of ``setting`` is checked with: each billable
    ICD-10-CM code's row; for an inpatient stay the MCE's answer for each ICD-10-PCS code; for a
    claim, each code of the setting's MUE table and of the HCPCS file."""
    started = time.process_time()
    if cm is not None:
        rows = rows_for(cm, mce, poa)
        if not rows.whole:
            _make_diagnoses_whole(rows)
    if setting == "inpatient":
        if mce is not None and pcs is not None:
            coded = mce.coded_procedures
            if len(coded) < len(mce.valid_procedures):
                for code in mce.valid_procedures:
                    coded[code]
    else:
        claim = claim_rows_for(hcpcs, ncci, mue, setting)
        if not claim.whole:
            row = claim.row
            for code in claim._values:
                row(code)
            for code in claim._windows:
                row(code)
            claim.whole = True
    _WHOLE_SECONDS[0] += time.process_time() - started


def _make_diagnoses_whole(rows: DiagnosisRows) -> None:
    """Every billable code's row; from the rows of another MCE version with the same
    ICD-10-CM and POA releases where there are some (only the MCE's answer differs)."""
    cm, mce, poa = rows.cm, rows.mce, rows.poa
    like = next((other for other in _TABLES.values() if other.whole and other.cm is cm
                 and other.poa is poa), None)
    if like is not None:
        coded = mce.coded_diagnoses if mce is not None else None
        for code, (status, notes, _mce, exempt) in like.items():
            if code not in rows:
                rows[code] = (status, notes, coded[code] if coded is not None else None, exempt)
    row, made = rows.row, rows.__contains__
    for code in cm.billable_codes:
        if not made(code):
            row(code, None)  # a billable code's row never names the date
    rows.whole = True


def seconds_made_whole() -> float:
    """CPU seconds this process has spent in :func:`make_whole`."""
    return _WHOLE_SECONDS[0]

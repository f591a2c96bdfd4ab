"""What the edits ask about each diagnosis code, in one look-up: for the releases in force on an
encounter's date (ICD-10-CM, the MCE tables, the POA-exempt list), each code's row holds its
ICD-10-CM status and notes, the MCE's edits on it and whether it is exempt from POA reporting.

A row is made the first time a code is met with those releases and kept, so a code seen before
costs one dictionary probe; the conventions screen, the MCE claim view and the POA rules then
read the encounter's rows (kept on the context) instead of asking three tables each.
"""

from __future__ import annotations

from typing import Any

from chartwell.edits.model import EditContext

DiagnosisRow = tuple[Any, Any, Any, bool]
"""(CodeStatus or None without ICD-10-CM, CmNotes when the code is valid else None, the MCE's
edits: DiagnosisEdits / VALID / None as ``MceTables.coded_diagnoses`` answers, or None without
MCE tables; exempt from POA reporting)."""

_REMEMBERED = 500_000  # codes per table (made-up codes must not grow it forever)


class DiagnosisRows(dict):
    """Code -> :data:`DiagnosisRow` for one combination of releases."""

    __slots__ = ("cm", "mce", "poa")

    def __init__(self, cm: Any, mce: Any, poa: Any):
        super().__init__()
        self.cm, self.mce, self.poa = cm, mce, poa

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

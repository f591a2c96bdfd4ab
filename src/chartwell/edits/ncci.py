"""NCCI edits for professional (837P) and outpatient hospital (837I) claims: the
procedure-to-procedure (PTP) edits and the add-on code (AOC) edits, from the NCCI release in force
on the date of service (practitioner table for a professional claim, hospital outpatient table for
an outpatient claim). Lines are compared with the lines of the same date of service only; the
ICD-10-PCS lines of a claim are not NCCI-edited.

Source: CMS, Medicare National Correct Coding Initiative, and the NCCI Policy Manual for Medicare
Services, Chapter I (General Correct Coding Policies): Section E (Modifiers and Modifier
Indicators) for the modifiers that bypass a PTP edit, Section R (Add-on Codes).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from chartwell.codesets.ncci import PTP_TABLE_NAMES, AddOnCode, NcciTables, PtpEdit, ptp_table
from chartwell.domain.coded import CodedProcedure, Setting
from chartwell.edits.facts import Line, claim_lines, service_lines
from chartwell.edits.model import EditContext, Family, Finding, Rule, Severity, rule, screen

POLICY_MANUAL = "NCCI Policy Manual for Medicare Services, Chapter I"
CLAIM_SETTINGS = (Setting.PROFESSIONAL, Setting.OUTPATIENT)

ANATOMIC_MODIFIERS = frozenset({
    "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9",
    "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "LT", "RT",
    "LC", "LD", "LM", "RC", "RI"})
GLOBAL_SURGERY_MODIFIERS = frozenset({"24", "25", "57", "58", "78", "79"})
OTHER_NCCI_MODIFIERS = frozenset({"27", "59", "91", "XE", "XS", "XP", "XU"})
NCCI_ASSOCIATED_MODIFIERS = ANATOMIC_MODIFIERS | GLOBAL_SURGERY_MODIFIERS | OTHER_NCCI_MODIFIERS
"""The modifiers that may bypass a PTP edit of modifier indicator 1 when the clinical
circumstances justify them (NCCI Policy Manual, Chapter I, Section E): anatomic, global surgery,
and 27, 59, 91, XE, XS, XP, XU. Reported on either code of the pair, one of them bypasses the edit
(modifiers 22, 76, 77 and the rest do not)."""



def units_text(units: float) -> str:
    """``2`` for 2.0, ``1.5`` for 1.5; with its noun (kept: claims repeat a few counts)."""
    found = _UNITS_TEXTS.get(units)
    if found is None:
        shown = f"{units:g}"
        found = f"{shown} unit" if units == 1 else f"{shown} units"
        if len(_UNITS_TEXTS) < 10_000:
            _UNITS_TEXTS[units] = found
    return found


_UNITS_TEXTS: dict[float, str] = {}  # 2 and 2.0 are one key: both read "2 units"


# -- procedure-to-procedure edits --------------------------------------------------------------


@rule("NCCI-PTP", family=Family.NCCI, severity=Severity.ERROR,
      title="Procedure-to-procedure edit: the column 2 code is not paid with the column 1 code "
            "on the same date of service",
      source="CMS Medicare NCCI procedure-to-procedure (PTP) edits, practitioner and hospital "
             f"outpatient tables; {POLICY_MANUAL}, Section E (Modifiers and Modifier "
             "Indicators)",
      settings=CLAIM_SETTINGS, needs=("ncci",))
def procedure_to_procedure(rule: Rule, context: EditContext) -> Iterator[Finding]:
    ncci: NcciTables = context.ncci
    setting = context.encounter.setting
    if not ncci.has_ptp(setting):
        context.notes.append(f"NCCI {ncci.version} has no {PTP_TABLE_NAMES[ptp_table(setting)]} "
                             "PTP table: PTP edits were not run")
        return
    for on, lines in service_lines(context).items():
        for edit, modifiers in _edits_not_bypassed(context, ncci, on, lines):
            yield rule.finding((edit.column_1, edit.column_2), _ptp_message(edit, on, modifiers),
                               edit.describe(ncci.version))


def _ptp_among(context: EditContext, ncci: NcciTables, on: date, lines: list[Line]
               ) -> list[PtpEdit]:
    """The PTP edits in force among the codes of a date (none for a single code); kept on the
    context for the encounter's rule after its screen."""
    if len(lines) < 2:
        return []
    key = ("ptp", on)
    found = context.memo.get(key)
    if found is None:
        codes = list({line.code: None for _number, line in lines})
        found = context.memo[key] = ncci.ptp_among(codes, context.encounter.setting, on) \
            if len(codes) > 1 else []
    return found


def _edits_not_bypassed(context: EditContext, ncci: NcciTables, on: date, lines: list[Line]
                        ) -> Iterator[tuple[PtpEdit, list[str]]]:
    """Each edit in force between two codes of the date that some pair of their lines does not
    bypass (once per code pair, however many lines repeat it), with the NCCI-associated
    modifiers those lines carried."""
    for edit in _ptp_among(context, ncci, on, lines):
        if edit.modifier_indicator == 9:
            continue
        for line_a, line_b in _line_pairs(lines, edit.column_1, edit.column_2):
            modifiers = _ncci_modifiers(line_a, line_b)
            if edit.modifier_indicator == 0 or not modifiers:
                yield edit, modifiers
                break


def _line_pairs(lines: list[Line], column_1: str, column_2: str
                ) -> Iterator[tuple[CodedProcedure, CodedProcedure]]:
    """Every pairing of a line of the column 1 code with a line of the column 2 code: the edit
    applies unless each pairing carries a bypassing modifier."""
    firsts = [line for _number, line in lines if line.code == column_1]
    seconds = [line for _number, line in lines if line.code == column_2]
    return ((first, second) for first in firsts for second in seconds)


def _ncci_modifiers(line_a: CodedProcedure, line_b: CodedProcedure) -> list[str]:
    """The NCCI-associated modifiers reported on either line, as ``59 on 45378``."""
    return [f"{modifier} on {line.code}" for line in (line_a, line_b)
            for modifier in line.modifiers if modifier in NCCI_ASSOCIATED_MODIFIERS]


def _ptp_message(edit: PtpEdit, on: date, modifiers: list[str]) -> str:
    denied = (f"{edit.column_2} (column 2) is not paid when reported with {edit.column_1} "
              f"(column 1) on {on.isoformat()}: {edit.rationale}.")
    if edit.modifier_indicator == 0:
        verb = "does" if len(modifiers) == 1 else "do"
        reported = f" ({', '.join(modifiers)} {verb} not change this)" if modifiers else ""
        return (f"{denied} Modifier indicator 0: no modifier bypasses this edit{reported}. "
                f"Remove {edit.column_2} from the claim for this date.")
    return (f"{denied} Modifier indicator 1: if {edit.column_2} was a distinct service (a "
            "separate encounter, anatomic site or organ system, or a different practitioner) "
            "and the record shows it, append the NCCI-associated modifier that says so (XE, XS, "
            "XP, XU or 59; an anatomic modifier such as LT/RT; or 24, 25, 57, 58, 78, 79, 27, "
            f"91 where they apply); otherwise remove {edit.column_2}.")


# -- add-on code edits -------------------------------------------------------------------------


@rule("NCCI-AOC-PRIMARY", family=Family.NCCI, severity=Severity.ERROR,
      title="Add-on code reported without any of its primary codes on the same date of service "
            "(type 1)",
      source=f"CMS Medicare NCCI add-on code (AOC) edits, type 1; {POLICY_MANUAL}, Section R "
             "(Add-on Codes)",
      settings=CLAIM_SETTINGS, needs=("ncci",))
def add_on_without_primary(rule: Rule, context: EditContext) -> Iterator[Finding]:
    ncci: NcciTables = context.ncci
    for on, codes, add_on in _add_ons(ncci, context, (1,)):
        if add_on.primary_codes.isdisjoint(codes - {add_on.code}):
            yield rule.finding((add_on.code,), _type_1_message(add_on, on),
                               _aoc_row(ncci, add_on))


@rule("NCCI-AOC-CONTRACTOR", family=Family.NCCI, severity=Severity.WARNING,
      title="Add-on code whose primary codes the contractor defines (type 2 or 3) reported "
            "without a primary code CMS lists",
      source=f"CMS Medicare NCCI add-on code (AOC) edits, types 2 and 3; {POLICY_MANUAL}, "
             "Section R (Add-on Codes)",
      settings=CLAIM_SETTINGS, needs=("ncci",))
def add_on_for_contractor(rule: Rule, context: EditContext) -> Iterator[Finding]:
    ncci: NcciTables = context.ncci
    for on, codes, add_on in _add_ons(ncci, context, (2, 3)):
        others = codes - {add_on.code}
        if not add_on.primary_codes.isdisjoint(others):
            continue  # a primary code CMS lists is there
        if others and add_on.edit_type == 2:
            continue  # any code may be its primary: the contractor's list decides
        yield rule.finding((add_on.code,), _contractor_message(add_on, on, others),
                           _aoc_row(ncci, add_on))


def _add_ons(ncci: NcciTables, context: EditContext, edit_types: tuple[int, ...]
             ) -> Iterator[tuple[date, set[str], AddOnCode]]:
    """Each add-on code of the given types on each date, with the codes of that date."""
    add_on_codes = ncci.add_on_codes
    if not add_on_codes:
        note = f"NCCI {ncci.version} has no add-on code edits: add-on codes were not checked"
        if note not in context.notes:
            context.notes.append(note)
        return
    for on, lines in service_lines(context).items():
        codes = {line.code for _number, line in lines}
        present = [code for code in codes if code in add_on_codes]
        for code in sorted(present) if present else ():
            add_on = add_on_codes[code]
            if add_on.edit_type in edit_types:
                yield on, codes, add_on


def _aoc_row(ncci: NcciTables, add_on: AddOnCode) -> str:
    return f"NCCI AOC {ncci.version}, add-on code {add_on.code}, {add_on.meaning}"


def _primaries(add_on: AddOnCode, most: int = 8) -> str:
    listed = sorted(add_on.primary_codes)
    shown = ", ".join(listed[:most])
    return shown + (f" and {len(listed) - most} more" if len(listed) > most else "")


def _type_1_message(add_on: AddOnCode, on: date) -> str:
    return (f"{add_on.code} is an add-on code reported on {on.isoformat()} without any of its "
            f"primary codes ({_primaries(add_on)}); it is not paid alone. Report the primary "
            f"procedure on the same date, or remove {add_on.code}.")


def _contractor_message(add_on: AddOnCode, on: date, others: set[str]) -> str:
    if not others:
        return (f"{add_on.code} is an add-on code reported on {on.isoformat()} with no other "
                f"procedure ({add_on.meaning}); an add-on code is rarely paid alone. Report its "
                f"primary procedure, or remove {add_on.code}.")
    return (f"{add_on.code} is an add-on code reported on {on.isoformat()} without any of the "
            f"primary codes CMS lists for it ({_primaries(add_on)}); {add_on.meaning}. Check "
            f"that your contractor accepts {', '.join(sorted(others))} as its primary code.")


# -- the screen ------------------------------------------------------------------------------------


@screen(Family.NCCI, covers=("NCCI-PTP", "NCCI-AOC-PRIMARY", "NCCI-AOC-CONTRACTOR"))
def ncci_screen(context: EditContext) -> list[str]:
    """The PTP edits among the codes of each date where a code's record lists another of them
    (kept for the rule) and whether an add-on code is reported (the pass over the claim's lines
    the conventions and MUE screens share); a table the release lacks is a note, so its rules
    run to say so."""
    ncci: NcciTables | None = context.ncci
    if ncci is None:
        return []
    may: list[str] = []
    found = claim_lines(context)
    ptp = not ncci.has_ptp(context.encounter.setting)
    if not ptp:
        for on, day_lines in found.ptp_dates:
            if _ptp_among(context, ncci, on, day_lines):
                ptp = True
                break
    if ptp:
        may.append("NCCI-PTP")
    if found.add_on or not ncci.add_on_codes:
        may.extend(("NCCI-AOC-PRIMARY", "NCCI-AOC-CONTRACTOR"))
    return may

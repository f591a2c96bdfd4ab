"""Medically Unlikely Edits for professional (837P) and outpatient hospital (837I) claims: the
units of service of a HCPCS/CPT code on one date of service against its MUE, from the MUE release
in force on the date (practitioner services table for a professional claim, outpatient hospital
services table for an outpatient claim).

How units are counted follows the code's MUE adjudication indicator (MAI): MAI 1 is a line edit
(each claim line on its own); MAI 2 (policy) and MAI 3 (clinical) are date of service edits (the
units of every line of the code on the date added up).

The DME supplier services table is installed and readable (``MueTables.mue(code, "dme")``) but no
rule here uses it: it applies to claims a DME supplier sends its DME MAC, and the ENCOUNTER.json
document has no way to say a claim is one.

Source: CMS, Medicare NCCI Medically Unlikely Edits; NCCI Policy Manual for Medicare Services,
Chapter I, Section V (Medically Unlikely Edits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from chartwell.codesets.mue import MUE_TABLE_NAMES, MueTables, MueValue, mue_table
from chartwell.domain.coded import Setting
from chartwell.edits.facts import Line, claim_lines, service_lines
from chartwell.edits.model import EditContext, Family, Finding, Rule, Severity, rule, screen
from chartwell.edits.ncci import units_text

SOURCE = ("CMS Medicare NCCI Medically Unlikely Edits (MUE), practitioner services and "
          "outpatient hospital services tables; NCCI Policy Manual for Medicare Services, "
          "Chapter I, Section V (Medically Unlikely Edits)")
CLAIM_SETTINGS = (Setting.PROFESSIONAL, Setting.OUTPATIENT)


@rule("MUE-LINE", family=Family.MUE, severity=Severity.ERROR,
      title="Units of service on a claim line exceed the code's MUE (MAI 1, line edit)",
      source=SOURCE, settings=CLAIM_SETTINGS, needs=("mue",))
def units_per_line(rule: Rule, context: EditContext) -> Iterator[Finding]:
    mue: MueTables = context.mue
    setting = context.encounter.setting
    if not _has_table(mue, setting, context):
        return
    values = mue.values(setting)
    for on, lines in service_lines(context).items():
        for number, line in lines:
            value = values.get(line.code)
            if value is not None and line.units > value.units and value.mai == 1:
                texts = _texts(rule, value, mue.version, _line_text)
                yield rule.found((line.code,), f"{value.code} on line {number} "
                                 f"({on.isoformat()}): {units_text(line.units)} exceed "
                                 f"{texts.text}", texts.source)


@rule("MUE-DATE-OF-SERVICE", family=Family.MUE, severity=Severity.ERROR,
      title="Units of service of a code on one date of service exceed its MUE (MAI 2 or 3, "
            "date of service edit)",
      source=SOURCE, settings=CLAIM_SETTINGS, needs=("mue",))
def units_per_date_of_service(rule: Rule, context: EditContext) -> Iterator[Finding]:
    mue: MueTables = context.mue
    setting = context.encounter.setting
    if not _has_table(mue, setting, context):
        return
    values = mue.values(setting)
    for on, lines in service_lines(context).items():
        day = None
        if len(lines) == 1:  # the usual date: one line, its units the code's on the date
            _number, line = lines[0]
            totals: Iterable[tuple[str, float]] = ((line.code, line.units),)
        else:
            totals = _units_by_code(lines).items()
        for code, units in totals:
            value = values.get(code)
            if value is not None and units > value.units and value.mai != 1:
                numbers = [number for number, line in lines if line.code == code]
                where = f"line {numbers[0]}" if len(numbers) == 1 else \
                    f"lines {', '.join(str(number) for number in numbers)}"
                texts = _texts(rule, value, mue.version, _date_text)
                day = day or on.isoformat()
                yield rule.found((code,), f"{code} on {day}: {units_text(units)} in all "
                                 f"({where}) exceed {texts.text}", texts.source)


class _Texts:
    """What a rule's finding on a code's MUE says that depends on the MUE row alone (its source
    and the end of its message), written once per row and rule (a claim file hits the same
    rows again and again)."""

    __slots__ = ("value", "version", "source", "text")

    def __init__(self, rule: Rule, value: MueValue, version: str, text: Callable[[MueValue], str]):
        self.value, self.version = value, version
        self.source = rule.source_at(value.describe(version))
        self.text = text(value)


_TEXTS: dict[tuple[str, int], _Texts] = {}  # (rule id, id of the MueValue) -> its texts


def _texts(rule: Rule, value: MueValue, version: str, text: Callable[[MueValue], str]
           ) -> _Texts:
    key = (rule.id, id(value))
    found = _TEXTS.get(key)
    if found is None or found.value is not value or found.version != version:
        if len(_TEXTS) >= 100_000:
            _TEXTS.clear()
        found = _TEXTS[key] = _Texts(rule, value, version, text)
    return found


def _has_table(mue: MueTables, setting: str, context: EditContext) -> bool:
    if mue.has(setting):
        return True
    note = (f"MUE {mue.version} has no {MUE_TABLE_NAMES[mue_table(setting)]} table: MUE edits "
            "were not run")
    if note not in context.notes:
        context.notes.append(note)
    return False


def _units_by_code(lines: list[Line]) -> dict[str, float]:
    """Each code's units on the date, added up over its lines."""
    totals: dict[str, float] = {}
    for _number, line in lines:
        totals[line.code] = totals.get(line.code, 0) + line.units
    return totals


def _mue_text(value: MueValue, per: str) -> str:
    text = (f"the MUE of {units_text(value.units)} per {per} (MAI {value.mai}, "
            f"{value.mai_meaning}; rationale: {value.rationale})")
    if value.units == 0:
        text += "; an MUE of 0 means the code is not payable on this type of claim"
    return text


def _line_text(value: MueValue) -> str:
    """A line edit's message after "``code`` on line ``n`` (``date``): ``units`` exceed"."""
    return (f"{_mue_text(value, 'line')}. The line is denied. Correct the units if they were "
            "miscounted; if the services were truly given at separate sites or sessions, report "
            "them on separate lines with the modifier that says so (an anatomic modifier, 76, "
            "77 or 91).")


def _date_text(value: MueValue) -> str:
    """A date of service edit's message after "``code`` on ``date``: ``units`` in all
    (``lines``) exceed"."""
    if value.mai == 2:
        advice = ("The limit is set by CMS policy and is not raised on appeal: correct the "
                  "units.")
    else:
        advice = ("Correct the units if they were miscounted; if more were truly given, the "
                  "denial can be appealed with records showing they were medically necessary.")
    return (f"{_mue_text(value, 'date of service')}. Every line of {value.code} on this date is "
            f"denied. {advice}")


# -- the screen ------------------------------------------------------------------------------------


@screen(Family.MUE, covers=("MUE-LINE", "MUE-DATE-OF-SERVICE"))
def mue_screen(context: EditContext) -> set[str]:
    """The units of each line against its code's MUE; a code on several lines of a date may
    add up past it (the pass over the claim's lines the conventions and NCCI screens share). A
    table the release lacks is a note, so its rules run to say so."""
    mue: MueTables | None = context.mue
    if mue is None:
        return set()
    return claim_lines(context).mue

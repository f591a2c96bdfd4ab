"""Validating codes against the release in force on a date, with a reason for every failure.

The answer is the DESIGN contract ``{"code", "system", "date", "valid", "billable",
"messages"}`` (plus the release and title). Checked, in order:

* the format of the system (ICD-10-CM, ICD-10-PCS characters, HCPCS Level II, CPT);
* that the code exists in the release for the date; a code that does not is looked for in the
  installed neighbours: in the previous release ("deleted on 2025-10-01 (FY2026); see E11.A ..."
  with its replacements per the conversion table), in a later release ("new in FY2026: valid
  from 2025-10-01"), and in the conversion table ("replaced in 2019 by ...");
* billable: a header lists its billable codes;
* ICD-10-CM 7th characters: a code of a category that takes one needs it ("S72.001 needs a 7th
  character: A/B/C/..."), the 7th character must be one the category allows, and a code shorter
  than six characters is filled with placeholder X's before it (``T36.0X1A``);
* HCPCS: in effect on the date (added / termination dates);
* CPT: by format, and against a licensed file when one is installed for the date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from chartwell.codesets.artifact import Artifact, CodeRow
from chartwell.codesets.cpt import CPT_CODE, CPT_FORMAT, cpt_category
from chartwell.codesets.detail import hcpcs_date_problem
from chartwell.codesets.hcpcs import LEVEL_II_CODE, MODIFIER_CODE
from chartwell.codesets.icd10cm._codes import undotted
from chartwell.codesets.icd10pcs.tables import explain_code
from chartwell.codesets.lookup import (
    CM_SHAPE,
    PCS_CODE,
    SEVENTH_LENGTH,
    placeholder_candidates,
    seventh_rule,
)
from chartwell.codesets.model import CodeSystem
from chartwell.codesets.releases import Release

LISTED = 8  # billable codes named in a header's message


@dataclass(slots=True)
class CodeValidation:
    code: str
    system: CodeSystem
    date: date
    valid: bool
    billable: bool
    messages: list[str] = field(default_factory=list)
    release: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class InForce:
    """The release in force on the date, its artifact, and the installed releases around it."""

    release: Release
    artifact: Artifact
    previous: tuple[Release, Artifact] | None = None
    later: tuple[tuple[Release, Artifact], ...] = ()


def validate(code: str, system: CodeSystem, on: date, in_force: InForce | None) -> CodeValidation:
    """Validate one code (already normalised) of ``system``; ``in_force`` None only for CPT with
    no licensed file installed."""
    checks = {CodeSystem.ICD10CM: _cm, CodeSystem.ICD10PCS: _pcs, CodeSystem.HCPCS: _hcpcs,
              CodeSystem.CPT: _cpt}
    result = CodeValidation(code=code, system=system, date=on, valid=False, billable=False,
                            release=in_force.release.version if in_force else None)
    checks[system](result, in_force)
    return result


def no_release(code: str, system: CodeSystem, on: date, message: str) -> CodeValidation:
    return CodeValidation(code=code, system=system, date=on, valid=False, billable=False,
                          messages=[message])


# -- ICD-10-CM --------------------------------------------------------------------------------


def _cm(result: CodeValidation, found: InForce) -> None:
    code, artifact = result.code, found.artifact
    if not CM_SHAPE.fullmatch(code):
        result.messages.append(f"{code} is not an ICD-10-CM code: a letter, two letters or "
                               "digits, then up to four more after the dot")
        return
    row = artifact.code(code)
    if row is not None:
        result.title = row.long_title or None
        _cm_existing(result, row, found)
        return
    if _cm_seventh_problem(result, found) or _moved(result, found):
        return
    _not_in_release(result, found)


def _cm_existing(result: CodeValidation, row: CodeRow, found: InForce) -> None:
    artifact = found.artifact
    _revised(result, row, found)
    if row.billable:
        result.valid = result.billable = True
        return
    rule = seventh_rule(artifact, row.code)
    raw = undotted(row.code)
    if rule and len(raw) == SEVENTH_LENGTH - 1:
        first = rule.characters[0]
        result.messages.append(f"{row.code} needs a 7th character: one of {rule.letters} (e.g. "
                               f"{row.code}{first.character}, {first.meaning})")
    else:
        result.messages.append(_header_message(row, artifact))
        if rule:
            result.messages.append(f"codes under {row.code} take a 7th character "
                                   f"({rule.letters}), placeholder X filling any empty place "
                                   "before it")
    _was_billable(result, row, found)


def _header_message(row: CodeRow, artifact: Artifact) -> str:
    total = artifact.count_descendants(row.code)
    shown = artifact.descendants(row.code, billable=True, limit=LISTED)
    listed = ", ".join(child.code for child in shown)
    more = f" and {total - len(shown)} more" if total > len(shown) else ""
    return (f"{row.code} is a header, not billable: use one of its {total} billable codes: "
            f"{listed}{more}")


def _cm_seventh_problem(result: CodeValidation, found: InForce) -> bool:
    """A code that is not in the release but reads as a 7th-character code gone wrong."""
    artifact, code = found.artifact, result.code
    raw = undotted(code)
    if len(raw) == SEVENTH_LENGTH:
        base = artifact.code(code[:-1])
        rule = seventh_rule(artifact, code[:-1]) if base is not None else None
        if rule and rule.meaning(raw[-1]) is None:
            result.messages.append(f"7th character {raw[-1]!r} is not valid for {base.code}: one "
                                   f"of {rule.letters}")
            return True
    for candidate in placeholder_candidates(code):
        row = artifact.code(candidate)
        if row is not None and row.billable:
            result.messages.append(f"{code} lacks its placeholder X: {candidate} "
                                   f"({row.long_title}); a code with a 7th character has six "
                                   "characters before it, X filling the empty places")
            return True
    return False


def _moved(result: CodeValidation, found: InForce) -> bool:
    """Deleted before this release, or not yet valid, or replaced per the conversion table."""
    code, release = result.code, found.release
    if found.previous is not None:
        previous, previous_artifact = found.previous
        if previous_artifact.code(code) is not None:
            result.messages.append(f"{code} was deleted on {release.effective_start.isoformat()} "
                                   f"({release.version}; valid in {previous.version})"
                                   + (_replacements(code, found) or _nearest(code, found)))
            return True
    for later, later_artifact in found.later:
        row = later_artifact.code(code)
        if row is not None:
            result.messages.append(f"{code} is not valid on {result.date.isoformat()}: it is new in "
                                   f"{later.version}, valid from {later.effective_start.isoformat()}")
            return True
    replacements = found.artifact.replaced_by(code)
    if replacements:
        effective = replacements[0][1]
        result.messages.append(f"{code} is not in {release.version}: the conversion table says "
                               f"it was replaced ({_effective(effective)})"
                               + _replacements(code, found))
        return True
    return False


def _replacements(code: str, found: InForce) -> str:
    current = [current for current, _ in found.artifact.replaced_by(code)]
    if current:
        return "; see " + ", ".join(dict.fromkeys(current)) + " (conversion table)"
    under = [row.code for row in found.artifact.descendants(code, billable=True, limit=LISTED)]
    return "; see " + ", ".join(under) if under else ""


def _effective(value: str) -> str:
    return f"effective October 1, {value}" if value.isdigit() else f"effective {value}"


def _revised(result: CodeValidation, row: CodeRow, found: InForce) -> None:
    if found.previous is None:
        return
    previous, previous_artifact = found.previous
    before = previous_artifact.code(row.code)
    if before is not None and before.long_title and row.long_title \
            and before.long_title != row.long_title:
        result.messages.append(f"title revised on {found.release.effective_start.isoformat()} "
                               f"({found.release.version}); in {previous.version} it read "
                               f"{before.long_title!r}")


def _was_billable(result: CodeValidation, row: CodeRow, found: InForce) -> None:
    if found.previous is None:
        return
    previous, previous_artifact = found.previous
    before = previous_artifact.code(row.code)
    if before is not None and before.billable:
        result.messages.append(f"{row.code} was billable in {previous.version}; deleted as a "
                               f"code on {found.release.effective_start.isoformat()} "
                               f"({found.release.version}), now a header"
                               + _replacements(row.code, found))


def _not_in_release(result: CodeValidation, found: InForce) -> None:
    result.messages.append(f"{result.code} is not an ICD-10-CM code in {found.release.label}"
                           + _nearest(result.code, found))


def _nearest(code: str, found: InForce) -> str:
    for length in range(len(code) - 1, 2, -1):
        row = found.artifact.code(code[:length].rstrip("."))
        if row is not None:
            kind = "a billable code" if row.billable else "a header"
            return f"; the nearest code is {row.code} ({kind}: {row.long_title})"
    return ""


# -- ICD-10-PCS -------------------------------------------------------------------------------


def _pcs(result: CodeValidation, found: InForce) -> None:
    code, artifact = result.code, found.artifact
    if not PCS_CODE.fullmatch(code):
        detail = ("7 characters" if len(code) != 7 else
                  "digits and letters other than I and O")
        result.messages.append(f"{code} is not an ICD-10-PCS code: a code has {detail}")
        row = artifact.code(code) if len(code) == 3 else None
        if row is not None:
            result.messages.append(f"{code} is a table ({row.long_title}), not a code")
        return
    row = artifact.code(code)
    table = artifact.pcs_table(code[:3])
    if row is not None:
        result.title = row.long_title
    if table is not None:
        explanation = explain_code(code, {table.prefix: table})
        if explanation.valid:
            result.valid = result.billable = True
            return
        if not _moved(result, found):
            result.messages.append(f"{code} is not valid in {found.release.label}: "
                                   f"{explanation.message}")
        return
    if row is not None and row.billable:
        result.valid = result.billable = True
        return
    if not _moved(result, found):
        result.messages.append(f"{code} is not an ICD-10-PCS code in {found.release.label}: no "
                               f"table {code[:3]}")


# -- HCPCS ------------------------------------------------------------------------------------


def _hcpcs(result: CodeValidation, found: InForce) -> None:
    code, artifact = result.code, found.artifact
    if len(code) == 2 and MODIFIER_CODE.fullmatch(code):
        modifier = artifact.modifier(code)
        if modifier is None:
            result.messages.append(f"{code} is not a HCPCS Level II modifier in "
                                   f"{found.release.label}")
        else:
            result.valid, result.title = True, modifier.title
            result.messages.append(f"{code} is a modifier, not a procedure code")
        return
    if not LEVEL_II_CODE.fullmatch(code):
        result.messages.append(f"{code} is not a HCPCS Level II code: a letter A-V and four "
                               "digits")
        return
    record = artifact.hcpcs(code)
    if record is None:
        if not _moved(result, found):
            result.messages.append(f"{code} is not a HCPCS Level II code in {found.release.label}")
        return
    result.title = record.long_title
    problem = hcpcs_date_problem(record, result.date)
    if problem:
        result.messages.append(problem)
        return
    result.valid = result.billable = True


# -- CPT --------------------------------------------------------------------------------------


def _cpt(result: CodeValidation, found: InForce | None) -> None:
    code = result.code
    if not CPT_CODE.fullmatch(code):
        result.messages.append(f"{code} is not a CPT code: {CPT_FORMAT}")
        return
    if found is None:
        result.valid = result.billable = True
        result.messages.append(f"CPT {cpt_category(code)} code accepted by format: no licensed "
                               f"CPT file is installed for {result.date.isoformat()}, so its "
                               "existence is not checked")
        return
    row = found.artifact.code(code)
    if row is None:
        result.messages.append(f"{code} is not in the licensed CPT file {found.release.label}")
        return
    result.valid = result.billable = True
    result.title = row.long_title


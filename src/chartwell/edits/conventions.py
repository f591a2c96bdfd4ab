"""ICD-10-CM conventions and code validity: the edits every coded encounter gets, whatever the
payer. The tabular notes are read from the ICD-10-CM release in force on the date of service
(the discharge date of an inpatient stay); the findings quote the note and the tabular entry it is
written at.
"""

from __future__ import annotations

from collections.abc import Iterator

from chartwell.codesets.cpt import CPT_CODE
from chartwell.codesets.model import CodeSystem
from chartwell.codesets.validation import validate
from chartwell.domain.coded import CodedEncounter, Setting
from chartwell.edits.facts import claim_lines, cpt_shaped, diagnosis_rows, service_lines
from chartwell.edits.model import EditContext, Family, Finding, Rule, Severity, rule, screen
from chartwell.edits.references import CmNotes, CodeFacts

GUIDELINES = "ICD-10-CM Official Guidelines for Coding and Reporting"
HIPAA_CODE_SETS = "HIPAA code set standards, 45 CFR 162.1002"
OUTPATIENT = {Setting.OUTPATIENT, Setting.PROFESSIONAL}


def _validity_findings(rule: Rule, context: EditContext, problem: str) -> Iterator[Finding]:
    """A finding for each diagnosis whose validity problem is ``problem``: the three validity
    rules share one pass over the diagnoses (kept on the context)."""
    problems = context.memo.get("problems")
    if problems is None:
        facts: CodeFacts = context.cm
        on = context.encounter.service_date
        problems = context.memo["problems"] = [
            status for diagnosis in context.encounter.diagnoses
            if not (status := facts.status(diagnosis.code, on)).valid]
    for status in problems:
        if status.problem == problem:
            yield rule.finding([status.code], status.message,
                               f"ICD-10-CM {context.cm.release.label}")


@rule("CM-INVALID-CODE", family=Family.CONVENTIONS, severity=Severity.ERROR,
      title="Diagnosis code not valid on the date of service",
      source=f"{HIPAA_CODE_SETS} (the code set in effect on the date of service); "
             f"{GUIDELINES}, Section I.A.1", needs=("cm",))
def invalid_diagnosis(rule: Rule, context: EditContext) -> Iterator[Finding]:
    yield from _validity_findings(rule, context, "invalid")


@rule("CM-HEADER", family=Family.CONVENTIONS, severity=Severity.ERROR,
      title="Header (non-billable) code reported",
      source=f"{GUIDELINES}, Section I.B.2 (level of detail: code to the highest number of "
             "characters available)", needs=("cm",))
def header_code(rule: Rule, context: EditContext) -> Iterator[Finding]:
    yield from _validity_findings(rule, context, "header")


@rule("CM-SEVENTH-CHARACTER", family=Family.CONVENTIONS, severity=Severity.ERROR,
      title="7th character missing or not valid for the category",
      source=f"{GUIDELINES}, Section I.A.5 (placeholder X) and I.B.2; the category's "
             "7th-character note", needs=("cm",))
def seventh_character(rule: Rule, context: EditContext) -> Iterator[Finding]:
    yield from _validity_findings(rule, context, "seventh_character")


@rule("CM-DUPLICATE", family=Family.CONVENTIONS, severity=Severity.WARNING,
      title="The same diagnosis code reported more than once",
      source=f"{GUIDELINES}, Section I.B.12 (a code is reported only once for an encounter)")
def duplicate_code(rule: Rule, context: EditContext) -> Iterator[Finding]:
    seen: set[str] = set()
    for diagnosis in context.encounter.diagnoses:
        if diagnosis.code in seen:
            yield rule.finding([diagnosis.code], f"{diagnosis.code} is reported more than once: "
                                                 "report it once")
        seen.add(diagnosis.code)


@rule("CM-EXCLUDES1", family=Family.CONVENTIONS, severity=Severity.ERROR,
      title="Codes reported together that an Excludes1 note says are never coded together",
      source=f"{GUIDELINES}, Section I.A.12.a (Excludes1)", needs=("cm",))
def excludes1(rule: Rule, context: EditContext) -> Iterator[Finding]:
    codes = _distinct_valid(context)
    if len(codes) < 2:
        return
    reported: set[frozenset[str]] = set()
    categories = _categories(context)
    for code in codes:
        index = context.cm.notes(code).excludes1
        if not index.touches(categories):
            continue
        for other in codes:
            note = index.find(other) if other != code else None
            if note is not None and (pair := frozenset((code, other))) not in reported:
                reported.add(pair)
                yield rule.finding(
                    [code, other],
                    f"{other} is excluded at {code} (Excludes1: \"{note.text}\"): the two "
                    "are not coded together; keep the one the documentation supports, unless "
                    "the two conditions are unrelated (the exception in I.A.12.a)",
                    note.cite())


@rule("CM-CODE-FIRST", family=Family.CONVENTIONS, severity=Severity.WARNING,
      title="\"Code first\" condition sequenced after the code that asks for it",
      source=f"{GUIDELINES}, Section I.A.13 (etiology/manifestation convention) and I.B.7 "
             "(multiple coding for a single condition)", needs=("cm",))
def code_first(rule: Rule, context: EditContext) -> Iterator[Finding]:
    codes = _distinct_valid(context)
    categories = _categories(context)
    for position, code in enumerate(codes):
        notes = context.cm.notes(code)
        index = notes.code_first
        if not index.touches(categories) or any(index.find(other) for other in codes[:position]):
            continue  # nothing asked for, or what it asks for is already sequenced before it
        for other in codes[position + 1:]:
            note = index.find(other)
            if note is not None:
                severity = Severity.ERROR if notes.manifestation else Severity.WARNING
                yield rule.finding([other, code],
                                   f"{other} is to be sequenced before {code} (code first: "
                                   f"\"{note.text}\")", note.cite(), severity)
                break


@rule("CM-MANIFESTATION-ETIOLOGY", family=Family.CONVENTIONS, severity=Severity.WARNING,
      title="Manifestation code reported without its underlying condition",
      source=f"{GUIDELINES}, Section I.A.13 (etiology/manifestation convention: the underlying "
             "condition is coded first)", needs=("cm",))
def manifestation_without_etiology(rule: Rule, context: EditContext) -> Iterator[Finding]:
    codes = _distinct_valid(context)
    for code in codes:
        notes = context.cm.notes(code)
        index = notes.code_first
        if notes.manifestation and index and not any(index.find(other) for other in codes):
            listed = " ".join(item.text for item in index.notes[:4])
            yield rule.finding([code], f"{code} is a manifestation code: code the underlying "
                                       f"condition first (code first: \"{listed}\")",
                               index[0].cite())


@rule("CM-MANIFESTATION-FIRST-LISTED", family=Family.CONVENTIONS, severity=Severity.ERROR,
      title="Manifestation code listed first",
      source=f"{GUIDELINES}, Section I.A.13 (manifestation codes cannot be reported as "
             "first-listed or principal diagnosis); inpatient stays: the MCE's manifestation "
             "edit", settings=OUTPATIENT, needs=("cm",))
def manifestation_first(rule: Rule, context: EditContext) -> Iterator[Finding]:
    principal = context.encounter.principal
    if principal and context.cm.status(principal.code, context.encounter.service_date).valid \
            and context.cm.notes(principal.code).manifestation:
        yield rule.finding([principal.code], f"{principal.code} describes a manifestation "
                                             "(\"in diseases classified elsewhere\"): list the "
                                             "underlying condition first")


@rule("CM-USE-ADDITIONAL", family=Family.CONVENTIONS, severity=Severity.WARNING,
      title="\"Use additional code\" sequenced before the code that asks for it",
      source=f"{GUIDELINES}, Section I.B.7 and I.A.13 (use additional code: the additional code "
             "follows)", needs=("cm",))
def use_additional(rule: Rule, context: EditContext) -> Iterator[Finding]:
    """Only the order is checked: whether an additional code applies at all is the coder's call
    (most such notes list conditions to code when present). Two codes that each ask for the
    other are left alone."""
    codes = _distinct_valid(context)
    categories = _categories(context)
    cm = context.cm
    for position, code in enumerate(codes):
        index = cm.notes(code).use_additional
        if not index.touches(categories) or any(index.find(other) for other in codes[position + 1:]):
            continue
        for earlier in codes[:position]:
            note = index.find(earlier)
            if note is not None and cm.notes(earlier).use_additional.find(code) is None:
                yield rule.finding([code, earlier],
                                   f"{earlier} is the additional code {code} asks for: "
                                   f"sequence it after {code} (\"{note.text}\")", note.cite())
                break


@rule("PROC-CODE-SET", family=Family.CONVENTIONS, severity=Severity.ERROR,
      title="Procedure code set not the one for the setting",
      source=f"{HIPAA_CODE_SETS}: ICD-10-PCS for inpatient hospital procedures, CPT/HCPCS for "
             "physician and outpatient services")
def procedure_code_set(rule: Rule, context: EditContext) -> Iterator[Finding]:
    inpatient = context.encounter.setting is Setting.INPATIENT
    for procedure in context.encounter.procedures:
        if inpatient and procedure.system != CodeSystem.ICD10PCS:
            yield rule.finding([procedure.code], f"{procedure.code} is {procedure.system.upper()}: "
                                                 "an inpatient claim reports ICD-10-PCS codes")
        elif not inpatient and procedure.system == CodeSystem.ICD10PCS:
            article = "an" if context.encounter.setting is Setting.OUTPATIENT else "a"
            yield rule.finding([procedure.code], f"{procedure.code} is ICD-10-PCS: {article} "
                                                 f"{context.encounter.setting} claim reports "
                                                 "CPT/HCPCS codes")


@rule("PCS-INVALID-CODE", family=Family.CONVENTIONS, severity=Severity.ERROR,
      title="ICD-10-PCS code not valid on the date of the procedure",
      source=f"{HIPAA_CODE_SETS}; ICD-10-PCS Tables of the fiscal year",
      settings={Setting.INPATIENT}, needs=("pcs",))
def invalid_pcs(rule: Rule, context: EditContext) -> Iterator[Finding]:
    yield from _invalid_procedures(rule, context, CodeSystem.ICD10PCS, context.pcs)


@rule("HCPCS-INVALID-CODE", family=Family.CONVENTIONS, severity=Severity.ERROR,
      title="HCPCS Level II code not in effect on the date of service",
      source=f"{HIPAA_CODE_SETS}; the HCPCS Level II file's added and termination dates",
      settings=OUTPATIENT, needs=("hcpcs",))
def invalid_hcpcs(rule: Rule, context: EditContext) -> Iterator[Finding]:
    yield from _invalid_procedures(rule, context, CodeSystem.HCPCS, context.hcpcs)


@rule("CPT-FORMAT", family=Family.CONVENTIONS, severity=Severity.ERROR,
      title="CPT code not in the CPT format",
      source="AMA CPT code format: five digits, or four digits and F (Category II) or T "
             "(Category III); HIPAA code set standards", settings=OUTPATIENT)
def cpt_format(rule: Rule, context: EditContext) -> Iterator[Finding]:
    encounter = context.encounter
    for procedure in encounter.procedures:
        if procedure.system == CodeSystem.CPT and not CPT_CODE.fullmatch(procedure.code):
            result = validate(procedure.code, CodeSystem.CPT, encounter.procedure_date(procedure),
                              None)
            yield rule.finding([procedure.code], "; ".join(result.messages))


def _invalid_procedures(rule: Rule, context: EditContext, system: CodeSystem, facts: CodeFacts
                        ) -> Iterator[Finding]:
    encounter: CodedEncounter = context.encounter
    for procedure in encounter.procedures:
        if procedure.system == system:
            status = facts.status(procedure.code, encounter.procedure_date(procedure))
            if not status.valid:
                yield rule.finding([procedure.code], status.message, facts.release.label)


def _categories(context: EditContext) -> set[str]:
    """The categories (``E11``) of the encounter's valid codes: a note that touches none of them
    needs no closer look."""
    categories = context.memo.get("categories")
    if categories is None:
        categories = context.memo["categories"] = {code[:3] for code in _distinct_valid(context)}
    return categories


def _distinct_valid(context: EditContext) -> list[str]:
    """The diagnosis codes in their order, once each, that the release knows as billable (the
    validity rules speak for the others). Asked by several rules: kept on the context."""
    codes = context.memo.get("distinct_valid")
    if codes is None:
        on, status = context.encounter.service_date, context.cm.status
        codes = context.memo["distinct_valid"] = list(dict.fromkeys(
            diagnosis.code for diagnosis in context.encounter.diagnoses
            if status(diagnosis.code, on).valid))
    return codes


# -- the screen ------------------------------------------------------------------------------------

_VALIDITY_RULES = {"invalid": "CM-INVALID-CODE", "header": "CM-HEADER",
                   "seventh_character": "CM-SEVENTH-CHARACTER"}
_DIAGNOSIS_RULES = ("CM-DUPLICATE", *_VALIDITY_RULES.values(), "CM-EXCLUDES1", "CM-CODE-FIRST",
                    "CM-MANIFESTATION-ETIOLOGY", "CM-MANIFESTATION-FIRST-LISTED",
                    "CM-USE-ADDITIONAL")
_PROCEDURE_RULES = ("PROC-CODE-SET", "PCS-INVALID-CODE", "HCPCS-INVALID-CODE", "CPT-FORMAT")
PCS, HCPCS, CPT = str(CodeSystem.ICD10PCS), str(CodeSystem.HCPCS), str(CodeSystem.CPT)


@screen(Family.CONVENTIONS, covers=_DIAGNOSIS_RULES + _PROCEDURE_RULES)
def conventions_screen(context: EditContext) -> list[str]:
    """One look-up per diagnosis in what the release says about the code (status and notes,
    kept), which the rules then share (``context.memo``); a rule runs when a code is invalid, a
    code repeats, or a note in force on a code may point to another code of the encounter."""
    may: list[str] = []
    encounter = context.encounter
    codes = [diagnosis.code for diagnosis in encounter.diagnoses]
    if len(set(codes)) < len(codes):
        may.append("CM-DUPLICATE")
    if context.cm is not None and codes:
        _screen_diagnoses(context, codes, may)
    procedures = encounter.procedures
    if procedures:
        if encounter.setting is Setting.INPATIENT:
            _screen_procedures(context, may)
        else:  # the claim's HCPCS/CPT lines in the pass the NCCI and MUE screens share
            may += claim_lines(context).conventions
            if sum(map(len, service_lines(context).values())) < len(procedures):
                _screen_procedures(context, may, pcs_only=True)
    return may


def _screen_diagnoses(context: EditContext, codes: list[str], may: list[str]) -> None:
    problems: list = []
    valid: dict[str, CmNotes] = {}
    for code, (status, notes, _mce, _exempt) in zip(codes, diagnosis_rows(context)):
        if notes is None:
            problems.append(status)
            may.append(_VALIDITY_RULES.get(status.problem, "CM-INVALID-CODE"))
        elif code not in valid:
            valid[code] = notes
    distinct = list(valid)
    categories = {code[:3] for code in distinct}
    memo = context.memo
    memo["problems"], memo["distinct_valid"], memo["categories"] = problems, distinct, categories
    for notes in valid.values():
        if not notes.categories.isdisjoint(categories):
            if len(distinct) > 1 and not notes.excludes1.categories.isdisjoint(categories):
                may.append("CM-EXCLUDES1")
            if not notes.code_first.categories.isdisjoint(categories):
                may.append("CM-CODE-FIRST")
            if not notes.use_additional.categories.isdisjoint(categories):
                may.append("CM-USE-ADDITIONAL")
        if notes.manifestation and notes.code_first:
            may.append("CM-MANIFESTATION-ETIOLOGY")
    principal = valid.get(codes[0])
    if principal is not None and principal.manifestation:
        may.append("CM-MANIFESTATION-FIRST-LISTED")


def _screen_procedures(context: EditContext, may: list[str], pcs_only: bool = False) -> None:
    """As the procedure rules decide, with the usual answers (a billable ICD-10-PCS code, a
    HCPCS code inside its dates, a CPT-shaped code) read straight from what the releases
    hold (``pcs_only``: the ICD-10-PCS lines alone, the others looked at with the claim's
    lines)."""
    encounter = context.encounter
    inpatient = encounter.setting is Setting.INPATIENT
    pcs, hcpcs = context.pcs, context.hcpcs
    billable = pcs.billable_codes if pcs is not None else None
    windows = hcpcs.hcpcs_windows if hcpcs is not None else None
    service = encounter.service_date
    for procedure in encounter.procedures:
        system, code = procedure.system, procedure.code
        if system == PCS:
            if not inpatient:
                may.append("PROC-CODE-SET")
            if billable is not None and code not in billable and not pcs.status(
                    code, procedure.date or service).valid:
                may.append("PCS-INVALID-CODE")
            continue
        if pcs_only:
            continue
        if inpatient:
            may.append("PROC-CODE-SET")
        if system == HCPCS:
            if windows is not None:
                on = procedure.date or service
                window = windows.get(code)
                if (window is None or not window[0] <= on <= window[1]) \
                        and not hcpcs.status(code, on).valid:
                    may.append("HCPCS-INVALID-CODE")
        elif system == CPT:
            if not cpt_shaped(code):
                may.append("CPT-FORMAT")

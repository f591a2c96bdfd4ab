"""CMS-HCC risk scoring, step by step as the CMS software does it:

1. diagnoses -> CCs with the payment year's ICD-10-CM map (a code may map to two CCs);
2. the CMS age/sex edits (and, when on, the Medicare Code Editor age edits);
3. the V28 HCC 223 companion rule, then the hierarchy (a higher HCC drops the lower ones);
4. demographic factors of the beneficiary's segment, the HCC factors, the interaction terms
   and the payment-HCC count variable, looked up as ``<segment>_<variable>``;
5. the risk score is their sum; blended years weight each model's score; normalization and the
   MA coding pattern adjustment are shown, and applied only when asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from chartwell.errors import InvalidInput, Position
from chartwell.grouping.hcc import segments
from chartwell.grouping.hcc.model import (
    OREC_MEANINGS, Adjustment, Beneficiary, BlendPart, Diagnosis, Dropped, Evidence, Factor, Finding,
    HccResult, InteractionResult, ModelScore, RiskScore, ScoringRequest, Segment, Severity, dotted,
)
from chartwell.grouping.hcc.policy import PaymentYearPolicy, policy_for
from chartwell.grouping.hcc.rules import DISABLED, RULES, Interaction, ModelRules, count_variable
from chartwell.grouping.hcc.tables import HccTables, ModelTables

ICD10CM_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z]([0-9A-Z]{1,4})?$")
EDITS_SOURCE = "CMS-HCC software age/sex edit macros (V28I0ED, V24I0ED) as tabulated in ra_dx_edits.csv"


@dataclass(frozen=True, slots=True)
class ScoreOptions:
    mce_edits: bool = True  # the CMS software's SEDITS switch: Medicare Code Editor age edits
    collection_year_only: bool = True  # use only dates of service in payment year - 1
    normalize: bool = False
    coding_adjustment: bool = False
    normalization_factors: Mapping[str, float] = field(default_factory=dict)  # overrides, by model
    coding_adjustment_value: float | None = None  # override of the year's MA coding adjustment
    known_code: Callable[[str], bool] | None = None  # is this (normalized) ICD-10-CM code real?
    known_code_source: str | None = None  # the code list ``known_code`` consults, for findings


def age_on_february_first(birth_date: date, payment_year: int) -> int:
    """CMS computes age as of February 1 of the payment year (SAS AGEF)."""
    reference = date(payment_year, 2, 1)
    before_birthday = (reference.month, reference.day) < (birth_date.month, birth_date.day)
    return reference.year - birth_date.year - before_birthday


def score(request: ScoringRequest, tables: HccTables, options: ScoreOptions = ScoreOptions()
          ) -> RiskScore:
    policy = _policy(request.payment_year)
    age = _age(request)
    findings: list[Finding] = _entitlement_notes(request.beneficiary)
    diagnoses = usable_diagnoses(request, tables, options, findings)
    models = {model: tables.for_model(model, request.payment_year) for model in policy.weights}
    parts = tuple(BlendPart(weight, score_model(models[model], request.beneficiary, age, diagnoses,
                                                options, findings))
                  for model, weight in policy.weights.items())
    normalization = _normalization(policy, options)
    coding = _coding_adjustment(policy, options)
    asked = options.normalize or options.coding_adjustment
    proposed = policy.status == "proposed" or any(model.proposed for model in models.values())
    return RiskScore(
        payment_year=request.payment_year, age=age, blend=parts, blend_source=policy.blend_source,
        raf=sum(part.weight * part.score.raf for part in parts),
        normalization=normalization, coding_adjustment=coding,
        payment_raf=payment_raf(parts, normalization, coding) if asked else None,
        findings=tuple(findings), status="proposed" if proposed else "final")


def _entitlement_notes(beneficiary: Beneficiary) -> list[Finding]:
    if beneficiary.orec not in ("2", "3"):
        return []
    return [Finding("hcc.esrd_entitlement", Severity.INFO,
                    f"OREC {beneficiary.orec} ({OREC_MEANINGS[beneficiary.orec]}): a beneficiary in "
                    "dialysis or transplant status is paid with the CMS-HCC ESRD models, which are not "
                    "implemented here; this is the CMS-HCC (non-ESRD) model's score", field="orec")]


def _policy(payment_year: int) -> PaymentYearPolicy:
    policy = policy_for(payment_year)
    if policy is None:
        raise InvalidInput(f"no CMS-HCC payment policy (blend, normalization) is declared for "
                           f"payment year {payment_year}", Position(field="payment_year"))
    return policy


def _age(request: ScoringRequest) -> int:
    birth_date = request.beneficiary.birth_date
    if birth_date > date(request.payment_year, 2, 1):
        raise InvalidInput(f"birth date {birth_date.isoformat()} is after February 1 of payment year "
                           f"{request.payment_year}", Position(field="birth_date"))
    age = age_on_february_first(birth_date, request.payment_year)
    if age > 125:
        raise InvalidInput(f"birth date {birth_date.isoformat()} gives an age of {age}",
                           Position(field="birth_date"))
    return age


# -- diagnoses in --------------------------------------------------------------------------------


def usable_diagnoses(request: ScoringRequest, tables: HccTables, options: ScoreOptions,
                     findings: list[Finding]) -> tuple[Diagnosis, ...]:
    """The diagnoses that can count: real ICD-10-CM codes from the data collection year."""
    maps = [tables.for_model(model, request.payment_year).dx_to_cc
            for model in _policy(request.payment_year).weights]
    kept = []
    for diagnosis in request.diagnoses:
        problem = (_code_problem(diagnosis, maps, options)
                   or _date_problem(diagnosis, request, options))
        if problem:
            findings.append(problem)
        else:
            kept.append(diagnosis)
    undated = [dotted(item.code) for item in kept if item.date_of_service is None]
    if undated:
        findings.append(Finding("hcc.no_date_of_service", Severity.INFO,
                                "no date of service: assumed to be in the data collection year",
                                codes=tuple(undated)))
    return tuple(kept)


def _code_problem(diagnosis: Diagnosis, maps: list[Mapping], options: ScoreOptions) -> Finding | None:
    code = diagnosis.normalized
    known = (options.known_code is None or any(code in dx_map for dx_map in maps)
             or options.known_code(code))
    if ICD10CM_SHAPE.match(code) and known:
        return None
    return Finding("hcc.unknown_code", Severity.WARNING,
                   f"{diagnosis.code!r} is not an ICD-10-CM code; it was not used",
                   codes=(diagnosis.code,), field=f"diagnoses[{diagnosis.position}].code",
                   source=options.known_code_source if ICD10CM_SHAPE.match(code) else
                   "ICD-10-CM code shape: a letter, a digit, a digit or letter, up to four more")


def _date_problem(diagnosis: Diagnosis, request: ScoringRequest, options: ScoreOptions
                  ) -> Finding | None:
    when = diagnosis.date_of_service
    if when is None:
        return None
    field_name = f"diagnoses[{diagnosis.position}].date"
    if when < request.beneficiary.birth_date:
        return Finding("hcc.date_before_birth", Severity.WARNING,
                       f"date of service {when.isoformat()} is before the birth date; not used",
                       codes=(dotted(diagnosis.code),), field=field_name)
    collection_year = request.payment_year - 1
    if options.collection_year_only and when.year != collection_year:
        return Finding("hcc.outside_collection_year", Severity.WARNING,
                       f"date of service {when.isoformat()} is outside the data collection year "
                       f"{collection_year} of payment year {request.payment_year}; not used",
                       codes=(dotted(diagnosis.code),), field=field_name,
                       source="CMS-HCC is prospective: diagnoses from the calendar year before "
                              "the payment year")
    return None


# -- one model -----------------------------------------------------------------------------------


def score_model(tables: ModelTables, beneficiary: Beneficiary, age: int,
                diagnoses: Iterable[Diagnosis], options: ScoreOptions, findings: list[Finding]
                ) -> ModelScore:
    status = segments.status_of(beneficiary, age)
    segment = segments.segment_of(beneficiary, status)
    found = map_diagnoses(tables, diagnoses, age, beneficiary, options, findings)
    dropped = drop_by_rules(tables, found)
    payment = sorted((hcc for hcc in found if hcc not in dropped), key=_hcc_order)
    new_enrollee = segment in (segments.NEW_ENROLLEE, segments.SNP_NEW_ENROLLEE)
    demographic = demographic_factors(tables, beneficiary, status, segment, findings)
    hccs = tuple(_hcc_result(tables, segment, hcc, found[hcc], dropped.get(hcc), new_enrollee)
                 for hcc in sorted(found, key=_hcc_order))
    interactions = () if new_enrollee else interaction_terms(tables, segment, set(payment), status)
    raf = (sum(factor.coefficient for factor in demographic)
           + sum(item.coefficient or 0.0 for item in hccs)
           + sum(item.coefficient for item in interactions))
    return ModelScore(model=tables.model.version, title=tables.model.title, segment=segment, raf=raf,
                      demographic=demographic, hccs=hccs, interactions=interactions,
                      sources=tables.sources)


def map_diagnoses(tables: ModelTables, diagnoses: Iterable[Diagnosis], age: int,
                  beneficiary: Beneficiary, options: ScoreOptions, findings: list[Finding]
                  ) -> dict[str, list[Evidence]]:
    """CC -> the diagnoses behind it, after the age/sex edits."""
    found: dict[str, list[Evidence]] = {}
    unmapped: list[str] = []
    for diagnosis in diagnoses:
        ccs, edit_note = _ccs_of(tables, diagnosis, age, beneficiary, options, findings)
        if not ccs and edit_note is None:
            unmapped.append(dotted(diagnosis.code))
        for cc in ccs:
            found.setdefault(cc, []).append(Evidence(dotted(diagnosis.code), diagnosis.date_of_service,
                                                     edit_note))
    if unmapped:
        findings.append(Finding(
            f"hcc.{tables.model.version.lower()}.no_hcc", Severity.INFO,
            f"no payment HCC in the CMS-HCC {tables.model.version} map of payment year "
            f"{tables.payment_year}", codes=tuple(dict.fromkeys(unmapped))))
    return found


def _ccs_of(tables: ModelTables, diagnosis: Diagnosis, age: int, beneficiary: Beneficiary,
            options: ScoreOptions, findings: list[Finding]) -> tuple[tuple[str, ...], str | None]:
    code = diagnosis.normalized
    mapped = tables.dx_to_cc.get(code, ())
    if not mapped:  # an edit re-routes a diagnosis the year's map knows, never adds one
        return (), None
    for edit in tables.edits.get(code, ()):
        if edit.kind == "mce_age" and not options.mce_edits:
            continue
        if not edit.fires(age, beneficiary.sex):
            continue
        note = f"{tables.model.version} {edit.kind.replace('_', ' ')} edit: {edit.description}"
        ccs = (edit.cc_override,) if edit.action == "override" and edit.cc_override else ()
        findings.append(Finding(
            f"hcc.{tables.model.version.lower()}.{edit.kind}_edit", Severity.INFO,
            f"{dotted(code)}: {note} ({'maps to HCC ' + ccs[0] if ccs else 'not used'} instead of "
            f"{', '.join('HCC ' + cc for cc in mapped) or 'no HCC'})",
            codes=(dotted(code),), field=f"diagnoses[{diagnosis.position}].code", source=EDITS_SOURCE))
        return ccs, note
    return mapped, None


def drop_by_rules(tables: ModelTables, found: Mapping[str, object]) -> dict[str, Dropped]:
    """HCC -> why it does not pay: the companion rules first, then the hierarchy."""
    rules = RULES[tables.model.version]
    dropped = _companion_drops(rules, found)
    present = [hcc for hcc in sorted(found, key=_hcc_order) if hcc not in dropped]
    source = f"hierarchy {tables.hierarchy_name} ({tables.model.version})"
    for hcc in present:
        parents = [parent for parent in present if hcc in tables.hierarchy.get(parent, ())]
        if parents:
            top = next((parent for parent in parents if not _dropped_by(parent, present, tables)),
                       parents[0])
            dropped[hcc] = Dropped(rule="hierarchy", by_hcc=top, source=source)
    return dropped


def _companion_drops(rules: ModelRules, found: Mapping[str, object]) -> dict[str, Dropped]:
    return {rule.hcc: Dropped(rule=rule.description, by_hcc=None, source=rule.source)
            for rule in rules.companions
            if rule.hcc in found and not rule.needs_any_of & found.keys()}


def _dropped_by(hcc: str, present: list[str], tables: ModelTables) -> bool:
    return any(hcc in tables.hierarchy.get(parent, ()) for parent in present)


def _hcc_result(tables: ModelTables, segment: Segment, hcc: str, evidence: list[Evidence],
                dropped: Dropped | None, new_enrollee: bool) -> HccResult:
    variable = f"{segment.code}_HCC{hcc}"
    coefficient = None if dropped or new_enrollee else tables.coefficient(variable)
    return HccResult(hcc=hcc, label=tables.label(f"HCC{hcc}"), coefficient=coefficient,
                     variable=None if dropped or coefficient is None else variable,
                     diagnoses=tuple(evidence), dropped=dropped)


def demographic_factors(tables: ModelTables, beneficiary: Beneficiary, status: segments.Status,
                        segment: Segment, findings: list[Finding]) -> tuple[Factor, ...]:
    factors = []
    for name, description in segments.demographic_variables(beneficiary, status, segment):
        variable = f"{segment.code}_{name}"
        coefficient = tables.coefficient(variable)
        if coefficient is not None:
            factors.append(Factor(variable, name, coefficient, description))
    if not factors:
        findings.append(Finding(
            f"hcc.{tables.model.version.lower()}.no_demographic_factor", Severity.ERROR,
            f"the {tables.model.version} relative factors of payment year {tables.payment_year} have "
            f"no demographic factor for segment {segment.code}", field="birth_date"))
    return tuple(factors)


def interaction_terms(tables: ModelTables, segment: Segment, payment: set[str],
                      status: segments.Status) -> tuple[InteractionResult, ...]:
    rules = RULES[tables.model.version]
    results = [result for interaction in rules.interactions
               if (result := _interaction(tables, rules, segment, interaction, payment, status))]
    count = _count_variable(tables, segment, len(payment))
    return tuple(results + ([count] if count else []))


def _interaction(tables: ModelTables, rules: ModelRules, segment: Segment, interaction: Interaction,
                 payment: set[str], status: segments.Status) -> InteractionResult | None:
    because = [_term_reason(rules, term, payment, status) for term in interaction.terms]
    if not all(because):
        return None
    for name in (interaction.name, *interaction.aliases):
        coefficient = tables.coefficient(f"{segment.code}_{name}")
        if coefficient is not None:
            return InteractionResult(interaction.name, f"{segment.code}_{name}", coefficient,
                                     tuple(reason for reason in because if reason))
    return None


def _term_reason(rules: ModelRules, term: str, payment: set[str], status: segments.Status
                 ) -> str | None:
    if term == DISABLED:
        return "disabled (under 65, OREC not 0)" if status.disabled else None
    if term.startswith("HCC") and term[3:].isdigit():
        return f"HCC {term[3:]}" if term[3:] in payment else None
    present = sorted(rules.groups[term].hccs & payment, key=_hcc_order)
    return f"{term}: {', '.join('HCC ' + hcc for hcc in present)}" if present else None


def _count_variable(tables: ModelTables, segment: Segment, count: int) -> InteractionResult | None:
    name = count_variable(count)
    if name is None:
        return None
    coefficient = tables.coefficient(f"{segment.code}_{name}")
    if coefficient is None:
        return None
    return InteractionResult(name, f"{segment.code}_{name}", coefficient,
                             (f"{count} payment HCC{'s' if count > 1 else ''} after the hierarchy",))


def _hcc_order(hcc: str) -> tuple[int, str]:
    return (int(hcc), hcc) if hcc.isdigit() else (10**6, hcc)


# -- the payment-year score ----------------------------------------------------------------------


def _normalization(policy: PaymentYearPolicy, options: ScoreOptions) -> dict[str, Adjustment]:
    result = {}
    for model in policy.weights:
        override = options.normalization_factors.get(model)
        value = override if override is not None else policy.normalization.get(model)
        source = "given on the command line" if override is not None else policy.normalization_source
        if options.normalize and value is None:
            raise InvalidInput(f"no {model} normalization factor is recorded for payment year "
                               f"{policy.payment_year} ({policy.normalization_source})",
                               Position(field="normalization_factor"))
        result[model] = Adjustment(value, source, options.normalize)
    return result


def _coding_adjustment(policy: PaymentYearPolicy, options: ScoreOptions) -> Adjustment:
    if options.coding_adjustment_value is not None:
        return Adjustment(options.coding_adjustment_value, "given on the command line",
                          options.coding_adjustment)
    return Adjustment(policy.coding_adjustment, policy.coding_adjustment_source,
                      options.coding_adjustment)


def payment_raf(parts: tuple[BlendPart, ...], normalization: Mapping[str, Adjustment],
                coding: Adjustment) -> float:
    """Each model's score over its normalization factor (3 places), blended, then times
    (1 - MA coding adjustment) (3 places): the Rate Announcement's order of operations."""
    total = 0.0
    for part in parts:
        adjustment = normalization[part.score.model]
        model_score = part.score.raf
        if adjustment.applied and adjustment.value:
            model_score = round(model_score / adjustment.value, 3)
        total += part.weight * model_score
    if coding.applied and coding.value is not None:
        total *= 1 - coding.value
    return round(total, 3)

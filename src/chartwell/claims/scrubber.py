"""The claim scrubber: every check a claim must pass before it can be exported.

Two sources of findings, collected and then decided once: the coding edits of the claim's
coded encounter (ICD-10-CM conventions, MCE, NCCI, MUE: run by the service and passed in), and
the claim-level checks declared here, each a small unit with its id, severity, title and source
(the 837P / 837I TR3 section or the CMS manual). Payer-specific checks read the payer's rules
from billing.toml. Any error holds the claim; a clean claim is queued.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from chartwell.claims.config import PayerRules
from chartwell.domain.claims import (
    Claim,
    ClaimKind,
    ClaimStatus,
    DiagnosisRole,
    Frequency,
    ProviderRole,
)
from chartwell.domain.npi import npi_problem

P, I = ClaimKind.PROFESSIONAL, ClaimKind.INSTITUTIONAL


@dataclass(frozen=True, slots=True)
class ScrubFinding:
    rule: str
    severity: str  # error holds the claim, warning does not
    codes: tuple[str, ...]
    message: str
    source: str
    field: str | None = None  # where on the claim: "2010AA NM109", "line 2 SV107"

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "codes": list(self.codes),
                "message": self.message, "source": self.source, "field": self.field}


@dataclass(frozen=True, slots=True)
class ScrubContext:
    claim: Claim
    rules: PayerRules | None  # the payer's rules from billing.toml (None: payer not configured)
    today: date


CheckFn = Callable[["ClaimCheck", ScrubContext], Iterable[ScrubFinding]]


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    id: str
    severity: str
    title: str
    source: str
    kinds: frozenset[ClaimKind]
    run: CheckFn

    def finding(self, message: str, *, codes: Iterable[str] = (), field: str | None = None,
                severity: str | None = None) -> ScrubFinding:
        return ScrubFinding(self.id, severity or self.severity, tuple(codes), message,
                            self.source, field)

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.id, "severity": self.severity, "title": self.title,
                "source": self.source, "kinds": sorted(str(kind) for kind in self.kinds)}


CHECKS: list[ClaimCheck] = []


def check(check_id: str, *, title: str, source: str, severity: str = "error",
          kinds: Iterable[ClaimKind] = (P, I)) -> Callable[[CheckFn], ClaimCheck]:
    """Declare a claim-level check (module level) and register it."""

    def register(run: CheckFn) -> ClaimCheck:
        if any(existing.id == check_id for existing in CHECKS):
            raise ValueError(f"claim check {check_id} declared twice")
        declared = ClaimCheck(check_id, severity, title, source, frozenset(kinds), run)
        CHECKS.append(declared)
        return declared

    return register


# -- parties -----------------------------------------------------------------------------------

_NM1_OF = {ProviderRole.BILLING: "2010AA", ProviderRole.RENDERING: "2310B",
           ProviderRole.REFERRING: "2310A/2310F", ProviderRole.ATTENDING: "2310A",
           ProviderRole.OPERATING: "2310B", ProviderRole.SERVICE_FACILITY: "2310C/2310E"}


@check("claim.npi_check_digit", title="Every provider NPI is 10 digits with a valid check digit",
       source="45 CFR 162.406; CMS NPI check digit (Luhn, prefix 80840); TR3 NM109 with XX")
def _npis(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    claim = ctx.claim
    for provider in (claim.billing, *claim.providers):
        if not provider.npi:
            if provider.role in (ProviderRole.BILLING, ProviderRole.RENDERING,
                                 ProviderRole.ATTENDING):
                yield rule.finding(f"the {provider.role} provider has no NPI",
                                   field=f"{_NM1_OF[provider.role]} NM109")
            continue
        if problem := npi_problem(provider.npi):
            yield rule.finding(f"{provider.role} provider NPI: {problem}",
                               field=f"{_NM1_OF[provider.role]} NM109")


@check("claim.billing_provider", title="Billing provider: organization address with a 9-digit "
       "ZIP and a 9-digit EIN", source="005010X222A1 / X223A2 2010AA N3, N4 (N403: 9 digits), "
       "REF*EI")
def _billing(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    billing = ctx.claim.billing
    if billing.address is None:
        yield rule.finding("the billing provider has no address", field="2010AA N3/N4")
    elif not re.fullmatch(r"\d{9}", billing.address.postal_code or ""):
        yield rule.finding("the billing provider's ZIP code must have 9 digits", field="2010AA N403")
    if not re.fullmatch(r"\d{9}", (billing.tax_id or "").replace("-", "")):
        yield rule.finding("the billing provider's EIN (9 digits) is missing", field="2010AA REF02")


@check("claim.subscriber", title="Subscriber: name, member id; demographics and address when "
       "the subscriber is the patient", source="TR3 2010BA NM1 (NM109 MI), N3/N4 and DMG: "
       "required when the subscriber is the patient")
def _subscriber(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    claim = ctx.claim
    subscriber = claim.subscriber
    if not subscriber.member_id:
        yield rule.finding("the subscriber's member id is missing", field="2010BA NM109")
    if not subscriber.person.family_name:
        yield rule.finding("the subscriber's last name is missing", field="2010BA NM103")
    if claim.patient is None:
        yield from _demographics(rule, subscriber.person, "2010BA")


def _demographics(rule: ClaimCheck, person, loop: str) -> Iterator[ScrubFinding]:
    if person.birth_date is None:
        yield rule.finding("the birth date is missing", field=f"{loop} DMG02")
    if person.sex not in ("F", "M", "U"):
        yield rule.finding("the sex code is not F, M or U", field=f"{loop} DMG03")
    if person.address is None:
        yield rule.finding("the address is missing", field=f"{loop} N3/N4")


@check("claim.patient", title="Patient (when not the subscriber): name, relationship, "
       "demographics and address", source="TR3 2000C PAT01, 2010CA NM1, N3, N4, DMG (required)")
def _patient(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    claim = ctx.claim
    if claim.patient is None:
        return
    if claim.patient_relationship in ("", "18"):
        yield rule.finding("a patient other than the subscriber needs a relationship code other "
                           "than 18 (self)", field="2000C PAT01")
    yield from _demographics(rule, claim.patient, "2010CA")


@check("claim.payer", title="Payer name, payer id and claim filing indicator",
       source="TR3 2010BB NM1 (NM109 PI), 2000B SBR09")
def _payer(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    payer = ctx.claim.payer
    if not payer.payer_id or payer.payer_id.upper() == "SELFPAY":
        yield rule.finding("no payer to bill (no payer id; self-pay is not billed on an 837)",
                           field="2010BB NM109")
    if not payer.name:
        yield rule.finding("the payer name is missing", field="2010BB NM103")
    if ctx.rules is None:
        yield rule.finding("the payer is not in billing.toml: no fee schedule or payer rules "
                           "applied", field="2010BB", severity="warning")


# -- claim -------------------------------------------------------------------------------------


@check("claim.frequency", title="A replacement (7) or void (8) carries the payer claim number",
       source="TR3 2300 CLM05-3 and REF*F8 (required when CLM05-3 is 7 or 8)")
def _frequency(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    claim = ctx.claim
    if claim.frequency is not Frequency.ORIGINAL and not claim.payer_claim_number:
        yield rule.finding("a replacement or void claim needs the payer claim number of the "
                           "claim it replaces", field="2300 REF*F8")


@check("claim.control_number", title="Patient control number: 1 to 38 characters",
       source="TR3 2300 CLM01 (AN 1/38; 20 are echoed back on the 835)")
def _control(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    number = ctx.claim.patient_control_number
    if not 1 <= len(number) <= 38:
        yield rule.finding("the patient control number must have 1 to 38 characters",
                           field="2300 CLM01")


@check("claim.place_of_service", title="837P: a two-digit place of service", kinds=(P,),
       source="005010X222A1 2300 CLM05-1; CMS Place of Service code set")
def _pos(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    if not re.fullmatch(r"\d{2}", ctx.claim.place_of_service or ""):
        yield rule.finding("the place of service must be two digits", field="2300 CLM05-1")


@check("claim.type_of_bill", title="837I: facility type, statement dates and CL1 (admission "
       "type, point of origin, patient status)", kinds=(I,),
       source="005010X223A2 2300 CLM05-1, DTP*434 (required), CL1 (required); UB-04 FL 4, 6, "
              "14, 15, 17")
def _institutional(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    claim = ctx.claim
    if not re.fullmatch(r"\d{2}", claim.facility_type or ""):
        yield rule.finding("the type of bill needs a two-digit facility type", field="2300 CLM05-1")
    if claim.statement_from is None:
        yield rule.finding("the statement covers period is missing", field="2300 DTP*434")
    if claim.admission is None:
        yield rule.finding("admission type, point of origin and patient status are missing",
                           field="2300 CL1")


@check("claim.inpatient", title="837I inpatient: admission date, admitting diagnosis, POA on "
       "every diagnosis", kinds=(I,), source="005010X223A2 2300 DTP*435, HI ABJ (required on "
       "inpatient claims), HI01-9 POA; CMS Claims Processing Manual ch. 3 sec. 20.2.3")
def _inpatient(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    claim = ctx.claim
    if not (claim.facility_type or "").startswith("11"):
        return
    if not any(dx.role is DiagnosisRole.ADMITTING for dx in claim.diagnoses):
        yield rule.finding("an inpatient claim needs the admitting diagnosis", field="2300 HI ABJ")
    for index, dx in enumerate(claim.diagnoses, start=1):
        # A blank POA is how 5010 reports an exempt code; whether this code may be blank is the
        # MCE's POA edit (against the POA-exempt list), which runs with the coding edits.
        if dx.role in (DiagnosisRole.PRINCIPAL, DiagnosisRole.OTHER,
                       DiagnosisRole.EXTERNAL_CAUSE) and dx.poa is not None \
                and dx.poa not in ("Y", "N", "U", "W", "1"):
            yield rule.finding("the present-on-admission indicator is not Y, N, U, W or 1",
                               codes=(dx.code,), field=f"2300 HI diagnosis {index} HI-9")
    if claim.drg is None:
        yield rule.finding("no MS-DRG on the inpatient claim", field="2300 HI DR",
                           severity="warning")


# -- diagnoses -------------------------------------------------------------------------------

_ICD10CM = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


@check("claim.diagnoses", title="Diagnoses: at least one, ICD-10-CM format, at most 12 on 837P "
       "(25 on 837I)", source="005010X222A1 2300 HI: up to 12 diagnosis codes; 005010X223A2 "
       "2300 HI: principal + up to 24 other diagnoses")
def _diagnoses(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    claim = ctx.claim
    if not claim.diagnoses:
        yield rule.finding("the claim has no diagnosis", field="2300 HI")
        return
    limit = 12 if claim.kind is P else 25
    others = [dx for dx in claim.diagnoses if dx.role in (DiagnosisRole.PRINCIPAL,
                                                          DiagnosisRole.OTHER)]
    if len(others) > limit:
        yield rule.finding(f"{len(others)} diagnoses: at most {limit} fit on the claim",
                           field="2300 HI")
    for index, dx in enumerate(claim.diagnoses, start=1):
        if not _ICD10CM.match(dx.code):
            yield rule.finding("not an ICD-10-CM code", codes=(dx.code,),
                               field=f"2300 HI diagnosis {index}")


@check("claim.pointers", title="837P: each line points to 1-4 of the claim's diagnoses",
       kinds=(P,), source="005010X222A1 2400 SV107: up to 4 diagnosis code pointers, each "
       "1-12 and pointing to a diagnosis in 2300 HI")
def _pointers(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    claim = ctx.claim
    for line in claim.lines:
        where = f"line {line.number} SV107"
        if not 1 <= len(line.diagnosis_pointers) <= 4:
            yield rule.finding("a service line needs 1 to 4 diagnosis pointers", field=where)
        for pointer in line.diagnosis_pointers:
            if not 1 <= pointer <= min(len(claim.diagnoses), 12):
                yield rule.finding(f"pointer {pointer} does not point to a diagnosis", field=where)


# -- lines -----------------------------------------------------------------------------------

_HCPCS = re.compile(r"^([0-9]{4}[0-9A-Z]|[A-V][0-9]{4})$")


@check("claim.lines", title="Service lines: 1 to 50 (837P) / 999 (837I), codes, modifiers, "
       "units", source="005010X222A1 2400 (max 50), SV101 (HC: CPT/HCPCS, up to 4 "
       "modifiers), SV104; 005010X223A2 2400 (max 999), SV201 revenue code, SV205")
def _lines(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    claim = ctx.claim
    limit = 50 if claim.kind is P else 999
    if not claim.lines:
        yield rule.finding("the claim has no service line", field="2400")
    if len(claim.lines) > limit:
        yield rule.finding(f"{len(claim.lines)} service lines: at most {limit}", field="2400")
    for line in claim.lines:
        where = f"line {line.number}"
        code = line.procedure_code
        if claim.kind is P or code:
            if not code or not _HCPCS.match(code):
                yield rule.finding("not a CPT or HCPCS code", codes=(code or "",),
                                   field=f"{where} SV101-2")
        if claim.kind is I and not re.fullmatch(r"\d{4}", line.revenue_code or ""):
            yield rule.finding("a revenue code has 4 digits", field=f"{where} SV201")
        if len(line.modifiers) > 4 or any(not re.fullmatch(r"[0-9A-Z]{2}", m)
                                          for m in line.modifiers):
            yield rule.finding("up to 4 modifiers of 2 characters", codes=line.modifiers,
                               field=f"{where} SV101-3..6")
        if line.units <= 0:
            yield rule.finding("units must be more than 0", field=f"{where} SV104/SV205")
        if line.drug is not None:
            if not re.fullmatch(r"\d{11}", line.drug.ndc.replace("-", "")):
                yield rule.finding("an NDC has 11 digits (5-4-2)", field=f"{where} LIN03")
            if line.drug.quantity <= 0 or line.drug.unit not in ("F2", "GR", "ME", "ML", "UN"):
                yield rule.finding("drug quantity > 0 with unit F2, GR, ME, ML or UN",
                                   field=f"{where} CTP04/CTP05")


@check("claim.charges", title="Charges: every line priced, the total is the lines' sum",
       source="TR3 2300 CLM02 (total of all SV102 / SV203); 2400 SV102, SV203")
def _charges(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    claim = ctx.claim
    for line in claim.lines:
        if line.charge < 0 or (line.charge == 0 and claim.frequency is not Frequency.VOID):
            yield rule.finding("the line has no charge (no fee schedule entry, charge row or "
                               "default charge)", codes=(line.procedure_code or "",),
                               field=f"line {line.number} charge")
    total = sum((line.charge for line in claim.lines), Decimal(0))
    if total != claim.total_charge:
        yield rule.finding(f"the total charge {claim.total_charge} is not the lines' sum {total}",
                           field="2300 CLM02")


@check("claim.dates", title="Dates in order: birth <= service, from <= to, not in the future, "
       "lines within the statement period", source="TR3 2400 DTP*472 (required on 837P lines), "
       "2300 DTP*434, DTP*435; 2010BA/CA DMG02")
def _dates(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    claim = ctx.claim
    first = claim.first_date_of_service
    person = claim.patient or claim.subscriber.person
    if first and person.birth_date and person.birth_date > first:
        yield rule.finding("the patient's birth date is after the date of service", field="DMG02")
    if claim.statement_from and claim.statement_to and claim.statement_from > claim.statement_to:
        yield rule.finding("the statement period ends before it starts", field="2300 DTP*434")
    if claim.admission and claim.statement_from and claim.admission.date > claim.statement_from \
            and (claim.facility_type or "").startswith("11"):
        yield rule.finding("the admission date is after the statement start", field="2300 DTP*435")
    for line in claim.lines:
        where = f"line {line.number} DTP*472"
        if line.service_date is None:
            if claim.kind is P:
                yield rule.finding("the line has no date of service", field=where)
            continue
        if line.service_date_end and line.service_date_end < line.service_date:
            yield rule.finding("the line's service period ends before it starts", field=where)
        if line.service_date > ctx.today:
            yield rule.finding("the date of service is in the future", field=where)
        if claim.statement_from and claim.statement_to and not (
                claim.statement_from <= line.service_date <= claim.statement_to):
            yield rule.finding("the line's date is outside the statement period", field=where)
    for procedure in claim.procedures:
        if claim.statement_from and claim.statement_to and not (
                claim.statement_from <= procedure.date <= claim.statement_to):
            yield rule.finding("the procedure date is outside the statement period",
                               codes=(procedure.code,), field="2300 HI BBR/BBQ")


# -- payer rules (billing.toml) ----------------------------------------------------------------


@check("payer.prior_authorization", title="Payer rule: codes that need a prior authorization",
       source="billing.toml [payers.rules] prior_authorization_codes; TR3 2300 REF*G1")
def _prior_auth(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    if ctx.rules is None or ctx.claim.prior_authorization:
        return
    for line in ctx.claim.lines:
        if line.procedure_code in ctx.rules.prior_authorization_codes:
            yield rule.finding("the payer requires a prior authorization number for this code",
                               codes=(line.procedure_code,), field="2300 REF*G1")


@check("payer.referral", title="Payer rule: codes that need a referral number",
       source="billing.toml [payers.rules] referral_codes; TR3 2300 REF*9F")
def _referral(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    if ctx.rules is None or ctx.claim.referral_number:
        return
    for line in ctx.claim.lines:
        if line.procedure_code in ctx.rules.referral_codes:
            yield rule.finding("the payer requires a referral number for this code",
                               codes=(line.procedure_code,), field="2300 REF*9F")


@check("payer.modifiers", title="Payer rule: modifiers a code must carry",
       source="billing.toml [payers.rules] required_modifiers; TR3 2400 SV101-3..6")
def _modifiers(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    if ctx.rules is None:
        return
    for line in ctx.claim.lines:
        for modifier in ctx.rules.required_modifiers.get(line.procedure_code or "", ()):
            if modifier not in line.modifiers:
                yield rule.finding(f"the payer requires modifier {modifier} on this code",
                                   codes=(line.procedure_code,),
                                   field=f"line {line.number} modifiers")


@check("payer.max_units", title="Payer rule: most units of a code on one claim",
       source="billing.toml [payers.rules] max_units; TR3 2400 SV104 / SV205")
def _units(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    if ctx.rules is None:
        return
    totals: dict[str, Decimal] = {}
    for line in ctx.claim.lines:
        if line.procedure_code:
            totals[line.procedure_code] = totals.get(line.procedure_code, Decimal(0)) + line.units
    for code, units in totals.items():
        limit = ctx.rules.max_units.get(code)
        if limit is not None and units > limit:
            yield rule.finding(f"{units} units; the payer allows {limit}", codes=(code,),
                               field="2400 units")


@check("payer.timely_filing", title="Payer rule: filed within the payer's timely filing limit",
       source="billing.toml [payers.rules] timely_filing_days; Medicare: 42 CFR 424.44 (one "
              "calendar year)")
def _timely(rule: ClaimCheck, ctx: ScrubContext) -> Iterator[ScrubFinding]:
    if ctx.rules is None or ctx.rules.timely_filing_days is None:
        return
    first = ctx.claim.first_date_of_service
    if first and (ctx.today - first).days > ctx.rules.timely_filing_days:
        yield rule.finding(f"filed {(ctx.today - first).days} days after the date of service; "
                           f"the payer's limit is {ctx.rules.timely_filing_days}",
                           field="date of service")


# -- running -----------------------------------------------------------------------------------


@dataclass(slots=True)
class ScrubResult:
    findings: list[ScrubFinding]

    @property
    def status(self) -> ClaimStatus:
        held = any(finding.severity == "error" for finding in self.findings)
        return ClaimStatus.HELD if held else ClaimStatus.QUEUED

    def to_json(self) -> dict[str, Any]:
        return {"status": str(self.status), "findings": [f.to_json() for f in self.findings]}


def coding_findings(edit_findings: Iterable[Any]) -> list[ScrubFinding]:
    """The coding edits' findings (services.edits) in the scrubber's shape."""
    return [ScrubFinding(f.rule, str(f.severity), tuple(f.codes), f.message, f.source,
                         f"edits/{f.family}") for f in edit_findings]


def scrub(claim: Claim, *, rules: PayerRules | None, today: date,
          edit_findings: Iterable[Any] = ()) -> ScrubResult:
    """Every claim-level check of the claim's kind, after the coding edits' findings."""
    context = ScrubContext(claim, rules, today)
    findings = coding_findings(edit_findings)
    for declared in CHECKS:
        if claim.kind in declared.kinds:
            findings.extend(declared.run(declared, context))
    return ScrubResult(findings)

"""Claim assembly: a coded encounter of the record -> the claim a payer reads.

Pure: the service (:mod:`chartwell.services.claims`) loads the records and hands them over in
:class:`BillingInputs`; nothing here touches the store. Which form: an inpatient stay is an
837I with type of bill 11x, an outpatient or emergency visit an 837I 13x (the hospital's
facility claim), a professional visit an 837P (CMS-1500).

Choices worth knowing (a biller will ask):
- Charges: the payer's fee schedule (billing.toml) for the code x units, else the encounter's
  charge row for the code (the chargemaster price), else the payer's default charge; a line
  with none is kept at 0.00 and the scrubber holds the claim.
- 837P diagnosis pointers: the first four diagnoses (the first-listed first); the coder's
  line-level linkage is not stored yet.
- 837I inpatient: the lines are the stay's charges summed by revenue code (room and board in
  days), the ICD-10-PCS procedures go to HI BBR/BBQ, the POA indicator travels on every
  diagnosis; the admitting diagnosis (FL 69, required on inpatient claims) is the principal's
  code, since the record keeps no separate admitting diagnosis.
- A replacement or void claim gets the original's patient control number with a suffix (R1,
  V1, ...) so every claim keeps its own CLM01, and carries the payer claim number (REF*F8).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from decimal import Decimal

from chartwell.claims.config import BillingConfig, PayerConfig
from chartwell.claims.x837 import provider_order
from chartwell.domain import records as d
from chartwell.domain.claims import (
    Address,
    Admission,
    Claim,
    ClaimDiagnosis,
    ClaimKind,
    ClaimProcedure,
    DiagnosisRole,
    Frequency,
    Payer,
    Person,
    Provider,
    ProviderRole,
    ServiceLine,
    Subscriber,
)
from chartwell.errors import InvalidInput, Position

CENT = Decimal("0.01")
RELATIONSHIP = {"self": "18", "spouse": "01", "child": "19", "employee": "20", "other": "G8",
                "unknown": "21", "life_partner": "53", "parent": "G8"}
"""The patient's relationship to the subscriber (FHIR Coverage.relationship) -> X12 PAT01 /
SBR02 individual relationship codes."""
FILING_INDICATOR = {"medicare": "MB", "medicaid": "MC", "commercial": "CI", "tricare": "CH",
                    "workers_comp": "WC", "hmo": "HM", "blue_cross": "BL"}
INSTITUTIONAL_ROLES = {"attending": ProviderRole.ATTENDING, "operating": ProviderRole.OPERATING,
                       "referring": ProviderRole.REFERRING}
PROFESSIONAL_ROLES = {"rendering": ProviderRole.RENDERING, "referring": ProviderRole.REFERRING}
PROCEDURE_SYSTEMS = ("cpt", "hcpcs")


@dataclass(slots=True)
class BillingInputs:
    """What assembling one encounter's claim reads from the record."""

    patient: d.Patient
    encounter: d.Encounter
    diagnoses: list[d.Diagnosis]
    procedures: list[d.Procedure]
    charges: list[d.Charge]
    providers: dict[uuid.UUID, d.Provider]
    payer: d.Payer | None
    coverage: d.Coverage | None
    drg: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimOptions:
    kind: ClaimKind | None = None  # None: by the encounter's setting
    patient_control_number: str | None = None
    frequency: Frequency = Frequency.ORIGINAL
    payer_claim_number: str | None = None
    prior_authorization: str | None = None
    referral_number: str | None = None
    place_of_service: str = "11"


def kind_of(setting: d.EncounterSetting) -> ClaimKind:
    if setting is d.EncounterSetting.PROFESSIONAL:
        return ClaimKind.PROFESSIONAL
    return ClaimKind.INSTITUTIONAL


def assemble_claim(inputs: BillingInputs, config: BillingConfig,
                   options: ClaimOptions = ClaimOptions()) -> Claim:
    """The claim of one coded encounter."""
    encounter = inputs.encounter
    kind = options.kind or kind_of(encounter.setting)
    institutional = kind is ClaimKind.INSTITUTIONAL
    inpatient = encounter.setting is d.EncounterSetting.INPATIENT
    payer_config = config.payer_for(inputs.payer.name if inputs.payer else None,
                                    inputs.payer.payer_identifier if inputs.payer else None)
    subscriber, patient, relationship = _parties(inputs)
    lines = (_stay_lines(inputs) if institutional and inpatient
             else _procedure_lines(inputs, kind, payer_config))
    admit = encounter.admit_at
    discharge = encounter.discharge_at or admit
    claim = Claim(
        patient_control_number=options.patient_control_number or _control_number(inputs),
        kind=kind,
        total_charge=sum((line.charge for line in lines), Decimal(0)),
        billing=config.billing_for(institutional),
        subscriber=subscriber,
        payer=_payer(inputs.payer, payer_config, institutional),
        diagnoses=_diagnoses(inputs, institutional, inpatient),
        lines=tuple(lines),
        frequency=options.frequency,
        payer_claim_number=options.payer_claim_number,
        patient=patient,
        patient_relationship=relationship,
        providers=_providers(inputs, kind),
        place_of_service=None if institutional else options.place_of_service,
        facility_type=("11" if inpatient else "13") if institutional else None,
        statement_from=admit.date() if institutional and admit else None,
        statement_to=discharge.date() if institutional and discharge else None,
        admission=_admission(encounter, inpatient) if institutional and admit else None,
        procedures=_pcs_procedures(inputs) if institutional and inpatient else (),
        drg=inputs.drg if institutional and inpatient else None,
        prior_authorization=options.prior_authorization,
        referral_number=options.referral_number,
    )
    return claim


def _control_number(inputs: BillingInputs) -> str:
    number = inputs.encounter.account_number or inputs.encounter.id.hex[:20]
    return number[:38]


def _person(patient: d.Patient) -> Person:
    a = patient.address
    address = (Address(a.line1, a.city, a.state, (a.postal_code or "").replace("-", ""), a.line2)
               if a.line1 and a.city and a.state and a.postal_code else None)
    return Person(patient.family_name, patient.given_names, patient.birth_date,
                  patient.sex.value, address)


def _named(full_name: str | None, fallback: Person) -> Person:
    """A subscriber other than the patient, known only by name in the coverage record."""
    words = (full_name or "").split()
    if not words:
        return Person(fallback.family_name, "", None, "U", None)
    return Person(words[-1], " ".join(words[:-1]), None, "U", None)


def _parties(inputs: BillingInputs) -> tuple[Subscriber, Person | None, str]:
    patient = _person(inputs.patient)
    coverage = inputs.coverage
    if coverage is None:
        return Subscriber(patient, ""), None, "18"
    relationship = RELATIONSHIP.get((coverage.relationship or "self").lower(), "G8")
    if relationship == "18":
        return (Subscriber(patient, coverage.member_id or "", coverage.group_number,
                           _responsibility(coverage.priority)), None, "18")
    subscriber = _named(coverage.subscriber_name, patient)
    return (Subscriber(subscriber, coverage.member_id or "", coverage.group_number,
                       _responsibility(coverage.priority), relationship), patient, relationship)


def _responsibility(priority: int | None) -> str:
    return {1: "P", 2: "S", 3: "T"}.get(priority or 1, "P")


def _payer(payer: d.Payer | None, configured: PayerConfig | None, institutional: bool) -> Payer:
    if configured is not None:
        chosen = configured.payer()
        return replace(chosen, claim_filing_indicator=_part_a(chosen.claim_filing_indicator,
                                                              institutional))
    if payer is None:
        return Payer("", "", "CI")
    indicator = FILING_INDICATOR.get((payer.category or "").lower(), "CI")
    return Payer(payer.name, payer.payer_identifier or "", _part_a(indicator, institutional))


def _part_a(indicator: str, institutional: bool) -> str:
    """Medicare (MB) on a facility claim is MA: the 837I goes to the A/B MAC's Part A side,
    inpatient and outpatient alike (CMS 837I companion guide, 2000B SBR09)."""
    return "MA" if indicator == "MB" and institutional else indicator


def _diagnoses(inputs: BillingInputs, institutional: bool, inpatient: bool
               ) -> tuple[ClaimDiagnosis, ...]:
    coded = sorted((dx for dx in inputs.diagnoses
                    if dx.encounter_id == inputs.encounter.id and dx.code_system == "icd10cm"),
                   key=lambda dx: (dx.sequence is None, dx.sequence or 0))
    out = []
    for index, dx in enumerate(coded):
        role = DiagnosisRole.PRINCIPAL if index == 0 else DiagnosisRole.OTHER
        out.append(ClaimDiagnosis(dx.code, role, dx.poa if inpatient else None))
    if inpatient and out:
        out.insert(1, ClaimDiagnosis(out[0].code, DiagnosisRole.ADMITTING))
    return tuple(out)


def _procedures(inputs: BillingInputs, systems: tuple[str, ...]) -> list[d.Procedure]:
    return sorted((px for px in inputs.procedures
                   if px.encounter_id == inputs.encounter.id and px.code_system in systems),
                  key=lambda px: (px.sequence is None, px.sequence or 0))


def _charge_row(inputs: BillingInputs, code: str) -> d.Charge | None:
    return next((charge for charge in inputs.charges if charge.code == code), None)


def _procedure_lines(inputs: BillingInputs, kind: ClaimKind, payer: PayerConfig | None
                     ) -> list[ServiceLine]:
    diagnoses = sum(1 for dx in inputs.diagnoses if dx.encounter_id == inputs.encounter.id
                    and dx.code_system == "icd10cm")
    pointers = tuple(range(1, min(diagnoses, 4) + 1))
    lines = []
    for number, px in enumerate(_procedures(inputs, PROCEDURE_SYSTEMS), start=1):
        units = Decimal(px.units or 1)
        row = _charge_row(inputs, px.code)
        unit_price = payer.fee_schedule.get(px.code) if payer else None
        if unit_price is not None:
            charge = unit_price * units
        elif row is not None:
            charge = row.amount
        elif payer is not None and payer.default_charge is not None:
            charge = payer.default_charge * units
        else:
            charge = Decimal(0)
        day = px.performed_at.date() if px.performed_at else (
            inputs.encounter.admit_at.date() if inputs.encounter.admit_at else None)
        lines.append(ServiceLine(
            number=number, procedure_code=px.code, charge=charge.quantize(CENT), units=units,
            modifiers=tuple(px.modifiers)[:4],
            diagnosis_pointers=pointers if kind is ClaimKind.PROFESSIONAL else (),
            service_date=day,
            revenue_code=(row.revenue_code if row and row.revenue_code else "0510")
            if kind is ClaimKind.INSTITUTIONAL else None,
            code_system=px.code_system))
    return lines


def _stay_lines(inputs: BillingInputs) -> list[ServiceLine]:
    """An inpatient stay's charges by revenue code, accommodation codes (01x-02x) in days."""
    by_revenue: dict[str, tuple[Decimal, Decimal]] = {}
    for charge in inputs.charges:
        if charge.encounter_id != inputs.encounter.id or not charge.revenue_code:
            continue
        total, units = by_revenue.get(charge.revenue_code, (Decimal(0), Decimal(0)))
        by_revenue[charge.revenue_code] = (total + charge.amount, units + (charge.units or 1))
    lines = []
    for number, revenue in enumerate(sorted(by_revenue), start=1):
        total, units = by_revenue[revenue]
        days = revenue[:2] in ("01", "02")
        lines.append(ServiceLine(number, None, total.quantize(CENT),
                                 units=units if days else Decimal(1),
                                 unit_type="DA" if days else "UN", revenue_code=revenue))
    return lines


def _pcs_procedures(inputs: BillingInputs) -> tuple[ClaimProcedure, ...]:
    admit = inputs.encounter.admit_at
    out = []
    for index, px in enumerate(_procedures(inputs, ("icd10pcs",))):
        when = px.performed_at or admit
        if when is None:
            raise InvalidInput("an ICD-10-PCS procedure without a date",
                               Position(resource=f"procedure {index + 1}", field="performed_at"))
        out.append(ClaimProcedure(px.code, when.date(), principal=index == 0))
    return tuple(out)


def _providers(inputs: BillingInputs, kind: ClaimKind) -> tuple[Provider, ...]:
    roles = INSTITUTIONAL_ROLES if kind is ClaimKind.INSTITUTIONAL else PROFESSIONAL_ROLES
    chosen: dict[ProviderRole, Provider] = {}
    for link in inputs.encounter.providers:
        role = roles.get(link.role)
        record = inputs.providers.get(link.provider_id)
        if role is None or record is None or role in chosen:
            continue
        keeps_taxonomy = role in (ProviderRole.RENDERING, ProviderRole.ATTENDING)
        chosen[role] = Provider(role=role, name=record.family_name, npi=record.npi,
                                given_name=record.given_name,
                                taxonomy_code=record.taxonomy_code if keeps_taxonomy else None)
    return provider_order(kind, chosen.values())


def _admission(encounter: d.Encounter, inpatient: bool) -> Admission:
    admit = encounter.admit_at
    discharge = encounter.discharge_at
    return Admission(date=admit.date(), hour=f"{admit:%H%M}",
                     type=encounter.admit_type or ("1" if not inpatient else "3"),
                     source=encounter.admit_source or "1",
                     discharge_status=encounter.discharge_disposition or "01",
                     discharge_hour=f"{discharge:%H%M}" if inpatient and discharge else None)


def follow_up_claim(original: Claim, frequency: Frequency, payer_claim_number: str,
                    sequence: int) -> Claim:
    """A replacement (7) or void (8) of ``original``: same content, its own control number,
    the payer's claim number of the original (REF*F8)."""
    if frequency is Frequency.ORIGINAL:
        raise InvalidInput("a follow-up claim is a replacement (7) or a void (8)",
                           Position(field="frequency"))
    suffix = ("R" if frequency is Frequency.REPLACEMENT else "V") + str(sequence)
    number = original.patient_control_number[:38 - len(suffix)] + suffix
    return replace(original, patient_control_number=number, frequency=frequency,
                   payer_claim_number=payer_claim_number)


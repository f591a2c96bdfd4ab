"""Deterministic synthetic claims (domain :class:`~chartwell.domain.claims.Claim`) for tests and
the benchmark: every kind the 837 writer must handle, and bulk professional claims.

Everything is invented: names from a short list, NPIs with a valid check digit drawn from a
seeded generator, member ids of no one. Codes are real code values (ICD-10-CM, ICD-10-PCS, CPT
by number, HCPCS, NUCC taxonomy), never descriptors. Each claim is what the 837 carries, so a
claim written and read back compares equal.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from chartwell.domain.claims import (
    Address,
    Admission,
    Claim,
    ClaimDiagnosis,
    ClaimKind,
    ClaimProcedure,
    CodeWithDate,
    DiagnosisRole,
    Drug,
    EntityKind,
    Frequency,
    Payer,
    Person,
    Provider,
    ProviderRole,
    ServiceLine,
    Subscriber,
)
from chartwell.domain.npi import npi_check_digit

FAMILY = ("Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Gale", "Hazel", "Ivy", "Juniper")
GIVEN = ("Ada", "Ben", "Cora", "Dev", "Eli", "Fay", "Gus", "Hana", "Ian", "Jo")
DIAGNOSES = ("I10", "E11.9", "J06.9", "M54.50", "R10.9", "K21.9", "E78.5", "J45.909", "N39.0",
             "R05.9", "Z00.00", "F41.1", "M25.561", "L03.115", "H10.9")
OFFICE_CODES = (("99213", Decimal("125.00")), ("99214", Decimal("185.00")),
                ("36415", Decimal("15.00")), ("81002", Decimal("12.00")),
                ("93000", Decimal("55.00")), ("87880", Decimal("32.00")),
                ("G0439", Decimal("175.00")), ("90471", Decimal("28.00")))
DAY = date(2026, 3, 2)


def npi(rng: random.Random, first: str = "1") -> str:
    body = first + "".join(rng.choice("0123456789") for _ in range(8))
    return body + str(npi_check_digit(body))


def billing_provider(rng: random.Random, *, institutional: bool = False) -> Provider:
    return Provider(role=ProviderRole.BILLING,
                    name="Riverside General Hospital" if institutional else "Riverside Family Clinic",
                    npi=npi(rng, "2"), entity=EntityKind.ORGANIZATION, tax_id="000000101",
                    taxonomy_code="282N00000X" if institutional else "261QP2300X",
                    address=Address("1500 Hospital Drive", "Springfield", "IL", "627041234"))


def person(rng: random.Random, *, with_address: bool = True) -> Person:
    born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 60 * 365))
    address = Address(f"{rng.randint(10, 9999)} Maple Street", "Springfield", "IL",
                      f"627{rng.randint(10, 99)}") if with_address else None
    return Person(rng.choice(FAMILY), rng.choice(GIVEN), born, rng.choice("FM"), address)


def doctor(rng: random.Random, role: ProviderRole, taxonomy: str | None = "207Q00000X") -> Provider:
    return Provider(role=role, name=rng.choice(FAMILY), npi=npi(rng), given_name=rng.choice(GIVEN),
                    taxonomy_code=taxonomy)


COMMERCIAL = Payer("Evergreen Health Plan", "SYN01", "CI")
MEDICARE = Payer("Medicare Part B", "SYNMCR", "MB")
MEDICARE_A = Payer("Medicare Part A", "SYNMCR", "MA")


def professional_claim(rng: random.Random, number: int, *, payer: Payer = COMMERCIAL,
                       lines: int | None = None) -> Claim:
    """An office claim: 1-6 diagnoses, 1-4 lines with pointers, a rendering provider."""
    day = DAY + timedelta(days=rng.randint(0, 200))
    diagnoses = tuple(ClaimDiagnosis(code, DiagnosisRole.PRINCIPAL if i == 0 else DiagnosisRole.OTHER)
                      for i, code in enumerate(rng.sample(DIAGNOSES, rng.randint(1, 6))))
    chosen = rng.sample(OFFICE_CODES, lines or rng.randint(1, 4))
    service_lines = []
    for index, (code, charge) in enumerate(chosen, start=1):
        pointers = tuple(sorted(rng.sample(range(1, len(diagnoses) + 1),
                                           min(len(diagnoses), rng.randint(1, 4)))))
        service_lines.append(ServiceLine(
            number=index, procedure_code=code, charge=charge,
            units=Decimal(1), modifiers=("25",) if index == 1 and len(chosen) > 1 else (),
            diagnosis_pointers=pointers, service_date=day,
            code_system="hcpcs" if code[0].isalpha() else "cpt"))
    patient = person(rng)
    return Claim(
        patient_control_number=f"P{number:09d}", kind=ClaimKind.PROFESSIONAL,
        total_charge=sum((line.charge for line in service_lines), Decimal(0)),
        billing=billing_provider(rng), payer=payer,
        subscriber=Subscriber(patient, f"EVG{rng.randint(10**8, 10**9 - 1)}",
                              group_number=f"GRP{rng.randint(10000, 99999)}"),
        diagnoses=diagnoses, lines=tuple(service_lines), place_of_service="11",
        providers=(doctor(rng, ProviderRole.RENDERING),))


def _child_of_subscriber(rng: random.Random, claim: Claim) -> Claim:
    parent = Person(claim.subscriber.person.family_name, rng.choice(GIVEN), None, "U", None)
    return replace(claim, patient=claim.subscriber.person, patient_relationship="19",
                   subscriber=replace(claim.subscriber, person=parent, relationship="19"))


def drug_line_claim(rng: random.Random, number: int) -> Claim:
    """An injection with its drug: HCPCS J-code, NDC 11 digits and quantity."""
    claim = professional_claim(rng, number, lines=1)
    drug = ServiceLine(number=2, procedure_code="J1100", charge=Decimal("24.50"), units=Decimal(2),
                       diagnosis_pointers=(1,), service_date=claim.lines[0].service_date,
                       drug=Drug("00641036721", Decimal("2"), "ML"), code_system="hcpcs")
    inject = ServiceLine(number=3, procedure_code="96372", charge=Decimal("40.00"),
                         diagnosis_pointers=(1,), service_date=claim.lines[0].service_date)
    lines = claim.lines + (drug, inject)
    return replace(claim, lines=lines, total_charge=sum((l.charge for l in lines), Decimal(0)))


def professional_variants(seed: int = 5) -> dict[str, Claim]:
    """One professional claim of each kind the TR3 situations ask for."""
    rng = random.Random(seed)
    base = professional_claim(rng, 1)
    referred = replace(professional_claim(rng, 2),
                       providers=(doctor(rng, ProviderRole.REFERRING, None),
                                  doctor(rng, ProviderRole.RENDERING)),
                       prior_authorization="PA20260001", referral_number="RF77812")
    return {
        "original": base,
        "replacement": replace(professional_claim(rng, 3), frequency=Frequency.REPLACEMENT,
                               payer_claim_number="2026031500123"),
        "void": replace(professional_claim(rng, 4), frequency=Frequency.VOID,
                        payer_claim_number="2026031500456"),
        "patient_not_subscriber": _child_of_subscriber(rng, professional_claim(rng, 5)),
        "referring_prior_auth": referred,
        "ndc_drug_line": drug_line_claim(rng, 6),
        "medicare_onset": replace(professional_claim(rng, 7, payer=MEDICARE),
                                  onset_date=DAY - timedelta(days=3),
                                  subscriber=replace(professional_claim(rng, 7).subscriber,
                                                     member_id="1EG4TE5MK73", group_number=None)),
    }


def inpatient_claim(rng: random.Random, number: int) -> Claim:
    """An inpatient stay (111): admission, POA on every diagnosis, PCS procedures, DRG,
    occurrence, value and condition codes, room-and-board days."""
    admit = DAY + timedelta(days=rng.randint(0, 100))
    discharge = admit + timedelta(days=4)
    lines = (
        ServiceLine(1, None, Decimal("8000.00"), units=Decimal(4), unit_type="DA",
                    revenue_code="0120"),
        ServiceLine(2, None, Decimal("1250.40"), revenue_code="0250"),
        ServiceLine(3, None, Decimal("830.00"), revenue_code="0300"),
        ServiceLine(4, None, Decimal("14200.00"), revenue_code="0360"),
    )
    patient = person(rng)
    return Claim(
        patient_control_number=f"I{number:09d}", kind=ClaimKind.INSTITUTIONAL,
        total_charge=sum((line.charge for line in lines), Decimal(0)),
        billing=billing_provider(rng, institutional=True), payer=MEDICARE_A,
        subscriber=Subscriber(patient, "1EG4TE5MK73"),
        diagnoses=(ClaimDiagnosis("K35.80", DiagnosisRole.PRINCIPAL, "Y"),
                   ClaimDiagnosis("R10.31", DiagnosisRole.ADMITTING),
                   ClaimDiagnosis("W19.XXXA", DiagnosisRole.EXTERNAL_CAUSE, "Y"),
                   ClaimDiagnosis("I10", DiagnosisRole.OTHER, "Y"),
                   ClaimDiagnosis("E11.9", DiagnosisRole.OTHER, "Y"),
                   ClaimDiagnosis("N17.9", DiagnosisRole.OTHER, "N")),
        lines=lines, facility_type="11", statement_from=admit, statement_to=discharge,
        admission=Admission(admit, hour="0830", type="1", source="7", discharge_status="01",
                            discharge_hour="1400"),
        procedures=(ClaimProcedure("0DTJ4ZZ", admit + timedelta(days=1), principal=True),
                    ClaimProcedure("0W9G3ZZ", admit + timedelta(days=2))),
        occurrence_codes=(CodeWithDate("11", admit - timedelta(days=1)),),
        value_codes=(CodeWithDate("80", amount=Decimal(4)),),
        condition_codes=("39",), drg="343",
        providers=(doctor(rng, ProviderRole.ATTENDING, "208600000X"),
                   doctor(rng, ProviderRole.OPERATING, None)),
        prior_authorization="PA-IP-2026-77")


def outpatient_claim(rng: random.Random, number: int) -> Claim:
    """A hospital outpatient claim (131): an emergency visit with HCPCS on revenue lines."""
    day = DAY + timedelta(days=rng.randint(0, 100))
    lines = (
        ServiceLine(1, "99284", Decimal("950.00"), modifiers=("25",), revenue_code="0450",
                    service_date=day),
        ServiceLine(2, "71046", Decimal("310.00"), revenue_code="0320", service_date=day),
        ServiceLine(3, "J1885", Decimal("18.00"), revenue_code="0636", service_date=day,
                    drug=Drug("00409379601", Decimal("1"), "ML"), code_system="hcpcs"),
    )
    patient = person(rng)
    claim = Claim(
        patient_control_number=f"O{number:09d}", kind=ClaimKind.INSTITUTIONAL,
        total_charge=sum((line.charge for line in lines), Decimal(0)),
        billing=billing_provider(rng, institutional=True), payer=COMMERCIAL,
        subscriber=Subscriber(patient, f"EVG{rng.randint(10**8, 10**9 - 1)}", group_number="GRP20001"),
        diagnoses=(ClaimDiagnosis("J18.9", DiagnosisRole.PRINCIPAL),
                   ClaimDiagnosis("R05.9", DiagnosisRole.REASON_FOR_VISIT),
                   ClaimDiagnosis("I10", DiagnosisRole.OTHER)),
        lines=lines, facility_type="13", statement_from=day, statement_to=day,
        admission=Admission(day, hour="2215", type="1", source="1", discharge_status="01"),
        providers=(doctor(rng, ProviderRole.ATTENDING, "207P00000X"),
                   doctor(rng, ProviderRole.REFERRING, None)),
        referral_number="RF-3321")
    return claim


def institutional_variants(seed: int = 9) -> dict[str, Claim]:
    rng = random.Random(seed)
    inpatient = inpatient_claim(rng, 1)
    return {
        "inpatient": inpatient,
        "outpatient_13x": outpatient_claim(rng, 2),
        "inpatient_replacement": replace(inpatient_claim(rng, 3), frequency=Frequency.REPLACEMENT,
                                         payer_claim_number="IP2026040100077"),
        "outpatient_void": replace(outpatient_claim(rng, 4), frequency=Frequency.VOID,
                                   payer_claim_number="OP2026040100078"),
        "outpatient_child": _child_of_subscriber(rng, outpatient_claim(rng, 5)),
    }


def bulk_professional_claims(count: int, seed: int = 2026) -> list[Claim]:
    """``count`` office claims (one billing provider) for the benchmark."""
    rng = random.Random(seed)
    billing = billing_provider(rng)
    return [replace(professional_claim(rng, number), billing=billing)
            for number in range(1, count + 1)]

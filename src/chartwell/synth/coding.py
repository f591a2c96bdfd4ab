"""Coded data of a planned visit: the encounter, its diagnoses, procedures, charges and
measurements, as domain records.

Inpatient procedures are ICD-10-PCS (facility coding); the other settings carry CPT/HCPCS with
the modifiers a biller expects: RT/LT for a one-sided procedure, 25 on an E/M billed with a
minor procedure, PT or 33 on a screening colonoscopy that turned therapeutic, and Medicare's
G-code for the screening itself. CPT lines carry the code number only, never a descriptor.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from chartwell.domain.records import (
    Charge,
    Diagnosis,
    Encounter,
    EncounterProvider,
    Observation,
    Procedure,
)
from chartwell.synth.catalog import Catalog, Measure, ProcedureSpec
from chartwell.synth.ids import Key
from chartwell.synth.notes import cap
from chartwell.synth.planning import INPATIENT, PROFESSIONAL, Plan, PlannedProcedure, Visit
from chartwell.synth.reference import Reference

CENT = Decimal("0.01")
ENCOUNTER_TYPES = {
    "admission": "Inpatient admission",
    "day_surgery": "Outpatient surgery",
    "imaging": "Outpatient imaging",
    "emergency": "Emergency department visit",
    "office": "Office visit",
}


@dataclass(frozen=True, slots=True)
class Line:
    """One coded service: what becomes a Procedure row and the matching Charge."""

    code: str
    code_system: str
    display: str | None
    description: str  # charge description, our own words
    modifiers: tuple[str, ...]
    units: int
    at: datetime
    provider_id: uuid.UUID
    revenue_code: str | None
    amount: Decimal


def money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def _priced(rng: random.Random, base: float, catalog: Catalog) -> Decimal:
    """A list price with some spread, so totals are not all identical."""
    return money(base * rng.uniform(*catalog.billing["charge_spread"]))


def code_system_of(code: str) -> str:
    """CPT codes are five digits (or four digits and a letter); HCPCS Level II start with a letter."""
    return "hcpcs" if code[0].isalpha() else "cpt"


# ----------------------------------------------------------------------------- E/M


def assessed_count(visit: Visit) -> int:
    return sum(1 for c in visit.diagnoses if c.condition.documented_in == "assessment")


def office_level(visit: Visit) -> int:
    """E/M level 2-5: the principal's usual level, one higher when three or more problems are
    addressed (2021 office E/M guidelines weigh the number of problems)."""
    bump = 1 if assessed_count(visit) >= 3 else 0
    return max(2, min(5, visit.principal.em_level + bump))


def emergency_level(visit: Visit) -> int:
    bump = 1 if assessed_count(visit) >= 4 else 0
    return max(3, min(5, visit.principal.ed_level + bump))


def _em_line(rng: random.Random, visit: Visit, catalog: Catalog) -> Line:
    if visit.setting is PROFESSIONAL:
        table = "office_new" if visit.new_patient else "office_established"
        level = office_level(visit)
        words = f"Office visit, {'new' if visit.new_patient else 'established'} patient, level {level}"
        revenue = None
    else:
        table, level = "emergency", emergency_level(visit)
        words, revenue = f"Emergency department visit, level {level}", "0450"
    code, base = catalog.billing[table][str(level)]
    needs_25 = any(p.spec.em_modifier_25 for p in visit.procedures)
    return Line(
        code,
        "cpt",
        None,
        words,
        ("25",) if needs_25 else (),
        1,
        visit.start,
        visit.author.id,
        revenue,
        _priced(rng, base, catalog),
    )


# ----------------------------------------------------------------------------- procedures


def _code_for(spec: ProcedureSpec, payer_category: str) -> str:
    if payer_category == "medicare" and spec.medicare_hcpcs:
        return spec.medicare_hcpcs
    return spec.cpt or ""


def _modifiers(planned: PlannedProcedure, code: str, payer_category: str) -> tuple[str, ...]:
    spec = planned.spec
    modifiers = [planned.side] if planned.side else []
    if code == spec.cpt:
        modifiers += spec.payer_modifiers.get("medicare" if payer_category == "medicare" else "other", ())
    return tuple(modifiers)


def _service_lines(
    rng: random.Random, visit: Visit, planned: PlannedProcedure, payer_category: str, catalog: Catalog
) -> list[Line]:
    """The CPT/HCPCS line of a procedure and the lines of any drug supplied with it."""
    spec = planned.spec
    revenue = None if visit.setting is PROFESSIONAL else spec.revenue_code
    code = _code_for(spec, payer_category)
    lines = [
        Line(
            code,
            code_system_of(code),
            None,
            cap(spec.name),
            _modifiers(planned, code, payer_category),
            1,
            planned.at,
            planned.provider.id,
            revenue,
            _priced(rng, spec.charge, catalog),
        )
    ]
    for supply in spec.supplies:
        lines.append(
            Line(
                supply.hcpcs,
                "hcpcs",
                supply.title,
                supply.title,
                (),
                supply.units,
                planned.at,
                planned.provider.id,
                None if visit.setting is PROFESSIONAL else supply.revenue_code,
                _priced(rng, supply.charge * supply.units, catalog),
            )
        )
    return lines


def _pcs_line(rng: random.Random, planned: PlannedProcedure, catalog: Catalog) -> Line:
    spec = planned.spec
    return Line(
        spec.icd10pcs or "",
        "icd10pcs",
        spec.pcs_title,
        cap(spec.name),
        (),
        1,
        planned.at,
        planned.provider.id,
        spec.revenue_code,
        _priced(rng, spec.charge, catalog),
    )


def service_lines(rng: random.Random, visit: Visit, payer_category: str, catalog: Catalog) -> list[Line]:
    """Procedure lines in coded order: E/M first where there is one."""
    if visit.setting is INPATIENT:
        return [_pcs_line(rng, planned, catalog) for planned in visit.procedures]
    lines = [_em_line(rng, visit, catalog)] if visit.kind in ("office", "emergency") else []
    for planned in visit.procedures:
        lines += _service_lines(rng, visit, planned, payer_category, catalog)
    return lines


# ----------------------------------------------------------------------------- records


def encounter_record(visit: Visit, plan: Plan, key: Key, ref: Reference) -> Encounter:
    coverage = plan.person.primary_coverage
    facility = ref.organizations["clinic" if visit.setting is PROFESSIONAL else "hospital"]
    return Encounter(
        id=key.id,
        patient_id=plan.person.patient.id,
        setting=visit.setting,
        admit_at=visit.start,
        source_key=key.source_key,
        account_number=f"S{key.source_key.split(':')[1]}-{plan.person.number:06d}-{visit.number:02d}",
        encounter_type=ENCOUNTER_TYPES[visit.kind],
        discharge_at=visit.end,
        admit_source=visit.admit_source,
        admit_type=visit.admit_type,
        discharge_disposition=visit.disposition,
        facility_id=facility.id,
        payer_id=ref.payers[plan.person.payer_key].id,
        coverage_id=coverage.id if coverage else None,
        reason=visit.complaint,
        providers=[EncounterProvider(provider.id, role) for role, provider in visit.providers],
    )


def diagnosis_records(visit: Visit, key: Key, patient_id: uuid.UUID) -> list[Diagnosis]:
    """Sequence 1 is the principal (inpatient) or first-listed (other settings) diagnosis."""
    records = []
    for sequence, coded in enumerate(visit.diagnoses, start=1):
        child = key.child("diagnosis", sequence)
        records.append(
            Diagnosis(
                id=child.id,
                patient_id=patient_id,
                code=coded.condition.icd10cm,
                code_system="icd10cm",
                source_key=child.source_key,
                encounter_id=key.id,
                display=coded.condition.display,
                sequence=sequence,
                poa=coded.poa,
                clinical_status="active",
                verification_status="confirmed",
            )
        )
    return records


def procedure_records(lines: list[Line], key: Key, patient_id: uuid.UUID) -> list[Procedure]:
    records = []
    for sequence, line in enumerate(lines, start=1):
        child = key.child("procedure", sequence)
        records.append(
            Procedure(
                id=child.id,
                patient_id=patient_id,
                code=line.code,
                code_system=line.code_system,
                source_key=child.source_key,
                encounter_id=key.id,
                display=line.display,
                sequence=sequence,
                performed_at=line.at,
                modifiers=list(line.modifiers),
                units=Decimal(line.units),
                performing_provider_id=line.provider_id,
            )
        )
    return records


def _stay_charges(rng: random.Random, visit: Visit, catalog: Catalog) -> list[tuple]:
    """Inpatient facility charges by revenue code: room and board per day, pharmacy,
    laboratory, the emergency room when admitted through it."""
    days = max(1, visit.stay_days)
    billing = catalog.billing
    rows = []
    for name in ("room_and_board", "pharmacy", "laboratory"):
        item = billing[name]
        units = days if name == "room_and_board" else 1
        rows.append(
            (
                None,
                None,
                item["revenue_code"],
                item["description"],
                units,
                money(rng.uniform(*item["per_day"]) * days),
            )
        )
    if visit.admit_type == "1":
        item = billing["emergency_room"]
        rows.append(
            (None, None, item["revenue_code"], item["description"], 1, money(rng.uniform(*item["amount"])))
        )
    return rows


def charge_records(
    rng: random.Random, visit: Visit, lines: list[Line], key: Key, patient_id: uuid.UUID, catalog: Catalog
) -> list[Charge]:
    """One charge per coded service line; inpatient stays add room, pharmacy and lab."""
    rows = _stay_charges(rng, visit, catalog) if visit.setting is INPATIENT else []
    for line in lines:
        code, system = (None, None) if visit.setting is INPATIENT else (line.code, line.code_system)
        rows.append((code, system, line.revenue_code, line.description, line.units, line.amount))
    charges = []
    for number, (code, system, revenue, description, units, amount) in enumerate(rows, start=1):
        child = key.child("charge", number)
        charges.append(
            Charge(
                id=child.id,
                patient_id=patient_id,
                encounter_id=key.id,
                code=code,
                code_system=system,
                amount=amount,
                source_key=child.source_key,
                description=description,
                revenue_code=revenue,
                units=Decimal(units),
                service_date=visit.start.date(),
            )
        )
    return charges


def _observation(
    key: Key,
    number: int,
    patient_id: uuid.UUID,
    encounter_id: uuid.UUID,
    measure: Measure,
    value: float,
    category: str,
    at: datetime,
) -> Observation:
    child = key.child("observation", number)
    return Observation(
        id=child.id,
        patient_id=patient_id,
        code=measure.loinc,
        code_system="loinc",
        category=category,
        source_key=child.source_key,
        encounter_id=encounter_id,
        display=measure.name,
        value_number=value,
        unit=measure.unit,
        effective_at=at,
    )


def observation_records(visit: Visit, key: Key, patient_id: uuid.UUID, catalog: Catalog) -> list[Observation]:
    """Vital signs at triage / rooming, laboratory results once drawn."""
    taken = visit.start + timedelta(minutes=10)
    resulted = visit.start + timedelta(minutes=50) if visit.setting is not PROFESSIONAL else visit.start
    rows = [(catalog.vitals[name], value, "vital-signs", taken) for name, value in visit.vitals.items()]
    rows += [(catalog.labs[name], value, "laboratory", resulted) for name, value in visit.labs.items()]
    return [
        _observation(key, number, patient_id, key.id, measure, value, category, at)
        for number, (measure, value, category, at) in enumerate(rows, start=1)
    ]

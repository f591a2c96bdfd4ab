"""The medical record as a coder reads it: patients, encounters, documents and coded data.

These are plain dataclasses produced by intake and the synthetic generator and consumed by the
store's repositories. Ids are UUIDs chosen by the producer; ``source_key`` is the identity in the
system the record came from (``Patient/123`` for FHIR) and makes re-imports idempotent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class Sex(StrEnum):
    """Administrative sex as claims carry it (X12 DMG03, UB-04 FL 11)."""

    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


class EncounterSetting(StrEnum):
    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient"
    EMERGENCY = "emergency"
    PROFESSIONAL = "professional"


class DocumentType(StrEnum):
    HISTORY_AND_PHYSICAL = "history_and_physical"
    PROGRESS_NOTE = "progress_note"
    DISCHARGE_SUMMARY = "discharge_summary"
    OPERATIVE_REPORT = "operative_report"
    OFFICE_VISIT = "office_visit"
    CONSULTATION = "consultation"
    EMERGENCY_NOTE = "emergency_note"
    DIAGNOSTIC_REPORT = "diagnostic_report"
    OTHER = "other"


class VersionKind(StrEnum):
    """How a document version came to be. Nothing is overwritten: each is a new row."""

    ORIGINAL = "original"
    AMENDMENT = "amendment"  # replaces the content; the earlier version stays readable
    ADDENDUM = "addendum"  # adds to the content; the earlier version stays in force


class PoaIndicator(StrEnum):
    """Present-on-admission, UB-04 / X12 values (CMS POA reporting guidelines)."""

    YES = "Y"
    NO = "N"
    UNKNOWN = "U"
    CLINICALLY_UNDETERMINED = "W"
    EXEMPT = "1"


@dataclass(slots=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(slots=True)
class Identifier:
    system: str
    value: str
    type_code: str | None = None  # v2-0203: MR, SS, DL, PPN, ...


@dataclass(slots=True)
class Organization:
    id: uuid.UUID
    name: str
    source_key: str | None = None
    npi: str | None = None
    tax_id: str | None = None
    kind: str | None = None  # provider, payer, department
    address: Address = field(default_factory=Address)
    phone: str | None = None


@dataclass(slots=True)
class Provider:
    id: uuid.UUID
    family_name: str
    given_name: str | None = None
    source_key: str | None = None
    npi: str | None = None
    taxonomy_code: str | None = None
    specialty: str | None = None
    credentials: str | None = None
    organization_id: uuid.UUID | None = None
    address: Address = field(default_factory=Address)
    phone: str | None = None


@dataclass(slots=True)
class Payer:
    id: uuid.UUID
    name: str
    source_key: str | None = None
    payer_identifier: str | None = None  # the X12 payer id (NM109 of 2010BB)
    category: str | None = None  # medicare, medicaid, commercial, self-pay, ...


@dataclass(slots=True)
class Patient:
    id: uuid.UUID
    family_name: str
    given_names: str
    birth_date: date | None
    sex: Sex
    source_key: str | None = None
    mrn: str | None = None  # assigned by the store when None
    deceased_at: datetime | None = None
    marital_status: str | None = None
    race: str | None = None
    ethnicity: str | None = None
    language: str | None = None
    address: Address = field(default_factory=Address)
    phone: str | None = None
    email: str | None = None
    identifiers: list[Identifier] = field(default_factory=list)


@dataclass(slots=True)
class Coverage:
    id: uuid.UUID
    patient_id: uuid.UUID
    payer_id: uuid.UUID
    source_key: str | None = None
    member_id: str | None = None
    group_number: str | None = None
    plan_name: str | None = None
    relationship: str = "self"  # the patient's relationship to the subscriber
    subscriber_name: str | None = None
    priority: int = 1  # 1 primary, 2 secondary, ...
    start_date: date | None = None
    end_date: date | None = None
    status: str = "active"


@dataclass(slots=True)
class EncounterProvider:
    provider_id: uuid.UUID
    role: str  # attending, admitting, operating, consulting, referring, rendering


@dataclass(slots=True)
class Encounter:
    id: uuid.UUID
    patient_id: uuid.UUID
    setting: EncounterSetting
    admit_at: datetime | None
    source_key: str | None = None
    account_number: str | None = None
    status: str = "finished"
    encounter_type: str | None = None  # display of the visit type
    discharge_at: datetime | None = None
    admit_source: str | None = None  # UB-04 FL 15 point of origin
    admit_type: str | None = None  # UB-04 FL 14 priority
    discharge_disposition: str | None = None  # UB-04 FL 17 patient discharge status
    facility_id: uuid.UUID | None = None
    payer_id: uuid.UUID | None = None
    coverage_id: uuid.UUID | None = None
    reason: str | None = None
    providers: list[EncounterProvider] = field(default_factory=list)


@dataclass(slots=True)
class DocumentVersion:
    text: str
    kind: VersionKind = VersionKind.ORIGINAL
    author_provider_id: uuid.UUID | None = None
    author_name: str | None = None
    authored_at: datetime | None = None
    signed_by_provider_id: uuid.UUID | None = None
    signed_at: datetime | None = None
    reason: str | None = None  # why an amendment or addendum was made
    content_type: str = "text/plain"
    number: int | None = None  # 1, 2, ... once stored
    recorded_by: str | None = None
    recorded_at: datetime | None = None


@dataclass(slots=True)
class Document:
    id: uuid.UUID
    patient_id: uuid.UUID
    document_type: DocumentType
    title: str
    source_key: str | None = None
    encounter_id: uuid.UUID | None = None
    service_date: datetime | None = None
    status: str = "current"
    loinc_code: str | None = None
    versions: list[DocumentVersion] = field(default_factory=list)


@dataclass(slots=True)
class Diagnosis:
    id: uuid.UUID
    patient_id: uuid.UUID
    code: str
    code_system: str  # icd10cm, snomed, icd10 ...
    source_key: str | None = None
    encounter_id: uuid.UUID | None = None
    display: str | None = None
    sequence: int | None = None  # 1 = principal / first-listed
    poa: str | None = None
    onset_date: date | None = None
    abatement_date: date | None = None
    clinical_status: str | None = None
    verification_status: str | None = None


@dataclass(slots=True)
class Procedure:
    id: uuid.UUID
    patient_id: uuid.UUID
    code: str
    code_system: str  # icd10pcs, cpt, hcpcs, snomed
    source_key: str | None = None
    encounter_id: uuid.UUID | None = None
    display: str | None = None
    sequence: int | None = None
    performed_at: datetime | None = None
    modifiers: list[str] = field(default_factory=list)
    units: Decimal = Decimal(1)
    performing_provider_id: uuid.UUID | None = None


@dataclass(slots=True)
class Observation:
    id: uuid.UUID
    patient_id: uuid.UUID
    code: str
    code_system: str
    category: str | None
    source_key: str | None = None
    encounter_id: uuid.UUID | None = None
    display: str | None = None
    value_number: float | None = None
    value_text: str | None = None
    unit: str | None = None
    effective_at: datetime | None = None


@dataclass(slots=True)
class MedicationOrder:
    id: uuid.UUID
    patient_id: uuid.UUID
    code: str | None
    code_system: str | None
    display: str | None
    source_key: str | None = None
    encounter_id: uuid.UUID | None = None
    status: str | None = None
    intent: str | None = None
    authored_at: datetime | None = None
    prescriber_id: uuid.UUID | None = None
    dosage: str | None = None


@dataclass(slots=True)
class ClaimLine:
    sequence: int
    code: str | None
    code_system: str | None
    display: str | None = None
    revenue_code: str | None = None
    modifiers: list[str] = field(default_factory=list)
    units: Decimal = Decimal(1)
    charge: Decimal | None = None
    service_date: date | None = None
    diagnosis_pointers: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Claim:
    """A claim as received or built; issue-5 work (837 assembly) extends this."""

    id: uuid.UUID
    patient_id: uuid.UUID
    claim_type: str  # professional, institutional, oral, pharmacy, vision
    source_key: str | None = None
    encounter_id: uuid.UUID | None = None
    use: str = "claim"
    status: str = "active"
    billable_start: datetime | None = None
    billable_end: datetime | None = None
    created_at: datetime | None = None
    provider_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    payer_id: uuid.UUID | None = None
    total_charge: Decimal | None = None
    diagnosis_codes: list[str] = field(default_factory=list)
    lines: list[ClaimLine] = field(default_factory=list)


@dataclass(slots=True)
class Adjudication:
    """A payer's answer to a claim (FHIR ExplanationOfBenefit; later the 835)."""

    id: uuid.UUID
    patient_id: uuid.UUID
    source_key: str | None = None
    claim_id: uuid.UUID | None = None
    payer_id: uuid.UUID | None = None
    status: str | None = None
    outcome: str | None = None
    created_at: datetime | None = None
    total_submitted: Decimal | None = None
    total_paid: Decimal | None = None
    patient_responsibility: Decimal | None = None


@dataclass(slots=True)
class Charge:
    id: uuid.UUID
    patient_id: uuid.UUID
    encounter_id: uuid.UUID | None
    code: str | None
    code_system: str | None
    amount: Decimal
    source_key: str | None = None
    description: str | None = None
    revenue_code: str | None = None
    units: Decimal = Decimal(1)
    service_date: date | None = None


@dataclass(slots=True)
class SourceResource:
    """A resource exactly as received, kept for provenance and counted by intake."""

    id: uuid.UUID
    resource_type: str
    resource_id: str
    content_hash: str
    content: str
    patient_id: uuid.UUID | None = None


@dataclass(slots=True)
class RecordBatch:
    """Everything one input unit (a bundle, a synthetic patient) adds to the store, written in
    one transaction so a broken unit leaves nothing behind."""

    organizations: list[Organization] = field(default_factory=list)
    providers: list[Provider] = field(default_factory=list)
    payers: list[Payer] = field(default_factory=list)
    patients: list[Patient] = field(default_factory=list)
    coverages: list[Coverage] = field(default_factory=list)
    encounters: list[Encounter] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    procedures: list[Procedure] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    medication_orders: list[MedicationOrder] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    adjudications: list[Adjudication] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)
    source_resources: list[SourceResource] = field(default_factory=list)

    def patient_ids(self) -> set[uuid.UUID]:
        ids = {p.id for p in self.patients}
        for group in (self.encounters, self.documents, self.diagnoses, self.procedures):
            ids.update(item.patient_id for item in group)
        return ids

"""A claim as the billing specialist builds it and the payer reads it: the parties, the coded
diagnoses with their qualifiers, the service lines with their charges, and the institutional
details (type of bill, admission, occurrence / value / condition codes, DRG).

Plain data, no I/O. One type serves both claim forms: a professional claim (837P, CMS-1500)
leaves the institutional fields empty, an institutional one (837I, UB-04) fills them. The names
follow the forms' field names a biller knows (``patient_control_number`` is CLM01 / FL 3a,
``type_of_bill`` FL 4, ``place_of_service`` box 24B).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class ClaimKind(StrEnum):
    PROFESSIONAL = "837P"  # 005010X222A1, CMS-1500
    INSTITUTIONAL = "837I"  # 005010X223A2, UB-04


class Frequency(StrEnum):
    """Claim frequency type code (CLM05-3, the third digit of the type of bill)."""

    ORIGINAL = "1"
    REPLACEMENT = "7"  # replaces a paid or denied claim: needs the payer claim number
    VOID = "8"  # voids / cancels a prior claim: needs the payer claim number


class EntityKind(StrEnum):
    PERSON = "1"  # NM102
    ORGANIZATION = "2"


class ProviderRole(StrEnum):
    BILLING = "billing"  # 2010AA
    RENDERING = "rendering"  # 2310B (837P)
    ATTENDING = "attending"  # 2310A (837I)
    OPERATING = "operating"  # 2310B (837I)
    REFERRING = "referring"  # 2310A (837P) / 2310F (837I)
    SERVICE_FACILITY = "service_facility"  # 2310C (837P) / 2310E (837I)


class DiagnosisRole(StrEnum):
    """Why a diagnosis is on the claim, which decides its X12 qualifier: on 837P the first is
    ABK and the others ABF; on 837I the principal is ABK, the others ABF, the admitting ABJ, a
    reason for visit APR, an external cause ABN."""

    PRINCIPAL = "principal"
    OTHER = "other"
    ADMITTING = "admitting"
    REASON_FOR_VISIT = "reason_for_visit"
    EXTERNAL_CAUSE = "external_cause"


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    state: str
    postal_code: str  # 5 or 9 digits (the billing provider's must be 9 on 837)
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class Provider:
    role: ProviderRole
    name: str  # an organization's name, or a person's family name
    npi: str | None
    entity: EntityKind = EntityKind.PERSON
    given_name: str | None = None
    tax_id: str | None = None  # EIN (REF*EI) of the billing provider
    taxonomy_code: str | None = None  # PRV03
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Payer:
    name: str
    payer_id: str  # NM109 with PI: the payer's electronic identifier
    claim_filing_indicator: str = "CI"  # SBR09: MB Medicare B, MA Medicare A, MC Medicaid, CI...
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """The subscriber or the patient as the claim names them."""

    family_name: str
    given_name: str
    birth_date: date | None
    sex: str  # F, M, U
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Subscriber:
    person: Person
    member_id: str
    group_number: str | None = None
    payer_responsibility: str = "P"  # SBR01: P primary, S secondary, T tertiary
    relationship: str = "18"  # SBR02 / PAT01: the patient's relationship (18 = self)


@dataclass(frozen=True, slots=True)
class ClaimDiagnosis:
    code: str  # ICD-10-CM with its dot, "I50.23" (the dot is dropped in X12)
    role: DiagnosisRole = DiagnosisRole.OTHER
    poa: str | None = None  # 837I only: Y, N, U, W, 1 (exempt)


@dataclass(frozen=True, slots=True)
class ClaimProcedure:
    """An ICD-10-PCS procedure on an institutional claim (HI*BBR principal, BBQ others)."""

    code: str
    date: date
    principal: bool = False


@dataclass(frozen=True, slots=True)
class Drug:
    """The drug behind a service line (LIN*N4 + CTP): NDC 11 digits 5-4-2, quantity and unit
    (F2 international unit, GR gram, ME milligram, ML millilitre, UN unit)."""

    ndc: str
    quantity: Decimal
    unit: str = "UN"


@dataclass(frozen=True, slots=True)
class ServiceLine:
    number: int  # LX01, 1-based
    procedure_code: str | None  # CPT or HCPCS (may be None on an 837I room-and-board line)
    charge: Decimal
    units: Decimal = Decimal(1)
    unit_type: str = "UN"  # SV1-4 / SV2-4: UN units, MJ minutes, DA days (837I room lines)
    modifiers: tuple[str, ...] = ()  # up to 4
    diagnosis_pointers: tuple[int, ...] = ()  # 837P: 1-based positions in the claim's diagnoses
    service_date: date | None = None
    service_date_end: date | None = None
    revenue_code: str | None = None  # 837I: 4 digits, "0450"
    place_of_service: str | None = None  # 837P: only when it differs from the claim's
    drug: Drug | None = None
    code_system: str = "cpt"  # cpt or hcpcs (HC qualifier either way)


@dataclass(frozen=True, slots=True)
class Admission:
    """837I admission details: UB-04 FL 12-17."""

    date: date
    hour: str | None = None  # "HHMM"
    type: str = "1"  # CL101 priority (type) of admission: 1 emergency, 2 urgent, 3 elective...
    source: str = "1"  # CL102 point of origin
    discharge_status: str = "01"  # CL103 patient status
    discharge_hour: str | None = None


@dataclass(frozen=True, slots=True)
class CodeWithDate:
    """An occurrence code (FL 31-34, HI*BH) or a value code with amount (FL 39-41, HI*BE)."""

    code: str
    date: date | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    patient_control_number: str  # CLM01: the provider's account number, echoed back in the 835
    kind: ClaimKind
    total_charge: Decimal  # CLM02: the sum of the lines' charges
    billing: Provider
    subscriber: Subscriber
    payer: Payer
    diagnoses: tuple[ClaimDiagnosis, ...]
    lines: tuple[ServiceLine, ...]
    frequency: Frequency = Frequency.ORIGINAL
    payer_claim_number: str | None = None  # REF*F8: the claim a replacement or void refers to
    patient: Person | None = None  # None when the patient is the subscriber
    patient_relationship: str = "18"  # PAT01 when the patient is not the subscriber
    providers: tuple[Provider, ...] = ()  # rendering, attending, operating, referring, facility
    place_of_service: str | None = None  # 837P CLM05-1: "11" office, "22" outpatient hospital
    facility_type: str | None = None  # 837I CLM05-1: the first two digits of the type of bill
    statement_from: date | None = None  # 837I DTP*434
    statement_to: date | None = None
    admission: Admission | None = None
    procedures: tuple[ClaimProcedure, ...] = ()  # 837I ICD-10-PCS
    occurrence_codes: tuple[CodeWithDate, ...] = ()
    value_codes: tuple[CodeWithDate, ...] = ()
    condition_codes: tuple[str, ...] = ()
    drg: str | None = None  # 837I HI*DR: the MS-DRG the provider expects
    prior_authorization: str | None = None  # REF*G1
    referral_number: str | None = None  # REF*9F
    onset_date: date | None = None  # 837P DTP*431 onset of current illness
    accept_assignment: str = "A"  # CLM07
    benefits_assigned: str = "Y"  # CLM08
    release_of_information: str = "Y"  # CLM09
    provider_signature: str = "Y"  # CLM06 (837P)
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def type_of_bill(self) -> str | None:
        """UB-04 FL 4 without its leading zero: facility type + frequency, "111"."""
        if self.facility_type is None:
            return None
        return f"{self.facility_type}{self.frequency.value}"

    def provider(self, role: ProviderRole) -> Provider | None:
        if role is ProviderRole.BILLING:
            return self.billing
        return next((each for each in self.providers if each.role is role), None)

    @property
    def principal_diagnosis(self) -> ClaimDiagnosis | None:
        return next((dx for dx in self.diagnoses if dx.role is DiagnosisRole.PRINCIPAL),
                    self.diagnoses[0] if self.diagnoses else None)

    @property
    def first_date_of_service(self) -> date | None:
        dates = [line.service_date for line in self.lines if line.service_date]
        return min(dates, default=self.statement_from)


class ClaimStatus(StrEnum):
    """Where a claim stands on its way to payment. The scrubber decides held / queued; export
    puts it in a batch; the 999 / 277CA accept or reject it; the 835 pays, denies or reverses."""

    HELD = "held"  # the scrubber found errors: fix before it can be sent
    QUEUED = "queued"  # clean, waiting for the next export
    EXPORTED = "exported"  # in an 837 batch, not yet acknowledged
    ACCEPTED = "accepted"  # 999 / 277CA accepted it into adjudication
    REJECTED = "rejected"  # 999 / 277CA rejected it: correct and send again
    PAID = "paid"  # paid in full (balance 0 after payment and contractual adjustments)
    PARTIALLY_PAID = "partially_paid"  # paid, with a balance left (underpaid or patient share)
    DENIED = "denied"  # the payer paid nothing
    REVERSED = "reversed"  # the payer took back its payment (CLP02 22)
    VOID = "void"  # cancelled by a void claim (frequency 8)

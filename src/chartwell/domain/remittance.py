"""What a payer sends back about the claims we sent: the remittance advice (835) with its claim
and service payments, adjustments and remarks, and the acknowledgments (999, 277CA).

Plain data, no I/O. Names follow the 835 (005010X221A1) as a payment poster reads it: a claim
payment is a CLP (loop 2100), a service payment an SVC (loop 2110), an adjustment a CAS
(group code + CARC + amount), a remark a RARC (MOA, MIA or LQ), a provider adjustment a PLB.
Amounts are Decimal; every item keeps the 1-based segment number it came from, so a finding can
name the place without repeating patient data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class AdjustmentGroup(StrEnum):
    """CAS01: who the adjusted amount belongs to (TR3 1.10.2.4)."""

    CONTRACTUAL = "CO"  # contractual obligation: the provider writes it off
    OTHER = "OA"  # other adjustment
    PAYER_INITIATED = "PI"  # payer-initiated reduction
    PATIENT = "PR"  # patient responsibility: bill the patient (or the next payer)
    CORRECTION = "CR"  # correction and reversal (4010 only; kept for old files)


class ClaimStatusCode(StrEnum):
    """CLP02: how the payer processed the claim."""

    PRIMARY = "1"
    SECONDARY = "2"
    TERTIARY = "3"
    DENIED = "4"
    PENDED = "5"
    RECEIVED = "10"  # received, not yet processed
    NOT_OUR_CLAIM = "13"
    PRIMARY_FORWARDED = "19"
    SECONDARY_FORWARDED = "20"
    TERTIARY_FORWARDED = "21"
    REVERSAL = "22"  # reversal of a previous payment
    NOT_OUR_CLAIM_FORWARDED = "23"
    PREDETERMINATION = "25"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One adjustment (a CAS triplet): group, reason (CARC) and amount, at claim or line level."""

    group: str  # CAS01 (AdjustmentGroup value)
    reason: str  # CARC
    amount: Decimal
    quantity: Decimal | None = None
    segment: int = 0

    @property
    def is_patient_responsibility(self) -> bool:
        return self.group == AdjustmentGroup.PATIENT


@dataclass(frozen=True, slots=True)
class Remark:
    """A remittance advice remark code (RARC), from MOA / MIA (claim) or LQ*HE (line)."""

    code: str
    source: str  # MOA, MIA or LQ
    segment: int = 0


@dataclass(frozen=True, slots=True)
class ServicePayment:
    """A service line's payment (SVC, loop 2110)."""

    procedure_qualifier: str  # SVC01-1: HC (CPT/HCPCS), NU (revenue code), ...
    procedure_code: str
    modifiers: tuple[str, ...]
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    revenue_code: str | None = None  # SVC04
    units: Decimal | None = None  # SVC05
    date_of_service: date | None = None  # DTM*472 (or DTM*150)
    line_control_number: str | None = None  # REF*6R: the line item control number we sent
    allowed: Decimal | None = None  # AMT*B6
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[Remark, ...] = ()
    segment: int = 0


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """How the payer paid one claim (CLP, loop 2100)."""

    patient_control_number: str  # CLP01 = our CLM01
    status_code: str  # CLP02 (ClaimStatusCode value)
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal  # CLP05 (0 when absent)
    filing_indicator: str  # CLP06
    payer_claim_number: str | None  # CLP07: quote it on a replacement (frequency 7) or void
    facility_code: str | None = None  # CLP08
    frequency: str | None = None  # CLP09
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    services: tuple[ServicePayment, ...] = ()
    remarks: tuple[Remark, ...] = ()
    segment: int = 0

    @property
    def is_reversal(self) -> bool:
        return self.status_code == ClaimStatusCode.REVERSAL

    @property
    def is_denial(self) -> bool:
        return self.status_code == ClaimStatusCode.DENIED

    def all_adjustments(self) -> tuple[Adjustment, ...]:
        """Claim-level and every line's adjustments: what the claim's balancing adds up."""
        return self.adjustments + tuple(a for line in self.services for a in line.adjustments)

    def all_remarks(self) -> tuple[Remark, ...]:
        return self.remarks + tuple(r for line in self.services for r in line.remarks)


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """A provider-level adjustment (PLB): not tied to a claim (interest, forward balance,
    overpayment recovery...). A positive amount reduces the payment, a negative one adds to it."""

    provider_identifier: str  # PLB01
    fiscal_period_end: date | None  # PLB02
    reason: str  # PLB03-1: L6 interest, WO overpayment recovery, FB forward balance, 72 ...
    reference: str | None  # PLB03-2
    amount: Decimal
    segment: int = 0


@dataclass(frozen=True, slots=True)
class Remittance:
    """One 835 transaction set: one payment (check or EFT) and the claims it pays."""

    control_number: str  # ST02
    handling_code: str  # BPR01: I remittance with payment, H notification only, C payment+advice
    payment_amount: Decimal  # BPR02
    credit_debit: str  # BPR03: C credit, D debit
    payment_method: str  # BPR04: ACH, CHK, FWT, BOP, NON
    payment_date: date | None  # BPR16
    trace_number: str  # TRN02: the check or EFT trace number
    payer_identifier: str  # TRN03 (or N1*PR's id / REF*2U when TRN03 is absent)
    payer_name: str
    payee_name: str
    payee_identifier: str | None  # N1*PE N104 (NPI with XX, tax id with FI)
    production_date: date | None  # DTM*405
    claims: tuple[ClaimPayment, ...] = ()
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    first_segment: int = 0  # the ST
    last_segment: int = 0  # the SE
    digest: str = ""  # sha256 of the transaction's segments: the same payment read again


@dataclass(frozen=True, slots=True)
class BalanceFinding:
    """A place where the payer's own numbers do not add up (TR3 1.10.2 balancing)."""

    rule: str  # service_line, claim, transaction
    segment: int
    segment_id: str
    expected: Decimal
    actual: Decimal
    message: str
    source: str


class AckStatus(StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    REJECTED = "rejected"
    PENDING = "pending"  # 277CA: acknowledged, still in process (e.g. A1 received)


@dataclass(frozen=True, slots=True)
class TransactionAck:
    """A 999's answer for one transaction set we sent (AK2 ... IK5)."""

    transaction_set: str  # AK201: 837
    control_number: str  # AK202: our ST02
    status: AckStatus
    code: str  # IK501: A, E, R, M, W, X
    errors: tuple[str, ...] = ()  # "IK3 segment CLM at 23: 8 (segment has data element errors)"
    segment: int = 0


@dataclass(frozen=True, slots=True)
class FunctionalGroupAck:
    """A 999 (one transaction set): the answer for one functional group we sent."""

    group_control_number: str  # AK102: our GS06
    functional_id: str  # AK101: HC
    status: AckStatus  # AK901
    code: str
    transactions: tuple[TransactionAck, ...] = ()
    segment: int = 0


@dataclass(frozen=True, slots=True)
class ClaimAck:
    """A 277CA's answer for one claim (loop 2200D STC), matched by patient control number
    (TRN02 of loop 2200D)."""

    patient_control_number: str
    status: AckStatus
    codes: tuple[str, ...]  # STC01 (and STC10/STC11): category:status[:entity], e.g. A3:21
    payer_claim_number: str | None = None  # REF*1K
    charge: Decimal | None = None  # STC04
    segment: int = 0


@dataclass(frozen=True, slots=True)
class AcknowledgmentFile:
    kind: str  # 999 or 277CA
    groups: tuple[FunctionalGroupAck, ...] = ()
    claims: tuple[ClaimAck, ...] = ()
    notes: tuple[str, ...] = field(default=())

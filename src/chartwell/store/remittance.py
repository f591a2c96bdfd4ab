"""What payers send back: remittances (835) posted to claims, and acknowledgments (999, 277CA).

One ``remittances`` row per 835 transaction set (one payment: a check or an EFT), unique on the
payer and its trace number (TRN02), so the same payment posted twice is found and posts
nothing. Claim payments (CLP) link to the billing claim they pay; adjustments (CAS), remarks
(RARC) and service payments (SVC) hang under them; provider-level adjustments (PLB) under the
remittance. Rows are written once and never changed: a reversal is a new claim payment with
negative amounts, as the payer sends it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chartwell.store.tables import Base, Money, Timestamp, _fk, _pk


class RemittanceRow(Base):
    __tablename__ = "remittances"
    __table_args__ = (UniqueConstraint("payer_identifier", "trace_number"),)
    id: Mapped[uuid.UUID] = _pk()
    payer_identifier: Mapped[str] = mapped_column(String(80))  # TRN03 (or N1*PR's id)
    payer_name: Mapped[str] = mapped_column(String(200))
    payee_name: Mapped[str] = mapped_column(String(200))
    payee_identifier: Mapped[str | None] = mapped_column(String(80))
    trace_number: Mapped[str] = mapped_column(String(80))  # TRN02: check or EFT trace number
    control_number: Mapped[str] = mapped_column(String(9))  # ST02
    handling_code: Mapped[str] = mapped_column(String(2))  # BPR01
    payment_amount: Mapped[Decimal] = mapped_column(Money)  # BPR02
    credit_debit: Mapped[str] = mapped_column(String(1))  # BPR03
    payment_method: Mapped[str] = mapped_column(String(3))  # BPR04
    payment_date: Mapped[date | None] = mapped_column(Date)  # BPR16
    production_date: Mapped[date | None] = mapped_column(Date)  # DTM*405
    file_name: Mapped[str | None] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the transaction's segments
    claim_count: Mapped[int] = mapped_column(Integer)
    findings: Mapped[list] = mapped_column(JSON)  # balancing findings at posting
    posted_at: Mapped[datetime] = mapped_column(Timestamp)


class ClaimPaymentRow(Base):
    __tablename__ = "claim_payments"
    id: Mapped[uuid.UUID] = _pk()
    remittance_id: Mapped[uuid.UUID] = _fk("remittances.id", nullable=False)
    billing_claim_id: Mapped[uuid.UUID] = _fk("billing_claims.id", nullable=False)
    patient_control_number: Mapped[str] = mapped_column(String(38), index=True)  # CLP01
    status_code: Mapped[str] = mapped_column(String(2))  # CLP02
    charge: Mapped[Decimal] = mapped_column(Money)  # CLP03
    paid: Mapped[Decimal] = mapped_column(Money)  # CLP04
    patient_responsibility: Mapped[Decimal] = mapped_column(Money)  # CLP05
    filing_indicator: Mapped[str] = mapped_column(String(2))  # CLP06
    payer_claim_number: Mapped[str | None] = mapped_column(String(50))  # CLP07
    facility_code: Mapped[str | None] = mapped_column(String(2))  # CLP08
    frequency: Mapped[str | None] = mapped_column(String(1))  # CLP09
    segment_index: Mapped[int] = mapped_column(Integer)
    posted_at: Mapped[datetime] = mapped_column(Timestamp)


class ServicePaymentRow(Base):
    __tablename__ = "service_payments"
    id: Mapped[uuid.UUID] = _pk()
    claim_payment_id: Mapped[uuid.UUID] = _fk("claim_payments.id", nullable=False)
    procedure_qualifier: Mapped[str] = mapped_column(String(2))  # SVC01-1
    procedure_code: Mapped[str] = mapped_column(String(48))  # SVC01-2
    modifiers: Mapped[list] = mapped_column(JSON)
    charge: Mapped[Decimal] = mapped_column(Money)  # SVC02
    paid: Mapped[Decimal] = mapped_column(Money)  # SVC03
    revenue_code: Mapped[str | None] = mapped_column(String(48))  # SVC04
    units: Mapped[Decimal | None] = mapped_column(Numeric(15, 3))  # SVC05
    allowed: Mapped[Decimal | None] = mapped_column(Money)  # AMT*B6
    date_of_service: Mapped[date | None] = mapped_column(Date)
    line_control_number: Mapped[str | None] = mapped_column(String(50))  # REF*6R
    segment_index: Mapped[int] = mapped_column(Integer)


class AdjustmentRow(Base):
    """A CAS triplet at claim level (``service_payment_id`` empty) or line level."""

    __tablename__ = "payment_adjustments"
    id: Mapped[uuid.UUID] = _pk()
    claim_payment_id: Mapped[uuid.UUID] = _fk("claim_payments.id", nullable=False)
    service_payment_id: Mapped[uuid.UUID | None] = _fk("service_payments.id")
    group_code: Mapped[str] = mapped_column(String(2))  # CAS01
    reason_code: Mapped[str] = mapped_column(String(5), index=True)  # CARC
    amount: Mapped[Decimal] = mapped_column(Money)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(15, 3))
    segment_index: Mapped[int] = mapped_column(Integer)


class RemarkRow(Base):
    """A RARC from MOA / MIA (claim level) or LQ*HE (line level)."""

    __tablename__ = "payment_remarks"
    id: Mapped[uuid.UUID] = _pk()
    claim_payment_id: Mapped[uuid.UUID] = _fk("claim_payments.id", nullable=False)
    service_payment_id: Mapped[uuid.UUID | None] = _fk("service_payments.id")
    source: Mapped[str] = mapped_column(String(3))  # MOA, MIA, LQ
    code: Mapped[str] = mapped_column(String(20))
    segment_index: Mapped[int] = mapped_column(Integer)


class ProviderAdjustmentRow(Base):
    __tablename__ = "provider_adjustments"
    id: Mapped[uuid.UUID] = _pk()
    remittance_id: Mapped[uuid.UUID] = _fk("remittances.id", nullable=False)
    provider_identifier: Mapped[str] = mapped_column(String(80))  # PLB01
    fiscal_period_end: Mapped[date | None] = mapped_column(Date)  # PLB02
    reason_code: Mapped[str] = mapped_column(String(2))  # PLB03-1
    reference: Mapped[str | None] = mapped_column(String(80))  # PLB03-2
    amount: Mapped[Decimal] = mapped_column(Money)
    segment_index: Mapped[int] = mapped_column(Integer)


class AcknowledgmentRow(Base):
    """One answer in a 999 (per functional group / transaction set we sent) or a 277CA (per
    claim), as received; the same file received again is found by its digest and position."""

    __tablename__ = "acknowledgments"
    __table_args__ = (UniqueConstraint("file_sha256", "segment_index"),)
    id: Mapped[uuid.UUID] = _pk()
    kind: Mapped[str] = mapped_column(String(5))  # 999 / 277CA
    batch_id: Mapped[uuid.UUID | None] = _fk("claim_batches.id")
    billing_claim_id: Mapped[uuid.UUID | None] = _fk("billing_claims.id")
    reference: Mapped[str] = mapped_column(String(80))  # GS06/ST02 we sent, or the CLM01
    status: Mapped[str] = mapped_column(String(24))  # domain.remittance.AckStatus
    codes: Mapped[list] = mapped_column(JSON)  # IK5/AK9 codes and errors, or STC codes
    file_name: Mapped[str | None] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    segment_index: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(Timestamp)

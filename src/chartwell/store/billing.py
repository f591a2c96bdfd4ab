"""The claims Chartwell builds and sends: claims (with the claim as built, its scrubber findings
and where it stands), batches of exported claims, and the X12 control numbers already used.

A claim is kept as the document it was built from (``document``: the domain Claim as JSON) so
what was sent can always be shown again; the columns are what worklists filter and sort on.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from chartwell.store.tables import Base, Money, Timestamp, _fk, _pk


class BillingClaimRow(Base):
    __tablename__ = "billing_claims"
    id: Mapped[uuid.UUID] = _pk()
    patient_control_number: Mapped[str] = mapped_column(String(38), unique=True)  # CLM01 (max 38)
    kind: Mapped[str] = mapped_column(String(4))  # 837P / 837I
    frequency: Mapped[str] = mapped_column(String(1))  # 1 original, 7 replacement, 8 void
    status: Mapped[str] = mapped_column(String(20), index=True)  # domain.claims.ClaimStatus
    encounter_id: Mapped[uuid.UUID | None] = _fk("encounters.id")
    patient_id: Mapped[uuid.UUID | None] = _fk("patients.id")
    payer_identifier: Mapped[str] = mapped_column(String(80), index=True)  # the payer's id (NM109)
    payer_name: Mapped[str] = mapped_column(String(200))
    payer_claim_number: Mapped[str | None] = mapped_column(String(50))  # from the 835 (CLP07)
    replaces_claim_id: Mapped[uuid.UUID | None] = _fk("billing_claims.id")
    total_charge: Mapped[Decimal] = mapped_column(Money)
    balance: Mapped[Decimal] = mapped_column(Money)  # charge - paid - adjusted (postings)
    first_date_of_service: Mapped[datetime | None] = mapped_column(Timestamp)
    document: Mapped[dict] = mapped_column(JSON)  # the Claim as built
    findings: Mapped[list] = mapped_column(JSON)  # the scrubber's findings at the last scrub
    batch_id: Mapped[uuid.UUID | None] = _fk("claim_batches.id")
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)


class ClaimBatchRow(Base):
    """One exported 837 file: its interchange and group control numbers, never reused."""

    __tablename__ = "claim_batches"
    id: Mapped[uuid.UUID] = _pk()
    kind: Mapped[str] = mapped_column(String(4))
    interchange_control_number: Mapped[int] = mapped_column(Integer, unique=True)  # ISA13
    group_control_number: Mapped[int] = mapped_column(Integer)  # GS06
    claim_count: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))  # exported / accepted / rejected / partial
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class ControlNumberRow(Base):
    """The last X12 control number used per kind (ISA13, GS06, ST02): one row each, locked while
    a batch takes its numbers, so two exports can never send the same number."""

    __tablename__ = "x12_control_numbers"
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)

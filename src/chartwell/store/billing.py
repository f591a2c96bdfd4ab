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


# -- reads and writes the claim services use (services/claims.py) ----------------------------

from sqlalchemy import select, update  # noqa: E402

from chartwell.domain import records as d  # noqa: E402
from chartwell.store import tables as t  # noqa: E402

CONTROL_KINDS = ("ISA13", "GS06")  # interchange and group control numbers, one sequence each


def charges_of_encounter(session, encounter_id: uuid.UUID) -> list[d.Charge]:
    rows = session.scalars(select(t.ChargeRow).where(t.ChargeRow.encounter_id == encounter_id)
                           .order_by(t.ChargeRow.service_date, t.ChargeRow.id))
    return [d.Charge(id=r.id, patient_id=r.patient_id, encounter_id=r.encounter_id, code=r.code,
                     code_system=r.code_system, amount=r.amount, source_key=r.source_key,
                     description=r.description, revenue_code=r.revenue_code, units=r.units,
                     service_date=r.service_date) for r in rows]


def providers_by_id(session, ids) -> dict[uuid.UUID, d.Provider]:
    ids = list(set(ids))
    if not ids:
        return {}
    rows = session.scalars(select(t.ProviderRow).where(t.ProviderRow.id.in_(ids)))
    return {r.id: d.Provider(id=r.id, family_name=r.family_name, given_name=r.given_name,
                             npi=r.npi, taxonomy_code=r.taxonomy_code) for r in rows}


def payer_of(session, payer_id: uuid.UUID | None) -> d.Payer | None:
    row = session.get(t.PayerRow, payer_id) if payer_id else None
    return None if row is None else d.Payer(id=row.id, name=row.name,
                                            payer_identifier=row.payer_identifier,
                                            category=row.category)


def coverage_of(session, coverage_id: uuid.UUID | None, patient_id: uuid.UUID,
                payer_id: uuid.UUID | None) -> d.Coverage | None:
    """The encounter's coverage, else the patient's coverage with the encounter's payer, else
    the patient's primary coverage."""
    row = session.get(t.CoverageRow, coverage_id) if coverage_id else None
    if row is None:
        query = select(t.CoverageRow).where(t.CoverageRow.patient_id == patient_id)
        if payer_id:
            query = query.where(t.CoverageRow.payer_id == payer_id)
        row = session.scalars(query.order_by(t.CoverageRow.priority)).first()
    if row is None:
        return None
    return d.Coverage(id=row.id, patient_id=row.patient_id, payer_id=row.payer_id,
                      member_id=row.member_id, group_number=row.group_number,
                      plan_name=row.plan_name, relationship=row.relationship,
                      subscriber_name=row.subscriber_name, priority=row.priority)


def claim_row_by_control_number(session, number: str) -> BillingClaimRow | None:
    return session.scalars(select(BillingClaimRow).where(
        BillingClaimRow.patient_control_number == number)).first()


def claim_rows(session, *, status: str | None = None, kind: str | None = None,
               limit: int = 100, offset: int = 0, for_update: bool = False) -> list[BillingClaimRow]:
    query = select(BillingClaimRow)
    if status:
        query = query.where(BillingClaimRow.status == status)
    if kind:
        query = query.where(BillingClaimRow.kind == kind)
    query = query.order_by(BillingClaimRow.created_at, BillingClaimRow.patient_control_number)
    if for_update:
        query = query.with_for_update()
    return list(session.scalars(query.limit(limit).offset(offset)))


def take_control_numbers(session) -> dict[str, int]:
    """The next interchange and group control numbers, taken under a row lock (SELECT ... FOR
    UPDATE on PostgreSQL; SQLite serialises writers). They belong to the caller's transaction:
    if the export fails the numbers roll back with the batch that never left, so a number that
    was sent is never sent again."""
    taken = {}
    for kind in CONTROL_KINDS:
        row = session.scalars(select(ControlNumberRow).where(ControlNumberRow.kind == kind)
                              .with_for_update()).first()
        if row is None:
            row = ControlNumberRow(kind=kind, last_value=0)
            session.add(row)
            session.flush()
        taken[kind] = row.last_value + 1
        session.execute(update(ControlNumberRow).where(ControlNumberRow.kind == kind)
                        .values(last_value=taken[kind]))
    return taken

"""Use case: post an 835 (``chartwell remit post``, ``POST /api/remittances``).

One file is one unit of work: it is checked whole (the envelope and the 835's shape), every
claim payment is matched to a claim we sent (by patient control number, CLP01 = CLM01), and only
then is anything written, in the caller's transaction, so an error anywhere posts nothing. A
payment already posted (same payer, same trace number TRN02, same content) posts nothing again;
the same trace number with different content is a conflict to look into, not a second payment.

After posting, each claim's balance and status follow from all its postings (see
:func:`claim_standing`). Where the payer's own numbers do not balance (TR3 1.10.2), the posting
still happens, as the payer sent it, and the imbalance is reported as a finding.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chartwell.claims.remittance import balance_findings, read_remittance_file
from chartwell.claims.x12.reader import describe
from chartwell.compliance.roles import Permission
from chartwell.domain.claims import ClaimStatus
from chartwell.domain.remittance import (
    AdjustmentGroup,
    BalanceFinding,
    ClaimPayment,
    ClaimStatusCode,
    Remittance,
)
from chartwell.errors import Conflict, InvalidInput, Position
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.store.billing import BillingClaimRow
from chartwell.store.remittance import (
    AdjustmentRow,
    ClaimPaymentRow,
    ProviderAdjustmentRow,
    RemarkRow,
    RemittanceRow,
    ServicePaymentRow,
)

log = logging.getLogger(__name__)
ZERO = Decimal("0")


@dataclass(slots=True)
class PostedClaim:
    patient_control_number: str
    segment: int
    status_code: str
    paid: Decimal
    claim_status: str  # the billing claim's status after posting
    balance: Decimal


@dataclass(slots=True)
class PostedRemittance:
    control_number: str
    trace_number: str
    payer_identifier: str
    payer_name: str
    payment_amount: Decimal
    already_posted: bool
    claims: list[PostedClaim] = field(default_factory=list)
    provider_adjustments: Decimal = ZERO
    findings: list[BalanceFinding] = field(default_factory=list)
    remittance_id: uuid.UUID | None = None


@dataclass(slots=True)
class PostingResult:
    file_name: str | None
    file_sha256: str
    remittances: list[PostedRemittance]
    validation: list[str] = field(default_factory=list)  # the validator's element-level notes

    @property
    def posted(self) -> int:
        return sum(not r.already_posted for r in self.remittances)

    @property
    def balanced(self) -> bool:
        return not any(r.findings for r in self.remittances)

    def to_json(self) -> dict:
        return {
            "file": self.file_name, "sha256": self.file_sha256,
            "posted": self.posted, "already_posted": len(self.remittances) - self.posted,
            "balanced": self.balanced, "validation": self.validation,
            "remittances": [_remittance_json(r) for r in self.remittances],
        }


def _remittance_json(posted: PostedRemittance) -> dict:
    return {
        "control_number": posted.control_number, "trace_number": posted.trace_number,
        "payer_identifier": posted.payer_identifier, "payer_name": posted.payer_name,
        "payment_amount": str(posted.payment_amount), "already_posted": posted.already_posted,
        "provider_adjustments": str(posted.provider_adjustments),
        "claims": [{"patient_control_number": c.patient_control_number, "segment": c.segment,
                    "claim_status_code": c.status_code, "paid": str(c.paid),
                    "status": c.claim_status, "balance": str(c.balance)} for c in posted.claims],
        "findings": [{"rule": f.rule, "segment": f.segment, "segment_id": f.segment_id,
                      "expected": str(f.expected), "actual": str(f.actual),
                      "message": f.message, "source": f.source} for f in posted.findings],
    }


def post_remittance(*, session: Session, actor: Actor, data: bytes,
                    file_name: str | None = None) -> PostingResult:
    """Post every 835 transaction set in ``data``; all or nothing."""
    audit.authorize(session, actor, Permission.REMIT_POST, resource_type="Remittance")
    sha256 = hashlib.sha256(data).hexdigest()
    read = read_remittance_file(data, file_name)
    remittances = read.remittances
    claims = _claims_of(session, remittances, file_name)
    results = []
    for remittance in remittances:
        existing = _already_posted(session, remittance, file_name)
        if existing is not None:
            results.append(_posted_before(existing, remittance))
            continue
        results.append(_post_one(session, remittance, claims, file_name, sha256))
    audit.record(session, actor, "remittance.post", resource_type="Remittance",
                 details={"sha256": sha256, "transactions": len(results),
                          "posted": sum(not r.already_posted for r in results),
                          "claims": sum(len(r.claims) for r in results),
                          "findings": sum(len(r.findings) for r in results)})
    log.info("835 posted: %d transaction sets, %d new", len(results),
             sum(not r.already_posted for r in results))
    return PostingResult(file_name, sha256, results, [describe(note) for note in read.notes])


def _claims_of(session: Session, remittances: list[Remittance],
               file_name: str | None) -> dict[str, BillingClaimRow]:
    """The claims the 835 pays, by patient control number; an unknown one stops the posting,
    naming the CLP segment (not the account number: it can identify the patient)."""
    wanted = {c.patient_control_number for r in remittances for c in r.claims}
    rows = session.scalars(select(BillingClaimRow).where(
        BillingClaimRow.patient_control_number.in_(wanted))).all() if wanted else []
    found = {row.patient_control_number: row for row in rows}
    for remittance in remittances:
        for claim in remittance.claims:
            if claim.patient_control_number not in found:
                raise InvalidInput(
                    "CLP: the claim payment names a patient control number (CLP01) that matches "
                    "no claim we sent; nothing in the file was posted",
                    Position(file=file_name, segment=claim.segment, field="CLP01"))
    return found


def _already_posted(session: Session, remittance: Remittance,
                    file_name: str | None) -> RemittanceRow | None:
    row = session.scalars(select(RemittanceRow).where(
        RemittanceRow.payer_identifier == remittance.payer_identifier,
        RemittanceRow.trace_number == remittance.trace_number)).first()
    if row is not None and row.digest != remittance.digest:
        raise Conflict("TRN: this payer's trace number (TRN02) was already posted from a "
                       "different remittance; nothing in the file was posted",
                       Position(file=file_name, segment=remittance.first_segment + 2,
                                field="TRN02"))
    return row


def _posted_before(row: RemittanceRow, remittance: Remittance) -> PostedRemittance:
    return PostedRemittance(remittance.control_number, remittance.trace_number,
                            remittance.payer_identifier, remittance.payer_name,
                            remittance.payment_amount, already_posted=True,
                            remittance_id=row.id)


def _post_one(session: Session, remittance: Remittance, claims: dict[str, BillingClaimRow],
              file_name: str | None, sha256: str) -> PostedRemittance:
    now = datetime.now(UTC)
    findings = balance_findings(remittance)
    row = RemittanceRow(
        id=uuid.uuid4(), payer_identifier=remittance.payer_identifier,
        payer_name=remittance.payer_name[:200], payee_name=remittance.payee_name[:200],
        payee_identifier=remittance.payee_identifier, trace_number=remittance.trace_number,
        control_number=remittance.control_number, handling_code=remittance.handling_code,
        payment_amount=remittance.payment_amount, credit_debit=remittance.credit_debit,
        payment_method=remittance.payment_method, payment_date=remittance.payment_date,
        production_date=remittance.production_date, file_name=file_name, file_sha256=sha256,
        digest=remittance.digest, claim_count=len(remittance.claims),
        findings=[{"rule": f.rule, "segment": f.segment, "message": f.message} for f in findings],
        posted_at=now)
    rows = _Rows()
    rows.parents.append(row)
    rows.children.extend(ProviderAdjustmentRow(
        remittance_id=row.id, provider_identifier=a.provider_identifier,
        fiscal_period_end=a.fiscal_period_end, reason_code=a.reason, reference=a.reference,
        amount=a.amount, segment_index=a.segment) for a in remittance.provider_adjustments)
    for claim in remittance.claims:
        _claim_payment_rows(rows, row.id, claim, claims[claim.patient_control_number], now)
    rows.write(session)
    posted = PostedRemittance(
        remittance.control_number, remittance.trace_number, remittance.payer_identifier,
        remittance.payer_name, remittance.payment_amount, already_posted=False,
        provider_adjustments=sum((a.amount for a in remittance.provider_adjustments), ZERO),
        findings=findings, remittance_id=row.id)
    for claim in remittance.claims:
        billing = claims[claim.patient_control_number]
        update_claim_standing(session, billing, claim, now)
        posted.claims.append(PostedClaim(claim.patient_control_number, claim.segment,
                                         claim.status_code, claim.paid, billing.status,
                                         billing.balance))
    return posted


@dataclass(slots=True)
class _Rows:
    """The rows of one posting by level, written parents first (the tables reference each
    other by foreign key and the store checks them at once)."""

    parents: list = field(default_factory=list)  # the remittance
    payments: list = field(default_factory=list)  # claim payments
    services: list = field(default_factory=list)  # service payments
    children: list = field(default_factory=list)  # adjustments, remarks, PLBs

    def write(self, session: Session) -> None:
        for level in (self.parents, self.payments, self.services, self.children):
            session.add_all(level)
            session.flush()


def _claim_payment_rows(rows: _Rows, remittance_id: uuid.UUID, claim: ClaimPayment,
                        billing: BillingClaimRow, now: datetime) -> None:
    payment = ClaimPaymentRow(
        id=uuid.uuid4(), remittance_id=remittance_id, billing_claim_id=billing.id,
        patient_control_number=claim.patient_control_number, status_code=claim.status_code,
        charge=claim.charge, paid=claim.paid, patient_responsibility=claim.patient_responsibility,
        filing_indicator=claim.filing_indicator, payer_claim_number=claim.payer_claim_number,
        facility_code=claim.facility_code, frequency=claim.frequency,
        segment_index=claim.segment, posted_at=now)
    rows.payments.append(payment)
    _detail_rows(rows, payment.id, None, claim.adjustments, claim.remarks)
    for line in claim.services:
        service = ServicePaymentRow(
            id=uuid.uuid4(), claim_payment_id=payment.id,
            procedure_qualifier=line.procedure_qualifier, procedure_code=line.procedure_code,
            modifiers=list(line.modifiers), charge=line.charge, paid=line.paid,
            revenue_code=line.revenue_code, units=line.units, allowed=line.allowed,
            date_of_service=line.date_of_service, line_control_number=line.line_control_number,
            segment_index=line.segment)
        rows.services.append(service)
        _detail_rows(rows, payment.id, service.id, line.adjustments, line.remarks)


def _detail_rows(rows: _Rows, payment_id: uuid.UUID, service_id: uuid.UUID | None,
                 adjustments, remarks) -> None:
    rows.children.extend(AdjustmentRow(
        claim_payment_id=payment_id, service_payment_id=service_id, group_code=a.group,
        reason_code=a.reason, amount=a.amount, quantity=a.quantity, segment_index=a.segment)
        for a in adjustments)
    rows.children.extend(RemarkRow(
        claim_payment_id=payment_id, service_payment_id=service_id, source=r.source,
        code=r.code, segment_index=r.segment) for r in remarks)


# -- the claim's balance and status ----------------------------------------------------------


def update_claim_standing(session: Session, billing: BillingClaimRow, latest: ClaimPayment,
                          now: datetime) -> None:
    """Recompute the claim's balance and status from every posting it has (so a reversal and
    its correction, in one file or two, net out), and keep the payer's claim number."""
    paid, written_off = _posted_totals(session, billing.id)
    billing.balance = billing.total_charge - paid - written_off
    billing.status = claim_standing(latest, paid, billing.balance)
    if latest.payer_claim_number and not latest.is_reversal:
        billing.payer_claim_number = latest.payer_claim_number[:50]
    billing.updated_at = now


def _posted_totals(session: Session, claim_id: uuid.UUID) -> tuple[Decimal, Decimal]:
    """The payer's net payments on the claim, and the adjustments the provider writes off (every
    group except patient responsibility, which stays owed, by the patient)."""
    paid = session.scalar(select(func.coalesce(func.sum(ClaimPaymentRow.paid), 0)).where(
        ClaimPaymentRow.billing_claim_id == claim_id))
    written_off = session.scalar(
        select(func.coalesce(func.sum(AdjustmentRow.amount), 0))
        .join(ClaimPaymentRow, AdjustmentRow.claim_payment_id == ClaimPaymentRow.id)
        .where(ClaimPaymentRow.billing_claim_id == claim_id,
               AdjustmentRow.group_code != AdjustmentGroup.PATIENT))
    return Decimal(str(paid)), Decimal(str(written_off))


def claim_standing(latest: ClaimPayment, net_paid: Decimal, balance: Decimal) -> str:
    """Where the claim stands after its postings (domain.claims.ClaimStatus):

    - reversed: the latest posting is a reversal (CLP02 22) and nothing remains paid;
    - denied: the payer says so (CLP02 4), or nothing is paid and a balance remains that is not
      the patient's alone;
    - paid: nothing left to collect (payment plus write-offs cover the charge);
    - partially paid: paid, with a balance left (patient share or an underpayment), or paid
      nothing because the whole allowed amount is the patient's (deductible).
    """
    if latest.status_code == ClaimStatusCode.REVERSAL and net_paid == ZERO:
        return ClaimStatus.REVERSED.value
    if latest.is_denial:
        return ClaimStatus.DENIED.value
    if balance <= ZERO:
        return ClaimStatus.PAID.value
    if net_paid > ZERO or any(a.is_patient_responsibility for a in latest.all_adjustments()):
        return ClaimStatus.PARTIALLY_PAID.value
    return ClaimStatus.DENIED.value

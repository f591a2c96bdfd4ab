"""Use case: record an acknowledgment (``chartwell remit ack``, ``POST /api/acknowledgments``).

A 999 answers for a batch we exported (matched by its functional group control number, AK102 =
our GS06): the batch becomes accepted, rejected or partial, and a wholly accepted or rejected
batch moves its claims that are still ``exported`` to accepted or rejected. A 277CA answers per
claim (matched by patient control number, TRN02 of loop 2200D): A2 accepts it into adjudication,
A3/A4/A6/A7/A8 reject it (back to the biller), A0/A1/A5 leave it where it is. A claim that has
moved on (paid, denied) is not moved back by a late acknowledgment. The same file received
twice records nothing twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from chartwell.claims.acks import read_acknowledgment
from chartwell.compliance.roles import Permission
from chartwell.domain.claims import ClaimStatus
from chartwell.domain.remittance import AckStatus, ClaimAck, FunctionalGroupAck
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.store.billing import BillingClaimRow, ClaimBatchRow
from chartwell.store.remittance import AcknowledgmentRow

_MOVABLE = {ClaimStatus.EXPORTED.value, ClaimStatus.ACCEPTED.value, ClaimStatus.REJECTED.value,
            ClaimStatus.QUEUED.value}
"""Claim statuses an acknowledgment may change (later ones come from the 835)."""


@dataclass(slots=True)
class AckItem:
    level: str  # group, transaction_set, claim
    reference: str  # GS06 / ST02 / patient control number
    status: str
    codes: list[str]
    matched: str | None  # "batch <id>", "claim now rejected"; None when nothing here matches
    segment: int


@dataclass(slots=True)
class AckResult:
    file_name: str | None
    kind: str
    already_recorded: bool
    items: list[AckItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return any(item.status == AckStatus.REJECTED.value for item in self.items)

    def to_json(self) -> dict:
        return {"file": self.file_name, "kind": self.kind,
                "already_recorded": self.already_recorded, "rejected": self.rejected,
                "items": [{"level": i.level, "reference": i.reference, "status": i.status,
                           "codes": i.codes, "matched": i.matched, "segment": i.segment}
                          for i in self.items],
                "notes": self.notes}


def record_acknowledgment(*, session: Session, actor: Actor, data: bytes,
                          file_name: str | None = None) -> AckResult:
    audit.authorize(session, actor, Permission.REMIT_POST, resource_type="Acknowledgment")
    sha256 = hashlib.sha256(data).hexdigest()
    received = read_acknowledgment(data, file_name)
    already = session.scalar(select(AcknowledgmentRow.id).where(
        AcknowledgmentRow.file_sha256 == sha256).limit(1)) is not None
    result = AckResult(file_name, received.kind, already)
    now = datetime.now(UTC)
    for group in received.groups:
        _group(session, result, group, sha256, file_name, now)
    for claim in received.claims:
        _claim(session, result, claim, sha256, file_name, now)
    if already:
        result.notes.append("this file was recorded before: nothing was changed again")
    audit.record(session, actor, "acknowledgment.record", resource_type="Acknowledgment",
                 details={"kind": received.kind, "sha256": sha256, "items": len(result.items),
                          "already_recorded": already})
    return result


def _group(session: Session, result: AckResult, group: FunctionalGroupAck, sha256: str,
           file_name: str | None, now: datetime) -> None:
    batch = _batch(session, group.group_control_number)
    codes = [f"AK9 {group.code}"] + [f"AK2 {t.control_number} IK5 {t.code}" for t in group.transactions]
    codes += [error for t in group.transactions for error in t.errors]
    matched = f"batch {batch.id}" if batch else None
    if not result.already_recorded:
        session.add(AcknowledgmentRow(
            kind="999", batch_id=batch.id if batch else None, reference=group.group_control_number,
            status=group.status.value, codes=codes, file_name=file_name, file_sha256=sha256,
            segment_index=group.segment, received_at=now))
        if batch is not None:
            matched = _apply_999(session, batch, group, now)
    result.items.append(AckItem("group", group.group_control_number, group.status.value, codes,
                                matched, group.segment))
    for txn in group.transactions:
        result.items.append(AckItem("transaction_set", txn.control_number, txn.status.value,
                                    [f"IK5 {txn.code}", *txn.errors], matched, txn.segment))
    if batch is None:
        result.notes.append(f"AK1 at segment {group.segment}: no exported batch has group "
                            f"control number {group.group_control_number}")


def _batch(session: Session, group_control_number: str) -> ClaimBatchRow | None:
    try:
        number = int(group_control_number)
    except ValueError:
        return None
    return session.scalars(select(ClaimBatchRow).where(
        ClaimBatchRow.group_control_number == number)
        .order_by(ClaimBatchRow.created_at.desc())).first()


def _apply_999(session: Session, batch: ClaimBatchRow, group: FunctionalGroupAck,
               now: datetime) -> str:
    statuses = {t.status for t in group.transactions} or {group.status}
    if statuses <= {AckStatus.ACCEPTED, AckStatus.ACCEPTED_WITH_ERRORS}:
        batch.status, claim_status = "accepted", ClaimStatus.ACCEPTED.value
    elif statuses == {AckStatus.REJECTED}:
        batch.status, claim_status = "rejected", ClaimStatus.REJECTED.value
    else:
        batch.status, claim_status = "partial", None  # which claims were in which set: 277CA
    moved = 0
    if claim_status is not None:
        for claim in session.scalars(select(BillingClaimRow).where(
                BillingClaimRow.batch_id == batch.id)):
            if claim.status == ClaimStatus.EXPORTED.value:
                claim.status, claim.updated_at, moved = claim_status, now, moved + 1
    return f"batch {batch.id} now {batch.status}; {moved} claim(s) moved"


def _claim(session: Session, result: AckResult, ack: ClaimAck, sha256: str,
           file_name: str | None, now: datetime) -> None:
    claim = session.scalars(select(BillingClaimRow).where(
        BillingClaimRow.patient_control_number == ack.patient_control_number)).first()
    matched = None
    if not result.already_recorded:
        session.add(AcknowledgmentRow(
            kind="277CA", billing_claim_id=claim.id if claim else None,
            reference=ack.patient_control_number[:80], status=ack.status.value,
            codes=list(ack.codes), file_name=file_name, file_sha256=sha256,
            segment_index=ack.segment, received_at=now))
    if claim is None:
        result.notes.append(f"TRN at segment {ack.segment}: no claim we sent has this patient "
                            "control number")
    elif not result.already_recorded:
        matched = _apply_277ca(claim, ack, now)
    else:
        matched = f"claim {claim.status}"
    result.items.append(AckItem("claim", ack.patient_control_number, ack.status.value,
                                list(ack.codes), matched, ack.segment))


def _apply_277ca(claim: BillingClaimRow, ack: ClaimAck, now: datetime) -> str:
    if ack.payer_claim_number and not claim.payer_claim_number:
        claim.payer_claim_number = ack.payer_claim_number[:50]
    target = {AckStatus.ACCEPTED: ClaimStatus.ACCEPTED.value,
              AckStatus.REJECTED: ClaimStatus.REJECTED.value}.get(ack.status)
    if target is None or claim.status not in _MOVABLE:
        return f"claim {claim.status} (unchanged)"
    claim.status, claim.updated_at = target, now
    return f"claim now {target}"

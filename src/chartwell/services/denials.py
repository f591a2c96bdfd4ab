"""Use case: the denial worklist (``chartwell remit denials``, ``GET /api/denials``, the denials
page): denied and underpaid claims with their adjustment reasons (CARC) and remarks (RARC),
described from the installed code lists, grouped by reason, payer and age, each with its next
action (:mod:`chartwell.claims.denials`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chartwell.claims import denials as rules
from chartwell.codesets.adjustment_codes import AdjustmentCodeList, AdjustmentCode, describe
from chartwell.codesets.model import TableSet
from chartwell.compliance.roles import Permission
from chartwell.domain.claims import ClaimStatus
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.store.billing import BillingClaimRow
from chartwell.store.remittance import (
    AdjustmentRow,
    ClaimPaymentRow,
    RemarkRow,
    ServicePaymentRow,
)

ZERO = Decimal("0")


@dataclass(slots=True)
class CodeLists:
    """The newest installed CARC and RARC lists (None where none is installed): each code's own
    start and stop dates decide whether it applied on a date."""

    carc: dict[str, AdjustmentCode] | None
    rarc: dict[str, AdjustmentCode] | None
    versions: dict[str, str]

    def describe_carc(self, code: str, on: date | None = None) -> str:
        return describe(self.carc, code, on)

    def describe_rarc(self, code: str, on: date | None = None) -> str:
        return describe(self.rarc, code, on)


def code_lists(session: Session) -> CodeLists:
    from chartwell.services.codesets import artifact_for, installed_releases

    releases = installed_releases(session)
    found: dict[TableSet, dict[str, AdjustmentCode] | None] = {}
    versions: dict[str, str] = {}
    for system in (TableSet.CARC, TableSet.RARC):
        mine = [r for r in releases if r.system == system]
        if not mine:
            found[system] = None
            continue
        newest = max(mine, key=lambda r: r.effective_start)
        found[system] = AdjustmentCodeList(artifact_for(session, newest)).codes
        versions[str(system)] = newest.version
    return CodeLists(found[TableSet.CARC], found[TableSet.RARC], versions)


@dataclass(slots=True)
class Worklist:
    items: list[rules.WorkItem]
    as_of: date
    code_lists: dict[str, str]

    def to_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(), "code_lists": self.code_lists,
            "items": [_item_json(item) for item in self.items],
            "by_reason": _groups_json(rules.grouped(self.items, lambda i: i.reason_key)),
            "by_payer": _groups_json(rules.grouped(self.items, lambda i: i.payer_name or i.payer_identifier)),
            "by_age": _groups_json(rules.by_age(self.items)),
            "rules": [_rule_json(rule) for rule in (*rules.NEXT_ACTION_RULES, rules.UNDERPAID)],
        }


def _rule_json(rule: rules.NextActionRule) -> dict:
    return {"id": rule.id, "action": rule.action.value, "title": rule.title,
            "groups": sorted(rule.groups), "reasons": sorted(rule.reasons),
            "rationale": rule.rationale, "source": rule.source}


def _item_json(item: rules.WorkItem) -> dict:
    return {
        "claim_id": item.claim_id, "patient_control_number": item.patient_control_number,
        "payer_name": item.payer_name, "payer_identifier": item.payer_identifier,
        "payer_claim_number": item.payer_claim_number, "status": item.status,
        "total_charge": str(item.total_charge), "paid": str(item.paid),
        "balance": str(item.balance), "underpaid": str(item.underpaid),
        "at_stake": str(item.at_stake), "age_days": item.age_days, "age_bucket": item.age_bucket,
        "reason": item.reason_key,
        "adjustments": [{"group": a.group, "code": a.code, "amount": str(a.amount),
                         "description": a.description} for a in item.adjustments],
        "remarks": [{"code": r.code, "description": r.description} for r in item.remarks],
        "next_action": {"rule": item.next_action.id, "action": item.next_action.action.value,
                        "title": item.next_action.title,
                        "rationale": item.next_action.rationale,
                        "source": item.next_action.source},
    }


def _groups_json(groups: list[rules.Group]) -> list[dict]:
    return [{"key": g.key, "count": len(g.items), "amount": str(g.amount),
             "items": [_item_json(item) for item in g.items]} for g in groups]


def worklist(*, session: Session, actor: Actor, today: date | None = None,
             older_than_days: int | None = None) -> Worklist:
    audit.authorize(session, actor, Permission.CLAIM_READ, resource_type="DenialWorklist")
    today = today or date.today()
    lists = code_lists(session)
    claims = session.scalars(select(BillingClaimRow).where(BillingClaimRow.status.in_(
        (ClaimStatus.DENIED.value, ClaimStatus.PARTIALLY_PAID.value, ClaimStatus.PAID.value)))
        .order_by(BillingClaimRow.created_at)).all()
    items = []
    for claim in claims:
        facts = claim_facts(session, claim)
        if not rules.needs_work(facts):
            continue
        item = rules.work_item(facts, today, lists.describe_carc, lists.describe_rarc)
        if older_than_days is None or item.age_days >= older_than_days:
            items.append(item)
    audit.record(session, actor, "denials.list", resource_type="DenialWorklist",
                 details={"items": len(items)})
    return Worklist(items, today, lists.versions)


def claim_facts(session: Session, claim: BillingClaimRow) -> rules.ClaimFacts:
    """The claim and its postings as the worklist reads them: adjustments netted per group and
    reason across postings (a reversal cancels what it reverses), remarks of the postings that
    still stand, the allowed amount of the latest payment."""
    payments = session.scalars(select(ClaimPaymentRow).where(
        ClaimPaymentRow.billing_claim_id == claim.id).order_by(ClaimPaymentRow.posted_at,
                                                               ClaimPaymentRow.segment_index)).all()
    ids = [p.id for p in payments]
    netted = session.execute(
        select(AdjustmentRow.group_code, AdjustmentRow.reason_code, func.sum(AdjustmentRow.amount))
        .where(AdjustmentRow.claim_payment_id.in_(ids))
        .group_by(AdjustmentRow.group_code, AdjustmentRow.reason_code)).all() if ids else []
    latest = next((p for p in reversed(payments) if p.status_code != "22"), None)
    remarks: list[str] = []
    allowed = None
    if latest is not None:
        remarks = list(dict.fromkeys(session.scalars(select(RemarkRow.code).where(
            RemarkRow.claim_payment_id == latest.id).order_by(RemarkRow.segment_index))))
        allowed = session.scalar(select(func.sum(ServicePaymentRow.allowed)).where(
            ServicePaymentRow.claim_payment_id == latest.id))
    return rules.ClaimFacts(
        claim_id=str(claim.id), patient_control_number=claim.patient_control_number,
        payer_name=claim.payer_name, payer_identifier=claim.payer_identifier,
        payer_claim_number=claim.payer_claim_number, status=claim.status,
        total_charge=claim.total_charge, balance=claim.balance,
        paid=sum((p.paid for p in payments), ZERO),
        allowed=Decimal(str(allowed)) if allowed is not None else None,
        date_of_service=(claim.first_date_of_service.date() if claim.first_date_of_service
                         else claim.created_at.date()),
        adjustments=tuple((g, r, Decimal(str(a))) for g, r, a in netted if Decimal(str(a)) != ZERO),
        remarks=tuple(remarks))

"""The denial worklist, pure: which claims need work after their remittances (denied, or paid
less than expected), grouped by reason, payer and age, each with the next action a billing
specialist takes and why.

The next action comes from declared rules (:data:`NEXT_ACTION_RULES`), each matching adjustment
group / reason codes (CARC) and citing its source, so the list can be read and argued with. The
first rule matching the claim's main adjustment (the largest one that is not the patient's)
decides; a claim paid less than its allowed amount with nothing explaining the gap is
"underpaid" and goes to appeal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0")


class Action(StrEnum):
    CORRECT_AND_RESUBMIT = "correct_and_resubmit"  # a replacement claim, frequency 7
    APPEAL = "appeal"
    WRITE_OFF = "write_off"
    REVIEW_CODING = "review_coding"  # NCCI bundling / modifier review, then resubmit or write off
    BILL_PATIENT = "bill_patient"
    BILL_OTHER_PAYER = "bill_other_payer"  # coordination of benefits
    VERIFY_ELIGIBILITY = "verify_eligibility"
    REVIEW = "review"  # no rule: a person decides


@dataclass(frozen=True, slots=True)
class NextActionRule:
    id: str
    groups: frozenset[str]  # CAS01 group codes the rule applies to ("*" any)
    reasons: frozenset[str]  # CARC codes
    action: Action
    title: str
    rationale: str
    source: str

    def matches(self, group: str, reason: str) -> bool:
        return ("*" in self.groups or group in self.groups) and reason in self.reasons


def _rule(id: str, groups: str, reasons: str, action: Action, title: str, rationale: str,
          source: str) -> NextActionRule:
    return NextActionRule(id, frozenset(groups.split()), frozenset(reasons.split()), action,
                          title, rationale, source)


NEXT_ACTION_RULES: tuple[NextActionRule, ...] = (
    _rule("missing-or-invalid-information", "CO OA PI", "16 4 5 6 7 8 9 10 11 12 13 125 146 181 "
          "182 189 206 207 208 252 A1",
          Action.CORRECT_AND_RESUBMIT, "Correct the claim and resubmit it as a replacement (frequency 7)",
          "The payer could not adjudicate the claim as sent: information missing or inconsistent "
          "(modifier, diagnosis, place of service, age or sex, provider). Fix the field the RARC "
          "names and send a replacement claim (CLM05-3 = 7) quoting the payer claim number "
          "(REF*F8), not a new original, so it is not denied as a duplicate.",
          "X12 CARC 16, 4-13 and RARC usage; 837 claim frequency code 7 (NUBC type-of-bill "
          "third digit); CMS IOM 100-04 ch. 1 sec. 70.7 (corrections)"),
    _rule("medical-necessity", "CO PI", "50 55 56 57 58 150 151 152 167 96",
          Action.APPEAL, "Appeal with the medical record",
          "The payer judged the service not medically necessary, not covered or not supported "
          "at the level billed. The claim was right as billed if the record supports it: send "
          "a redetermination request with the documentation (progress notes, orders, LCD/NCD "
          "criteria met).",
          "X12 CARC 50, 55-58, 150-152, 167; CMS IOM 100-04 ch. 29 (appeals of claims "
          "decisions), 42 CFR 405.940 (redetermination)"),
    _rule("timely-filing", "CO PI", "29",
          Action.WRITE_OFF, "Write off, unless there is proof of timely filing (then appeal)",
          "The claim reached the payer after its filing limit. The provider may not bill the "
          "patient for it; only proof it was sent in time (a 999/277CA acceptance, a clearing-"
          "house report) reopens it.",
          "X12 CARC 29; 42 CFR 424.44 (Medicare: 12 months from the date of service); CMS IOM "
          "100-04 ch. 1 sec. 70"),
    _rule("bundled-or-ncci", "CO PI OA", "97 B15 231 234 236",
          Action.REVIEW_CODING, "Review NCCI bundling and modifiers",
          "The service was paid as part of another (bundled). If the services were distinct "
          "(separate site, encounter or session), add the NCCI-associated modifier (59, XE, XS, "
          "XP, XU) the documentation supports and resubmit as a replacement; otherwise write "
          "off: the provider may not bill the patient.",
          "X12 CARC 97, B15, 236; CMS NCCI Policy Manual ch. I (modifiers 59 and X{EPSU})"),
    _rule("authorization", "CO PI", "15 197 198 243 62",
          Action.APPEAL, "Obtain or produce the authorization, then appeal",
          "The payer found no prior authorization or precertification. If one was obtained, "
          "resubmit with its number (REF*G1); if not, ask the payer for a retroactive one and "
          "appeal.",
          "X12 CARC 15, 62, 197, 198"),
    _rule("coordination-of-benefits", "CO OA PI", "22 23 24 109 B11",
          Action.BILL_OTHER_PAYER, "Bill the primary (or right) payer",
          "The payer says another payer pays first, or that the claim is not theirs. Verify "
          "coverage order (MSP questionnaire) and send the claim to the right payer with the "
          "prior payer's adjudication (COB loops 2320/2430).",
          "X12 CARC 22, 23, 109, B11; 42 CFR 411 subpart B (Medicare secondary payer)"),
    _rule("eligibility", "CO OA PI", "26 27 31 32 33 177 200",
          Action.VERIFY_ELIGIBILITY, "Verify eligibility (270/271), correct and resubmit or bill the patient",
          "The patient was not covered (or not identified) on the date of service. Check the "
          "member id and dates with an eligibility inquiry; correct and resubmit, or bill the "
          "patient when coverage truly lapsed.",
          "X12 CARC 26, 27, 31, 32, 33"),
    _rule("duplicate", "CO OA PI", "18",
          Action.WRITE_OFF, "Check the original claim; write off the duplicate",
          "The payer already has this claim. Follow the original's status; a correction must "
          "be a replacement claim (frequency 7), never the same claim again.",
          "X12 CARC 18"),
    _rule("patient-responsibility", "PR", "1 2 3 66 122 187 201 242",
          Action.BILL_PATIENT, "Bill the patient (or the secondary payer)",
          "Deductible, coinsurance or copay: the payer allowed the service and the amount is the "
          "patient's (or the secondary payer's, if any) to pay.",
          "X12 CARC 1-3 and the PR group code (005010X221A1 TR3 CAS01)"),
    _rule("patient-responsibility-noncovered", "PR", "96 204 B1 49 50",
          Action.BILL_PATIENT, "Bill the patient if a signed advance notice (ABN) is on file",
          "Not covered and the patient's responsibility: bill only with a valid advance "
          "beneficiary notice (modifier GA); otherwise it is the provider's loss.",
          "X12 CARC 96, 204; CMS IOM 100-04 ch. 30 (ABN)"),
)

UNDERPAID = NextActionRule(
    "underpaid", frozenset({"*"}), frozenset(), Action.APPEAL,
    "Appeal the underpayment",
    "The payer paid less than the allowed amount (or than the charge less its stated "
    "adjustments) and no adjustment explains the gap: ask for reprocessing against the contract "
    "fee schedule.",
    "005010X221A1 TR3 1.10.2 (every reduction is explained by a CAS); the payer contract")
FALLBACK = NextActionRule(
    "no-rule", frozenset({"*"}), frozenset(), Action.REVIEW, "Review the denial",
    "No declared rule covers this adjustment reason: read the CARC and RARC and decide.",
    "X12 CARC / RARC lists")


def next_action(adjustments: list[tuple[str, str, Decimal]], underpaid: Decimal) -> NextActionRule:
    """The rule for the claim's main adjustment, or underpaid / no rule. ``adjustments`` are
    (group, reason, amount) triplets of the claim's postings."""
    main = main_adjustment(adjustments)
    if main is not None:
        group, reason, _ = main
        for rule in NEXT_ACTION_RULES:
            if rule.matches(group, reason):
                return rule
    if underpaid > ZERO:
        return UNDERPAID
    return FALLBACK


_ROUTINE = {("CO", "45"), ("CO", "253"), ("CO", "59"), ("OA", "23"), ("CO", "94"), ("OA", "94")}
"""Adjustments that are the contract working, not a denial: the fee-schedule reduction (45),
sequestration (253), multiple-procedure reduction (59), prior payer's adjudication (OA 23)."""


def main_adjustment(adjustments: list[tuple[str, str, Decimal]]) -> tuple[str, str, Decimal] | None:
    """The adjustment the claim's work is about: the largest that is neither routine
    (contractual fee-schedule reductions) nor the patient's; else the largest patient one."""
    ranked = sorted(adjustments, key=lambda a: a[2], reverse=True)
    denial = [a for a in ranked if a[0] != "PR" and (a[0], a[1]) not in _ROUTINE and a[2] > ZERO]
    if denial:
        return denial[0]
    patient = [a for a in ranked if a[0] == "PR" and a[2] > ZERO]
    return patient[0] if patient else None


AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("91-120", 91, 120), (">120", 121, None))


def age_bucket(days: int) -> str:
    for label, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGE_BUCKETS[0][0]


@dataclass(frozen=True, slots=True)
class CodedReason:
    group: str | None  # None for a remark
    code: str
    amount: Decimal | None
    description: str


@dataclass(frozen=True, slots=True)
class WorkItem:
    claim_id: str
    patient_control_number: str
    payer_name: str
    payer_identifier: str
    payer_claim_number: str | None
    status: str
    total_charge: Decimal
    paid: Decimal
    balance: Decimal
    underpaid: Decimal
    age_days: int
    age_bucket: str
    reason_key: str  # "CO-16", "underpaid"
    adjustments: tuple[CodedReason, ...]
    remarks: tuple[CodedReason, ...]
    next_action: NextActionRule

    @property
    def at_stake(self) -> Decimal:
        """What working the item can recover: a denied claim's unpaid charge, the
        underpayment, or the denied lines' adjustments."""
        if self.status == "denied":
            return self.total_charge - self.paid
        denied = sum((a.amount for a in self.adjustments if a.group != "PR"
                      and (a.group, a.code) not in _ROUTINE and a.amount > ZERO), ZERO)
        return max(self.underpaid, denied)


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What the worklist reads of a claim and its postings."""

    claim_id: str
    patient_control_number: str
    payer_name: str
    payer_identifier: str
    payer_claim_number: str | None
    status: str
    total_charge: Decimal
    balance: Decimal
    paid: Decimal
    allowed: Decimal | None  # sum of AMT*B6 where the payer sent it
    date_of_service: date | None
    adjustments: tuple[tuple[str, str, Decimal], ...]  # (group, CARC, amount), net of reversals
    remarks: tuple[str, ...]


def underpayment(facts: ClaimFacts) -> Decimal:
    """What the payer neither paid nor explained: the balance beyond the patient's share, or
    the allowed amount beyond payment plus patient share."""
    patient = sum((a[2] for a in facts.adjustments if a[0] == "PR"), ZERO)
    unexplained = facts.balance - patient
    if facts.allowed is not None:
        unexplained = max(unexplained, facts.allowed - facts.paid - patient)
    return max(unexplained, ZERO)


def needs_work(facts: ClaimFacts) -> bool:
    """Denied; or paid less than expected; or paid with a line denied (a denial reason among
    its adjustments, e.g. a bundled CO-97 line on a claim otherwise paid)."""
    if facts.status == "denied":
        return True
    if facts.status not in ("paid", "partially_paid"):
        return False
    main = main_adjustment(list(facts.adjustments))
    return underpayment(facts) > ZERO or (main is not None and main[0] != "PR")


def work_item(facts: ClaimFacts, today: date, describe_carc, describe_rarc) -> WorkItem:
    """``describe_carc(code, on)`` / ``describe_rarc(code, on)`` give the descriptions."""
    underpaid = underpayment(facts) if facts.status != "denied" else ZERO
    rule = next_action(list(facts.adjustments), underpaid)
    main = main_adjustment(list(facts.adjustments))
    reason_key = f"{main[0]}-{main[1]}" if main and rule is not UNDERPAID else (
        "underpaid" if rule is UNDERPAID else "no adjustment reason")
    days = max((today - facts.date_of_service).days, 0) if facts.date_of_service else 0
    on = facts.date_of_service
    return WorkItem(
        facts.claim_id, facts.patient_control_number, facts.payer_name, facts.payer_identifier,
        facts.payer_claim_number, facts.status, facts.total_charge, facts.paid, facts.balance,
        underpaid, days, age_bucket(days), reason_key,
        tuple(CodedReason(g, c, a, describe_carc(c, on)) for g, c, a in facts.adjustments),
        tuple(CodedReason(None, code, None, describe_rarc(code, on)) for code in facts.remarks),
        rule)


@dataclass(slots=True)
class Group:
    key: str
    items: list[WorkItem] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((item.at_stake for item in self.items), ZERO)


def grouped(items: list[WorkItem], key) -> list[Group]:
    """Groups by ``key(item)``, the largest amount first."""
    groups: dict[str, Group] = defaultdict(lambda: Group(""))
    for item in items:
        name = key(item)
        groups[name].key = name
        groups[name].items.append(item)
    return sorted(groups.values(), key=lambda g: (-g.amount, g.key))


def by_age(items: list[WorkItem]) -> list[Group]:
    """The age buckets in their order (0-30 first), empty ones left out."""
    order = [label for label, _, _ in AGE_BUCKETS]
    return sorted(grouped(items, lambda item: item.age_bucket), key=lambda g: order.index(g.key))

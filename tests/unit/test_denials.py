"""The denial worklist's rules, pure: each declared next-action rule fires on its reasons and a
near miss does not; age buckets; underpayment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chartwell.claims.denials import (
    FALLBACK,
    NEXT_ACTION_RULES,
    UNDERPAID,
    Action,
    ClaimFacts,
    main_adjustment,
    needs_work,
    next_action,
    underpayment,
    work_item,
)

D = Decimal


@pytest.mark.parametrize("group, reason, action", [
    ("CO", "16", Action.CORRECT_AND_RESUBMIT),
    ("CO", "4", Action.CORRECT_AND_RESUBMIT),
    ("CO", "11", Action.CORRECT_AND_RESUBMIT),
    ("CO", "50", Action.APPEAL),
    ("CO", "57", Action.APPEAL),
    ("CO", "29", Action.WRITE_OFF),
    ("CO", "97", Action.REVIEW_CODING),
    ("CO", "197", Action.APPEAL),
    ("CO", "22", Action.BILL_OTHER_PAYER),
    ("CO", "27", Action.VERIFY_ELIGIBILITY),
    ("CO", "18", Action.WRITE_OFF),
    ("PR", "1", Action.BILL_PATIENT),
    ("PR", "2", Action.BILL_PATIENT),
    ("PR", "3", Action.BILL_PATIENT),
    ("PR", "204", Action.BILL_PATIENT),
])
def test_rule_fires(group, reason, action):
    assert next_action([(group, reason, D(10))], ZERO_UNDERPAID).action is action


ZERO_UNDERPAID = D(0)


@pytest.mark.parametrize("group, reason", [
    ("PR", "16"),    # a patient-responsibility 16 is not a billing error to correct
    ("CO", "1"),     # a deductible is never contractual
    ("CO", "999"),   # no such reason: a person decides
])
def test_near_misses_fall_to_review(group, reason):
    assert next_action([(group, reason, D(10))], ZERO_UNDERPAID) is FALLBACK


def test_routine_contractual_reductions_are_not_the_reason():
    adjustments = [("CO", "45", D(500)), ("CO", "16", D(20))]
    assert main_adjustment(adjustments) == ("CO", "16", D(20))
    assert next_action([("CO", "45", D(500))], D(30)) is UNDERPAID


def test_every_rule_cites_a_source_and_a_rationale():
    assert len({rule.id for rule in NEXT_ACTION_RULES}) == len(NEXT_ACTION_RULES)
    assert all(rule.source and rule.rationale and rule.reasons for rule in NEXT_ACTION_RULES)


def _facts(**changes) -> ClaimFacts:
    base = dict(claim_id="c", patient_control_number="PCN", payer_name="Payer",
                payer_identifier="P", payer_claim_number=None, status="partially_paid",
                total_charge=D(500), balance=D(0), paid=D(400), allowed=None,
                date_of_service=date(2026, 1, 1), adjustments=(("CO", "45", D(100)),), remarks=())
    base.update(changes)
    return ClaimFacts(**base)


def test_underpayment():
    assert underpayment(_facts()) == 0
    assert underpayment(_facts(balance=D(50), adjustments=(("CO", "45", D(50)),))) == 50
    assert underpayment(_facts(balance=D(30), adjustments=(("PR", "1", D(30)),))) == 0
    assert underpayment(_facts(allowed=D(450))) == 50  # allowed 450, paid 400, no patient share


def test_needs_work():
    assert not needs_work(_facts(status="paid"))
    assert needs_work(_facts(status="paid", adjustments=(("CO", "97", D(100)),)))
    assert needs_work(_facts(status="denied"))
    assert not needs_work(_facts(status="accepted"))


def test_work_item_reads_descriptions_and_age():
    item = work_item(_facts(status="denied", paid=D(0), adjustments=(("CO", "50", D(500)),),
                            remarks=("N115",)),
                     date(2026, 3, 2), lambda code, on: f"carc {code}", lambda code, on: f"rarc {code}")
    assert (item.reason_key, item.age_days, item.age_bucket) == ("CO-50", 60, "31-60")
    assert item.adjustments[0].description == "carc 50" and item.remarks[0].description == "rarc N115"
    assert item.at_stake == D(500)

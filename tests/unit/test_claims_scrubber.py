"""The scrubber's declared checks (each fires, and a near miss does not) and the billing
configuration's errors naming the file and key."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from chartwell.claims.config import EXAMPLE, PayerRules, load_config, parse_config
from chartwell.claims.scrubber import CHECKS, scrub
from chartwell.domain.claims import ClaimStatus, Frequency
from chartwell.errors import InvalidInput, UnreadableInput
from chartwell.synth.claims import institutional_variants, professional_variants

TODAY = date(2026, 11, 1)
P = professional_variants()
I = institutional_variants()


def rules_of(claim, rules=PayerRules()):
    return {f.rule for f in scrub(claim, rules=rules, today=TODAY).findings
            if f.severity == "error"}


def test_every_synthetic_claim_is_clean():
    for claim in (*P.values(), *I.values()):
        result = scrub(claim, rules=PayerRules(), today=TODAY)
        assert result.status is ClaimStatus.QUEUED, result.to_json()


def test_every_check_declares_its_source():
    assert len({c.id for c in CHECKS}) == len(CHECKS)
    assert all(c.source and c.title for c in CHECKS)


claim = P["original"]
line = claim.lines[0]
CASES = [
    ("claim.npi_check_digit", replace(claim, billing=replace(claim.billing, npi="1234567890"))),
    ("claim.billing_provider", replace(claim, billing=replace(
        claim.billing, address=replace(claim.billing.address, postal_code="62704")))),
    ("claim.subscriber", replace(claim, subscriber=replace(claim.subscriber, member_id=""))),
    ("claim.frequency", replace(claim, frequency=Frequency.REPLACEMENT)),
    ("claim.place_of_service", replace(claim, place_of_service=None)),
    ("claim.diagnoses", replace(claim, diagnoses=claim.diagnoses[:1] * 13)),
    ("claim.pointers", replace(claim, lines=(replace(line, diagnosis_pointers=(1, 2, 3, 4, 5)),)
                               + claim.lines[1:])),
    ("claim.pointers", replace(claim, lines=(replace(line, diagnosis_pointers=(99,)),)
                               + claim.lines[1:])),
    ("claim.charges", replace(claim, total_charge=claim.total_charge + 1)),
    ("claim.dates", replace(claim, lines=(replace(line, service_date=date(2027, 1, 1)),)
                            + claim.lines[1:])),
    ("claim.lines", replace(claim, lines=(replace(line, modifiers=("25", "59", "XS", "RT", "LT")),)
                            + claim.lines[1:])),
    ("claim.inpatient", replace(I["inpatient"], diagnoses=tuple(
        replace(dx, poa="X") for dx in I["inpatient"].diagnoses))),
    ("claim.type_of_bill", replace(I["outpatient_13x"], admission=None)),
    ("claim.patient", replace(P["patient_not_subscriber"], patient_relationship="18")),
]


@pytest.mark.parametrize(("rule", "bad"), CASES, ids=[rule for rule, _ in CASES])
def test_each_check_fires(rule, bad):
    assert rule in rules_of(bad)


def test_payer_rules_from_configuration_fire_and_near_misses_do_not():
    code = claim.lines[0].procedure_code
    strict = PayerRules(prior_authorization_codes=(code,), referral_codes=(code,),
                        required_modifiers={code: ("GT",)}, max_units={code: Decimal("0.5")},
                        timely_filing_days=30)
    fired = rules_of(claim, strict)
    assert {"payer.prior_authorization", "payer.referral", "payer.modifiers", "payer.max_units",
            "payer.timely_filing"} <= fired
    satisfied = replace(claim, prior_authorization="PA1", referral_number="RF1",
                        lines=(replace(line, modifiers=("GT",)),) + claim.lines[1:])
    lenient = PayerRules(prior_authorization_codes=(code,), referral_codes=(code,),
                         required_modifiers={code: ("GT",)}, max_units={code: Decimal(1)},
                         timely_filing_days=400)
    assert not rules_of(satisfied, lenient) & {r.id for r in CHECKS if r.id.startswith("payer.")}


def test_coding_edit_findings_hold_the_claim():
    class Edit:  # the shape services.edits returns
        rule, severity, codes, message, source, family = ("mce.age", "error", ("Z00.00",),
                                                          "age conflict", "MCE", "mce")
    result = scrub(claim, rules=PayerRules(), today=TODAY, edit_findings=[Edit()])
    assert result.status is ClaimStatus.HELD and result.findings[0].field == "edits/mce"


def test_the_example_configuration_reads():
    config = parse_config(EXAMPLE, "billing.toml")
    assert config.billing_for(False).npi == "1234567893"
    assert config.payer_for("Evergreen Health Plan (synthetic)", None).payer_id == "SYN01"


@pytest.mark.parametrize(("old", "new", "key"), [
    ('npi = "1234567893"', 'npi = "1234567890"', "billing_provider.npi"),
    ('postal_code = "627041234"', 'postal_code = "62704"', "billing_provider.address"),
    ('payer_id = "SYN01"', 'payer_idd = "SYN01"', "payers[0]"),
    ('timely_filing_days = 365', 'timely_filing_days = -1', "payers[0].rules.timely_filing_days"),
])
def test_a_wrong_configuration_names_the_file_and_key(old, new, key):
    with pytest.raises(InvalidInput) as wrong:
        parse_config(EXAMPLE.replace(old, new), "/data/billing.toml")
    assert wrong.value.position.file == "/data/billing.toml"
    assert wrong.value.position.field.startswith(key)


def test_broken_toml_and_a_missing_file(tmp_path):
    with pytest.raises(UnreadableInput):
        parse_config("[submitter", "billing.toml")
    with pytest.raises(InvalidInput) as missing:
        load_config(tmp_path)
    assert "config-example" in missing.value.message

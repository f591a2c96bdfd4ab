"""Posting 835s: every sample 835 in ../shared/data/samples/x12 (INDEX.csv, transaction 835)
either posts, with totals that balance or with the sample's own imbalance reported as a finding,
or is refused with an error naming the segment; nothing is posted twice or partially.

The claims the 835s pay are created for the test, directly as billing_claims rows, from each
835's own CLP segments (patient control number CLP01, charge CLP03), as if we had sent them.
"""

from __future__ import annotations

import csv
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from chartwell.claims.remittance import balance_findings, read_remittances
from chartwell.claims.x12.lexer import read_segments
from chartwell.errors import ChartwellError, Conflict, InvalidInput
from chartwell.services.actor import local_operator
from chartwell.store.billing import BillingClaimRow
from chartwell.store.db import transaction
from chartwell.store.remittance import (
    AdjustmentRow,
    ClaimPaymentRow,
    ProviderAdjustmentRow,
    RemittanceRow,
)
from support import shared_data

ADMIN = local_operator()


# -- helpers shared with the other remittance / denial tests ---------------------------------


def seed_claims(engine, data: bytes | str, *, payer_name: str = "Test payer",
                created_at: datetime | None = None) -> dict[str, uuid.UUID]:
    """billing_claims rows for every patient control number the 835 pays, with the charge of
    its first non-reversal CLP (or the reversed amount, when only a reversal names it), as if
    we had sent those claims."""
    _, segments = read_segments(data)
    charges: dict[str, Decimal] = {}
    for segment in segments:
        if segment.id != "CLP" or len(segment.elements) < 3:
            continue
        number, status, charge = segment.elements[0], segment.elements[1], segment.elements[2]
        if number not in charges or (status != "22" and charges[number] < 0):
            charges[number] = Decimal(charge) if status != "22" else -abs(Decimal(charge))
    now = created_at or datetime.now(UTC)
    ids = {}
    with transaction(engine) as session:
        for number, charge in charges.items():
            row = BillingClaimRow(
                id=uuid.uuid4(), patient_control_number=number, kind="837P", frequency="1",
                status="accepted", payer_identifier="TESTPAYER", payer_name=payer_name,
                total_charge=abs(charge), balance=abs(charge), document={}, findings=[],
                created_at=now, updated_at=now, first_date_of_service=now)
            session.add(row)
            ids[number] = row.id
    return ids


def post(engine, data: bytes, name: str = "test.835"):
    from chartwell.services.remittance import post_remittance

    with transaction(engine) as session:
        return post_remittance(session=session, actor=ADMIN, data=data, file_name=name)


def fix_counts(text: str) -> str:
    """Repair only the envelope counts and control numbers (SE01 segment count, SE02 = ST02,
    GE01, GE02 = GS06, IEA01, IEA02 = ISA13), the defects the edited payer samples carry; the
    content is left as the payer wrote it."""
    terminator = text[105]
    raw = text.split(terminator)
    out, st_at, st_control, sets, groups = [], 0, "", 0, 0
    isa13, gs06 = text[:106].split("*")[13], ""
    for part in raw:
        stripped = part.strip("\r\n")
        sid = stripped.split("*")[0]
        if sid == "GS":
            gs06 = stripped.split("*")[6]
        elif sid == "ST":
            st_at, st_control = len(out), stripped.split("*")[2]
        elif sid == "SE":
            stripped = f"SE*{len(out) - st_at + 1}*{st_control}"
            sets += 1
        elif sid == "GE":
            stripped = f"GE*{sets}*{gs06}"
            sets, groups = 0, groups + 1
        elif sid == "IEA":
            stripped = f"IEA*{groups}*{isa13}"
        if stripped:
            out.append(stripped)
    return terminator.join(out) + terminator


def samples_835() -> list[str]:
    index = shared_data("samples/x12/INDEX.csv")
    with index.open(newline="") as handle:
        return [row["file"] for row in csv.DictReader(handle) if row["transaction"] == "835"]


# -- what each sample does, decided per file ---------------------------------------------------

POSTS_BALANCED = {
    "lfh/835_005010X221A1/medicare-part-a.835": "2 claims, PLB CV -1.27: 150000 = 149998.73 + 1.27",
    "pyx12/835_mult_loops.txt": "1 denied claim, 3 lines (CO 16 / OA A7, LQ N14)",
    "stupidedi/X221-HP835/X221-HP835_ex1.valid.x12": "TR3 scenario 1, corrected",
    "stupidedi/X221-HP835/X221-HP835_ex1.invalid.x12":
        "TR3 scenario 1 as published: its 20 listed errors are code values and business "
        "rules (GS01 XX, NPI format, TS2 totals), none in the envelope, loops or amounts",
    "stupidedi/X221-HP835/X221-HP835_ex3c.valid.x12": "COB contractual, corrected",
}

POSTS_WITH_FINDINGS = {
    # The line's SVC02 (24599) is not an amount of this claim (CLP03 1766.50): the example's
    # line charge is off; the claim level (1766.50 - 187.50 = 1579 = OA 23) balances.
    "lfh/835_005010X221A1/tertiary-payment.835": [("service_line", 20, "22832.50", "1579.00")],
    "stupidedi/X221-HP835/X221-HP835_ex3b.valid.x12": [("service_line", 22, "22832.5", "1579")],
    # pyx12's 4010 fixture is an excerpt: BPR02 5950.21 is the whole check; the three claim
    # payments here net -510.25 and the PLB -977.94, so this excerpt pays 467.69.
    "pyx12/testdata/835id.x12": [("transaction", 4, "467.69", "5950.21")],
}

REFUSED = {
    # file: (segment, field or None, words in the message, why). The X12 validator's structural
    # errors come first (claims.remittance.refuses), then the 835 reader's.
    "lfh/835_005010X221A1/cob-contractural-adjustment.835":
        (21, None, "SVC", "SVC01 written HC>55669 while ISA16 is ':': the composite cannot be "
                          "read, so the SVC does not open a 2110 loop"),
    "databricks/835/no_plb_sample.txt": (24, None, "not expected", "as plb_sample (N1*PE between "
                                         "claims), and a damaged PLB id PLXX at segment 47"),
    "databricks/835/plb_sample.txt": (24, None, "not expected", "N1*PE / REF*TJ repeated "
                                      "between claims: loop 1000B occurs once, before LX"),
    "databricks/835/sample.txt": (43, "SE01", "SE01 says 29", "second ST's SE01 miscounts"),
    "databricks/835/sample_no_cas.txt": (41, "SE01", "SE01 says 29", "second ST's SE01 miscounts"),
    "databricks/835/sample_services.txt": (34, "GE01", "GE01 says 3", "GE01 counts 3 sets, 1 sent"),
    "keiron/blue_cross_nc_sample.txt": (1, None, "ISA", "a fragment starting at ST, no envelope"),
    "oop/835/5010/Example1.txt": (98, "CLP03", "CLP03", "a CLP*...*22 cut after CLP02"),
    "pyx12/testdata/bad_header_looping.x12": (74, "SE01", "SE01 says 39", "INDEX: invalid"),
    "stupidedi/X221-HP835/X221-HP835_ex3b.invalid.x12": (24, None, "AMT", "as published: AMT*B6 "
                                                         "out of its place, SE01 38 for 23"),
    "stupidedi/X221-HP835/X221-HP835_ex3c.invalid.x12": (21, None, "SVC", "as published: SVC "
                                                         "with the wrong component separator"),
}

REPAIRED_COUNTS_POST = {
    # With only their envelope counts repaired (fix_counts), these payer samples post; their
    # content is the payer's (the third transaction's PLB: 1812.27 = 0 - (-1812.27)).
    "databricks/835/sample.txt": [],
    # "no CAS": the first claim (denied, 72232 charged, 0 paid) had its CAS removed, so nothing
    # explains the 72232: the imbalance is reported, the posting goes ahead as sent.
    "databricks/835/sample_no_cas.txt": [("claim", 14, "72232", "0")],
    "databricks/835/sample_services.txt": [],
}


def test_every_sample_835_is_decided():
    decided = set(POSTS_BALANCED) | set(POSTS_WITH_FINDINGS) | set(REFUSED)
    assert sorted(decided) == sorted(samples_835())


def _stored_totals(engine, remittance_id):
    with transaction(engine) as session:
        paid = session.scalar(select(func.coalesce(func.sum(ClaimPaymentRow.paid), 0)).where(
            ClaimPaymentRow.remittance_id == remittance_id))
        plb = session.scalar(select(func.coalesce(func.sum(ProviderAdjustmentRow.amount), 0))
                             .where(ProviderAdjustmentRow.remittance_id == remittance_id))
        row = session.get(RemittanceRow, remittance_id)
        return Decimal(str(paid)), Decimal(str(plb)), row.payment_amount


def _check_stored_balance(engine, result):
    """What was stored balances exactly as the payer's file does: the check amount equals the
    stored payments minus the stored PLB amounts; each claim's charge minus payment equals its
    stored adjustments."""
    for remittance in result.remittances:
        paid, plb, amount = _stored_totals(engine, remittance.remittance_id)
        transaction_finding = [f for f in remittance.findings if f.rule == "transaction"]
        assert (paid - plb == amount) == (not transaction_finding)
        with transaction(engine) as session:
            for payment in session.scalars(select(ClaimPaymentRow).where(
                    ClaimPaymentRow.remittance_id == remittance.remittance_id)):
                adjusted = session.scalar(select(func.coalesce(func.sum(AdjustmentRow.amount), 0))
                                          .where(AdjustmentRow.claim_payment_id == payment.id))
                claim_finding = [f for f in remittance.findings
                                 if f.rule == "claim" and f.segment == payment.segment_index]
                assert (payment.charge - payment.paid == Decimal(str(adjusted))) == (not claim_finding)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(POSTS_BALANCED) + sorted(POSTS_WITH_FINDINGS))
def test_sample_835_posts(sqlite_store, name):
    data = shared_data(f"samples/x12/{name}").read_bytes()
    seed_claims(sqlite_store, data)
    result = post(sqlite_store, data, name)
    assert result.posted == len(result.remittances) >= 1
    found = [(f.rule, f.segment, str(f.expected), str(f.actual))
             for r in result.remittances for f in r.findings]
    assert found == POSTS_WITH_FINDINGS.get(name, [])
    _check_stored_balance(sqlite_store, result)
    again = post(sqlite_store, data, name)
    assert again.posted == 0 and all(r.already_posted for r in again.remittances)
    with transaction(sqlite_store) as session:
        assert session.scalar(select(func.count()).select_from(RemittanceRow)) == len(result.remittances)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_sample_835_refused_naming_the_segment(sqlite_store, name):
    segment, field, words, _why = REFUSED[name]
    data = shared_data(f"samples/x12/{name}").read_bytes()
    try:
        seed_claims(sqlite_store, data)
    except ChartwellError:
        pass  # the fragment without an ISA cannot even be read for its claims
    with pytest.raises(ChartwellError) as refused:
        post(sqlite_store, data, name)
    error = refused.value
    assert error.position.segment == segment, str(error)
    assert error.position.field == field
    assert words in error.message
    with transaction(sqlite_store) as session:
        assert session.scalar(select(func.count()).select_from(RemittanceRow)) == 0
        assert session.scalar(select(func.count()).select_from(ClaimPaymentRow)) == 0


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(REPAIRED_COUNTS_POST))
def test_payer_samples_post_once_their_counts_are_repaired(sqlite_store, name):
    text = fix_counts(shared_data(f"samples/x12/{name}").read_text())
    seed_claims(sqlite_store, text)
    result = post(sqlite_store, text.encode(), name)
    assert result.posted == len(result.remittances) >= 1
    assert [(f.rule, f.segment, str(f.expected), str(f.actual))
            for r in result.remittances for f in r.findings] == REPAIRED_COUNTS_POST[name]
    _check_stored_balance(sqlite_store, result)


# -- statuses, balances, reversals, idempotency, refusals (synthetic 835s) --------------------

ISA = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *261101*1200*^*"
       "00501*000000101*0*T*:~")


def make_835(body: list[str], *, trace: str = "TRACE1", amount: str, control: str = "0001") -> str:
    segments = [f"ST*835*{control}", f"BPR*I*{amount}*C*ACH*CCP*01*999999999*DA*1234*1999999999"
                f"**01*888888888*DA*5678*20261101", f"TRN*1*{trace}*1999999999",
                "DTM*405*20261030", "N1*PR*TEST PAYER", "N3*1 MAIN ST", "N4*ANYTOWN*NY*12345",
                "PER*BL*EDI*TE*5555551234", "N1*PE*TEST CLINIC*XX*1234567893", "REF*TJ*123456789",
                "LX*1",
                *body]
    segments.append(f"SE*{len(segments) + 1}*{control}")
    return (ISA + "GS*HP*PAYER*PROVIDER*20261101*1200*101*X*005010X221A1~"
            + "".join(s + "~" for s in segments) + "GE*1*101~IEA*1*000000101~")


PAID_PARTIAL_DENIED = make_835([
    "CLP*PCN-PAID*1*100*80**12*PAYER-1",          # paid: 100 - 80 = 20 contractual
    "CAS*CO*45*20",
    "CLP*PCN-PARTIAL*1*200*120*30*12*PAYER-2",    # 30 deductible stays owed, 50 contractual
    "SVC*HC:99213*200*120", "DTM*472*20261015", "CAS*CO*45*50", "CAS*PR*1*30", "LQ*HE*N130",
    "CLP*PCN-DENIED*4*300*0**12*PAYER-3",
    "CAS*CO*50*300", "MOA***N115",
    "PLB*1234567893*20261231*WO:RECOVERY*5",
], amount="195.00", trace="T-STATUS")


def test_status_and_balance_follow_the_postings(sqlite_store):
    seed_claims(sqlite_store, PAID_PARTIAL_DENIED)
    result = post(sqlite_store, PAID_PARTIAL_DENIED.encode())
    assert result.balanced, [f.message for r in result.remittances for f in r.findings]
    # 195 = 80 + 120 - PLB 5
    with transaction(sqlite_store) as session:
        claims = {c.patient_control_number: c for c in session.scalars(select(BillingClaimRow))}
    assert (claims["PCN-PAID"].status, claims["PCN-PAID"].balance) == ("paid", Decimal("0.00"))
    assert (claims["PCN-PARTIAL"].status, claims["PCN-PARTIAL"].balance) == \
        ("partially_paid", Decimal("30.00"))
    assert claims["PCN-DENIED"].status == "denied"
    assert claims["PCN-PAID"].payer_claim_number == "PAYER-1"


PLB_PAYMENT = make_835(["CLP*PCN-PAID*1*100*80**12*PAYER-1", "CAS*CO*45*20",
                        "PLB*1234567893*20261231*L6:INTEREST*-2.50*WO:OVERPAY*10"],
                       amount="72.50", trace="T-PLB")


def test_check_amount_equals_payments_minus_plb(sqlite_store):
    seed_claims(sqlite_store, PLB_PAYMENT)
    result = post(sqlite_store, PLB_PAYMENT.encode())
    assert result.balanced and result.remittances[0].provider_adjustments == Decimal("7.50")


def test_an_imbalanced_payment_posts_with_a_finding(sqlite_store):
    wrong = PLB_PAYMENT.replace("BPR*I*72.50", "BPR*I*75.00")
    seed_claims(sqlite_store, wrong)
    result = post(sqlite_store, wrong.encode())
    (finding,) = result.remittances[0].findings
    assert (finding.rule, finding.segment_id, finding.expected, finding.actual) == \
        ("transaction", "BPR", Decimal("72.50"), Decimal("75.00"))


def test_a_reversal_then_a_correction(sqlite_store):
    first = make_835(["CLP*PCN-R*1*100*80**12*PAYER-9", "CAS*CO*45*20"], amount="80", trace="T-A")
    second = make_835(["CLP*PCN-R*22*-100*-80**12*PAYER-9", "CAS*CO*45*-20",
                       "CLP*PCN-R*1*100*90**12*PAYER-9B", "CAS*CO*45*10"], amount="10", trace="T-B")
    seed_claims(sqlite_store, first)
    post(sqlite_store, first.encode())
    reversal_only = make_835(["CLP*PCN-R*22*-100*-80**12*PAYER-9", "CAS*CO*45*-20"],
                             amount="-80", trace="T-C").replace("BPR*I*-80*C", "BPR*I*80*D")
    result = post(sqlite_store, reversal_only.encode())
    assert result.balanced
    assert result.remittances[0].claims[0].claim_status == "reversed"
    assert result.remittances[0].claims[0].balance == Decimal("100.00")
    result = post(sqlite_store, second.encode())
    # the second file reverses again and corrects: net paid 80 - 80 - 80 + 90 = 10
    with transaction(sqlite_store) as session:
        claim = session.scalars(select(BillingClaimRow)).one()
    assert claim.payer_claim_number == "PAYER-9B"
    assert claim.balance == Decimal("100") - Decimal("10") - Decimal("-10")


def test_an_835_for_an_unknown_claim_posts_nothing(sqlite_store):
    seed_claims(sqlite_store, PLB_PAYMENT)
    unknown = PAID_PARTIAL_DENIED
    with pytest.raises(InvalidInput) as refused:
        post(sqlite_store, unknown.encode())
    assert refused.value.position.segment == 16 and refused.value.position.field == "CLP01"
    assert "PCN-" not in str(refused.value)  # the account number is not repeated
    with transaction(sqlite_store) as session:
        assert session.scalar(select(func.count()).select_from(ClaimPaymentRow)) == 0


def test_same_trace_number_with_other_content_is_a_conflict(sqlite_store):
    seed_claims(sqlite_store, PLB_PAYMENT)
    post(sqlite_store, PLB_PAYMENT.encode())
    changed = PLB_PAYMENT.replace("CLP*PCN-PAID*1*100*80", "CLP*PCN-PAID*1*100*81")
    with pytest.raises(Conflict) as conflict:
        post(sqlite_store, changed.encode())
    assert conflict.value.position.field == "TRN02"


BAD_INPUTS = {
    "truncated": (lambda t: t[: t.index("SE*")], "SE"),
    "wrong SE count": (lambda t: re.sub(r"SE\*\d+\*", "SE*99*", t), "SE01"),
    "garbage bytes": (lambda t: t.replace("CAS*CO*45*20~", "\x00\x01\x02~"), None),
    "not a number": (lambda t: t.replace("CLP*PCN-PAID*1*100*80", "CLP*PCN-PAID*1*100*8O"), "CLP04"),
    "unknown segment": (lambda t: t.replace("CAS*CO*45*20~", "XYZ*1~"), None),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_naming_the_segment(sqlite_store, case):
    damage, field = BAD_INPUTS[case]
    seed_claims(sqlite_store, PLB_PAYMENT)
    with pytest.raises(ChartwellError) as refused:
        post(sqlite_store, damage(PLB_PAYMENT).encode("latin-1"))
    assert refused.value.position.segment is not None, str(refused.value)
    if field is not None:
        assert refused.value.position.field == field or field in refused.value.message
    with transaction(sqlite_store) as session:
        assert session.scalar(select(func.count()).select_from(RemittanceRow)) == 0


def test_read_remittances_is_pure_and_balances_synthetic():
    (remittance,) = read_remittances(PAID_PARTIAL_DENIED)
    assert [c.status_code for c in remittance.claims] == ["1", "1", "4"]
    assert balance_findings(remittance) == []  # 195 = 80 + 120 + 0 - PLB 5
    assert [r.code for r in remittance.claims[2].remarks] == ["N115"]
    assert [r.code for r in remittance.claims[1].all_remarks()] == ["N130"]


def test_posting_on_both_stores(store):
    """SQLite and PostgreSQL alike: amounts, the (payer, trace) uniqueness, the statuses."""
    seed_claims(store, PAID_PARTIAL_DENIED)
    result = post(store, PAID_PARTIAL_DENIED.encode())
    assert [c.claim_status for c in result.remittances[0].claims] == \
        ["paid", "partially_paid", "denied"]
    assert post(store, PAID_PARTIAL_DENIED.encode()).posted == 0


@pytest.mark.shared_data
def test_cli_remit_post(sqlite_store, tmp_path):
    from cli_runner import chartwell

    path = shared_data("samples/x12/pyx12/testdata/835id.x12")
    seed_claims(sqlite_store, path.read_bytes())
    code, document, output = chartwell("remit", "post", "--json", str(path))
    assert code == 1, output  # posted, but the excerpt's payment does not balance
    assert document["posted"] == 1 and document["balanced"] is False
    assert document["remittances"][0]["findings"][0]["rule"] == "transaction"
    assert isinstance(document["validation"], list)  # non-structural deviations, if any
    code, document, _ = chartwell("remit", "post", "--json", str(path))
    assert document["already_posted"] == 1 and document["posted"] == 0
    bad = tmp_path / "bad.835"
    bad.write_bytes(b"\x00\x01garbage")
    code, document, _ = chartwell("remit", "post", "--json", str(bad))
    assert code == 2 and document["error"]["position"]["segment"] == 1

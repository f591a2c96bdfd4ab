"""The 835 reader and the TR3 balancing rules, pure (no store): what is read from a sample, each
balancing rule firing on an imbalance and silent on a near miss, and the envelope checks naming
the segment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chartwell.claims.remittance import (
    balance_findings,
    claim_balance,
    read_remittances,
    service_line_balance,
    transaction_balance,
)
from chartwell.domain.remittance import Adjustment, ClaimPayment, Remittance, ServicePayment
from chartwell.errors import InvalidInput
from support import shared_data

D = Decimal


@pytest.mark.shared_data
def test_medicare_part_a_sample():
    data = shared_data("samples/x12/lfh/835_005010X221A1/medicare-part-a.835").read_bytes()
    (remittance,) = read_remittances(data)
    assert (remittance.trace_number, remittance.payer_identifier, remittance.payment_amount,
            remittance.payment_method) == ("12345", "1512345678", D("150000.00"), "ACH")
    first, second = remittance.claims
    assert (first.status_code, first.charge, first.paid, first.payer_claim_number) == \
        ("1", D("211366.97"), D("138018.40"), "1999999444444")
    assert [(a.group, a.reason, a.amount) for a in first.adjustments] == [("CO", "45", D("73348.57"))]
    assert [(r.code, r.source) for r in second.remarks] == [("MA02", "MOA")]
    (plb,) = remittance.provider_adjustments
    assert (plb.reason, plb.reference, plb.amount) == ("CV", "CP", D("-1.27"))
    assert balance_findings(remittance) == []


def _line(charge, paid, *amounts) -> ServicePayment:
    return ServicePayment("HC", "99213", (), D(charge), D(paid),
                          adjustments=tuple(Adjustment("CO", "45", D(a)) for a in amounts), segment=9)


def test_service_line_rule_and_near_miss():
    assert service_line_balance(_line("100", "80", "20")) is None
    finding = service_line_balance(_line("100", "80", "19.99"))
    assert (finding.expected, finding.actual, finding.segment) == (D("20"), D("19.99"), 9)


def _claim(charge, paid, claim_amounts=(), lines=()) -> ClaimPayment:
    return ClaimPayment("PCN", "1", D(charge), D(paid), D(0), "12", None,
                        adjustments=tuple(Adjustment("PR", "1", D(a)) for a in claim_amounts),
                        services=tuple(lines), segment=5)


def test_claim_rule_counts_claim_and_line_adjustments():
    assert claim_balance(_claim("150", "80", ["50"], [_line("100", "80", "20")])) is None
    assert claim_balance(_claim("150", "80", [], [_line("100", "80", "20")])).actual == D("20")


def _remittance(amount, claims, credit="C") -> Remittance:
    return Remittance("0001", "I", D(amount), credit, "ACH", None, "T", "P", "Payer", "Payee",
                      None, None, claims=tuple(claims), first_segment=3)


def test_transaction_rule_and_debit():
    claims = [_claim("100", "80", ["20"])]
    assert transaction_balance(_remittance("80", claims)) is None
    assert transaction_balance(_remittance("81", claims)).segment_id == "BPR"
    reversal = [_claim("-100", "-80", ["-20"])]
    assert transaction_balance(_remittance("80", reversal, credit="D")) is None


ENVELOPE = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *261101*1200*^*"
            "00501*000000101*0*T*:~GS*HP*PAYER*PROVIDER*20261101*1200*101*X*005010X221A1~"
            "ST*835*0001~BPR*I*80*C*CHK************20261101~TRN*1*T1*1999999999~N1*PR*PAYER~"
            "N1*PE*CLINIC*XX*1234567893~LX*1~CLP*PCN*1*100*80**12*PCN1~CAS*CO*45*20~"
            "SE*9*0001~GE*1*101~IEA*1*000000101~")


def test_a_clean_file_reads():
    (remittance,) = read_remittances(ENVELOPE)
    assert balance_findings(remittance) == []


@pytest.mark.parametrize("damage, segment, field", [
    (lambda t: t.replace("SE*9*", "SE*10*"), 11, "SE01"),
    (lambda t: t.replace("SE*9*0001", "SE*9*0002"), 11, "SE02"),
    (lambda t: t.replace("GE*1*101", "GE*2*101"), 12, "GE01"),
    (lambda t: t.replace("IEA*1*000000101", "IEA*1*000000102"), 13, "IEA02"),
    (lambda t: t[: t.index("GE*")], 11, None),                       # truncated: no GE / IEA
    (lambda t: t.replace("CAS*CO*45*20", "CAS*CO*45*2O"), 10, "CAS03"),
    # a CAS without its group code (CAS01, the code that tells one CAS use from another) cannot
    # be placed in its loop: the engine refuses it there as not expected, naming no element
    (lambda t: t.replace("CAS*CO*45*20", "CAS**45*20"), 10, None),
    (lambda t: t.replace("CAS*CO*45*20", "SVD*X"), 10, None),       # not an 835 segment here
    (lambda t: t.replace("ST*835", "ST*837"), 3, "ST01"),
])
def test_envelope_and_shape_errors_name_the_segment(damage, segment, field):
    with pytest.raises(InvalidInput) as refused:
        read_remittances(damage(ENVELOPE), "f.835")
    assert (refused.value.position.segment, refused.value.position.field) == (segment, field)
    assert refused.value.position.file == "f.835"


def test_a_4010_835_is_read_with_the_5010_loops():
    """The engine has no 004010X091A1 guide; the 835's loops are the same in 4010."""
    old = ENVELOPE.replace("005010X221A1", "004010X091A1").replace(
        "CAS*CO*45*20~", "SVC*HC:99213*100*80~CAS*CO*45*20~").replace("SE*9*", "SE*10*")
    (remittance,) = read_remittances(old)
    (claim,) = remittance.claims
    assert [(a.group, a.reason, a.amount) for a in claim.all_adjustments()] == [("CO", "45", D(20))]
    assert claim.services[0].segment == 10 and claim.adjustments == ()


def test_element_deviations_are_read_and_kept_as_notes():
    """A missing PER*BL (required) and a bad CLP06 code: the file is read, the engine's notes
    come with it."""
    from chartwell.claims.remittance import read_remittance_file

    read = read_remittance_file(ENVELOPE.replace("*12*PCN1~", "*Q9*PCN1~"))
    assert len(read.remittances) == 1
    assert {(note.segment_id, note.element) for note in read.notes} >= {("CLP", "CLP06")}
    assert any(note.segment_id == "PER" for note in read.notes)

"""Reading 999 and 277CA acknowledgments, pure, from the shared samples."""

from __future__ import annotations

import pytest

from chartwell.claims.acks import claim_status, read_acknowledgment
from chartwell.domain.remittance import AckStatus
from chartwell.errors import InvalidInput
from support import shared_data

X12 = "samples/x12/"


@pytest.mark.shared_data
def test_999_rejected_sample():
    ack = read_acknowledgment(shared_data(X12 + "imsweb/837_5010/x12_999_rejected.txt").read_bytes())
    (group,) = ack.groups
    assert (ack.kind, group.group_control_number, group.status, group.code) == \
        ("999", "28", AckStatus.REJECTED, "R")
    (txn,) = group.transactions
    assert (txn.control_number, txn.code) == ("0028", "R")
    assert txn.errors == ("IK3 segment NM at position 17: syntax error 1", "IK5 R: 5")


@pytest.mark.shared_data
def test_999_accepted_sample_is_refused_for_its_envelope():
    """INDEX calls it valid, but its IEA02 (000000001) is not its ISA13 (000000286)."""
    with pytest.raises(InvalidInput) as refused:
        read_acknowledgment(shared_data(X12 + "imsweb/837_5010/x12_999_accepted.txt").read_bytes())
    assert (refused.value.position.segment, refused.value.position.field) == (10, "IEA02")


@pytest.mark.shared_data
@pytest.mark.parametrize("name, expected", [
    ("X214-HN277_ex1.valid.x12", None),
    ("X214-HN277_ex4.valid.x12", None),
])
def test_277ca_samples_read(name, expected):
    ack = read_acknowledgment(shared_data(X12 + "stupidedi/X214-HN277/" + name).read_bytes())
    assert ack.kind == "277CA" and ack.claims
    assert all(claim.codes and claim.status in AckStatus for claim in ack.claims)


@pytest.mark.parametrize("codes, status", [
    (["A2:20"], AckStatus.ACCEPTED),
    (["A1:19"], AckStatus.PENDING),
    (["A3:21"], AckStatus.REJECTED),
    (["A2:20", "A7:562"], AckStatus.REJECTED),  # any rejecting status rejects
    (["A8:454"], AckStatus.REJECTED),
    (["A5:1"], AckStatus.PENDING),
])
def test_claim_status_from_categories(codes, status):
    assert claim_status(codes) is status


LATE_277CA = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *261101*1200*^*"
              "00501*000000201*0*T*:~GS*HN*PAYER*PROVIDER*20261101*1200*201*X*005010X214~"
              "ST*277*0001*005010X214~BHT*0085*08*X1*20261101*1200*TH~HL*1**20*1~"
              "NM1*PR*2*PAYER*****PI*P1~TRN*1*T1~DTP*050*D8*20261101~DTP*009*D8*20261101~"
              "HL*2*1*21*1~NM1*41*2*CLINIC*****46*S1~TRN*2*B1~STC*A1:19*20261101*WQ*100~"
              "HL*3*2*19*1~NM1*85*2*CLINIC*****XX*1234567893~HL*4*3*PT~NM1*QC*1*DOE*JO~"
              "TRN*2*PCN1~STC*A2:20*20261101*WQ*100~REF*1K*PAYER1~"
              "SVC*HC:99213*100~STC*A3:21*20261101*U~SE*21*0001~GE*1*201~IEA*1*000000201~")


def test_277ca_claim_level_is_read_from_its_loop():
    """Loop 2200D: TRN02, the claim's STC then its line's (2220D), REF*1K."""
    (claim,) = read_acknowledgment(LATE_277CA).claims
    assert (claim.patient_control_number, claim.codes, claim.payer_claim_number, claim.segment) == \
        ("PCN1", ("A2:20", "A3:21"), "PAYER1", 18)
    assert claim.status is AckStatus.REJECTED


def test_an_ack_with_a_segment_out_of_its_loop_is_refused_naming_it():
    moved = LATE_277CA.replace("TRN*2*PCN1~STC*A2:20*20261101*WQ*100~REF*1K*PAYER1~",
                               "TRN*2*PCN1~REF*1K*PAYER1~STC*A2:20*20261101*WQ*100~")
    with pytest.raises(InvalidInput) as refused:
        read_acknowledgment(moved, "late.277")
    assert (refused.value.position.file, refused.value.position.segment) == ("late.277", 20)


def test_a_mixed_file_is_refused_at_the_other_transaction_set():
    second = "ST*999*0002*005010X231A1~AK1*HC*1~AK9*A*0*0*0~SE*4*0002~"
    text = LATE_277CA.replace("SE*21*0001~", "SE*21*0001~" + second).replace("GE*1*", "GE*2*")
    with pytest.raises(InvalidInput) as refused:
        read_acknowledgment(text)
    assert (refused.value.position.segment, refused.value.position.field) == (24, "ST01")

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

"""999 and 277CA acknowledgments: batches and claims move to accepted / rejected. The sample
files come from ../shared/data/samples/x12; the batch and claims they answer are created for the
test, with the group control number and patient control numbers the samples name, as if we had
sent them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from chartwell.claims.acks import read_acknowledgment
from chartwell.services.acks import record_acknowledgment
from chartwell.services.actor import local_operator
from chartwell.store.billing import BillingClaimRow, ClaimBatchRow
from chartwell.store.db import transaction
from chartwell.store.remittance import AcknowledgmentRow
from cli_runner import chartwell
from support import shared_data


def _batch(engine, group_control_number: int, claims: list[str]) -> uuid.UUID:
    now = datetime.now(UTC)
    with transaction(engine) as session:
        batch = ClaimBatchRow(id=uuid.uuid4(), kind="837I", interchange_control_number=
                              group_control_number + 1000, group_control_number=group_control_number,
                              claim_count=len(claims), file_name="batch.837", status="exported",
                              created_at=now)
        session.add(batch)
        session.flush()
        for number in claims:
            session.add(BillingClaimRow(
                id=uuid.uuid4(), patient_control_number=number, kind="837I", frequency="1",
                status="exported", payer_identifier="P", payer_name="Payer", total_charge=100,
                balance=100, document={}, findings=[], batch_id=batch.id, created_at=now,
                updated_at=now))
        return batch.id


def _record(engine, data: bytes, name: str):
    with transaction(engine) as session:
        return record_acknowledgment(session=session, actor=local_operator(), data=data,
                                     file_name=name)


def _statuses(engine) -> dict[str, str]:
    with transaction(engine) as session:
        return {c.patient_control_number: c.status for c in session.scalars(select(BillingClaimRow))}


@pytest.mark.shared_data
def test_999_rejected_rejects_the_batch_and_its_claims(sqlite_store):
    data = shared_data("samples/x12/imsweb/837_5010/x12_999_rejected.txt").read_bytes()
    batch_id = _batch(sqlite_store, 28, ["A1", "A2"])  # AK102 = 28
    result = _record(sqlite_store, data, "999")
    assert result.kind == "999" and result.rejected
    group = result.items[0]
    assert (group.level, group.reference, group.status) == ("group", "28", "rejected")
    assert "IK3 segment NM at position 17: syntax error 1" in result.items[1].codes
    assert _statuses(sqlite_store) == {"A1": "rejected", "A2": "rejected"}
    with transaction(sqlite_store) as session:
        assert session.get(ClaimBatchRow, batch_id).status == "rejected"
    again = _record(sqlite_store, data, "999")  # received twice: nothing recorded twice
    assert again.already_recorded
    with transaction(sqlite_store) as session:
        assert len(session.scalars(select(AcknowledgmentRow)).all()) == 1


@pytest.mark.shared_data
def test_999_partially_accepted_leaves_the_claims_for_the_277ca():
    data = shared_data("samples/x12/stupidedi/X231-FA999/X231-FA999_ex1.valid.x12").read_bytes()
    (group,) = read_acknowledgment(data).groups
    assert group.code == "P" and [t.code for t in group.transactions] == ["A", "R", "R"]
    assert group.transactions[1].errors[0] == "IK3 segment CLM at position 22: syntax error 8"


@pytest.mark.shared_data
def test_277ca_accepts_and_rejects_claims(sqlite_store):
    data = shared_data("samples/x12/stupidedi/X214-HN277/X214-HN277_ex3.valid.x12").read_bytes()
    claims = [c.patient_control_number for c in read_acknowledgment(data).claims]
    _batch(sqlite_store, 5, claims)
    code, document, output = chartwell("remit", "ack", "--json", str(
        shared_data("samples/x12/stupidedi/X214-HN277/X214-HN277_ex3.valid.x12")))
    assert code == 1, output  # something was rejected
    statuses = {item["reference"]: (item["status"], item["codes"]) for item in document["items"]}
    assert statuses == {
        "PATIENT22222": ("accepted", ["A2:20:PR"]),
        "PATIENT33333": ("rejected", ["A3:187:PR"]),
        "JONES44444": ("rejected", ["A3:21:77"]),
        "JOHNSON55555": ("accepted", ["A2:20:PR"]),
        "MILLS66666": ("accepted", ["A2:20"]),
    }
    assert _statuses(sqlite_store) == {"PATIENT22222": "accepted", "PATIENT33333": "rejected",
                                       "JONES44444": "rejected", "JOHNSON55555": "accepted",
                                       "MILLS66666": "accepted"}
    with transaction(sqlite_store) as session:
        claim = session.scalars(select(BillingClaimRow).where(
            BillingClaimRow.patient_control_number == "PATIENT22222")).one()
        assert claim.payer_claim_number == "220216359803X"


def test_a_paid_claim_is_not_moved_back_by_a_late_277ca(sqlite_store):
    _batch(sqlite_store, 7, ["LATE1"])
    with transaction(sqlite_store) as session:
        session.scalars(select(BillingClaimRow)).one().status = "paid"
    text = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *261101*1200*^*"
            "00501*000000201*0*T*:~GS*HN*PAYER*PROVIDER*20261101*1200*201*X*005010X214~"
            "ST*277*0001*005010X214~BHT*0085*08*X1*20261101*1200*TH~HL*1**20*1~"
            "NM1*PR*2*PAYER*****PI*P1~TRN*1*T1~DTP*050*D8*20261101~DTP*009*D8*20261101~"
            "HL*2*1*21*1~NM1*41*2*CLINIC*****46*S1~TRN*2*B1~STC*A1:19*20261101*WQ*100~"
            "HL*3*2*19*1~NM1*85*2*CLINIC*****XX*1234567893~HL*4*3*PT~NM1*QC*1*DOE*JO~"
            "TRN*2*LATE1~STC*A3:21*20261101*U*100~SE*18*0001~GE*1*201~IEA*1*000000201~")
    result = _record(sqlite_store, text.encode(), "late.277")
    assert result.items[0].matched == "claim paid (unchanged)"
    assert _statuses(sqlite_store) == {"LATE1": "paid"}


def test_an_ack_of_another_kind_is_refused():
    from chartwell.errors import InvalidInput

    text = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *261101*1200*^*"
            "00501*000000201*0*T*:~GS*HP*PAYER*PROVIDER*20261101*1200*201*X*005010X221A1~"
            "ST*835*0001~SE*2*0001~GE*1*201~IEA*1*000000201~")
    with pytest.raises(InvalidInput) as refused:
        read_acknowledgment(text)
    assert refused.value.position.segment == 3 and refused.value.position.field == "ST01"

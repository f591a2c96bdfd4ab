"""The X12 validator and reader on a small hand-written 837P (005010X222A1) and its breakages:
envelope counts and control numbers, loops, segment and element rules, and the loop tree the
claim reader walks."""

from __future__ import annotations

import pytest

from chartwell.claims.x12.reader import read_interchange, read_interchanges
from chartwell.claims.x12.validator import validate
from chartwell.errors import UnreadableInput

ISA = ("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260105*1200*^*00501*"
       "000000101*0*T*:~")

BODY = [
    "ST*837*0001*005010X222A1",
    "BHT*0019*00*BATCH1*20260105*1200*CH",
    "NM1*41*2*CHARTWELL CLINIC*****46*SUB123",
    "PER*IC*BILLING OFFICE*TE*5555550100",
    "NM1*40*2*PAYER CLEARINGHOUSE*****46*REC456",
    "HL*1**20*1",
    "NM1*85*2*CHARTWELL CLINIC*****XX*1234567893",
    "N3*1 MAIN ST",
    "N4*SPRINGFIELD*IL*627010000",
    "REF*EI*123456789",
    "HL*2*1*22*0",
    "SBR*P*18*GRP1******CI",
    "NM1*IL*1*DOE*JANE****MI*MEMBER1",
    "N3*2 ELM ST",
    "N4*SPRINGFIELD*IL*62701",
    "DMG*D8*19800101*F",
    "NM1*PR*2*ACME HEALTH*****PI*PAYER1",
    "CLM*PCN001*150***11:B:1*Y*A*Y*Y",
    "DTP*431*D8*20251220",
    "REF*G1*AUTH1",
    "REF*9F*REFER1",
    "HI*ABK:E119*ABF:I10",
    "NM1*82*1*SMITH*JOHN****XX*1234567893",
    "PRV*PE*PXC*207Q00000X",
    "LX*1",
    "SV1*HC:99213:25*100*UN*1***1:2",
    "DTP*472*D8*20260102",
    "LX*2",
    "SV1*HC:85025*50*UN*1***1",
    "DTP*472*D8*20260102",
]


def interchange(body: list[str] | None = None, *, se_count: int | None = None,
                ge: str = "GE*1*1", iea: str = "IEA*1*000000101") -> str:
    body = list(BODY if body is None else body)
    count = se_count if se_count is not None else len(body) + 1
    segments = [ISA.rstrip("~"), "GS*HC*SUBMITTER*RECEIVER*20260105*1200*1*X*005010X222A1",
                *body, f"SE*{count}*0001", ge, iea]
    return "~\n".join(segments) + "~\n"


def errors_of(text: str) -> list[tuple[int, str, str | None, str | None]]:
    return [(e.segment_index, e.segment_id, e.loop, e.element) for e in validate(text).errors]


def test_the_sample_claim_is_valid():
    report = validate(interchange(), source="claim.837")
    assert report.errors == []
    assert report.valid
    assert report.transactions[0]["guide"] == "005010X222A1"
    document = report.to_json()
    assert document["valid"] is True and document["errors"] == []
    assert set(document) >= {"valid", "transactions", "errors"}


def test_reader_builds_the_loop_tree_a_claim_reader_walks():
    read = read_interchange(interchange().encode(), source="claim.837")
    assert read.sender_id == "SUBMITTER" and read.control_number == "000000101"
    assert read.delimiters.component == ":" and read.delimiters.repetition == "^"
    assert [g.version for g in read.groups] == ["005010X222A1"]
    (transaction,) = read.transactions
    assert (transaction.id, transaction.control_number, transaction.guide) == ("837", "0001", "005010X222A1")
    root = transaction.root
    assert [loop.id for loop in root.loops] == ["1000A", "1000B", "2000A"]
    (claim,) = root.find_all("2300")
    assert claim.first("CLM").element(1) == "PCN001"
    assert claim.first("CLM").element(5, 3, read.delimiters) == "1"
    assert claim.first("REF", "9F").element(2) == "REFER1"
    assert claim.first("DTP", "431").element(3) == "20251220"
    assert claim.first("HI", "ABK") is not None
    assert [line.first("LX").element(1) for line in claim.children("2400")] == ["1", "2"]
    assert claim.child("2310B").first("PRV").element(3) == "207Q00000X"
    subscriber = root.find_all("2000B")[0]
    assert subscriber.child("2010BA").first("NM1").element(3) == "DOE"
    assert [s.id for s in subscriber.child("2300").iter_segments()][:3] == ["CLM", "DTP", "REF"]


def test_wrong_segment_count_names_the_se():
    found = errors_of(interchange(se_count=5))
    assert found == [(len(BODY) + 3, "SE", "ST", "SE01")]


def test_envelope_counts_and_control_numbers():
    found = errors_of(interchange(ge="GE*2*9", iea="IEA*3*000000999"))
    assert ("GE", "GE01") in {(e[1], e[3]) for e in found}
    assert ("GE", "GE02") in {(e[1], e[3]) for e in found}
    assert ("IEA", "IEA01") in {(e[1], e[3]) for e in found}
    assert ("IEA", "IEA02") in {(e[1], e[3]) for e in found}


def replaced(old: str, new: str | None) -> list[str]:
    body = [segment for segment in BODY]
    index = body.index(old)
    if new is None:
        del body[index]
    else:
        body[index] = new
    return body


@pytest.mark.parametrize(("old", "new", "expected"), [
    # required element missing (NM109 of the submitter)
    ("NM1*41*2*CHARTWELL CLINIC*****46*SUB123", "NM1*41*2*CHARTWELL CLINIC*****46",
     (5, "NM1", "1000A", "NM109")),
    # a date that does not exist
    ("DMG*D8*19800101*F", "DMG*D8*19800231*F", (18, "DMG", "2010BA", "DMG02")),
    # a code value the guide does not allow
    ("DMG*D8*19800101*F", "DMG*D8*19800101*X", (18, "DMG", "2010BA", "DMG03")),
    # a not-used element present (NM106 name prefix)
    ("NM1*IL*1*DOE*JANE****MI*MEMBER1", "NM1*IL*1*DOE*JANE**DR**MI*MEMBER1",
     (15, "NM1", "2010BA", "NM106")),
    # too long
    ("REF*G1*AUTH1", "REF*G1*" + "A" * 51, (22, "REF", "2300", "REF02")),
    # not a number
    ("CLM*PCN001*150***11:B:1*Y*A*Y*Y", "CLM*PCN001*1S0***11:B:1*Y*A*Y*Y",
     (20, "CLM", "2300", "CLM02")),
    # composite component missing
    ("CLM*PCN001*150***11:B:1*Y*A*Y*Y", "CLM*PCN001*150***11:B*Y*A*Y*Y",
     (20, "CLM", "2300", "CLM05-3")),
    # paired elements (NM108/NM109)
    ("NM1*82*1*SMITH*JOHN****XX*1234567893", "NM1*82*1*SMITH*JOHN****XX",
     (25, "NM1", "2310B", "NM108")),
    # too many elements
    ("N3*1 MAIN ST", "N3*1 MAIN ST*SUITE 2*EXTRA", (10, "N3", "2010AA", None)),
    # a time that does not exist
    ("BHT*0019*00*BATCH1*20260105*1200*CH", "BHT*0019*00*BATCH1*20260105*2599*CH",
     (4, "BHT", "ST_LOOP", "BHT05")),
])
def test_element_rules_name_segment_loop_and_element(old, new, expected):
    found = errors_of(interchange(replaced(old, new)))
    assert expected in found


def test_required_segment_missing_is_reported_in_its_loop():
    found = errors_of(interchange(replaced("N4*SPRINGFIELD*IL*627010000", None)))
    assert (11, "N4", "2010AA", None) in found  # named where the walk noticed it (the REF)


def test_required_loop_missing():
    body = [s for s in BODY if not s.startswith(("NM1*PR",))]
    found = validate(interchange(body)).errors
    assert any(e.segment_id == "NM1" and "2010BB" in e.message for e in found)


def test_segment_repeated_beyond_max_use():
    body = replaced("REF*EI*123456789", None)
    index = body.index("N4*SPRINGFIELD*IL*627010000")
    body[index + 1:index + 1] = ["REF*EI*123456789", "REF*EI*123456789"]
    found = errors_of(interchange(body))
    assert (13, "REF", "2010AA", None) in found


def test_unknown_and_unexpected_segments():
    body = list(BODY)
    body.insert(body.index("LX*1"), "ZZZ*1")
    body.insert(body.index("HL*2*1*22*0"), "CLM*X*1***11:B:1*Y*A*Y*Y")
    messages = {(e.segment_id, e.message.split(" is ")[1][:10]) for e in validate(interchange(body)).errors}
    assert ("ZZZ", "not in thi") in messages
    assert ("CLM", "not expect") in messages


def test_hl_numbering_and_parents():
    found = errors_of(interchange(replaced("HL*2*1*22*0", "HL*3*7*22*0")))
    assert (13, "HL", "2000B", "HL01") in found
    assert (13, "HL", "2000B", "HL02") in found


def test_service_lines_are_numbered_from_one():
    found = errors_of(interchange(replaced("LX*2", "LX*3")))
    assert (30, "LX", "2400", "LX01") in found


def test_neighbouring_version_is_read_with_the_a1_guide_and_says_so():
    text = interchange().replace("005010X222A1", "005010X222")
    report = validate(text)
    assert report.valid
    assert report.transactions[0]["guide"] == "005010X222A1"
    assert "005010X222" in report.transactions[0]["note"]


def test_transaction_without_a_guide_is_checked_for_its_envelope_only():
    text = interchange().replace("005010X222A1", "004010X098A1")
    report = validate(text)
    assert report.transactions[0]["guide"] is None
    assert "no implementation guide" in report.transactions[0]["note"]


def test_truncated_file_names_the_last_segment():
    text = interchange()
    cut = text[: text.index("LX*2")]
    report = validate(cut)
    assert not report.valid
    messages = [(e.segment_id, e.message) for e in report.errors]
    assert any("SE is missing" in message for _, message in messages)
    assert any("IEA is missing" in message for _, message in messages)
    assert report.errors[-1].segment_index <= len(BODY) + 3


def test_truncated_in_the_middle_of_a_segment():
    text = interchange()
    report = validate(text[: text.index("SV1*HC:85025") + 8])
    assert any("no segment terminator" in e.message for e in report.errors)


def test_garbage_segment_ids_are_reported_not_raised():
    text = interchange().replace("N3*2 ELM ST", "#$%*2 ELM ST")
    report = validate(text)
    assert any(e.segment_index == 16 and "no valid segment id" in e.message for e in report.errors)


@pytest.mark.parametrize("data", [b"", b"   \n", b"\x00\x01\x02binary\xff\xfe", b"GS*HC*A*B~",
                                  b"ISA*00*short~", "ISA00          00".encode()])
def test_unreadable_input_is_an_error_not_a_traceback(data):
    with pytest.raises(UnreadableInput) as raised:
        validate(data, source="bad.x12")
    assert "bad.x12" in str(raised.value)


def test_several_interchanges_are_read_and_control_numbers_must_differ():
    text = interchange() + interchange()
    assert len(read_interchanges(text)) == 2
    found = {(e.segment_id, e.element) for e in validate(text).errors}
    assert ("ISA", "ISA13") in found and ("GS", "GS06") in found


def test_messages_carry_no_element_values_that_could_be_patient_data():
    text = interchange(replaced("DMG*D8*19800101*F", "DMG*D8*19800231*F"))
    for error in validate(text).errors:
        assert "19800231" not in error.message

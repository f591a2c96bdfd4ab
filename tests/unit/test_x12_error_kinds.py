"""Every X12Error says what kind of deviation it is (envelope, structure, element), so that
consumers such as the 835 posting can refuse a file on structural errors only without reading
the message's wording."""

from __future__ import annotations

import pytest

from chartwell.claims.x12.validator import X12Error, validate
from test_x12_validator import BODY, interchange


def kinds_of(text: str) -> list[tuple[int, str, str | None, str]]:
    return [(e.segment_index, e.segment_id, e.element, e.kind) for e in validate(text).errors]


def test_a_valid_file_has_no_errors_of_any_kind():
    report = validate(interchange())
    assert report.valid and report.structural_errors == []


@pytest.mark.parametrize("text, expected", [
    (interchange(se_count=99), (33, "SE", "SE01", "envelope")),
    (interchange(ge="GE*2*1"), (34, "GE", "GE01", "envelope")),
    (interchange(iea="IEA*1*000000999"), (35, "IEA", "IEA02", "envelope")),
    (interchange().replace("*005010X222A1~\nBHT", "*005010X222~\nBHT"), (3, "ST", "ST03", "envelope")),
    (interchange().replace("*20260105*1200*1*X", "*20260105*1299*1*X"), (2, "GS", "GS05", "envelope")),
])
def test_envelope_errors(text, expected):
    assert expected in kinds_of(text)


def test_isa_width_is_an_envelope_error():
    text = interchange().replace("SUBMITTER      *", "SUBMITTER *", 1)
    assert (1, "ISA", None, "envelope") in kinds_of(text)


@pytest.mark.parametrize("body, expected", [
    ([s for s in BODY if not s.startswith("NM1*IL")], (15, "N3", None, "structure")),
    (BODY[:20] + ["FOO*1"] + BODY[20:], (23, "FOO", None, "structure")),
    (BODY[:5] + ["HL*3**20*1"] + BODY[6:], (8, "HL", "HL01", "structure")),
    (BODY[:27] + ["LX*5"] + BODY[28:], (30, "LX", "LX01", "structure")),
])
def test_structure_errors(body, expected):
    assert expected in kinds_of(interchange(body))


def test_a_missing_required_segment_is_its_own_kind_and_not_structural():
    """Nothing read is misplaced by a segment's absence (a payer's PER*BL), so consumers that
    refuse on structural errors read the file and report it beside."""
    report = validate(interchange([s for s in BODY if not s.startswith("N4*SPRINGFIELD*IL*627010000")]))
    assert [(e.segment_index, e.segment_id, e.kind) for e in report.errors] == [(11, "N4", "missing")]
    assert not report.valid and report.structural_errors == []


@pytest.mark.parametrize("replace, expected", [
    (("DMG*D8*19800101*F", "DMG*D8*19801301*F"), (18, "DMG", "DMG02", "element")),
    (("DMG*D8*19800101*F", "DMG*D8*19800101*Q"), (18, "DMG", "DMG03", "element")),
    (("CLM*PCN001*150*", "CLM*PCN001*1X0*"), (20, "CLM", "CLM02", "element")),
    (("SV1*HC:85025*50*UN", "SV1*HC:85025*50*XX"), (31, "SV1", "SV103", "element")),
    (("N3*2 ELM ST", "N3*2 ELM ST*APT 1*EXTRA"), (16, "N3", None, "element")),
])
def test_element_errors(replace, expected):
    body = [segment.replace(*replace) for segment in BODY]
    assert expected in kinds_of(interchange(body))


def test_lexer_notes_have_kinds():
    text = interchange().replace("~\nN3*1 MAIN ST", "~\n   N3*1 MAIN ST")
    text = text.replace("REF*G1*AUTH1", "REF*G1*AUTH1*")
    found = kinds_of(text)
    assert (10, "N3", None, "element") in found  # indentation: read through
    assert (22, "REF", None, "element") in found  # trailing element separator
    truncated = kinds_of(interchange().rstrip("~\n").rsplit("~\n", 1)[0])
    assert (34, "GE", None, "structure") in truncated  # the last segment has no terminator


def test_unreadable_segment_is_structural():
    text = interchange().replace("REF*G1*AUTH1", "R@F*G1*AUTH1")
    report = validate(text)
    assert any(e.segment_index == 22 and e.kind == "structure" for e in report.errors)


def test_structural_errors_and_json():
    body = [segment.replace("DMG*D8*19800101*F", "DMG*D8*19801301*F") for segment in BODY]
    report = validate(interchange(body))
    assert not report.valid and report.structural_errors == []
    assert report.to_json()["errors"][0]["kind"] == "element"
    report = validate(interchange(body, se_count=3))
    assert [e.element for e in report.structural_errors] == ["SE01"]
    assert {e["kind"] for e in report.to_json()["errors"]} == {"element", "envelope"}


def test_every_error_kind_is_one_of_four():
    texts = [interchange(se_count=1), interchange(BODY[:3] + ["ZZZ*1"] + BODY[3:]),
             interchange([s.replace("DMG*D8*19800101*F", "DMG*XX") for s in BODY])]
    for text in texts:
        for error in validate(text).errors:
            assert isinstance(error, X12Error)
            assert error.kind in ("envelope", "structure", "missing", "element"), error

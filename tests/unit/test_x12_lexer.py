"""The X12 lexer: delimiters from the ISA, segment positions, and what it tolerates."""

from __future__ import annotations

import pytest

from chartwell.claims.x12.lexer import lex, read_segments
from chartwell.errors import InvalidInput, UnreadableInput

ISA = ("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260105*1200*^*00501*"
       "000000101*0*T*:~")


def test_delimiters_come_from_the_isa():
    delimiters, segments = read_segments(ISA + "GS*HC*A*B~")
    assert (delimiters.element, delimiters.component, delimiters.repetition, delimiters.segment) == \
        ("*", ":", "^", "~")
    assert [(s.index, s.id) for s in segments] == [(1, "ISA"), (2, "GS")]
    assert segments[1].element(1) == "HC" and segments[1].element(9) == ""


def test_other_delimiters_and_line_breaks():
    text = ISA.replace("*", "|").replace("~", "!").replace("|:!", "|>!").replace("|^|", "|}|")
    delimiters, segments = read_segments(text + "\r\nCLM|A|1||| 11>B>1!\r\n")
    assert (delimiters.element, delimiters.component, delimiters.repetition) == ("|", ">", "}")
    assert segments[1].element(5, 3, delimiters) == "1"


def test_4010_isa11_is_no_repetition_separator():
    delimiters, _ = read_segments(ISA.replace("*^*00501", "*U*00401"))
    assert delimiters.repetition is None


def test_isa11_equal_to_the_component_separator_is_tolerated():
    delimiters, _ = read_segments(ISA.replace("*^*00501", "*:*00501"))
    assert delimiters.repetition is None and delimiters.component == ":"


def test_byte_order_mark_and_latin1_bytes_are_read():
    _, segments = read_segments(b"\xef\xbb\xbf" + ISA.encode() + "NM1*IL*1*MÜLLER~".encode("latin-1"))
    assert segments[1].element(3) == "MÜLLER"


def test_indentation_and_a_missing_final_terminator_are_noted():
    _, segments, notes = lex(ISA + "\n   GS*HC*A*B~\nGE*1*1")
    assert [s.id for s in segments] == ["ISA", "GS", "GE"]
    assert [(index, segment_id) for index, segment_id, _, _ in notes] == [(2, "GS"), (3, "GE")]


def test_bad_segment_id_is_an_error_naming_the_segment():
    with pytest.raises(InvalidInput) as raised:
        read_segments(ISA + "GS*HC~N@3*X~")
    assert raised.value.position.segment == 3
    _, segments, notes = lex(ISA + "GS*HC~N@3*X~", strict=False)
    assert len(segments) == 3 and notes[0][0] == 3


@pytest.mark.parametrize("text", ["", "GS*HC~", "ISA*00~", "ISA*00*" + "x" * 200, "ISAA00" * 30,
                                  ISA.replace(":~", "*~")])
def test_no_interchange_is_unreadable(text):
    with pytest.raises(UnreadableInput):
        read_segments(text, source="f.x12")

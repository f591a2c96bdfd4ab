"""A licensed user's CPT file: codes and descriptors, with or without a header, any delimiter.
The descriptors here are made up (CPT text is AMA copyright and never in the repository)."""

from __future__ import annotations

import io

import pytest

from chartwell.codesets.cpt import cpt_category, read_cpt, sniff_cpt_rows
from chartwell.errors import InvalidInput


def titles(text: str):
    return list(read_cpt(io.StringIO(text), source="cpt_2025.csv"))


def test_a_file_without_a_header():
    found = titles("99213,Made-up office visit descriptor,Office visit\n0001F,Made-up measure\n")
    assert [(t.code, t.long_title, t.short_title) for t in found] == [
        ("99213", "Made-up office visit descriptor", "Office visit"),
        ("0001F", "Made-up measure", None)]


def test_a_tab_separated_file_with_a_header_naming_its_columns():
    found = titles("SHORT\tCODE\tLONG DESCRIPTION\nVisit\t99213\tMade-up office visit\n")
    assert [(t.code, t.long_title, t.short_title) for t in found] == [
        ("99213", "Made-up office visit", "Visit")]


@pytest.mark.parametrize(("text", "line", "field", "words"), [
    ("99213,One\nABCDE,Two\n", 2, "code", "'ABCDE' is not a CPT code"),
    ("99213,One\n99214,\n", 2, "descriptor", "99214 has no descriptor"),
    ("99213,One\n99213,Again\n", 2, "code", "appears again (first at line 1)"),
])
def test_problems_name_the_line_and_field(text, line, field, words):
    with pytest.raises(InvalidInput) as error:
        titles(text)
    assert (error.value.position.line, error.value.position.field) == (line, field)
    assert words in error.value.message
    assert error.value.position.file == "cpt_2025.csv"


def test_sniffing_and_categories(tmp_path):
    good = tmp_path / "cpt.csv"
    good.write_text("code,descriptor\n99213,Made-up\n")
    codes_only = tmp_path / "cpt_codes.csv"
    codes_only.write_text("99213\n99214\n")
    assert sniff_cpt_rows(good) and not sniff_cpt_rows(codes_only)
    assert cpt_category("99213") == "category I"
    assert cpt_category("0001F").startswith("category II")
    assert cpt_category("0075T").startswith("category III")

"""Reading the codes a tabular note points to, as the tabular list writes them."""

from __future__ import annotations

import pytest

from chartwell.edits.references import note_patterns


@pytest.mark.parametrize(("text", "matching", "not_matching"), [
    ("type 2 diabetes mellitus (E11.-)", ["E11.9", "E11.65"], ["E10.9", "E13.9"]),
    ("diabetes mellitus (E08-E13)", ["E08.00", "E10.9", "E13.9"], ["E14.0", "E07.9"]),
    ("diabetic polyneuropathy (E08-E13 with .42)", ["E10.42", "E11.42"], ["E11.40", "E11.9"]),
    ("peripheral angiopathy (E08-E13 with .51-.52)", ["E11.51", "E13.52"], ["E11.59"]),
    ("other conditions (A00-R94 and T80-T88.6, T88.8)", ["A41.9", "T88.6", "T88.8"],
     ["T88.7", "S72.001A"]),
    ("pregnancy (O00-O9A)", ["O09.90", "O9A.11"], ["P00.0"]),
    ("neurodevelopmental disorder (QA0.01-)", ["QA0.0101"], ["QA0.1"]),
])
def test_note_references(text, matching, not_matching):
    patterns = note_patterns(text)
    for code in matching:
        assert any(pattern.matches(code) for pattern in patterns), code
    for code in not_matching:
        assert not any(pattern.matches(code) for pattern in patterns), code


@pytest.mark.parametrize("text", [
    "skull fracture (S02.- with 7th character B)",
    "aphasia following stroke (I69. with final characters -20)",
    "alcohol (F10-F19 with 5th character .6)",
    "malignant neoplasm AND other conditions without a code",
])
def test_qualified_or_codeless_references_are_left_out(text):
    assert note_patterns(text) == ()

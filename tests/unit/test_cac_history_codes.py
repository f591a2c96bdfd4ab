"""The history code offered beside a condition the note gives as past or as a relative's
(Official Guidelines I.C.21.c.4): not coded as the patient's condition, the family (Z80-Z84) or
personal (Z85-Z87, I25.2) history code it may take is found in the index first, else through
the tabular's "Conditions classifiable to" notes on the history codes, and never suggested.

The coder is the pipeline tests' (``tests/unit/conftest.py``).
"""

from __future__ import annotations

import pytest
from support import coded

from chartwell.cac.history import classifiable_ranges

pytestmark = pytest.mark.shared_data


def offered(coder, text: str) -> dict[str, tuple[str, str | None, str | None]]:
    """The not-coded conditions by code: (assertion, the history code offered, how found)."""
    result = coder.code(text, setting="inpatient")
    return {item.code: (item.assertion, item.history_code and item.history_code.code,
                        item.history_code and item.history_code.how)
            for item in result.not_coded}


def test_a_relative_s_condition_offers_the_family_history_code_of_the_index(coder):
    text = "HISTORY:\nFamily history significant for breast cancer in her mother.\n"
    assert offered(coder, text)["C50.919"][:2] == ("family", "Z80.3")
    assert "index: History > family > malignant neoplasm > breast" in \
        offered(coder, text)["C50.919"][2]
    assert not coded(coder, text)  # offered, never suggested


def test_else_the_tabular_note_on_the_history_code_says_which_conditions_it_takes(coder):
    assertion, code, how = offered(coder, "FAMILY HISTORY:\nHis father had colon cancer.\n")[
        "C18.9"]
    assert (assertion, code) == ("family", "Z80.0")
    assert "classifiable to C15-C26" in how


def test_a_history_header_is_completed_by_the_closest_title_under_it(coder):
    found = offered(coder, "FAMILY HISTORY:\nFather had a heart attack at 50. Mother with "
                           "hypothyroidism.\n")
    assert found["I21.9"][1] == "Z82.49"  # ischemic heart disease (Z82.4: I00-I5A)
    assert found["E03.9"][1] == "Z83.49"  # no title shares a word: the header's "other"


def test_a_past_condition_offers_the_personal_history_code(coder):
    assert offered(coder, "ASSESSMENT:\n1. History of stroke.\n")["I63.9"][:2] == \
        ("history", "Z86.73")
    assert offered(coder, "ASSESSMENT:\n1. Status post MI in 2010.\n")["I21.9"][:2] == \
        ("history", "I25.2")  # the index's History > personal > myocardial infarction
    assert offered(coder, "ASSESSMENT:\n1. History of breast cancer.\n")["C50.919"][:2] == \
        ("history", "Z85.3")


def test_negated_hypothetical_and_still_treated_conditions_offer_none(coder):
    negated = offered(coder, "ASSESSMENT:\n1. No evidence of pneumonia.\n")
    assert all(code is None for _, code, _ in negated.values())
    assert "I10" in coded(coder, "ASSESSMENT:\n1. History of hypertension, on lisinopril.\n")


def test_the_json_answer_carries_the_offer_with_its_guideline(coder):
    result = coder.code("HISTORY:\nFamily history of diabetes.\n", setting="inpatient")
    (item,) = [item for item in result.to_json()["not_coded"] if item["history_code"]]
    assert item["history_code"]["code"] == "Z83.3"
    assert "I.C.21.c.4" in item["history_code"]["guideline"]


@pytest.mark.parametrize("note, inside, outside", [
    ("Conditions classifiable to C15-C26", ["C18.9", "C15", "C26.0"], ["C14.8", "C30.0"]),
    ("Conditions classifiable to C50.-", ["C50.919"], ["C51.9"]),
    ("Conditions classifiable to C7A.022-C7A.025, C7A.029", ["C7A.023", "C7A.029"],
     ["C7A.026", "C7A.1"]),
    ("Conditions classifiable to I00-I5A, I65-I99", ["I50.9", "I5A", "I70.0"], ["I63.9"]),
    ("Personal history of conditions classifiable to O24.4-", ["O24.410"], ["O24.0"]),
])
def test_classifiable_ranges_hold_the_codes_the_note_names(note, inside, outside):
    ranges = classifiable_ranges("Z00", note)
    assert ranges
    for code in inside:
        assert any(item.pattern.matches(code) for item in ranges), code
    for code in outside:
        assert not any(item.pattern.matches(code) for item in ranges), code


def test_a_note_that_is_no_plain_range_gives_none():
    assert classifiable_ranges("Z81.8", "Conditions classifiable elsewhere in F01-F99") == []
    assert classifiable_ranges("Z87.82", "Conditions classifiable to S00-T88, except "
                                         "traumatic fractures") == []

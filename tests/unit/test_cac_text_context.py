"""The CAC's clinical language, no code set needed: sections, sentences and list items,
ConText-style assertions (each trigger family fires, and its near miss does not), modifiers."""

from __future__ import annotations

import pytest

from chartwell.cac import pipeline
from chartwell.cac.context import (
    FAMILY, HISTORY, HYPOTHETICAL, NEGATED, POSSIBLE, PRESENT, assertion_of,
)
from chartwell.cac.modifiers import read_modifiers
from chartwell.cac.text import section_name, sections, sentences

NOTE = """OFFICE VISIT
Patient: Test, Fake

CHIEF COMPLAINT:
Cough

HISTORY OF PRESENT ILLNESS:
45-year-old man with cough for 3 days. Denies fever. No shortness of breath.

PAST MEDICAL HISTORY:
- Hypertension
- Type 2 diabetes

FAMILY HISTORY:
Mother with breast cancer.

ASSESSMENT AND PLAN:
1. Acute bronchitis: supportive care.
2. Hypertension: continue lisinopril.
"""


def _condition(text: str, words: str):
    """The sentence holding ``words`` and the token positions of its words."""
    for sentence in sentences(text):
        norms = [token.norm for token in sentence.tokens]
        target = words.lower().split()
        for first in range(len(norms) - len(target) + 1):
            if norms[first:first + len(target)] == target:
                return sentence, first, first + len(target) - 1
    raise AssertionError(f"{words!r} not in {text!r}")


def assertion(text: str, words: str) -> str:
    sentence, first, last = _condition(text, words)
    return assertion_of(sentence, first, last)[0]


def test_sections_are_named_by_their_headings():
    names = [part.name for part in sections(NOTE)]
    assert names == [None, "chief_complaint", "history_of_present_illness",
                     "past_medical_history", "family_history", "assessment"]


@pytest.mark.parametrize(("heading", "name"), [
    ("Assessment and Plan", "assessment"), ("A/P", "assessment"), ("IMPRESSION", "assessment"),
    ("Discharge Diagnoses", "assessment"), ("Principal diagnosis", "assessment"),
    ("HPI", "history_of_present_illness"), ("PMH", "past_medical_history"),
    ("Family History", "family_history"), ("Review of Systems", "review_of_systems"),
    ("Medications", "medications"), ("Procedures performed", "procedures"),
    ("Patient", None), ("Date of service", None), ("Blood pressure was high", None),
])
def test_section_names(heading, name):
    assert section_name(heading) == name


def test_list_items_and_sentences_are_split_with_their_offsets():
    found = sentences(NOTE)
    texts = [NOTE[item.start:item.end] for item in found]
    assert "Hypertension" in texts and "Type 2 diabetes" in texts
    assert "Denies fever." in texts
    assert any(text.startswith("Acute bronchitis") for text in texts)
    for item in found:
        for token in item.tokens:
            assert NOTE[token.start:token.end] == token.text
            assert item.start <= token.start < token.end <= item.end


def test_numbered_items_are_not_cut_after_their_number():
    text = "ASSESSMENT:\n1. Syncope.\n2. Dyslipidemia: continue statin.\n"
    texts = [text[item.start:item.end] for item in sentences(text)]
    assert "1." not in texts and "Syncope." in texts


@pytest.mark.parametrize(("text", "words", "expected"), [
    ("Denies chest pain.", "chest pain", NEGATED),
    ("No fever or chills.", "fever", NEGATED),
    ("Negative for depression.", "depression", NEGATED),
    ("Pneumonia was ruled out.", "pneumonia", NEGATED),
    ("A CT was performed, ruling out aortic dissection.", "aortic dissection", NEGATED),
    ("Without evidence of fracture.", "fracture", NEGATED),
    ("Possible pneumonia.", "pneumonia", POSSIBLE),
    ("Rule out pulmonary embolism.", "pulmonary embolism", POSSIBLE),
    ("Likely viral pharyngitis.", "viral pharyngitis", POSSIBLE),
    ("Appendicitis is suspected.", "appendicitis", POSSIBLE),
    ("History of breast cancer.", "breast cancer", HISTORY),
    ("S/p appendectomy as a teenager.", "appendectomy", HISTORY),
    ("Mother with breast cancer.", "breast cancer", FAMILY),
    ("Family history of colon cancer.", "colon cancer", FAMILY),
    ("Long-standing history of diabetes.", "diabetes", HISTORY),  # no duration: a past one
    ("Return if chest pain recurs.", "chest pain", HYPOTHETICAL),
    ("Watch for signs of infection.", "infection", HYPOTHETICAL),
])
def test_each_trigger_family_fires(text, words, expected):
    assert assertion(text, words) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("Chest pain, no radiation.", "chest pain"),  # the negation follows the condition
    ("No increase in the pneumonia.", "pneumonia"),  # pseudo-trigger "no increase"
    ("Denies fever but has a cough.", "cough"),  # "but" ends the scope
    ("Gram negative sepsis.", "sepsis"),  # "gram negative" is no negation
    ("Acute bronchitis.", "bronchitis"),
    ("No change in the hypertension, which is chronic.", "hypertension"),
    ("The patient denies smoking; she has asthma.", "asthma"),  # a new clause
    ("Mother at bedside; patient has asthma.", "asthma"),
    ("Seen in the past week for gout.", "gout"),  # "past week" is no history
    ("A 2-month history of fever.", "fever"),  # how long the illness has run
    ("He reports a two months' history of chest pain.", "chest pain"),
    ("A 3-year long history of gout.", "gout"),
])
def test_near_misses_stay_present(text, words):
    assert assertion(text, words) == PRESENT


def test_the_family_history_section_makes_conditions_a_family_members():
    assert assertion(NOTE, "breast cancer") == FAMILY
    assert assertion(NOTE, "acute bronchitis") == PRESENT


@pytest.mark.parametrize(("text", "words", "injury", "expected"), [
    ("Fracture of femur, left, subsequent encounter.", "fracture of femur", True,
     ("left", None, None, "D")),
    ("Right wrist fracture, initial visit.", "wrist fracture", True, ("right", None, None, "A")),
    ("Acute on chronic systolic heart failure.", "systolic heart failure", False,
     (None, "acute on chronic", None, None)),
    ("Chronic kidney disease, stage 3a.", "chronic kidney disease", False,
     (None, None, "stage 3a", None)),
    ("CKD IV with anemia.", "ckd", False, (None, None, "stage 4", None)),
    ("ESRD on dialysis.", "esrd", False, (None, None, "end stage", None)),
    ("Pressure ulcer of sacrum, stage 2.", "pressure ulcer of sacrum", False,
     (None, None, "stage 2", None)),
    ("Left and right knee pain.", "knee pain", False, (None, None, None, None)),  # two sides
    ("Cough, follow-up visit.", "cough", False, (None, None, None, None)),  # no injury
])
def test_modifiers(text, words, injury, expected):
    sentence, first, last = _condition(text, words)
    found = read_modifiers(text, sentence, first, last, injury=injury)
    assert (found.laterality, found.acuity, found.stage, found.episode) == expected


def test_modifier_words_are_added_only_when_the_mention_lacks_them():
    text = "Fracture of left femur, subsequent encounter."
    sentence, first, last = _condition(text, "fracture of left femur")
    found = read_modifiers(text, sentence, first, last, injury=True)
    assert found.words("fracture of left femur") == ["subsequent encounter"]


@pytest.mark.parametrize("sample", ["plain words, 12 digits; punctuation.\tand\x01\x7f",
                                    "Ünïcode wörds \ufffd\x02 and ñ", "\x00" * 30 + "abc",
                                    bytes(range(128)).decode("ascii")])
def test_a_notes_letters_and_controls_are_counted_alike_on_bytes_and_by_pattern(sample):
    """Plain ASCII notes are counted on their bytes (fast); any other text by the patterns:
    both count the same."""
    by_pattern = (len(pipeline._CONTROL.findall(sample)),
                  len(pipeline._NOT_LETTER.sub("", sample)))
    assert pipeline._controls_and_letters(sample) == by_pattern
    assert pipeline._controls_and_letters(sample + "é") == (by_pattern[0], by_pattern[1] + 1)

"""The encoder's words: normalisation, stemming, the clinical lexicon (data, checked here),
abbreviation expansion, the spelling dictionary."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from chartwell.codesets.search.build import deletes, expand_ranges
from chartwell.codesets.search.documents import segment_words
from chartwell.codesets.search.query import QueryReader
from chartwell.codesets.search.spelling import SpellingDictionary, damerau_levenshtein
from chartwell.codesets.search.stemmer import stem
from chartwell.codesets.search.text import (
    fold,
    joined_hyphens,
    load_lexicon,
    move_boilerplate,
    raw_words,
    split_letters_digits,
    split_optional,
    terms,
)

# -- normalisation -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "words"), [
    ("R/O CHF, w/o edema", ["r/o", "chf", "w/o", "edema"]),
    ("Charcot's joints", ["charcot", "joints"]),
    ("COVID-19 pneumonia", ["covid", "19", "pneumonia"]),
    ("Björck", ["bjorck"]),
    ("self-harm (intentional)", ["self", "harm", "intentional"]),
])
def test_raw_words(text, words):
    assert raw_words(text) == words


def test_fold_lowers_and_drops_accents_and_possessives():
    assert fold("Ménière's Disease") == "meniere disease"


def test_nonessential_words_are_split_off():
    assert split_optional("Essential (primary) hypertension") == ("Essential hypertension",
                                                                  "primary")
    assert split_optional("Chronic obstructive pulmonary disease [COPD]") == (
        "Chronic obstructive pulmonary disease", "COPD")


def test_hyphenated_words_also_match_joined():
    assert joined_hyphens("Pre-eclampsia, Guillain-Barre") == "preeclampsia guillainbarre"


def test_printed_ranges_give_the_numbers_between():
    assert expand_ranges("with stage 1 through stage 4 chronic kidney disease") == "2 3"
    assert expand_ranges("no range here 5") == ""


def test_boilerplate_is_never_required():
    text, moved = move_boilerplate("Pleural effusion, not elsewhere classified", load_lexicon())
    assert "elsewhere" not in text and moved == "not elsewhere classified"


def test_letters_and_digits_split():
    assert split_letters_digits("ckd3") == ["ckd", "3"]
    assert split_letters_digits("stage3a") == ["stage", "3", "a"]


def test_comma_forms_of_one_word_are_optional_qualifiers_required():
    assert segment_words("Diabetes, diabetic") == ("Diabetes", "diabetic")
    assert segment_words("femur, femoral") == ("femur", "femoral")
    assert segment_words("Fracture, traumatic") == ("Fracture traumatic", "")
    assert segment_words("Fracture, traumatic", frozenset({"traumatic"})) == ("Fracture",
                                                                             "traumatic")
    assert segment_words("lumbar, lumbosacral") == ("lumbar lumbosacral", "")


# -- stemming ------------------------------------------------------------------------------


@pytest.mark.parametrize(("word", "expected"), [
    ("caresses", "caress"), ("ponies", "poni"), ("relational", "relat"),
    ("hopping", "hop"), ("generalization", "gener"), ("effective", "effect"),
    ("diabetes", "diabet"), ("diabetic", "diabet"),
    ("hypertension", "hypertens"), ("hypertensive", "hypertens"),
    ("fractures", "fractur"), ("infected", "infect"),
])
def test_porter_stemmer(word, expected):
    assert stem(word) == expected


def test_inflammations_keep_their_itis():
    assert stem("pancreatitis") == "pancreatitis" != stem("pancreatic")
    assert stem("prostatitis") != stem("prostate")


def test_terms_drop_stopwords_and_repeat_nothing():
    stopwords = load_lexicon().stopwords
    assert terms("Diabetes, diabetic, with neuropathy", stopwords) == ["diabet", "neuropathi"]


# -- the lexicon (data) ----------------------------------------------------------------------


def test_lexicon_is_well_formed():
    data = json.loads(resources.files("chartwell.codesets.search").joinpath("lexicon.json")
                      .read_text(encoding="utf-8"))
    for section in ("abbreviations", "misspellings", "implies"):
        assert all(key == key.lower().strip() for key in data[section]), section
    assert all(len(group) >= 2 for group in data["equivalents"])
    assert all(targets for targets in data["implies"].values())
    lexicon = load_lexicon()
    assert lexicon.abbreviations[("dm2",)] == ("diabetes", "mellitus", "type", "2")
    assert lexicon.abbreviations[("r/o",)] == ()
    assert stem("renal") in lexicon.equivalents[stem("kidney")]
    assert lexicon.implies[stem("cancer")][0] == stem("malignant")


# -- reading a query -------------------------------------------------------------------------


class _NoSpelling(SpellingDictionary):
    def __init__(self, corrections=None):
        self._corrections = corrections or {}

    def correct(self, typed):
        from chartwell.codesets.search.spelling import Correction

        fixed = self._corrections.get(typed)
        return Correction(fixed, 1) if fixed else None

    def complete(self, prefix, limit=6):
        return []

    def likely_slip(self, word):
        return None


def _reader(vocabulary: list[str], corrections=None, aliases=(), written_whole=None
            ) -> QueryReader:
    terms_ = {stem(word): number for number, word in enumerate(vocabulary)}
    return QueryReader(lexicon=load_lexicon(), terms=terms_, idf=lambda term: 1.0 + term,
                       spelling=_NoSpelling(corrections), aliases=aliases,
                       written_whole=written_whole or (lambda term: True))


VOCABULARY = ["diabetes", "mellitus", "type", "2", "neuropathy", "congestive", "heart",
              "failure", "fracture", "left", "femur", "neck", "kidney", "renal", "malignant",
              "neoplasm", "cancer", "chronic", "disease", "stage", "3", "hypertension"]


def test_abbreviations_expand_and_keep_the_typed_form():
    reader = _reader([*VOCABULARY, "copd"])
    words = [word.word for word in reader.read("DM2 w neuropathy").words]
    assert words == ["diabetes", "mellitus", "type", "2", "neuropathy"]
    fracture = reader.read("fx L femur neck").words
    assert [word.word for word in fracture] == ["fracture", "left", "femur", "neck"]
    assert fracture[0].note == "read 'fx' as 'fracture'"
    reader = _reader(["chronic", "obstructive", "pulmonary", "disease", "copd"])
    copd = reader.read("copd").words
    assert [word.word for word in copd] == ["chronic", "obstructive", "pulmonary", "disease"]
    assert all(reader.terms["copd"] in word.alternatives for word in copd)  # printed "COPD"


def test_a_word_after_non_is_read_joined_where_the_books_print_the_joined_word():
    vocabulary = ["non", "alcoholic", "nonalcoholic", "fatty", "liver", "hodgkin", "nonhodgkin"]
    printed = {stem("nonalcoholic")}  # "nonhodgkin": only the joined spelling of "non-Hodgkin"
    reader = _reader(vocabulary, written_whole=lambda term: reader_terms[term] in printed)
    reader_terms = {number: term for term, number in reader.terms.items()}
    assert [word.word for word in reader.read("Non-alcoholic fatty liver").words] == \
        ["nonalcoholic", "fatty", "liver"]
    assert [word.word for word in reader.read("non-Hodgkin").words] == ["non", "hodgkin"]
    assert [word.word for word in reader.read("non alcoholic").words] == ["non", "alcoholic"]


def test_letters_and_digits_are_split_then_expanded():
    words = [word.word for word in _reader([*VOCABULARY, "4"]).read("htn ckd4").words]
    assert words == ["hypertension", "chronic", "kidney", "disease", "4"]


def test_rule_out_is_left_out_and_said():
    parsed = _reader(VOCABULARY).read("r/o chf")
    assert [word.word for word in parsed.words] == ["congestive", "heart", "failure"]
    assert "left out 'r/o'" in parsed.notes()


def test_equivalent_and_implied_words_are_alternatives():
    reader = _reader(VOCABULARY)
    kidney = reader.read("renal").words[0]
    assert {reader.terms[stem("kidney")], reader.terms[stem("renal")]} <= kidney.alternatives
    cancer = reader.read("cancer").words[0]
    assert reader.terms[stem("malignant")] in cancer.alternatives
    assert reader.terms[stem("neoplasm")] in cancer.covers  # covered, not matched


def test_unknown_words_are_corrected_or_reported():
    reader = _reader(VOCABULARY, corrections={"diabetis": "diabetes"})
    parsed = reader.read("diabetis zzqxv mellitus")
    assert [word.word for word in parsed.words] == ["diabetes", "mellitus"]
    assert parsed.unknown == ["zzqxv"]
    assert "read 'diabetis' as 'diabetes'" in parsed.notes()


def test_aliases_give_their_words_the_target_words():
    reader = _reader([*VOCABULARY, "carcinoma"], aliases=[(["carcinoma"], ["carcinoma"],
                                                           ["malign"])])
    carcinoma = reader.read("carcinoma").words[0]
    assert reader.terms["malign"] in carcinoma.alternatives


# -- the spelling dictionary -----------------------------------------------------------------


def _spelling(words: dict[str, int]) -> SpellingDictionary:
    import zlib
    from array import array

    ordered = sorted(words)
    pairs = sorted((zlib.crc32(key.encode()), number) for number, word in enumerate(ordered)
                   for key in deletes(word))
    return SpellingDictionary(ordered, array("I", [words[word] for word in ordered]),
                              array("I", [key for key, _ in pairs]),
                              array("I", [number for _, number in pairs]))


@pytest.mark.parametrize(("one", "other", "distance"), [
    ("pnuemonia", "pneumonia", 1),  # a transposition is one edit
    ("diabetis", "diabetes", 1), ("hypertenshion", "hypertension", 1),
    ("cirrossis", "cirrhosis", 2), ("same", "same", 0),
])
def test_damerau_levenshtein(one, other, distance):
    assert damerau_levenshtein(one, other, 2) == distance


def test_corrections_prefer_the_nearest_then_a_doubled_letter_then_the_most_used():
    spelling = _spelling({"pneumonia": 500, "pneumonitis": 40, "contusion": 300,
                          "concussion": 20, "hypertension": 900, "hypotension": 50})
    assert spelling.correct("pnuemonia").word == "pneumonia"
    assert spelling.correct("concusion").word == "concussion"  # not the more used contusion
    assert spelling.correct("hypertenshion").word == "hypertension"
    assert spelling.correct("xyzzy") is None
    assert spelling.correct("pna") is None  # too short to guess


def test_long_words_allow_two_edits_short_ones_one():
    spelling = _spelling({"cirrhosis": 100, "anemia": 100})
    assert spelling.correct("cirrossis").word == "cirrhosis"
    assert spelling.correct("anmeai") is None


def test_completion_of_a_word_being_typed():
    spelling = _spelling({"pneumonia": 500, "pneumothorax": 90, "pneumonitis": 40})
    assert spelling.complete("pneum")[:2] == ["pneumonia", "pneumothorax"]
    assert spelling.complete("pn") == []


def test_a_rare_vocabulary_word_next_to_a_common_one_is_a_likely_slip():
    spelling = _spelling({"migraine": 400, "migrane": 1})
    assert spelling.likely_slip("migrane").word == "migraine"
    assert spelling.likely_slip("migraine") is None

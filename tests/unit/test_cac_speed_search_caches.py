"""The encoder's search made faster for the CAC (issue 6) answers exactly as before: whatever
its caches hold (cold, warm, or so small that they forget at every query), and whichever way a
header is completed (every child read, or only the children the query's words touch); asked
for answers above a floor, it gives those of its answers above the floor. Also the CAC's
reading helpers sped up with it: a query word's reading kept per word never leaks one
query's marks (negation, weights) into another, and the pseudo-trigger look-up by first word
finds what trying every length finds.

On the real FY2026 ICD-10-CM index (shared data), built once by the encoder's accuracy tests
and kept in pytest's cache; the queries are the labelled lookup set's and phrases the CAC asks
(sides, episodes of care, "without", the thousands of S82 codes).
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from support import load_test_module

from chartwell.cac import context
from chartwell.codesets.search import SearchIndex, engine

HERE = Path(__file__).parent
LABELLED = HERE.parent / "data" / "encoder_lookup"
CAC_QUERIES = (
    "fracture of shaft of right tibia", "displaced fracture of left tibia subsequent encounter",
    "open fracture fibula", "fracture femur neck left initial", "closed fracture radius",
    "asthma without exacerbation", "copd with acute exacerbation", "type 2 diabetes without "
    "complications", "diabetes with neuropathy", "acute on chronic systolic heart failure",
    "chest pain", "left knee pain", "pain", "hypertension", "ckd stage 3",
    "laceration of scalp", "sprain of ankle right", "dislocation of shoulder",
    "burn of hand second degree", "pressure ulcer of sacrum stage 2", "E11.9", "s82",
    "pnuemonia", "cellulitis of leg", "major depressive disorder recurrent moderate",
    # phrases a note names no condition with (weak answers), and the skin-row rule's
    "over with her", "rest of her", "end of the inguinal", "3 firings", "inhaled cocaine",
    "hallux limitus deformity of the right foot", "squamous cell carcinoma of his right",
    "squamous cell carcinoma of the larynx",
)
SAMPLE = 400  # labelled queries asked of each index variant (of ~2,000)


@pytest.fixture(scope="module")
def index_file(request) -> str:
    """The FY2026 ICD-10-CM search index's SQLite file (built on first use)."""
    return load_test_module("unit/test_search_accuracy.py").fy2026_cm_index(request)._database


@pytest.fixture(scope="module")
def queries() -> list[str]:
    found = []
    for path in sorted(LABELLED.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as stream:
            found.extend(row["query"] for row in csv.DictReader(stream, delimiter="\t")
                         if row.get("query"))
    return list(CAC_QUERIES) + found[::max(1, len(found) // SAMPLE)]


def _open(path: str) -> SearchIndex:
    return SearchIndex.load(sqlite3.connect(path, check_same_thread=False))


def _answers(index: SearchIndex, queries: list[str]) -> list[list]:
    return [index.search(query, limit=5) for query in queries]


@pytest.fixture(scope="module")
def reference(index_file, queries) -> list[list]:
    """The answers of an index with its caches as shipped, asked each query once, cold."""
    return _answers(_open(index_file), queries)


@pytest.mark.shared_data
def test_warm_caches_answer_as_cold_ones(index_file, queries, reference):
    index = _open(index_file)
    _answers(index, queries)
    assert _answers(index, queries) == reference


@pytest.mark.shared_data
def test_caches_that_forget_at_every_query_answer_the_same(index_file, queries, reference,
                                                           monkeypatch):
    for name, size in (("CACHED_CHILDREN", 8), ("CACHED_DOCUMENTS", 64), ("CACHED_TITLES", 4),
                       ("CACHED_EXPLANATIONS", 2)):
        monkeypatch.setattr(engine, name, size)
    index = _open(index_file)
    assert _answers(index, queries) == reference
    assert len(index._headers) <= 8 and len(index._code_title) <= 2


@pytest.mark.shared_data
@pytest.mark.parametrize("large", [0, 10**9], ids=["every-header-large", "no-header-large"])
def test_completing_by_the_touched_children_only_answers_as_reading_them_all(
        index_file, queries, reference, monkeypatch, large):
    monkeypatch.setattr(engine, "LARGE_HEADER", large)
    assert _answers(_open(index_file), queries) == reference


@pytest.mark.shared_data
@pytest.mark.parametrize("floor", [0.3, 0.55, 0.7])
def test_a_floor_leaves_out_the_weaker_answers_and_only_them(index_file, queries, reference,
                                                             floor):
    """``min_score`` spares the search completing codes that could not reach the floor; what
    it answers is the answer without it, less the hits under the floor (scores are shown
    rounded to four places: a hit that rounds to the floor itself may go either way)."""
    def clear(hits: list) -> list:
        return [hit for hit in hits if abs(hit.score - floor) > 1e-4]

    index = _open(index_file)
    floored = [index.search(query, limit=5, min_score=floor) for query in queries]
    assert any(hits and not above for hits, above in zip(reference, floored))
    for query, hits, above in zip(queries, reference, floored):
        assert clear(above) == clear([hit for hit in hits if hit.score >= floor]), query


@pytest.mark.shared_data
def test_a_kept_word_reading_carries_no_marks_between_queries(index_file):
    index = _open(index_file)
    negated = index.read("asthma without exacerbation")
    plain = index.read("exacerbation of asthma")
    again = index.read("asthma without exacerbation")
    assert [word.negated for word in negated.words] == [False, False, True]
    assert not any(word.negated or word.negation for word in plain.words)
    assert again == negated and again.words[0] is not negated.words[0]
    assert index.read("pnuemonia").notes() == _open(index_file).read("pnuemonia").notes()


def test_the_pseudo_trigger_look_up_finds_the_longest_phrase_as_trying_every_length_does():
    def every_length(norms: list[str], position: int) -> int:
        longest = max(len(phrase) for phrase in context.PSEUDO)
        for length in range(min(longest, len(norms) - position), 1, -1):
            if tuple(norms[position:position + length]) in context.PSEUDO:
                return length
        return 0

    sentences = [list(phrase) + ["pain"] for phrase in context.PSEUDO]
    sentences += [["in", "the", "past", "week", "no", "change"], ["no"], ["past"],
                  ["history", "of", "present", "illness"], ["not"] * 5]
    for norms in sentences:
        for position in range(len(norms)):
            assert context._pseudo_at(norms, position) == every_length(norms, position)

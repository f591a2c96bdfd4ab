"""The encoder's search: load the ``search_*`` tables of one release, answer queries.

**Scoring.** Every document (index path, table cell, tabular title, inclusion term, HCPCS or
CPT description) is scored on two coverages, both weighted by inverse document frequency:

* *query coverage*: how much of what the coder typed the document (or, see below, the code's
  own title) accounts for; a word found only in the code's title counts ``TITLE_EVIDENCE``;
* *required coverage*: how much of the document's required words the query accounts for
  (nonessential words are never required), so that a shorter, exact path beats one that adds
  words nobody typed ("type 1 diabetes" finds ``Diabetes, type 1`` before ``Diabetes, type 2``).

``score = query_coverage ** 2 * (REQUIRED_FLOOR + (1 - REQUIRED_FLOOR) * required_coverage)``,
times a small prior by source, so the words typed decide first and the words not typed second.

**Completing a code** (:meth:`SearchIndex._completions`). Where a document leads to a header or
the start of a code (the index's ``S72.00-``, a table's ``T39.1X1``, a 7th-character base), the
search picks the valid codes under it the way a coder reads the tabular: first the codes whose
titles carry most of the query's remaining words (``left``, ``subsequent``, ``open``), then
those whose titles add the fewest words the query did not ask for. Words listed as defaults in
the lexicon add nothing, so with nothing said the pick is the guideline default: closed,
displaced, initial encounter, the unspecified side (``fx femur neck`` -> S72.009A; ``fx L femur
neck`` -> S72.002A). The next best completions follow it, slightly lower.

**Speed.** Candidates are picked with set intersections done in C (documents holding every
query word first, then those missing the lightest words; see :meth:`SearchIndex._candidates`),
and only the best couple of hundred are scored exactly in Python. Postings, the
per-document terms and the spelling dictionary are flat ``array`` blobs read at load; document
paths and titles are read from the database only for the hits returned, and kept. What is
worked out once and reused across queries (posting sets, completed headers, code titles, word
readings) is kept in caches bounded by what they hold; they never change an answer
(``tests/unit/test_cac_speed_search_caches.py``). A caller that takes no answer under a floor
says so (``min_score``, the CAC's phrases that name no condition): a document whose code's
title could not lift it to the floor is not completed, and the answer is the one without the
floor less the hits under it.
"""

from __future__ import annotations

import bisect
import heapq
import json
import re
import sqlite3
import threading
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import chain, combinations, compress
from typing import Any

from chartwell.codesets.search.build import FORMAT_VERSION, NEGATED, SOURCES
from chartwell.codesets.search.model import SearchHit, Source
from chartwell.codesets.search.query import ParsedQuery, QueryReader, QueryWord
from chartwell.codesets.search.spelling import SpellingDictionary
from chartwell.codesets.search.text import load_lexicon, raw_words
from chartwell.errors import NotFound

TITLE_EVIDENCE = 0.85
REQUIRED_FLOOR = 0.35
SPECIFICITY_PENALTY = 0.02
CONTRADICTION = 0.6  # a document or title saying "with X" where the query says "without X"
CANDIDATES = 200
PIVOT_WORDS = 5
TIER_CANDIDATES = 100  # no one tier may crowd out those after it
ENOUGH_CANDIDATES = 10  # with this many found, tiers missing this much more of the ...
WIDE_MISSING_SHARE = 0.3  # ... query's weight than the first tier found are not read
CACHED_TITLES = 32768
MAX_MISSING_SHARE = 0.6  # documents missing more of the query's weight cannot rank
CACHED_POSTING = 64  # posting lists this long are kept as sets ...
CACHED_DOCUMENTS = 400_000  # ... until they hold this many documents in all
CACHED_EXPLANATIONS = 32768  # code titles and document paths kept
DOCUMENTS_FOR_HITS = 60
COMPLETIONS_PER_HEADER = 3
MAX_DESCENDANTS = 4000
SOURCE_PRIOR = {
    Source.INDEX: 1.0, Source.NEOPLASM_TABLE: 1.0, Source.DRUG_TABLE: 1.0,
    Source.TABULAR_TITLE: 0.99, Source.INCLUSION_TERM: 0.98, Source.PCS_INDEX: 1.0,
    Source.PCS_TITLE: 0.99, Source.EXTERNAL_CAUSE_INDEX: 0.96, Source.HCPCS_LONG: 1.0,
    Source.HCPCS_SHORT: 0.98, Source.CPT_DESCRIPTOR: 1.0,
}
TERM_BITS = NEGATED - 1
CACHED_CHILDREN = 400_000  # completed headers are kept until their children number this
LARGE_HEADER = 48  # a header with more children ranks only those its query's words touch
_NO_TERMS: frozenset[int] = frozenset()
VIA_PRIOR = (1.0, 1.0, 0.9)  # none, see, see also: a "see also" target is a second choice
MIN_PRIOR = min(SOURCE_PRIOR.values()) * min(VIA_PRIOR)
_CODE_QUERY = re.compile(r"[A-Za-z0-9]{3}(?:\.?[A-Za-z0-9]{1,4})?")
_SKIN_HISTOLOGY = re.compile(r"\b(?:squamous|basal|epidermoid)(?:[- ]cells?)?\b", re.I)
_SKIN = frozenset(("skin", "cutaneous", "dermal"))
_BY_SITE = ("the cell type asked no more: the index sends it to the Table of Neoplasms by site "
            "(Carcinoma - see also Neoplasm, by site, malignant), and the skin rows that name "
            "it are for a skin site the query does not say")


# A scored document: (-score, document, the query words it matched (bit i = word i), its
# required coverage, whether it holds a word the query negates and no negation). A plain tuple:
# tens are made a query, and sorting them needs no key.
_Scored = tuple[float, int, int, float, bool]


@dataclass(slots=True)
class _Completion:
    code: int
    title_mask: int
    extra_words: float
    contradicts: bool = False  # its title has, unnegated, a word the query negates


@dataclass(slots=True)
class _Header:
    """The valid codes under a header, each title's terms, and the cost of each term a
    completion adds (1 - the share of the siblings whose titles have it; defaults cost 0)."""

    children: list[int]
    titles: list[frozenset[int]]
    base_costs: list[float]  # each child's cost if the query asked for none of its words
    costs: dict[int, float]
    free: list[frozenset[int]]  # each child's terms under a negation
    terms: frozenset[int]
    # headers of more than LARGE_HEADER children: term -> the children (by number) whose
    # titles hold it, and the children by base cost (see _cheapest_untouched)
    holding: dict[int, frozenset[int]] | None = None
    cheapest: list[int] | None = None


@dataclass(slots=True)
class _Hit:
    score: float
    code: int
    document: int
    mask: int
    title_mask: int


class SearchIndex:
    """One release's search tables, loaded; :meth:`search` answers queries."""

    def __init__(self, conn: sqlite3.Connection, blobs: dict[str, bytes]):
        self._conn = conn
        self._owner = threading.get_ident()
        self._database = _database_file(conn)
        self._local = threading.local()
        self.lexicon = load_lexicon()
        vocabulary = blobs["terms"].decode().split("\n")
        self.terms = {term: number for number, term in enumerate(vocabulary)}
        self.idf = _array("f", blobs["idf"]).tolist()  # a list: read faster than the array
        self.postings = _array("I", blobs["postings"])
        self.posting_offsets = _array("I", blobs["posting_offsets"])
        self.doc_terms = _array("I", blobs["doc_terms"])
        self.doc_offsets = _array("I", blobs["doc_offsets"])
        self.doc_required = _array("H", blobs["doc_required"])
        self.doc_code = _array("I", blobs["doc_code"])
        self.doc_source = _array("B", blobs["doc_source"])
        self.doc_weight = _array("f", blobs["doc_weight"])
        self.codes = blobs["codes"].decode().split("\n")
        self.raw_codes = [code.replace(".", "") for code in self.codes]
        self.code_billable = _array("B", blobs["code_billable"])
        self.code_terms = _array("I", blobs["code_terms"])
        self.code_offsets = _array("I", blobs["code_offsets"])
        self.term_in_title = _array("B", blobs["term_in_title"])
        words = blobs["words"].decode().split("\n") if blobs["words"] else []
        self.spelling = SpellingDictionary(words, _array("I", blobs["word_count"]),
                                           _array("I", blobs["delete_keys"]),
                                           _array("I", blobs["delete_words"]))
        self.default_terms = frozenset(self.terms[word] for word in self.lexicon.default_words
                                       if word in self.terms)
        self.reader = QueryReader(lexicon=self.lexicon, terms=self.terms,
                                  idf=self.idf.__getitem__, spelling=self.spelling,
                                  aliases=json.loads(blobs["aliases"]),
                                  written_whole=self._required_somewhere)
        via = _array("B", blobs["doc_via"])
        self._priors = [SOURCE_PRIOR.get(SOURCES[source], 1.0) * VIA_PRIOR[kind]
                        for source, kind in zip(self.doc_source, via, strict=True)]
        self._headers = Kept(CACHED_CHILDREN)
        self._titles = Kept(CACHED_TITLES)
        self._word_sets = Kept(CACHED_DOCUMENTS // 2)
        self._posting_sets = Kept(CACHED_DOCUMENTS)
        self._document_paths = Kept(CACHED_EXPLANATIONS)
        self._code_title = Kept(CACHED_EXPLANATIONS)
        self._required_terms: dict[int, bool] = {}  # few terms are asked (see QueryReader)

    def _required_somewhere(self, term: int) -> bool:
        """Whether some document holds the term among its required words (a word the books
        print, not only a hyphenated word joined up as an optional spelling)."""
        found = self._required_terms.get(term)
        if found is None:
            offsets, terms, required = self.doc_offsets, self.doc_terms, self.doc_required
            found = any(term in terms[offsets[document]:offsets[document] + required[document]]
                        for document in self._term_documents(term))
            self._required_terms[term] = found
        return found

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> SearchIndex:
        """Load the search tables of the release open on ``conn``."""
        try:
            meta = dict(conn.execute("SELECT key, value FROM search_meta"))
            blobs = dict(conn.execute("SELECT name, data FROM search_blobs"))
        except sqlite3.OperationalError as error:
            raise NotFound("this release has no search tables (build them with "
                           "build_search_tables)") from error
        if meta.get("format") != FORMAT_VERSION:
            raise NotFound(f"the search tables are format {meta.get('format')!r}; this version "
                           f"reads format {FORMAT_VERSION}: reinstall the release")
        return cls(conn, blobs)

    # -- searching ---------------------------------------------------------------------

    def search(self, text: str, *, limit: int = 10, min_score: float = 0.0) -> list[SearchHit]:
        """The codes that best answer ``text``, best first (at most ``limit``). With
        ``min_score``, those of them scoring at least that, found sooner: a document whose
        code's title could not lift it that high is not completed (for a caller that takes
        no weaker answer; most of a note's phrases name no condition)."""
        if limit <= 0 or not text.strip():
            return []
        by_code = self._code_lookup(text.strip(), limit)
        if by_code:
            return by_code
        parsed = self.reader.read(text)
        if not parsed.words:
            return []
        # the skin-row rule reads the best answer however weak: a query naming the cell type
        # is answered whole, and the floor applied after
        cell_type = _SKIN_HISTOLOGY.search(text) is not None
        scored = self._score_documents(parsed)
        hits = self._explain(parsed, self._hits(parsed, scored, limit,
                                                0.0 if cell_type else min_score))
        if cell_type and hits and _skin_row_unsaid(hits[0], text):
            again = self.search(_SKIN_HISTOLOGY.sub(" ", text), limit=limit)
            if again:
                hits = [replace(hit, matched=f"{hit.matched}; {_BY_SITE}") for hit in again]
        return [hit for hit in hits if hit.score >= min_score]

    def read(self, text: str) -> ParsedQuery:
        """How a query is read (its words, corrections and expansions), for explanations."""
        return self.reader.read(text)

    # -- scoring documents -------------------------------------------------------------

    def _score_documents(self, parsed: ParsedQuery) -> list[_Scored]:
        """Every candidate scored (see the module notes), best first: the query words a
        document matches (bit mask) and its required coverage, worked out inline (this loop
        runs for tens of documents a query, and a call per document cost a third of it)."""
        words = parsed.words
        term_words = _term_words(words)
        covers = frozenset().union(*(word.covers for word in words)) - term_words.keys()
        weights = [word.weight for word in words]
        total = sum(weights) or 1.0
        weight_of = _MaskWeights(weights)
        priors = self._priors
        negated, negation = _negation_masks(words)
        get = term_words.get
        idf, doc_terms, doc_offsets = self.idf, self.doc_terms, self.doc_offsets
        doc_required, doc_weight = self.doc_required, self.doc_weight
        scored = []
        for document in self._candidates(words):
            start = doc_offsets[document]
            required_end = start + doc_required[document]
            mask, covered = 0, 0.0
            for term in doc_terms[start:required_end]:
                found = get(term)
                if found:
                    mask |= found
                    covered += idf[term]
                elif term in covers:
                    covered += idf[term]
            for term in doc_terms[required_end:doc_offsets[document + 1]]:
                found = get(term)
                if found:
                    mask |= found
            weight = doc_weight[document]
            required = covered / weight if weight > 0 else 1.0
            contradicts = bool(mask & negated) and not mask & negation
            if contradicts:  # "Asthma > with > exacerbation" for "asthma without exacerbation"
                mask &= ~negated
            coverage = weight_of[mask] / total
            score = coverage * coverage * (REQUIRED_FLOOR + (1 - REQUIRED_FLOOR) * required)
            if contradicts:
                score *= CONTRADICTION
            # (-score, document) sorts best first, ties by document, as a plain tuple
            scored.append((-(score * priors[document]), document, mask, required, contradicts))
        scored.sort()
        return scored

    def _candidates(self, words: list[QueryWord]) -> list[int]:
        """The documents worth scoring exactly, in tiers: those holding every query word, then
        those missing the lightest word, the lightest two ... (documents are numbered shortest
        first, so within a tier the most exact come first). Only the heaviest ``PIVOT_WORDS``
        words pick candidates; all of them score. A tier is not read once plenty are found
        that miss less, nor when even the best document in it could not outscore those found
        (what it misses, the completed code's title could only partly make up, and not at all
        for a word no title has). All set work, done in C."""
        # what the query negates ("without exacerbation") picks no candidates: the documents
        # without it are as good an answer as those that say "without" it
        said = [n for n in range(len(words)) if not (words[n].negated or words[n].negation)]
        pivots = sorted(said or range(len(words)), key=lambda n: -words[n].weight)[:PIVOT_WORDS]
        sets = [self._word_documents(words[n]) for n in pivots]
        weights = [words[n].weight for n in pivots]
        in_titles = [any(self.term_in_title[term] for term in words[n].alternatives)
                     for n in pivots]
        total = sum(words[n].weight for n in pivots) or 1.0
        taken: set[int] = set()
        found: list[int] = []
        floor, first_share = 0.0, 0.0
        for missing in _missing_words(weights, MAX_MISSING_SHARE * total):
            share = sum(weights[n] for n in missing) / total
            lost = sum(weights[n] * (1 - TITLE_EVIDENCE if in_titles[n] else 1.0)
                       for n in missing) / total
            if (len(found) >= ENOUGH_CANDIDATES and share > first_share + WIDE_MISSING_SHARE) \
                    or (1 - lost) ** 2 < floor:
                break
            present = sorted((sets[n] for n in range(len(sets)) if n not in missing), key=len)
            if not present:
                continue
            tier = present[0].intersection(*present[1:]) if len(present) > 1 else present[0]
            room = min(CANDIDATES - len(found), TIER_CANDIDATES)
            new = sorted(tier - taken if taken else tier)[:room]
            if new and not found:
                first_share = share
                floor = (1 - share) ** 2 * REQUIRED_FLOOR * MIN_PRIOR
            found.extend(new)
            taken.update(new)
            if len(found) >= CANDIDATES:
                break
        return found

    def _word_documents(self, word: QueryWord) -> frozenset[int]:
        """The documents holding any term that counts as ``word``."""
        terms = word.alternatives
        if len(terms) == 1:
            return self._term_documents(next(iter(terms)))
        cached = self._word_sets.get(terms)
        if cached is None:
            cached = frozenset().union(*(self._term_documents(term) for term in terms))
            if len(cached) >= CACHED_POSTING:
                self._word_sets.put(terms, cached, len(cached))
        return cached

    def _term_documents(self, term: int) -> frozenset[int]:
        cached = self._posting_sets.get(term)
        if cached is None:
            start, end = self.posting_offsets[term], self.posting_offsets[term + 1]
            cached = frozenset(self.postings[start:end])
            if end - start >= CACHED_POSTING:
                self._posting_sets.put(term, cached, end - start)
        return cached

    # -- from documents to codes -------------------------------------------------------

    def _hits(self, parsed: ParsedQuery, scored: list[_Scored], limit: int,
              min_score: float = 0.0) -> list[_Hit]:
        words = parsed.words
        term_words = _term_words(words)
        weights = [word.weight for word in words]
        total = sum(weights) or 1.0
        every_term = frozenset(term_words)
        negated, negation = _negation_masks(words)
        said_not = negated | negation
        weight_of = _MaskWeights(weights)
        priors, doc_code = self._priors, self.doc_code
        best: dict[int, _Hit] = {}
        leaders: list[float] = []  # the best ``limit`` scores so far (a min-heap)
        completed: dict[tuple[int, int], list[_Completion]] = {}
        for _, document, mask, required_coverage, item_contradicts in \
                scored[:max(DOCUMENTS_FOR_HITS, limit * 3)]:
            prior = priors[document]
            shown = weight_of[mask]
            required = (REQUIRED_FLOOR + (1 - REQUIRED_FLOOR) * required_coverage) * prior
            ceiling = ((shown + TITLE_EVIDENCE * (total - shown)) / total) ** 2 * required
            if ceiling < min_score or (len(leaders) >= limit and ceiling <= leaders[0]):
                continue
            code = doc_code[document]
            completions = completed.get((code, mask))
            if completions is None:
                completions = completed[(code, mask)] = self._completions(
                    code, mask, term_words, every_term, negated)
            for completion in completions:
                new = completion.title_mask & ~mask
                contradicts = completion.contradicts or item_contradicts
                if not contradicts:
                    # a code that does not have what the query says it is without is the
                    # default the negation asks for: its words count as title evidence
                    new |= said_not & ~mask
                coverage = (shown + TITLE_EVIDENCE * weight_of[new]) / total
                score = (coverage * coverage * required
                         * (1 - SPECIFICITY_PENALTY * min(completion.extra_words, 10.0)))
                if contradicts:
                    score *= CONTRADICTION
                if score < min_score:
                    continue
                known = best.get(completion.code)
                if known is None or score > known.score:
                    best[completion.code] = _Hit(score, completion.code, document, mask,
                                                 completion.title_mask)
                    _keep_leaders(leaders, score, limit)
        return self._best_hits(best, limit)

    def _best_hits(self, best: dict[int, _Hit], limit: int) -> list[_Hit]:
        """The ``limit`` best, ties by code; only those scoring at least the ``limit``-th best
        score can be among them, so only those are sorted by code."""
        if len(best) > limit:
            cut = sorted([hit.score for hit in best.values()], reverse=True)[limit - 1]
            contenders: Iterable[_Hit] = [hit for hit in best.values() if hit.score >= cut]
        else:
            contenders = best.values()
        raw_codes = self.raw_codes
        ranked = sorted(contenders, key=lambda hit: (-hit.score, raw_codes[hit.code]))
        return ranked[:limit]

    def _completions(self, code: int, mask: int, term_words: dict[int, int],
                     every_term: frozenset[int], negated: int = 0) -> list[_Completion]:
        """The valid codes a document's code stands for: itself when valid, else the best
        valid codes under it (see the module notes). A completion's extra words are those of
        its title that the query did not ask for, each counted by how few of its siblings
        share it (a word most of them carry says little), words under a negation ("not
        having achieved remission") and the lexicon's default words counting nothing."""
        header = None if self.code_billable[code] else self._header(code)
        if header is None or not header.children:
            title_mask, contradicts = self._title_mask(code, term_words, negated)
            return [_Completion(code, title_mask, 0.0, contradicts)]
        asked = [(term, term_words[term], header.costs.get(term, 0.0)) for term in every_term
                 if term in header.costs or term in header.terms]
        children, titles, free, base_costs = (header.children, header.titles, header.free,
                                              header.base_costs)
        if header.holding is None:
            numbers: Iterable[int] = range(len(children))
        else:  # only the children holding a word asked; the others rank by their cost alone
            numbers = set()
            for term, _, _ in asked:
                numbers.update(header.holding[term])
        ranked = []
        for number in numbers:
            title, governed = titles[number], free[number]
            title_mask, extra, contradicts = 0, base_costs[number], False
            for term, bits, term_cost in asked:
                if term in title:
                    if bits & negated and term not in governed:
                        contradicts = True  # "with exacerbation" for "without exacerbation"
                        continue
                    title_mask |= bits
                    extra -= term_cost if term not in governed else 0.0
            gained = title_mask & ~mask
            ranked.append((contradicts, -gained.bit_count(), extra, children[number], title_mask))
        if header.holding is not None:
            ranked.extend(_cheapest_untouched(header, numbers))
        best = heapq.nsmallest(COMPLETIONS_PER_HEADER, ranked)
        return [_Completion(child, title_mask, extra, contradicts)
                for contradicts, _, extra, child, title_mask in best]

    def _header(self, code: int) -> _Header:
        """The valid codes under a header with what completing to each would add (cached;
        the cache is bounded by the children it holds, so a few large headers cannot crowd
        out the many small ones)."""
        header = self._headers.get(code)
        if header is None:
            children = self._descendants(code)
            read = [self._title(child) for child in children]
            titles = [title for title, _ in read]
            counts = Counter(chain.from_iterable(titles))
            costs = {term: 1.0 - count / len(children) for term, count in counts.items()
                     if term not in self.default_terms}
            cost_of = dict.fromkeys(counts, 0.0)
            cost_of.update(costs)
            base_costs = [sum(map(cost_of.__getitem__, title - free)) for title, free in read]
            free = [negated for _, negated in read]
            holding = cheapest = None
            if len(children) > LARGE_HEADER:
                holding = {}
                for number, title in enumerate(titles):
                    for term in title:
                        holding.setdefault(term, []).append(number)
                holding = {term: frozenset(numbers) for term, numbers in holding.items()}
                cheapest = sorted(range(len(children)),
                                  key=lambda number: (base_costs[number], children[number]))
            header = _Header(children, titles, base_costs, costs, free, frozenset(counts),
                             holding, cheapest)
            self._headers.put(code, header, len(header.children) + 1)
        return header

    def _descendants(self, code: int) -> list[int]:
        raw = self.raw_codes[code]
        end = min(bisect.bisect_left(self.raw_codes, raw + "\x7f", lo=code),
                  code + 1 + MAX_DESCENDANTS)
        return list(compress(range(code + 1, end), self.code_billable[code + 1:end]))

    def _title(self, code: int) -> tuple[frozenset[int], frozenset[int]]:
        """A code's title terms, and those of them a negation governs."""
        found = self._titles.get(code)
        if found is None:
            terms = self.code_terms[self.code_offsets[code]:self.code_offsets[code + 1]]
            if not terms or max(terms) < NEGATED:  # most titles: no negation
                found = (frozenset(terms), _NO_TERMS)
            else:
                found = (frozenset(term & TERM_BITS for term in terms),
                         frozenset(term & TERM_BITS for term in terms if term & NEGATED))
            self._titles.put(code, found)
        return found

    def _title_mask(self, code: int, term_words: dict[int, int], negated: int = 0
                    ) -> tuple[int, bool]:
        """The query words a code's title holds, and whether it holds, unnegated, one the
        query negates (it is then not counted)."""
        mask, contradicts = 0, False
        for term in self.code_terms[self.code_offsets[code]:self.code_offsets[code + 1]]:
            bits = term_words.get(term & TERM_BITS, 0)
            if bits & negated and not term & NEGATED:
                contradicts = True
                bits &= ~negated
            mask |= bits
        return mask, contradicts

    # -- code lookups ------------------------------------------------------------------

    def _code_lookup(self, text: str, limit: int) -> list[SearchHit]:
        """A query that is a code (``E11.9``, ``e119``, ``0DTJ4ZZ``, ``J3301``) or the start of
        one: that code, then the valid codes under it."""
        if not _CODE_QUERY.fullmatch(text) or not any(char.isdigit() for char in text):
            return []
        raw = text.replace(".", "").upper()
        at = bisect.bisect_left(self.raw_codes, raw)
        found = []
        while at < len(self.raw_codes) and self.raw_codes[at].startswith(raw) \
                and len(found) < limit:
            exact = self.raw_codes[at] == raw
            if exact or self.code_billable[at]:
                found.append((1.0 if exact else 0.9, at))
            at += 1
        titles = self._code_titles([code for _, code in found])
        return [SearchHit(code=self.codes[code], title=titles.get(code, ""),
                          billable=bool(self.code_billable[code]), score=score,
                          path=[self.codes[code]], matched="code")
                for score, code in found]

    # -- explanations ------------------------------------------------------------------

    def _explain(self, parsed: ParsedQuery, hits: list[_Hit]) -> list[SearchHit]:
        documents = self._document_rows([hit.document for hit in hits])
        titles = self._code_titles([hit.code for hit in hits])
        answers = []
        for hit in hits:
            source, path, via = documents.get(hit.document, ("", (), None))
            answers.append(SearchHit(
                code=self.codes[hit.code], title=titles.get(hit.code, ""),
                billable=bool(self.code_billable[hit.code]), score=round(min(hit.score, 1.0), 4),
                path=list(path), matched=_matched(parsed, hit, source, via)))
        return answers

    def _document_rows(self, documents: list[int]
                       ) -> dict[int, tuple[str, tuple[str, ...], str | None]]:
        """Each document's source, path and cross reference (kept: the same documents answer
        many queries)."""
        return self._kept_rows(self._document_paths, documents,
                               "SELECT id, source, path, via FROM search_documents",
                               lambda source, path, via: (source, tuple(json.loads(path)), via))

    def _code_titles(self, codes: list[int]) -> dict[int, str]:
        """Each code's title (kept, as the paths are)."""
        return self._kept_rows(self._code_title, codes, "SELECT id, title FROM search_codes",
                               lambda title: title)

    def _kept_rows(self, kept: Kept, ids: list[int], select: str,
                   value_of: Callable[..., Any]) -> dict[int, Any]:
        """The value of each id's row, those not kept yet read in one statement and kept."""
        found = {each: value for each in ids if (value := kept.get(each)) is not None}
        missing = [each for each in ids if each not in found]
        if missing:
            marks = ",".join("?" * len(missing))
            for each, *columns in self._connection().execute(
                    f"{select} WHERE id IN ({marks})", missing):
                found[each] = value = value_of(*columns)
                kept.put(each, value)
        return found

    def _connection(self) -> sqlite3.Connection:
        """The loading connection in the thread that loaded; elsewhere a read-only connection
        of this thread's own to the same file (sqlite3 connections stay in their thread)."""
        if threading.get_ident() == self._owner or not self._database:
            return self._conn
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self._database}?mode=ro", uri=True)
            self._local.conn = conn
        return conn


def _array(typecode: str, data: bytes) -> array:
    values = array(typecode)
    values.frombytes(data)
    return values


def _database_file(conn: sqlite3.Connection) -> str:
    for _, name, path in conn.execute("PRAGMA database_list"):
        if name == "main":
            return path or ""
    return ""


class Kept:
    """A cache bounded by the total size of what it holds (documents in posting sets, children
    in headers, 1 for a title or a path), oldest out first: one large entry costs what many
    small ones do. When full, the oldest go until a quarter is free, at once (a dict emptied
    from the front one entry at a time is read from the front past every entry taken out)."""

    __slots__ = ("budget", "_held", "_items")

    def __init__(self, budget: int):
        self.budget = budget
        self._held = 0
        self._items: dict = {}

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: object) -> Any:
        item = self._items.get(key)
        return None if item is None else item[0]

    def put(self, key: object, value: object, size: int = 1) -> None:
        if size > self.budget:
            return
        if self._held + size > self.budget:
            self._forget_oldest(self._held + size - (self.budget - self.budget // 4))
        old = self._items.get(key)
        self._items[key] = (value, size)
        self._held += size - (old[1] if old is not None else 0)

    def _forget_oldest(self, amount: int) -> None:
        """The oldest entries out until they held ``amount`` (another thread may be doing the
        same: what it took is not taken twice, and a dict changed while read frees fewer)."""
        oldest, freed = [], 0
        try:
            for key, (_, size) in self._items.items():
                if freed >= amount:
                    break
                oldest.append(key)
                freed += size
        except RuntimeError:  # changed while read, by another thread
            pass
        for key in oldest:
            gone = self._items.pop(key, None)
            if gone is not None:
                self._held -= gone[1]


def _skin_row_unsaid(hit: SearchHit, query: str) -> bool:
    """An answer from a skin row of the Table of Neoplasms ("eyelid > squamous cell carcinoma",
    C44.121) for a query naming the cell type (asked only then) but neither that site nor the
    skin: the table names the squamous and basal cell carcinomas only under the skin's sites,
    while the index sends the cell type to the table "by site" (Carcinoma - see also Neoplasm,
    by site, malignant): the site is the coder's to say, and without it the cell type is asked
    no more ("squamous cell carcinoma of the lung" C34.90; alone C80.1)."""
    path = hit.path
    if len(path) < 3 or not path[0].startswith("Neoplasm") or not hit.code.startswith("C44"):
        return False
    said = set(raw_words(query.lower()))
    return not said & (set(raw_words(path[1].lower())) | _SKIN)


def _keep_leaders(leaders: list[float], score: float, limit: int) -> None:
    if len(leaders) < limit:
        heapq.heappush(leaders, score)
    elif score > leaders[0]:
        heapq.heapreplace(leaders, score)


def _cheapest_untouched(header: _Header, touched: set[int]) -> list[tuple]:
    """The children of a large header (S82 has thousands) that hold no word the query asked,
    as they rank: by their own cost alone, so only the first few can be among the best."""
    found = []
    for number in header.cheapest:
        if number not in touched:
            found.append((False, 0, header.base_costs[number], header.children[number], 0))
            if len(found) == COMPLETIONS_PER_HEADER:
                break
    return found


def _missing_words(weights: list[float], most: float) -> list[tuple[int, ...]]:
    """Sets of query words a candidate may lack, lightest first: none, each one, each two
    (three for long queries), as long as what is missing weighs at most ``most``."""
    count = len(weights)
    sizes = range(min(count - 1, 3 if count >= 6 else 2) + 1)
    found = [missing for size in sizes for missing in combinations(range(count), size)
             if sum(weights[n] for n in missing) <= most]
    return sorted(found, key=lambda missing: (sum(weights[n] for n in missing), len(missing)))


def _negation_masks(words: list[QueryWord]) -> tuple[int, int]:
    """The query words said after "without" (bit mask), and the negation words."""
    negated = negation = 0
    for number, word in enumerate(words):
        if word.negated:
            negated |= 1 << number
        if word.negation:
            negation |= 1 << number
    return negated, negation


def _term_words(words: list[QueryWord]) -> dict[int, int]:
    """term -> the query words (bit mask) it counts for."""
    found: dict[int, int] = {}
    for number, word in enumerate(words):
        for term in word.alternatives:
            found[term] = found.get(term, 0) | (1 << number)
    return found


class _MaskWeights(dict):
    """The weight of a set of query words (bit mask), each worked out once per query."""

    __slots__ = ("weights",)

    def __init__(self, weights: list[float]):
        super().__init__()
        self.weights = weights

    def __missing__(self, mask: int) -> float:
        weight = self[mask] = _mask_weight(mask, self.weights)
        return weight


def _mask_weight(mask: int, weights: list[float]) -> float:
    total, number = 0.0, 0
    while mask:
        if mask & 1:
            total += weights[number]
        mask >>= 1
        number += 1
    return total


def _matched(parsed: ParsedQuery, hit: _Hit, source: str, via: str | None) -> str:
    """Which words matched where: ``index: fracture, femur, neck; title: left``."""
    words = parsed.words
    in_document = [word.word for n, word in enumerate(words) if hit.mask >> n & 1]
    in_title = [word.word for n, word in enumerate(words)
                if hit.title_mask >> n & 1 and not hit.mask >> n & 1]
    parts = [f"{source}: {', '.join(in_document) or '-'}"]
    if in_title:
        parts.append(f"title: {', '.join(in_title)}")
    if via:
        parts.append(via)
    missing = [word.word for n, word in enumerate(words)
               if not (hit.mask | hit.title_mask) >> n & 1]
    if missing:
        parts.append(f"not matched: {', '.join(missing)}")
    parts.extend(parsed.notes())
    if parsed.unknown:
        parts.append(f"unknown: {', '.join(parsed.unknown)}")
    return "; ".join(parts)


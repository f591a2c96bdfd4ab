"""Build the encoder's tables inside a release's SQLite artifact (all named ``search_*``).

What is stored, each as compact arrays that :class:`~chartwell.codesets.search.engine.
SearchIndex` loads in one read per blob (no per-row work at start-up):

==================  ==========================================================================
``search_blobs``    ``terms`` (the stemmed vocabulary, one a line), ``idf`` (float32 a term),
                    ``postings`` + ``posting_offsets`` (uint32: the documents holding each
                    term), ``doc_terms`` + ``doc_offsets`` (uint32: each document's terms,
                    required ones first, ``doc_required`` of them), ``doc_code`` (uint32 index
                    into the codes), ``doc_source`` (uint8), ``doc_via`` (uint8: 0, or 1 when
                    reached by a ``see``, 2 by a ``see also``), ``doc_weight`` (float32: the
                    summed idf of its required terms), ``code_terms`` +
                    ``code_offsets`` (each code's title terms; the top bit set on those a
                    negation governs, "without complications"), ``code_billable`` (uint8),
                    ``term_in_title`` (uint8 a term: 1 if some code title has it),
                    ``codes`` (one a line, sorted without dots for prefix search),
                    ``words`` + ``word_term`` + ``word_count`` (the spelling dictionary: words
                    as printed, their term, how many documents use them), ``delete_keys`` +
                    ``delete_words`` (a deletion neighbourhood: CRC-32 of each word and each
                    word less one letter, sorted, with the word it comes from), ``aliases``
                    (JSON: [words all in the query, those that gain, the words gained])
``search_documents`` one row per document: code, source, path (JSON), via: read for the hits
``search_codes``    one row per code: code, title, billable
``search_meta``     format version and counts
==================  ==========================================================================

The caller owns the connection and the transaction; building twice replaces the tables.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from chartwell.codesets.search.model import SearchDocument, Source
from chartwell.codesets.search.text import (
    Lexicon,
    fold,
    joined_hyphens,
    load_lexicon,
    move_boilerplate,
    raw_words,
    surface_words,
    terms,
)

FORMAT_VERSION = "1"
NEGATED = 1 << 31  # flag on a code-title term that a negation governs
# (a negation word among nonessential words - "(without headache)" - matches no query word)
NEGATIONS = frozenset({"not", "without", "no"})
_CLAUSE = re.compile(r"[,;()\[\]]")
SPELLING_MIN_LENGTH = 4
MAX_ALIAS_WORDS = 4
PHRASE_PREFIX = "~"  # a term standing for a phrase (see _Collector._phrase_terms)
SOURCES = list(Source)
_DIGIT = re.compile(r"\d")
_RANGE = re.compile(r"\b(\d{1,2})\s+(?:through|thru|to)\s+(?:[a-z]+\s+)?(\d{1,2})\b", re.I)
TABLES = ("search_blobs", "search_documents", "search_codes", "search_meta")


def build_search_tables(conn: sqlite3.Connection, documents: Iterable[SearchDocument]) -> None:
    """Create and fill the ``search_*`` tables in ``conn`` from ``documents``."""
    collected = _Collector(load_lexicon())
    for document in documents:
        collected.add(document)
    _create_tables(conn)
    _write(conn, collected.finish())


def expand_ranges(text: str) -> str:
    """The numbers a printed range leaves out: ``stage 1 through stage 4`` -> ``2 3``."""
    found = []
    for start, end in _RANGE.findall(text):
        low, high = int(start), int(end)
        if 0 <= low < high <= low + 12:
            found.extend(str(number) for number in range(low + 1, high))
    return " ".join(found)


@dataclass
class _Built:
    vocabulary: list[str]
    idf: array
    postings: array
    posting_offsets: array
    doc_terms: array
    doc_offsets: array
    doc_required: array
    doc_code: array
    doc_source: array
    doc_via: array
    doc_weight: array
    codes: list[str]
    code_billable: array
    code_terms: array
    code_offsets: array
    term_in_title: array
    words: list[str]
    word_term: array
    word_count: array
    delete_keys: array
    delete_words: array
    aliases: list[tuple[list[str], list[str], list[str]]]
    document_rows: list[tuple]
    code_rows: list[tuple]


@dataclass
class _Collector:
    lexicon: Lexicon
    terms: dict[str, int] = field(default_factory=dict)
    documents: list[tuple[list[int], list[int], str, int, int]] = field(default_factory=list)
    document_rows: list[tuple] = field(default_factory=list)
    seen: set[tuple] = field(default_factory=set)
    codes: dict[str, tuple[str, bool]] = field(default_factory=dict)
    word_documents: Counter = field(default_factory=Counter)
    word_stems: dict[str, str] = field(default_factory=dict)
    aliases: list[tuple[list[str], list[str], list[str]]] = field(default_factory=list)

    def term_ids(self, text: str) -> list[int]:
        return [self.terms.setdefault(term, len(self.terms))
                for term in terms(text, self.lexicon.stopwords)]

    def add(self, document: SearchDocument) -> None:
        if document.source is Source.ALIAS:
            self._alias(document)
            return
        self._code(document)
        if document.source is Source.RELEASE_CODE:
            return
        text, boilerplate = move_boilerplate(document.text, self.lexicon)
        optional_text = f"{document.optional} {boilerplate}"
        if _DIGIT.search(text):
            optional_text += " " + expand_ranges(text)
        if "-" in text:
            optional_text += " " + joined_hyphens(text)
        signature = (document.code, document.source, text, optional_text, document.via)
        if signature in self.seen:
            return
        self.seen.add(signature)
        required = self.term_ids(text)
        negations = {self.terms.get(word) for word in NEGATIONS}
        optional = [term for term in self.term_ids(optional_text)
                    if term not in required and term not in negations]
        if not required and not optional:
            return
        self.documents.append((required, optional, document.code, SOURCES.index(document.source),
                               _via_kind(document.via)))
        self.document_rows.append((len(self.document_rows), document.code, document.source.value,
                                   json.dumps(list(document.path)), document.via))
        words = set(surface_words(document.text, self.lexicon.stopwords))
        if document.optional:
            words.update(surface_words(document.optional, self.lexicon.stopwords))
        self.word_documents.update(words)

    def _alias(self, document: SearchDocument) -> None:
        """An alias, stored as (the words that must all be in a query, those of them that
        gain alternatives, the alternatives): only the referring entry's own words gain, and
        only the target's own words are gained (``Fracture, hip - see Fracture, femur, neck``:
        with "fracture" and "hip" in a query, "hip" also matches femur and neck)."""
        words = terms(document.text, self.lexicon.stopwords)
        target = terms(document.optional, self.lexicon.stopwords)
        extend = [word for word in words if word not in target]
        implied = [word for word in target if word not in words]
        key = (tuple(words), tuple(implied))
        if extend and 0 < len(implied) <= MAX_ALIAS_WORDS and key not in self.seen:
            self.seen.add(key)
            self.aliases.append((words, extend, implied))

    def _code(self, document: SearchDocument) -> None:
        known = self.codes.get(document.code)
        if known is None or (document.source in (Source.TABULAR_TITLE, Source.PCS_TITLE,
                                                 Source.RELEASE_CODE, Source.HCPCS_LONG)
                             and document.title):
            self.codes[document.code] = (document.title, document.billable)

    def _phrase_terms(self) -> None:
        """Give each alias whose target is several words one term of its own, held by the
        documents that have all those words, so the alias matches the phrase and not any one
        of its words (``hip`` -> "femur neck", not any femur or any neck)."""
        holders: dict[int, set[int]] = {}
        for number, (required, optional, *_) in enumerate(self.documents):
            for term in (*required, *optional):
                holders.setdefault(term, set()).add(number)
        phrases: dict[tuple[str, ...], str | None] = {}
        kept = []
        for words, extend, implied in self.aliases:
            if len(implied) > 1:
                key = tuple(sorted(implied))
                if key not in phrases:
                    phrases[key] = self._phrase_term(key, holders)
                if phrases[key] is None:
                    continue
                implied = [phrases[key]]
            kept.append((words, extend, implied))
        self.aliases = kept

    def _phrase_term(self, words: tuple[str, ...], holders: dict[int, set[int]]) -> str | None:
        ids = [self.terms.get(word) for word in words]
        if any(term is None for term in ids):
            return None
        found = set.intersection(*(holders.get(term, set()) for term in ids))
        if not found:
            return None
        name = f"{PHRASE_PREFIX}{len(self.terms)}"
        term = self.terms.setdefault(name, len(self.terms))
        for number in found:
            self.documents[number][1].append(term)
        return name

    def finish(self) -> _Built:
        self._phrase_terms()
        codes = sorted(self.codes, key=lambda code: code.replace(".", ""))
        title_terms = [self._title_terms(self.codes[code][0]) for code in codes]
        vocabulary = sorted(self.terms, key=self.terms.__getitem__)
        code_index = {code: number for number, code in enumerate(codes)}
        built = _Built(vocabulary=vocabulary, idf=array("f"), postings=array("I"),
                       posting_offsets=array("I", [0]), doc_terms=array("I"),
                       doc_offsets=array("I", [0]), doc_required=array("H"),
                       doc_code=array("I"), doc_source=array("B"), doc_via=array("B"),
                       doc_weight=array("f"),
                       codes=codes,
                       code_billable=array("B"), code_terms=array("I"),
                       code_offsets=array("I", [0]), term_in_title=array("B"), words=[],
                       word_term=array("I"),
                       word_count=array("I"), delete_keys=array("I"), delete_words=array("I"),
                       aliases=self.aliases, document_rows=self.document_rows, code_rows=[])
        self._documents(built, code_index)
        self._codes(built, title_terms)
        self._spelling(built)
        return built

    def _documents(self, built: _Built, code_index: dict[str, int]) -> None:
        """Documents are numbered shortest first (by the summed idf of their required terms),
        so that a posting list, read in order, gives the most exact documents first."""
        total = len(self.documents)
        postings: list[list[int]] = [[] for _ in built.vocabulary]
        counts = [0] * len(built.vocabulary)
        for required, optional, *_ in self.documents:
            for term in (*required, *optional):
                counts[term] += 1
        idf = [math.log((total + 1) / (count + 0.5)) for count in counts]
        built.idf.extend(idf)
        weights = [sum(idf[term] for term in required) for required, *_ in self.documents]
        order = sorted(range(total), key=lambda number: (weights[number], number))
        rows = []
        for number, old in enumerate(order):
            required, optional, code, source, via = self.documents[old]
            built.doc_terms.extend(required)
            built.doc_terms.extend(optional)
            built.doc_offsets.append(len(built.doc_terms))
            built.doc_required.append(len(required))
            built.doc_code.append(code_index[code])
            built.doc_source.append(source)
            built.doc_via.append(via)
            built.doc_weight.append(weights[old])
            rows.append((number, *self.document_rows[old][1:]))
            for term in (*required, *optional):
                postings[term].append(number)
        self.document_rows = rows
        built.document_rows = rows
        for documents in postings:
            built.postings.extend(documents)
            built.posting_offsets.append(len(built.postings))

    def _title_terms(self, title: str) -> list[int]:
        """A title's terms; those a negation governs ("not having achieved remission", "without
        complications") carry ``NEGATED`` (they say what the code is not)."""
        found: dict[int, int] = {}
        for clause in _CLAUSE.split(fold(title)):
            negated = False
            for word in raw_words(clause):
                if word in NEGATIONS:
                    negated = True
                    continue
                for term in self.term_ids(word):
                    found.setdefault(term, NEGATED if negated else 0)
        return [term | flag for term, flag in found.items()]

    def _codes(self, built: _Built, title_terms: list[list[int]]) -> None:
        in_titles = array("B", bytes(len(built.vocabulary)))
        for own_terms in title_terms:
            for term in own_terms:
                in_titles[term & (NEGATED - 1)] = 1
        built.term_in_title = in_titles
        for code, own_terms in zip(built.codes, title_terms, strict=True):
            title, billable = self.codes[code]
            built.code_billable.append(1 if billable else 0)
            built.code_terms.extend(own_terms)
            built.code_offsets.append(len(built.code_terms))
            built.code_rows.append((len(built.code_rows), code, title, 1 if billable else 0))

    def _spelling(self, built: _Built) -> None:
        vocabulary = {term: number for number, term in enumerate(built.vocabulary)}
        pairs = []
        for word in sorted(self.word_documents):
            stems = terms(word, self.lexicon.stopwords)
            if len(stems) != 1 or stems[0] not in vocabulary:
                continue
            number = len(built.words)
            built.words.append(word)
            built.word_term.append(vocabulary[stems[0]])
            built.word_count.append(self.word_documents[word])
            if len(word) >= SPELLING_MIN_LENGTH:
                pairs.extend((_crc(key), number) for key in deletes(word))
        pairs.sort()
        built.delete_keys.extend(key for key, _ in pairs)
        built.delete_words.extend(word for _, word in pairs)


def _via_kind(via: str | None) -> int:
    if not via:
        return 0
    return 2 if via.startswith("see also") else 1


def deletes(word: str) -> set[str]:
    """The word and every form of it with one letter left out."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def _crc(key: str) -> int:
    return zlib.crc32(key.encode())


def _create_tables(conn: sqlite3.Connection) -> None:
    for table in TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.execute("CREATE TABLE search_blobs (name TEXT PRIMARY KEY, data BLOB NOT NULL)")
    conn.execute("CREATE TABLE search_documents (id INTEGER PRIMARY KEY, code TEXT NOT NULL, "
                 "source TEXT NOT NULL, path TEXT NOT NULL, via TEXT)")
    conn.execute("CREATE TABLE search_codes (id INTEGER PRIMARY KEY, code TEXT NOT NULL, "
                 "title TEXT NOT NULL, billable INTEGER NOT NULL)")
    conn.execute("CREATE TABLE search_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _write(conn: sqlite3.Connection, built: _Built) -> None:
    blobs = {
        "terms": "\n".join(built.vocabulary).encode(), "codes": "\n".join(built.codes).encode(),
        "words": "\n".join(built.words).encode(),
        "aliases": json.dumps(built.aliases).encode(),
    }
    for name in ("idf", "postings", "posting_offsets", "doc_terms", "doc_offsets", "doc_required",
                 "doc_code", "doc_source", "doc_via", "doc_weight", "code_billable", "code_terms",
                 "code_offsets", "term_in_title",
                 "word_term", "word_count", "delete_keys", "delete_words"):
        blobs[name] = getattr(built, name).tobytes()
    conn.executemany("INSERT INTO search_blobs VALUES (?, ?)", blobs.items())
    conn.executemany("INSERT INTO search_documents VALUES (?, ?, ?, ?, ?)", built.document_rows)
    conn.executemany("INSERT INTO search_codes VALUES (?, ?, ?, ?)", built.code_rows)
    meta = {"format": FORMAT_VERSION, "documents": str(len(built.document_rows)),
            "terms": str(len(built.vocabulary)), "codes": str(len(built.codes)),
            "words": str(len(built.words)), "aliases": str(len(built.aliases))}
    conn.executemany("INSERT INTO search_meta VALUES (?, ?)", meta.items())

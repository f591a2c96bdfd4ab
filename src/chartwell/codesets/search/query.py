"""A query, read the way a coder means it: abbreviations expanded, typos corrected, each word
turned into the set of index terms that count as it.

The steps, for each word as typed (``"DM2 w neuropathy"``, ``"fx L femur neck"``):

1. abbreviations and phrases of the lexicon, longest first (``dm2`` -> diabetes mellitus type
   2; ``w`` -> with; ``r/o`` -> nothing); the typed abbreviation stays an alternative of each
   word it became, so official text that prints it (``COPD``) still matches;
2. a known misspelling is replaced; stop words go;
3. a word the index does not know is split where letters meet digits (``ckd3``), corrected
   against the index vocabulary (:mod:`~chartwell.codesets.search.spelling`), or — the last
   word only, as it may still be being typed — completed from the vocabulary;
4. each word's alternatives: its stem, the stems the lexicon says are equivalent or implied,
   and those of any alias the index defines (``carcinoma`` -> malignant neoplasm);
5. its weight: the inverse document frequency of its own term (rare words count more).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from chartwell.codesets.search.spelling import SpellingDictionary
from chartwell.codesets.search.stemmer import stem
from chartwell.codesets.search.text import (
    Lexicon,
    raw_words,
    split_letters_digits,
    split_slashes,
)

# "without X": X is what the condition does not have. A document or title that has X but not
# the negation ("Asthma > with > exacerbation") says the opposite of the query; the negated
# words weigh this share of their own weight, so that with no document saying "without X" the
# guideline default (the code with nothing added) is what remains.
NEGATIONS = frozenset({"without"})
NEGATION_ENDS = frozenset({"with", "and", "but"})
NEGATED_WEIGHT = 0.5
_NON_PREFIXED = re.compile(r"\bnon-([a-z]+)", re.I)

# An abbreviation typed as one word of this length or more (copd, nstemi) also matches as typed;
# shorter ones (mi, cap, l) and phrases (cold sore) are too ambiguous.
MIN_ORIGIN_LENGTH = 4
CACHED_WORDS = 20_000  # typed words whose reading is kept


@dataclass(slots=True)
class QueryWord:
    """One word of the query: as typed, as read, and the terms that count as it."""

    typed: str
    word: str
    alternatives: frozenset[int]  # terms that count as this word
    weight: float
    note: str | None = None
    covers: frozenset[int] = frozenset()  # terms it also accounts for where a document needs them
    negated: bool = False  # said after "without": a document holding it without a negation
    # contradicts the query
    negation: bool = False  # the negation word itself


@dataclass(slots=True)
class ParsedQuery:
    words: list[QueryWord] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # abbreviations that stand for nothing

    @property
    def total_weight(self) -> float:
        return sum(word.weight for word in self.words)

    def notes(self) -> list[str]:
        notes = [word.note for word in self.words if word.note]
        notes += [f"left out {typed!r}" for typed in self.dropped]
        return list(dict.fromkeys(notes))


@dataclass(slots=True)
class _Typed:
    word: str
    origin: str | None = None  # the abbreviation it came from ...
    expansion: str = ""  # ... and all that it became
    last: bool = False


class QueryReader:
    """Reads queries against one index's vocabulary."""

    def __init__(self, *, lexicon: Lexicon, terms: dict[str, int],
                 idf: Callable[[int], float], spelling: SpellingDictionary,
                 aliases: Sequence[tuple[Sequence[str], Sequence[str], Sequence[str]]],
                 written_whole: Callable[[int], bool]):
        self.lexicon = lexicon
        self.written_whole = written_whole  # whether some document requires the term
        self.terms = terms
        self.idf = idf
        self.spelling = spelling
        self.aliases: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {}
        self._known: dict[tuple, tuple] = {}  # typed word -> how it reads (see _words)
        for words, extend, implied in aliases:
            self.aliases.setdefault(words[0], []).append(
                (tuple(words), tuple(extend), tuple(implied)))

    def read(self, text: str) -> ParsedQuery:
        parsed = ParsedQuery()
        if "non-" in text.lower():
            text = _NON_PREFIXED.sub(self._joined_non, text)
        typed = self._expand(raw_words(text), parsed)
        if typed:
            typed[-1].last = True
        seen: set[str] = set()
        negated = False
        for item in typed:
            if item.word in NEGATION_ENDS:
                negated = False
            for word in self._words(item, parsed):
                if word.word not in seen:
                    seen.add(word.word)
                    if word.word in NEGATIONS:
                        word.negation = True
                        word.weight *= NEGATED_WEIGHT
                    elif negated:
                        word.negated = True
                        word.weight *= NEGATED_WEIGHT
                    parsed.words.append(word)
            if item.word in NEGATIONS:
                negated = True
        self._apply_aliases(parsed)
        return parsed

    def _joined_non(self, match: re.Match[str]) -> str:
        """"non-alcoholic" is the index's "nonalcoholic" (Fatty liver, nonalcoholic K76.0), never
        "alcoholic" (K70.0): a word after "non-" is read joined to it where the books write the
        joined word as a word of their own (not where they only hyphenate it: "non-Hodgkin",
        "non-ST elevation" stay two words, as they are printed)."""
        joined = "non" + match.group(1).lower()
        term = self.terms.get(stem(joined))
        return joined if term is not None and self.written_whole(term) else match.group(0)

    # -- step 1: abbreviations ----------------------------------------------------------------

    def _expand(self, words: list[str], parsed: ParsedQuery) -> list[_Typed]:
        out: list[_Typed] = []
        position = 0
        while position < len(words):
            length, expansion = self._abbreviation(words, position)
            if length:
                origin = " ".join(words[position:position + length])
                out.extend(_Typed(word, origin, " ".join(expansion)) for word in expansion)
                if not expansion:
                    parsed.dropped.append(origin)
                position += length
                continue
            word = words[position]
            if "/" in word:
                out.extend(self._expand(split_slashes(word), parsed))
            else:
                out.append(_Typed(word))
            position += 1
        return out

    def _abbreviation(self, words: list[str], position: int) -> tuple[int, tuple[str, ...]]:
        longest = min(self.lexicon.longest_abbreviation, len(words) - position)
        for length in range(longest, 0, -1):
            key = tuple(words[position:position + length])
            expansion = self.lexicon.abbreviations.get(key)
            if expansion is not None:
                return length, expansion
        return 0, ()

    # -- steps 2 and 3: known words, splits, corrections ----------------------------------

    def _words(self, item: _Typed, parsed: ParsedQuery) -> list[QueryWord]:
        """How one typed word is read (kept: queries repeat their words, and a word the index
        lacks costs a spelling search). Each answer is a new :class:`QueryWord`: a query
        marks its own words (negated, weights, aliases)."""
        key = (item.word, item.origin, item.expansion, item.last)
        known = self._known.get(key)
        if known is None:
            unknown, dropped = len(parsed.unknown), len(parsed.dropped)
            found = self._read_word(item, parsed)
            known = (tuple((word.typed, word.word, word.alternatives, word.weight, word.note,
                            word.covers) for word in found),
                     tuple(parsed.unknown[unknown:]), tuple(parsed.dropped[dropped:]))
            if len(self._known) >= CACHED_WORDS:
                self._known.clear()  # rarely: the words a coder types are few
            self._known[key] = known
        else:
            parsed.unknown.extend(known[1])
            parsed.dropped.extend(known[2])
        return [QueryWord(*fields) for fields in known[0]]

    def _read_word(self, item: _Typed, parsed: ParsedQuery) -> list[QueryWord]:
        word = self.lexicon.misspellings.get(item.word, item.word)
        note = f"read {item.word!r} as {word!r}" if word != item.word else None
        if word in self.lexicon.stopwords:
            return []
        if stem(word) in self.terms or self._lexicon_knows(word) or self._alias_alone(word):
            found = self._query_word(item, word, note)
            slip = self.spelling.likely_slip(word)
            if slip is not None and stem(slip.word) in self.terms:
                found.alternatives |= {self.terms[stem(slip.word)]}
                found.note = found.note or f"read {item.word!r} also as {slip.word!r}"
            return [found]
        parts = split_letters_digits(word)
        if len(parts) > 1:
            return [found for part in self._expand(parts, parsed)
                    for found in self._read_word(_Typed(part.word, part.origin or item.origin,
                                                    part.expansion or item.expansion), parsed)]
        if item.last:
            completions = self.spelling.complete(word)
            if completions:
                return [self._completed(item, word, completions)]
        correction = self.spelling.correct(word)
        if correction is not None:
            return [self._query_word(item, correction.word,
                                     f"read {item.word!r} as {correction.word!r}")]
        if item.origin is None:
            parsed.unknown.append(item.word)
        return []

    def _lexicon_knows(self, word: str) -> bool:
        """A word the index lacks that the lexicon maps onto index words (``tylenol`` ->
        acetaminophen, ``ingrown`` = ingrowing)."""
        own = stem(word)
        implied, _ = self.lexicon.implies.get(own, (None, frozenset()))
        names = self.lexicon.equivalents.get(own, frozenset()) | {implied}
        return any(name in self.terms for name in names if name)

    def _alias_alone(self, word: str) -> bool:
        """A word no document holds that the index sends elsewhere ("Lithiasis - see
        Calculus"): known through its alias (step 4), not a misspelling of another word."""
        own = stem(word)
        return any(words == (own,) for words, _, _ in self.aliases.get(own, ()))

    def _query_word(self, item: _Typed, word: str, note: str | None) -> QueryWord:
        own = stem(word)
        names = {own} | self.lexicon.equivalents.get(own, frozenset())
        implied, covered = self.lexicon.implies.get(own, (None, frozenset()))
        if implied:
            names.add(implied)
        if item.origin:
            note = note or f"read {item.origin!r} as {item.expansion!r}"
        if item.origin and " " not in item.origin and len(item.origin) >= MIN_ORIGIN_LENGTH:
            names.add(stem(item.origin))
        alternatives = frozenset(self.terms[name] for name in names if name in self.terms)
        weight = self.idf(self.terms[own]) if own in self.terms else \
            max((self.idf(term) for term in alternatives), default=0.0)
        covers = frozenset(self.terms[name] for name in covered if name in self.terms)
        return QueryWord(item.origin or item.word, word, alternatives, weight, note, covers)

    def _completed(self, item: _Typed, prefix: str, completions: list[str]) -> QueryWord:
        alternatives = frozenset(self.terms[stem(word)] for word in completions
                                 if stem(word) in self.terms)
        weight = min((self.idf(term) for term in alternatives), default=0.0)
        return QueryWord(item.word, prefix, alternatives, weight,
                         f"completed {prefix!r} ({', '.join(completions[:3])} ...)")

    # -- step 4: aliases -----------------------------------------------------------------

    def _apply_aliases(self, parsed: ParsedQuery) -> None:
        """An alias whose words are all in the query gives the words it extends the words it
        implies (``peripheral neuropathy`` -> polyneuropathy; ``carcinoma`` -> malignant)."""
        stems = {stem(word.word): word for word in parsed.words}
        for first in list(stems):
            for words, extend, implied in self.aliases.get(first, ()):
                if not all(one in stems for one in words):
                    continue
                extra = frozenset(self.terms[name] for name in implied if name in self.terms)
                for one in extend:
                    stems[one].alternatives = stems[one].alternatives | extra
                    if not stems[one].weight and extra:  # a word known only by its alias
                        stems[one].weight = max(self.idf(term) for term in extra)

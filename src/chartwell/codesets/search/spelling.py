"""Typo tolerance against the index vocabulary: a deletion neighbourhood (the SymSpell idea).

At build time every word of the index (four letters or more) is stored with each form of it
that leaves one letter out, as a CRC-32 key in a sorted array beside the word's number. A
typed word not in the vocabulary is looked up the same way (itself and its one-letter
deletions, and for long words two-letter deletions): any stored word sharing a key is within a
few edits; the true Damerau-Levenshtein distance (a transposition is one edit: ``pnuemonia``)
then decides. The nearest word wins, then one that differs only by a doubled letter
("concusion" -> concussion, not contusion), then the one with the same first letter, then the one
more documents use. A vocabulary word used once or twice that is one edit from a word used far
more often (the index's own "migrane") also matches that word. Nothing but two arrays is held
in memory, and a lookup is a handful of binary searches.
"""

from __future__ import annotations

import bisect
import zlib
from array import array
from dataclasses import dataclass

MIN_LENGTH = 4
LONG_WORD = 8  # from this length on, two edits are allowed
RARE_WORD = 2  # a vocabulary word used this rarely may itself be a slip ...
COMMON_FACTOR = 20  # ... of a word used this many times more
COMMON_WORD = 20  # (and at least this many times)


@dataclass(frozen=True, slots=True)
class Correction:
    word: str
    distance: int


class SpellingDictionary:
    def __init__(self, words: list[str], counts: array, delete_keys: array,
                 delete_words: array):
        self.words = words
        self.counts = counts
        self.delete_keys = delete_keys
        self.delete_words = delete_words
        self.known = {word: number for number, word in enumerate(words)}

    def correct(self, typed: str) -> Correction | None:
        """The vocabulary word nearest to ``typed`` (not itself a vocabulary word), or None
        when none is close enough: one edit for words under 8 letters, two from 8."""
        if len(typed) < MIN_LENGTH or not typed.isalpha():
            return None
        allowed = 2 if len(typed) >= LONG_WORD else 1
        best: tuple[int, int, int, str] | None = None
        for number in self._candidates(typed, allowed):
            word = self.words[number]
            distance = damerau_levenshtein(typed, word, allowed)
            if distance > allowed:
                continue
            rank = (distance, _undoubled(word) != _undoubled(typed), word[0] != typed[0],
                    -self.counts[number], word)
            if best is None or rank < best:
                best = rank
        return Correction(best[-1], best[0]) if best else None

    def likely_slip(self, word: str) -> Correction | None:
        """For a word that the vocabulary hardly uses, or does not have as spelled though its
        stem is known ("migrane" stems like "migrans", "laseration" like "laser"), a far more
        used word one edit away, or None."""
        number = self.known.get(word)
        count = 0 if number is None else self.counts[number]
        if count > RARE_WORD or len(word) < LONG_WORD - 2 or not word.isalpha():
            return None
        best = None
        for other in self._candidates(word, 1):
            if other == number or self.counts[other] < max(COMMON_FACTOR * count, COMMON_WORD):
                continue
            if damerau_levenshtein(word, self.words[other], 1) <= 1 and \
                    (best is None or self.counts[other] > self.counts[best]):
                best = other
        return Correction(self.words[best], 1) if best is not None else None

    def complete(self, prefix: str, limit: int = 6) -> list[str]:
        """The most used vocabulary words that begin with ``prefix`` (for a word still being
        typed)."""
        if len(prefix) < 3:
            return []
        start = bisect.bisect_left(self.words, prefix)
        found = []
        for number in range(start, len(self.words)):
            if not self.words[number].startswith(prefix):
                break
            found.append((-self.counts[number], self.words[number]))
        return [word for _, word in sorted(found)[:limit]]

    def _candidates(self, typed: str, allowed: int) -> set[int]:
        keys = _deletions(typed)
        if allowed > 1:
            keys |= {shorter for key in keys for shorter in _deletions(key)}
        found: set[int] = set()
        for key in keys:
            crc = zlib.crc32(key.encode())
            at = bisect.bisect_left(self.delete_keys, crc)
            while at < len(self.delete_keys) and self.delete_keys[at] == crc:
                found.add(self.delete_words[at])
                at += 1
        return found


def _undoubled(word: str) -> str:
    """``concussion`` -> ``concusion``: a doubled letter typed once is the commonest slip."""
    return "".join(char for i, char in enumerate(word) if i == 0 or char != word[i - 1])


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def damerau_levenshtein(one: str, other: str, limit: int) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment); returns
    ``limit + 1`` as soon as the distance must exceed ``limit``."""
    if abs(len(one) - len(other)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(other) + 1))
    for i in range(1, len(one) + 1):
        current = [i] + [0] * len(other)
        for j in range(1, len(other) + 1):
            cost = 0 if one[i - 1] == other[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (i > 1 and j > 1 and one[i - 1] == other[j - 2]
                    and one[i - 2] == other[j - 1]):
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]

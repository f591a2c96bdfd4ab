"""Words: how index text and queries are cut into terms, and the clinical lexicon.

The same steps run on the official text when the search tables are built and on a query when
it is asked, so both sides meet on the same terms:

1. lower case, accents dropped, ``'s`` dropped, every other character that is not a letter, a
   digit or ``/`` a break (``self-harm`` -> ``self harm``, ``COVID-19`` -> ``covid 19``);
2. words in parentheses or brackets are *nonessential* (``Essential (primary) hypertension``):
   they may match, and are never required (nor are the lexicon's boilerplate phrases and
   optional words); a hyphenated word also matches its parts joined (``pre-eclampsia`` ->
   ``preeclampsia``);
3. stop words go; each word is stemmed (:mod:`chartwell.codesets.search.stemmer`).

The lexicon (``lexicon.json`` in this package, data not code) holds what coders type and the
books do not print: abbreviations (``chf``, ``dm2``, ``fx``, ``r/o``), equivalent words
(``renal`` = ``kidney``), words that imply others (``cancer`` -> malignant neoplasm), common
misspellings, the words that carry the default choices when a code is completed (see
:mod:`chartwell.codesets.search.refine`) and how table columns read.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from chartwell.codesets.search.stemmer import stem

_PARENTHESISED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_WORD = re.compile(r"[a-z0-9]+(?:/[a-z0-9]*)*")
_POSSESSIVE = re.compile(r"'s\b|s'(?=\s|$)")
_LETTERS_DIGITS = re.compile(r"[a-z]+|[0-9]+")


@dataclass(frozen=True)
class Lexicon:
    """The clinical lexicon, ready to use: every word in it already stemmed where it is
    compared with index terms."""

    stopwords: frozenset[str]
    abbreviations: dict[tuple[str, ...], tuple[str, ...]]  # raw words -> raw words
    longest_abbreviation: int
    equivalents: dict[str, frozenset[str]]  # stem -> stems that mean the same
    implies: dict[str, tuple[str, frozenset[str]]]  # stem -> (stem it matches, stems it covers)
    misspellings: dict[str, str]  # raw word -> raw word
    default_words: frozenset[str]  # stems a completion may add at no cost (see refine)
    columns: dict[str, tuple[str, str]]  # table column heading -> (essential, optional) text
    boilerplate: tuple[str, ...]  # folded phrases that are never required
    main_term_defaults: frozenset[str]  # folded main-term qualifiers a query need not say


def load_lexicon() -> Lexicon:
    """The packaged lexicon (read once)."""
    return _packaged_lexicon()


@lru_cache(maxsize=1)
def _packaged_lexicon() -> Lexicon:
    source = resources.files("chartwell.codesets.search").joinpath("lexicon.json")
    return lexicon_from_json(json.loads(source.read_text(encoding="utf-8")))


def lexicon_from_json(data: dict) -> Lexicon:
    """Build a :class:`Lexicon` from the JSON document's sections."""
    stopwords = frozenset(data["stopwords"])
    abbreviations = {tuple(raw_words(key)): tuple(raw_words(value))
                     for key, value in data["abbreviations"].items()}
    equivalents: dict[str, set[str]] = {}
    for group in data["equivalents"]:
        stems = {stem(word) for word in group}
        for one in stems:
            equivalents.setdefault(one, set()).update(stems - {one})
    implies = {}
    for word, targets in data["implies"].items():
        stems = terms(" ".join(targets), stopwords)
        implies[stem(word)] = (stems[0], frozenset(stems[1:]))
    return Lexicon(
        stopwords=stopwords,
        abbreviations=abbreviations,
        longest_abbreviation=max((len(key) for key in abbreviations), default=1),
        equivalents={key: frozenset(value) for key, value in equivalents.items()},
        implies=implies,
        misspellings=dict(data["misspellings"]),
        default_words=frozenset(stem(word) for word in data["refinement"]["default_words"]),
        columns={heading: (column["words"], column.get("optional", ""))
                 for heading, column in data["columns"].items()},
        boilerplate=tuple(sorted((fold(phrase) for phrase in data["boilerplate"]), key=len,
                                 reverse=True)),
        main_term_defaults=frozenset(fold(word) for word in data["main_term_defaults"]),
    )


def fold(text: str) -> str:
    """Lower case, accents dropped, possessive ``'s`` dropped."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.lower()
    if "'" in text:
        text = _POSSESSIVE.sub("", text).replace("'", "")
    return text


def raw_words(text: str) -> list[str]:
    """The words of ``text`` as typed, folded (``"R/O CHF, w/o edema"`` -> ``["r/o", "chf",
    "w/o", "edema"]``); slashes stay inside a word so abbreviations like ``r/o`` survive."""
    return _WORD.findall(fold(text))


def split_slashes(word: str) -> list[str]:
    """``"w/neuropathy"`` -> ``["w", "neuropathy"]`` (for a word that is no abbreviation)."""
    if "/" not in word:
        return [word]
    return [part for part in word.split("/") if part]


def split_letters_digits(word: str) -> list[str]:
    """``"dm2"`` -> ``["dm", "2"]``; ``"stage3a"`` -> ``["stage", "3", "a"]``."""
    return _LETTERS_DIGITS.findall(word)


_HYPHENATED = re.compile(r"\b([a-z]+)-([a-z]+)\b")


def joined_hyphens(text: str) -> str:
    """The hyphenated words of ``text`` written as one word (``Pre-eclampsia`` ->
    ``preeclampsia``), for matching queries that write them so."""
    return " ".join(first + second for first, second in _HYPHENATED.findall(fold(text)))


def split_optional(text: str) -> tuple[str, str]:
    """Cut ``text`` into its essential words and its nonessential (parenthesised) words."""
    optional: list[str] = []

    def keep(match: re.Match[str]) -> str:
        optional.append(match.group(1) or match.group(2) or "")
        return " "

    essential = _PARENTHESISED.sub(keep, text)
    return " ".join(essential.split()), " ".join(" ".join(optional).split())


def move_boilerplate(text: str, lexicon: Lexicon) -> tuple[str, str]:
    """Take the lexicon's boilerplate phrases ("classified elsewhere") out of ``text``: the
    rest, and the phrases found."""
    if "elsewhere" not in text.lower():  # every phrase of the lexicon's says where it sits
        return text, ""
    folded, found = fold(text), []
    for phrase in lexicon.boilerplate:
        if phrase in folded:
            folded = folded.replace(phrase, " ")
            found.append(phrase)
    return (folded, " ".join(found)) if found else (text, "")


def terms(text: str, stopwords: frozenset[str]) -> list[str]:
    """The stemmed terms of official text (no abbreviation expansion), stop words dropped, in
    order, duplicates kept once."""
    return list(_terms(text, stopwords))


@lru_cache(maxsize=1 << 17)
def _terms(text: str, stopwords: frozenset[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for word in raw_words(text):
        for part in split_slashes(word):
            if part not in stopwords:
                seen.setdefault(stem(part), None)
    return tuple(seen)


@lru_cache(maxsize=1 << 16)
def surface_words(text: str, stopwords: frozenset[str]) -> tuple[str, ...]:
    """The words of official text as spelled (for the spelling dictionary), stop words and
    words with digits dropped."""
    return tuple(part for word in raw_words(text) for part in split_slashes(word)
                 if part not in stopwords and part.isalpha())

"""A clinical note cut the way a coder reads it: sections (HPI, PMH, assessment and plan ...),
then sentences and list items, then words with their character offsets.

Sections matter to coding: a diagnosis is taken from where the provider *concludes* (assessment,
impression, discharge diagnoses), not from the history or the review of systems; the family
history section makes every condition in it a family member's, the past history section makes
them the patient's history. Headings are recognised by their words (``HPI:``, ``Assessment and
Plan:``, ``DISCHARGE DIAGNOSES:``) at the start of a line, alone or before the first sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from chartwell.codesets.search.text import fold

# section name -> the headings that open it (folded, punctuation dropped)
SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "chief_complaint": ("chief complaint", "cc", "reason for visit", "reason for consultation",
                        "presenting complaint", "reason for admission", "reason for referral"),
    "history_of_present_illness": ("history of present illness", "hpi", "history",
                                   "present illness", "history of the present illness",
                                   "subjective", "interval history", "clinical history"),
    "past_medical_history": ("past medical history", "pmh", "medical history",
                             "past history", "pmhx", "past medical and surgical history",
                             "problem list", "active problems", "chronic problems"),
    "past_surgical_history": ("past surgical history", "psh", "surgical history",
                              "previous surgeries", "prior surgeries"),
    "family_history": ("family history", "fh", "fhx", "family medical history"),
    "social_history": ("social history", "sh", "social"),
    "medications": ("medications", "current medications", "meds", "home medications",
                    "discharge medications", "medications on admission",
                    "admission medications", "outpatient medications"),
    "allergies": ("allergies", "allergy", "drug allergies"),
    "review_of_systems": ("review of systems", "ros"),
    "physical_exam": ("physical examination", "physical exam", "exam", "examination",
                      "pe", "objective", "vital signs", "vitals", "general", "heent", "neck",
                      "lungs", "chest", "heart", "cardiovascular", "abdomen", "extremities",
                      "neurologic", "neurological", "neuro", "skin", "musculoskeletal",
                      "psychiatric", "genitourinary", "respiratory", "gastrointestinal"),
    "results": ("results", "laboratory", "labs", "laboratory data", "diagnostic data",
                "studies", "imaging", "findings", "pertinent results", "data",
                "laboratory results", "technique", "comparison"),
    "assessment": ("assessment", "assessment and plan", "a/p", "a&p", "impression",
                   "impression and plan", "diagnosis", "diagnoses", "final diagnosis",
                   "final diagnoses", "discharge diagnosis", "discharge diagnoses",
                   "admitting diagnosis", "admission diagnosis", "admission diagnoses",
                   "principal diagnosis", "secondary diagnoses", "preoperative diagnosis",
                   "postoperative diagnosis", "pre-operative diagnosis",
                   "post-operative diagnosis", "preoperative diagnoses",
                   "postoperative diagnoses", "clinical impression", "diagnostic impression",
                   "problem", "problems", "assessment/plan", "conclusion", "conclusions",
                   "clinical indication", "indication", "indications", "summary",
                   "working diagnosis", "differential diagnosis", "ed course and assessment"),
    "plan": ("plan", "recommendations", "recommendation", "disposition", "follow-up",
             "follow up", "discharge instructions", "instructions"),
    "hospital_course": ("hospital course", "ed course", "course", "brief hospital course",
                        "clinical course"),
    "procedures": ("procedures", "procedure", "procedure performed", "procedures performed",
                   "operation", "operations", "name of procedure", "operative procedure",
                   "operation performed", "description of procedure", "operative findings"),
}
_HEADING_NAMES = {fold(heading): name for name, headings in SECTION_HEADINGS.items()
                  for heading in headings}
_LONGEST_HEADING = max(len(heading.split()) for heading in _HEADING_NAMES)
# Where a coder takes diagnoses from, when a note has such a section.
CONCLUDING = frozenset({"assessment"})
_HEADING_AT_LINE = re.compile(r"^[ \t]*([A-Za-z][A-Za-z /&'()-]{0,60}?)[ \t]*:[ \t]*", re.M)
_UPPER_LINE = re.compile(r"^[ \t]*([A-Z][A-Z /&'()-]{2,60})[ \t]*$", re.M)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?(?:/[A-Za-z0-9]+)*")
# A sentence ends at . ! ? followed by a space and a capital or digit, at a blank line, at a
# list item's start, or at a semicolon; abbreviations with dots (``e.g.``, ``Dr.``) are kept in.
# (The full stop is looked for first: the abbreviation checks then run only after one, not at
# every character of the note.)
_BOUNDARY = re.compile(
    r"(?<=[.!?])(?<![A-Z][a-z]\.)(?<!\b[a-zA-Z]\.)(?<!\n[0-9]\.)(?<!\n[0-9][0-9]\.)(?<!^[0-9]\.)"
    r"[ \t]+(?=[\"(A-Z0-9])"
    r"|[ \t]*\n[ \t]*\n\s*"
    r"|\n(?=[ \t]*(?:[-*\u2022]|\d{1,2}[.)]|[A-Za-z][A-Za-z ]{0,30}:))"
    r"|;[ \t]*"
    r"|\n(?=[ \t]*[A-Z])")
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*\u2022]|\(?\d{1,2}[.)]|[a-z][.)])[ \t]+")


@dataclass(frozen=True, slots=True)
class Section:
    """A stretch of the note under one heading (``name`` is None before the first heading)."""

    name: str | None
    heading: str | None
    start: int
    end: int


class Token(NamedTuple):
    """A word of the note: its text as written, folded, and where it is (a named tuple, not a
    frozen dataclass: a note has thousands of words, and a tuple is made several times
    faster)."""

    text: str
    norm: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence or list item, the section it is in, and its words."""

    start: int
    end: int
    section: str | None
    tokens: tuple[Token, ...]


def section_name(heading: str) -> str | None:
    """The section a heading opens (``"Assessment & Plan"`` -> ``assessment``), or None."""
    words = re.sub(r"[^a-z0-9/&'-]+", " ", fold(heading)).split()
    if not words or len(words) > _LONGEST_HEADING + 1:
        return None
    key = " ".join(words)
    if key in _HEADING_NAMES:
        return _HEADING_NAMES[key]
    key = " ".join(words).replace(" and ", " & ")
    if key in _HEADING_NAMES:
        return _HEADING_NAMES[key]
    # "Principal diagnosis", "Secondary diagnoses" ... end with a known heading word
    if words[-1] in ("diagnosis", "diagnoses", "impression", "impressions"):
        return "assessment"
    return None


def sections(text: str) -> list[Section]:
    """The note's sections in order; the text before the first heading has ``name`` None."""
    marks: list[tuple[int, int, str, str]] = []  # (heading start, body start, name, heading)
    for match in _HEADING_AT_LINE.finditer(text):
        name = section_name(match.group(1))
        if name is not None:
            marks.append((match.start(1), match.end(), name, match.group(1).strip()))
    for match in _UPPER_LINE.finditer(text):
        name = section_name(match.group(1))
        if name is not None:
            marks.append((match.start(1), match.end(), name, match.group(1).strip()))
    marks.sort()
    found: list[Section] = []
    position, current, heading = 0, None, None
    for start, body, name, words in marks:
        if start < position:
            continue
        if start > position or current is not None:
            found.append(Section(current, heading, position, start))
        position, current, heading = body, name, words
        # a body-system heading inside the exam keeps the exam going
        if name == "physical_exam" and found and found[-1].name == "physical_exam":
            pass
    found.append(Section(current, heading, position, len(text)))
    return [section for section in found if section.end > section.start or section.name]


def sentences(text: str, note_sections: list[Section] | None = None,
              tokenized: Callable[[str | None], bool] | None = None) -> list[Sentence]:
    """The note's sentences and list items, each with its section and words (only in the
    sections ``tokenized`` accepts, when given: the others' sentences have no words)."""
    found: list[Sentence] = []
    for part in note_sections if note_sections is not None else sections(text):
        start = part.start
        body = text[part.start:part.end]
        with_words = tokenized is None or tokenized(part.name)
        for boundary in _BOUNDARY.finditer(body):
            _add_sentence(found, text, start, part.start + boundary.start(), part.name,
                          with_words)
            start = part.start + boundary.end()
        _add_sentence(found, text, start, part.end, part.name, with_words)
    return found


def _add_sentence(found: list[Sentence], text: str, start: int, end: int,
                  section: str | None, with_words: bool = True) -> None:
    piece = text[start:end]
    mark = _LIST_MARK.match(piece)
    if mark:
        start += mark.end()
        piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    start += len(piece) - len(piece.lstrip())
    end = start + len(stripped)
    found.append(Sentence(start, end, section, words(text, start, end) if with_words else ()))


def words(text: str, start: int, end: int) -> tuple[Token, ...]:
    """The words of ``text[start:end]`` with their offsets in ``text``."""
    found = []
    folded = _FOLDED
    for match in _WORD.finditer(text, start, end):
        word = match.group()
        norm = folded.get(word)
        if norm is None:
            norm = _norm(word)
            if len(folded) < _FOLDED_WORDS:
                folded[word] = norm
        found.append(_token(Token, (word, norm, match.start(), match.end())))
    return tuple(found)


_token = tuple.__new__  # a Token made without the named tuple's own __new__ (a Python call)
_FOLDED: dict[str, str] = {}  # words as written -> folded (notes repeat their words)
_FOLDED_WORDS = 1 << 17


def _norm(word: str) -> str:
    return fold(word).replace("’", "")


# -- abbreviations the note defines ------------------------------------------------------------
#
# A note may define its own abbreviations: "fluorescein angiography (FFA)", "OCT (optical
# coherence tomography)". In that note the letters mean what it says, whatever else they stand
# for in the index ("FFA" is also frontal fibrosing alopecia). The definitions are found the way
# Schwartz and Hearst describe (A simple algorithm for identifying abbreviation definitions in
# biomedical text, PSB 2003): a short form of capitals beside a parenthesis, and a long form of
# the nearby words in which the short form's letters appear in order, the first one starting a
# word.

_SHORT_THEN_LONG = re.compile(r"\b([A-Z][A-Za-z0-9]{1,7})\s*\(([^()]{3,80})\)")
_LONG_FORM_REACH = 120  # characters of a long form before its parenthesis, at most
_LONG_THEN_SHORT = re.compile(rf"([^()]{{3,{_LONG_FORM_REACH}}}?)\s*\(([A-Z][A-Za-z0-9]{{1,7}})\)")
_SHORT_IN_PARENTHESES = re.compile(r"\(([A-Z][A-Za-z0-9]{1,7})\)")
_MAX_EXTRA_WORDS = 5  # a long form has at most min(letters + 5, 2 x letters) words


def defined_abbreviations(text: str) -> dict[str, str]:
    """The note's own definitions: short form (as written) -> long form."""
    found: dict[str, str] = {}
    if "(" not in text:
        return found
    for match in _long_then_short(text):
        short = match.group(2)
        if _short_form(short):
            long = _long_form(short, match.group(1))
            if _defines(short, long):
                found.setdefault(short, long)
    for match in _SHORT_THEN_LONG.finditer(text):
        short, long = match.group(1), match.group(2).strip()
        if _short_form(short) and len(long.split()) > 1 and _defines(short, long) and (
                _long_form(short, long) == long or _initials(short, long.split())):
            found.setdefault(short, long)
    return found


def _long_then_short(text: str) -> Iterator[re.Match]:
    """The matches of :data:`_LONG_THEN_SHORT` over the note, asked only before each
    parenthesised short form: scanned from every character, its lazy reach of 120 costs a
    millisecond a note."""
    done = 0
    for short in _SHORT_IN_PARENTHESES.finditer(text):
        if short.start() < done:
            continue
        words_end = short.start()
        while words_end > done and text[words_end - 1].isspace():
            words_end -= 1
        match = _LONG_THEN_SHORT.search(text, max(done, words_end - _LONG_FORM_REACH),
                                        short.end())
        if match is not None:
            done = match.end()
            yield match


def _short_form(text: str) -> bool:
    return sum(character.isupper() for character in text) >= 2


def _defines(short: str, long_form: str | None) -> bool:
    """A long form that does not itself hold the short form ("OCT (OCT 3000, ...)": a model,
    no definition)."""
    return bool(long_form) and short.lower() not in long_form.lower().split()


def _long_form(short: str, before: str) -> str | None:
    """The shortest ending of ``before`` whose letters hold the short form's in order, the
    first letter starting a word, or else whose words' initials are all but one of the short
    form's letters ("fluorescein angiography (FFA)", a translation's word order); None when
    there is none or it is too long to be one."""
    letters = [character.lower() for character in short if character.isalnum()]
    words = before.split()
    for count in (len(letters), len(letters) - 1):
        if 1 < count <= len(words) and _initials(short, words[-count:]):
            return " ".join(words[-count:])
    limit = min(len(letters) + _MAX_EXTRA_WORDS, 2 * len(letters))
    candidate = " ".join(words[-limit:])
    at = len(candidate) - 1
    for position in range(len(letters) - 1, -1, -1):
        letter = letters[position]
        while at >= 0 and (candidate[at].lower() != letter or (
                position == 0 and at > 0 and candidate[at - 1].isalnum())):
            at -= 1
        if at < 0:
            return None
        at -= 1
    start = candidate.rfind(" ", 0, at + 2) + 1
    return candidate[start:] or None


def _initials(short: str, words: list[str]) -> bool:
    """The words' first letters, in order, are the short form's letters but at most one."""
    letters = [character.lower() for character in short if character.isalnum()]
    initials = [word[0].lower() for word in words if word[:1].isalnum()]
    if len(initials) != len(words) or not len(letters) - 1 <= len(initials) <= len(letters):
        return False
    at = 0
    for letter in letters:
        if at < len(initials) and initials[at] == letter:
            at += 1
    return at == len(initials)

"""The history Z code a condition the note gives as past or as a relative's may take: not coded
as the patient's condition, it is offered to the coder beside the reason, to report where it
bears on care.

Official Guidelines Section I.C.21.c.4: personal history codes (Z85-Z87) explain a past
condition that no longer exists and may recur; family history codes (Z80-Z84) a relative's
condition that puts the patient at risk; both are acceptable on any record, so the coder
decides. Found two ways, the index first:

1. the Alphabetic Index's own entries, ``History > family > malignant neoplasm > breast``
   (Z80.3), ``History > personal > myocardial infarction`` (I25.2), asked with the mention's
   words;
2. else the tabular's inclusion notes on the history codes, "Conditions classifiable to
   C15-C26" (Z80.0), read from the installed release: the narrowest range holding the
   condition's code gives the history code, a valid one as it is, a header completed by the
   index's answer under it when there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from chartwell.cac.context import FAMILY, HISTORY
from chartwell.codesets.model import NoteKind
from chartwell.codesets.search.text import terms
from chartwell.edits.references import CodePattern, code_references

# assertion -> the index's word for it, and the history categories [first, end) it takes
KINDS = {FAMILY: ("family", "Z80", "Z85"),  # family history Z80-Z84
         HISTORY: ("personal", "Z85", "Z88")}  # personal history Z85-Z87
GUIDELINE = "Section I.C.21.c.4: history codes are acceptable on any record; the coder decides"
MIN_INDEX_SCORE = 0.85  # the index's answer must account for the mention's words
_HISTORY_WORDS = frozenset(("person", "histori", "famili"))  # stems every title has
_OTHER = frozenset(("other",))
_NOT_CLASSIFIABLE_HERE = re.compile(r"\bexcept\b|\belsewhere in\b", re.I)


@dataclass(frozen=True, slots=True)
class HistoryCode:
    """A history code offered for a not-coded mention: the code, its title and how it was
    found (the index path, or the tabular's note)."""

    code: str
    title: str
    how: str

    def to_json(self) -> dict:
        return {"code": self.code, "title": self.title, "how": self.how,
                "guideline": GUIDELINE}


@dataclass(frozen=True, slots=True)
class Classifiable:
    """One range of a history code's "Conditions classifiable to" note."""

    history: str
    pattern: CodePattern
    note: str

    @property
    def width(self) -> tuple[int, bool, str]:
        """Narrower first: a range of longer codes, then one code over a range of them."""
        return (-len(self.pattern.low), self.pattern.high is not None, self.pattern.low)


class HistoryCodes:
    """The history codes of one ICD-10-CM release (its tabular's notes read at the first past
    or family mention)."""

    def __init__(self, artifact: Any, stopwords: frozenset[str]):
        self.artifact = artifact
        self.stopwords = stopwords

    @cached_property
    def ranges(self) -> dict[str, list[Classifiable]]:
        return {assertion: [item for key, note in self.artifact.notes_between(
                    NoteKind.INCLUSION_TERM, first, end) if "classifiable" in note
                    for item in classifiable_ranges(key, note)]
                for assertion, (_, first, end) in KINDS.items()}

    def for_mention(self, assertion: str, code: str, words: str, answer
                    ) -> HistoryCode | None:
        """The history code of a mention (``words``) whose condition codes to ``code``;
        ``answer`` is the search (query -> hits)."""
        if assertion not in KINDS:
            return None
        kind, first, end = KINDS[assertion]
        hits = [hit for hit in answer(f"{kind} history of {words}") if hit.billable and (
            first <= hit.code < end or hit.path[:2] == ["History", kind])]
        if hits and hits[0].score >= MIN_INDEX_SCORE:
            return HistoryCode(hits[0].code, hits[0].title, _found_by(hits[0]))
        held = sorted((item for item in self.ranges[assertion] if item.pattern.matches(code)),
                      key=lambda item: item.width)
        if not held:
            return None
        best = held[0]
        how = f"tabular: {best.history} includes \"{best.note}\" ({code})"
        row = self.artifact.code(best.history)
        if row is not None and row.billable:
            return HistoryCode(best.history, row.long_title, how)
        under = [hit for hit in hits if hit.code.startswith(best.history)]
        if under:
            return HistoryCode(under[0].code, under[0].title, f"{how}; {_found_by(under[0])}")
        condition = self.artifact.code(code)
        said = f"{words} {condition.long_title}" if condition else words
        child = self._closest_child(best.history, said)
        return HistoryCode(child.code, child.long_title, f"{how}; {child.code} the closest "
                           "title under it") if child else None

    def _closest_child(self, header: str, said: str) -> Any:
        """The valid code under a history header whose title shares most words with the
        condition (its words in the note and its code's title), fewest words added breaking
        ties ("tuberculosis": Z86.11, not latent Z86.15); sharing none, the header's last
        "other" code, its residue ("hypothyroidism": Z83.49)."""
        said_terms = set(terms(said, self.stopwords))

        def rank(row: Any) -> tuple[int, bool, int, int]:
            title = set(terms(row.long_title, self.stopwords)) - _HISTORY_WORDS
            shared = len(title & said_terms)
            return (-shared, not title & _OTHER, len(title - said_terms) if shared else 0,
                    -row.sort)

        children = self.artifact.descendants(header, billable=True)
        return min(children, key=rank) if children else None


def _found_by(hit: Any) -> str:
    return ("index: " if hit.path[:1] == ["History"] else "tabular title: ") + \
        " > ".join(hit.path)


def classifiable_ranges(history: str, note: str) -> list[Classifiable]:
    """The ranges of one history code's note ("Conditions classifiable to C30-C32, C37-C39");
    none for a note that is no plain range ("elsewhere in F01-F99", "except traumatic
    fractures")."""
    if _NOT_CLASSIFIABLE_HERE.search(note):
        return []
    return [Classifiable(history, pattern, note)
            for pattern in code_references(note.split("classifiable to", 1)[-1])]

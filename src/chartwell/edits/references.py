"""What the edits ask of a code-set release, answered once per code and kept: whether a code is
valid on the date (and if not, why: a header, a missing 7th character, not in the release), and,
for ICD-10-CM, the instructional notes in force on it (its own and those inherited from its
category, block and chapter: ICD-10-CM Official Guidelines, Section I.A.12-13 and I.B.7) with the
codes they point to.

A note's code references are read from the parentheses of its text, as the tabular list writes
them: a code (``R10.9``), a category or subcategory with a dash (``E10.-``, ``E11.4-``) or a range
(``E08-E13``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from chartwell.codesets.artifact import Artifact
from chartwell.codesets.icd10cm._codes import undotted
from chartwell.codesets.lookup import SEVENTH_LENGTH, seventh_rule
from chartwell.codesets.model import CodeSystem, NoteKind
from chartwell.codesets.validation import CodeValidation, InForce, validate

_PARENTHESES = re.compile(r"\(([^()]*)\)")
_CODE = r"\b[A-Z](?:[0-9][0-9A-Z]|A[0-9])(?:\.[0-9A-Z]{1,4})?"  # QA0 since FY2026
_REFERENCE = re.compile(rf"({_CODE})(?:\s*-\s*({_CODE})|\.?-)?")
_WITH_ENDING = re.compile(rf"^\s*({_CODE})\s*-\s*({_CODE})\s+WITH\s+\.([0-9A-Z]+)(?:-\.([0-9A-Z]+)|-)?\s*$")
"""``E08-E13 with .42`` (or ``.51-.52``, ``.62-``): the range's categories with that ending."""
MANIFESTATION_TITLE = "in diseases classified elsewhere"


@dataclass(frozen=True, slots=True)
class CodePattern:
    """A code, category (``E10``) or range (``E08``-``E13``) a note points to, undotted."""

    low: str
    high: str | None = None

    def matches(self, code: str) -> bool:
        raw = undotted(code)
        if self.high is None:
            return raw.startswith(self.low)
        return raw[:len(self.low)] >= self.low and raw[:len(self.high)] <= self.high

    def __str__(self) -> str:
        return self.low if self.high is None else f"{self.low}-{self.high}"


@dataclass(frozen=True, slots=True)
class NoteReference:
    """An instructional note in force on a code: its kind, text, the tabular entry it is
    written at, and the codes it points to."""

    kind: NoteKind
    text: str
    at: str
    patterns: tuple[CodePattern, ...]

    def matches(self, code: str) -> bool:
        return any(pattern.matches(code) for pattern in self.patterns)

    def cite(self) -> str:
        return f"tabular note at {self.at}: {self.kind.value.replace('_', ' ')} \"{self.text}\""


@dataclass(frozen=True, slots=True)
class CodeStatus:
    """Whether a code is valid on the date; if not, which rule it breaks and why."""

    code: str
    valid: bool
    problem: str | None  # "header", "seventh_character", "invalid" or None
    message: str
    title: str | None


@dataclass(frozen=True, slots=True)
class CmNotes:
    excludes1: tuple[NoteReference, ...]
    code_first: tuple[NoteReference, ...]
    use_additional: tuple[NoteReference, ...]
    manifestation: bool  # "... in diseases classified elsewhere": never principal


def note_patterns(text: str) -> tuple[CodePattern, ...]:
    """The codes a note's parentheses point to. A reference qualified by a character ("S02.-
    with 7th character B", "I69. with final characters -23") other than the ``E08-E13 with .42``
    form is left out: read wrongly it would fire on codes the note does not mean."""
    patterns: list[CodePattern] = []
    for group in _PARENTHESES.findall(text):
        group = group.upper()
        if ending := _WITH_ENDING.match(group):
            patterns.extend(_with_ending(*ending.groups()))
        elif " WITH" not in group and "-WITH" not in group:
            patterns.extend(CodePattern(undotted(match.group(1)),
                                        undotted(match.group(2)) if match.group(2) else None)
                            for match in _REFERENCE.finditer(group))
    return tuple(patterns)


def _with_ending(low: str, high: str, first: str, last: str | None) -> list[CodePattern]:
    endings = [first]
    if last and first.isdigit() and last.isdigit() and len(first) == len(last):
        endings = [str(number).zfill(len(first)) for number in range(int(first), int(last) + 1)]
    return [CodePattern(category + ending) for category in _categories(undotted(low), undotted(high))
            for ending in endings]


def _categories(low: str, high: str) -> list[str]:
    """The categories of a range within one letter (``E08``-``E13``); others are left as the
    range's two ends."""
    if low[0] != high[0] or not (low[1:3].isdigit() and high[1:3].isdigit()):
        return [low[:3], high[:3]]
    return [f"{low[0]}{number:02d}" for number in range(int(low[1:3]), int(high[1:3]) + 1)]


class CodeFacts:
    """One release in force (with its installed neighbours, for the deleted / not yet valid
    messages) and what the edits have asked of it so far."""

    def __init__(self, in_force: InForce):
        self.in_force = in_force
        self.release = in_force.release
        self.artifact: Artifact = in_force.artifact
        self._status: dict[str, CodeStatus] = {}
        self._notes: dict[str, CmNotes] = {}

    @property
    def version(self) -> str:
        return self.release.version

    def status(self, code: str, on: date) -> CodeStatus:
        """Valid on ``on``? ICD-10 codes are valid for their whole release; a HCPCS code has its
        own added and termination dates, so its answer is kept per date."""
        key = (code, on) if self.release.system is CodeSystem.HCPCS else code
        found = self._status.get(key)
        if found is None:
            found = self._status[key] = self._check(code, on)
        return found

    def _check(self, code: str, on: date) -> CodeStatus:
        system = self.release.system
        result: CodeValidation = validate(code, system, on, self.in_force)
        message = "; ".join(result.messages)
        if result.valid and result.billable:
            return CodeStatus(code, True, None, message, result.title)
        return CodeStatus(code, False, self._problem(code, system), message or
                          f"{code} is not valid in {self.release.label}", result.title)

    def _problem(self, code: str, system: CodeSystem) -> str:
        if system is not CodeSystem.ICD10CM:
            return "invalid"
        row = self.artifact.code(code)
        raw = undotted(code)
        if row is not None:
            rule = seventh_rule(self.artifact, code)
            return "seventh_character" if rule and len(raw) < SEVENTH_LENGTH else "header"
        if len(raw) == SEVENTH_LENGTH and seventh_rule(self.artifact, code[:-1]) is not None:
            return "seventh_character"
        return "invalid"

    def notes(self, code: str) -> CmNotes:
        """The notes in force on an ICD-10-CM code, nearest first."""
        found = self._notes.get(code)
        if found is None:
            found = self._notes[code] = self._read_notes(code)
        return found

    def _read_notes(self, code: str) -> CmNotes:
        chain = self.artifact.tabular_chain(code)
        kinds: dict[NoteKind, list[NoteReference]] = {}
        for node in chain:
            for note in node.notes:
                kinds.setdefault(note.kind, []).append(
                    NoteReference(note.kind, note.text, node.key, note_patterns(note.text)))
        row = self.artifact.code(code)
        titles = [row.long_title if row else ""] + [node.title for node in chain
                                                   if node.kind == "code"]
        return CmNotes(
            excludes1=tuple(kinds.get(NoteKind.EXCLUDES1, ())),
            code_first=tuple(kinds.get(NoteKind.CODE_FIRST, ())),
            use_additional=tuple(kinds.get(NoteKind.USE_ADDITIONAL_CODE, ())),
            manifestation=any(MANIFESTATION_TITLE in (title or "").lower() for title in titles))

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
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from datetime import date

from chartwell.codesets.artifact import Artifact
from chartwell.codesets.icd10cm._codes import undotted
from chartwell.codesets.lookup import SEVENTH_LENGTH, seventh_rule
from chartwell.codesets.detail import hcpcs_date_problem
from chartwell.codesets.model import CodeSystem, HcpcsCode, NoteKind
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
        raw = code.replace(".", "")
        if self.high is None:
            return raw.startswith(self.low)
        return raw[:len(self.low)] >= self.low and raw[:len(self.high)] <= self.high

    def __str__(self) -> str:
        return self.low if self.high is None else f"{self.low}-{self.high}"

    @property
    def categories(self) -> frozenset[str]:
        """The 3-character categories this pattern may match."""
        if self.high is None:
            return frozenset({self.low[:3]})
        return _categories_between(self.low[:3], self.high[:3])


_CATEGORY_SECOND = "0123456789A"  # QA0 since FY2026
_CATEGORY_THIRD = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@lru_cache(maxsize=4096)
def _categories_between(low: str, high: str) -> frozenset[str]:
    letters = [chr(number) for number in range(ord(low[0]), ord(high[0]) + 1)]
    return frozenset(category for letter in letters for second in _CATEGORY_SECOND
                     for third in _CATEGORY_THIRD
                     if low <= (category := letter + second + third) <= high)


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


class NoteIndex:
    """The notes of one kind in force on a code, indexed so that "does this note point to that
    code" is a few set look-ups (by prefix length) and a short range scan, not a loop over every
    note's patterns: the excludes1 check asks it for every pair of codes on an encounter."""

    __slots__ = ("notes", "categories", "_prefixes", "_ranges")

    def __init__(self, notes: tuple[NoteReference, ...]):
        self.notes = notes
        prefixes: dict[int, dict[str, NoteReference]] = {}
        ranges: list[tuple[CodePattern, NoteReference]] = []
        categories: set[str] = set()
        for note in notes:
            for pattern in note.patterns:
                categories.update(pattern.categories)
                if pattern.high is None:
                    prefixes.setdefault(len(pattern.low), {}).setdefault(pattern.low, note)
                else:
                    ranges.append((pattern, note))
        self.categories = frozenset(categories)  # a cheap first test: none of these, no match
        self._prefixes = tuple(prefixes.items())
        self._ranges = tuple(ranges)

    def touches(self, categories: frozenset[str] | set[str]) -> bool:
        """Whether a note may point to a code of one of these categories (``E11``)."""
        return not self.categories.isdisjoint(categories)

    def __bool__(self) -> bool:
        return bool(self.notes)

    def __iter__(self):
        return iter(self.notes)

    def __getitem__(self, index: int) -> NoteReference:
        return self.notes[index]

    def find(self, code: str) -> NoteReference | None:
        """The first note pointing to ``code`` (dotted), or None."""
        raw = code.replace(".", "")
        for length, notes in self._prefixes:
            note = notes.get(raw[:length])
            if note is not None:
                return note
        for pattern, note in self._ranges:
            if pattern.matches(raw):
                return note
        return None


@dataclass(frozen=True, slots=True)
class CmNotes:
    excludes1: NoteIndex
    code_first: NoteIndex
    use_additional: NoteIndex
    manifestation: bool  # "... in diseases classified elsewhere": never principal
    categories: frozenset[str] = field(init=False, compare=False, repr=False)
    """The categories any of the three kinds may point to: a first test for the screen."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", self.excludes1.categories
                           | self.code_first.categories | self.use_additional.categories)


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
            patterns.extend(code_references(group))
    return tuple(patterns)


def code_references(text: str) -> tuple[CodePattern, ...]:
    """The codes, categories and ranges a piece of tabular text names, as written ("C30-C32,
    C37-C39", "C50.-", "O24.4-")."""
    return tuple(CodePattern(undotted(match.group(1)),
                             undotted(match.group(2)) if match.group(2) else None)
                 for match in _REFERENCE.finditer(text.upper()))


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
    messages) and what the edits have asked of it so far.

    Bulk work asks about tens of thousands of distinct codes, so what decides the common answer
    is read once, whole, into memory (the billable flags; HCPCS dates; the tabular tree and its
    sequencing and excludes notes, a few thousand rows); only a code that fails is validated the
    long way, for its message."""

    def __init__(self, in_force: InForce):
        self.in_force = in_force
        self.release = in_force.release
        self.artifact: Artifact = in_force.artifact
        self._status: dict = {}
        self._notes: dict[str, CmNotes] = {}
        self.diagnoses: dict[str, tuple[CodeStatus, CmNotes | None]] = {}  # what diagnosis() told
        self._key_notes: dict[str, CmNotes] = {}  # tabular entry -> the notes in force there

    @property
    def version(self) -> str:
        return self.release.version

    # -- validity --

    @cached_property
    def billable_codes(self) -> frozenset[str]:
        return frozenset(code for (code,) in self.artifact.connection.execute(
            "SELECT code FROM codes WHERE billable = 1"))

    @cached_property
    def _hcpcs(self) -> dict[str, HcpcsCode]:
        return {record.code: record for record in self.artifact.hcpcs_codes()}

    def status(self, code: str, on: date) -> CodeStatus:
        """Valid on ``on``? ICD-10 codes are valid for their whole release; a HCPCS code has its
        own added and termination dates, so its answer is kept per date."""
        hcpcs = self.release.system is CodeSystem.HCPCS
        key = (code, on) if hcpcs else code
        found = self._status.get(key)
        if found is None:
            found = self._status[key] = (self._hcpcs_status(code, on) if hcpcs else
                                         _VALID if code in self.billable_codes else None) \
                or self._check(code, on)
        return found

    def valid_on(self, code: str, on: date) -> bool:
        """Whether :meth:`status` says valid, answered without keeping an answer per date for a
        HCPCS code in force on the date (its added and termination dates, read once)."""
        window = self.hcpcs_windows.get(code)
        if window is not None and window[0] <= on <= window[1]:
            return True
        return self.status(code, on).valid

    @cached_property
    def hcpcs_windows(self) -> dict[str, tuple[date, date]]:
        """HCPCS code -> (first day, last day) it may be reported (hcpcs_date_problem's
        rule: the added date, the termination date its last day); empty for another code
        system."""
        if self.release.system is not CodeSystem.HCPCS:
            return {}
        return {code: (record.added or date.min, record.terminated or date.max)
                for code, record in self._hcpcs.items()}

    def _hcpcs_status(self, code: str, on: date) -> CodeStatus | None:
        record = self._hcpcs.get(code)
        return _VALID if record is not None and hcpcs_date_problem(record, on) is None else None

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

    # -- tabular notes --

    @cached_property
    def _tabular(self) -> dict[str, tuple[str | None, str, str]]:
        """key -> (parent, kind, title) of every chapter, block and tabular code."""
        return {key: (parent, kind, title) for key, kind, title, parent in
                self.artifact.connection.execute("SELECT key, kind, title, parent FROM tabular")}

    @cached_property
    def _sequencing_notes(self) -> dict[str, list[NoteReference]]:
        """The excludes1, code first and use additional notes by the tabular key they sit at."""
        notes: dict[str, list[NoteReference]] = {}
        for key, kind, text in self.artifact.connection.execute(
                "SELECT key, kind, text FROM notes WHERE kind IN (?, ?, ?) ORDER BY key, seq",
                (NoteKind.EXCLUDES1.value, NoteKind.CODE_FIRST.value,
                 NoteKind.USE_ADDITIONAL_CODE.value)):
            notes.setdefault(key, []).append(
                NoteReference(NoteKind(kind), text, key, note_patterns(text)))
        return notes

    def notes(self, code: str) -> CmNotes:
        """The notes in force on an ICD-10-CM code, nearest first."""
        found = self._notes.get(code)
        if found is None:
            found = self._notes[code] = self._read_notes(code)
        return found

    def diagnosis(self, code: str, on: date) -> tuple[CodeStatus, CmNotes | None]:
        """An ICD-10-CM code's status (as :meth:`status` answers it) and, when it is valid, its
        notes: what the conventions ask of a diagnosis, in one look-up."""
        found = self.diagnoses.get(code)
        if found is None:
            status = self.status(code, on)
            notes = None
            if status.valid:
                notes = self._notes.get(code)
                if notes is None:  # notes(code), the tabular entry of a code itself first
                    notes = self._key_notes.get(code)
                    if notes is None:
                        notes = self._notes_at(code, 0) if code in self._tabular \
                            else self._read_notes(code)
                    self._notes[code] = notes
            found = (status, notes)
            if len(self.diagnoses) >= _REMEMBERED:
                self.diagnoses.clear()
            self.diagnoses[code] = found
        return found

    def _nearest(self, code: str) -> str | None:
        """The code's own tabular entry or its nearest tabular ancestor (``E11.65`` sits under
        ``E11.6``)."""
        tabular = self._tabular
        key: str | None = code
        while key and key not in tabular:
            key = key[:-1].rstrip(".") if len(key) > 3 else None
        return key

    def _read_notes(self, code: str) -> CmNotes:
        key = self._nearest(code)
        return _NO_NOTES if key is None else self._notes_at(key, 0)

    def _notes_at(self, key: str, depth: int) -> CmNotes:
        """The notes in force at a tabular entry: its own, then its parent's (the same objects
        as the parent's where it adds nothing, so the codes of a category share them)."""
        found = self._key_notes.get(key)
        if found is not None:
            return found
        tabular = self._tabular
        parent, kind, title = tabular[key]
        above = self._key_notes.get(parent) if parent is not None and depth < 49 else None
        if above is None:
            above = (self._notes_at(parent, depth + 1) if parent in tabular and depth < 49
                     else _NO_NOTES)
        own = self._sequencing_notes.get(key, ())
        manifestation = above.manifestation or (kind == "code"
                                                and MANIFESTATION_TITLE in title.lower())
        if not own and manifestation == above.manifestation:
            found = above
        else:
            found = CmNotes(
                excludes1=_joined(own, NoteKind.EXCLUDES1, above.excludes1),
                code_first=_joined(own, NoteKind.CODE_FIRST, above.code_first),
                use_additional=_joined(own, NoteKind.USE_ADDITIONAL_CODE, above.use_additional),
                manifestation=manifestation)
        self._key_notes[key] = found
        return found

def _joined(own: list[NoteReference], kind: NoteKind, above: NoteIndex) -> NoteIndex:
    """The index of a kind of note at an entry: its own notes of that kind first, then those
    in force above it (the same index when it has none of its own)."""
    mine = tuple(note for note in own if note.kind is kind)
    return NoteIndex(mine + above.notes) if mine else above


_REMEMBERED = 500_000  # diagnosis codes kept per release (made-up codes must not grow it forever)
_NO_NOTES = CmNotes(NoteIndex(()), NoteIndex(()), NoteIndex(()), False)
_VALID = CodeStatus("", True, None, "", None)  # the common answer, shared

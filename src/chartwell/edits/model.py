"""Edits as declared units: each rule has an id, a family, a severity, a title a coder
understands, the source a compliance officer can look up, the settings it applies to and the
reference tables it needs. ``chartwell edits rules`` lists them; every finding names its rule.

A rule is a small function ``check(rule, context) -> findings`` registered with :func:`rule`.
It reads the encounter and the reference data in force on its date from the
:class:`EditContext` (no I/O: the service opens the releases and hands them in), and answers
:class:`Finding` objects made with :meth:`Rule.finding`, so that each carries the rule's id,
severity and source, plus the table row or note that fired.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chartwell.domain.coded import CodedEncounter, Setting


class Severity(StrEnum):
    """``error`` holds the claim until fixed; ``warning`` is shown and does not hold it."""

    ERROR = "error"
    WARNING = "warning"


class Family(StrEnum):
    CONVENTIONS = "conventions"  # ICD-10-CM conventions and code validity
    MCE = "mce"  # Medicare Code Editor (inpatient)
    NCCI = "ncci"  # NCCI procedure-to-procedure and add-on code edits
    MUE = "mue"  # Medically Unlikely Edits


ALL_SETTINGS = frozenset(Setting)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    codes: tuple[str, ...]
    message: str
    source: str
    family: Family

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": str(self.severity), "codes": list(self.codes),
                "message": self.message, "source": self.source, "family": str(self.family)}


@dataclass(slots=True)
class EditContext:
    """An encounter and the reference data in force on its date. A table that is not installed
    for the date is None; the rules that need it are skipped and ``notes`` says so."""

    encounter: CodedEncounter
    cm: Any = None  # chartwell.edits.references.CodeFacts of the ICD-10-CM release in force
    pcs: Any = None  # ... of the ICD-10-PCS release in force
    hcpcs: Any = None  # ... of the HCPCS Level II release in force
    ncci: Any = None  # chartwell.codesets.ncci.NcciTables
    mue: Any = None  # chartwell.codesets.mue.MueTables
    poa: Any = None  # chartwell.codesets.poa.PoaExemptList
    mce: Any = None  # chartwell.edits.mce_tables.MceTables
    notes: list[str] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict)  # what several rules ask, computed once


Check = Callable[["Rule", EditContext], Iterable[Finding]]
_FINDING_SLOTS = tuple(getattr(Finding, name).__set__ for name in Finding.__dataclass_fields__)
_new = object.__new__  # a finding's slots are filled directly: the frozen __init__ costs more


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    family: Family
    severity: Severity
    title: str
    source: str
    check: Check
    settings: frozenset[Setting] = ALL_SETTINGS
    needs: tuple[str, ...] = ()  # EditContext attributes the rule reads: "cm", "ncci", ...

    def finding(self, codes: Iterable[str], message: str, where: str | None = None,
                severity: Severity | None = None) -> Finding:
        """A finding of this rule; ``where`` names the table row or note that fired, appended
        to the rule's source."""
        finding = _new(Finding)
        set_rule, set_severity, set_codes, set_message, set_source, set_family = _FINDING_SLOTS
        set_rule(finding, self.id)
        set_severity(finding, severity or self.severity)
        set_codes(finding, tuple(codes))
        set_message(finding, message)
        set_source(finding, f"{self.source}; {where}" if where else self.source)
        set_family(finding, self.family)
        return finding

    def found(self, codes: tuple[str, ...], message: str, source: str,
              severity: Severity | None = None) -> Finding:
        """:meth:`finding` for a rule that fires often: the codes already a tuple and the whole
        source already written (see :meth:`source_at`)."""
        finding = _new(Finding)
        set_rule, set_severity, set_codes, set_message, set_source, set_family = _FINDING_SLOTS
        set_rule(finding, self.id)
        set_severity(finding, severity or self.severity)
        set_codes(finding, codes)
        set_message(finding, message)
        set_source(finding, source)
        set_family(finding, self.family)
        return finding

    def source_at(self, where: str) -> str:
        """The source a finding of this rule names for ``where`` (as :meth:`finding` writes
        it), kept: a rule fires on the same table rows again and again."""
        sources = _SOURCES.get(self.id)
        if sources is None:
            sources = _SOURCES[self.id] = {}
        found = sources.get(where)
        if found is None:
            if len(sources) >= _SOURCES_KEPT:
                sources.clear()
            found = sources[where] = f"{self.source}; {where}" if where else self.source
        return found

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.id, "family": str(self.family), "severity": str(self.severity),
                "title": self.title, "source": self.source,
                "settings": sorted(str(setting) for setting in self.settings),
                "needs": list(self.needs)}


RULES: list[Rule] = []
_SOURCES: dict[str, dict[str, str]] = {}  # rule id -> where -> the finding's source
_SOURCES_KEPT = 50_000  # per rule


def rule(rule_id: str, *, family: Family, severity: Severity, title: str, source: str,
         settings: Iterable[Setting] = ALL_SETTINGS, needs: Iterable[str] = ()
         ) -> Callable[[Check], Rule]:
    """Declare a rule (module level, in its family's module) and register it."""

    def register(check: Check) -> Rule:
        if any(existing.id == rule_id for existing in RULES):
            raise ValueError(f"rule {rule_id} declared twice")
        declared = Rule(rule_id, family, severity, title, source, check, frozenset(settings),
                        tuple(needs))
        RULES.append(declared)
        return declared

    return register


Screen = Callable[[EditContext], Collection[str]]


@dataclass(frozen=True, slots=True)
class FamilyScreen:
    """A quick look at an encounter for one family: which of the rules it ``covers`` may find
    or note something on it. The engine runs only those (and every rule the screen does not
    cover), so an encounter whose codes the tables say nothing about costs a few look-ups, not
    a call to each rule. A screen may answer a rule that then finds nothing; it must never leave
    out one that would have found something (tests run every rule and compare)."""

    family: Family
    covers: frozenset[str]
    look: Screen


SCREENS: list[FamilyScreen] = []


def screen(family: Family, covers: Iterable[str]) -> Callable[[Screen], FamilyScreen]:
    """Declare the screen of a family (module level, after its rules)."""

    def register(look: Screen) -> FamilyScreen:
        declared = FamilyScreen(family, frozenset(covers), look)
        unknown = declared.covers - {existing.id for existing in RULES}
        if unknown:
            raise ValueError(f"screen of {family} covers undeclared rules {sorted(unknown)}")
        SCREENS.append(declared)
        return declared

    return register

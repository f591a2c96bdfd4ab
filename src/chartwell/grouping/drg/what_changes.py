"""What changes the DRG: the DRG's family (the same base DRG at its other severity levels, with
their weights) and the secondary diagnoses that would add a CC or MCC and move the stay to
another DRG, grouped by the DRG they lead to.

Candidates come from two places:

* ``documented``: the encounter's optional ``"candidates"`` field, diagnoses documented in the
  record but not coded. Each CC/MCC among them is regrouped on its own (the whole claim plus the
  candidate, POA ``Y``).
* ``cdi_list``: the curated list of commonly under-documented conditions
  (``cdi_queries.json``). Each is screened with the installed tables: not coded already, a
  CC/MCC in this fiscal year (Tables 6I/6J), not excluded with this principal diagnosis or in
  this DRG (Table 6K Parts 1 and 3), not an alive-only code for a patient who died (Part 2),
  and a level above the stay's that its DRG family splits on (Table 5). Where the stay sits in
  its family by its severity (the family member Table 5 titles for the stay's CC/MCC level is
  the stay's DRG), the DRG a candidate leads to is read from the family, not regrouped: in the
  MS-DRG logic a secondary diagnosis that no DRG formula names acts only through its level, and
  no curated condition is named in a DRG formula. The grouper is asked once per DRG the
  candidates lead to, for its title (then remembered); should it land elsewhere, every candidate
  of the stay is regrouped. A stay that sits in its family for another reason (DRG 518 'with
  MCC or disc device or neurostimulator' reached by the device) has each candidate regrouped on
  the whole claim, and so have the alive-only CC/MCCs (Table 6K Part 2) of a stay whose
  discharge status the grouper does not accept (they make the status matter, and such a stay
  ungroupable).

Only the candidates whose regrouping changes the DRG are reported.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

from chartwell.codesets.msdrg import severity_phrase
from chartwell.domain.coded import CodedEncounter
from chartwell.grouping.drg.claim import Claim, grouper_status, is_expired
from chartwell.grouping.drg.grouper import LEVELS, DrgGrouper, Grouping

if TYPE_CHECKING:
    from chartwell.codesets.msdrg import MsdrgTables

LEVEL_LABELS = {"WITH MCC": "with MCC", "WITH CC/MCC": "with CC/MCC", "WITH CC": "with CC",
                "WITHOUT CC/MCC": "without CC/MCC", "WITHOUT MCC": "without MCC"}


@dataclass(frozen=True, slots=True)
class CdiQuery:
    """One condition of the curated list."""

    code: str
    condition: str
    query_when: str


@lru_cache(maxsize=1)
def cdi_queries() -> tuple[CdiQuery, ...]:
    """The curated list, read once from the package."""
    text = resources.files("chartwell.grouping.drg").joinpath("cdi_queries.json").read_text(
        encoding="utf-8")
    return tuple(CdiQuery(item["code"], item["condition"], item["query_when"])
                 for item in json.loads(text)["conditions"])


@dataclass(frozen=True, slots=True)
class Candidate:
    """A diagnosis that, added as a secondary diagnosis, changes the DRG. Its JSON is made once
    (the curated ones are shared by every answer; the answer is read, never changed)."""

    code: str
    level: str | None  # CC, MCC (None: no tables to say)
    source: str  # documented, cdi_list
    query: CdiQuery | None = None
    document: dict = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        document = {"code": self.code, "level": self.level, "source": self.source}
        if self.query is not None:
            document.update(condition=self.query.condition, query_when=self.query.query_when)
        object.__setattr__(self, "document", document)

    def to_json(self) -> dict:
        return self.document


@dataclass(frozen=True, slots=True)
class DrgChange:
    """The DRG the ``diagnoses`` lead to, each on its own."""

    drg: str
    title: str | None
    weight: float | None
    weight_change: float | None
    diagnoses: tuple[Candidate, ...]

    def to_json(self) -> dict:
        return {"drg": self.drg, "title": self.title, "weight": self.weight,
                "weight_change": self.weight_change,
                "diagnoses": [candidate.document for candidate in self.diagnoses]}


@dataclass(frozen=True, slots=True)
class FamilyMember:
    drg: str
    title: str
    level: str | None  # the CC/MCC phrase of its title: "with MCC", "without CC/MCC"
    weight: float | None
    weight_change: float | None
    current: bool

    def to_json(self) -> dict:
        return {"drg": self.drg, "title": self.title, "level": self.level, "weight": self.weight,
                "weight_change": self.weight_change, "current": self.current}


@dataclass(frozen=True, slots=True)
class WhatChanges:
    """Its JSON is made once: a view read from the family is shared by the stays it fits (the
    answer is read, never changed)."""

    family: tuple[FamilyMember, ...]
    secondary_diagnoses: tuple[DrgChange, ...]
    document: dict = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "document", {
            "family": [member.to_json() for member in self.family],
            "secondary_diagnoses": [change.to_json() for change in self.secondary_diagnoses]})

    def to_json(self) -> dict:
        return self.document


NOTHING = WhatChanges((), ())


class Regrouping(NamedTuple):
    """What a regrouping needs: the stay, its claim and answer, the tables and the grouper (a
    tuple: made for every stay)."""

    encounter: CodedEncounter
    claim: Claim
    grouping: Grouping
    tables: MsdrgTables | None
    grouper: DrgGrouper

    def weights(self, drg: str) -> tuple[float | None, float | None]:
        """The weight of ``drg`` and its difference from the stay's current DRG."""
        return _weights(self.tables, self.grouping.drg, drg)


def what_changes(work: Regrouping, documented: list[str]) -> WhatChanges:
    """The family and the diagnoses that change the DRG (nothing for a stay without a payable
    DRG: what it needs is a valid claim, not another diagnosis)."""
    if not work.grouping.grouped:
        return NOTHING
    outcomes = _documented(work, documented)
    if work.tables is None:
        return WhatChanges((), _by_drg(work, outcomes))
    if not outcomes:
        return _curated_view(work)
    seen = {candidate.code for candidate, _drg, _title in outcomes}
    outcomes += [item for item in _curated(work) if item[0].code not in seen]
    return WhatChanges(family_of(work.tables, work.grouping.drg), _by_drg(work, outcomes))


_views: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
MAX_VIEWS = 50_000  # views remembered per tables release (a few KiB each); past that, made anew


def _curated_view(work: Regrouping) -> WhatChanges:
    """What the curated list changes, remembered where it is read from the family: the same
    grouper version, DRG and CC/MCC level, death and discharge status reading, and the same
    curated conditions screened out by the stay's codes and principal diagnosis give the same
    view, and most stays of a run share one (the conditions screened out are found with set
    operations, not condition by condition: :func:`_screen` is run on a new kind only)."""
    entries, kind, codes = _kind(work)
    key = (work.claim.version.number, kind, _dropped(work, codes))
    views = _views.get(work.tables)
    if views is None:
        views = _views.setdefault(work.tables, {})
    view = views.get(key)
    if view is None:
        outcomes, from_family = _outcomes(work, _screen(work, entries))
        view = WhatChanges(family_of(work.tables, work.grouping.drg), _by_drg(work, outcomes))
        if from_family and len(views) < MAX_VIEWS:
            views[key] = view
    return view


def _by_drg(work: Regrouping, outcomes: list[tuple[Candidate, str, str | None]]
            ) -> tuple[DrgChange, ...]:
    grouped: dict[str, tuple[str | None, list[Candidate]]] = {}
    for candidate, drg, title in outcomes:
        grouped.setdefault(drg, (title, []))[1].append(candidate)
    changes = [DrgChange(drg, title, *work.weights(drg), tuple(candidates))
               for drg, (title, candidates) in grouped.items()]
    changes.sort(key=lambda change: (-(change.weight_change or 0), change.drg))
    return tuple(changes)


# -- the family ------------------------------------------------------------------------------

_families: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def family_of(tables: MsdrgTables, drg: str) -> tuple[FamilyMember, ...]:
    """The family of ``drg`` with weights relative to it (worked out once per DRG)."""
    by_drg = _families.setdefault(tables, {})
    if drg not in by_drg:
        by_drg[drg] = tuple(_member(tables, drg, member) for member in tables.family(drg))
    return by_drg[drg]


def _member(tables: MsdrgTables, current: str, drg: str) -> FamilyMember:
    row = tables.drg(drg)
    phrase = severity_phrase(row.title) if row else None
    return FamilyMember(drg, row.title if row else drg,
                        LEVEL_LABELS[phrase[1]] if phrase else None,
                        *_weights(tables, current, drg), drg == current)


def _weights(tables: MsdrgTables | None, current: str, drg: str
             ) -> tuple[float | None, float | None]:
    new = tables.drg(drg) if tables else None
    old = tables.drg(current) if tables else None
    if new is None or new.weight is None:
        return None, None
    return new.weight, None if old is None or old.weight is None else \
        round(new.weight - old.weight, 4)


# -- the candidates --------------------------------------------------------------------------


def _documented(work: Regrouping, codes: list[str]) -> list[tuple[Candidate, str, str | None]]:
    if not codes:
        return []
    outcomes = []
    coded = work.claim.codes
    for code in dict.fromkeys(codes):
        level = work.tables.severity(code) if work.tables else None
        if code.replace(".", "") in coded or (work.tables is not None and level is None):
            continue  # coded already, or not a CC/MCC: it cannot add one
        drg, title = work.grouper.final_drg(work.claim.with_secondary(code))
        if drg != work.grouping.drg:
            outcomes.append((Candidate(code, level, "documented"), drg, title))
    return outcomes


def _curated(work: Regrouping) -> list[tuple[Candidate, str, str | None]]:
    """The curated conditions that change the DRG, with the DRG each leads to."""
    return _outcomes(work, _screened(work))[0]


def _outcomes(work: Regrouping, screen: Screen
              ) -> tuple[list[tuple[Candidate, str, str | None]], bool]:
    """The screened conditions that change the DRG, with the DRG each leads to; and whether
    they were all read from the family (then they are the same for every stay of its kind)."""
    predicted = _predicted(work, screen.by_target) if _placed_by_severity(work) else None
    if predicted is None:
        predicted = _regrouped(work, [candidate for candidates in screen.by_target.values()
                                      for candidate in candidates])
        from_family = not screen.by_target
    else:
        from_family = True
    outcomes = _regrouped(work, screen.alone) + predicted
    return [outcome for outcome in outcomes if outcome[1] != work.grouping.drg], \
        from_family and not screen.alone


def _regrouped(work: Regrouping, candidates: list[Candidate]
               ) -> list[tuple[Candidate, str, str | None]]:
    """Each candidate regrouped on its own with the whole claim."""
    return [(candidate, *work.grouper.final_drg(work.claim.with_secondary(candidate.code)))
            for candidate in candidates]


def _placed_by_severity(work: Regrouping) -> bool:
    """Whether the family member Table 5 titles for the stay's CC/MCC level is its DRG."""
    grouping = work.grouping
    return work.tables.split(grouping.drg).get(grouping.severity) == grouping.drg


_titles: dict[tuple[int, str], str | None] = {}  # (grouper version, DRG) -> the grouper's title


def _predicted(work: Regrouping, by_target: dict[str, list[Candidate]]
               ) -> list[tuple[Candidate, str, str | None]] | None:
    """Each candidate with the family member of its level; the grouper is asked the first time
    a DRG comes up, for its title (None should it land elsewhere: then each is regrouped)."""
    version = work.claim.version.number
    outcomes = []
    for target, candidates in by_target.items():
        key = (version, target)
        if key not in _titles:
            drg, title = work.grouper.final_drg(work.claim.with_secondary(candidates[0].code))
            if drg != target:
                return None
            _titles[key] = title
        outcomes += [(candidate, target, _titles[key]) for candidate in candidates]
    return outcomes


def _dropped(work: Regrouping, codes: frozenset[str]) -> frozenset[str]:
    """Of the curated conditions' ``codes`` (undotted), those the stay's own codes and
    principal diagnosis screen out (what :attr:`Screen.dropped` holds, as a set)."""
    if not codes:
        return codes
    claim = work.claim
    dropped = codes.intersection(claim.codes)
    excluded = _excluded_by_principal(work.tables).get(claim.document["pdx"]["code"])
    return dropped.union(codes.intersection(excluded)) if excluded else dropped


_principal_exclusions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _excluded_by_principal(tables: MsdrgTables) -> dict[str, frozenset[str]]:
    """Principal diagnosis (undotted) -> the curated codes (undotted) on whose PDX exclusion
    list it is (Table 6K Part 1), for these tables."""
    found = _principal_exclusions.get(tables)
    if found is None:
        by_principal: dict[str, set[str]] = {}
        for candidates in _curated_candidates(tables).values():
            for _candidate, raw, pdx_exclusions, _alive_only in candidates:
                for principal in pdx_exclusions:
                    by_principal.setdefault(principal, set()).add(raw)
        found = {principal: frozenset(codes) for principal, codes in by_principal.items()}
        _principal_exclusions[tables] = found
    return found


@dataclass(frozen=True, slots=True)
class Screen:
    """The curated conditions that can move the stay, by the family member each should move it
    to; apart, the ones regrouped on their own; and the ones the stay's own codes and principal
    diagnosis screened out (what distinguishes stays of the same DRG and level)."""

    by_target: dict[str, list[Candidate]]
    alone: list[Candidate]
    dropped: tuple[str, ...]


NO_SCREEN = Screen({}, [], ())


def _screened(work: Regrouping) -> Screen:
    """The curated conditions that can move the stay through their level (see the module notes
    for the screen); and apart, with a discharge status the grouper does not accept, those that
    are a CC/MCC only when the patient is discharged alive: they bring the status into the
    grouping and are regrouped on their own."""
    return _screen(work, _entries(work)[0])


def _screen(work: Regrouping, entries: tuple[tuple, ...]) -> Screen:
    if not entries:
        return NO_SCREEN
    coded, principal = work.claim.codes, work.claim.document["pdx"]["code"]
    by_target: dict[str, list[Candidate]] = {}
    alone: list[Candidate] = []
    dropped = []
    for target, candidate, raw, pdx_exclusions, regrouped in entries:
        if raw in coded or principal in pdx_exclusions:
            dropped.append(raw)
        elif regrouped:
            alone.append(candidate)
        else:
            by_target.setdefault(target, []).append(candidate)
    return Screen(by_target, alone, tuple(dropped))


_entry_lists: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _entries(work: Regrouping) -> tuple[tuple[tuple, ...], tuple]:
    """The curated conditions a stay of this kind (DRG, CC/MCC level, death, discharge status
    reading) can be moved by, before its own codes and principal diagnosis are looked at:
    (target DRG, candidate, code undotted, its PDX exclusion list, regrouped on its own),
    worked out once per kind; and the kind."""
    entries, kind, _codes = _kind(work)
    return entries, kind


def _kind(work: Regrouping) -> tuple[tuple[tuple, ...], tuple, frozenset[str]]:
    """:func:`_entries`, with the entries' codes (undotted) as a set."""
    tables, grouping, encounter = work.tables, work.grouping, work.encounter
    expired, status_read = is_expired(encounter), grouper_status(encounter)
    key = (grouping.drg, grouping.severity, expired, status_read)
    lists = _entry_lists.get(tables)
    if lists is None:
        lists = _entry_lists.setdefault(tables, {})
    found = lists.get(key)
    if found is None:
        targets = _targets(tables.split(grouping.drg), grouping)
        drg_exclusions = tables.drg_exclusions(grouping.drg)
        entries = tuple(
            (target, candidate, raw, pdx_exclusions, alive_only and not status_read)
            for level, target in targets.items()
            for candidate, raw, pdx_exclusions, alive_only in _curated_candidates(tables)[level]
            if raw not in drg_exclusions and not (expired and alive_only))
        found = lists[key] = (entries, frozenset(entry[2] for entry in entries))
    return found[0], key, found[1]


def _targets(split: dict[str, str], grouping: Grouping) -> dict[str, str]:
    """For CC and MCC: the family member a candidate of that level should move the stay to,
    where that is another member than the stay's."""
    current = split.get(grouping.severity, grouping.drg)
    targets = {}
    for level in ("CC", "MCC"):
        target = split.get(max(level, grouping.severity, key=LEVELS.index))
        if target is not None and target not in (current, grouping.drg):
            targets[level] = target
    return targets


_candidates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _curated_candidates(tables: MsdrgTables) -> dict[str, list[tuple]]:
    """The curated conditions that are a CC or an MCC in these tables, by level: (candidate,
    code undotted, its PDX exclusion list, alive-only), worked out once per release (and kept
    only once whole: threads read it)."""
    found = _candidates.get(tables)
    if found is None:
        found = {"CC": [], "MCC": []}
        for query in cdi_queries():
            level, raw = tables.severity(query.code), query.code.replace(".", "")
            if level in found:
                collection = tables.pdx_collection(raw)
                found[level].append((Candidate(query.code, level, "cdi_list", query), raw,
                                     tables.pdx_exclusions(collection) if collection else
                                     frozenset(), tables.alive_only(raw)))
        _candidates[tables] = found
    return found

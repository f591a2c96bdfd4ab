"""The MS-DRG tables CMS publishes with each IPPS final rule, as a table-set release:

* **Table 5**: every MS-DRG with its MDC, type (SURG/MED), title, relative weight (before and
  after the cap on weight reductions), geometric and arithmetic mean length of stay, and the
  post-acute transfer and special-pay flags (tab-delimited, one header row starting ``MS-DRG``);
* **Table 6I / 6J**: the complete MCC and CC lists (``code<TAB>description``, dotted codes);
* **Table 6K**: the complete list of CC exclusions. Part 1 gives each CC/MCC with the number of
  its *PDX exclusion list* ("PDX collection"): when the principal diagnosis is on that list, the
  CC/MCC counts as a non-CC. Part 2 lists the codes that are a CC/MCC only when the patient is
  discharged alive; Part 3 the secondary diagnoses that lose their CC/MCC severity in select
  MS-DRGs (e.g. DRGs 177-179 for the pneumonias the DRG is about).

The loader follows the table-set pattern (see :mod:`chartwell.codesets.poa`): ``load`` reads the
plan's files and answers a writer of the set's own tables; :class:`MsdrgTables` reads them back
for the grouper, with plain dict look-ups after first use. Table 5 is required; a release without
6I-6K is installed with a note (the grouper still groups, but explains less).
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TextIO

from chartwell.codesets._files import bad, numbered_lines, read_text_file
from chartwell.codesets.artifact import Artifact, ReleaseContent
from chartwell.codesets.build import Loaded, Progress, source_file
from chartwell.codesets.install import FoundFile, Kind, Plan
from chartwell.codesets.model import TableSet
from chartwell.errors import InvalidInput

ENCODING = "cp1252"  # CMS's tables are Windows text (Table 5's title holds an em dash)
SCHEMA = """
CREATE TABLE msdrg_drgs (
    drg TEXT PRIMARY KEY, mdc TEXT, type TEXT, title TEXT NOT NULL, weight REAL,
    weight_before_cap REAL, gmlos REAL, amlos REAL, post_acute INTEGER, special_pay INTEGER
) WITHOUT ROWID;
CREATE TABLE msdrg_severity (
    code TEXT PRIMARY KEY, level TEXT NOT NULL, title TEXT, pdx_collection TEXT
) WITHOUT ROWID;
CREATE TABLE msdrg_pdx_collections (
    collection TEXT NOT NULL, code TEXT NOT NULL, PRIMARY KEY (collection, code)
) WITHOUT ROWID;
CREATE TABLE msdrg_alive_only (code TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE msdrg_drg_exclusions (
    first_drg TEXT NOT NULL, last_drg TEXT NOT NULL, heading TEXT NOT NULL, code TEXT NOT NULL,
    PRIMARY KEY (first_drg, code)
) WITHOUT ROWID;
"""
MCC, CC = "MCC", "CC"
_DRG = re.compile(r"^\d{3}$")
_DOTTED = re.compile(r"^[A-Z][0-9A-Z]{2}(\.[0-9A-Z]{1,4})?$")
_RAW = re.compile(r"^[A-Z][0-9A-Z]{2,6}$")
_PART_1_ROW = re.compile(r"^ (?P<code>[A-Z][0-9A-Z]{2,6})\s+(?P<level>MCC|CC)\s+"
                         r"(?:(?P<collection>\d{4}):[\d,]+ codes?|No Excl)\s+(?P<title>.*)$")
_COLLECTION = re.compile(r"^PDX collection (?P<collection>\d{4})\s*$")
_CODE_LINE = re.compile(r"^\s+(?P<code>[A-Z][0-9A-Z]{2,6})\s+(?P<title>.*)$")
_PART = re.compile(r"^K Part (?P<part>\d)\b")
_DRG_HEADING = re.compile(r"^MDC \d{2} DRGs? (?P<first>\d{3})(?:-(?P<last>\d{3}))? (?P<title>.+)$")


# -- Table 5 -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DrgRow:
    """One MS-DRG of Table 5. Weights and lengths of stay are None for 998/999."""

    drg: str
    mdc: str | None  # "05", "PRE"; None for 998/999
    type: str | None  # SURG, MED; None for 998/999
    title: str
    weight: float | None  # the payment weight (after the cap on reductions, where there is one)
    weight_before_cap: float | None
    gmlos: float | None
    amlos: float | None
    post_acute: bool
    special_pay: bool


_COLUMNS = {  # Table 5 column -> the words its header holds (matched in upper case)
    "mdc": ("MDC",), "type": ("TYPE",), "title": ("TITLE",), "gmlos": ("GEOMETRIC",),
    "amlos": ("ARITHMETIC",), "post_acute": ("POST-ACUTE",), "special_pay": ("SPECIAL PAY",),
}


_REQUIRED = {"title": "MS-DRG title", "weight": "weights", "gmlos": "geometric mean LOS",
             "amlos": "arithmetic mean LOS"}


def read_table_5(stream: TextIO, source: str | None = None) -> Iterator[DrgRow]:
    """The MS-DRGs of Table 5, in file order; a malformed row names its line."""
    reader = csv.reader(stream, delimiter="\t")
    columns: dict[str, int] | None = None
    try:
        for cells in reader:
            line = reader.line_num
            if columns is None:
                if cells and cells[0].strip().upper().startswith("MS-DRG"):
                    columns = _table_5_columns(cells, source, line)
                continue
            if not any(cell.strip() for cell in cells):
                continue
            yield _table_5_row(cells, columns, source, line)
    except csv.Error as error:
        raise bad(f"not valid tab-delimited text ({error})", source, reader.line_num) from None
    if columns is None:
        raise bad("no header row starting 'MS-DRG': not Table 5", source)


def _table_5_columns(header: list[str], source: str | None, line: int) -> dict[str, int]:
    names = [cell.strip().upper() for cell in header]
    columns = {"drg": 0}
    for name, words in _COLUMNS.items():
        found = [index for index, cell in enumerate(names) if all(word in cell for word in words)]
        if found:
            columns[name] = found[0]
    weights = [index for index, cell in enumerate(names) if "WEIGHT" in cell]
    capped = [index for index in weights if "CAP APPLIED" in names[index]]
    before = [index for index in weights if "BEFORE CAP" in names[index]]
    if weights:
        columns["weight"] = (capped or [index for index in weights if index not in before]
                             or weights)[0]
        columns["weight_before_cap"] = (before or [columns["weight"]])[0]
    missing = [label for name, label in _REQUIRED.items() if name not in columns]
    if missing:
        raise bad(f"Table 5 header lacks the {', '.join(missing)} column(s)", source, line)
    return columns


def _table_5_row(cells: list[str], columns: dict[str, int], source: str | None, line: int
                 ) -> DrgRow:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    drg = cell("drg")
    if not _DRG.match(drg):
        raise bad(f"{drg!r} is not an MS-DRG number (three digits)", source, line, "MS-DRG")
    return DrgRow(drg=drg, mdc=cell("mdc") or None, type=_type(cell("type")),
                  title=" ".join(cell("title").split()),
                  weight=_number(cell("weight"), source, line, "weight"),
                  weight_before_cap=_number(cell("weight_before_cap"), source, line, "weight"),
                  gmlos=_number(cell("gmlos"), source, line, "geometric mean LOS"),
                  amlos=_number(cell("amlos"), source, line, "arithmetic mean LOS"),
                  post_acute=cell("post_acute").upper() == "YES",
                  special_pay=cell("special_pay").upper() == "YES")


def _type(value: str) -> str | None:
    return value.upper() if value.upper() in ("SURG", "MED") else None


def _number(value: str, source: str | None, line: int, field: str) -> float | None:
    """A weight or a length of stay; ``.`` (998/999) and blank are None."""
    value = value.replace(",", "")
    if value in ("", "."):
        return None
    try:
        return float(value)
    except ValueError:
        raise bad(f"{value!r} is not a number", source, line, field) from None


# -- Tables 6I and 6J ----------------------------------------------------------------------------


def read_severity_list(stream: TextIO, source: str | None = None) -> Iterator[tuple[str, str]]:
    """``(code, description)`` of Table 6I (MCC) or 6J (CC): the rows after the header
    ``Diagnosis Code``, up to the notes at the end."""
    started = False
    for number, line in numbered_lines(stream, source):
        cells = [cell.strip() for cell in line.split("\t")]
        if not started:
            started = cells[0].upper().startswith("DIAGNOSIS CODE")
            continue
        if not cells[0]:
            if any(cell.upper().startswith("NOTES") for cell in cells):
                return
            continue
        code = cells[0].upper()
        if not (_DOTTED.match(code) or _RAW.match(code)):
            raise bad(f"{cells[0]!r} is not an ICD-10-CM code", source, number, "Diagnosis Code")
        yield _dotted(code), cells[1] if len(cells) > 1 else ""
    if not started:
        raise bad("no header row 'Diagnosis Code': not Table 6I or 6J", source)


# -- Table 6K ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeverityRow:
    code: str  # dotted, as coders write it
    level: str  # MCC or CC
    title: str
    pdx_collection: str | None  # None: "No Excl"


@dataclass(slots=True)
class CcExclusions:
    """What Table 6K says, part by part."""

    severity: list[SeverityRow]
    collections: dict[str, list[str]]  # collection number -> principal diagnoses (dotted)
    alive_only: list[str]  # Part 2
    drg_exclusions: list[tuple[str, str, str, str]]  # Part 3: first DRG, last DRG, heading, code


def read_cc_exclusions(stream: TextIO, source: str | None = None) -> CcExclusions:
    """Table 6K, all three parts; every referenced PDX collection must be in the file."""
    found = CcExclusions([], {}, [], [])
    part, collection, heading, referenced = 0, None, None, {}
    for number, line in numbered_lines(stream, source):
        if not line.strip():
            continue
        if match := _PART.match(line):
            part, collection, heading = int(match.group("part")), None, None
        elif part == 1:
            collection = _part_1_line(line, found, collection, referenced, source, number)
        elif part == 2:
            found.alive_only.append(_code_line(line, source, number)[0])
        elif part == 3:
            heading = _part_3_line(line, found, heading, source, number)
    if not found.severity:
        raise bad("no 'K Part 1' list of CC and MCC codes: not Table 6K", source)
    for code, (where, wanted) in referenced.items():
        if wanted not in found.collections:
            raise bad(f"{code} refers to PDX collection {wanted}, which the file lacks", source,
                      where)
    return found


def _part_1_line(line: str, found: CcExclusions, collection: str | None, referenced: dict,
                 source: str | None, number: int) -> str | None:
    """A CC/MCC row, the heading of a PDX collection, or one of its codes; answers the
    collection being read."""
    if match := _PART_1_ROW.match(line):
        code = _dotted(match.group("code"))
        found.severity.append(SeverityRow(code, match.group("level"), match.group("title").strip(),
                                          match.group("collection")))
        if match.group("collection"):
            referenced[code] = (number, match.group("collection"))
        return None
    if match := _COLLECTION.match(line):
        found.collections.setdefault(match.group("collection"), [])
        return match.group("collection")
    if collection is not None:
        found.collections[collection].append(_code_line(line, source, number)[0])
        return collection
    if line.lstrip().upper().startswith("I10 DX") or not line.startswith(" "):
        return None  # the column header and the introduction
    raise bad("expected 'CODE LEVEL nnnn:n codes DESCRIPTION'", source, number)


def _part_3_line(line: str, found: CcExclusions, heading: tuple | None, source: str | None,
                 number: int) -> tuple | None:
    if match := _DRG_HEADING.match(line):
        first = match.group("first")
        return first, match.group("last") or first, match.group("title").strip()
    if heading is None:
        return None  # the part's own title
    code = _code_line(line, source, number)[0]
    found.drg_exclusions.append((heading[0], heading[1], heading[2], code))
    return heading


def _code_line(line: str, source: str | None, number: int) -> tuple[str, str]:
    match = _CODE_LINE.match(line)
    if not match:
        raise bad("expected an indented ICD-10-CM code and its description", source, number)
    return _dotted(match.group("code")), match.group("title").strip()


def _dotted(code: str) -> str:
    code = code.replace(".", "").upper()
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


# -- the release -----------------------------------------------------------------------------


def load(plan: Plan, progress: Progress) -> Loaded:
    weights = plan.one(Kind.MSDRG_WEIGHTS)
    if weights is None:
        raise InvalidInput(f"MS-DRG tables {plan.version}: no Table 5 (relative weights) given")
    loaded = Loaded(ReleaseContent(system=TableSet.MSDRG))
    drgs = _read(read_table_5, weights, plan, progress, loaded)
    mcc = _read(read_severity_list, plan.one(Kind.MSDRG_MCC), plan, progress, loaded)
    cc = _read(read_severity_list, plan.one(Kind.MSDRG_CC), plan, progress, loaded)
    exclusions = _read_exclusions(plan.one(Kind.MSDRG_CC_EXCLUSIONS), plan, progress, loaded)
    severity = _severity_rows(mcc or [], cc or [], exclusions, loaded)

    def tables(connection: sqlite3.Connection) -> dict[str, int]:
        return write_tables(connection, drgs, severity, exclusions)

    loaded.tables = tables
    return loaded


def _read(reader, found: FoundFile | None, plan: Plan, progress: Progress, loaded: Loaded
          ) -> list | None:
    if found is None:
        loaded.notes.append(f"no {_ROLE_NAMES.get(reader, 'table')} given")
        return None
    progress(f"MS-DRG tables {plan.version}: reading {found.path.name}")
    rows = list(read_text_file(reader, found.path, encoding=ENCODING))
    loaded.sources.append(source_file(found.path, found.role))
    return rows


def _read_exclusions(found: FoundFile | None, plan: Plan, progress: Progress, loaded: Loaded
                     ) -> CcExclusions | None:
    if found is None:
        loaded.notes.append("no Table 6K (CC exclusions) given: CC/MCC exclusions are not "
                            "explained")
        return None
    progress(f"MS-DRG tables {plan.version}: reading {found.path.name}")
    exclusions = next(read_text_file(_one_exclusions, found.path, encoding=ENCODING))
    loaded.sources.append(source_file(found.path, found.role))
    return exclusions


def _one_exclusions(stream: TextIO, source: str | None = None) -> Iterator[CcExclusions]:
    yield read_cc_exclusions(stream, source)


_ROLE_NAMES = {read_table_5: "Table 5", read_severity_list: "Table 6I or 6J (MCC or CC list)"}


def _severity_rows(mcc: list[tuple[str, str]], cc: list[tuple[str, str]],
                   exclusions: CcExclusions | None, loaded: Loaded) -> list[SeverityRow]:
    """Table 6I/6J levels with Table 6K's PDX collections; where the tables disagree on a code's
    level, Table 6K (the one the exclusions hang on) wins and a note says how many."""
    rows = {code: SeverityRow(code, MCC, title, None) for code, title in mcc}
    rows.update({code: SeverityRow(code, CC, title, None) for code, title in cc
                 if code not in rows})
    if exclusions is None:
        return list(rows.values())
    differing = 0
    for row in exclusions.severity:
        listed = rows.get(row.code)
        differing += listed is not None and listed.level != row.level
        rows[row.code] = SeverityRow(row.code, row.level, listed.title if listed else row.title,
                                     row.pdx_collection)
    if differing:
        loaded.notes.append(f"{differing} code(s) have another level in Table 6K than in "
                            "Table 6I/6J; Table 6K's is used")
    return list(rows.values())


def write_tables(connection: sqlite3.Connection, drgs: list[DrgRow],
                 severity: list[SeverityRow], exclusions: CcExclusions | None) -> dict[str, int]:
    connection.executescript(SCHEMA)
    connection.executemany(
        "INSERT OR REPLACE INTO msdrg_drgs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((row.drg, row.mdc, row.type, row.title, row.weight, row.weight_before_cap, row.gmlos,
          row.amlos, int(row.post_acute), int(row.special_pay)) for row in drgs))
    connection.executemany("INSERT OR REPLACE INTO msdrg_severity VALUES (?, ?, ?, ?)",
                           ((row.code, row.level, row.title, row.pdx_collection)
                            for row in severity))
    if exclusions is not None:
        connection.executemany("INSERT OR IGNORE INTO msdrg_pdx_collections VALUES (?, ?)",
                               ((number, code) for number, codes in exclusions.collections.items()
                                for code in codes))
        connection.executemany("INSERT OR IGNORE INTO msdrg_alive_only VALUES (?)",
                               ((code,) for code in exclusions.alive_only))
        connection.executemany("INSERT OR IGNORE INTO msdrg_drg_exclusions VALUES (?, ?, ?, ?)",
                               exclusions.drg_exclusions)
    return {table.removeprefix("msdrg_"): connection.execute(
        f"SELECT count(*) FROM {table}").fetchone()[0] for table in _TABLES}


_TABLES = ("msdrg_drgs", "msdrg_severity", "msdrg_pdx_collections", "msdrg_alive_only",
           "msdrg_drg_exclusions")


# -- reading the release back ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DrgExclusion:
    """Table 6K Part 3: in these MS-DRGs the code is not a CC/MCC."""

    first_drg: str
    last_drg: str
    heading: str

    @property
    def drgs(self) -> str:
        return self.first_drg if self.first_drg == self.last_drg else \
            f"{self.first_drg}-{self.last_drg}"


class MsdrgTables:
    """The MS-DRG tables of one installed release. Codes may be given dotted or not; each table
    is read whole on first use (the PDX exclusion lists one at a time), then answered from
    dicts."""

    def __init__(self, artifact: Artifact):
        self.artifact = artifact
        self._collections: dict[str, frozenset[str]] = {}
        self._splits: dict[str, dict[str, str]] = {}
        self._preloaded = False

    @cached_property
    def version(self) -> str:
        return str(self.artifact.meta.get("version"))

    @cached_property
    def drgs(self) -> dict[str, DrgRow]:
        rows = self.artifact.connection.execute(
            "SELECT drg, mdc, type, title, weight, weight_before_cap, gmlos, amlos, post_acute, "
            "special_pay FROM msdrg_drgs ORDER BY drg")
        return {row[0]: DrgRow(*row[:8], bool(row[8]), bool(row[9])) for row in rows}

    def drg(self, number: str | int) -> DrgRow | None:
        """The Table 5 row of an MS-DRG: ``"291"`` (or 291)."""
        found = self.drgs.get(number)
        if found is None and isinstance(number, int):
            found = self.drgs.get(f"{number:03d}")
        return found

    @cached_property
    def _severity(self) -> dict[str, tuple[str, str | None, str | None]]:
        rows = self.artifact.connection.execute(
            "SELECT code, level, title, pdx_collection FROM msdrg_severity")
        return {code.replace(".", ""): (level, title, collection)
                for code, level, title, collection in rows}

    def severity(self, code: str) -> str | None:
        """MCC, CC, or None (not on Table 6I or 6J)."""
        found = self._severity.get(code.replace(".", "").upper())
        return found[0] if found else None

    def cc_title(self, code: str) -> str | None:
        found = self._severity.get(code.replace(".", "").upper())
        return found[1] if found else None

    def pdx_collection(self, code: str) -> str | None:
        """The number of the PDX exclusion list of a CC/MCC (Table 6K Part 1), or None."""
        found = self._severity.get(code.replace(".", "").upper())
        return found[2] if found else None

    def pdx_exclusions(self, collection: str) -> frozenset[str]:
        """The principal diagnoses (undotted) of one PDX exclusion list, read once (all of
        them at once by :meth:`preload`)."""
        codes = self._collections.get(collection)
        if codes is None:
            codes = frozenset() if self._preloaded else frozenset(
                code.replace(".", "") for (code,) in self.artifact.connection.execute(
                    "SELECT code FROM msdrg_pdx_collections WHERE collection = ?", (collection,)))
            self._collections[collection] = codes
        return codes

    def preload(self) -> MsdrgTables:
        """Read every table now, the PDX exclusion lists in one query: the reader is then used
        from several threads, and the release's SQLite connection belongs to this one."""
        if self._preloaded:
            return self
        for table in ("drgs", "_severity", "_alive_only", "_drg_exclusions", "families"):
            getattr(self, table)
        lists: dict[str, list[str]] = {}
        for collection, code in self.artifact.connection.execute(
                "SELECT collection, code FROM msdrg_pdx_collections"):
            lists.setdefault(collection, []).append(code.replace(".", ""))
        for collection, codes in lists.items():
            self._collections.setdefault(collection, frozenset(codes))
        self._preloaded = True
        return self

    def excluded_with_principal(self, code: str, principal: str) -> bool:
        """Whether the CC/MCC ``code`` counts as a non-CC with this principal diagnosis."""
        collection = self.pdx_collection(code)
        return collection is not None and principal.replace(".", "").upper() in \
            self.pdx_exclusions(collection)

    @cached_property
    def _alive_only(self) -> frozenset[str]:
        return frozenset(code.replace(".", "") for (code,) in self.artifact.connection.execute(
            "SELECT code FROM msdrg_alive_only"))

    def alive_only(self, code: str) -> bool:
        """Table 6K Part 2: a CC/MCC only when the patient is discharged alive."""
        return code.replace(".", "").upper() in self._alive_only

    @cached_property
    def _drg_exclusions(self) -> dict[str, dict[str, DrgExclusion]]:
        by_drg: dict[str, dict[str, DrgExclusion]] = {}
        rows = self.artifact.connection.execute(
            "SELECT first_drg, last_drg, heading, code FROM msdrg_drg_exclusions")
        for first, last, heading, code in rows:
            exclusion = DrgExclusion(first, last, heading)
            for number in range(int(first), int(last) + 1):
                by_drg.setdefault(f"{number:03d}", {})[code.replace(".", "")] = exclusion
        return by_drg

    def drg_exclusions(self, drg: str) -> dict[str, DrgExclusion]:
        """Table 6K Part 3 for one DRG: undotted code -> the section that takes its severity."""
        return self._drg_exclusions.get(drg, {})

    def drg_exclusion(self, drg: str, code: str) -> DrgExclusion | None:
        """Table 6K Part 3: the section that takes ``code``'s severity away in ``drg``."""
        return self._drg_exclusions.get(drg, {}).get(code.replace(".", "").upper())

    @cached_property
    def families(self) -> dict[str, tuple[str, ...]]:
        """Each MS-DRG -> the DRGs of its family (same base, other severity levels)."""
        return drg_families(list(self.drgs.values()))

    def family(self, drg: str) -> tuple[str, ...]:
        return self.families.get(drg, (drg,))

    def split(self, drg: str) -> dict[str, str]:
        """The member of ``drg``'s family that each severity level (NONE, CC, MCC) groups to;
        empty for a DRG without a CC/MCC split."""
        found = self._splits.get(drg)
        if found is None:
            found = self._splits[drg] = family_split(self.family(drg), self.drgs)
        return found


# -- families: the same base DRG at other severity levels ------------------------------------

_SEVERITY_PHRASE = re.compile(r"\b(WITH MCC|WITH CC/MCC|WITH CC|WITHOUT CC/MCC|WITHOUT MCC)\b")
SPLIT_LEVELS = {"WITH MCC": frozenset({"MCC"}), "WITH CC/MCC": frozenset({"MCC", "CC"}),
                "WITH CC": frozenset({"CC"}), "WITHOUT CC/MCC": frozenset({"NONE"}),
                "WITHOUT MCC": frozenset({"CC", "NONE"})}
"""The secondary-diagnosis severities each member of a family takes, by its title's phrase."""


def severity_phrase(title: str) -> tuple[str, str] | None:
    """``(stem, phrase)`` of a Table 5 title split on its CC/MCC phrase, or None."""
    match = _SEVERITY_PHRASE.search(title.upper())
    if match is None:
        return None
    return title[:match.start()].rstrip(" ,").upper(), match.group(1)


def drg_families(rows: list[DrgRow]) -> dict[str, tuple[str, ...]]:
    """Consecutive MS-DRGs of one MDC and type whose titles differ only by their CC/MCC phrase
    form a family (``291-293 HEART FAILURE AND SHOCK WITH MCC / WITH CC / WITHOUT CC/MCC``)."""
    families: dict[str, tuple[str, ...]] = {}
    run: list[DrgRow] = []
    for row in rows:
        if run and not _joins(run, row):
            families.update(_members(run))
            run = []
        run.append(row)
    families.update(_members(run))
    return families


def family_split(family: tuple[str, ...], drgs: dict[str, DrgRow]) -> dict[str, str]:
    """Severity level -> the family member titled for it (``WITHOUT MCC`` takes CC and NONE)."""
    split: dict[str, str] = {}
    for drg in family:
        phrase = severity_phrase(drgs[drg].title) if drg in drgs else None
        for level in SPLIT_LEVELS[phrase[1]] if phrase else ():
            split.setdefault(level, drg)
    return split


def _members(run: list[DrgRow]) -> dict[str, tuple[str, ...]]:
    members = tuple(row.drg for row in run)
    return {drg: members for drg in members}


def _joins(run: list[DrgRow], row: DrgRow) -> bool:
    """Whether ``row`` continues the family ``run``: the next number, the same MDC, type and
    stem, and a severity phrase the family does not have yet."""
    previous = run[-1]
    now, before = severity_phrase(row.title), severity_phrase(previous.title)
    if now is None or before is None or now[0] != before[0]:
        return False
    phrases = {severity_phrase(member.title)[1] for member in run}
    return (int(row.drg) == int(previous.drg) + 1 and row.mdc == previous.mdc
            and row.type == previous.type and now[1] not in phrases)

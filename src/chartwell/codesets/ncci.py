"""The NCCI edit tables: procedure-to-procedure (PTP) edits for practitioner and hospital
outpatient claims, and the add-on code (AOC) edits. Published quarterly by CMS (Medicare NCCI;
the PTP files' version names the quarter: ``ccipra-v302r0-f1.txt`` is version 30.2, 2024Q3).

Two layouts of the PTP tables are read:

* **CMS**: ``ccipra-vNNNrN-fN.txt`` (practitioner) and ``ccioph-vNNNrN-fN.txt`` (hospital
  outpatient), each table split over files f1-f4 (or the zips holding them). Tab-delimited; a
  notice and a heading several lines deep come first (``Column 1``, ``Column 2``, ``*=in
  existence prior to 1996``, ``Effective Date``, ``Deletion Date`` with ``*=no data``,
  ``Modifier`` 0/1/9, ``PTP Edit Rationale``); dates are ``YYYYMMDD``. The rows start at the first
  line that begins with two codes.
* **Re-formatted copy** (``ncci_ptp_prac.csv``, ``ncci_ptp_out.csv``: ``hcpcs_code`` = column 1,
  ``ptp_complement`` = column 2, ``ptp_deleted`` with ``9999-12-31`` for an edit still in force,
  ``ptp_mod``, ``ptp_rationale``). It has no effective date: an edit is taken as in force from
  the start up to its deletion date, and the release's notes say so.

The add-on code edits come as the re-formatted ``ncci_aoc.csv`` (``primary_code``,
``add_on_code``, ``aoc_edit_type``; ``CCCCC`` as primary code: the contractor's own list).

A deletion date is the last date of service the edit applies to: CMS deletes edits at the end of
a quarter (``20191231``, the replacement row taking effect ``20200101``); an edit deleted
retroactively carries its effective date as deletion date and modifier indicator 9.

**Storage.** 2.5 million practitioner and 1.8 million outpatient rows are kept as one compressed
record per table and column 1 code (its column 2 codes, dates, modifier indicators and
rationales, column by column): a 15 MB artifact for both tables. :class:`NcciTables` unpacks
a column 1 code's record the first time the code is asked about and keeps it, so that after the
first use each look-up is a few dictionary probes (one per direction the two codes may be listed
in). A record is kept as its line of column 2 codes, searched as text, until it is asked about
often enough to be worth a set; a process that asks about hundreds of codes reads a table's
packed records whole, in one query.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import sqlite3
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from operator import itemgetter
from pathlib import Path
from typing import TextIO

from chartwell.codesets._files import bad, decompression_errors, numbered_lines, open_text
from chartwell.codesets.artifact import Artifact, ReleaseContent
from chartwell.codesets.build import Loaded, Progress, TableWriter, source_file
from chartwell.codesets.install import FoundFile, Kind, Plan
from chartwell.codesets.model import TableSet
from chartwell.domain.coded import Setting
from chartwell.errors import InvalidInput, Position, UnreadableInput

PRACTITIONER = "practitioner"
OUTPATIENT = "outpatient"
PTP_TABLE_NAMES = {PRACTITIONER: "practitioner", OUTPATIENT: "hospital outpatient"}
PTP_TABLE_OF: dict[str, str] = {Setting.PROFESSIONAL: PRACTITIONER, Setting.OUTPATIENT: OUTPATIENT,
                                PRACTITIONER: PRACTITIONER, OUTPATIENT: OUTPATIENT}
"""The PTP table a claim is edited with: practitioner for a professional claim (837P), hospital
outpatient for an outpatient hospital claim (837I); the table names themselves are accepted."""

MODIFIER_INDICATORS = {"0": "not allowed", "1": "allowed", "9": "not applicable"}
AOC_EDIT_TYPES = {
    1: "type 1: paid only with one of the primary codes CMS lists",
    2: "type 2: CMS lists no primary codes; each contractor (MAC) defines them",
    3: "type 3: CMS lists some primary codes; the contractor (MAC) may accept others",
}
ANY_PRIMARY = "CCCCC"  # the AOC file's "primary code" of a type 2 (or open type 3) add-on code

PtpRow = tuple[str, str, str, str, str, str]
"""A PTP row as read: column 1, column 2, effective date, deletion date (ISO dates, ``""`` when
the layout has none or the edit is not deleted), modifier indicator, rationale."""

_CODE = re.compile(r"[0-9A-Z]{5}")
_ROW_START = re.compile(r"[0-9A-Z]{5}\t[0-9A-Z]{5}\t")
_PTP_MEMBER = re.compile(r"(^|/)cci(pra|oph)-v\d{2,3}r\d+-f\d\.txt$", re.IGNORECASE)
PTP_CMS_FIELDS = ("Column 1", "Column 2", "*=in existence prior to 1996", "Effective Date",
                  "Deletion Date", "Modifier", "PTP Edit Rationale")
PTP_CSV_HEADER = ("hcpcs_code", "ptp_complement", "ptp_deleted", "ptp_mod", "ptp_rationale")
AOC_CSV_HEADER = ("primary_code", "add_on_code", "aoc_edit_type")
STILL_IN_FORCE = "9999-12-31"  # the re-formatted copy's deletion date of an edit not deleted

SCHEMA = """
CREATE TABLE ncci_ptp (
    id INTEGER PRIMARY KEY, ptp_table TEXT NOT NULL, column_1 TEXT NOT NULL,
    edits INTEGER NOT NULL, packed BLOB NOT NULL
);
CREATE TABLE ncci_rationales (id INTEGER PRIMARY KEY, rationale TEXT NOT NULL UNIQUE);
CREATE TABLE ncci_aoc (
    add_on_code TEXT NOT NULL, primary_code TEXT NOT NULL, edit_type INTEGER NOT NULL,
    PRIMARY KEY (add_on_code, primary_code)
) WITHOUT ROWID;
"""
INDEXES = "CREATE UNIQUE INDEX ncci_ptp_column_1 ON ncci_ptp (ptp_table, column_1);"


# -- reading the files ---------------------------------------------------------------------


class FieldChecks:
    """Field checks that remember the values already seen: the tables repeat a few thousand
    codes and a few hundred dates millions of times, so each distinct value is checked once
    (and one string object is kept for all its rows)."""

    def __init__(self, source: str | None):
        self.source = source
        self.codes: dict[str, str] = {}
        self.dates: dict[str, str] = {}
        self.texts: dict[str, str] = {}

    def code(self, value: str, line: int, field: str) -> str:
        known = self.codes.get(value)
        if known is None:
            if not _CODE.fullmatch(value):
                raise bad(f"{value!r} is not a HCPCS/CPT code (5 letters or digits)",
                          self.source, line, field)
            known = self.codes[value] = value
        return known

    def date(self, value: str, line: int, field: str) -> str:
        """``YYYYMMDD`` (CMS) or ``YYYY-MM-DD`` (re-formatted copies) as an ISO date."""
        known = self.dates.get(value)
        if known is None:
            digits = value.replace("-", "") if len(value) == 10 else value
            try:
                if len(digits) != 8 or not digits.isdigit():
                    raise ValueError
                known = date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
            except ValueError:
                raise bad(f"{value!r} is not a date (YYYYMMDD or YYYY-MM-DD)", self.source,
                          line, field) from None
            self.dates[value] = known
        return known

    def modifier_indicator(self, value: str, line: int, field: str) -> str:
        if value not in MODIFIER_INDICATORS:
            raise bad(f"modifier indicator {value!r}: expected 0, 1 or 9", self.source, line,
                      field)
        return value

    def text(self, value: str) -> str:
        return self.texts.setdefault(value, value)


def read_ptp_cms(stream: TextIO, source: str | None = None) -> Iterator[PtpRow]:
    """The rows of a CMS PTP file (``ccipra``/``ccioph``, tab-delimited): the notice and the
    heading above the first row are skipped; after it, a line that is not a row names its
    number. (Millions of rows: a row whose fields are all values already checked is taken
    as it is; any other goes through every check.)"""
    checks = FieldChecks(source)
    codes, dates, texts = checks.codes, checks.dates, checks.texts
    started = False
    for number, line in numbered_lines(stream, source):
        if not started:
            if not _ROW_START.match(line):
                continue  # the notice and the heading (several lines deep)
            started = True
        cells = line.split("\t")
        if len(cells) == 7:
            column_1, column_2, _before_1996, effective, deleted, modifier, rationale = cells
            row = (codes.get(column_1), codes.get(column_2), dates.get(effective),
                   "" if deleted == "*" else dates.get(deleted),
                   modifier if modifier in MODIFIER_INDICATORS else None, texts.get(rationale))
            if None not in row:
                yield row
                continue
        if line.strip():
            yield _ptp_cms_row(line, number, checks)
    if not started:
        raise bad("no PTP edit rows: expected lines of column 1 and column 2 codes, dates, "
                  "modifier indicator and rationale separated by tabs", source)


def _ptp_cms_row(line: str, number: int, checks: FieldChecks) -> PtpRow:
    cells = [cell.strip() for cell in line.split("\t")]
    if len(cells) < 7 or any(cells[7:]):
        raise bad(f"expected 7 fields separated by tabs ({', '.join(PTP_CMS_FIELDS)}), found "
                  f"{len(cells)}", checks.source, number)
    column_1, column_2, _before_1996, effective, deleted, modifier, rationale = cells[:7]
    return (checks.code(column_1, number, "Column 1"), checks.code(column_2, number, "Column 2"),
            checks.date(effective, number, "Effective Date"),
            "" if deleted in ("*", "") else checks.date(deleted, number, "Deletion Date"),
            checks.modifier_indicator(modifier, number, "Modifier"), checks.text(rationale))


def read_ptp_csv(stream: TextIO, source: str | None = None) -> Iterator[PtpRow]:
    """The rows of a re-formatted PTP copy (``ncci_ptp_prac.csv``): no effective date; a
    deletion date of 9999-12-31 means the edit is still in force.

    Millions of rows: each field is first looked up among the values already checked (the
    check itself runs once per distinct value), and the line number is asked of the CSV reader
    only when a check fails."""
    checks = FieldChecks(source)
    codes, dates, texts = checks.codes, checks.dates, checks.texts
    dates[STILL_IN_FORCE] = ""
    reader = csv.reader(stream)
    with csv_errors(reader, source):
        expect_header(next(reader, None), PTP_CSV_HEADER, source)
        for cells in reader:
            if len(cells) != len(PTP_CSV_HEADER):
                if not any(cells):
                    continue
                raise bad(f"expected {len(PTP_CSV_HEADER)} fields "
                          f"({', '.join(PTP_CSV_HEADER)}), found {len(cells)}", source,
                          reader.line_num)
            column_1, column_2, deleted, modifier, rationale = cells
            deletion = dates.get(deleted)
            if deletion is None:
                deletion = checks.date(deleted, reader.line_num, "ptp_deleted")
            if modifier not in MODIFIER_INDICATORS:
                checks.modifier_indicator(modifier, reader.line_num, "ptp_mod")
            yield (codes.get(column_1) or checks.code(column_1, reader.line_num, "hcpcs_code"),
                   codes.get(column_2) or checks.code(column_2, reader.line_num,
                                                      "ptp_complement"),
                   "", deletion, modifier, texts.get(rationale) or checks.text(rationale))


def read_aoc_csv(stream: TextIO, source: str | None = None) -> Iterator[tuple[str, str, int]]:
    """``(add-on code, primary code, edit type)`` of the re-formatted AOC file; the primary code
    ``CCCCC`` stands for the contractor's own list."""
    checks = FieldChecks(source)
    reader = csv.reader(stream)
    with csv_errors(reader, source):
        expect_header(next(reader, None), AOC_CSV_HEADER, source)
        for cells in reader:
            if len(cells) != len(AOC_CSV_HEADER):
                if not any(cells):
                    continue
                raise bad(f"expected {len(AOC_CSV_HEADER)} fields "
                          f"({', '.join(AOC_CSV_HEADER)}), found {len(cells)}", source,
                          reader.line_num)
            primary, add_on, edit_type = (cell.strip() for cell in cells)
            if edit_type not in ("1", "2", "3"):
                raise bad(f"AOC edit type {edit_type!r}: expected 1, 2 or 3", source,
                          reader.line_num, "aoc_edit_type")
            yield (checks.code(add_on, reader.line_num, "add_on_code"),
                   checks.code(primary, reader.line_num, "primary_code"), int(edit_type))


@contextmanager
def csv_errors(reader, source: str | None) -> Iterator[None]:
    """Malformed CSV and undecodable bytes name their line (as ``_files.csv_rows`` does, for a
    reader used directly)."""
    try:
        yield
    except csv.Error as error:
        raise bad(f"not valid CSV ({error})", source, reader.line_num) from None
    except UnicodeDecodeError as error:
        raise bad(f"not UTF-8 text at or after this line ({error.reason})", source,
                  reader.line_num + 1) from None


def expect_header(cells: list[str] | None, header: tuple[str, ...], source: str | None) -> None:
    """A re-formatted copy's first line must name its columns as expected."""
    if cells is None:
        raise bad("the file is empty", source)
    found = tuple(cell.strip().lstrip("\ufeff").lower() for cell in cells)
    if found != header:
        raise bad(f"expected the header {','.join(header)}, found {','.join(found)}", source, 1)


@contextmanager
def open_cms_text(path: Path, member: re.Pattern[str]) -> Iterator[tuple[TextIO, str]]:
    """A CMS edit file as text: on disk (or its ``.xz`` copy) or the one member of the zip CMS
    ships it in that matches ``member``. Read as Latin-1: the rows are plain ASCII, and the
    notice above them has been CP1252 in some releases and UTF-8 in others, which must not stop
    the load. Yields the stream and the name errors use (``zip path!member`` for a member)."""
    if not path.name.lower().endswith(".zip"):
        with open_text(path, encoding="latin-1") as stream, decompression_errors(str(path)):
            yield stream, str(path)
        return
    try:
        archive = zipfile.ZipFile(path)
    except OSError as error:
        raise UnreadableInput(f"cannot open ({error.strerror or error})",
                              Position(file=str(path))) from None
    except zipfile.BadZipFile as error:
        raise bad(f"not a zip file ({error})", str(path)) from None
    with archive:
        names = [name for name in archive.namelist() if member.search(name)]
        if len(names) != 1:
            raise bad(f"expected one member matching {member.pattern}, found "
                      f"{', '.join(names) or 'none'}", str(path))
        name = f"{path}!{names[0]}"
        with io.TextIOWrapper(archive.open(names[0]), encoding="latin-1", newline="") as stream:
            try:
                yield stream, name
            except (zipfile.BadZipFile, EOFError, zlib.error) as error:
                raise bad(f"the zip member is corrupt or truncated ({error})", name) from None


def read_ptp_file(found: FoundFile) -> Iterator[PtpRow]:
    """The rows of one PTP file of the plan, whichever layout it is in."""
    if found.kind in (Kind.NCCI_PTP_PRACTITIONER, Kind.NCCI_PTP_OUTPATIENT):
        with open_cms_text(found.path, _PTP_MEMBER) as (stream, name):
            yield from read_ptp_cms(stream, name)
        return
    with open_text(found.path) as stream, decompression_errors(str(found.path)):
        yield from read_ptp_csv(stream, str(found.path))


def read_aoc_file(path: Path) -> Iterator[tuple[str, str, int]]:
    with open_text(path) as stream, decompression_errors(str(path)):
        yield from read_aoc_csv(stream, str(path))


# -- packing a table -----------------------------------------------------------------------


class Rationales:
    """The PTP edit rationales (a dozen texts) numbered as they are first met."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def id_of(self, rationale: str) -> str:
        number = self.ids.get(rationale)
        if number is None:
            number = self.ids[rationale] = str(len(self.ids) + 1)
        return number

    def rows(self) -> list[tuple[int, str]]:
        return [(int(number), text) for text, number in self.ids.items()]


def group_by_column_1(rows: Iterable[PtpRow]) -> dict[str, list[PtpRow]]:
    """The rows of each column 1 code (the files are sorted by it, so each run is added whole;
    a code met again later is merged)."""
    groups: dict[str, list[PtpRow]] = {}
    for column_1, run in itertools.groupby(rows, key=itemgetter(0)):
        groups.setdefault(column_1, []).extend(run)
    return groups


def pack_column_1(rows: list[PtpRow], rationales: Rationales) -> bytes:
    """One column 1 code's rows as five lines (column 2 codes, effective dates, deletion dates,
    modifier indicators, rationale numbers), sorted by column 2, compressed."""
    rows.sort(key=itemgetter(1, 2, 3))
    for rationale in {row[5] for row in rows}:
        rationales.id_of(rationale)
    ids = rationales.ids
    text = "\n".join((",".join([row[1] for row in rows]), ",".join([row[2] for row in rows]),
                      ",".join([row[3] for row in rows]), "".join([row[4] for row in rows]),
                      ",".join([ids[row[5]] for row in rows])))
    return zlib.compress(text.encode("ascii"), 6)


def pack_table(table: str, rows: Iterable[PtpRow], rationales: Rationales
               ) -> list[tuple[str, str, int, bytes]]:
    """``(table, column 1, number of rows, packed record)`` per column 1 code."""
    return [(table, column_1, len(group), pack_column_1(group, rationales))
            for column_1, group in sorted(group_by_column_1(rows).items())]


# -- the release ---------------------------------------------------------------------------

_PTP_KINDS = {PRACTITIONER: (Kind.NCCI_PTP_PRACTITIONER, Kind.NCCI_PTP_PRACTITIONER_CSV),
              OUTPATIENT: (Kind.NCCI_PTP_OUTPATIENT, Kind.NCCI_PTP_OUTPATIENT_CSV)}


def load(plan: Plan, progress: Progress) -> Loaded:
    """Read the plan's PTP tables (the CMS layout preferred to a re-formatted copy of the same
    table) and AOC file; the writer stores them packed (see the module notes)."""
    loaded = Loaded(ReleaseContent(system=TableSet.NCCI))
    rationales = Rationales()
    packed: list[tuple[str, str, int, bytes]] = []
    for table, (cms_kind, csv_kind) in _PTP_KINDS.items():
        files = _ptp_files(plan, table, cms_kind, csv_kind, loaded)
        if files:
            progress(f"NCCI {plan.version}: reading the {PTP_TABLE_NAMES[table]} PTP edits "
                     f"({', '.join(found.path.name for found in files)})")
            rows = itertools.chain.from_iterable(read_ptp_file(found) for found in files)
            packed += pack_table(table, rows, rationales)
            loaded.sources += [source_file(found.path, found.role) for found in files]
    add_ons: list[tuple[str, str, int]] = []
    if found := plan.one(Kind.NCCI_AOC_CSV):
        progress(f"NCCI {plan.version}: reading {found.path.name}")
        add_ons = _unique_add_ons(read_aoc_file(found.path), found.path)
        loaded.sources.append(source_file(found.path, found.role))
    else:
        loaded.notes.append("no add-on code edit file given: add-on codes are not checked")
    if not packed and not add_ons:
        raise InvalidInput(f"NCCI {plan.version}: no PTP or add-on code edits given")
    loaded.tables = _writer(packed, rationales, add_ons)
    return loaded


def _ptp_files(plan: Plan, table: str, cms_kind: str, csv_kind: str, loaded: Loaded
               ) -> list[FoundFile]:
    name = PTP_TABLE_NAMES[table]
    cms, copies = plan.files.get(cms_kind, []), plan.files.get(csv_kind, [])
    if cms and copies:
        loaded.notes.append(f"{', '.join(found.path.name for found in copies)} not used: the "
                            f"{name} PTP table was given in the CMS layout")
    elif copies:
        loaded.notes.append(f"{name} PTP edits from a re-formatted copy without effective "
                            "dates: each edit is taken as in force up to its deletion date")
    elif not cms:
        loaded.notes.append(f"no {name} PTP table given: {name} claims are not PTP-edited with "
                            "this release")
    return sorted(cms or copies, key=lambda found: found.path.name)


def _unique_add_ons(rows: Iterator[tuple[str, str, int]], path: Path
                    ) -> list[tuple[str, str, int]]:
    """The AOC pairs; an add-on code has one edit type, whichever primary code it is listed
    with."""
    types: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    for add_on, primary, edit_type in rows:
        if types.setdefault(add_on, edit_type) != edit_type:
            raise InvalidInput(f"add-on code {add_on} is listed as type {types[add_on]} and "
                               f"as type {edit_type}", Position(file=str(path), field=add_on))
        pairs[(add_on, primary)] = edit_type
    return [(add_on, primary, edit_type) for (add_on, primary), edit_type in pairs.items()]


def _writer(packed: list[tuple[str, str, int, bytes]], rationales: Rationales,
            add_ons: list[tuple[str, str, int]]) -> TableWriter:
    def tables(connection: sqlite3.Connection) -> dict[str, int]:
        connection.executescript(SCHEMA)
        connection.executemany("INSERT INTO ncci_ptp (ptp_table, column_1, edits, packed) "
                               "VALUES (?, ?, ?, ?)", packed)
        connection.executemany("INSERT INTO ncci_rationales VALUES (?, ?)", rationales.rows())
        connection.executemany("INSERT INTO ncci_aoc VALUES (?, ?, ?)", add_ons)
        connection.executescript(INDEXES)
        counts = {f"ptp_{table}_edits": 0 for table in {row[0] for row in packed}}
        for table, _column_1, edits, _record in packed:
            counts[f"ptp_{table}_edits"] += edits
        counts["aoc_pairs"] = len(add_ons)
        counts["aoc_add_on_codes"] = len({add_on for add_on, _primary, _type in add_ons})
        return counts

    return tables


# -- reading an installed release ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PtpEdit:
    """One row of a PTP table: the column 2 code is not paid with the column 1 code on the same
    date of service, unless the modifier indicator allows an NCCI-associated modifier."""

    column_1: str
    column_2: str
    effective_date: date | None  # None in the re-formatted copy
    deletion_date: date | None  # None while the edit is in force
    modifier_indicator: int  # 0 not allowed, 1 allowed, 9 not applicable
    rationale: str
    table: str  # practitioner | outpatient

    def in_force(self, on: date) -> bool:
        """In force on a date of service: on or after the effective date, on or before the
        deletion date (the last date it applies to)."""
        return ((self.effective_date is None or self.effective_date <= on)
                and (self.deletion_date is None or on <= self.deletion_date))

    def describe(self, version: str) -> str:
        """The table row, as a finding's source names it."""
        text = (f"NCCI PTP {PTP_TABLE_NAMES[self.table]} {version}, column 1 {self.column_1} / "
                f"column 2 {self.column_2}, modifier indicator {self.modifier_indicator}")
        if self.effective_date:
            text += f", effective {self.effective_date.isoformat()}"
        if self.deletion_date:
            text += f", deletion date {self.deletion_date.isoformat()}"
        return text


_RESTRICTIVENESS = {0: 0, 1: 1, 9: 2}  # of two rows in force, the one that bypasses least wins


@dataclass(frozen=True, slots=True)
class AddOnCode:
    """An add-on code of the AOC file: its edit type and the primary codes CMS lists."""

    code: str
    edit_type: int  # 1, 2 or 3 (AOC_EDIT_TYPES)
    primary_codes: frozenset[str]
    contractor_primaries: bool  # listed with CCCCC: the contractor's own primary codes count

    @property
    def meaning(self) -> str:
        return AOC_EDIT_TYPES[self.edit_type]


class _Column1Edits:
    """A column 1 code's packed record, unpacked: column 2 code -> its rows. Unpacking keeps
    only the line of column 2 codes (five characters each, comma-separated, sorted): a code is
    looked for in it as text, and only a record asked about again and again is split into a
    frozenset (most records are asked once or twice whether a claim's other codes are there;
    splitting every record read is seconds over a large file). The rows of a pair are parsed on
    the first edit asked about, and kept."""

    __slots__ = ("column_1", "table", "_line", "_codes", "_probes", "_packed", "_parsed",
                 "_rationales")

    def __init__(self, column_1: str, table: str, packed: bytes, rationales: dict[str, str],
                 edits: int | None = None):
        self.column_1, self.table, self._rationales = column_1, table, rationales
        self._packed = packed
        self._line = _column_2_line(packed, edits)
        self._codes: frozenset[str] | None = None
        self._probes = 0
        self._parsed: dict[str, tuple[PtpEdit, ...]] = {}

    @property
    def column_2_codes(self) -> frozenset[str]:
        """Every column 2 code of the record."""
        if self._codes is None:
            self._codes = frozenset(self._line.split(","))
        return self._codes

    def among(self, codes: Collection[str]) -> list[str]:
        """Those of ``codes`` the record lists as column 2 (in their order)."""
        found = self._codes
        if found is None:
            self._probes += 1
            if self._probes <= _SEARCHED:
                line = self._line  # _searchable(code), written out: asked per code per claim
                return [code for code in codes
                        if len(code) == 5 and "," not in code and code in line]
            found = self.column_2_codes
        if found.isdisjoint(codes):
            return []
        return [code for code in codes if code in found]

    def get(self, column_2: str) -> tuple[PtpEdit, ...]:
        listed = (column_2 in self._codes if self._codes is not None
                  else _searchable(column_2) and column_2 in self._line)
        if not listed:
            return ()
        parsed = self._parsed.get(column_2)
        if parsed is None:
            parsed = self._parsed[column_2] = self._parse(column_2)
        return parsed

    def _parse(self, column_2: str) -> tuple[PtpEdit, ...]:
        codes, effective, deleted, modifiers, reasons = _fields_of(self._packed)
        edits, position = [], codes.index(column_2)  # its rows are adjacent (sorted by column 2)
        while position < len(codes) and codes[position] == column_2:
            edits.append(PtpEdit(self.column_1, column_2, _date(effective[position]),
                                 _date(deleted[position]), int(modifiers[position]),
                                 self._rationales[reasons[position]], self.table))
            position += 1
        return tuple(edits)


_READ_ONE_BY_ONE = 256  # column 1 codes of a table read by a query each before it is read whole
_SEARCHED = 8  # probes of a record answered by searching its line before it is split


def _searchable(code: str) -> bool:
    """Whether ``code in line`` answers exactly for the line of column 2 codes: five
    characters and no comma can only match one whole code of the line (each window of five
    across two codes holds the comma between them)."""
    return len(code) == 5 and "," not in code


def _column_2_line(packed: bytes, edits: int | None) -> str:
    """The first line of a packed record (its column 2 codes), decompressing no further than
    it where the row count says how long it is (codes of five characters and their commas):
    the dates and rationales below it are wanted only for the few pairs found on a claim."""
    if edits:
        head = zlib.decompressobj().decompress(packed, 6 * edits)
        if head.endswith(b"\n"):
            return head[:-1].decode("ascii")
    text = zlib.decompress(packed).decode("ascii")
    return text[:text.index("\n")]


def _fields_of(packed: bytes) -> tuple[list[str], list[str], list[str], str, list[str]]:
    """A packed record's five fields (see :func:`pack_column_1`)."""
    codes, effective, deleted, modifiers, reasons = (
        zlib.decompress(packed).decode("ascii").split("\n"))
    return (codes.split(","), effective.split(","), deleted.split(","), modifiers,
            reasons.split(","))


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


class _NoEdits:
    """The record of a code that is column 1 of no edit."""

    __slots__ = ()
    column_2_codes: frozenset[str] = frozenset()

    def among(self, codes: Collection[str]) -> list[str]:
        return []

    def get(self, column_2: str) -> tuple[PtpEdit, ...]:
        return ()


NO_EDITS = _NoEdits()


class NcciTables:
    """The PTP and add-on code edits of one installed NCCI release. Opening is free; a column 1
    code's edits are read from the artifact the first time it is asked about and kept (one
    reader per release per process)."""

    def __init__(self, artifact: Artifact):
        self.artifact = artifact
        self._loaded: dict[str, dict[str, _Column1Edits | _NoEdits]] = {PRACTITIONER: {},
                                                                         OUTPATIENT: {}}
        self._packed: dict[str, dict[str, tuple[bytes, int]]] = {}  # table -> every record

    @cached_property
    def version(self) -> str:
        return str(self.artifact.meta.get("version", ""))

    @cached_property
    def ptp_tables(self) -> frozenset[str]:
        """The PTP tables this release holds (practitioner, outpatient)."""
        return frozenset(table for (table,) in self.artifact.connection.execute(
            "SELECT DISTINCT ptp_table FROM ncci_ptp"))

    def has_ptp(self, setting: str) -> bool:
        return ptp_table(setting) in self.ptp_tables

    def ptp(self, code_a: str, code_b: str, setting: str, on: date | None = None
            ) -> PtpEdit | None:
        """The edit between two codes in whichever direction they are listed, in force on
        ``on`` (without a date: the edit not deleted), or None. When several rows are in force
        the most restrictive modifier indicator wins (0, then 1, then 9)."""
        table = PTP_TABLE_OF.get(setting) or ptp_table(setting)
        records = self._loaded[table]
        forward = (records.get(code_a) or self._read(table, code_a)).get(code_b)
        backward = (records.get(code_b) or self._read(table, code_b)).get(code_a)
        if not forward and not backward:
            return None  # the usual answer: two probes of dictionaries in memory
        if on is None:
            candidates = [edit for edit in forward + backward if edit.deletion_date is None]
        else:
            candidates = [edit for edit in forward + backward if edit.in_force(on)]
        if not candidates:
            return None
        return min(candidates, key=lambda edit: _RESTRICTIVENESS[edit.modifier_indicator])

    def ptp_among(self, codes: Collection[str], setting: str, on: date) -> list[PtpEdit]:
        """The edits in force on ``on`` between any two of ``codes`` (the codes of one date of
        service), one per pair, as :meth:`ptp` answers it. Each code's record is fetched once
        and the pairs are probed in it, so a claim of n codes costs n look-ups, not n*(n-1)."""
        table = PTP_TABLE_OF.get(setting) or ptp_table(setting)
        records = self._loaded[table]
        found: list[PtpEdit] = []
        paired: set[frozenset[str]] | None = None
        for code in codes:
            for other in (records.get(code) or self._read(table, code)).among(codes):
                if other != code:
                    pair = frozenset((code, other))
                    if paired is None:
                        paired = set()
                    elif pair in paired:
                        continue
                    paired.add(pair)
                    edit = self.ptp(code, other, setting, on)
                    if edit is not None:
                        found.append(edit)
        return found

    def ptp_edits(self, code_a: str, code_b: str, setting: str) -> tuple[PtpEdit, ...]:
        """Every row between two codes, in both directions, in force or not."""
        table = ptp_table(setting)
        records = self._loaded[table]
        return ((records.get(code_a) or self._read(table, code_a)).get(code_b)
                + (records.get(code_b) or self._read(table, code_b)).get(code_a))

    def records(self, setting: str) -> Callable[[str], _Column1Edits | _NoEdits]:
        """A reader of column 1 codes' records in the PTP table of ``setting`` (what a code is
        column 1 of, read once and kept), for callers that probe many codes of one table."""
        table = PTP_TABLE_OF.get(setting) or ptp_table(setting)
        loaded, read = self._loaded[table], self._read

        def record(code: str) -> _Column1Edits | _NoEdits:
            return loaded.get(code) or read(table, code)

        return record

    def _read(self, table: str, column_1: str) -> _Column1Edits | _NoEdits:
        """A column 1 code's record, read from the artifact and kept (or kept as absent). The
        first few hundred codes asked about are read one by one (a claim or two pays for its
        own codes); past that the table's packed records are read whole, in one query (a few
        tens of milliseconds and a few MB, against a query per code for a file of claims)."""
        packed = self._packed.get(table)
        if packed is not None:
            row = packed.get(column_1)
        elif len(self._loaded[table]) >= _READ_ONE_BY_ONE:
            packed = self._packed[table] = {
                code: (record, edits) for code, record, edits in self.artifact.connection.execute(
                    "SELECT column_1, packed, edits FROM ncci_ptp WHERE ptp_table = ?", (table,))}
            row = packed.get(column_1)
        else:
            row = self.artifact.connection.execute(
                "SELECT packed, edits FROM ncci_ptp WHERE ptp_table = ? AND column_1 = ?",
                (table, column_1)).fetchone()
        record = NO_EDITS if row is None else _Column1Edits(column_1, table, row[0],
                                                            self._rationales, row[1])
        self._loaded[table][column_1] = record
        return record

    @cached_property
    def _rationales(self) -> dict[str, str]:
        return {str(number): text for number, text in self.artifact.connection.execute(
            "SELECT id, rationale FROM ncci_rationales")}

    # -- add-on codes --

    @cached_property
    def add_on_codes(self) -> dict[str, AddOnCode]:
        """Every add-on code of the release (several hundred; read whole on first use)."""
        primaries: dict[str, set[str]] = {}
        types: dict[str, int] = {}
        for add_on, primary, edit_type in self.artifact.connection.execute(
                "SELECT add_on_code, primary_code, edit_type FROM ncci_aoc"):
            primaries.setdefault(add_on, set()).add(primary)
            types[add_on] = edit_type
        return {code: AddOnCode(code, types[code], frozenset(codes - {ANY_PRIMARY}),
                                ANY_PRIMARY in codes) for code, codes in primaries.items()}

    @property
    def has_aoc(self) -> bool:
        return bool(self.add_on_codes)

    def add_on(self, code: str) -> AddOnCode | None:
        return self.add_on_codes.get(code)


def ptp_table(setting: str) -> str:
    """The PTP table of a claim's setting (or a table named directly)."""
    try:
        return PTP_TABLE_OF[setting]
    except KeyError:
        raise ValueError(f"no NCCI PTP table for {setting!r}: expected professional "
                         "(practitioner) or outpatient") from None

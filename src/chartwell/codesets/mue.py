"""The Medically Unlikely Edits (MUE): for each HCPCS/CPT code, the most units of service a
provider would report for one patient on one date of service, with the MUE adjudication
indicator (MAI) that says how the units are counted. CMS publishes three tables a quarter:
practitioner services, facility outpatient hospital services and DME supplier services.

Two layouts are read:

* **CMS**: ``MCR_MUE_PractitionerServices_Eff_07-01-2024.csv`` (and the ``Outpatient`` and
  ``DME`` ones, or the zips holding them). A notice comes first (a quoted cell that may span
  several lines), then the header row ``HCPCS/CPT Code``, ``Practitioner Services MUE Values``
  (``Outpatient Hospital Services`` / ``DME Supplier Services``), ``MUE Adjudication Indicator``
  (``3 Date of Service Edit: Clinical``: its digit is the MAI), ``MUE Rationale``, then a row per
  code.
* **Re-formatted copy** (``ncci_mue_prac.csv``, ``ncci_mue_out.csv``, ``ncci_mue_dme.csv``:
  ``hcpcs_code``, ``mue_units``, ``mue_mai`` (the digit), ``mue_rationale``, ``mue_service``).

Each table has about 15,000 codes; :class:`MueTables` reads a table whole the first time it is
asked and answers from memory after that.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TextIO

from chartwell.codesets._files import bad, decompression_errors, open_text
from chartwell.codesets.artifact import Artifact, ReleaseContent
from chartwell.codesets.build import Loaded, Progress, TableWriter, source_file
from chartwell.codesets.install import FoundFile, Kind, Plan
from chartwell.codesets.model import TableSet
from chartwell.codesets.ncci import FieldChecks, csv_errors, expect_header, open_cms_text
from chartwell.domain.coded import Setting
from chartwell.errors import InvalidInput, Position

PRACTITIONER = "practitioner"
OUTPATIENT = "outpatient"
DME = "dme"
MUE_TABLE_NAMES = {PRACTITIONER: "practitioner services",
                   OUTPATIENT: "facility outpatient hospital services",
                   DME: "DME supplier services"}
MUE_TABLE_OF: dict[str, str] = {Setting.PROFESSIONAL: PRACTITIONER, Setting.OUTPATIENT: OUTPATIENT,
                                PRACTITIONER: PRACTITIONER, OUTPATIENT: OUTPATIENT, DME: DME}
"""The MUE table of a claim's setting: practitioner services for a professional claim,
outpatient hospital services for an outpatient hospital claim; the DME supplier table is asked
for by name (a DME supplier's claim is not a setting of the ENCOUNTER.json document)."""

MAI_MEANINGS = {1: "line edit", 2: "date of service edit: policy",
                3: "date of service edit: clinical"}
"""MUE adjudication indicators: 1 counts the units of each claim line; 2 and 3 add up the units
of every line of the code on the date of service (2: a limit set by policy, 3: on clinical
grounds)."""

MUE_CSV_HEADER = ("hcpcs_code", "mue_units", "mue_mai", "mue_rationale", "mue_service")
_CMS_VALUES_HEADER = {
    PRACTITIONER: ("PRACTITIONER", "Practitioner Services MUE Values"),
    OUTPATIENT: ("OUTPATIENT HOSPITAL", "Outpatient Hospital Services MUE Values"),
    DME: ("DME", "DME Supplier Services MUE Values")}
"""The word the values column's header must hold in each table, and the header CMS writes."""
_CMS_HEADER_CODE = "HCPCS/CPTCODE"  # the first header cell, spaces and line breaks removed
_MUE_MEMBER = re.compile(r"(^|/)MCR_MUE_\w+_Eff_\d{2}-\d{2}-\d{4}\.csv$", re.IGNORECASE)
_KINDS = {PRACTITIONER: (Kind.MUE_PRACTITIONER, Kind.MUE_PRACTITIONER_CSV),
          OUTPATIENT: (Kind.MUE_OUTPATIENT, Kind.MUE_OUTPATIENT_CSV),
          DME: (Kind.MUE_DME, Kind.MUE_DME_CSV)}

SCHEMA = """
CREATE TABLE mue (
    mue_table TEXT NOT NULL, code TEXT NOT NULL, units INTEGER NOT NULL, mai INTEGER NOT NULL,
    rationale TEXT NOT NULL, PRIMARY KEY (mue_table, code)
) WITHOUT ROWID;
"""

MueRow = tuple[str, int, int, str]  # code, units, MAI, rationale


# -- reading the files ---------------------------------------------------------------------


def read_mue_cms(stream: TextIO, source: str | None = None, table: str = PRACTITIONER
                 ) -> Iterator[MueRow]:
    """The rows of a CMS MUE table: everything above the ``HCPCS/CPT Code`` header row is the
    notice; the header's values column must be the table's own (a practitioner file holding
    the outpatient values is an error)."""
    reader = csv.reader(stream)
    with csv_errors(reader, source):
        _find_cms_header(reader, source, table)
        checks = FieldChecks(source)
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield _cms_row(cells, reader.line_num, checks)


def _find_cms_header(reader, source: str | None, table: str) -> None:
    for cells in reader:
        if cells and re.sub(r"\s", "", cells[0]).upper() == _CMS_HEADER_CODE:
            values = re.sub(r"\s+", " ", cells[1] if len(cells) > 1 else "").strip().upper()
            words, header = _CMS_VALUES_HEADER[table]
            if "MUE VALUES" not in values or words not in values:
                raise bad(f"the values column is {values!r}: expected {header!r} in the "
                          f"{MUE_TABLE_NAMES[table]} table", source, reader.line_num,
                          "MUE Values")
            return
    raise bad("no header row starting 'HCPCS/CPT Code' found", source)


def _cms_row(cells: list[str], number: int, checks: FieldChecks) -> MueRow:
    if len(cells) < 4 or any(cell.strip() for cell in cells[4:]):
        raise bad(f"expected 4 fields (HCPCS/CPT Code, MUE Values, MUE Adjudication Indicator, "
                  f"MUE Rationale), found {len(cells)}", checks.source, number)
    code, units, indicator, rationale = (cell.strip() for cell in cells[:4])
    return (checks.code(code, number, "HCPCS/CPT Code"),
            _units(units, checks.source, number, "MUE Values"),
            _mai(indicator[:1], checks.source, number, "MUE Adjudication Indicator"),
            checks.text(rationale))


def read_mue_csv(stream: TextIO, source: str | None = None) -> Iterator[MueRow]:
    """The rows of a re-formatted MUE copy (``ncci_mue_prac.csv``)."""
    reader = csv.reader(stream)
    checks = FieldChecks(source)
    with csv_errors(reader, source):
        expect_header(next(reader, None), MUE_CSV_HEADER, source)
        for cells in reader:
            if len(cells) != len(MUE_CSV_HEADER):
                if not any(cells):
                    continue
                raise bad(f"expected {len(MUE_CSV_HEADER)} fields "
                          f"({', '.join(MUE_CSV_HEADER)}), found {len(cells)}", source,
                          reader.line_num)
            code, units, mai, rationale, _service = (cell.strip() for cell in cells)
            number = reader.line_num
            yield (checks.code(code, number, "hcpcs_code"),
                   _units(units, source, number, "mue_units"),
                   _mai(mai, source, number, "mue_mai"), checks.text(rationale))


def _units(text: str, source: str | None, line: int, field: str) -> int:
    if not text.isdigit():
        raise bad(f"MUE value {text!r}: expected a whole number of units", source, line, field)
    return int(text)


def _mai(text: str, source: str | None, line: int, field: str) -> int:
    if text not in ("1", "2", "3"):
        raise bad(f"MUE adjudication indicator {text!r}: expected 1, 2 or 3", source, line,
                  field)
    return int(text)


def read_mue_file(found: FoundFile, table: str) -> Iterator[MueRow]:
    """The rows of one MUE file of the plan, whichever layout it is in."""
    if found.kind in (Kind.MUE_PRACTITIONER, Kind.MUE_OUTPATIENT, Kind.MUE_DME):
        with open_cms_text(found.path, _MUE_MEMBER) as (stream, name):
            yield from read_mue_cms(stream, name, table)
        return
    with open_text(found.path) as stream, decompression_errors(str(found.path)):
        yield from read_mue_csv(stream, str(found.path))


# -- the release ---------------------------------------------------------------------------


def load(plan: Plan, progress: Progress) -> Loaded:
    """Read the plan's MUE tables (the CMS layout preferred to a re-formatted copy)."""
    loaded = Loaded(ReleaseContent(system=TableSet.MUE))
    rows: list[tuple[str, str, int, int, str]] = []
    for table, kinds in _KINDS.items():
        found = _table_file(plan, table, kinds, loaded)
        if found is None:
            continue
        progress(f"MUE {plan.version}: reading {found.path.name}")
        rows += [(table, *row) for row in _unique_codes(read_mue_file(found, table), found)]
        loaded.sources.append(source_file(found.path, found.role))
    if not rows:
        raise InvalidInput(f"MUE {plan.version}: no MUE table given")
    loaded.tables = _writer(rows)
    return loaded


def _table_file(plan: Plan, table: str, kinds: tuple[str, str], loaded: Loaded
                ) -> FoundFile | None:
    name = MUE_TABLE_NAMES[table]
    cms, copy = plan.one(kinds[0]), plan.one(kinds[1])
    if cms and copy:
        loaded.notes.append(f"{copy.path.name} not used: the {name} MUE table was given in the "
                            "CMS layout")
    elif cms is None and copy is None:
        loaded.notes.append(f"no {name} MUE table given")
    return cms or copy


def _unique_codes(rows: Iterator[MueRow], found: FoundFile) -> list[MueRow]:
    """A code has one MUE per table: a second row for it is an error naming the code."""
    seen: dict[str, MueRow] = {}
    for row in rows:
        if row[0] in seen:
            raise InvalidInput(f"{row[0]} is listed twice", Position(file=str(found.path),
                                                                     field=row[0]))
        seen[row[0]] = row
    return list(seen.values())


def _writer(rows: list[tuple[str, str, int, int, str]]) -> TableWriter:
    def tables(connection: sqlite3.Connection) -> dict[str, int]:
        connection.executescript(SCHEMA)
        connection.executemany("INSERT INTO mue VALUES (?, ?, ?, ?, ?)", rows)
        counts: dict[str, int] = {}
        for table, *_rest in rows:
            counts[f"mue_{table}_codes"] = counts.get(f"mue_{table}_codes", 0) + 1
        return counts

    return tables


# -- reading an installed release ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MueValue:
    """A code's MUE in one table: the most units of service per line (MAI 1) or per date of
    service (MAI 2 and 3), and why."""

    code: str
    units: int
    mai: int  # 1, 2 or 3 (MAI_MEANINGS)
    rationale: str
    table: str  # practitioner | outpatient | dme

    @property
    def mai_meaning(self) -> str:
        return MAI_MEANINGS[self.mai]

    @property
    def per_line(self) -> bool:
        return self.mai == 1

    def describe(self, version: str) -> str:
        """The table row, as a finding's source names it."""
        return (f"MUE {MUE_TABLE_NAMES[self.table]} {version}, {self.code}: MUE value "
                f"{self.units}, MAI {self.mai} ({self.mai_meaning}), rationale "
                f"{self.rationale!r}")


class MueTables:
    """The MUE tables of one installed release; each table is read whole on first use."""

    def __init__(self, artifact: Artifact):
        self.artifact = artifact
        self._tables: dict[str, dict[str, MueValue]] = {}

    @cached_property
    def version(self) -> str:
        return str(self.artifact.meta.get("version", ""))

    @cached_property
    def tables(self) -> frozenset[str]:
        """The MUE tables this release holds (practitioner, outpatient, dme)."""
        return frozenset(table for (table,) in self.artifact.connection.execute(
            "SELECT DISTINCT mue_table FROM mue"))

    def has(self, setting: str) -> bool:
        return mue_table(setting) in self.tables

    def mue(self, code: str, setting: str) -> MueValue | None:
        """The code's MUE in the table of ``setting`` (or the table named), or None."""
        return self.values(setting).get(code)

    def values(self, setting: str) -> dict[str, MueValue]:
        """The whole table of ``setting`` by code (for a caller asking about many codes)."""
        table = MUE_TABLE_OF.get(setting) or mue_table(setting)
        values = self._tables.get(table)
        if values is None:
            values = self._tables[table] = self._read(table)
        return values

    def _read(self, table: str) -> dict[str, MueValue]:
        return {code: MueValue(code, units, mai, rationale, table)
                for code, units, mai, rationale in self.artifact.connection.execute(
                    "SELECT code, units, mai, rationale FROM mue WHERE mue_table = ?", (table,))}


def mue_table(setting: str) -> str:
    """The MUE table of a claim's setting (or a table named directly)."""
    try:
        return MUE_TABLE_OF[setting]
    except KeyError:
        raise ValueError(f"no MUE table for {setting!r}: expected professional "
                         "(practitioner), outpatient or dme") from None


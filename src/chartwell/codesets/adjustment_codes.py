"""The X12 code lists a remittance speaks in: Claim Adjustment Reason Codes (CARC, the reason of
every CAS adjustment) and Remittance Advice Remark Codes (RARC, the MOA / MIA / LQ remarks).
X12 maintains both (CMS maintains RARC) and publishes them as web pages on x12.org, each code
with a start date, a last-modified date and, once deactivated, a stop date after which it may
not be sent.

Two layouts are read, both copies of those pages:

- ``carc_codes*.csv``: ``code, description, start, last_modified, stop, notes, status`` (dates
  MM/DD/YYYY);
- ``rarc_codes*.csv``: ``code, description, last_modified`` where the description carries the
  page's dates inline ("...text.Start: 01/01/1997 | Last Modified: ... | Stop: 08/01/2004Notes:
  Consider using M68"), and ``last_modified`` is when the page was copied.

Each list is a table set (installed by ``chartwell codesets install`` like the NCCI or POA
tables) whose release version is the year of the newest start date in the file. Descriptions are
looked up by code and date: a code is described on a date between its start and its stop, and a
deactivated code is still named, with its stop date, so an old remittance still reads.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TextIO

from chartwell.codesets._files import bad
from chartwell.codesets.model import TableSet
from chartwell.errors import InvalidInput

NOT_INSTALLED = "description not installed"
SCHEMA = ("CREATE TABLE adjustment_codes (code TEXT PRIMARY KEY, description TEXT NOT NULL, "
          "start TEXT, stop TEXT, notes TEXT) WITHOUT ROWID;")
_CODE = re.compile(r"^[A-Z]{0,2}\d{1,4}$|^[A-Z]\d[A-Z0-9]?$")
_US_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_INLINE = re.compile(r"^(?P<text>.*?)Start:\s*(?P<start>\d{2}/\d{2}/\d{4})(?P<rest>.*)$", re.DOTALL)
_STOP = re.compile(r"Stop:\s*(\d{2}/\d{2}/\d{4})")
_NOTES = re.compile(r"Notes:\s*(.*)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class AdjustmentCode:
    """One CARC or RARC with the dates it may be sent."""

    code: str
    description: str
    start: date | None = None
    stop: date | None = None  # deactivated: not to be sent on or after this date
    notes: str | None = None

    def active_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.stop is None or day < self.stop)


def _us_date(text: str | None, source: str | None, line: int, column: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    match = _US_DATE.fullmatch(text)
    if match is None:
        raise bad(f"{text!r} is not a date (MM/DD/YYYY)", source, line, column)
    month, day, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise bad(f"{text!r} is not a date that exists", source, line, column) from None


def read_carc(stream: TextIO, source: str | None = None) -> Iterator[AdjustmentCode]:
    """The CARC list: one code a row (``code, description, start, last_modified, stop, notes,
    status``)."""
    reader = csv.DictReader(stream)
    _require_columns(reader.fieldnames, ("code", "description", "start", "stop"), source)
    for line, row in enumerate(reader, start=2):
        code = (row["code"] or "").strip().upper()
        if not _CODE.match(code):
            raise bad(f"{code!r} is not a claim adjustment reason code", source, line, "code")
        yield AdjustmentCode(code, (row["description"] or "").strip(),
                             _us_date(row["start"], source, line, "start"),
                             _us_date(row["stop"], source, line, "stop"),
                             (row.get("notes") or "").strip() or None)


def read_rarc(stream: TextIO, source: str | None = None) -> Iterator[AdjustmentCode]:
    """The RARC list (``code, description, last_modified``) with the dates taken out of the
    description, where the copied page put them."""
    reader = csv.DictReader(stream)
    _require_columns(reader.fieldnames, ("code", "description"), source)
    for line, row in enumerate(reader, start=2):
        code = (row["code"] or "").strip().upper()
        if not re.fullmatch(r"(M|MA|N)\d{1,4}", code):
            raise bad(f"{code!r} is not a remittance advice remark code", source, line, "code")
        yield _rarc_entry(code, (row["description"] or "").strip(), source, line)


def _rarc_entry(code: str, text: str, source: str | None, line: int) -> AdjustmentCode:
    match = _INLINE.match(text)
    if match is None:
        return AdjustmentCode(code, text)
    rest = match.group("rest")
    stop = _STOP.search(rest)
    notes = _NOTES.search(rest)
    return AdjustmentCode(code, match.group("text").strip(),
                          _us_date(match.group("start"), source, line, "description"),
                          _us_date(stop.group(1), source, line, "description") if stop else None,
                          notes.group(1).strip() if notes else None)


def _require_columns(found: list[str] | None, needed: tuple[str, ...], source: str | None) -> None:
    missing = [name for name in needed if name not in (found or [])]
    if missing:
        raise bad(f"missing column(s) {', '.join(missing)} in the header", source, 1)


READERS = {TableSet.CARC: read_carc, TableSet.RARC: read_rarc}


def read_file(system: TableSet, path: Path) -> list[AdjustmentCode]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(READERS[system](stream, str(path)))


def list_version(system: TableSet, path: Path) -> str:
    """The release a list file makes: the year of its newest start date (the lists are
    cumulative, so the newest code dates the copy)."""
    starts = [entry.start for entry in read_file(system, path) if entry.start]
    if not starts:
        raise InvalidInput(f"{path.name}: no start dates, so its edition cannot be told; pass --version")
    return str(max(starts).year)


# -- the table-set loader (see chartwell.codesets.build) -----------------------------------------


def load(plan, progress):
    """``load(plan, progress) -> Loaded`` as every table set: the list's rows into its own
    table of the release artifact."""
    from chartwell.codesets.artifact import ReleaseContent
    from chartwell.codesets.build import Loaded, source_file

    found = plan.all_files()[0]
    progress(f"{plan.system} {plan.version}: reading {found.path.name}")
    entries = read_file(TableSet(plan.system), found.path)

    def tables(connection: sqlite3.Connection) -> dict[str, int]:
        connection.executescript(SCHEMA)
        connection.executemany(
            "INSERT OR REPLACE INTO adjustment_codes VALUES (?, ?, ?, ?, ?)",
            [(e.code, e.description, e.start.isoformat() if e.start else None,
              e.stop.isoformat() if e.stop else None, e.notes) for e in entries])
        count = connection.execute("SELECT count(*) FROM adjustment_codes").fetchone()[0]
        return {"codes": count}

    return Loaded(ReleaseContent(system=plan.system), [source_file(found.path, found.role)],
                  tables=tables)


class AdjustmentCodeList:
    """The codes of one installed CARC or RARC release (a few hundred to ~1,200 rows: read
    once, kept as a dict)."""

    def __init__(self, artifact):
        self.artifact = artifact

    @cached_property
    def codes(self) -> dict[str, AdjustmentCode]:
        rows = self.artifact.connection.execute(
            "SELECT code, description, start, stop, notes FROM adjustment_codes")
        return {code: AdjustmentCode(code, text, date.fromisoformat(start) if start else None,
                                     date.fromisoformat(stop) if stop else None, notes)
                for code, text, start, stop, notes in rows}


def describe(codes: dict[str, AdjustmentCode] | None, code: str, on: date | None = None) -> str:
    """What a remittance shows beside a code: its description; a code deactivated before ``on``
    says so; an unknown one says so; with no list installed, "description not installed"."""
    if codes is None:
        return NOT_INSTALLED
    entry = codes.get(code.strip().upper())
    if entry is None:
        return "not a code of the installed list"
    if on is not None and entry.stop is not None and on >= entry.stop:
        return f"{entry.description} (deactivated {entry.stop.isoformat()})"
    if on is not None and entry.start is not None and on < entry.start:
        return f"{entry.description} (in use only from {entry.start.isoformat()})"
    return entry.description

"""HCPCS Level II: the CMS alpha-numeric file and the re-formatted CSV copies of it.

**The official file** (``HCPC20YY_MON_ANWEB*.txt`` in CMS's quarterly "Alpha-Numeric HCPCS
File" zip) is fixed width, 320 columns a record (trailing blanks may be trimmed on disk). The
layout, after CMS's ``HCPC20YY_recordlayout.txt`` (1-based columns; "x4" = repeated)::

    1-5     HCPCS code (a modifier's 2 characters; read with blanks either side dropped)
    6-10    sequence number          11      record identification code:
                                             3 = first line of a procedure, with the details
                                             4 = continuation of its long description
                                             7 = first line of a modifier, with the details
                                             8 = continuation of its long description
    12-91   long description (80 a line; a longer one continues on lines 4 / 8)
    92-119  short description (28)   120-127 pricing indicator, 2 x4   128 multiple pricing
    129-146 CIM reference, 6 x3      147-170 MCM reference, 8 x3       171-180 statute
    181-204 lab certification, 3 x8  205-229 cross reference, 5 x5     230 coverage code
    231-232 ASC payment group        233-240 ASC group effective date
    241-252 MOG group, indicator, effective date                       253-256 processing note
    257-259 BETOS                    260 blank                          261-265 type of service x5
    266-268 anesthesia base units    269-276 code added date            277-284 action effective
    285-292 termination date         293 action code                    294-320 blank
    Dates are YYYYMMDD.

The long description of a record is its 80-column pieces put back together (a piece may end
mid-word, so pieces are joined as they stand and runs of blanks then closed up). Level I (CPT)
records, present only in the contractor edition, are skipped: their descriptors are AMA
copyright and are never loaded from this file.

**The CSV copies** (``hcpcs_lvl2.csv`` + ``two_descriptions.csv``, ``modifiers_hcpcs_level2.csv``:
the northstar R package's conversion of the July 2024 xlsx, see the shared data MANIFEST) give
the same :class:`HcpcsCode`. Where a field repeats (pricing indicators, types of service) its
values are joined with ``:`` in file order in both readers, as the CSV has them (``"1:P"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from os import PathLike
from typing import TextIO

from chartwell.codesets._files import (
    bad,
    csv_rows,
    decompression_errors,
    numbered_lines,
    open_text,
    read_text_file,
    source_name,
)
from chartwell.codesets.model import CodeSystem, HcpcsCode, Modifier
from chartwell.errors import InvalidInput, Position

RECORD_LENGTH = 320
LEVEL_II_CODE = re.compile(r"[A-V][0-9]{4}")
LEVEL_I_CODE = re.compile(r"[0-9]{4}[0-9A-Z]")  # CPT, incl. category II (F) and III (T)
MODIFIER_CODE = re.compile(r"[A-Z0-9]{2}")
NUMERIC_MODIFIER = re.compile(r"[0-9]{2}")  # CPT modifiers (25, 59, ...)
PROCEDURE_CODE = re.compile(f"{LEVEL_II_CODE.pattern}|{LEVEL_I_CODE.pattern}")


# -- the official fixed-width file ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    name: str  # as CMS's record layout names it
    start: int  # 1-based column
    length: int
    repeat: int = 1

    def values(self, record: str) -> list[str]:
        found = []
        for index in range(self.repeat):
            begin = self.start - 1 + index * self.length
            value = record[begin : begin + self.length].strip()
            if value:
                found.append(value)
        return found


CODE = _Field("HCPCS code", 1, 5)
SEQUENCE = _Field("sequence number", 6, 5)
RECORD_ID = _Field("record identification code", 11, 1)
LONG_DESCRIPTION = _Field("long description", 12, 80)
SHORT_DESCRIPTION = _Field("short description", 92, 28)
PRICING = _Field("pricing indicator", 120, 2, repeat=4)
COVERAGE = _Field("coverage code", 230, 1)
BETOS = _Field("BETOS", 257, 3)
TYPE_OF_SERVICE = _Field("type of service", 261, 1, repeat=5)
ADDED = _Field("code added date", 269, 8)
ACTION_EFFECTIVE = _Field("action effective date", 277, 8)
TERMINATION = _Field("termination date", 285, 8)
ACTION = _Field("action code", 293, 1)

FIRST_LINES = {"3": "procedure", "7": "modifier"}
CONTINUATIONS = {"4": "3", "8": "7"}


@dataclass(slots=True)
class _Pending:
    """A record being put together: its first line and the long-description pieces so far."""

    code: str
    record_id: str
    first: str
    where: Position
    pieces: list[str]


def read_anweb(stream: TextIO, *, source: str | None = None) -> Iterator[HcpcsCode | Modifier]:
    """Yield the procedure codes (:class:`HcpcsCode`) and Level II modifiers (:class:`Modifier`)
    of a CMS alpha-numeric file, in file order, one per record (first line + continuations)."""
    name = source_name(stream, source)
    pending: _Pending | None = None
    seen: dict[str, int] = {}
    for number, line in numbered_lines(stream, name):
        if not line.strip():
            continue
        where = Position(file=name, line=number)
        record_id, code = _check_line(line, where)
        if record_id in CONTINUATIONS:
            _continue(pending, record_id, code, line, where)
            continue
        if pending is not None:
            yield _finish(pending)
        pending = None
        if _is_level_one(record_id, code):
            continue
        if code in seen:
            raise _bad(f"{code} appears again (first at line {seen[code]})", where, CODE.name)
        seen[code] = number
        pending = _Pending(code, record_id, line, where, [_piece(line)])
    if pending is not None:
        yield _finish(pending)


def read_anweb_file(
    path: str | PathLike[str], *, encoding: str = "cp1252"
) -> Iterator[HcpcsCode | Modifier]:
    """Yield the records of ``HCPC20YY_MON_ANWEB*.txt`` (CMS writes it in Windows-1252)."""
    return read_text_file(read_anweb, path, encoding=encoding)


def _check_line(line: str, where: Position) -> tuple[str, str]:
    if len(line) > RECORD_LENGTH:
        raise _bad(f"line is {len(line)} characters, a record has {RECORD_LENGTH}", where)
    line = line.ljust(RECORD_LENGTH)
    code, record_id = line[0:5].strip(), line[10]
    if record_id not in FIRST_LINES and record_id not in CONTINUATIONS:
        message = f"record identification code {record_id!r} is not 3, 4, 7 or 8"
        raise _bad(message, where, RECORD_ID.name)
    if not line[5:10].isdigit():
        raise _bad(f"sequence number {line[5:10]!r} is not 5 digits", where, SEQUENCE.name)
    kind = FIRST_LINES.get(record_id) or FIRST_LINES[CONTINUATIONS[record_id]]
    pattern = MODIFIER_CODE if kind == "modifier" else PROCEDURE_CODE
    if not pattern.fullmatch(code):
        raise _bad(f"{code!r} is not a HCPCS {kind} code", where, CODE.name)
    return record_id, code


def _is_level_one(record_id: str, code: str) -> bool:
    if record_id == "3":
        return LEVEL_I_CODE.fullmatch(code) is not None
    return NUMERIC_MODIFIER.fullmatch(code) is not None


def _continue(
    pending: _Pending | None, record_id: str, code: str, line: str, where: Position
) -> None:
    if pending is None:
        if _is_level_one(CONTINUATIONS[record_id], code):
            return  # the rest of a skipped Level I record
        raise _bad(f"continuation of {code} without its first line", where, RECORD_ID.name)
    if pending.code != code or pending.record_id != CONTINUATIONS[record_id]:
        raise _bad(
            f"continuation of {code} follows the first line of {pending.code}", where, CODE.name
        )
    pending.pieces.append(_piece(line))


def _piece(line: str) -> str:
    return line.ljust(RECORD_LENGTH)[11:91]


def _finish(pending: _Pending) -> HcpcsCode | Modifier:
    long_title = " ".join("".join(pending.pieces).split())
    if not long_title:
        raise _bad(f"{pending.code} has no long description", pending.where, LONG_DESCRIPTION.name)
    if pending.record_id == "7":
        return Modifier(code=pending.code, title=long_title)
    return _procedure(pending.first.ljust(RECORD_LENGTH), pending.code, long_title, pending.where)


def _procedure(record: str, code: str, long_title: str, where: Position) -> HcpcsCode:
    return HcpcsCode(
        code=code,
        long_title=long_title,
        short_title=_one(SHORT_DESCRIPTION, record),
        pricing_indicator=":".join(PRICING.values(record)) or None,
        coverage_code=_one(COVERAGE, record),
        betos=_one(BETOS, record),
        type_of_service=":".join(TYPE_OF_SERVICE.values(record)) or None,
        action_code=_one(ACTION, record),
        added=_yyyymmdd(ADDED, record, where),
        action_effective=_yyyymmdd(ACTION_EFFECTIVE, record, where),
        terminated=_yyyymmdd(TERMINATION, record, where),
    )


def _one(field: _Field, record: str) -> str | None:
    values = field.values(record)
    return values[0] if values else None


def _yyyymmdd(field: _Field, record: str, where: Position) -> date | None:
    value = _one(field, record)
    if value is None:
        return None
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError(value)
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise _bad(f"{field.name} {value!r} is not a YYYYMMDD date", where, field.name) from None


# -- the re-formatted CSV copies -----------------------------------------------------------

CODES_COLUMNS = (
    "hcpcs_code", "price", "cov", "betos", "tos", "action", "date_added", "date_action", "date_term"
)  # fmt: skip
DESCRIPTION_COLUMNS = ("hcpcs_code", "hcpcs_desc_type", "hcpcs_description")
MODIFIER_COLUMNS = ("mod_code", "mod_type", "mod_description")
MODIFIER_SYSTEMS = {"HCPCS": CodeSystem.HCPCS, "CPT": CodeSystem.CPT}


def read_hcpcs_csv(
    codes: TextIO,
    descriptions: TextIO,
    *,
    codes_source: str | None = None,
    descriptions_source: str | None = None,
) -> Iterator[HcpcsCode]:
    """Join ``hcpcs_lvl2.csv`` (one row a code) with ``two_descriptions.csv`` (a Long and a
    Short row a code) and yield one :class:`HcpcsCode` per code, in the order of ``codes``."""
    titles = _read_descriptions(descriptions, source_name(descriptions, descriptions_source))
    yield from _join_descriptions(codes, source_name(codes, codes_source), titles)


def read_hcpcs_csv_files(
    codes_path: str | PathLike[str], descriptions_path: str | PathLike[str]
) -> Iterator[HcpcsCode]:
    """:func:`read_hcpcs_csv` on two files; a ``.xz`` file is decompressed as it is read."""
    descriptions_source, codes_source = str(descriptions_path), str(codes_path)
    with open_text(descriptions_path) as descriptions, decompression_errors(descriptions_source):
        titles = _read_descriptions(descriptions, descriptions_source)
    with open_text(codes_path) as codes, decompression_errors(codes_source):
        yield from _join_descriptions(codes, codes_source, titles)


def _join_descriptions(codes: TextIO, source: str | None, titles: dict[str, dict[str, str]]
                       ) -> Iterator[HcpcsCode]:
    for number, row in _csv_rows(codes, source, CODES_COLUMNS):
        yield _csv_code(row, titles, Position(file=source, line=number))


def read_modifiers_csv(stream: TextIO, *, source: str | None = None) -> Iterator[Modifier]:
    """Yield the modifiers of ``modifiers_hcpcs_level2.csv``; a row repeating an earlier
    (code, description) (the file lists KX under two categories) is yielded once."""
    name = source_name(stream, source)
    seen: dict[str, tuple[str, int]] = {}
    for number, row in _csv_rows(stream, name, MODIFIER_COLUMNS):
        modifier = _csv_modifier(row, Position(file=name, line=number))
        if modifier.code in seen:
            title, first = seen[modifier.code]
            if title != modifier.title:
                raise _bad(
                    f"modifier {modifier.code} has another description at line {first}",
                    Position(file=name, line=number),
                    "mod_description",
                )
            continue
        seen[modifier.code] = (modifier.title, number)
        yield modifier


def read_modifiers_csv_file(path: str | PathLike[str]) -> Iterator[Modifier]:
    """Yield the modifiers of ``modifiers_hcpcs_level2.csv`` (``.xz`` is decompressed)."""
    return read_text_file(read_modifiers_csv, path)


def _read_descriptions(stream: TextIO, source: str | None) -> dict[str, dict[str, str]]:
    titles: dict[str, dict[str, str]] = {}
    for number, row in _csv_rows(stream, source, DESCRIPTION_COLUMNS):
        kind = row["hcpcs_desc_type"]
        if kind not in ("Long", "Short"):
            continue  # other description kinds are not part of HcpcsCode
        by_kind = titles.setdefault(row["hcpcs_code"], {})
        if kind in by_kind:
            raise _bad(
                f"second {kind} description for {row['hcpcs_code']}",
                Position(file=source, line=number),
                "hcpcs_desc_type",
            )
        by_kind[kind] = row["hcpcs_description"].strip()
    return titles


def _csv_code(row: dict[str, str], titles: dict[str, dict[str, str]], where: Position) -> HcpcsCode:
    code = row["hcpcs_code"]
    if not LEVEL_II_CODE.fullmatch(code):
        raise _bad(f"{code!r} is not a HCPCS Level II code", where, "hcpcs_code")
    described = titles.get(code, {})
    if not described.get("Long"):
        raise _bad(f"{code} has no Long description in the descriptions file", where, "hcpcs_code")
    return HcpcsCode(
        code=code,
        long_title=described["Long"],
        short_title=described.get("Short") or None,
        pricing_indicator=row["price"] or None,
        coverage_code=row["cov"] or None,
        betos=row["betos"] or None,
        type_of_service=row["tos"] or None,
        action_code=row["action"] or None,
        added=_iso(row, "date_added", where),
        action_effective=_iso(row, "date_action", where),
        terminated=_iso(row, "date_term", where),
    )


def _csv_modifier(row: dict[str, str], where: Position) -> Modifier:
    code, title = row["mod_code"], " ".join(row["mod_description"].split())
    if not MODIFIER_CODE.fullmatch(code):
        raise _bad(f"{code!r} is not a 2-character modifier", where, "mod_code")
    system = MODIFIER_SYSTEMS.get(row["mod_type"])
    if system is None:
        raise _bad(f"modifier type {row['mod_type']!r} is not HCPCS or CPT", where, "mod_type")
    if not title:
        raise _bad(f"modifier {code} has no description", where, "mod_description")
    return Modifier(code=code, title=title, system=system)


def _iso(row: dict[str, str], column: str, where: Position) -> date | None:
    value = row[column]
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad(f"{column} {value!r} is not a YYYY-MM-DD date", where, column) from None


def _csv_rows(
    stream: TextIO, source: str | None, required: Iterable[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """The records of a CSV file with a header naming at least the ``required`` columns."""
    rows = csv_rows(stream, source)
    _, header = next(rows, (1, None))
    if header is None:
        raise bad("empty file: no header row", source, 1)
    missing = [column for column in required if column not in header]
    if missing:
        raise bad(f"header lacks column(s) {', '.join(missing)}", source, 1, missing[0])
    for number, values in rows:
        if len(values) != len(header):
            raise bad(f"{len(values)} fields where the header has {len(header)}", source, number)
        yield number, dict(zip(header, values, strict=True))


def _bad(message: str, where: Position, field: str | None = None) -> InvalidInput:
    return bad(message, where.file, where.line, field)

"""CPT codes: their format, and a licensed user's own file of codes and descriptors.

CPT descriptors are copyright of the AMA: none is shipped with Chartwell. Without a licensed
file, CPT codes are checked by format only (:data:`CPT_CODE`): four digits and a digit
(category I), ``F`` (category II), ``T`` (category III), ``U`` (proprietary laboratory
analyses), ``M`` (multianalyte assay administrative codes) or ``A`` (vaccine administration). A licensed user installs their own file: comma-, tab- or pipe-separated, a code and
its descriptor a line (the AMA's data files are laid out so), optionally with a header naming
the columns (``code``, a column with ``long`` or ``desc`` in its name, ``short``, ``medium``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import TextIO

from chartwell.codesets._files import bad, decompression_errors, open_text, source_name
from chartwell.codesets.model import CodeTitle

CPT_CODE = re.compile(r"[0-9]{4}[0-9AFMTU]")
CATEGORIES = {"F": "category II (performance measurement)", "T": "category III (emerging "
              "technology)", "U": "proprietary laboratory analyses", "M": "multianalyte assay "
              "with algorithmic analyses (administrative code)", "A": "vaccine administration"}
CPT_FORMAT = "four digits and a digit, A, F, M, T or U"
_SNIFF_LINES = 20


def cpt_category(code: str) -> str:
    return CATEGORIES.get(code[-1:], "category I")


def read_cpt(stream: TextIO, *, source: str | None = None) -> Iterator[CodeTitle]:
    """Yield one :class:`CodeTitle` per code of a licensed CPT file, in file order."""
    name = source_name(stream, source)
    lines = list(_lines(stream, name))
    if not lines:
        raise bad("empty file: no codes", name, 1)
    delimiter = _delimiter(lines[0][1])
    rows = [(number, cells) for number, cells in _split(lines, delimiter, name) if any(cells)]
    columns, rows = _columns(rows, name)
    seen: dict[str, int] = {}
    for number, cells in rows:
        title = _title(cells, columns, name, number)
        if title.code in seen:
            raise bad(f"{title.code} appears again (first at line {seen[title.code]})", name,
                      number, "code")
        seen[title.code] = number
        yield title


def read_cpt_file(path: str | PathLike[str]) -> Iterator[CodeTitle]:
    """:func:`read_cpt` on a file (UTF-8, or Windows-1252 when it is not UTF-8)."""
    try:
        with open_text(path) as stream, decompression_errors(str(path)):
            titles = list(read_cpt(stream, source=str(path)))
    except UnicodeDecodeError:
        with open_text(path, encoding="cp1252") as stream, decompression_errors(str(path)):
            titles = list(read_cpt(stream, source=str(path)))
    yield from titles


def sniff_cpt_rows(path: Path) -> bool:
    """Whether the first lines of ``path`` look like a CPT file: a code and text a line."""
    try:
        with open_text(path, encoding="latin-1") as stream:
            lines = [line.rstrip("\r\n") for _, line in zip(range(_SNIFF_LINES), stream)]
    except Exception:  # noqa: BLE001 - anything unreadable is simply not recognised
        return False
    lines = [line for line in lines if line.strip()]
    if not lines:
        return False
    delimiter = _delimiter(lines[0])
    rows = list(csv.reader(lines, delimiter=delimiter))
    data = [row for row in rows if row and CPT_CODE.fullmatch(row[0].strip())]
    return bool(data) and all(len(row) >= 2 and row[1].strip() for row in data) \
        and len(data) >= len(rows) - 1


def _lines(stream: TextIO, source: str | None) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(stream, start=1):
        yield number, line.rstrip("\r\n")


def _delimiter(first: str) -> str:
    for delimiter in ("\t", "|"):
        if delimiter in first:
            return delimiter
    return ","


def _split(lines: list[tuple[int, str]], delimiter: str, source: str | None
           ) -> Iterator[tuple[int, list[str]]]:
    for number, line in lines:
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error as error:
            raise bad(f"not valid delimited text ({error})", source, number) from None
        yield number, [cell.strip() for cell in cells]


def _columns(rows: list[tuple[int, list[str]]], source: str | None
             ) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """Column positions, from a header row if the file has one (its first cell is no code)."""
    if not rows:
        raise bad("no codes in the file", source)
    number, first = rows[0]
    if CPT_CODE.fullmatch(first[0]):
        return {"code": 0, "long": 1, "short": 2}, rows
    names = [cell.lower() for cell in first]
    columns = {"code": _find(names, ("code", "cpt", "hcpcs"), 0)}
    columns["long"] = _find(names, ("long", "desc", "descriptor", "title"), 1)
    short = _find(names, ("short",), -1)
    if short < 0:
        short = _find(names, ("medium",), -1)
    if short >= 0:
        columns["short"] = short
    if columns["long"] == columns["code"]:
        raise bad("the header names no descriptor column", source, number)
    return columns, rows[1:]


def _find(names: list[str], words: tuple[str, ...], default: int) -> int:
    for index, name in enumerate(names):
        if any(word in name for word in words):
            return index
    return default


def _title(cells: list[str], columns: dict[str, int], source: str | None, number: int
           ) -> CodeTitle:
    def cell(column: str) -> str:
        index = columns.get(column, -1)
        return cells[index] if 0 <= index < len(cells) else ""

    code = cell("code").upper()
    if not CPT_CODE.fullmatch(code):
        raise bad(f"{code!r} is not a CPT code ({CPT_FORMAT})", source,
                  number, "code")
    long_title = cell("long")
    if not long_title:
        raise bad(f"{code} has no descriptor", source, number, "descriptor")
    return CodeTitle(code=code, billable=True, long_title=long_title,
                     short_title=cell("short") or None)

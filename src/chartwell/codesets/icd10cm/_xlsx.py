"""Just enough of the Office Open XML spreadsheet format to read the rows of a workbook's first
sheet with the standard library (the CDC's FY2026 conversion table is published only as .xlsx).

Cells come back as text (``"E11.A"``, ``"2025"``: whole numbers without ``.0``) or, for a
number in a date format, as :class:`datetime.date`. Formulas give their cached value. Nothing
else of the workbook (styles, merged cells, other sheets) is interpreted.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from typing import BinaryIO

from chartwell.codesets._files import bad

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 1900-02-29
_COLUMN = re.compile(r"([A-Z]+)")

Cell = str | date


def first_sheet_rows(stream: BinaryIO, source: str | None) -> Iterator[tuple[int, list[Cell]]]:
    """Yield ``(row number, cells from column A on)`` for each non-empty row of the first sheet."""
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as error:
        raise bad(f"not an .xlsx workbook (not a zip: {error})", source) from None
    with archive:
        try:
            sheet = _first_sheet_path(archive)
            strings = _shared_strings(archive)
            dates = _date_styles(archive)
            with archive.open(sheet) as part:
                for _event, element in ET.iterparse(part):
                    if element.tag == f"{MAIN}row":
                        yield int(element.get("r", "0")), _cells(element, strings, dates)
                        element.clear()
        except (KeyError, IndexError, ET.ParseError, ValueError, zipfile.BadZipFile) as error:
            raise bad(f"not a readable .xlsx workbook ({error})", source) from None


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    first = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
    if first is None:
        raise KeyError("the workbook lists no sheet")
    relation_id = first.get(f"{DOC_REL}id")
    relations = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for relation in relations.iter(f"{PKG_REL}Relationship"):
        if relation.get("Id") == relation_id:
            target = relation.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(f"no relationship {relation_id} for the first sheet")


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    table = ET.fromstring(archive.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in item.iter(f"{MAIN}t")) for item in table]


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles (``s`` attribute) that show a number as a date."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    styles = ET.fromstring(archive.read("xl/styles.xml"))
    custom = {int(fmt.get("numFmtId", "-1")): fmt.get("formatCode", "")
              for fmt in styles.iter(f"{MAIN}numFmt")}
    cell_formats = styles.find(f"{MAIN}cellXfs")
    found = set()
    for index, xf in enumerate(cell_formats if cell_formats is not None else []):
        number_format = int(xf.get("numFmtId", "0"))
        if number_format in BUILTIN_DATE_FORMATS or _is_date_format(custom.get(number_format, "")):
            found.add(index)
    return found


def _is_date_format(code: str) -> bool:
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return any(letter in bare for letter in "dy")


def _cells(row: ET.Element, strings: list[str], dates: set[int]) -> list[Cell]:
    cells: list[Cell] = []
    for cell in row.findall(f"{MAIN}c"):
        column = _column_index(cell.get("r", ""), default=len(cells))
        cells.extend([""] * (column - len(cells)))
        cells.append(_value(cell, strings, dates))
    return cells


def _column_index(reference: str, *, default: int) -> int:
    match = _COLUMN.match(reference)
    if not match:
        return default
    index = 0
    for letter in match.group(1):
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _value(cell: ET.Element, strings: list[str], dates: set[int]) -> Cell:
    kind, raw = cell.get("t", "n"), cell.findtext(f"{MAIN}v")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
    if raw is None:
        return ""
    if kind == "s":
        return strings[int(raw)]
    if kind != "n":
        return raw
    number = float(raw)
    if int(cell.get("s", "0")) in dates:
        return EXCEL_EPOCH + timedelta(days=int(number))
    return str(int(number)) if number.is_integer() else raw

"""The ICD-10-CM Table of Neoplasms and Table of Drugs and Chemicals XML
(``icd10cm_neoplasm_YYYY.xml``, ``icd10cm_drug_YYYY.xml``; schema ``icd10cm_drug_neoplasm.xsd``,
the index schema with table cells).

Layout: ``ICD10CM.index`` > ``indexHeading`` (``<head col="1">Neoplasm</head>``,
``<head col="2">Malignant Primary</head>`` ...) > ``letter`` > ``mainTerm`` > ``term level="1"``
... Each row has a ``title`` (with ``<nemod>`` nonessential words), optional ``see`` /
``seeAlso``, and ``<cell col="N">`` codes. Column 1 is the row title; columns 2-7 hold codes.

Each main term becomes a :class:`TableRow` tree whose ``codes`` map the column heading text, as
the file spells it (``"Malignant Primary"``, ``"Poisoning Accidental (unintentional)"``), to the
cell's code as printed (``"C79.8-"``: a dash means more characters are needed). Cells of ``-``
or ``--`` (no code applies) are left out. Titles and nonessential words are split as in the
index (:func:`chartwell.codesets.icd10cm.index.split_title`). A ``<manif>`` in a table (one in
FY2026, a site note under "Neoplasm, book-leaf") has no place in :class:`TableRow` and is not
kept.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from os import PathLike
from typing import BinaryIO

from chartwell.codesets._files import (
    bad,
    decompression_errors,
    open_binary,
    read_binary_file,
    source_name,
)
from chartwell.codesets._xml import Located, iter_elements, text
from chartwell.codesets.icd10cm.index import split_title
from chartwell.codesets.model import TableRow

NO_CODE = frozenset({"", "-", "--"})


def read_table(stream: BinaryIO, *, source: str | None = None) -> Iterator[TableRow]:
    """Yield each main term of a Neoplasm or Drug table XML (a binary stream) with its subterms."""
    name = source_name(stream, source)
    headings: dict[str, str] | None = None
    for found in iter_elements(stream, root="ICD10CM.index", tags={"indexHeading", "mainTerm"},
                               source=name):
        if found.element.tag == "indexHeading":
            headings = _headings(found)
            continue
        if headings is None:
            raise found.error("a <mainTerm> comes before any <indexHeading>: not a Neoplasm or "
                              "Drug table")
        yield _row(found.element, 0, headings, found)


def read_table_file(path: str | PathLike[str]) -> Iterator[TableRow]:
    """Yield the main terms of a Neoplasm or Drug table XML file (``.xz`` decompressed)."""
    return read_binary_file(read_table, path)


def read_table_headings(stream: BinaryIO, *, source: str | None = None) -> list[str]:
    """The column headings of a table XML, in column order (column 1, the row title, first)."""
    name = source_name(stream, source)
    for found in iter_elements(stream, root="ICD10CM.index", tags={"indexHeading", "mainTerm"},
                               source=name):
        if found.element.tag == "indexHeading":
            headings = _headings(found)
            return [headings[column] for column in sorted(headings, key=int)]
        break
    raise bad("no <indexHeading> before the first <mainTerm>: not a Neoplasm or Drug table", name)


def read_table_headings_file(path: str | PathLike[str]) -> list[str]:
    """The column headings of a Neoplasm or Drug table XML file."""
    with open_binary(path) as stream, decompression_errors(str(path)):
        return read_table_headings(stream, source=str(path))


def _headings(found: Located) -> dict[str, str]:
    headings: dict[str, str] = {}
    for head in found.element.findall("head"):
        column = (head.get("col") or "").strip()
        if not column.isdigit() or column in headings or not text(head):
            raise found.error(f"a <head> has a missing, repeated or empty column {column!r}", head,
                              "col")
        headings[column] = text(head)
    return headings


def _row(element: ET.Element, level: int, headings: dict[str, str], where: Located
         ) -> TableRow:
    title, nonessential = split_title(element.find("title"), element.find("diff"))
    if not title:
        raise where.error(f"a <{element.tag}> has no title", element, "title")
    row = TableRow(title=title, level=level, nonessential=nonessential,
                   see=text(element.find("see")) or None,
                   see_also=text(element.find("seeAlso")) or None)
    for cell in element.findall("cell"):
        column = cell.get("col", "")
        if column not in headings or column == "1":
            raise where.error(f"a <cell> is in column {column!r}, which has no code heading",
                              cell, "col")
        if (code := text(cell)) not in NO_CODE:
            row.codes[headings[column]] = code
    for child in element.findall("term"):
        if child.get("level") != str(level + 1):
            raise where.error(f"a <term> under a level-{level} row has level "
                              f"{child.get('level')!r}", child, "level")
        row.subterms.append(_row(child, level + 1, headings, where))
    return row

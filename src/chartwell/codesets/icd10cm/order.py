"""The ICD-10-CM order file (``icd10cm_order_YYYY.txt``) and codes file
(``icd10cm_codes_YYYY.txt``).

Both are in CMS's "Code Descriptions in Tabular Order" zip, in tabular order, ASCII, CRLF, at
most 400 characters a line. Layouts from the zip's ``icd10OrderFiles.pdf`` and
``icd10cmCodesFile.pdf`` (columns 1-based):

Order file, one code or header a line::

    1-5     order number, right justified, zero filled
    6       blank
    7-13    code, no dot, blank padded
    14      blank
    15      0 = header (not valid for HIPAA-covered transactions), 1 = valid (billable) code
    16      blank
    17-76   short description (60)
    77      blank
    78-     long description

Codes file, valid (billable) codes only::

    1-7     code, no dot, blank padded
    8       blank
    9-      long description

Codes are returned as coders write them: ``E1140`` becomes ``E11.40``; a 3-character category
has no dot.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from os import PathLike
from typing import TextIO

from chartwell.codesets._files import (
    bad,
    numbered_lines,
    read_text_file,
    read_zip_member,
    source_name,
)
from chartwell.codesets.icd10cm._codes import RAW_CODE, dotted
from chartwell.codesets.model import CodeTitle
from chartwell.errors import InvalidInput

MAX_LINE = 400
ORDER_MEMBER = re.compile(r"(^|/)icd10cm_order_\d{4}\.txt$")
CODES_MEMBER = re.compile(r"(^|/)icd10cm_codes_\d{4}\.txt$")


# -- order file ----------------------------------------------------------------------------


def read_order(stream: TextIO, *, source: str | None = None) -> Iterator[CodeTitle]:
    """Yield one :class:`CodeTitle` per line of an order file (a text stream), in order."""
    name = source_name(stream, source)
    for number, line in numbered_lines(stream, name):
        if line.strip():
            yield parse_order_line(line, source=name, line_number=number)


def read_order_file(path: str | PathLike[str]) -> Iterator[CodeTitle]:
    """Yield the lines of ``icd10cm_order_YYYY.txt`` (``.xz`` is decompressed)."""
    return read_text_file(read_order, path)


def read_order_zip(path: str | PathLike[str]) -> Iterator[CodeTitle]:
    """Yield the order file inside the CMS zip (member ``icd10cm_order_YYYY.txt``)."""
    return read_zip_member(read_order, path, ORDER_MEMBER)


def parse_order_line(line: str, *, source: str | None = None, line_number: int | None = None
                     ) -> CodeTitle:
    """One order-file line (without its line end) as a :class:`CodeTitle`."""
    raw, flag = line[6:13].rstrip(), line[14:15]
    if (len(line) < 78 or len(line) > MAX_LINE or not line[0:5].isdigit() or flag not in ("0", "1")
            or line[5] + line[13] + line[15] + line[76] != "    " or not RAW_CODE.fullmatch(raw)):
        raise _order_line_problem(line, source, line_number)
    short, long = line[16:76].rstrip(), line[77:].rstrip()
    if not short or not long:
        raise bad("short or long description is empty", source, line_number, "description")
    return CodeTitle(code=dotted(raw), billable=flag == "1", long_title=long, short_title=short,
                     order_number=int(line[0:5]))


def _order_line_problem(line: str, source: str | None, number: int | None) -> InvalidInput:
    """Say what is wrong with an order-file line that failed the layout checks."""
    if len(line) > MAX_LINE:
        return bad(f"line is {len(line)} characters, more than {MAX_LINE}", source, number)
    if len(line) < 78:
        return bad("line ends before the long description (column 78)", source, number)
    if not line[0:5].isdigit():
        return bad(f"order number {line[0:5]!r} is not 5 digits", source, number, "order number")
    if line[5] + line[13] + line[15] + line[76] != "    ":
        return bad("expected blanks in columns 6, 14, 16 and 77", source, number)
    if not RAW_CODE.fullmatch(line[6:13].rstrip()):
        return bad(f"{line[6:13].rstrip()!r} is not an ICD-10-CM code or header", source, number,
                   "code")
    return bad(f"flag {line[14]!r} is neither 0 (header) nor 1 (valid code)", source, number,
               "flag")


# -- codes file ----------------------------------------------------------------------------


def read_codes(stream: TextIO, *, source: str | None = None) -> Iterator[CodeTitle]:
    """Yield the valid (billable) codes of a codes file, each with its long title."""
    name = source_name(stream, source)
    for number, line in numbered_lines(stream, name):
        if line.strip():
            yield _codes_line(line, name, number)


def read_codes_file(path: str | PathLike[str]) -> Iterator[CodeTitle]:
    """Yield the lines of ``icd10cm_codes_YYYY.txt`` (``.xz`` is decompressed)."""
    return read_text_file(read_codes, path)


def read_codes_zip(path: str | PathLike[str]) -> Iterator[CodeTitle]:
    """Yield the codes file inside the CMS zip (member ``icd10cm_codes_YYYY.txt``)."""
    return read_zip_member(read_codes, path, CODES_MEMBER)


def _codes_line(line: str, source: str | None, number: int) -> CodeTitle:
    if len(line) > MAX_LINE:
        raise bad(f"line is {len(line)} characters, more than {MAX_LINE}", source, number)
    raw, title = line[:7].rstrip(), line[8:].strip()
    if not RAW_CODE.fullmatch(raw) or line[7:8] != " ":
        raise bad(f"{line[:8]!r} is not a code padded to 7 columns and a blank", source, number,
                  "code")
    if not title:
        raise bad("long description is empty", source, number, "description")
    return CodeTitle(code=dotted(raw), billable=True, long_title=title)

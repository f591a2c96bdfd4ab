"""The ICD-10-PCS order file (``icd10pcs_order_YYYY.txt``) and its order addenda.

Order file layout, from CMS's ``icd10pcsOrderFile.pdf`` (in the same zip); one code or table
header a line, at most 400 characters, columns 1-based:

    =========  ======  ====================================================================
    position   length  contents
    =========  ======  ====================================================================
    1          5       order number, right justified, zero filled
    6          1       blank
    7          7       ICD-10-PCS code (a header's 3 characters, blank padded)
    14         1       blank
    15         1       0 = header, not valid for HIPAA-covered transactions; 1 = valid code
    16         1       blank
    17         60      short description
    77         1       blank
    78         to end  long description
    =========  ======  ====================================================================

The order addenda (``order_addenda_YYYY.txt``) lists what changed from last year: a 13-column
action (``Add:``, ``Delete:``, ``Revise from:``, ``Revise to:``), the code in 7 columns, a blank,
the 60-column short title, a blank, the long title; a blank line ends the list and a summary
of counts follows.
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
from chartwell.codesets.model import AddendaLine, CodeTitle

MAX_LINE = 400
ORDER_MEMBER = re.compile(r"(^|/)icd10pcs_order_\d{4}\.txt$")
ADDENDA_MEMBER = re.compile(r"(^|/)order_addenda_\d{4}\.txt$")
_CODE = re.compile(r"[0-9A-HJ-NP-Z]{3}(?:[0-9A-HJ-NP-Z]{4})?")
_ACTIONS = {
    "Add:": "add",
    "Delete:": "delete",
    "Revise from:": "revise_from",
    "Revise to:": "revise_to",
}


# -- order file ----------------------------------------------------------------------------


def read_order(stream: TextIO, *, source: str | None = None) -> Iterator[CodeTitle]:
    """Yield one :class:`CodeTitle` per line of an order file (text stream), in order."""
    name = source_name(stream, source)
    for number, line in numbered_lines(stream, name):
        yield _order_line(line, name, number)


def read_order_file(path: str | PathLike[str]) -> Iterator[CodeTitle]:
    """Yield the lines of ``icd10pcs_order_YYYY.txt`` (``.xz`` is decompressed)."""
    return read_text_file(read_order, path)


def read_order_zip(path: str | PathLike[str]) -> Iterator[CodeTitle]:
    """Yield the order file inside CMS's zip (``YYYY-icd-10-pcs-order-file-...-titles.zip``)."""
    return read_zip_member(read_order, path, ORDER_MEMBER)


def _order_line(line: str, source: str | None, number: int) -> CodeTitle:
    if len(line) > MAX_LINE:
        raise bad(f"line is {len(line)} characters, more than {MAX_LINE}", source, number)
    if len(line) < 78:
        raise bad("line ends before the long description (column 78)", source, number)
    order, code, flag = line[0:5], line[6:13].rstrip(), line[14]
    if not order.isdigit():
        raise bad(f"order number {order!r} is not 5 digits", source, number, "order number")
    if line[5] != " " or line[13] != " " or line[15] != " " or line[76] != " ":
        raise bad("expected blanks in columns 6, 14, 16 and 77", source, number)
    if not _CODE.fullmatch(code):
        raise bad(f"{code!r} is not an ICD-10-PCS code or table header", source, number, "code")
    if flag not in "01" or (flag == "1") != (len(code) == 7):
        raise bad(f"flag {flag!r} does not fit {code!r} (1 = a 7-character code)", source,
                  number, "flag")
    short, long = line[16:76].rstrip(), line[77:].rstrip()
    if not short or not long:
        raise bad("short or long description is empty", source, number, "description")
    return CodeTitle(
        code=code, billable=flag == "1", long_title=long, short_title=short, order_number=int(order)
    )


# -- order addenda -------------------------------------------------------------------------


def read_order_addenda(stream: TextIO, *, source: str | None = None) -> Iterator[AddendaLine]:
    """Yield the Add / Delete / Revise lines of an order addenda file, up to its summary."""
    name = source_name(stream, source)
    for number, line in numbered_lines(stream, name):
        if not line.strip():
            return
        yield _addenda_line(line, name, number)


def read_order_addenda_zip(path: str | PathLike[str]) -> Iterator[AddendaLine]:
    """Yield the order addenda inside the CMS order-file zip."""
    return read_zip_member(read_order_addenda, path, ADDENDA_MEMBER)


def _addenda_line(line: str, source: str | None, number: int) -> AddendaLine:
    action = _ACTIONS.get(line[:13].strip())
    if action is None:
        raise bad(f"unknown action {line[:13].strip()!r}", source, number, "action")
    code = line[13:20].rstrip()
    if not _CODE.fullmatch(code):
        raise bad(f"{code!r} is not an ICD-10-PCS code or table header", source, number, "code")
    if line[20:21] != " " or line[81:82] != " ":
        raise bad("expected blanks in columns 21 and 82", source, number)
    title = line[82:].rstrip()
    if not title:
        raise bad("long description is empty", source, number, "description")
    return AddendaLine(action=action, code=code, title=title)

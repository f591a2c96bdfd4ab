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

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from typing import TextIO

from chartwell.codesets.model import AddendaLine, CodeTitle
from chartwell.errors import InvalidInput, Position

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
    name = source if source is not None else getattr(stream, "name", None)
    for number, line in _lines(stream, name):
        yield _order_line(line, Position(file=name, line=number))


def read_order_file(path: str | PathLike[str]) -> Iterator[CodeTitle]:
    """Yield the lines of ``icd10pcs_order_YYYY.txt``."""
    with open(path, encoding="utf-8", newline="") as stream:
        yield from read_order(stream, source=str(path))


def read_order_zip(path: str | PathLike[str]) -> Iterator[CodeTitle]:
    """Yield the order file inside CMS's zip (``YYYY-icd-10-pcs-order-file-...-titles.zip``)."""
    with _zip_member(path, ORDER_MEMBER) as (stream, name):
        yield from read_order(stream, source=name)


def _order_line(line: str, where: Position) -> CodeTitle:
    if len(line) > MAX_LINE:
        raise _bad(f"line is {len(line)} characters, more than {MAX_LINE}", where)
    if len(line) < 78:
        raise _bad("line ends before the long description (column 78)", where)
    order, code, flag = line[0:5], line[6:13].rstrip(), line[14]
    if not order.isdigit():
        raise _bad(f"order number {order!r} is not 5 digits", where, "order number")
    if line[5] != " " or line[13] != " " or line[15] != " " or line[76] != " ":
        raise _bad("expected blanks in columns 6, 14, 16 and 77", where)
    if not _CODE.fullmatch(code):
        raise _bad(f"{code!r} is not an ICD-10-PCS code or table header", where, "code")
    if flag not in "01" or (flag == "1") != (len(code) == 7):
        raise _bad(f"flag {flag!r} does not fit {code!r} (1 = a 7-character code)", where, "flag")
    short, long = line[16:76].rstrip(), line[77:].rstrip()
    if not short or not long:
        raise _bad("short or long description is empty", where, "description")
    return CodeTitle(
        code=code, billable=flag == "1", long_title=long, short_title=short, order_number=int(order)
    )


# -- order addenda -------------------------------------------------------------------------


def read_order_addenda(stream: TextIO, *, source: str | None = None) -> Iterator[AddendaLine]:
    """Yield the Add / Delete / Revise lines of an order addenda file, up to its summary."""
    name = source if source is not None else getattr(stream, "name", None)
    for number, line in _lines(stream, name):
        if not line.strip():
            return
        yield _addenda_line(line, Position(file=name, line=number))


def read_order_addenda_zip(path: str | PathLike[str]) -> Iterator[AddendaLine]:
    """Yield the order addenda inside the CMS order-file zip."""
    with _zip_member(path, ADDENDA_MEMBER) as (stream, name):
        yield from read_order_addenda(stream, source=name)


def _addenda_line(line: str, where: Position) -> AddendaLine:
    action = _ACTIONS.get(line[:13].strip())
    if action is None:
        raise _bad(f"unknown action {line[:13].strip()!r}", where, "action")
    code = line[13:20].rstrip()
    if not _CODE.fullmatch(code):
        raise _bad(f"{code!r} is not an ICD-10-PCS code or table header", where, "code")
    if line[20:21] != " " or line[81:82] != " ":
        raise _bad("expected blanks in columns 21 and 82", where)
    title = line[82:].rstrip()
    if not title:
        raise _bad("long description is empty", where, "description")
    return AddendaLine(action=action, code=code, title=title)


# -- shared --------------------------------------------------------------------------------


def _lines(stream: TextIO, source: str | None) -> Iterator[tuple[int, str]]:
    number = 0
    try:
        for number, line in enumerate(stream, start=1):  # noqa: B007 - used after the loop
            yield number, line.rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"not UTF-8 text at or after this line ({error.reason})",
            Position(file=source, line=number + 1),
        ) from None


@contextmanager
def _zip_member(
    path: str | PathLike[str], pattern: re.Pattern[str]
) -> Iterator[tuple[TextIO, str]]:
    """Open the one member of a zip whose name matches ``pattern`` as UTF-8 text."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise InvalidInput(f"not a zip file ({error})", Position(file=str(path))) from None
    with archive:
        names = [name for name in archive.namelist() if pattern.search(name)]
        if len(names) != 1:
            found = ", ".join(names) or "none"
            raise InvalidInput(
                f"expected one member matching {pattern.pattern}, found {found}",
                Position(file=str(path)),
            )
        name = f"{path}!{names[0]}"
        with io.TextIOWrapper(archive.open(names[0]), encoding="utf-8", newline="") as stream:
            try:
                yield stream, name
            except (zipfile.BadZipFile, zlib.error, EOFError) as error:
                raise InvalidInput(f"damaged zip member ({error})", Position(file=name)) from None


def _bad(message: str, where: Position, field: str | None = None) -> InvalidInput:
    if field is not None:
        where = Position(file=where.file, line=where.line, field=field)
    return InvalidInput(message, where)

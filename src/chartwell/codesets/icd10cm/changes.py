"""What changes between ICD-10-CM releases: the conversion table and the codes/order addenda.

**Conversion table** (CDC/NCHS, "ICD-10-CM Conversion Table FYyyyy"): one row per code created
since FY2016, with the year it took effect and the code(s) it replaced. Published as CSV and
.xlsx up to FY2025 (``2025-conversion-table.zip`` holds
``508_Compliant_Version_of_ICD-10-CM-Conversion-Table-FY25.csv``), and as .xlsx only for FY2026.
Both have a note row, then the header ``Current code assignment, Effective, Previous Code(s)
Assignment``, then the rows. ``Effective`` is kept as published: the calendar year in which the
code took effect on October 1 (so a code new in FY2026, such as E11.A, says ``"2025"``) or, for a
mid-year update, a date; a date cell of the .xlsx is written ``mm/dd/yy`` as the CSV has it
(``"04/01/23"``). The previous-code column is free text: it is split on ``,``, ``;``, ``&`` and
``and``, and each item kept as published: mostly codes, but also ranges (``"H02.101-H02.106"``),
partial codes (``"I63.-"``) and words (``"Codes in Categories T15-T19"``); ``"None"`` (no
previous code) gives an empty tuple. A current code published without its dot (FY2026's
``W453XXA``) is written with it.

**Addenda** (``icd10cm_codes_addenda_YYYY.txt`` and ``icd10cm_order_addenda_YYYY.txt`` in the
"Code Descriptions in Tabular Order" zip): the lines that turn last year's codes/order file into
this year's, then a blank line and a summary of counts (checked here against the lines)::

    codes addenda   1-13 action (Add:, Delete:, Revise from:, Revise to:)  14-20 code
                    21 blank  22- long title
    order addenda   1-13 action  14 flag (0 header, 1 valid code)  15 blank  16-22 code
                    23 blank  24-83 short title  84 blank  85- long title

The codes addenda lists valid (billable) codes only, so its lines have ``billable=None`` (the
flag is not in the file); order-addenda lines are :class:`OrderAddendaLine` with the flag and
the short title.

**apply_addenda** builds a release's code list from the previous one plus its addenda (FY2027
= FY2026 order file + FY2027 codes addenda). With the order addenda the result is exact. With
the codes addenda only (all that exists for FY2027 here), headers have to be inferred:

* a deleted code that a new code now sits under (``D69.1`` deleted, ``D69.11`` added) stays as a
  header with its title (so it was for all 16 such codes in FY2026);
* a new code whose parent is missing brings the missing header(s) with it, but the codes
  addenda does not publish header titles: such a header's ``long_title`` is ``""`` (48 of them
  for FY2027, e.g. ``T52.81``). Placeholder levels (``O31.40X``) are not added: the order file
  lists them only now and then;
* a header left with no valid code under it by the deletions goes (``T52.8X``, ``S23.420`` in
  FY2027);
* a revised or added code's short title is unknown: ``short_title=None``;
* header titles revised by the order addenda (7 in FY2026) are not in the codes addenda, so they
  keep last year's wording.

Checked on FY2025 -> FY2026: with the order addenda every entry, flag and title comes out as
CMS published it; with the codes addenda the valid codes are exact and the headers all there
but one placeholder (``T36.AX``). FY2026 + FY2027 codes addenda gives 74,879 valid codes and
98,403 lines, the counts CMS reports for the FY2027 order file.

New entries are placed under their parent after the last sibling that sorts before them, which
is where CMS put all the FY2026 additions but two (L98.A, which CMS put after L98.4, and Y93.L,
after Y93.K, land at the end of their siblings here). Order numbers are renumbered 1..n when the
input had them (CMS renumbers every release). Lines that do not fit the previous release
(deleting a code it lacks, adding one it has, revising from another title) raise
:class:`InvalidInput`: the addenda belongs to another release.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from os import PathLike
from typing import BinaryIO, TextIO

from chartwell.codesets._files import (
    bad,
    csv_rows,
    numbered_lines,
    read_binary_file,
    read_text_file,
    read_zip_member,
    source_name,
)
from chartwell.codesets.icd10cm._codes import DOTTED_CODE, RAW_CODE, dotted, undotted
from chartwell.codesets.icd10cm._xlsx import first_sheet_rows
from chartwell.codesets.model import AddendaLine, CodeTitle, ConversionEntry
from chartwell.errors import InvalidInput, Position

CONVERSION_CSV_MEMBER = re.compile(r"\.csv$", re.IGNORECASE)
CODES_ADDENDA_MEMBER = re.compile(r"(^|/)icd10cm_codes_addenda_\d{4}\.txt$")
ORDER_ADDENDA_MEMBER = re.compile(r"(^|/)icd10cm_order_addenda_\d{4}\.txt$")
CONVERSION_HEADER = ("current code", "effective", "previous code")
ACTIONS = {"Add:": "add", "Delete:": "delete", "Revise from:": "revise_from",
           "Revise to:": "revise_to"}
_PREVIOUS_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.IGNORECASE)
_SUMMARY_COUNT = re.compile(r"\s*(\d+) (additions|deletions|revisions)\s*$")
_SUMMARY_OTHER = re.compile(r"\s*(\d+ (codes|headers) in \S+|of which|\d+ revisions to .*)\s*$")


@dataclass(frozen=True, slots=True)
class OrderAddendaLine(AddendaLine):
    """A line of the order addenda: an :class:`AddendaLine` (``title`` = long title, ``billable``
    = the flag) plus the short title, which :class:`AddendaLine` has no field for."""

    short_title: str | None = None


# -- conversion table ----------------------------------------------------------------------


def read_conversion_csv(stream: TextIO, *, source: str | None = None) -> Iterator[ConversionEntry]:
    """Yield the rows of the conversion table's CSV edition (a text stream)."""
    name = source_name(stream, source)
    yield from _conversion_entries(csv_rows(stream, name), name)


def read_conversion_csv_file(path: str | PathLike[str]) -> Iterator[ConversionEntry]:
    """Yield the rows of a conversion-table CSV file."""
    return read_text_file(read_conversion_csv, path)


def read_conversion_zip(path: str | PathLike[str]) -> Iterator[ConversionEntry]:
    """Yield the rows of the CSV member of a CMS conversion-table zip
    (``2025-conversion-table.zip``)."""
    return read_zip_member(read_conversion_csv, path, CONVERSION_CSV_MEMBER)


def read_conversion_xlsx(stream: BinaryIO, *, source: str | None = None
                         ) -> Iterator[ConversionEntry]:
    """Yield the rows of the conversion table's .xlsx edition (first sheet; a seekable binary
    stream)."""
    name = source_name(stream, source)
    yield from _conversion_entries(first_sheet_rows(stream, name), name)


def read_conversion_xlsx_file(path: str | PathLike[str]) -> Iterator[ConversionEntry]:
    """Yield the rows of ``ICD-10-CM-CONVERSION-TABLE-FYyyyy.xlsx``."""
    return read_binary_file(read_conversion_xlsx, path)


def _conversion_entries(rows: Iterable[tuple[int, Sequence[str | date]]], source: str | None
                        ) -> Iterator[ConversionEntry]:
    header_seen = False
    for number, row in rows:
        cells = [_cell_text(cell) for cell in row] + ["", "", ""]
        if header_seen:
            if any(cells):
                yield _conversion_row(cells, source, number)
        elif cells[0].lower().startswith(CONVERSION_HEADER[0]):
            _check_conversion_header(cells, source, number)
            header_seen = True
    if not header_seen:
        raise bad("no header row 'Current code assignment, Effective, Previous Code(s) "
                  "Assignment': not an ICD-10-CM conversion table", source)


def _cell_text(cell: str | date) -> str:
    return cell.strftime("%m/%d/%y") if isinstance(cell, date) else cell.strip()


def _check_conversion_header(cells: list[str], source: str | None, number: int) -> None:
    for position, (cell, expected) in enumerate(zip(cells, CONVERSION_HEADER, strict=False)):
        if not cell.lower().startswith(expected):
            raise bad(f"column {position + 1} is {cell!r}, expected a heading starting "
                      f"{expected!r}", source, number, f"column {position + 1}")


def _conversion_row(cells: list[str], source: str | None, number: int) -> ConversionEntry:
    current, effective, previous = cells[0], cells[1], cells[2]
    if RAW_CODE.fullmatch(current):  # FY2026 writes W45.3XXA-S without their dot
        current = dotted(current)
    if not DOTTED_CODE.fullmatch(current):
        raise bad(f"{current!r} is not an ICD-10-CM code", source, number,
                  "Current code assignment")
    if not effective:
        raise bad("the effective year is empty", source, number, "Effective")
    items = tuple(item for item in _PREVIOUS_SEPARATORS.split(previous) if item)
    if items in ((), ("None",)):
        items = ()
    return ConversionEntry(current_code=current, effective=effective, previous_codes=items)


# -- addenda -------------------------------------------------------------------------------


def read_codes_addenda(stream: TextIO, *, source: str | None = None) -> Iterator[AddendaLine]:
    """Yield the lines of a codes addenda file (a text stream), then check its summary."""
    name = source_name(stream, source)
    yield from _addenda(stream, name, _codes_addenda_line)


def read_codes_addenda_file(path: str | PathLike[str]) -> Iterator[AddendaLine]:
    """Yield the lines of ``icd10cm_codes_addenda_YYYY.txt``."""
    return read_text_file(read_codes_addenda, path)


def read_codes_addenda_zip(path: str | PathLike[str]) -> Iterator[AddendaLine]:
    """Yield the codes addenda inside the CMS zip (member ``icd10cm_codes_addenda_YYYY.txt``)."""
    return read_zip_member(read_codes_addenda, path, CODES_ADDENDA_MEMBER)


def read_order_addenda(stream: TextIO, *, source: str | None = None
                       ) -> Iterator[OrderAddendaLine]:
    """Yield the lines of an order addenda file (a text stream), then check its summary."""
    name = source_name(stream, source)
    yield from _addenda(stream, name, _order_addenda_line)


def read_order_addenda_file(path: str | PathLike[str]) -> Iterator[OrderAddendaLine]:
    """Yield the lines of ``icd10cm_order_addenda_YYYY.txt``."""
    return read_text_file(read_order_addenda, path)


def read_order_addenda_zip(path: str | PathLike[str]) -> Iterator[OrderAddendaLine]:
    """Yield the order addenda inside the CMS zip (member ``icd10cm_order_addenda_YYYY.txt``)."""
    return read_zip_member(read_order_addenda, path, ORDER_ADDENDA_MEMBER)


def _addenda(stream: TextIO, source: str | None, parse_line):
    counted = _Tally()
    summary: dict[str, dict[str, int]] = {}
    section: str | None = None
    pending_from: tuple[AddendaLine, int] | None = None
    for number, line in numbered_lines(stream, source):
        if line[:13].strip() in ACTIONS and section is None and not summary:
            entry = parse_line(line, source, number)
            pending_from = _pair_revisions(pending_from, entry, source, number)
            counted.add(entry)
            yield entry
        elif pending_from is not None:
            raise bad("'Revise from:' is not followed by 'Revise to:'", source, pending_from[1])
        else:
            section = _summary_line(line, section, summary, source, number)
    if pending_from is not None:
        raise bad("'Revise from:' is not followed by 'Revise to:'", source, pending_from[1])
    counted.check(summary, source)


def _pair_revisions(pending: tuple[AddendaLine, int] | None, entry: AddendaLine,
                    source: str | None, number: int) -> tuple[AddendaLine, int] | None:
    if pending is not None:
        if entry.action != "revise_to" or entry.code != pending[0].code:
            raise bad("'Revise from:' is not followed by 'Revise to:' for the same code", source,
                      pending[1])
        return None
    if entry.action == "revise_to":
        raise bad("'Revise to:' without a 'Revise from:' line before it", source, number)
    return (entry, number) if entry.action == "revise_from" else None


def _summary_line(line: str, section: str | None, summary: dict[str, dict[str, int]],
                  source: str | None, number: int) -> str | None:
    stripped = line.strip()
    if stripped in ("Codes", "Headers"):
        summary[stripped] = {}
        return stripped
    if not stripped or _SUMMARY_OTHER.fullmatch(line):
        return section
    count = _SUMMARY_COUNT.fullmatch(line)
    if count and section is not None:
        summary[section][count.group(2)] = int(count.group(1))
        return section
    raise bad(f"{stripped[:40]!r} is neither an addenda line nor part of the summary", source,
              number)


def _codes_addenda_line(line: str, source: str | None, number: int) -> AddendaLine:
    raw, title = line[13:20].rstrip(), line[21:].rstrip()
    if not RAW_CODE.fullmatch(raw) or line[20:21] != " " or line[12] != " ":
        raise bad(f"{line[13:21]!r} is not a code in columns 14-20 and a blank", source, number,
                  "code")
    if not title:
        raise bad("the long description is empty", source, number, "description")
    return AddendaLine(action=ACTIONS[line[:13].strip()], code=dotted(raw), title=title)


def _order_addenda_line(line: str, source: str | None, number: int) -> OrderAddendaLine:
    flag, raw = line[13:14], line[15:22].rstrip()
    if flag not in ("0", "1") or line[14:15] != " ":
        raise bad(f"flag {flag!r} in column 14 is neither 0 (header) nor 1 (valid code)", source,
                  number, "flag")
    if not RAW_CODE.fullmatch(raw) or line[22:23] != " ":
        raise bad(f"{line[15:23]!r} is not a code in columns 16-22 and a blank", source, number,
                  "code")
    if len(line) < 85 or line[83] != " ":
        raise bad("line ends before the long description (column 85)", source, number)
    short, long = line[23:83].rstrip(), line[84:].rstrip()
    if not short or not long:
        raise bad("short or long description is empty", source, number, "description")
    return OrderAddendaLine(action=ACTIONS[line[:13].strip()], code=dotted(raw), title=long,
                            billable=flag == "1", short_title=short)


class _Tally:
    """Counts of an addenda's lines per summary section (Codes / Headers) and kind."""

    KINDS = {"add": "additions", "delete": "deletions", "revise_to": "revisions"}

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}

    def add(self, line: AddendaLine) -> None:
        if line.action in self.KINDS:
            section = "Headers" if line.billable is False else "Codes"
            key = (section, self.KINDS[line.action])
            self.counts[key] = self.counts.get(key, 0) + 1

    def check(self, summary: dict[str, dict[str, int]], source: str | None) -> None:
        if "Codes" not in summary:
            raise bad("no summary of counts after the lines (is the file truncated?)", source)
        for section, counts in summary.items():
            for kind, stated in counts.items():
                found = self.counts.get((section, kind), 0)
                if found != stated:
                    raise bad(f"the summary says {stated} {kind} of {section.lower()}, the file "
                              f"has {found} (is it truncated?)", source, field=section)


# -- applying addenda ----------------------------------------------------------------------


def apply_addenda(titles: Iterable[CodeTitle], addenda: Iterable[AddendaLine]) -> list[CodeTitle]:
    """The code list of a new release: the previous release's ``titles`` (order file, with
    headers, or codes file) changed by its ``addenda`` (codes or order addenda lines). See the
    module notes for how headers are inferred from a codes addenda."""
    release = _Release(titles)
    lines = list(addenda)
    for line in lines:
        if line.action == "delete":
            release.delete(line)
    for line in sorted((line for line in lines if line.action == "add"),
                       key=lambda line: undotted(line.code)):
        release.add(line)
    for line in lines:
        if line.action in ("revise_from", "revise_to"):
            release.revise(line)
    release.settle()
    return release.flatten()


class _Release:
    """A code list as a tree of code prefixes (E11 > E11.4 > E11.40), kept in tabular order."""

    def __init__(self, titles: Iterable[CodeTitle]):
        self.entries: dict[str, CodeTitle] = {}
        self.children: dict[str, list[str]] = {"": []}
        self.parent: dict[str, str] = {}
        self.pending_delete: set[str] = set()  # codes-addenda deletions, settled at the end
        for title in titles:
            raw = undotted(title.code)
            if raw in self.entries:
                raise InvalidInput(f"{title.code} is listed twice in the previous release",
                                   Position(field=title.code))
            self._attach(raw, title, at_end=True)
        self.has_headers = any(not title.billable for title in self.entries.values())
        self.numbered = any(title.order_number is not None for title in self.entries.values())

    def delete(self, line: AddendaLine) -> None:
        raw = undotted(line.code)
        entry = self.entries.get(raw)
        if entry is None:
            raise _misfit(f"deletes {line.code}, which the previous release does not have", line)
        if line.billable is None:  # codes addenda: only valid codes are listed
            if not entry.billable:
                raise _misfit(f"deletes {line.code}, which is a header, not a valid code", line)
            self.pending_delete.add(raw)
        elif entry.billable != line.billable:
            raise _misfit(f"deletes {line.code} as a {_kind(line.billable)}, the previous "
                          f"release has it as a {_kind(entry.billable)}", line)
        else:
            self._detach(raw)

    def add(self, line: AddendaLine) -> None:
        raw = undotted(line.code)
        short = line.short_title if isinstance(line, OrderAddendaLine) else None
        title = CodeTitle(code=line.code, billable=line.billable is not False,
                          long_title=line.title, short_title=short)
        existing = self.entries.get(raw)
        if existing is not None and (existing.billable or line.billable is not None) \
                and raw not in self.pending_delete:
            raise _misfit(f"adds {line.code}, which the previous release already has", line)
        if existing is not None:  # a header (or a deleted code) becomes a valid code again
            self.entries[raw] = replace(title, order_number=existing.order_number)
            self.pending_delete.discard(raw)
            return
        if line.billable is None and self.has_headers:
            self._add_missing_headers(raw, line)
        self._attach(raw, title, at_end=False)

    def revise(self, line: AddendaLine) -> None:
        raw = undotted(line.code)
        entry = self.entries.get(raw)
        if entry is None:
            raise _misfit(f"revises {line.code}, which the previous release does not have", line)
        if line.action == "revise_from":
            if entry.long_title != line.title:
                raise _misfit(f"revises {line.code} from {line.title!r}, the previous release "
                              f"has {entry.long_title!r}", line)
            return
        short = line.short_title if isinstance(line, OrderAddendaLine) else None
        self.entries[raw] = replace(entry, long_title=line.title, short_title=short)

    def settle(self) -> None:
        """Deleted codes with new codes under them become headers; the others go, and so do the
        headers their going leaves empty."""
        emptied: set[str] = set()
        for raw in sorted(self.pending_delete, key=len, reverse=True):
            if self.children[raw] and self.has_headers:
                self.entries[raw] = replace(self.entries[raw], billable=False)
            else:
                emptied.add(self.parent[raw])
                self._detach(raw)
        for raw in sorted(emptied, key=len, reverse=True):
            self._drop_if_empty(raw)

    def flatten(self) -> list[CodeTitle]:
        out: list[CodeTitle] = []
        stack = list(reversed(self.children[""]))
        while stack:
            raw = stack.pop()
            entry = self.entries[raw]
            number = len(out) + 1 if self.numbered else None
            if entry.order_number != number:
                entry = CodeTitle(code=entry.code, billable=entry.billable,
                                  long_title=entry.long_title, short_title=entry.short_title,
                                  order_number=number)
            out.append(entry)
            stack.extend(reversed(self.children[raw]))
        return out

    # -- the tree --

    def _attach(self, raw: str, title: CodeTitle, *, at_end: bool) -> None:
        parent = next((raw[:n] for n in range(len(raw) - 1, 2, -1) if raw[:n] in self.entries), "")
        siblings = self.children[parent]
        if at_end:
            siblings.append(raw)
            self.children[raw] = []
        else:
            before = [i for i, sibling in enumerate(siblings) if sibling < raw]
            siblings.insert(before[-1] + 1 if before else 0, raw)
            adopted = [other for other in siblings if other != raw and other.startswith(raw)]
            siblings[:] = [sibling for sibling in siblings if sibling not in adopted]
            self.children[raw] = adopted
            for child in adopted:
                self.parent[child] = raw
        self.parent[raw] = parent
        self.entries[raw] = title

    def _detach(self, raw: str) -> None:
        parent = self.parent.pop(raw)
        siblings = self.children[parent]
        index = siblings.index(raw)
        orphans = self.children.pop(raw)
        siblings[index:index + 1] = orphans
        for child in orphans:
            self.parent[child] = parent
        del self.entries[raw]

    def _add_missing_headers(self, raw: str, line: AddendaLine) -> None:
        for length in range(3, len(raw)):
            prefix = raw[:length]
            if prefix in self.entries:
                if self.entries[prefix].billable and prefix not in self.pending_delete:
                    raise _misfit(f"adds {line.code} under {dotted(prefix)}, a valid code the "
                                  "addenda does not delete", line)
            elif not prefix.endswith("X"):  # placeholder levels are not always listed
                header = CodeTitle(code=dotted(prefix), billable=False, long_title="")
                self._attach(prefix, header, at_end=False)

    def _drop_if_empty(self, raw: str) -> None:
        while raw in self.entries and not self.entries[raw].billable \
                and not self._has_valid_code_under(raw):
            parent = self.parent[raw]
            self._detach(raw)
            raw = parent

    def _has_valid_code_under(self, raw: str) -> bool:
        stack = list(self.children[raw])
        while stack:
            child = stack.pop()
            if self.entries[child].billable:
                return True
            stack.extend(self.children[child])
        return False


def _kind(billable: bool) -> str:
    return "valid code" if billable else "header"


def _misfit(message: str, line: AddendaLine) -> InvalidInput:
    return InvalidInput(f"the addenda {message}: it does not apply to this release",
                        Position(field=f"{line.action} {line.code}"))

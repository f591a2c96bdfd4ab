"""The POA-exempt list: ICD-10-CM codes for which no present-on-admission indicator is
reported (the field is left blank on the UB-04 / 837I). Published by CMS/CDC each fiscal year as
``POAexemptCodesFYyy.txt`` (tab-delimited: order number, code with its dot, description) inside
``YYYY-poa-exempt-codes.zip``; source: ICD-10-CM Official Guidelines, Appendix I
(Present on Admission Reporting Guidelines), "Categories and codes exempt from diagnosis present
on admission requirement".

The loader follows the table-set pattern every edit table uses: ``load(plan, progress)`` gives a
:class:`~chartwell.codesets.build.Loaded` whose ``tables`` writer fills the artifact's own table,
and :class:`PoaExemptList` reads it back (the whole list, ~38,000 codes, is held as a set: the
edits ask once per diagnosis).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from functools import cached_property
from typing import TextIO

from chartwell.codesets._files import bad, numbered_lines, read_text_file, read_zip_member
from chartwell.codesets.artifact import Artifact, ReleaseContent
from chartwell.codesets.build import Loaded, Progress, source_file
from chartwell.codesets.install import Kind, Plan
from chartwell.codesets.model import TableSet
from chartwell.errors import InvalidInput

_MEMBER = re.compile(r"(^|/)POAexemptCodesFY\d{2}\.txt$", re.IGNORECASE)
_CODE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z](\.[0-9A-Z]{1,4})?$")  # QA0.0101 since FY2026
SCHEMA = "CREATE TABLE poa_exempt (code TEXT PRIMARY KEY, title TEXT NOT NULL) WITHOUT ROWID;"


def read_poa_exempt(stream: TextIO, source: str | None = None) -> Iterator[tuple[str, str]]:
    """``(code, title)`` for each line after the header; a malformed line names its number."""
    for number, line in numbered_lines(stream, source):
        if number == 1 or not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) < 3:
            raise bad("expected order number, code and description separated by tabs", source,
                      number)
        code = cells[1].strip().upper()
        if not _CODE.match(code):
            raise bad(f"{code!r} is not an ICD-10-CM code", source, number, "POAexemptCode")
        yield code, cells[2].strip().strip('"')


def load(plan: Plan, progress: Progress) -> Loaded:
    found = plan.one(Kind.POA_EXEMPT, Kind.POA_EXEMPT_ZIP)
    if found is None:
        raise InvalidInput(f"POA-exempt list {plan.version}: no POAexemptCodesFYyy.txt given")
    progress(f"POA-exempt list {plan.version}: reading {found.path.name}")
    if found.kind == Kind.POA_EXEMPT_ZIP:
        rows = list(read_zip_member(read_poa_exempt, found.path, _MEMBER))
    else:
        rows = list(read_text_file(read_poa_exempt, found.path))

    def tables(connection: sqlite3.Connection) -> dict[str, int]:
        connection.executescript(SCHEMA)
        connection.executemany("INSERT OR REPLACE INTO poa_exempt VALUES (?, ?)", rows)
        return {"exempt_codes": connection.execute("SELECT count(*) FROM poa_exempt").fetchone()[0]}

    return Loaded(ReleaseContent(system=TableSet.POA), [source_file(found.path, found.role)],
                  tables=tables)


class PoaExemptList:
    """The exempt codes of one installed release."""

    def __init__(self, artifact: Artifact):
        self.artifact = artifact

    @cached_property
    def codes(self) -> frozenset[str]:
        return frozenset(code for (code,) in
                         self.artifact.connection.execute("SELECT code FROM poa_exempt"))

    def is_exempt(self, code: str) -> bool:
        return code in self.codes

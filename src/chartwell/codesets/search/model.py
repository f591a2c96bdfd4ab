"""The encoder's plain types: what is indexed (:class:`SearchDocument`) and what a search answers
(:class:`SearchHit`). No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Source(StrEnum):
    """Where a document's words come from: the field a hit matched."""

    INDEX = "index"
    EXTERNAL_CAUSE_INDEX = "external cause index"
    NEOPLASM_TABLE = "neoplasm table"
    DRUG_TABLE = "drug table"
    TABULAR_TITLE = "tabular title"
    INCLUSION_TERM = "inclusion term"
    PCS_INDEX = "pcs index"
    PCS_TITLE = "pcs title"
    HCPCS_LONG = "hcpcs long description"
    HCPCS_SHORT = "hcpcs short description"
    CPT_DESCRIPTOR = "cpt descriptor"
    # A word the index sends elsewhere with no code of its own ("Carcinoma - see Neoplasm, by
    # site, malignant"; PCS "Lingual tonsil - use Pharynx"): it becomes a query expansion
    # (``text`` also matches ``optional``), not a document.
    ALIAS = "alias"
    # A valid code no document reaches on its own (the 7th-character forms S72.002A,
    # S72.002D ... share their base's documents): kept so a search can complete the base.
    RELEASE_CODE = "release code"


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One way to reach a code: an index path, a table cell, a tabular title or inclusion term,
    a HCPCS or CPT description.

    ``code`` is written as coders write it; it may be a header or the start of a code (index
    ``S72.00-`` is kept as ``S72.00``): the search completes it from the tabular. ``text`` holds
    the words that must match, ``optional`` the nonessential ones (may be absent from a query,
    never required). ``path`` is what a coder reads to check the hit: the index path, the table
    row and column, or the title. ``via`` names a cross reference that was followed.
    """

    code: str
    title: str
    billable: bool
    source: Source
    path: tuple[str, ...]
    text: str
    optional: str = ""
    via: str | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One answer: the code, its title, whether it is billable, a score from 0 to 1, the path
    or field that matched and which words matched where."""

    code: str
    title: str
    billable: bool
    score: float
    path: list[str]
    matched: str

    def to_json(self) -> dict:
        """The ``codes search`` JSON object (DESIGN.md)."""
        return {"code": self.code, "title": self.title, "billable": self.billable,
                "score": self.score, "path": list(self.path), "matched": self.matched}

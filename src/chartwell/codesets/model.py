"""What the official code-set files say, as plain types: the loaders' output.

Each loader reads one CMS/CDC file layout (or a documented third-party copy) and yields these;
the release store versions them by effective date and the encoder searches them. Codes are kept
in the form coders write them: ICD-10-CM with its dot (``E11.40``), ICD-10-PCS as 7 characters,
HCPCS as 5. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class CodeSystem(StrEnum):
    ICD10CM = "icd10cm"
    ICD10PCS = "icd10pcs"
    HCPCS = "hcpcs"
    CPT = "cpt"


class TableSet(StrEnum):
    """The CMS edit and grouping tables, installed, versioned and chosen by date exactly like a
    code system's releases (``chartwell codesets install``), but holding rules, not codes."""

    NCCI = "ncci"  # NCCI procedure-to-procedure and add-on code edits (quarterly)
    MUE = "mue"  # Medically Unlikely Edits (quarterly)
    POA = "poa"  # POA-exempt diagnosis list (fiscal year)
    MSDRG = "msdrg"  # MS-DRG tables: weights (Table 5), MCC and CC lists, CC exclusions (6I-6K)
    CARC = "carc"  # X12 Claim Adjustment Reason Codes (the reasons of 835 CAS adjustments)
    RARC = "rarc"  # Remittance Advice Remark Codes (835 MOA / MIA / LQ remarks)
    HCC = "hcc"  # CMS-HCC risk adjustment tables of a payment year: ICD-10-CM -> CC maps,
    #              relative factors, hierarchies, labels, age/sex edits (V24, V28)


ReleaseSystem = CodeSystem | TableSet
RELEASE_SYSTEMS: tuple[ReleaseSystem, ...] = (*CodeSystem, *TableSet)


def release_system(value: str) -> ReleaseSystem:
    """The code system or table set a release (or a registry row) is of."""
    try:
        return CodeSystem(value)
    except ValueError:
        return TableSet(value)


class NoteKind(StrEnum):
    """Tabular instructional notes (ICD-10-CM Official Guidelines, Section I.A)."""

    INCLUSION_TERM = "inclusion_term"
    INCLUDES = "includes"
    EXCLUDES1 = "excludes1"
    EXCLUDES2 = "excludes2"
    CODE_FIRST = "code_first"
    USE_ADDITIONAL_CODE = "use_additional_code"
    CODE_ALSO = "code_also"
    NOTE = "note"
    SEVENTH_CHARACTER_NOTE = "seventh_character_note"


@dataclass(frozen=True, slots=True)
class CodeTitle:
    """One line of an order file (or codes file): a code or header and its titles."""

    code: str
    billable: bool
    long_title: str
    short_title: str | None = None
    order_number: int | None = None


@dataclass(frozen=True, slots=True)
class TabularNote:
    kind: NoteKind
    text: str


@dataclass(frozen=True, slots=True)
class SeventhCharacter:
    character: str
    meaning: str


@dataclass(slots=True)
class TabularEntry:
    """A chapter, block (section), category or code of the tabular list with its own notes.

    ``kind`` is chapter, block or code; ``parent`` the entry it sits under, so the notes in force
    on a code are its own plus those of every ancestor, each labelled with where it comes from.
    """

    kind: str
    key: str  # chapter number "4", block range "E08-E13", or the code "E11.4"
    title: str
    parent: str | None
    notes: list[TabularNote] = field(default_factory=list)
    seventh_characters: list[SeventhCharacter] = field(default_factory=list)


@dataclass(slots=True)
class IndexTerm:
    """One term of an alphabetic index (disease, external cause, PCS), with its subterms.

    ``nonessential`` are the words in parentheses after the title: they may or may not be in
    the documentation and do not change the code. ``see``/``see_also``/``use`` are cross-
    references; ``code`` may be partial (PCS) or carry a manifestation in brackets (``manif``).
    """

    title: str
    level: int
    nonessential: list[str] = field(default_factory=list)
    code: str | None = None
    manifestation_code: str | None = None
    see: str | None = None
    see_also: str | None = None
    use: str | None = None
    subterms: list[IndexTerm] = field(default_factory=list)


@dataclass(slots=True)
class TableRow:
    """A row of the Neoplasm or Drug table: a site or substance and a code per column
    (for neoplasms: malignant primary, secondary, ca in situ, benign, uncertain, unspecified;
    for drugs: poisoning accidental, intentional self-harm, assault, undetermined, adverse
    effect, underdosing)."""

    title: str
    level: int
    nonessential: list[str] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # column heading -> code
    see: str | None = None
    see_also: str | None = None
    subterms: list[TableRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ConversionEntry:
    """A row of the ICD-10-CM conversion table: a current code and the code(s) it replaced,
    with the fiscal year the change took effect."""

    current_code: str
    effective: str  # "FY 2026" as published
    previous_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AddendaLine:
    """One line of a codes/order addenda file: Add, Delete or Revise (from -> to)."""

    action: str  # add, delete, revise_from, revise_to
    code: str
    title: str
    billable: bool | None = None


@dataclass(frozen=True, slots=True)
class PcsAxisValue:
    position: int  # 1..7
    value: str  # the character
    label: str
    definition: str | None = None


@dataclass(slots=True)
class PcsTable:
    """One ICD-10-PCS table: its first three characters fixed, rows of allowed values for 4-7."""

    section: PcsAxisValue
    body_system: PcsAxisValue
    operation: PcsAxisValue
    rows: list[list[list[PcsAxisValue]]] = field(default_factory=list)  # row -> axis 4..7 -> values


@dataclass(frozen=True, slots=True)
class HcpcsCode:
    """A HCPCS Level II record (CMS alpha-numeric file)."""

    code: str
    long_title: str
    short_title: str | None
    pricing_indicator: str | None = None
    coverage_code: str | None = None
    betos: str | None = None
    type_of_service: str | None = None
    action_code: str | None = None
    added: date | None = None
    action_effective: date | None = None
    terminated: date | None = None


@dataclass(frozen=True, slots=True)
class Modifier:
    code: str
    title: str
    system: CodeSystem = CodeSystem.HCPCS

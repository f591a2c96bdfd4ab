"""A professional claim printed on the CMS-1500 (02/12) paper form, as a PDF.

The form is drawn here, not copied: the rules, the shading and the box labels are laid out on
the form's own print grid (10 characters per inch, 6 lines per inch, US letter), in red ink as on
the OCR form, close to the red-ink layout's positions. The claim's data is printed in black
Courier 12 pt, which is exactly 10 pitch, so every character falls in its grid cell.

Three layers, each data or a small function:

* the geometry: :data:`BOXES` (box id -> rectangle on the grid and its printed label),
  :data:`CHECKBOXES`, :data:`HEADINGS` (the small printed captions) and :data:`FIELDS` (field ->
  where its value is printed: box, column, line, width, alignment);
* the filling: :func:`fill_cms1500` turns a :class:`~chartwell.domain.claims.Claim` into pages of
  :class:`Placement` (which value went to which field, where), pure and testable;
* the drawing: :func:`cms1500_pdf` draws every box with one function (:func:`_draw_box`) and the
  placements on top, and returns the PDF bytes.

Instructions followed are the NUCC "1500 Health Insurance Claim Form Reference Instruction
Manual" for the 02/12 form (cited below as "NUCC item N"). Values are printed in capitals, as
OCR scanning of the form expects.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import StrEnum

from chartwell.domain.claims import (
    Address,
    Claim,
    ClaimKind,
    EntityKind,
    Frequency,
    Person,
    Provider,
    ProviderRole,
    ServiceLine,
)
from chartwell.errors import InvalidInput, Position

# --- the print grid ---------------------------------------------------------------------------

PAGE_WIDTH = 8.5  # inches, US letter
PAGE_HEIGHT = 11.0
COLUMN = 0.1  # 10 characters per inch
LINE = 1 / 6  # 6 lines per inch
LEFT = 0.25  # x of column 1's left edge
TOP = 0.0  # y of line 1's top edge
BASELINE_LIFT = 0.035  # a value's baseline sits this far above the bottom of its line
LINES_PER_PAGE = 6  # service lines in item 24
MAX_DIAGNOSES = 12  # item 21 A-L
LABEL_SIZE = 5.0  # points
LABEL_LEADING = 5.6  # points: two label rows fit in one print line (12 pt)
DATA_SIZE = 12.0  # Courier 12 pt = 10 characters per inch
RED = (200, 35, 45)
SHADE = (252, 228, 228)
BLACK = (0, 0, 0)


def column_x(col: float) -> float:
    """Inches from the page's left edge to the left of grid column ``col`` (1-based)."""
    return LEFT + (col - 1) * COLUMN


def line_top(line: float) -> float:
    """Inches from the page's top edge to the top of print line ``line`` (1-based)."""
    return TOP + (line - 1) * LINE


@dataclass(frozen=True, slots=True)
class Box:
    """One box of the form on the grid: its top-left cell, its size in cells, its label rows."""

    id: str
    col: int
    line: int
    cols: int
    lines: int
    label: tuple[str, ...] = ()
    shaded: bool = False
    ruled: bool = True
    dividers: tuple[float, ...] = ()  # columns with a dotted divider (dollars | cents)

    @property
    def rect(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) in inches from the page's top-left corner."""
        left, top = column_x(self.col), line_top(self.line)
        return left, top, left + self.cols * COLUMN, top + self.lines * LINE

    @property
    def pdf_rect(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) in PDF points, origin bottom-left, as a PDF reader reports text."""
        left, top, right, bottom = self.rect
        return left * 72, (PAGE_HEIGHT - bottom) * 72, right * 72, (PAGE_HEIGHT - top) * 72


def _box(id: str, col: int, line: int, cols: int, lines: int, *label: str, **style) -> Box:
    return Box(id, col, line, cols, lines, tuple(label), **style)


# Service lines: item 24's columns on the unshaded half of each row (id, first column, width,
# header label rows). 24I and 24J span both halves: the shaded top holds a non-NPI id.
SERVICE_COLUMNS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("24A", 1, 18, ("24.  A.    DATE(S) OF SERVICE",)),
    ("24B", 19, 3, ("B.", "PLACE OF", "SERVICE")),
    ("24C", 22, 2, ("C.", "", "EMG")),
    ("24D", 24, 20, ("D. PROCEDURES, SERVICES, OR SUPPLIES", "(Explain Unusual Circumstances)")),
    ("24E", 44, 5, ("E.", "DIAGNOSIS", "POINTER")),
    ("24F", 49, 10, ("F.", "", "$ CHARGES")),
    ("24G", 59, 4, ("G.", "DAYS", "OR", "UNITS")),
    ("24H", 63, 2, ("H.", "EPSDT", "Family", "Plan")),
    ("24I", 65, 3, ("I.", "ID.", "QUAL.")),
    ("24J", 68, 12, ("J.", "RENDERING", "PROVIDER ID. #")),
)
SERVICE_HEADER_LINE = 41  # lines 41-43
FIRST_SERVICE_LINE = 44  # row r: shaded line 44 + 2(r-1), unshaded the line below


def service_row_line(row: int) -> int:
    """The shaded (supplemental) print line of item 24 row ``row`` (1-6)."""
    return FIRST_SERVICE_LINE + 2 * (row - 1)


def _service_boxes() -> Iterator[Box]:
    for id, col, cols, label in SERVICE_COLUMNS:
        yield _box(f"{id}.head", col, SERVICE_HEADER_LINE, cols, 3, *label)
    for row in range(1, LINES_PER_PAGE + 1):
        shaded = service_row_line(row)
        yield _box(f"24.{row}.shade", 1, shaded, 79, 1, shaded=True, ruled=False)
        yield _box(f"24sup.{row}", 1, shaded, 64, 1, ruled=False)
        for id, col, cols, _ in SERVICE_COLUMNS:
            spans_both = id in ("24I", "24J")
            dividers = (56.5,) if id == "24F" else ()
            yield _box(f"{id}.{row}", col, shaded if spans_both else shaded + 1, cols,
                       2 if spans_both else 1, dividers=dividers)


BOXES: dict[str, Box] = {box.id: box for box in (
    _box("carrier", 50, 1, 30, 5, ruled=False),
    _box("pica.left", 1, 6, 4, 1, "PICA"),
    _box("pica.right", 76, 6, 4, 1, "PICA"),
    _box("1", 1, 7, 49, 2, "1."),
    _box("1a", 50, 7, 30, 2, "1a. INSURED'S I.D. NUMBER"),
    _box("2", 1, 9, 29, 2, "2. PATIENT'S NAME (Last Name, First Name, Middle Initial)"),
    _box("3", 30, 9, 20, 2, "3. PATIENT'S BIRTH DATE"),
    _box("4", 50, 9, 30, 2, "4. INSURED'S NAME (Last Name, First Name, Middle Initial)"),
    _box("5", 1, 11, 29, 2, "5. PATIENT'S ADDRESS (No., Street)"),
    _box("6", 30, 11, 20, 2, "6. PATIENT RELATIONSHIP TO INSURED"),
    _box("7", 50, 11, 30, 2, "7. INSURED'S ADDRESS (No., Street)"),
    _box("5.city", 1, 13, 25, 2, "CITY"),
    _box("5.state", 26, 13, 4, 2, "STATE"),
    _box("8", 30, 13, 20, 4, "8. RESERVED FOR NUCC USE"),
    _box("7.city", 50, 13, 25, 2, "CITY"),
    _box("7.state", 75, 13, 5, 2, "STATE"),
    _box("5.zip", 1, 15, 12, 2, "ZIP CODE"),
    _box("5.phone", 13, 15, 17, 2, "TELEPHONE (Include Area Code)"),
    _box("7.zip", 50, 15, 13, 2, "ZIP CODE"),
    _box("7.phone", 63, 15, 17, 2, "TELEPHONE (Include Area Code)"),
    _box("9", 1, 17, 29, 2, "9. OTHER INSURED'S NAME (Last Name, First Name, Middle Initial)"),
    _box("10", 30, 17, 20, 2, "10. IS PATIENT'S CONDITION RELATED TO:"),
    _box("11", 50, 17, 30, 2, "11. INSURED'S POLICY GROUP OR FECA NUMBER"),
    _box("9a", 1, 19, 29, 2, "a. OTHER INSURED'S POLICY OR GROUP NUMBER"),
    _box("10a", 30, 19, 20, 2, "a. EMPLOYMENT? (Current or Previous)"),
    _box("11a", 50, 19, 30, 2, "a. INSURED'S DATE OF BIRTH"),
    _box("9b", 1, 21, 29, 2, "b. RESERVED FOR NUCC USE"),
    _box("10b", 30, 21, 20, 2, "b. AUTO ACCIDENT?"),
    _box("11b", 50, 21, 30, 2, "b. OTHER CLAIM ID (Designated by NUCC)"),
    _box("9c", 1, 23, 29, 2, "c. RESERVED FOR NUCC USE"),
    _box("10c", 30, 23, 20, 2, "c. OTHER ACCIDENT?"),
    _box("11c", 50, 23, 30, 2, "c. INSURANCE PLAN NAME OR PROGRAM NAME"),
    _box("9d", 1, 25, 29, 2, "d. INSURANCE PLAN NAME OR PROGRAM NAME"),
    _box("10d", 30, 25, 20, 2, "10d. CLAIM CODES (Designated by NUCC)"),
    _box("11d", 50, 25, 30, 2, "d. IS THERE ANOTHER HEALTH BENEFIT PLAN?"),
    _box("12", 1, 27, 49, 4,
         "READ BACK OF FORM BEFORE COMPLETING & SIGNING THIS FORM.",
         "12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE  I authorize the release of any medical "
         "or other information necessary",
         "to process this claim. I also request payment of government benefits either to myself or "
         "to the party who accepts assignment",
         "below."),
    _box("13", 50, 27, 30, 4,
         "13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE  I authorize",
         "payment of medical benefits to the undersigned physician or supplier for",
         "services described below."),
    _box("14", 1, 31, 28, 2, "14. DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)"),
    _box("15", 29, 31, 21, 2, "15. OTHER DATE"),
    _box("16", 50, 31, 30, 2, "16. DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION"),
    _box("17", 1, 33, 30, 2, "17. NAME OF REFERRING PROVIDER OR OTHER SOURCE"),
    _box("17a", 31, 33, 19, 1, "17a.", shaded=True),
    _box("17b", 31, 34, 19, 1, "17b.  NPI"),
    _box("18", 50, 33, 30, 2, "18. HOSPITALIZATION DATES RELATED TO CURRENT SERVICES"),
    _box("19", 1, 35, 49, 2, "19. ADDITIONAL CLAIM INFORMATION (Designated by NUCC)"),
    _box("20", 50, 35, 30, 2, "20. OUTSIDE LAB?"),
    _box("21", 1, 37, 49, 4,
         "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line below (24E)"),
    *(_box(f"21{letter}", col, line, cols, 1, f"{letter}.")
      for letter, col, line, cols in (
          ("A", 1, 38, 13), ("B", 14, 38, 13), ("C", 27, 38, 13), ("D", 40, 38, 10),
          ("E", 1, 39, 13), ("F", 14, 39, 13), ("G", 27, 39, 13), ("H", 40, 39, 10),
          ("I", 1, 40, 13), ("J", 14, 40, 13), ("K", 27, 40, 13), ("L", 40, 40, 10))),
    _box("22", 50, 37, 30, 2, "22. RESUBMISSION", "CODE"),
    _box("23", 50, 39, 30, 2, "23. PRIOR AUTHORIZATION NUMBER"),
    *_service_boxes(),
    _box("25", 1, 56, 22, 2, "25. FEDERAL TAX I.D. NUMBER"),
    _box("26", 23, 56, 14, 2, "26. PATIENT'S ACCOUNT NO."),
    _box("27", 37, 56, 13, 2, "27. ACCEPT ASSIGNMENT?", "(For govt. claims, see back)"),
    _box("28", 50, 56, 12, 2, "28. TOTAL CHARGE", "$", dividers=(59.5,)),
    _box("29", 62, 56, 10, 2, "29. AMOUNT PAID", "$", dividers=(69.5,)),
    _box("30", 72, 56, 8, 2, "30. Rsvd for NUCC Use"),
    _box("31", 1, 58, 22, 5,
         "31. SIGNATURE OF PHYSICIAN OR SUPPLIER", "INCLUDING DEGREES OR CREDENTIALS",
         "(I certify that the statements on the reverse",
         "apply to this bill and are made a part thereof.)"),
    _box("32", 23, 58, 27, 4, "32. SERVICE FACILITY LOCATION INFORMATION"),
    _box("32a", 23, 62, 13, 1, "a. NPI"),
    _box("32b", 36, 62, 14, 1, "b.", shaded=True),
    _box("33", 50, 58, 30, 4, "33. BILLING PROVIDER INFO & PH #"),
    _box("33a", 50, 62, 13, 1, "a. NPI"),
    _box("33b", 63, 62, 17, 1, "b.", shaded=True),
)}


@dataclass(frozen=True, slots=True)
class Checkbox:
    """A square to mark with X; its caption printed to its left, or above it with a hint after."""

    box: str
    option: str
    col: int
    line: int
    caption: str
    above: bool = False
    hint: str = ""

    @property
    def field(self) -> str:
        return f"{self.box}.{self.option}"


CHECKBOXES: tuple[Checkbox, ...] = (
    Checkbox("1", "medicare", 2, 8, "MEDICARE", above=True, hint="(Medicare#)"),
    Checkbox("1", "medicaid", 9, 8, "MEDICAID", above=True, hint="(Medicaid#)"),
    Checkbox("1", "tricare", 16, 8, "TRICARE", above=True, hint="(ID#/DoD#)"),
    Checkbox("1", "champva", 24, 8, "CHAMPVA", above=True, hint="(Member ID#)"),
    Checkbox("1", "group_health_plan", 31, 8, "GROUP HEALTH PLAN", above=True, hint="(ID#)"),
    Checkbox("1", "feca_black_lung", 39, 8, "FECA BLK LUNG", above=True, hint="(ID#)"),
    Checkbox("1", "other", 45, 8, "OTHER", above=True, hint="(ID#)"),
    Checkbox("3", "M", 43, 10, "M"),
    Checkbox("3", "F", 48, 10, "F"),
    Checkbox("6", "self", 33, 12, "Self"),
    Checkbox("6", "spouse", 38, 12, "Spouse"),
    Checkbox("6", "child", 42, 12, "Child"),
    Checkbox("6", "other", 47, 12, "Other"),
    *(Checkbox(box, answer, col, line, answer.upper())
      for box, line in (("10a", 20), ("10b", 22), ("10c", 24))
      for answer, col in (("yes", 35), ("no", 40))),
    Checkbox("11a", "M", 70, 20, "M"),
    Checkbox("11a", "F", 76, 20, "F"),
    Checkbox("11d", "yes", 53, 26, "YES"),
    Checkbox("11d", "no", 58, 26, "NO"),
    Checkbox("20", "yes", 53, 36, "YES"),
    Checkbox("20", "no", 58, 36, "NO"),
    Checkbox("25", "ssn", 18, 57, "SSN"),
    Checkbox("25", "ein", 21, 57, "EIN"),
    Checkbox("27", "yes", 40, 57, "YES"),
    Checkbox("27", "no", 46, 57, "NO"),
)
CHECKBOX_BY_FIELD: dict[str, Checkbox] = {each.field: each for each in CHECKBOXES}


@dataclass(frozen=True, slots=True)
class Heading:
    """A caption printed on the form outside a box's label rows: ``row`` 1 or 2 is a label row
    inside print line ``line``; row 0 puts a larger caption on the line's baseline."""

    text: str
    col: float
    line: int
    row: int = 2
    size: float = LABEL_SIZE
    bold: bool = False


def _date_captions(col: int, line: int, year: str = "YY") -> tuple[Heading, ...]:
    return (Heading("MM", col, line), Heading("DD", col + 3, line), Heading(year, col + 6, line))


HEADINGS: tuple[Heading, ...] = (
    Heading("1500", 1, 3, row=0, size=22, bold=True),
    Heading("HEALTH INSURANCE CLAIM FORM", 1, 4, row=0, size=12, bold=True),
    Heading("APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12", 1, 5, row=0, size=6),
    *_date_captions(31, 9, "YYYY"), *_date_captions(53, 19, "YYYY"), *_date_captions(3, 31),
    Heading("QUAL.", 12, 32, row=1), Heading("QUAL.", 30, 31), *_date_captions(38, 31),
    Heading("FROM", 51, 32, row=1), Heading("TO", 65, 32, row=1),
    *_date_captions(54, 31), *_date_captions(69, 31),
    Heading("FROM", 51, 34, row=1), Heading("TO", 65, 34, row=1),
    *_date_captions(54, 33), *_date_captions(69, 33),
    Heading("PLACE (State)", 43, 21),
    Heading("If yes, complete items 9, 9a, and 9d.", 60, 26, row=1),
    Heading("ICD Ind.", 36, 37, row=1),
    Heading("(For Program in Item 1)", 68, 7, row=1), Heading("SEX", 44, 9, row=1),
    Heading("SEX", 71, 19, row=1), Heading("$ CHARGES", 66, 35, row=1),
    Heading("ORIGINAL REF. NO.", 62, 37, row=2),
    Heading("From", 3, 42, row=1), Heading("To", 13, 42, row=1),
    Heading("MM", 1.3, 43, row=1), Heading("DD", 4.3, 43, row=1),
    Heading("YY", 7.3, 43, row=1), Heading("MM", 10.3, 43, row=1), Heading("DD", 13.3, 43, row=1),
    Heading("YY", 16.3, 43, row=1),
    Heading("CPT/HCPCS", 25, 43, row=1), Heading("MODIFIER", 34, 43, row=1),
    Heading("SIGNED", 1, 30, row=1), Heading("DATE", 32, 30, row=1),
    Heading("SIGNED", 50, 30, row=1),
    Heading("SIGNED", 1, 62, row=1), Heading("DATE", 12, 62, row=1),
    Heading("(        )", 68, 58, row=1),
    *(Heading("NPI", 65.2, service_row_line(row) + 1, row=1)
      for row in range(1, LINES_PER_PAGE + 1)),
    *(Heading(str(row), -0.6, service_row_line(row) + 1, row=0, size=9, bold=True)
      for row in range(1, LINES_PER_PAGE + 1)),
    Heading("NUCC Instruction Manual available at: www.nucc.org", 1, 63, row=2, size=5.5),
    Heading("PLEASE PRINT OR TYPE", 32, 63, row=2, size=7, bold=True),
    Heading("APPROVED OMB-0938-1197 FORM 1500 (02-12)", 56, 63, row=2, size=5.5),
)
SIDE_CAPTIONS: tuple[tuple[str, int, int], ...] = (  # vertical, in the right margin: text, from, to
    ("CARRIER", 1, 6),
    ("PATIENT AND INSURED INFORMATION", 7, 30),
    ("PHYSICIAN OR SUPPLIER INFORMATION", 31, 62),
)


class Align(StrEnum):
    LEFT = "left"
    RIGHT = "right"  # numbers: units, and amounts printed "dollars cents" ending at the cents


@dataclass(frozen=True, slots=True)
class Field:
    """Where one value is printed: in ``box``, from ``col`` on print line ``line``, at most
    ``width`` characters (a longer left-aligned value is cut; a longer number is refused)."""

    box: str
    col: int
    line: int
    width: int
    align: Align = Align.LEFT


def _service_fields(row: int) -> Iterator[tuple[str, Field]]:
    line = service_row_line(row) + 1
    yield f"24sup.{row}", Field(f"24sup.{row}", 1, line - 1, 61)
    yield f"24A.from.{row}", Field(f"24A.{row}", 1, line, 8)
    yield f"24A.to.{row}", Field(f"24A.{row}", 10, line, 8)
    yield f"24B.{row}", Field(f"24B.{row}", 19, line, 2)
    yield f"24C.{row}", Field(f"24C.{row}", 22, line, 1)
    yield f"24D.code.{row}", Field(f"24D.{row}", 25, line, 6)
    for number, col in enumerate((32, 35, 38, 41), start=1):
        yield f"24D.modifier{number}.{row}", Field(f"24D.{row}", col, line, 2)
    yield f"24E.{row}", Field(f"24E.{row}", 44, line, 4)
    yield f"24F.{row}", Field(f"24F.{row}", 49, line, 10, Align.RIGHT)
    yield f"24G.{row}", Field(f"24G.{row}", 59, line, 4, Align.RIGHT)
    yield f"24J.{row}", Field(f"24J.{row}", 69, line, 10)


FIELDS: dict[str, Field] = {
    "carrier.name": Field("carrier", 50, 2, 30),
    "carrier.street": Field("carrier", 50, 3, 30),
    "carrier.city": Field("carrier", 50, 4, 30),
    "carrier.page": Field("carrier", 66, 5, 13),
    "1a": Field("1a", 50, 8, 30),
    "2": Field("2", 1, 10, 29),
    "3.birth_date": Field("3", 31, 10, 10),
    "4": Field("4", 50, 10, 30),
    "5.street": Field("5", 1, 12, 29),
    "5.city": Field("5.city", 1, 14, 25),
    "5.state": Field("5.state", 27, 14, 2),
    "5.zip": Field("5.zip", 1, 16, 12),
    "7.street": Field("7", 50, 12, 30),
    "7.city": Field("7.city", 50, 14, 25),
    "7.state": Field("7.state", 76, 14, 2),
    "7.zip": Field("7.zip", 50, 16, 13),
    "11": Field("11", 50, 18, 30),
    "11a.birth_date": Field("11a", 53, 20, 10),
    "11c": Field("11c", 50, 24, 30),
    "12.signature": Field("12", 7, 30, 24),
    "12.date": Field("12", 36, 30, 10),
    "13.signature": Field("13", 56, 30, 24),
    "14.date": Field("14", 3, 32, 8),
    "14.qualifier": Field("14", 16, 32, 3),
    "17.qualifier": Field("17", 1, 34, 2),
    "17.name": Field("17", 4, 34, 27),
    "17b": Field("17b", 36, 34, 10),
    "19": Field("19", 1, 36, 49),
    "21.icd_indicator": Field("21", 41, 37, 1),
    **{f"21{letter}": Field(f"21{letter}", col + 2, line, 8)
       for letter, col, line in (
           ("A", 1, 38), ("B", 14, 38), ("C", 27, 38), ("D", 40, 38),
           ("E", 1, 39), ("F", 14, 39), ("G", 27, 39), ("H", 40, 39),
           ("I", 1, 40), ("J", 14, 40), ("K", 27, 40), ("L", 40, 40))},
    "22.code": Field("22", 51, 38, 2),
    "22.original_ref": Field("22", 62, 38, 18),
    "23": Field("23", 50, 40, 30),
    **{name: spec for row in range(1, LINES_PER_PAGE + 1) for name, spec in _service_fields(row)},
    "25": Field("25", 1, 57, 15),
    "26": Field("26", 23, 57, 14),
    "28": Field("28", 50, 57, 12, Align.RIGHT),
    "29": Field("29", 62, 57, 10, Align.RIGHT),
    "31.name": Field("31", 1, 61, 22),
    "31.date": Field("31", 15, 62, 8),
    "32.name": Field("32", 23, 59, 27),
    "32.street": Field("32", 23, 60, 27),
    "32.city": Field("32", 23, 61, 27),
    "32a": Field("32a", 26, 62, 10),
    "33.name": Field("33", 51, 59, 29),
    "33.street": Field("33", 51, 60, 29),
    "33.city": Field("33", 51, 61, 29),
    "33a": Field("33a", 53, 62, 10),
    "33b": Field("33b", 65, 62, 15),
    **{each.field: Field(each.box, each.col, each.line, 1) for each in CHECKBOXES},
}


# --- what the claim says, box by box ----------------------------------------------------------


class PageTotal(StrEnum):
    """Item 28 on a claim of more than one page. NUCC item 28 asks for "the total of all
    charges in 24F", read here as the 24F of the same form: each page is totalled on its own
    (EACH_PAGE, the default). Some payers (Texas Medicaid TMHP, HMSA) want "CONTINUED" on every
    page but the last and the claim's total on the last (LAST_PAGE)."""

    EACH_PAGE = "each_page"
    LAST_PAGE = "last_page"


@dataclass(frozen=True, slots=True)
class PrintOptions:
    """What the printed form may carry that the 837 claim does not."""

    signed_on: date | None = None  # the date printed beside the signatures (items 12 and 31)
    additional_claim_information: str | None = None  # item 19
    amount_paid: Decimal | None = None  # item 29, printed on the last page only
    page_total: PageTotal = PageTotal.EACH_PAGE


@dataclass(frozen=True, slots=True)
class Placement:
    """One value printed on the form: which field of which box, the text, and its grid cell."""

    page: int  # 1-based
    field: str
    box: str
    text: str
    col: float
    line: int

    @property
    def x(self) -> float:
        """Inches from the page's left edge to the value's first character."""
        return column_x(self.col)

    @property
    def baseline(self) -> float:
        """Inches from the page's top edge to the value's baseline."""
        return line_top(self.line) + LINE - BASELINE_LIFT

    @property
    def pdf_origin(self) -> tuple[float, float]:
        """The text origin in PDF points (origin bottom-left), as a PDF reader reports it."""
        return self.x * 72, (PAGE_HEIGHT - self.baseline) * 72

    @property
    def right(self) -> float:
        """Inches from the page's left edge to the end of the value's last character."""
        return self.x + len(self.text) * COLUMN


@dataclass(frozen=True, slots=True)
class FormPage:
    number: int
    of: int
    placements: tuple[Placement, ...] = field(default=())


# Item 1 from the claim filing indicator (SBR09). NUCC item 1: "Other" covers HMOs, commercial
# insurance, automobile accident, liability and workers' compensation; "Group Health Plan" a
# plan the insured holds through a group (so a commercial plan with a group number).
GOVERNMENT_PROGRAMS: dict[str, str] = {
    "MA": "medicare", "MB": "medicare", "MC": "medicaid", "CH": "tricare", "VA": "champva",
}
GROUP_CAPABLE = frozenset({"BL", "CI", "HM", "FI", "12", "13", "14", "15", "16", "17"})

# Item 6 from the X12 individual relationship code (SBR02 / PAT01); anything else is Other
# (G8 other relationship, 20 employee, 21 unknown, 39/40 organ donors, 53 life partner).
RELATIONSHIPS: dict[str, str] = {"18": "self", "01": "spouse", "19": "child"}

ONSET_QUALIFIER = "431"  # item 14: onset of current symptoms or illness
REFERRING_QUALIFIER = "DN"  # item 17: referring provider
TAXONOMY_QUALIFIER = "ZZ"  # items 32b/33b: provider taxonomy code
NDC_QUALIFIER = "N4"  # item 24 supplemental information
ICD10_INDICATOR = "0"  # item 21: 0 ICD-10-CM, 9 ICD-9-CM
ASSIGNED = frozenset({"A", "B"})  # CLM07: A assigned, B assigned for lab services only


def insurance_type(claim: Claim) -> str:
    """The item 1 checkbox for the claim's filing indicator."""
    indicator = claim.payer.claim_filing_indicator
    if indicator in GOVERNMENT_PROGRAMS:
        return GOVERNMENT_PROGRAMS[indicator]
    if indicator in GROUP_CAPABLE and claim.subscriber.group_number:
        return "group_health_plan"
    return "other"


def printable(text: str) -> str:
    """Capitals in plain ASCII: OCR reads the form's data in capitals, and the PDF's core
    Courier font has no glyph beyond Latin-1 (accents are folded, other characters dropped)."""
    folded = unicodedata.normalize("NFKD", text)
    return folded.encode("ascii", "ignore").decode("ascii").upper()


def _mmddyy(day: date | None) -> str | None:
    return day.strftime("%m %d %y") if day else None


def _mmddyyyy(day: date | None) -> str | None:
    """Birth dates take the 8-digit form (NUCC items 3 and 11a)."""
    return day.strftime("%m %d %Y") if day else None


def _amount(value: Decimal) -> str:
    """Dollars and cents with a space where the form's divider is; no $, no commas, "00"
    cents for whole amounts (NUCC items 24F, 28, 29)."""
    cents = value.quantize(Decimal("0.01"))
    dollars, _, fraction = f"{cents:f}".partition(".")
    return f"{dollars} {fraction or '00'}"


def _number(value: Decimal) -> str:
    """A quantity without trailing zeros: 2, 1.5 (item 24G units, the NDC quantity)."""
    return f"{value.normalize():f}"


def _zip(postal_code: str) -> str:
    """A ZIP+4 is printed with its hyphen (NUCC items 5, 7, 32, 33)."""
    return f"{postal_code[:5]}-{postal_code[5:]}" if len(postal_code) == 9 else postal_code


def _last_first(person: Person) -> str:
    """Item 2 / 4: "Last, First", separated by a comma (NUCC item 2)."""
    return f"{person.family_name}, {person.given_name}"


def _provider_name(provider: Provider) -> str:
    """Items 17, 31, 32, 33: a person as "First Last", an organisation by its name."""
    if provider.entity is EntityKind.ORGANIZATION or not provider.given_name:
        return provider.name
    return f"{provider.given_name} {provider.name}"


def _address_fields(prefix: str, address: Address | None) -> dict[str, str | None]:
    if address is None:
        return {}
    street = " ".join(part for part in (address.line1, address.line2) if part)
    return {f"{prefix}.street": street, f"{prefix}.city": address.city,
            f"{prefix}.state": address.state, f"{prefix}.zip": _zip(address.postal_code)}


def _block_fields(prefix: str, name: str, address: Address | None) -> dict[str, str | None]:
    """Items 32 and 33: name, street, then "CITY ST ZIP" on the third line."""
    values: dict[str, str | None] = {f"{prefix}.name": name}
    if address is not None:
        values[f"{prefix}.street"] = " ".join(p for p in (address.line1, address.line2) if p)
        values[f"{prefix}.city"] = f"{address.city} {address.state} {_zip(address.postal_code)}"
    return values


def _check(box: str, option: str) -> dict[str, str]:
    return {f"{box}.{option}": "X"}


def _sex(box: str, sex: str) -> dict[str, str]:
    return _check(box, sex) if sex in ("M", "F") else {}


def _carrier(claim: Claim) -> dict[str, str | None]:
    """The carrier block, top right: the payer's name and address."""
    return _block_fields("carrier", claim.payer.name, claim.payer.address)


def _patient_and_insured(claim: Claim) -> dict[str, str | None]:
    """Items 1-7 and 11: the patient (the subscriber when the claim names no other patient)."""
    insured = claim.subscriber.person
    patient = claim.patient or insured
    relationship = "18" if claim.patient is None else claim.patient_relationship
    return {
        **_check("1", insurance_type(claim)),
        "1a": claim.subscriber.member_id,
        "2": _last_first(patient),
        "3.birth_date": _mmddyyyy(patient.birth_date), **_sex("3", patient.sex),
        "4": _last_first(insured),
        **_address_fields("5", patient.address),
        **_check("6", RELATIONSHIPS.get(relationship, "other")),
        **_address_fields("7", insured.address),
        "11": claim.subscriber.group_number,
        "11a.birth_date": _mmddyyyy(insured.birth_date), **_sex("11a", insured.sex),
        "11c": claim.payer.name,
    }


def _conditions_and_other_plans() -> dict[str, str]:
    """Items 10a-c and 11d. The claim type carries no accident or other-coverage details, so
    each is answered No (NUCC items 10a-c: "Any item marked YES must be reported"; item 11d: No
    leaves items 9, 9a and 9d blank)."""
    return {**_check("10a", "no"), **_check("10b", "no"), **_check("10c", "no"),
            **_check("11d", "no")}


def _signatures(claim: Claim, options: PrintOptions) -> dict[str, str | None]:
    """Items 12, 13 and 31. "SIGNATURE ON FILE" stands for the patient's signed release (CLM09
    Y) and assignment of benefits (CLM08 Y), as NUCC items 12 and 13 allow."""
    signer = claim.provider(ProviderRole.RENDERING) or claim.billing
    values: dict[str, str | None] = {"31.name": _provider_name(signer),
                                     "31.date": _mmddyy(options.signed_on)}
    if claim.release_of_information == "Y":
        values |= {"12.signature": "SIGNATURE ON FILE", "12.date": _mmddyy(options.signed_on)}
    if claim.benefits_assigned == "Y":
        values["13.signature"] = "SIGNATURE ON FILE"
    return values


def _onset_and_referral(claim: Claim) -> dict[str, str | None]:
    """Item 14 (onset, qualifier 431) and items 17 / 17b (referring provider, qualifier DN)."""
    values: dict[str, str | None] = {}
    if claim.onset_date is not None:
        values |= {"14.date": _mmddyy(claim.onset_date), "14.qualifier": ONSET_QUALIFIER}
    referring = claim.provider(ProviderRole.REFERRING)
    if referring is not None:
        values |= {"17.qualifier": REFERRING_QUALIFIER, "17.name": _provider_name(referring),
                   "17b": referring.npi}
    return values


def _claim_information(claim: Claim, options: PrintOptions) -> dict[str, str | None]:
    """Items 19, 22 and 23. Item 22 takes the frequency code (7 replacement, 8 void) on the
    left and the payer's claim number on the right, only on a resubmission (NUCC item 22).
    Item 23 takes the prior authorization number, else the referral number (NUCC item 23)."""
    values: dict[str, str | None] = {
        "19": options.additional_claim_information,
        "23": claim.prior_authorization or claim.referral_number,
    }
    if claim.frequency is not Frequency.ORIGINAL:
        values |= {"22.code": claim.frequency.value, "22.original_ref": claim.payer_claim_number}
    return values


def diagnosis_letter(pointer: int) -> str:
    """Item 24E's letter for a 1-based position in item 21 (1 -> A ... 12 -> L)."""
    return "ABCDEFGHIJKL"[pointer - 1]


def _diagnoses(claim: Claim) -> dict[str, str | None]:
    """Item 21: the ICD indicator (0, ICD-10-CM) and up to 12 codes, A-L, in claim order.

    The codes are printed without their dot: the NUCC 1500 Reference Instruction Manual for the
    02/12 form, item 21, says not to enter the decimal point (it is implied; the 02/12 form,
    unlike the 08/05 one, prints no dot in lines A-L), and CMS's Medicare Claims Processing
    Manual (Pub. 100-04), chapter 26, item 21, says the same for Medicare.
    """
    if len(claim.diagnoses) > MAX_DIAGNOSES:
        raise InvalidInput(f"a CMS-1500 holds at most {MAX_DIAGNOSES} diagnoses (item 21 A-L); "
                           f"this claim has {len(claim.diagnoses)}", Position(field="21"))
    values: dict[str, str | None] = {"21.icd_indicator": ICD10_INDICATOR}
    for number, diagnosis in enumerate(claim.diagnoses, start=1):
        values[f"21{diagnosis_letter(number)}"] = diagnosis.code.replace(".", "")
    return values


def supplemental_drug(line: ServiceLine) -> str | None:
    """Item 24's shaded supplemental line for a drug: "N4", the 11-digit NDC with no hyphens,
    a space, the unit qualifier (F2, GR, ME, ML, UN) and the quantity (NUCC item 24,
    supplemental information: NDC)."""
    if line.drug is None:
        return None
    ndc = line.drug.ndc.replace("-", "")
    return f"{NDC_QUALIFIER}{ndc} {line.drug.unit}{_number(line.drug.quantity)}"


def _pointer_letters(claim: Claim, line: ServiceLine) -> str:
    """Item 24E: up to 4 letters, primary first, no commas or spaces (NUCC item 24E)."""
    for pointer in line.diagnosis_pointers:
        if not 1 <= pointer <= min(len(claim.diagnoses), MAX_DIAGNOSES):
            raise InvalidInput("a diagnosis pointer names no diagnosis in item 21",
                               Position(field=f"24E, service line {line.number}"))
    if len(line.diagnosis_pointers) > 4:
        raise InvalidInput("item 24E holds at most 4 diagnosis pointers",
                           Position(field=f"24E, service line {line.number}"))
    return "".join(diagnosis_letter(pointer) for pointer in line.diagnosis_pointers)


def _service_line(claim: Claim, line: ServiceLine, row: int) -> dict[str, str | None]:
    """Item 24, one row. A single date of service is entered as From and again as To (NUCC
    item 24A allows either; Medicare wants both). 24J is the rendering provider's NPI."""
    if len(line.modifiers) > 4:
        raise InvalidInput("item 24D holds at most 4 modifiers",
                           Position(field=f"24D, service line {line.number}"))
    rendering = claim.provider(ProviderRole.RENDERING)
    values: dict[str, str | None] = {
        f"24sup.{row}": supplemental_drug(line),
        f"24A.from.{row}": _mmddyy(line.service_date),
        f"24A.to.{row}": _mmddyy(line.service_date_end or line.service_date),
        f"24B.{row}": line.place_of_service or claim.place_of_service,
        f"24D.code.{row}": line.procedure_code,
        f"24E.{row}": _pointer_letters(claim, line),
        f"24F.{row}": _amount(line.charge),
        f"24G.{row}": _number(line.units),
        f"24J.{row}": rendering.npi if rendering else None,
    }
    for number, modifier in enumerate(line.modifiers, start=1):
        values[f"24D.modifier{number}.{row}"] = modifier
    return values


def _billing(claim: Claim) -> dict[str, str | None]:
    """Items 25-27 and 32-33: tax id (EIN), account number, assignment, facility, billing
    provider with its NPI and taxonomy (qualifier ZZ)."""
    billing = claim.billing
    values: dict[str, str | None] = {
        "26": claim.patient_control_number,
        **_check("27", "yes" if claim.accept_assignment in ASSIGNED else "no"),
        **_block_fields("33", _provider_name(billing), billing.address),
        "33a": billing.npi,
    }
    if billing.tax_id:
        values |= {"25": billing.tax_id.replace("-", ""), **_check("25", "ein")}
    if billing.taxonomy_code:
        values["33b"] = f"{TAXONOMY_QUALIFIER}{billing.taxonomy_code}"
    facility = claim.provider(ProviderRole.SERVICE_FACILITY)
    if facility is not None:
        values |= {**_block_fields("32", _provider_name(facility), facility.address),
                   "32a": facility.npi}
    return values


def _page_total(claim: Claim, lines: Sequence[ServiceLine], number: int, pages: int,
                options: PrintOptions) -> dict[str, str | None]:
    """Item 28 (see :class:`PageTotal`) and item 29 (amount paid, on the last page)."""
    last = number == pages
    if options.page_total is PageTotal.LAST_PAGE:
        total = (_amount(sum((line.charge for line in claim.lines), Decimal(0)))
                 if last else "CONTINUED")
    else:
        total = _amount(sum((line.charge for line in lines), Decimal(0)))
    paid = _amount(options.amount_paid) if last and options.amount_paid is not None else None
    values: dict[str, str | None] = {"28": total, "29": paid}
    if pages > 1:
        values["carrier.page"] = f"PAGE {number} OF {pages}"
    return values


def _pages_of_lines(claim: Claim) -> list[tuple[ServiceLine, ...]]:
    lines = claim.lines
    return [lines[start:start + LINES_PER_PAGE]
            for start in range(0, max(len(lines), 1), LINES_PER_PAGE)]


def _place(page: int, name: str, text: str) -> Placement:
    """Put ``text`` in field ``name``: cut a long left-aligned value to the field's width, right
    align a number and refuse one that does not fit (a cut amount would be a wrong amount)."""
    spec = FIELDS[name]
    text = printable(text).strip()
    if spec.align is Align.RIGHT:
        if len(text) > spec.width:
            raise InvalidInput(f"the value is too long for its place on the form "
                               f"({spec.width} characters)", Position(field=name))
        return Placement(page, name, spec.box, text, spec.col + spec.width - len(text), spec.line)
    return Placement(page, name, spec.box, text[:spec.width], spec.col, spec.line)


def _page_values(claim: Claim, options: PrintOptions, lines: Sequence[ServiceLine],
                 number: int, pages: int) -> Iterator[tuple[str, str | None]]:
    common = (_carrier(claim), _patient_and_insured(claim), _conditions_and_other_plans(),
              _signatures(claim, options), _onset_and_referral(claim),
              _claim_information(claim, options), _diagnoses(claim), _billing(claim),
              _page_total(claim, lines, number, pages, options))
    for values in common:
        yield from values.items()
    for row, line in enumerate(lines, start=1):
        yield from _service_line(claim, line, row).items()


def fill_cms1500(claim: Claim, options: PrintOptions = PrintOptions()) -> tuple[FormPage, ...]:
    """Every value of ``claim`` placed on the form, page by page (6 service lines a page; the
    rest of the form is repeated on every page so each page stands on its own)."""
    if claim.kind is not ClaimKind.PROFESSIONAL:
        raise InvalidInput(f"a CMS-1500 prints a professional claim (837P); this claim is "
                           f"{claim.kind.name.lower()} ({claim.kind.value}): print a UB-04",
                           Position(field="kind"))
    chunks = _pages_of_lines(claim)
    pages = []
    for number, lines in enumerate(chunks, start=1):
        placed = tuple(_place(number, name, text)
                       for name, text in _page_values(claim, options, lines, number, len(chunks))
                       if text)
        pages.append(FormPage(number, len(chunks), tuple(p for p in placed if p.text)))
    return tuple(pages)


def placements(claim: Claim, options: PrintOptions = PrintOptions()) -> list[Placement]:
    """Where each value of the claim is printed, all pages together (for checks and tests)."""
    return [placed for page in fill_cms1500(claim, options) for placed in page.placements]


# --- drawing ----------------------------------------------------------------------------------


def _fitted_text(pdf, text: str, size: float, width: float, style: str = "") -> None:
    """Set the label font, shrunk so ``text`` fits in ``width`` inches."""
    pdf.set_font("Helvetica", style, size)
    needed = pdf.get_string_width(text)
    if needed > width > 0:
        pdf.set_font("Helvetica", style, size * width / needed)


def _draw_box(pdf, box: Box) -> None:
    """One box: its shading, its rule, its dotted dividers and its label rows, top-left."""
    left, top, right, bottom = box.rect
    if box.shaded:
        pdf.set_fill_color(*SHADE)
        pdf.rect(left, top, right - left, bottom - top, style="F")
    if box.ruled:
        pdf.rect(left, top, right - left, bottom - top, style="D")
    for col in box.dividers:
        x = column_x(col)
        with pdf.local_context(dash_pattern={"dash": 0.02, "gap": 0.02}):
            pdf.line(x, top + LINE * (box.lines - 1), x, bottom)
    for row, text in enumerate(box.label, start=1):
        _fitted_text(pdf, text, LABEL_SIZE, right - left - 0.04)
        pdf.text(left + 0.02, top + row * LABEL_LEADING / 72, text)


def _draw_checkbox(pdf, check: Checkbox) -> None:
    left, top = column_x(check.col), line_top(check.line)
    pdf.rect(left + 0.005, top + 0.025, COLUMN - 0.01, LINE - 0.045, style="D")
    pdf.set_font("Helvetica", "", LABEL_SIZE)
    if check.above:
        pdf.text(left, top - LINE + 2 * LABEL_LEADING / 72, check.caption)
        pdf.text(left + COLUMN + 0.02, top + LINE - 0.05, check.hint)
    else:
        width = pdf.get_string_width(check.caption)
        pdf.text(left - width - 0.02, top + LINE - 0.05, check.caption)


def _draw_heading(pdf, heading: Heading) -> None:
    pdf.set_font("Helvetica", "B" if heading.bold else "", heading.size)
    top = line_top(heading.line)
    y = top + LINE - BASELINE_LIFT if heading.row == 0 else top + heading.row * LABEL_LEADING / 72
    pdf.text(column_x(heading.col) + 0.02, y, heading.text)


def _draw_side_caption(pdf, text: str, first: int, last: int) -> None:
    """A vertical caption in the right margin, read bottom to top, centred on its lines."""
    pdf.set_font("Helvetica", "B", 6)
    x = column_x(80) + 0.12
    middle = (line_top(first) + line_top(last + 1)) / 2
    y = middle + pdf.get_string_width(text) / 2
    with pdf.rotation(90, x, y):
        pdf.text(x, y, text)


def _draw_form(pdf) -> None:
    """The blank form in red ink."""
    pdf.set_draw_color(*RED)
    pdf.set_text_color(*RED)
    pdf.set_line_width(0.008)
    for box in sorted(BOXES.values(), key=lambda box: box.ruled):  # shading under the rules
        _draw_box(pdf, box)
    for check in CHECKBOXES:
        _draw_checkbox(pdf, check)
    for heading in HEADINGS:
        _draw_heading(pdf, heading)
    for text, first, last in SIDE_CAPTIONS:
        _draw_side_caption(pdf, text, first, last)


def _draw_values(pdf, page: FormPage) -> None:
    pdf.set_text_color(*BLACK)
    pdf.set_font("Courier", "", DATA_SIZE)
    for placed in page.placements:
        pdf.text(placed.x, placed.baseline, placed.text)


FIXED_CREATION_DATE = datetime(2012, 2, 1, tzinfo=timezone.utc)  # same claim, same bytes


def draw_cms1500(pages: Iterable[FormPage]) -> bytes:
    """The PDF of filled pages: one US-letter page per form page."""
    from fpdf import FPDF  # the PDF library is needed only when a form is drawn

    pdf = FPDF(orientation="P", unit="in", format="letter")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(FIXED_CREATION_DATE)
    pdf.set_title("Health Insurance Claim Form 1500 (02/12)")
    for page in pages:
        pdf.add_page()
        _draw_form(pdf)
        _draw_values(pdf, page)
    return bytes(pdf.output())


def cms1500_pdf(claim: Claim, options: PrintOptions = PrintOptions()) -> bytes:
    """The professional ``claim`` printed on CMS-1500 (02/12) forms, as PDF bytes.

    Raises :class:`~chartwell.errors.InvalidInput` for an institutional claim (that is a
    UB-04), more than 12 diagnoses, more than 4 modifiers or pointers on a line, a pointer to
    no diagnosis, or an amount too large for its box.
    """
    return draw_cms1500(fill_cms1500(claim, options))

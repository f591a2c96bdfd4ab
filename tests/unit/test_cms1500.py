"""The CMS-1500 (02/12) print: each value lands inside its box, read back from the PDF itself.

Claims are built by hand (synthetic names, NPIs with a valid check digit, CPT codes by number);
the PDF is read back with pypdf, whose text visitor reports each string's origin in PDF points.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from io import BytesIO
from itertools import combinations

import pytest
from pypdf import PdfReader

from chartwell.claims.cms1500 import (
    BOXES,
    CHECKBOXES,
    FIELDS,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PageTotal,
    PrintOptions,
    cms1500_pdf,
    fill_cms1500,
    insurance_type,
    placements,
)
from chartwell.domain.claims import (
    Address,
    Claim,
    ClaimDiagnosis,
    ClaimKind,
    DiagnosisRole,
    Drug,
    EntityKind,
    Frequency,
    Payer,
    Person,
    Provider,
    ProviderRole,
    ServiceLine,
    Subscriber,
)
from chartwell.domain.npi import npi_check_digit
from chartwell.errors import InvalidInput


def make_npi(first_nine: str) -> str:
    return first_nine + str(npi_check_digit(first_nine))


BILLING_NPI = make_npi("245678901")
RENDERING_NPI = make_npi("134567890")
REFERRING_NPI = make_npi("198765432")
FACILITY_NPI = make_npi("211223344")
DAY = date(2026, 3, 9)
OFFICE = (("99214", "185.00"), ("36415", "15.00"), ("93000", "55.00"), ("81002", "12.00"),
          ("87880", "32.00"), ("90471", "28.00"), ("99213", "125.00"), ("G0439", "175.00"))


def office_line(number: int, code: str, charge: str, **extra) -> ServiceLine:
    return ServiceLine(number=number, procedure_code=code, charge=Decimal(charge),
                       diagnosis_pointers=extra.pop("pointers", (1,)), service_date=DAY, **extra)


def office_claim(line_count: int = 3, **changes) -> Claim:
    lines = tuple(office_line(n, code, charge)
                  for n, (code, charge) in enumerate(OFFICE[:line_count], start=1))
    subscriber = Subscriber(
        Person("Quillfeather", "Marisol", date(1961, 7, 4), "F",
               Address("48 Larkspur Lane", "Millbrook", "OH", "43001")),
        member_id="QZX77120045", group_number="GRP55012")
    claim = Claim(
        patient_control_number="ACCT-20417", kind=ClaimKind.PROFESSIONAL,
        total_charge=sum((line.charge for line in lines), Decimal(0)),
        billing=Provider(ProviderRole.BILLING, "Larkspur Family Practice", BILLING_NPI,
                         entity=EntityKind.ORGANIZATION, tax_id="009998877",
                         taxonomy_code="207Q00000X",
                         address=Address("200 Orchard Road", "Millbrook", "OH", "430011234")),
        subscriber=subscriber,
        payer=Payer("Bluewater Mutual", "BWM01", "CI",
                    Address("PO Box 9000", "Columbus", "OH", "43215")),
        diagnoses=(ClaimDiagnosis("E11.9", DiagnosisRole.PRINCIPAL), ClaimDiagnosis("I10"),
                   ClaimDiagnosis("M54.50")),
        lines=lines, place_of_service="11",
        providers=(Provider(ProviderRole.RENDERING, "Okonkwo", RENDERING_NPI, given_name="Tobias"),
                   Provider(ProviderRole.REFERRING, "Vasquez", REFERRING_NPI, given_name="Renata"),
                   Provider(ProviderRole.SERVICE_FACILITY, "Millbrook Surgery Center",
                            FACILITY_NPI, entity=EntityKind.ORGANIZATION,
                            address=Address("9 Mill Street", "Millbrook", "OH", "43001"))),
        onset_date=date(2026, 3, 2), prior_authorization="PA8812")
    return replace(claim, **changes)


def read_back(pdf: bytes) -> list[list[tuple[str, float, float]]]:
    """Each page's strings with their origin (x, y) in PDF points, bottom-left origin."""
    pages = []
    for page in PdfReader(BytesIO(pdf)).pages:
        found: list[tuple[str, float, float]] = []

        def visit(text, cm, tm, font, size, found=found):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found.append((text.strip(), x, y))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def origins(page: list[tuple[str, float, float]], text: str) -> list[tuple[float, float]]:
    return [(x, y) for found, x, y in page if found == text]


COURIER_12_ADVANCE = 7.2  # points per character: 10 characters per inch


def inside(point: tuple[float, float], box_id: str, text: str = "") -> bool:
    """The string starts inside the box (an origin on a rule belongs to the box on its right)
    and its last character ends inside it too."""
    x0, y0, x1, y1 = BOXES[box_id].pdf_rect
    x, y = point
    end = x + len(text) * COURIER_12_ADVANCE
    return x0 - 0.01 <= x < x1 - 0.01 and end <= x1 + 0.01 and y0 < y < y1


def assert_printed_in(page, text: str, box_id: str) -> None:
    where = origins(page, text)
    assert where, f"{text!r} is not on the page"
    assert any(inside(point, box_id, text) for point in where), \
        f"{text!r} at {where} is outside box {box_id} {BOXES[box_id].pdf_rect}"


@pytest.fixture(scope="module")
def office_pages():
    return read_back(cms1500_pdf(office_claim(), PrintOptions(signed_on=date(2026, 3, 10))))


# --- the values in their boxes ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "box"), [
    ("QZX77120045", "1a"),
    ("QUILLFEATHER, MARISOL", "2"),
    ("07 04 1961", "3"),
    ("QUILLFEATHER, MARISOL", "4"),
    ("48 LARKSPUR LANE", "5"),
    ("MILLBROOK", "5.city"),
    ("43001", "5.zip"),
    ("48 LARKSPUR LANE", "7"),
    ("GRP55012", "11"),
    ("07 04 1961", "11a"),
    ("BLUEWATER MUTUAL", "11c"),
    ("BLUEWATER MUTUAL", "carrier"),
    ("SIGNATURE ON FILE", "12"),
    ("SIGNATURE ON FILE", "13"),
    ("03 02 26", "14"),
    ("431", "14"),
    ("DN", "17"),
    ("RENATA VASQUEZ", "17"),
    (REFERRING_NPI, "17b"),
    ("PA8812", "23"),
    ("0", "21"),
    ("E119", "21A"),
    ("I10", "21B"),
    ("M5450", "21C"),
    ("009998877", "25"),
    ("ACCT-20417", "26"),
    ("255 00", "28"),
    ("TOBIAS OKONKWO", "31"),
    ("03 10 26", "31"),
    ("MILLBROOK SURGERY CENTER", "32"),
    (FACILITY_NPI, "32a"),
    ("LARKSPUR FAMILY PRACTICE", "33"),
    ("200 ORCHARD ROAD", "33"),
    ("MILLBROOK OH 43001-1234", "33"),
    (BILLING_NPI, "33a"),
    ("ZZ207Q00000X", "33b"),
])
def test_each_value_is_printed_inside_its_box(office_pages, text, box):
    assert_printed_in(office_pages[0], text, box)


@pytest.mark.parametrize(("row", "code", "charge"), [
    (1, "99214", "185 00"), (2, "36415", "15 00"), (3, "93000", "55 00")])
def test_each_service_line_fills_its_own_row(office_pages, row, code, charge):
    page = office_pages[0]
    assert_printed_in(page, code, f"24D.{row}")
    assert_printed_in(page, charge, f"24F.{row}")
    assert_printed_in(page, "03 09 26", f"24A.{row}")
    assert_printed_in(page, "11", f"24B.{row}")
    assert_printed_in(page, "A", f"24E.{row}")
    assert_printed_in(page, RENDERING_NPI, f"24J.{row}")
    assert not any(inside(point, f"24D.{row}") for point in origins(page, OFFICE[row][0]))


def test_the_form_labels_are_printed(office_pages):
    text = " ".join(found for found, _, _ in office_pages[0])
    for label in ("HEALTH INSURANCE CLAIM FORM", "PATIENT'S NAME", "INSURED'S I.D. NUMBER",
                  "DIAGNOSIS OR NATURE OF ILLNESS OR INJURY", "FEDERAL TAX I.D. NUMBER",
                  "TOTAL CHARGE", "BILLING PROVIDER INFO", "PICA", "02/12"):
        assert label in text, label


def test_checkbox_marks_land_in_their_squares(office_pages):
    page = office_pages[0]
    marked = {f"{p.field}" for p in placements(office_claim()) if p.text == "X"}
    assert marked == {"1.group_health_plan", "3.F", "6.self", "10a.no", "10b.no", "10c.no",
                      "11a.F", "11d.no", "25.ein", "27.yes"}
    x_marks = origins(page, "X")
    for check in CHECKBOXES:
        spec = FIELDS[check.field]
        hit = [(x, y) for x, y in x_marks
               if abs(x - (0.25 + (spec.col - 1) * 0.1) * 72) < 0.5
               and abs(y - (PAGE_HEIGHT - (spec.line / 6 - 0.035)) * 72) < 0.5]
        assert bool(hit) == (check.field in marked), check.field


def test_modifiers_and_pointers_print_in_24d_and_24e():
    line = office_line(1, "99214", "185.00", modifiers=("25", "59"), pointers=(2, 1, 3))
    page = read_back(cms1500_pdf(office_claim(1, lines=(line,))))[0]
    assert_printed_in(page, "25", "24D.1")
    assert_printed_in(page, "59", "24D.1")
    assert_printed_in(page, "BAC", "24E.1")


# --- box 1, 6 and the name and text rules -----------------------------------------------------


@pytest.mark.parametrize(("indicator", "group", "expected"), [
    ("MB", None, "medicare"), ("MA", "G1", "medicare"), ("MC", None, "medicaid"),
    ("CH", None, "tricare"), ("VA", None, "champva"), ("CI", "G1", "group_health_plan"),
    ("BL", "G1", "group_health_plan"), ("CI", None, "other"), ("WC", "G1", "other"),
    ("AM", None, "other"),
])
def test_item_1_follows_the_claim_filing_indicator(indicator, group, expected):
    claim = office_claim(payer=Payer("Plan", "P1", indicator),
                         subscriber=replace(office_claim().subscriber, group_number=group))
    assert insurance_type(claim) == expected
    marked = [p.field for p in placements(claim) if p.field.startswith("1.")]
    assert marked == [f"1.{expected}"]


@pytest.mark.parametrize(("code", "expected"), [
    ("18", "6.self"), ("01", "6.spouse"), ("19", "6.child"), ("G8", "6.other"),
    ("20", "6.other"), ("53", "6.other")])
def test_item_6_relationship_from_the_x12_code(code, expected):
    child = Person("Quillfeather", "Pip", date(2015, 1, 20), "M")
    claim = office_claim(patient=child, patient_relationship=code)
    fields = {p.field: p.text for p in placements(claim)}
    assert [name for name in fields if name.startswith("6.")] == [expected]
    assert fields["2"] == "QUILLFEATHER, PIP"
    assert fields["4"] == "QUILLFEATHER, MARISOL"
    assert fields["3.birth_date"] == "01 20 2015" and "3.M" in fields


def test_a_patient_who_is_the_subscriber_is_self():
    assert "6.self" in {p.field for p in placements(office_claim())}


def test_accents_are_folded_and_long_values_cut_to_the_box():
    long_name = "Northern Appalachian Cooperative Health Alliance Plan"
    accented = Person("Núñez", "Zoë", date(1990, 2, 3), "F")
    claim = office_claim(payer=Payer(long_name, "NA1", "CI"),
                         subscriber=replace(office_claim().subscriber, person=accented))
    placed = {p.field: p for p in placements(claim)}
    assert placed["2"].text == "NUNEZ, ZOE"
    plan = placed["11c"]
    assert long_name.upper().startswith(plan.text) and len(plan.text) == FIELDS["11c"].width
    left, _, right, _ = BOXES["11c"].rect
    assert left <= plan.x and plan.right <= right + 1e-9


def test_diagnoses_fill_a_to_l_without_dots():
    codes = ("E11.9", "I10", "M54.50", "J45.909", "N39.0", "R05.9", "K21.9", "E78.5",
             "F41.1", "H10.9", "L03.115", "Z00.00")
    claim = office_claim(diagnoses=tuple(ClaimDiagnosis(code) for code in codes),
                         lines=(office_line(1, "99214", "185.00", pointers=(12, 1, 5, 9)),))
    page = read_back(cms1500_pdf(claim))[0]
    for letter, code in zip("ABCDEFGHIJKL", codes, strict=True):
        assert_printed_in(page, code.replace(".", ""), f"21{letter}")
    assert_printed_in(page, "LAEI", "24E.1")


def test_thirteen_diagnoses_are_refused():
    claim = office_claim(diagnoses=tuple(ClaimDiagnosis(f"R{n:02d}.0") for n in range(13)))
    with pytest.raises(InvalidInput) as refused:
        cms1500_pdf(claim)
    assert refused.value.position.field == "21"


def test_a_pointer_to_no_diagnosis_is_refused():
    claim = office_claim(lines=(office_line(1, "99214", "185.00", pointers=(4,)),))
    with pytest.raises(InvalidInput) as refused:
        cms1500_pdf(claim)
    assert refused.value.position.field == "24E, service line 1"


def test_an_amount_too_large_for_its_box_is_refused():
    claim = office_claim(lines=(office_line(1, "99214", "12345678.00"),))
    with pytest.raises(InvalidInput) as refused:
        cms1500_pdf(claim)
    assert refused.value.position.field == "24F.1"


# --- resubmission, drugs, pages ---------------------------------------------------------------


def test_a_replacement_claim_prints_code_7_and_the_original_reference():
    claim = office_claim(frequency=Frequency.REPLACEMENT, payer_claim_number="BW2026031500987")
    page = read_back(cms1500_pdf(claim))[0]
    assert_printed_in(page, "7", "22")
    assert_printed_in(page, "BW2026031500987", "22")
    code, reference = (next(p for p in placements(claim) if p.field == name)
                       for name in ("22.code", "22.original_ref"))
    assert code.col < reference.col


def test_a_void_prints_code_8_and_an_original_claim_leaves_22_blank():
    void = office_claim(frequency=Frequency.VOID, payer_claim_number="BW2026031500988")
    assert {p.field: p.text for p in placements(void)}["22.code"] == "8"
    assert not [p for p in placements(office_claim()) if p.box == "22"]


def test_a_drug_line_shows_the_ndc_on_its_shaded_supplemental_line():
    drug = office_line(2, "J1100", "24.50", units=Decimal(2), code_system="hcpcs",
                       drug=Drug("00641036721", Decimal("2"), "ML"))
    claim = office_claim(lines=(office_line(1, "96372", "40.00"), drug))
    page = read_back(cms1500_pdf(claim))[0]
    assert_printed_in(page, "N400641036721 ML2", "24sup.2")
    assert BOXES["24sup.2"].line == BOXES["24D.2"].line - 1  # the shaded half above the line
    assert_printed_in(page, "J1100", "24D.2")
    assert_printed_in(page, "2", "24G.2")
    assert not [p for p in placements(claim) if p.field == "24sup.1"]


def test_fractional_ndc_quantity_keeps_its_decimals():
    drug = office_line(1, "J3301", "30.00", drug=Drug("00003029305", Decimal("1.500"), "ME"))
    fields = {p.field: p.text for p in placements(office_claim(lines=(drug,)))}
    assert fields["24sup.1"] == "N400003029305 ME1.5"


def test_seven_lines_print_on_two_pages_each_totalled():
    claim = office_claim(7)
    pages = read_back(cms1500_pdf(claim))
    assert len(pages) == 2
    first, second = pages
    assert_printed_in(first, "327 00", "28")  # 185 + 15 + 55 + 12 + 32 + 28
    assert_printed_in(second, "125 00", "28")
    assert_printed_in(second, "99213", "24D.1")
    assert_printed_in(second, "125 00", "24F.1")
    assert not [p for p in fill_cms1500(claim)[1].placements if p.field.endswith(".2")
                and p.field.startswith("24")]
    assert_printed_in(first, "PAGE 1 OF 2", "carrier")
    assert_printed_in(second, "PAGE 2 OF 2", "carrier")
    assert_printed_in(second, "QUILLFEATHER, MARISOL", "2")  # every page stands on its own
    assert_printed_in(second, "E119", "21A")


def test_last_page_totals_print_continued_then_the_claim_total():
    claim = office_claim(8)
    options = PrintOptions(page_total=PageTotal.LAST_PAGE, amount_paid=Decimal("20"))
    first, second = (dict((p.field, p.text) for p in page.placements)
                     for page in fill_cms1500(claim, options))
    assert first["28"] == "CONTINUED" and "29" not in first
    assert second["28"] == "627 00" and second["29"] == "20 00"


def test_a_single_page_claim_has_no_page_numbers():
    assert not [p for p in placements(office_claim()) if p.field == "carrier.page"]


# --- refusals and the geometry ----------------------------------------------------------------


def test_an_institutional_claim_is_refused():
    claim = office_claim(kind=ClaimKind.INSTITUTIONAL, facility_type="13")
    with pytest.raises(InvalidInput) as refused:
        cms1500_pdf(claim)
    assert "professional" in refused.value.message and "UB-04" in refused.value.message
    assert refused.value.position.field == "kind"
    assert "QUILLFEATHER" not in str(refused.value).upper()
    assert refused.value.exit_code == 1


def test_the_same_claim_prints_the_same_bytes():
    assert cms1500_pdf(office_claim()) == cms1500_pdf(office_claim())


def test_the_pdf_is_us_letter():
    reader = PdfReader(BytesIO(cms1500_pdf(office_claim())))
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == (PAGE_WIDTH * 72, PAGE_HEIGHT * 72)


def test_boxes_lie_on_the_page_and_never_partly_overlap():
    ruled = [box for box in BOXES.values() if box.ruled]
    for box in ruled:
        left, top, right, bottom = box.rect
        assert 0 <= left < right <= PAGE_WIDTH and 0 <= top < bottom <= PAGE_HEIGHT, box.id
    for one, other in combinations(ruled, 2):
        a, b = one.rect, other.rect
        overlap = (min(a[2], b[2]) - max(a[0], b[0]) > 1e-9
                   and min(a[3], b[3]) - max(a[1], b[1]) > 1e-9)
        assert not overlap or contains(a, b) or contains(b, a), (one.id, other.id)


def contains(outer, inner) -> bool:
    return (outer[0] <= inner[0] + 1e-9 and outer[1] <= inner[1] + 1e-9
            and outer[2] >= inner[2] - 1e-9 and outer[3] >= inner[3] - 1e-9)


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_every_field_fits_inside_its_box(name):
    spec, box = FIELDS[name], BOXES[FIELDS[name].box]
    assert box.col <= spec.col and spec.col + spec.width <= box.col + box.cols, name
    assert box.line <= spec.line < box.line + box.lines, name

"""ICD-10-CM loaders: the official layouts on small hand-written fixtures (fast), then facts
checked on the real CDC/CMS files in ../shared/data (each big file parsed once per module)."""

from __future__ import annotations

import io
import lzma
import zipfile
from pathlib import Path

import pytest

import chartwell.codesets.icd10cm as icd10cm
from chartwell.codesets.icd10cm import (
    OrderAddendaLine,
    apply_addenda,
    read_codes,
    read_codes_addenda,
    read_codes_addenda_file,
    read_codes_addenda_zip,
    read_codes_file,
    read_codes_zip,
    read_conversion_csv,
    read_conversion_csv_file,
    read_conversion_xlsx,
    read_conversion_xlsx_file,
    read_conversion_zip,
    read_index,
    read_index_csv,
    read_index_csv_file,
    read_index_file,
    read_order,
    read_order_addenda_file,
    read_order_addenda_zip,
    read_order_file,
    read_order_zip,
    read_table,
    read_table_file,
    read_table_headings,
    read_table_headings_file,
    read_tabular,
    read_tabular_file,
)
from chartwell.codesets.icd10cm.index import split_nonessential
from chartwell.codesets.model import (
    AddendaLine,
    CodeTitle,
    ConversionEntry,
    IndexTerm,
    NoteKind,
    SeventhCharacter,
    TableRow,
    TabularEntry,
)
from chartwell.errors import InvalidInput, UnreadableInput
from support import shared_data

FIXTURES = Path(__file__).parent / "fixtures" / "icd10cm"


def fixture(name: str) -> Path:
    return FIXTURES / name


def walk(terms):
    for term in terms:
        yield term
        yield from walk(term.subterms)


def child(term, title: str):
    return next(sub for sub in term.subterms if sub.title == title)


def raises_at(call, *, line: int | None = None, field: str | None = None, file: str | None = None):
    """Run ``call`` and check it raised InvalidInput naming the place."""
    with pytest.raises(InvalidInput) as caught:
        call()
    position = caught.value.position
    assert position is not None
    if line is not None:
        assert position.line == line, caught.value
    if field is not None:
        assert position.field == field, caught.value
    if file is not None:
        assert position.file is not None and file in position.file, caught.value
    return caught.value


def test_the_package_exports_its_readers():
    assert sorted(icd10cm.__all__) == icd10cm.__all__
    assert all(callable(getattr(icd10cm, name)) for name in icd10cm.__all__)


# -- order and codes files -----------------------------------------------------------------


def test_order_file_gives_codes_with_their_dot_flags_and_titles():
    titles = list(read_order_file(fixture("icd10cm_order_2099.txt")))
    assert [t.code for t in titles][:6] == ["D69", "D69.1", "D69.6", "E11", "E11.4", "E11.40"]
    assert titles[5] == CodeTitle(
        code="E11.40", billable=True,
        long_title="Type 2 diabetes mellitus with diabetic neuropathy, unspecified",
        short_title="Type 2 diabetes mellitus with diabetic neuropathy, unsp", order_number=6)
    assert titles[3].billable is False and titles[3].code == "E11"  # a category: no dot
    assert titles[-1].code == "T52.8X1D"


def test_codes_file_lists_valid_codes_only():
    codes = list(read_codes_file(fixture("icd10cm_codes_2099.txt")))
    order = list(read_order_file(fixture("icd10cm_order_2099.txt")))
    assert [c.code for c in codes] == [t.code for t in order if t.billable]
    assert all(c.billable and c.short_title is None for c in codes)
    assert codes[-1].long_title.endswith("(unintentional), subsequent encounter")


def test_order_and_codes_are_read_from_a_cms_zip_by_member_name(tmp_path):
    archive = tmp_path / "2099-code-descriptions-tabular-order.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(fixture("icd10cm_order_2099.txt"), "Code Descriptions/icd10cm_order_2099.txt")
        zipped.write(fixture("icd10cm_codes_2099.txt"), "Code Descriptions/icd10cm_codes_2099.txt")
        zipped.write(fixture("icd10cm_codes_addenda_2100.txt"),
                     "Code Descriptions/icd10cm_codes_addenda_2099.txt")
        zipped.writestr("Code Descriptions/icd10OrderFiles.pdf", b"%PDF")
    assert len(list(read_order_zip(archive))) == 14
    assert len(list(read_codes_zip(archive))) == 7  # not confused with the addenda member
    assert len(list(read_codes_addenda_zip(archive))) == 9


def test_a_zip_without_the_member_says_so(tmp_path):
    archive = tmp_path / "empty.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "nothing here")
    error = raises_at(lambda: list(read_order_zip(archive)), file="empty.zip")
    assert "icd10cm_order" in error.message


def test_a_corrupt_zip_member_is_invalid_input(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("icd10cm_order_2099.txt",
                        fixture("icd10cm_order_2099.txt").read_bytes() * 50)
    damaged = bytearray(buffer.getvalue())
    damaged[200] ^= 0xFF
    archive = tmp_path / "damaged.zip"
    archive.write_bytes(bytes(damaged))
    raises_at(lambda: list(read_order_zip(archive)), file="damaged.zip!icd10cm_order_2099.txt")


def _order_line(order="00001", code="E1140  ", flag="1", short="Short", long="Long title"):
    return f"{order} {code} {flag} {short:<60} {long}"


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        (_order_line(flag="2"), "flag", "neither 0"),
        (_order_line(code="E11.40 "), "code", "not an ICD-10-CM code"),
        (_order_line(code="11E40  "), "code", "not an ICD-10-CM code"),
        (_order_line(order="0000A"), "order number", "5 digits"),
        (_order_line()[:70], None, "column 78"),
        (_order_line().replace(" E1140", "-E1140"), None, "blanks"),
        (_order_line(long="   "), "description", "empty"),
    ],
)
def test_a_malformed_order_line_names_its_line_and_field(line, field, words):
    good = _order_line(order="00001", code="E11    ", flag="0")
    stream = io.StringIO(f"{good}\r\n{line}\r\n")
    error = raises_at(lambda: list(read_order(stream, source="order.txt")), line=2, field=field,
                      file="order.txt")
    assert words in error.message


def test_a_well_formed_order_line_is_accepted():  # the near miss of the table above
    assert next(read_order(io.StringIO(_order_line() + "\n"))).code == "E11.40"


def test_a_malformed_codes_line_names_its_line():
    stream = io.StringIO("E119    Fine\nE1140Title run into the code\n")
    raises_at(lambda: list(read_codes(stream, source="codes.txt")), line=2, field="code")


def test_a_missing_file_is_unreadable_not_invalid(tmp_path):
    with pytest.raises(UnreadableInput):
        list(read_order_file(tmp_path / "absent.txt"))


# -- tabular -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_tabular() -> dict[str, TabularEntry]:
    return {entry.key: entry for entry in read_tabular_file(fixture("icd10cm_tabular_2099.xml"))}


def test_tabular_entries_come_in_file_order_with_parent_links(small_tabular):
    assert list(small_tabular) == [
        "1", "B99-B99", "B99", "B99.8", "4", "E08-E13", "E11", "E11.4", "E11.40", "E11.A",
        "19", "S50-S59", "S52", "S52.9X"]
    parents = {key: entry.parent for key, entry in small_tabular.items()}
    assert parents["E11.40"] == "E11.4" and parents["E11.4"] == "E11"
    assert parents["E11"] == "E08-E13" and parents["E08-E13"] == "4" and parents["4"] is None
    assert parents["B99"] == "B99-B99"  # a one-category block never shares the category's key
    kinds = {entry.kind for entry in small_tabular.values()}
    assert kinds == {"chapter", "block", "code"}
    assert small_tabular["E08-E13"].title == "Diabetes mellitus (E08-E13)"


def test_tabular_notes_keep_their_kind_and_order(small_tabular):
    e11 = small_tabular["E11"]
    assert [(n.kind, n.text) for n in e11.notes] == [
        (NoteKind.INCLUDES, "diabetes NOS"),
        (NoteKind.USE_ADDITIONAL_CODE, "code to identify control using:"),
        (NoteKind.USE_ADDITIONAL_CODE, "insulin (Z79.4)"),
        (NoteKind.EXCLUDES1, "type 1 diabetes mellitus (E10.-)"),
    ]
    kinds = {n.kind for entry in small_tabular.values() for n in entry.notes}
    assert kinds == set(NoteKind)  # every kind of note is read
    assert small_tabular["E11.40"].notes == []


def test_tabular_seventh_characters_and_their_notes(small_tabular):
    s52 = small_tabular["S52"]
    assert s52.seventh_characters == [
        SeventhCharacter("A", "initial encounter for closed fracture"),
        SeventhCharacter("B", "initial encounter for open fracture type I or II"),
        SeventhCharacter("D", "subsequent encounter for closed fracture with routine healing"),
    ]
    seventh_notes = [n.text for n in s52.notes if n.kind is NoteKind.SEVENTH_CHARACTER_NOTE]
    assert seventh_notes == [
        "The appropriate 7th character is to be added to all codes from category S52",
        "7th character B includes: initial encounter for open fracture NOS",
    ]


def test_tabular_reads_an_xz_copy(tmp_path):
    packed = tmp_path / "tabular.xml.xz"
    packed.write_bytes(lzma.compress(fixture("icd10cm_tabular_2099.xml").read_bytes()))
    assert len(list(read_tabular_file(packed))) == 14


def test_truncated_tabular_names_the_line(tmp_path):
    text = fixture("icd10cm_tabular_2099.xml").read_text()
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index("<name>E11.A</name>")])
    error = raises_at(lambda: list(read_tabular_file(cut)), file="cut.xml")
    assert error.position.line is not None and error.position.line > 50
    assert "not well-formed" in error.message


def test_truncated_xz_is_invalid_input(tmp_path):
    packed = lzma.compress(fixture("icd10cm_tabular_2099.xml").read_bytes())
    cut = tmp_path / "cut.xml.xz"
    cut.write_bytes(packed[: len(packed) // 2])
    raises_at(lambda: list(read_tabular_file(cut)), file="cut.xml.xz")


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        (("<name>E11.40</name>", ""), 57, "name"),
        (("<name>E11.40</name>", "<name>diabetes</name>"), 57, "name"),
        (('<extension char="B">', "<extension>"), 94, "char"),
        (('<section id="E08-E13">', "<section>"), 39, "id"),
    ],
)
def test_a_malformed_tabular_element_names_its_line(change, line, field):
    text = fixture("icd10cm_tabular_2099.xml").read_text().replace(*change)
    stream = io.BytesIO(text.encode())
    raises_at(lambda: list(read_tabular(stream, source="t.xml")), line=line, field=field)


def test_tabular_refuses_another_root_and_the_addenda_edition():
    index = fixture("icd10cm_index_2099.xml").read_bytes()
    raises_at(lambda: list(read_tabular(io.BytesIO(index))), line=3)
    addenda = b'<?xml version="1.0"?>\n<ICD10CM.tabular isAddenda="true"></ICD10CM.tabular>'
    error = raises_at(lambda: list(read_tabular(io.BytesIO(addenda))), line=2)
    assert "addenda" in error.message


# -- alphabetic index ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_index() -> list[IndexTerm]:
    return list(read_index_file(fixture("icd10cm_index_2099.xml")))


def test_index_xml_gives_term_trees(small_index):
    assert [t.title for t in small_index] == [
        "Amyloid heart", "Diabetes, diabetic", "Disorder", "Exposure", "Explosion NEC"]
    diabetes = small_index[1]
    assert diabetes.level == 0 and diabetes.nonessential == ["mellitus", "sugar"]
    neuropathy = child(child(child(diabetes, "type 2"), "with"), "neuropathy")
    assert (neuropathy.level, neuropathy.code) == (3, "E11.40")
    assert child(diabetes, "insulin dependent").see == "Diabetes, by type"


def test_index_xml_cross_references_and_manifestations(small_index):
    amyloid, _diabetes, disorder, exposure, explosion = small_index
    assert (amyloid.code, amyloid.manifestation_code, amyloid.nonessential) == (
        "E85.4", "I43", ["disease"])
    assert disorder.see_also == "Disease"
    assert child(exposure, "lightning").see == "subcategory T75.0"
    assert child(exposure, "pressure, bed linen").see == "category T71"
    assert explosion.nonessential == ["accidental", "with fire"]
    somatoform = child(child(disorder, "pain"), "persistent").subterms[0]
    assert (somatoform.title, somatoform.nonessential, somatoform.code) == (
        "", ["somatoform"], "F45.41")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("(adult) (child)", ("", ["adult", "child"])),
        ("(accidental(ly))", ("", ["accidental(ly)"])),
        ("  (s)  ", ("", ["s"])),
        ("", ("", [])),
        ("(bile) duct (common)", (" duct", ["bile", "common"])),  # loose words are essential
        ("(infectional) due to blood loss (chronic)",
         (" due to blood loss", ["infectional", "chronic"])),
        ("(ism), achromatopsia (acquired)", (" , achromatopsia", ["ism", "acquired"])),
        ("(t)ic syndrome (post-traumatic)", ("tic syndrome", ["post-traumatic"])),  # in a word
        ("(unbalanced", ("", ["(unbalanced"])),
    ],
)
def test_nonessential_modifiers_are_split_into_groups(words, expected):
    assert split_nonessential(words) == expected


def test_index_reader_refuses_a_table_and_a_bad_level():
    table = fixture("icd10cm_drug_2099.xml").read_bytes()
    error = raises_at(lambda: list(read_index(io.BytesIO(table), source="drug.xml")), line=5)
    assert "read_table" in error.message
    text = fixture("icd10cm_index_2099.xml").read_text().replace('level="3"', 'level="4"', 1)
    raises_at(lambda: list(read_index(io.BytesIO(text.encode()))), line=24, field="level")


def test_index_csv_gives_the_same_trees():
    terms = list(read_index_csv_file(fixture("ICD10CM_2099_Index.csv")))
    assert [t.title for t in terms] == ["Diabetes, diabetic", "Disorder", "Explosion"]
    diabetes = terms[0]
    assert diabetes.nonessential == ["mellitus", "sugar"] and diabetes.code == "E11.9"
    assert child(child(child(diabetes, "type 2"), "with"), "neuropathy").code == "E11.40"
    assert child(diabetes, "insulin dependent").see == "Diabetes, by type"
    assert terms[1].see_also == "Disease"
    assert len(list(walk(terms))) == 11


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("RowID,Letter,Term,Level\n", 1, None),
        ("RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n1,A,1,orphan,,,,A00\n", 2,
         "Level"),
        ("RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n1,A,0,Abc,,,,\n2,A,2,x,,,,\n", 3,
         "Level"),
        ("RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n1,A,x,Abc,,,,\n", 2, "Level"),
        ("RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n1,A,0,Abc,,,\n", 2, None),
        ("RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n1,A,0,,,,,A00\n", 2, "Term"),
    ],
)
def test_a_malformed_index_csv_names_the_line(text, line, field):
    raises_at(lambda: list(read_index_csv(io.StringIO(text), source="i.csv")), line=line,
              field=field, file="i.csv")


# -- neoplasm and drug tables --------------------------------------------------------------


def test_table_rows_key_codes_by_column_heading():
    alcohol = list(read_table_file(fixture("icd10cm_drug_2099.xml")))[1]
    assert alcohol.codes == {
        "Poisoning Accidental (unintentional)": "T51.91",
        "Poisoning Intentional self-harm": "T51.92",
        "Poisoning Assault": "T51.93",
        "Poisoning Undetermined": "T51.94",
    }  # "--" cells (no code) are left out
    assert alcohol.subterms == [TableRow(
        title="ethyl", level=1, nonessential=["beverage"],
        codes={"Poisoning Accidental (unintentional)": "T51.0X1",
               "Poisoning Intentional self-harm": "T51.0X2", "Poisoning Assault": "T51.0X3",
               "Poisoning Undetermined": "T51.0X4"})]


def test_table_cross_references_and_headings():
    adrenalin = next(read_table_file(fixture("icd10cm_drug_2099.xml")))
    assert (adrenalin.title, adrenalin.see, adrenalin.codes) == ("Adrenalin", "Adrenaline", {})
    headings = read_table_headings_file(fixture("icd10cm_drug_2099.xml"))
    assert headings[0] == "Substance" and headings[-1] == "Underdosing" and len(headings) == 7


def test_table_reader_refuses_an_index_and_a_cell_without_heading():
    index = fixture("icd10cm_index_2099.xml").read_bytes()
    raises_at(lambda: list(read_table(io.BytesIO(index), source="index.xml")), line=8)
    with pytest.raises(InvalidInput):
        read_table_headings(io.BytesIO(index))
    text = fixture("icd10cm_drug_2099.xml").read_text()
    text = text.replace('<cell col="7">--', '<cell col="8">--')
    raises_at(lambda: list(read_table(io.BytesIO(text.encode()))), line=27, field="col")


# -- conversion table ----------------------------------------------------------------------


def test_conversion_csv_rows():
    entries = list(read_conversion_csv_file(fixture("conversion_table_2099.csv")))
    assert entries == [
        ConversionEntry("E11.A", "2025", ("E11.9",)),
        ConversionEntry("D69.11", "2026", ("D69.1", "D69.8")),
        ConversionEntry("H02.151", "2018", ("H02.101-H02.106", "H02.109")),
        ConversionEntry("M93.004", "2022", ("M93.001", "M93.002")),
        ConversionEntry("K59.03", "2016", ("K59.09", "Code from categories T36-T50")),
        ConversionEntry("R29.700", "2016", ()),
        ConversionEntry("T74.A1XA", "04/01/23", ("T74.91XA",)),
    ]


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("Code,Year,Previous\nE11.A,2025,E11.9\n", None, None),  # no header row at all
        ("Current code assignment,Year,Previous Code(s)\n", 1, "column 2"),
        ("Current code assignment,Effective,Previous Code(s) Assignment\nE11.A,,E11.9\n", 2,
         "Effective"),
        ("Current code assignment,Effective,Previous Code(s) Assignment\ndiabetes,2025,E11.9\n",
         2, "Current code assignment"),
    ],
)
def test_a_malformed_conversion_table_names_the_place(text, line, field):
    raises_at(lambda: list(read_conversion_csv(io.StringIO(text), source="c.csv")), line=line,
              field=field, file="c.csv")


def _xlsx(rows: list[list[tuple[str, str]]]) -> bytes:
    """A minimal workbook: cells as (kind, value); kind "s" shared string, "n" number, "d" date
    serial in a custom mm/dd/yy format."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    strings: list[str] = []
    sheet_rows = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, (kind, value) in enumerate(row):
            ref = f"{'ABC'[column]}{number}"
            if kind == "s":
                strings.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                style = ' s="1"' if kind == "d" else ""
                cells.append(f'<c r="{ref}"{style}><v>{value}</v></c>')
        sheet_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("xl/workbook.xml", f'<workbook {ns} xmlns:r="http://schemas.openxmlformats.'
                      'org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" '
                      'sheetId="1" r:id="rId1"/></sheets></workbook>')
        book.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.'
                      'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                      'Target="worksheets/sheet1.xml" Type="worksheet"/></Relationships>')
        book.writestr("xl/sharedStrings.xml", f'<sst {ns}>' + "".join(
            f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
        book.writestr("xl/styles.xml", f'<styleSheet {ns}><numFmts count="1"><numFmt numFmtId='
                      '"164" formatCode="mm/dd/yy;@"/></numFmts><cellXfs count="2"><xf numFmtId='
                      '"0"/><xf numFmtId="164"/></cellXfs></styleSheet>')
        book.writestr("xl/worksheets/sheet1.xml", f'<worksheet {ns}><sheetData>'
                      + "".join(sheet_rows) + "</sheetData></worksheet>")
    return buffer.getvalue()


def test_conversion_xlsx_rows_read_without_openpyxl(tmp_path):
    book = _xlsx([
        [("s", "The agency's note.")],
        [("s", "Current code assignment"), ("s", "Effective"),
         ("s", "Previous Code(s) Assignment")],
        [("s", "E11.A"), ("n", "2025"), ("s", "E11.9")],
        [("s", "T74.A1XA"), ("d", "45017"), ("s", "T74.91XA")],
        [("s", "W453XXA"), ("n", "2025"), ("s", "W45.8XXA")],
    ])
    entries = list(read_conversion_xlsx(io.BytesIO(book)))
    assert entries == [
        ConversionEntry("E11.A", "2025", ("E11.9",)),
        ConversionEntry("T74.A1XA", "04/01/23", ("T74.91XA",)),  # as the CSV edition prints it
        ConversionEntry("W45.3XXA", "2025", ("W45.8XXA",)),  # published without its dot
    ]
    not_a_book = tmp_path / "table.xlsx"
    not_a_book.write_bytes(b"Current code assignment,Effective\n")
    raises_at(lambda: list(read_conversion_xlsx_file(not_a_book)), file="table.xlsx")


# -- addenda -------------------------------------------------------------------------------


def test_codes_addenda_lines():
    lines = list(read_codes_addenda_file(fixture("icd10cm_codes_addenda_2100.txt")))
    assert lines[:2] == [
        AddendaLine("delete", "D69.1", "Qualitative platelet defects"),
        AddendaLine("add", "D69.11", "Glanzmann thrombasthenia"),
    ]
    assert [line.action for line in lines].count("add") == 4
    assert lines[4:6] == [
        AddendaLine("revise_from", "E11.9", "Type 2 diabetes mellitus without complications"),
        AddendaLine("revise_to", "E11.9",
                    "Type 2 diabetes mellitus without complications, not in remission"),
    ]
    assert all(line.billable is None for line in lines)  # the codes addenda carries no flag


def test_order_addenda_lines_carry_the_flag_and_short_title():
    lines = list(read_order_addenda_file(fixture("icd10cm_order_addenda_2100.txt")))
    assert lines[1] == OrderAddendaLine("add", "D69.1", "Qualitative platelet defects",
                                        billable=False,
                                        short_title="Qualitative platelet defects")
    assert lines[-1].short_title == "Type 2 diabetes mellitus w/o complications, not in remission"
    assert isinstance(lines[0], AddendaLine) and lines[0].billable is True


@pytest.mark.parametrize(
    ("edit", "line", "words"),
    [
        (lambda t: t.replace("      4 additions", "      5 additions"), None, "5 additions"),
        (lambda t: t[: t.index("\r\n\r\nCodes")], None, "truncated"),
        (lambda t: t.replace("Revise to:   E119", "Revise to:   E118"), 5, "Revise to"),
        (lambda t: t.replace("Add:         E11A", "Added:       E11A"), 4, "neither"),
        (lambda t: t.replace("Add:         E11A    ", "Add:         E11A.0  "), 4, "code"),
        (lambda t: t + "Add:         Z999    Late line\r\n", 17, "neither"),
    ],
)
def test_a_malformed_codes_addenda_names_the_place(edit, line, words):
    text = edit(fixture("icd10cm_codes_addenda_2100.txt").read_bytes().decode())
    error = raises_at(lambda: list(read_codes_addenda(io.StringIO(text, newline=""),
                                                      source="a.txt")), line=line, file="a.txt")
    assert words in error.message


def _fixture_release() -> list[CodeTitle]:
    return list(read_order_file(fixture("icd10cm_order_2099.txt")))


def test_apply_codes_addenda_infers_headers():
    new = apply_addenda(_fixture_release(),
                        read_codes_addenda_file(fixture("icd10cm_codes_addenda_2100.txt")))
    assert [(t.code, t.billable) for t in new] == [
        ("D69", False), ("D69.1", False), ("D69.11", True), ("D69.19", True), ("D69.6", True),
        ("E11", False), ("E11.4", False), ("E11.40", True), ("E11.41", True), ("E11.9", True),
        ("E11.A", True), ("T52", False), ("T52.8", False), ("T52.81", False),
        ("T52.811", False), ("T52.811A", True)]
    by_code = {t.code: t for t in new}
    assert by_code["D69.1"].long_title == "Qualitative platelet defects"  # kept as a header
    assert by_code["T52.81"].long_title == ""  # a new header: its title is not in the addenda
    assert by_code["E11.9"].long_title.endswith("not in remission")
    assert by_code["E11.9"].short_title is None  # the codes addenda has no short titles
    assert [t.order_number for t in new] == list(range(1, 17))


def test_apply_order_addenda_is_exact():
    new = apply_addenda(_fixture_release(),
                        read_order_addenda_file(fixture("icd10cm_order_addenda_2100.txt")))
    codes = [t.code for t in new]
    assert codes[:5] == ["D69", "D69.1", "D69.11", "D69.19", "D69.6"]
    assert codes[-5:] == ["T52.8", "T52.8X", "T52.8X1", "T52.8X1A", "T52.8X1D"]
    by_code = {t.code: t for t in new}
    assert by_code["D69.1"] == CodeTitle("D69.1", False, "Qualitative platelet defects",
                                         "Qualitative platelet defects", 2)
    assert by_code["E11.9"].short_title == (
        "Type 2 diabetes mellitus w/o complications, not in remission")
    assert sum(t.billable for t in new) == 9 and len(new) == 17


def test_apply_to_a_codes_file_adds_no_headers():
    codes = list(read_codes_file(fixture("icd10cm_codes_2099.txt")))
    new = apply_addenda(codes, read_codes_addenda_file(fixture("icd10cm_codes_addenda_2100.txt")))
    assert [t.code for t in new] == [
        "D69.11", "D69.19", "D69.6", "E11.40", "E11.41", "E11.9", "E11.A", "T52.811A"]
    assert all(t.billable and t.order_number is None for t in new)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (AddendaLine("delete", "E11.8", "Type 2 diabetes mellitus with unspecified "
                     "complications"), "does not have"),
        (AddendaLine("delete", "E11.4", "Type 2 diabetes mellitus with neurological "
                     "complications"), "header"),
        (AddendaLine("add", "E11.40", "Type 2 diabetes mellitus with diabetic neuropathy, "
                     "unspecified"), "already has"),
        (AddendaLine("add", "E11.401", "Something under a valid code"), "does not delete"),
        (AddendaLine("revise_from", "E11.9", "Another title"), "previous release has"),
    ],
)
def test_addenda_that_do_not_fit_the_release_are_refused(line, words):
    with pytest.raises(InvalidInput) as caught:
        apply_addenda(_fixture_release(), [line])
    assert words in caught.value.message
    assert caught.value.position.field == f"{line.action} {line.code}"


# -- the real files ------------------------------------------------------------------------

ICD = "codesets/icd10cm/"


@pytest.fixture(scope="module")
def order_2025() -> list[CodeTitle]:
    return list(read_order_zip(shared_data(ICD + "2025/2025-code-descriptions-tabular-order.zip")))


@pytest.fixture(scope="module")
def order_2026() -> list[CodeTitle]:
    return list(read_order_zip(shared_data(ICD + "2026/2026-code-descriptions-tabular-order.zip")))


@pytest.fixture(scope="module")
def tabular_2026() -> dict[str, TabularEntry]:
    path = shared_data(ICD + "2026/icd10c-tabular-April-1-2026.xml.xz")
    return {entry.key: entry for entry in read_tabular_file(path)}


@pytest.fixture(scope="module")
def addenda_2027() -> list[AddendaLine]:
    return list(read_codes_addenda_file(shared_data(ICD + "2027/icd10cm_codes_addenda_2027.txt")))


@pytest.mark.shared_data
def test_real_order_files_counts_and_titles(order_2025, order_2026):
    assert (len(order_2026), sum(t.billable for t in order_2026)) == (98_186, 74_719)
    assert (len(order_2025), sum(t.billable for t in order_2025)) == (97_584, 74_260)
    fy2026 = {t.code: t for t in order_2026}
    assert fy2026["E11.40"].long_title == (
        "Type 2 diabetes mellitus with diabetic neuropathy, unspecified")
    assert fy2026["E11.A"].billable and fy2026["E11.A"].long_title == (
        "Type 2 diabetes mellitus without complications in remission")
    assert "E11.A" not in {t.code for t in order_2025}
    assert fy2026["E11"].billable is False and fy2026["QA0"].billable is False


@pytest.mark.shared_data
def test_real_codes_file_is_the_billable_part_of_the_order_file(order_2026):
    codes = list(read_codes_zip(shared_data(ICD + "2026/2026-code-descriptions-tabular-order.zip")))
    assert [c.code for c in codes] == [t.code for t in order_2026 if t.billable]


@pytest.mark.shared_data
def test_real_tabular_2026(tabular_2026, order_2026):
    kinds = [entry.kind for entry in tabular_2026.values()]
    assert (kinds.count("chapter"), kinds.count("block"), kinds.count("code")) == (22, 297, 46_881)
    e11 = tabular_2026["E11"]
    assert e11.parent == "E08-E13" and tabular_2026["E08-E13"].parent == "4"
    use_additional = [n.text for n in e11.notes if n.kind is NoteKind.USE_ADDITIONAL_CODE]
    assert use_additional[0] == "code to identify control using:"
    assert "insulin (Z79.4)" in use_additional
    excludes1 = [n.text for n in e11.notes if n.kind is NoteKind.EXCLUDES1]
    assert "type 1 diabetes mellitus (E10.-)" in excludes1
    assert tabular_2026["E11.A"].parent == "E11"
    assert tabular_2026["S52"].seventh_characters[0] == SeventhCharacter(
        "A", "initial encounter for closed fracture")
    codes = {key for key, entry in tabular_2026.items() if entry.kind == "code"}
    assert codes <= {t.code for t in order_2026}  # every tabular code or header is in the order


@pytest.mark.shared_data
@pytest.mark.parametrize(("path", "subterms"), [
    ("2026/icd10cm-eindex-April-1-2026-XML.xml", 7_776),
    ("2025/icd10cm_eindex_2025.xml", 7_750),
])
def test_real_external_cause_index(path, subterms):
    terms = list(read_index_file(shared_data(ICD + path)))
    assert len(terms) == 314 and len(list(walk(terms))) - 314 == subterms
    assert all(t.level == 0 for t in terms)
    empty = [t.title for t in terms if not (t.code or t.see or t.see_also or t.subterms)]
    assert empty == ["Endotracheal tube wrongly placed during anesthetic procedure"]  # as published
    accident = next(t for t in terms if t.title == "Accident")
    assert accident.code == "X58" and accident.nonessential == ["to"]


@pytest.mark.shared_data
def test_real_index_csv_diabetes_type_2_with_neuropathy():
    path = shared_data(ICD + "2025/reformatted/ICD10CM_2025_Index.csv.xz")
    terms = list(read_index_csv_file(path))
    assert len(terms) == 8_100 and len(list(walk(terms))) == 81_024
    diabetes = next(t for t in terms if t.title == "Diabetes, diabetic")
    assert diabetes.nonessential == ["mellitus", "sugar"]
    with_ = child(child(diabetes, "type 2"), "with")
    assert child(with_, "neuropathy").code == "E11.40"
    assert child(with_, "mononeuropathy").code == "E11.41"
    by_title = {term.title: term for term in terms}
    # words outside a nonessential group are essential (D50.0 is anemia due to blood loss)
    normocytic = by_title["Normocytic anemia due to blood loss"]
    assert (normocytic.nonessential, normocytic.code) == (["infectional", "chronic"], "D50.0")
    assert by_title["Amnestic syndrome"].nonessential == ["post-traumatic"]  # "Amnes(t)ic"
    # the row that lost "phobia" is repaired, so "Cancer" alone is not a phobia
    assert by_title["Cancerophobia"].code == "F45.29"
    assert all(term.code != "F45.29" for term in terms if term.title == "Cancer")


@pytest.mark.shared_data
def test_real_neoplasm_table():
    path = shared_data(ICD + "2026/icd10cm-neoplasm-April-1-2026-XML.xml")
    (neoplasm,) = read_table_file(path)
    assert neoplasm.title == "Neoplasm, neoplastic"
    assert neoplasm.codes["Malignant Primary"] == "C80.1"
    assert neoplasm.codes["Malignant Secondary"] == "C79.9"
    assert len(list(walk([neoplasm]))) - 1 == 1_939
    assert read_table_headings_file(path)[1:3] == ["Malignant Primary", "Malignant Secondary"]


@pytest.mark.shared_data
def test_real_drug_table():
    rows = list(read_table_file(shared_data(ICD + "2026/icd10cm-drug-April-1-2026-XML.xml")))
    assert len(rows) == 5_179
    adrenergic = next(r for r in rows if r.title == "Adrenergic NEC")
    assert adrenergic.codes["Poisoning Accidental (unintentional)"] == "T44.901"
    assert adrenergic.codes["Adverse effect"] == "T44.905"
    assert next(r for r in rows if r.title == "Aleve").see == "Naproxen"


@pytest.mark.shared_data
def test_real_conversion_tables():
    fy2025 = list(read_conversion_zip(shared_data(ICD + "2025/2025-conversion-table.zip")))
    fy2026 = list(read_conversion_xlsx_file(
        shared_data(ICD + "2026/ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx")))
    assert (len(fy2025), len(fy2026)) == (5_405, 5_892)
    new_in_fy2026 = [e for e in fy2026 if e.effective == "2025"]  # effective October 1, 2025
    assert len(new_in_fy2026) == 487
    assert ConversionEntry("E11.A", "2025", ("E11.9",)) in new_in_fy2026
    assert sum(e.effective == "04/01/23" for e in fy2026) == 42


@pytest.mark.shared_data
def test_real_addenda_counts(addenda_2027):
    actions = [line.action for line in addenda_2027]
    counts = (actions.count("add"), actions.count("delete"), actions.count("revise_to"))
    assert counts == (190, 30, 4)
    zipped = shared_data(ICD + "2026/2026-code-descriptions-tabular-order.zip")
    codes_2026 = [line.action for line in read_codes_addenda_zip(zipped)]
    assert (codes_2026.count("add"), codes_2026.count("delete")) == (487, 28)
    order_2026 = list(read_order_addenda_zip(zipped))
    assert sum(line.action == "add" and not line.billable for line in order_2026) == 143


@pytest.mark.shared_data
def test_fy2027_from_fy2026_plus_its_addenda(order_2026, addenda_2027):
    fy2027 = apply_addenda(order_2026, addenda_2027)
    billable = {t.code for t in fy2027 if t.billable}
    before = {t.code for t in order_2026 if t.billable}
    added = {line.code for line in addenda_2027 if line.action == "add"}
    deleted = {line.code for line in addenda_2027 if line.action == "delete"}
    assert billable == (before - deleted) | added and len(added) == 190 and len(deleted) == 30
    assert len(billable) == 74_879  # the addenda's own summary: 74879 codes in the 2027 file
    assert len(fy2027) == 98_403  # the FY2027 order-file line count CMS/CDC report
    by_code = {t.code: t for t in fy2027}
    assert by_code["D69.1"].billable is False  # D69.1 deleted, D69.11 added under it
    assert "T52.8X" not in by_code  # all its codes deleted
    assert by_code["L02.232"].long_title == "Carbuncle of back [any part, except buttock and flank]"
    assert sum(t.long_title == "" for t in fy2027) == 48  # new headers: titles not published


@pytest.mark.shared_data
def test_fy2026_rebuilt_from_fy2025_and_its_addenda(order_2025, order_2026):
    zipped = shared_data(ICD + "2026/2026-code-descriptions-tabular-order.zip")
    exact = apply_addenda(order_2025, read_order_addenda_zip(zipped))
    unnumbered = {(t.code, t.billable, t.long_title, t.short_title) for t in exact}
    assert unnumbered == {(t.code, t.billable, t.long_title, t.short_title) for t in order_2026}
    inferred = apply_addenda(order_2025, read_codes_addenda_zip(zipped))
    assert {t.code for t in inferred if t.billable} == {t.code for t in order_2026 if t.billable}
    headers = {t.code for t in order_2026 if not t.billable}
    assert headers - {t.code for t in inferred if not t.billable} == {"T36.AX"}  # a placeholder

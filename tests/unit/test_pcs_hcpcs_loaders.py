"""Loaders for the ICD-10-PCS files (order, tables, definitions, index) and HCPCS Level II
(the CMS fixed-width alpha-numeric file and the re-formatted CSV copies).

Fast tests read the hand-written samples in ``fixtures/pcs_hcpcs/``; the ``shared_data`` ones
read the real files in place (module-scoped, each parsed once)."""

from __future__ import annotations

import io
import lzma
import zipfile
from datetime import date
from pathlib import Path

import pytest

from chartwell.codesets.hcpcs import (
    read_anweb,
    read_anweb_file,
    read_hcpcs_csv,
    read_hcpcs_csv_files,
    read_modifiers_csv,
    read_modifiers_csv_file,
)
from chartwell.codesets.icd10pcs.definitions import (
    define,
    define_table,
    index_definitions,
    read_definitions,
    read_definitions_file,
    read_device_aggregates_file,
    table_suffixes,
    term_for,
)
from chartwell.codesets.icd10pcs.index import read_index, read_index_file, walk
from chartwell.codesets.icd10pcs.order import (
    read_order,
    read_order_addenda,
    read_order_addenda_zip,
    read_order_file,
    read_order_zip,
)
from chartwell.codesets.icd10pcs.tables import (
    PcsCharacter,
    expand_table,
    explain_code,
    index_tables,
    is_valid_code,
    read_tables,
    read_tables_file,
)
from chartwell.codesets.model import CodeSystem, HcpcsCode, Modifier, PcsAxisValue
from chartwell.errors import InvalidInput
from support import shared_data

FIXTURES = Path(__file__).parent / "fixtures" / "pcs_hcpcs"
ANWEB_SAMPLE = FIXTURES / "HCPC2024_JUL_ANWEB_sample.txt"
PCS_2026 = "codesets/icd10pcs/2026"
ORDER_ZIP = f"{PCS_2026}/2026-icd-10-pcs-order-file-long-and-abbreviated-titles.zip"
HCPCS_2024 = "codesets/hcpcs/2024q3/reformatted"

APPENDECTOMY = [
    PcsCharacter(1, "Section", "0", "Medical and Surgical"),
    PcsCharacter(2, "Body System", "D", "Gastrointestinal System"),
    PcsCharacter(
        3, "Operation", "T", "Resection", "Cutting out or off, without replacement, all of a body part"
    ),
    PcsCharacter(4, "Body Part", "J", "Appendix"),
    PcsCharacter(5, "Approach", "4", "Percutaneous Endoscopic"),
    PcsCharacter(6, "Device", "Z", "No Device"),
    PcsCharacter(7, "Qualifier", "Z", "No Qualifier"),
]


def order_line(number: str, code: str, flag: str, short: str, long: str) -> str:
    return f"{number} {code:<7} {flag} {short:<60} {long}"


def invalid(call) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value


# -- ICD-10-PCS order file -----------------------------------------------------------------


def test_order_sample():
    lines = list(read_order_file(FIXTURES / "icd10pcs_order_sample.txt"))
    assert [(line.code, line.billable, line.order_number) for line in lines] == [
        ("0DT", False, 1),
        ("0DTJ0ZZ", True, 2),
        ("0DTJ4ZZ", True, 3),
        ("0DTJ7ZZ", True, 4),
        ("027", False, 5),
        ("02703DZ", True, 6),
    ]
    assert lines[2].long_title == "Resection of Appendix, Percutaneous Endoscopic Approach"
    assert lines[5].short_title == "Dilation of Coronary Artery, One Artery with Intralum Dev, P"
    assert lines[5].long_title.endswith("Intraluminal Device, Percutaneous Approach")


def test_order_read_straight_from_the_zip(tmp_path):
    archive = tmp_path / "order.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(FIXTURES / "icd10pcs_order_sample.txt", "icd10pcs_order_2026.txt")
        addenda = "Delete:      0DTJ7ZZ " + "x" * 60 + " Gone\r\n\r\nHeaders\r\n"
        out.writestr("order_addenda_2026.txt", addenda)
    assert [line.code for line in read_order_zip(archive)][:2] == ["0DT", "0DTJ0ZZ"]
    (deleted,) = read_order_addenda_zip(archive)
    assert (deleted.action, deleted.code, deleted.title) == ("delete", "0DTJ7ZZ", "Gone")


def test_order_zip_without_an_order_member(tmp_path):
    archive = tmp_path / "other.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("readme.txt", "nothing")
    error = invalid(lambda: list(read_order_zip(archive)))
    assert error.position.file == str(archive)
    error = invalid(lambda: list(read_order_zip(FIXTURES / "icd10pcs_order_sample.txt")))
    assert "not a zip" in error.message


@pytest.mark.parametrize(
    "line, field",
    [
        (order_line("0000A", "0DTJ4ZZ", "1", "s", "long"), "order number"),
        (order_line("00002", "0DTJ4ZZ", "0", "s", "long"), "flag"),  # a 7-character header
        (order_line("00002", "0DT", "1", "s", "long"), "flag"),  # a billable table header
        (order_line("00002", "0DTI4ZZ", "1", "s", "long"), "code"),  # no I in PCS
        (order_line("00002", "0DTJ4ZZ", "1", "s", ""), None),  # ends before the long title
        ("00002,0DTJ4ZZ,1,Resection of Appendix,Resection of Appendix" + " " * 40, None),
    ],
)
def test_order_malformed_line_names_the_line(line, field):
    good = order_line("00001", "0DT", "0", "Gastrointestinal System, Resection", "Gastro")
    stream = io.StringIO(f"{good}\r\n{line}\r\n")
    error = invalid(lambda: list(read_order(stream, source="order.txt")))
    assert (error.position.file, error.position.line, error.position.field) == ("order.txt", 2, field)


def test_order_addenda_stops_at_the_summary():
    text = (
        "Add:         00H033J " + "Insertion of Infusion Device".ljust(60) + " Insertion, long\n"
        "Revise from: 6A4     " + "Old short".ljust(60) + " Hypothermia\n"
        "Revise to:   6A4     " + "New short".ljust(60) + " Hypothermia\n"
        "\n"
        "Codes\n  79115 codes in icd10pcs_order_2026.txt\n"
    )
    lines = list(read_order_addenda(io.StringIO(text)))
    assert [(line.action, line.code) for line in lines] == [
        ("add", "00H033J"),
        ("revise_from", "6A4"),
        ("revise_to", "6A4"),
    ]
    unknown = io.StringIO("Changed:     00H033J x\n")
    error = invalid(lambda: list(read_order_addenda(unknown, source="a")))
    assert (error.position.line, error.position.field) == (1, "action")


# -- ICD-10-PCS tables ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_tables():
    return index_tables(read_tables_file(FIXTURES / "icd10pcs_tables_sample.xml"))


def test_tables_sample_shape(sample_tables):
    assert list(sample_tables) == ["0DT", "027", "XW0"]
    resection = sample_tables["0DT"]
    assert resection.axis_titles == (
        "Section", "Body System", "Operation", "Body Part", "Approach", "Device", "Qualifier"
    )  # fmt: skip
    assert resection.operation == PcsAxisValue(
        3, "T", "Resection", "Cutting out or off, without replacement, all of a body part"
    )
    assert [[len(axis) for axis in row] for row in resection.rows] == [[2, 2, 1, 1], [1, 1, 1, 1]]
    assert sample_tables["XW0"].axis_titles[5] == "Device / Substance / Technology"


def test_expand_table_gives_every_combination(sample_tables):
    assert list(expand_table(sample_tables["0DT"])) == [
        "0DTJ0ZZ", "0DTJ4ZZ", "0DTK0ZZ", "0DTK4ZZ", "0DTJ7ZZ"
    ]  # fmt: skip
    assert len(list(expand_table(sample_tables["027"]))) == 6


def test_explain_appendectomy_character_by_character(sample_tables):
    explained = explain_code("0DTJ4ZZ", sample_tables)
    assert explained.valid and explained.message is None and explained.table == "0DT"
    assert list(explained.characters) == APPENDECTOMY


def test_explain_uses_the_row_that_allows_the_code(sample_tables):
    # device S means one thing with qualifier 6 and another with qualifier 9 (table XW0)
    assert explain_code("XW033S6", sample_tables).characters[5].label == "COVID-19 Vaccine Dose 1"
    assert explain_code("XW033S9", sample_tables).characters[5].label == "Epcoritamab Monoclonal Antibody"


@pytest.mark.parametrize(
    "code, explained_positions, message",
    [
        ("0DTJ4ZY", 6, "no row of table 0DT allows qualifier 'Y' (position 7) with 'J4Z' in positions 4-6"),
        ("0DTK7ZZ", 4, "no row of table 0DT allows approach '7' (position 5) with 'K' in position 4"),
        ("0DTB0ZZ", 3, "no row of table 0DT allows body part 'B' (position 4)"),
        ("0DZJ4ZZ", 0, "no ICD-10-PCS table 0DZ"),
        ("0DTJ4Z", 0, "an ICD-10-PCS code has 7 characters, not 6"),
        ("0DTJ4ZO", 0, "not ICD-10-PCS characters: 'O' (digits and letters but I and O)"),
    ],
)
def test_explain_invalid_codes(sample_tables, code, explained_positions, message):
    explained = explain_code(code, sample_tables)
    assert not explained.valid and not is_valid_code(code, sample_tables)
    assert len(explained.characters) == explained_positions
    assert explained.message == message


def test_explain_accepts_lower_case(sample_tables):
    assert explain_code(" 0dtj4zz ", sample_tables).code == "0DTJ4ZZ"
    assert is_valid_code("0dtj4zz", sample_tables)


def test_index_tables_rejects_a_repeated_table(sample_tables):
    table = sample_tables["0DT"]
    assert invalid(lambda: index_tables([table, table])).position.field == "0DT"


def _sample_tables_bytes() -> bytes:
    return (FIXTURES / "icd10pcs_tables_sample.xml").read_bytes()


def _line_of(data: bytes, needle: bytes, occurrence: int = 1) -> int:
    index = -1
    for _ in range(occurrence):
        index = data.index(needle, index + 1)
    return data[:index].count(b"\n") + 1


DEVICE_AXIS = b'values="2">\n        <title>Device'


@pytest.mark.parametrize(
    "old, new, needle, message",
    [
        (b'<pcsRow codes="6">', b'<pcsRow codes="7">', b'<pcsRow codes="7">', "declares 7 codes"),
        (DEVICE_AXIS, DEVICE_AXIS.replace(b"2", b"3"), DEVICE_AXIS.replace(b"2", b"3"), "declares 3"),
        (b'<label code="K">', b'<label code="KK">', b'<label code="KK">', "not one PCS character"),
        (b"<title>Approach</title>", b"<title>Method</title>", b'<pcsRow codes="1">', "differ"),
    ],
)
def test_tables_structure_errors_name_the_line(old, new, needle, message):
    data = _sample_tables_bytes().replace(old, new, 1)
    error = invalid(lambda: list(read_tables(io.BytesIO(data), source="t.xml")))
    assert message in error.message
    assert (error.position.file, error.position.line) == ("t.xml", _line_of(data, needle))


def test_truncated_tables_xml_is_invalid_input():
    data = _sample_tables_bytes()[:-200]
    error = invalid(lambda: list(read_tables(io.BytesIO(data), source="t.xml")))
    assert "not well-formed XML" in error.message
    assert error.position.line == data.count(b"\n") + 1


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<ICD10PCS.index><version>2025</version></ICD10PCS.index>", "expected root element"),
        (b"", "not well-formed XML"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><ICD10PCS.tabular/>', "DOCTYPE"),
        (b"<ICD10PCS.tabular><pcsTable></ICD10PCS.tabular>", "not well-formed XML"),
    ],
)
def test_not_a_tables_document(data, message):
    error = invalid(lambda: list(read_tables(io.BytesIO(data), source="t.xml")))
    assert message in error.message and error.position.line == 1


# -- ICD-10-PCS definitions ----------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_definitions():
    return index_definitions(read_definitions_file(FIXTURES / "icd10pcs_definitions_sample.xml"))


def test_definitions_sample(sample_definitions):
    resection = sample_definitions[("0", 3, "resection")]
    assert resection.definition == "Cutting out or off, without replacement, all of a body part"
    assert (resection.section_title, resection.axis_title) == ("Medical and Surgical", "Operation")
    appendix = sample_definitions[("0", 4, "appendix")]
    assert appendix.definition is None and appendix.includes == ("Vermiform appendix",)
    dilation = sample_definitions[("0", 3, "dilation")]
    assert dilation.explanation.startswith("The orifice can be")
    (aggregate,) = read_device_aggregates_file(FIXTURES / "icd10pcs_definitions_sample.xml")
    assert (aggregate.device, aggregate.parent_value) == ("Autologous Arterial Tissue", "7")
    assert aggregate.body_systems == ("Heart and Great Vessels", "Upper Arteries")


def test_define_fills_table_values(sample_definitions, sample_tables):
    approach = PcsAxisValue(5, "4", "Percutaneous Endoscopic")
    assert define("0", approach, sample_definitions).definition.startswith("Entry, by puncture")
    assert define("X", approach, sample_definitions) is approach  # another section
    defined = define_table(sample_tables["0DT"], sample_definitions)
    assert defined.rows[0][1][1].definition.startswith("Entry, by puncture")
    assert defined.rows[0][0][0].definition is None  # Appendix: includes only
    assert sample_tables["0DT"].rows[0][1][1].definition is None  # the original is unchanged
    assert defined.axis_titles == sample_tables["0DT"].axis_titles


def test_definitions_titles_qualified_by_their_table(sample_definitions, sample_tables):
    dilation = sample_tables["027"]
    stent = dilation.rows[0][2][0]
    assert stent.label == "Intraluminal Device"
    assert term_for("0", stent, sample_definitions) is None
    term = term_for("0", stent, sample_definitions, suffixes=table_suffixes(dilation))
    assert term.includes == ("Coronary stent",)
    assert table_suffixes(dilation) == (
        " for Dilation in Heart and Great Vessels",
        " in Heart and Great Vessels",
        " in Medical and Surgical",
        " (Dilation)",
    )


def test_definitions_errors_name_the_line():
    data = (FIXTURES / "icd10pcs_definitions_sample.xml").read_bytes()
    broken = data.replace(b"<title>Appendix</title>", b"")
    error = invalid(lambda: list(read_definitions(io.BytesIO(broken), source="d.xml")))
    assert "without a <title>" in error.message
    assert error.position.line == _line_of(broken, b"<terms>", 3)


# -- ICD-10-PCS index ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_index():
    with open(FIXTURES / "icd10pcs_index_sample.xml", "rb") as stream:
        return {term.title: term for term in read_index(stream)}


def test_index_see_with_partial_code(sample_index):
    appendectomy = sample_index["Appendectomy"]
    assert appendectomy.level == 0 and appendectomy.code is None
    assert [(term.title, term.level, term.see, term.code) for term in appendectomy.subterms] == [
        ("", 1, "Excision, Appendix", "0DBJ"),
        ("", 1, "Resection, Appendix", "0DTJ"),
    ]


def test_index_use_tab_code_and_nesting(sample_index):
    assert sample_index["Appendiceal orifice"].use == "Appendix"
    assert sample_index["Acetabulectomy"].subterms[0].code == "0QB"  # a table
    abortion = sample_index["Abortion"].subterms
    assert [(term.title, term.code) for term in abortion] == [
        ("Products of Conception", "10A0"),
        ("Laminaria", "10A07ZW"),
    ]
    paths = {path: term.code for path, term in walk(list(sample_index.values()))}
    assert paths[("Resection", "Colon", "Ascending")] == "0DTK"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.replace(b'<term level="2">', b'<term level="3">'), "term level '3' under"),
        (lambda d: d.replace(b"<code>10A07ZW</code>", b"<code>10A07</code>"), "is not a PCS code"),
        (lambda d: d.replace(b"<use>Appendix</use>", b"<use>A</use><use>B</use>"), "more than one"),
        (lambda d: d[: d.index(b"<letter>\n    <title>R")], "not well-formed XML"),
    ],
)
def test_index_errors(change, message):
    data = change((FIXTURES / "icd10pcs_index_sample.xml").read_bytes())
    error = invalid(lambda: list(read_index(io.BytesIO(data), source="i.xml")))
    assert message in error.message
    assert error.position.file == "i.xml" and error.position.line > 1


def test_damaged_xz_index_is_invalid_input(tmp_path):
    data = lzma.compress((FIXTURES / "icd10pcs_index_sample.xml").read_bytes())
    damaged = tmp_path / "icd10pcs_index_2025.xml.xz"
    damaged.write_bytes(data[: len(data) // 2])
    error = invalid(lambda: list(read_index_file(damaged)))
    assert error.position.file == str(damaged)


def test_order_file_that_is_not_text(tmp_path):
    path = tmp_path / "icd10pcs_order_2026.txt"
    good = (FIXTURES / "icd10pcs_order_sample.txt").read_bytes()
    path.write_bytes(good + b"\xff\xfe\x00garbage\r\n")
    error = invalid(lambda: list(read_order_file(path)))
    assert error.position.file == str(path) and error.position.line is not None


# -- HCPCS: the official fixed-width file --------------------------------------------------


@pytest.fixture(scope="module")
def anweb_sample():
    return {record.code: record for record in read_anweb_file(ANWEB_SAMPLE)}


def test_anweb_procedure_record(anweb_sample):
    assert anweb_sample["J3301"] == HcpcsCode(
        code="J3301",
        long_title="Injection, triamcinolone acetonide, not otherwise specified, 10 mg",
        short_title="Triamcinolone acet inj nos",
        pricing_indicator="51",
        coverage_code="D",
        betos="O1E",
        type_of_service="1:P",
        action_code="N",
        added=date(1991, 1, 1),
        action_effective=date(2009, 1, 1),
        terminated=None,
    )
    assert anweb_sample["E0114"].type_of_service == "A:P:R"


def test_anweb_joins_continuation_lines(anweb_sample):
    # split after a word (first piece blank-padded) and in the middle of one
    assert anweb_sample["A0080"].long_title == (
        "Non-emergency transportation, per mile - vehicle provided by volunteer "
        "(individual or organization), with no vested interest"
    )
    assert anweb_sample["A4466"].long_title == (
        "Garment, belt, sleeve or other covering, elastic or similar stretchable material, "
        "any type, each"
    )


def test_anweb_terminated_code_keeps_its_date(anweb_sample):
    assert anweb_sample["A4466"].terminated == date(2016, 12, 31)
    assert anweb_sample["J3301"].terminated is None


def test_anweb_modifiers(anweb_sample):
    modifiers = {code: r for code, r in anweb_sample.items() if isinstance(r, Modifier)}
    assert sorted(modifiers) == ["GA", "LT", "RT", "XE", "XP", "XS", "XU"]
    assert modifiers["XU"].title.endswith("does not overlap usual components of the main service")
    assert modifiers["RT"].system is CodeSystem.HCPCS


def _anweb(code: str, sequence: str, record_id: str, text: str, rest: str = "") -> str:
    return f"{code:<5}{sequence}{record_id}{text:<80}{rest}"


(J3301,) = [line for line in ANWEB_SAMPLE.read_text().splitlines() if line.startswith("J3301")]


def test_anweb_skips_level_one_records():
    lines = [
        _anweb("12345", "00100", "3", "LEVEL I PLACEHOLDER"),
        _anweb("12345", "00200", "4", "CONTINUED"),
        _anweb("59", "00100", "7", "LEVEL I MODIFIER PLACEHOLDER"),
        J3301,
    ]
    records = list(read_anweb(io.StringIO("\n".join(lines))))
    assert [record.code for record in records] == ["J3301"]


@pytest.mark.parametrize(
    "lines, line, field",
    [
        ([_anweb("J3301", "00100", "5", "x")], 1, "record identification code"),
        ([_anweb("J3301", "001 0", "3", "x")], 1, "sequence number"),
        ([_anweb("J330", "00100", "3", "x")], 1, "HCPCS code"),
        ([_anweb("J3301", "00200", "4", "x")], 1, "record identification code"),
        ([J3301, _anweb("J3302", "00200", "4", "x")], 2, "HCPCS code"),
        ([J3301, _anweb("J3301", "00200", "8", "x")], 2, "HCPCS code"),
        ([J3301, J3301], 2, "HCPCS code"),
        ([J3301.replace("19910101", "19911301")], 1, "code added date"),
        ([J3301 + " " * 40 + "X"], 1, None),
        (["HCPC,SEQNUM,RECID,LONG_DESCRIPTION,SHORT_DESCRIPTION"], 1, "record identification code"),
        ([_anweb("J3301", "00100", "3", "")], 1, "long description"),
    ],
)
def test_anweb_malformed_names_the_place(lines, line, field):
    stream = io.StringIO("\r\n".join(lines) + "\r\n")
    error = invalid(lambda: list(read_anweb(stream, source="anweb.txt")))
    assert (error.position.file, error.position.line, error.position.field) == ("anweb.txt", line, field)


# -- HCPCS: the re-formatted CSV copies ----------------------------------------------------

CODES_CSV = (
    '"hcpcs_code","price","multi","cov","betos","tos","action","cim","mcm","statute","lab","xref",'
    '"asc_grp","proc","anes","date_term","date_added","date_asc","date_action"\n'
    '"J3301","51","A","D","O1E","1:P","N",,"2049",,,,,,"0",,"1991-01-01",,"2009-01-01"\n'
    '"A4466","00","9","M","Z2","9","N",,,,,"A4467",,"0196","0","2016-12-31","2010-01-01",,"2017-01-01"\n'
)
DESCRIPTIONS_CSV = (
    '"hcpcs_code","hcpcs_desc_type","hcpcs_description"\n'
    '"J3301","Long","Injection, triamcinolone acetonide, not otherwise specified, 10 mg"\n'
    '"J3301","Short","Triamcinolone acet inj nos"\n'
    '"A4466","Long","Garment, belt, sleeve or other covering, elastic or similar stretchable '
    'material, any type, each"\n'
    '"A4466","Short","Elastic garment/covering"\n'
)


def test_csv_join_gives_the_same_records_as_the_official_layout(anweb_sample):
    codes = list(read_hcpcs_csv(io.StringIO(CODES_CSV), io.StringIO(DESCRIPTIONS_CSV)))
    assert codes == [anweb_sample["J3301"], anweb_sample["A4466"]]


@pytest.mark.parametrize(
    "codes, descriptions, source, line, field",
    [
        (CODES_CSV.replace('"price",', ""), DESCRIPTIONS_CSV, "codes.csv", 1, "price"),
        (CODES_CSV.replace("2016-12-31", "12/31/2016"), DESCRIPTIONS_CSV, "codes.csv", 3, "date_term"),
        (CODES_CSV.replace('"J3301"', '"J33O1"'), DESCRIPTIONS_CSV, "codes.csv", 2, "hcpcs_code"),
        (CODES_CSV, DESCRIPTIONS_CSV.replace('4466","Long', '4466","Medium'), "codes.csv", 3, "hcpcs_code"),
        (CODES_CSV, DESCRIPTIONS_CSV.replace('3301","Short', '3301","Long'), "desc.csv", 3, "hcpcs_desc_type"),
        (CODES_CSV + '"J3302","51"\n', DESCRIPTIONS_CSV, "codes.csv", 4, None),
    ],
)
def test_csv_malformed_names_the_place(codes, descriptions, source, line, field):
    def read():
        return list(
            read_hcpcs_csv(
                io.StringIO(codes),
                io.StringIO(descriptions),
                codes_source="codes.csv",
                descriptions_source="desc.csv",
            )
        )

    error = invalid(read)
    assert (error.position.file, error.position.line, error.position.field) == (source, line, field)


MODIFIERS_CSV = (
    '"mod_code","mod_type","mod_category","mod_description","mod_information"\n'
    '"KX","HCPCS","General","Requirements specified in the medical policy have been met",""\n'
    '"KX","HCPCS","Therapy","Requirements specified in the medical policy have been met",""\n'
    '"RT","HCPCS","Anatomic Side of Body","Right side (used to identify procedures performed on '
    'the right side of the body)",""\n'
)


def test_modifiers_csv_yields_a_repeated_modifier_once():
    modifiers = list(read_modifiers_csv(io.StringIO(MODIFIERS_CSV)))
    assert [modifier.code for modifier in modifiers] == ["KX", "RT"]
    conflicting = MODIFIERS_CSV.replace('"Therapy","Requirements', '"Therapy","Other requirements')
    error = invalid(lambda: list(read_modifiers_csv(io.StringIO(conflicting), source="m.csv")))
    assert (error.position.line, error.position.field) == (3, "mod_description")


# -- the real files ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def order_2026():
    return list(read_order_zip(shared_data(ORDER_ZIP)))


@pytest.fixture(scope="module")
def tables_2026():
    return index_tables(read_tables_file(shared_data(f"{PCS_2026}/icd10pcs_tables_2026.xml")))


@pytest.fixture(scope="module")
def definitions_2026():
    return list(read_definitions_file(shared_data(f"{PCS_2026}/icd10pcs_definitions_2026.xml")))


@pytest.fixture(scope="module")
def index_2025():
    return list(read_index_file(shared_data("codesets/icd10pcs/2025/icd10pcs_index_2025.xml.xz")))


@pytest.fixture(scope="module")
def hcpcs_2024():
    folder = shared_data(HCPCS_2024)
    codes = read_hcpcs_csv_files(folder / "hcpcs_lvl2.csv", folder / "two_descriptions.csv.xz")
    return {code.code: code for code in codes}


@pytest.mark.shared_data
def test_real_order_file(order_2026):
    assert len(order_2026) == 80_029
    assert sum(line.billable for line in order_2026) == 79_115
    assert sum(not line.billable for line in order_2026) == 914
    (appendectomy,) = [line for line in order_2026 if line.code == "0DTJ4ZZ"]
    assert appendectomy.long_title == "Resection of Appendix, Percutaneous Endoscopic Approach"
    assert [line.order_number for line in order_2026] == list(range(1, 80_030))


@pytest.mark.shared_data
def test_real_order_addenda():
    actions = [line.action for line in read_order_addenda_zip(shared_data(ORDER_ZIP))]
    # its own summary: 156 codes + 4 headers added, 27 codes deleted, 1 header revised
    assert (actions.count("add"), actions.count("delete"), actions.count("revise_to")) == (160, 27, 1)


@pytest.mark.shared_data
def test_real_tables_expand_to_the_order_files_valid_codes(tables_2026, order_2026):
    assert len(tables_2026) == 914
    assert sum(len(table.rows) for table in tables_2026.values()) == 2_733
    expanded = [code for table in tables_2026.values() for code in expand_table(table)]
    assert len(expanded) == len(set(expanded)) == 79_115
    assert set(expanded) == {line.code for line in order_2026 if line.billable}
    assert set(tables_2026) == {line.code for line in order_2026 if not line.billable}


@pytest.mark.shared_data
def test_real_explanations(tables_2026):
    assert list(explain_code("0DTJ4ZZ", tables_2026).characters) == APPENDECTOMY
    ptca = explain_code("02703DZ", tables_2026)
    assert ptca.valid
    assert [(c.axis, c.label) for c in ptca.characters] == [
        ("Section", "Medical and Surgical"),
        ("Body System", "Heart and Great Vessels"),
        ("Operation", "Dilation"),
        ("Body Part", "Coronary Artery, One Artery"),
        ("Approach", "Percutaneous"),
        ("Device", "Intraluminal Device"),
        ("Qualifier", "No Qualifier"),
    ]
    for code in ("0DTJ4ZY", "0DZJ4ZZ", "02703DY"):
        assert not is_valid_code(code, tables_2026)


@pytest.mark.shared_data
def test_real_definitions(definitions_2026, tables_2026):
    assert len(definitions_2026) == 954
    definitions = index_definitions(definitions_2026)
    assert definitions[("0", 3, "resection")].definition == (
        "Cutting out or off, without replacement, all of a body part"
    )
    defined = define_table(tables_2026["0DT"], definitions)
    approaches = {value.label: value.definition for row in defined.rows for value in row[1]}
    assert approaches["Percutaneous Endoscopic"].startswith("Entry, by puncture or minor incision")
    devices = {value.label: value for row in tables_2026["027"].rows for value in row[2]}
    stent = term_for(
        "0",
        devices["Intraluminal Device, Drug-eluting"],
        definitions,
        suffixes=table_suffixes(tables_2026["027"]),
    )
    assert "Everolimus-eluting coronary stent" in stent.includes
    path = shared_data(f"{PCS_2026}/icd10pcs_definitions_2026.xml")
    assert len(list(read_device_aggregates_file(path))) == 60


@pytest.mark.shared_data
def test_real_index(index_2025, tables_2026):
    assert len(index_2025) == 3_215
    assert len(list(walk(index_2025))) == 3_215 + 21_269
    (appendectomy,) = [term for term in index_2025 if term.title == "Appendectomy"]
    assert ("Resection, Appendix", "0DTJ") in {(term.see, term.code) for term in appendectomy.subterms}
    assert is_valid_code("0DTJ4ZZ", tables_2026) and "0DTJ4ZZ".startswith("0DTJ")


@pytest.mark.shared_data
def test_real_hcpcs_csv(hcpcs_2024, anweb_sample):
    assert len(hcpcs_2024) == 8_033
    j3301 = hcpcs_2024["J3301"]
    assert j3301.long_title == "Injection, triamcinolone acetonide, not otherwise specified, 10 mg"
    assert (j3301.pricing_indicator, j3301.betos, j3301.added) == ("51", "O1E", date(1991, 1, 1))
    assert sum(code.terminated is not None for code in hcpcs_2024.values()) == 1_058
    assert hcpcs_2024["A4466"].terminated == date(2016, 12, 31)
    for code, record in anweb_sample.items():  # the fixture's records agree with CMS's data
        if isinstance(record, HcpcsCode):
            assert hcpcs_2024[code] == record


@pytest.mark.shared_data
def test_real_hcpcs_modifiers():
    path = shared_data(f"{HCPCS_2024}/modifiers_hcpcs_level2.csv")
    modifiers = {modifier.code: modifier for modifier in read_modifiers_csv_file(path)}
    assert len(modifiers) == 383  # 384 rows, KX listed twice
    assert {"RT", "LT", "XE", "XS", "XP", "XU", "GA"} <= set(modifiers)
    assert modifiers["XS"].title.startswith("Separate structure")
    assert all(modifier.system is CodeSystem.HCPCS for modifier in modifiers.values())

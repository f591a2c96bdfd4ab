"""The NCCI and MUE loaders on hand-written files in the CMS layouts (tests/data/ncci_cms_layout,
real 2024 Q3 rows), built into a real artifact and read back with the readers the edits use; and
malformed input, whose error names the file, the line and the field."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from chartwell.codesets import build, install, mue, ncci
from chartwell.codesets.artifact import Artifact
from chartwell.codesets.model import TableSet
from chartwell.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "ncci_cms_layout"
PRACTITIONER_F1 = FIXTURES / "ccipra-v302r0-f1.txt"
MUE_PRACTITIONER = FIXTURES / "MCR_MUE_PractitionerServices_Eff_07-01-2024.csv"


def built(tmp_path: Path, *paths: Path, system: TableSet) -> Artifact:
    """Recognise the files, load their release and write its artifact, as the install does."""
    [plan] = [plan for plan in install.scan(paths).plans if plan.system is system]
    module = ncci if system is TableSet.NCCI else mue
    loaded = module.load(plan, lambda message: None)
    path = tmp_path / f"{system}.sqlite"
    build.write_release(plan.system, plan.version, loaded, path, lambda message: None)
    return Artifact(path)


def rows_of(read, text: str, source: str = "fixture.txt", **options) -> list:
    return list(read(io.StringIO(text, newline=""), source, **options))


def error_of(read, text: str, source: str = "fixture.txt", **options) -> InvalidInput:
    with pytest.raises(InvalidInput) as raised:
        rows_of(read, text, source, **options)
    return raised.value


# -- the CMS PTP layout ------------------------------------------------------------------------


def test_cms_ptp_rows_start_below_the_notice_and_the_four_line_heading():
    with PRACTITIONER_F1.open(newline="") as stream:
        rows = list(ncci.read_ptp_cms(stream, str(PRACTITIONER_F1)))
    assert len(rows) == 12
    assert rows[0] == ("0001A", "0591T", "2022-01-01", "2023-12-31", "1",
                       "CPT Manual or CMS manual coding instruction")
    assert ("0001U", "0030U", "2018-07-01", "", "1",
            "Misuse of Column Two code with Column One code") in rows  # * = no deletion date


def test_the_cms_files_are_recognised_as_one_2024q3_release_of_each_table_set():
    plans = {plan.system: plan for plan in install.scan([FIXTURES]).plans}
    assert plans[TableSet.NCCI].version == plans[TableSet.MUE].version == "2024Q3"
    assert len(plans[TableSet.NCCI].files[install.Kind.NCCI_PTP_PRACTITIONER]) == 2  # f1, f2
    assert set(plans[TableSet.MUE].files) == {install.Kind.MUE_PRACTITIONER,
                                              install.Kind.MUE_OUTPATIENT, install.Kind.MUE_DME}


def test_a_cms_ptp_release_keeps_effective_and_deletion_dates(tmp_path):
    tables = ncci.NcciTables(built(tmp_path, FIXTURES, system=TableSet.NCCI))
    # 0001U / 0053U: effective 2019-01-01, deleted 2023-06-30 (its last date of service)
    assert tables.ptp("0001U", "0053U", "professional", date(2018, 12, 31)) is None
    edit = tables.ptp("0001U", "0053U", "professional", date(2023, 6, 30))
    assert (edit.effective_date, edit.deletion_date) == (date(2019, 1, 1), date(2023, 6, 30))
    assert edit.modifier_indicator == 1
    assert tables.ptp("0001U", "0053U", "professional", date(2023, 7, 1)) is None
    assert tables.ptp("0001U", "0030U", "professional", date(2024, 7, 15)).deletion_date is None
    assert "effective 2019-01-01, deletion date 2023-06-30" in edit.describe(tables.version)


def test_either_order_of_the_two_codes_finds_the_edit(tmp_path):
    tables = ncci.NcciTables(built(tmp_path, FIXTURES, system=TableSet.NCCI))
    forward = tables.ptp("0001U", "0071U", "professional", date(2024, 7, 15))
    assert tables.ptp("0071U", "0001U", "professional", date(2024, 7, 15)) == forward
    assert (forward.column_1, forward.column_2) == ("0001U", "0071U")


def test_of_two_rows_in_force_the_stricter_modifier_indicator_wins(tmp_path):
    """13121/13120 has a row deleted retroactively (9, 1996-01-01 to 1996-01-01) and the row in
    force since (0): on 1996-01-01 both apply, and the edit is the one no modifier bypasses."""
    tables = ncci.NcciTables(built(tmp_path, FIXTURES, system=TableSet.NCCI))
    assert len(tables.ptp_edits("13121", "13120", "practitioner")) == 2
    assert tables.ptp("13121", "13120", "professional", date(1996, 1, 1)).modifier_indicator == 0
    assert tables.ptp("13121", "13120", "professional").modifier_indicator == 0


def test_the_edits_among_the_codes_of_a_date_are_found_once_per_pair(tmp_path):
    tables = ncci.NcciTables(built(tmp_path, FIXTURES, system=TableSet.NCCI))
    codes = ["0030U", "13120", "0001U", "0053U", "13121", "99213"]
    found = tables.ptp_among(codes, "professional", date(2024, 7, 15))
    assert sorted((edit.column_1, edit.column_2, edit.modifier_indicator) for edit in found) == [
        ("0001U", "0030U", 1), ("13121", "13120", 0)]  # 0001U/0053U was deleted 2023-06-30
    assert len(tables.ptp_among(codes, "professional", date(2023, 6, 30))) == 3


def test_the_outpatient_table_is_its_own(tmp_path):
    tables = ncci.NcciTables(built(tmp_path, FIXTURES, system=TableSet.NCCI))
    assert tables.ptp_tables == {"practitioner", "outpatient"}
    # 0001A / 36591 is a practitioner edit only
    assert tables.ptp("0001A", "36591", "practitioner", date(2023, 1, 1)) is not None
    assert tables.ptp("0001A", "36591", "outpatient", date(2023, 1, 1)) is None
    assert tables.ptp("0001A", "0591T", "outpatient", date(2023, 1, 1)).table == "outpatient"


def test_a_zip_holding_the_cms_file_is_read_like_the_file(tmp_path):
    archive = tmp_path / "medicare-ncci-2024q3-practitioner-ptp-edits-ccipra-v302r0-f1.zip"
    with zipfile.ZipFile(archive, "w") as written:
        written.write(PRACTITIONER_F1, "ccipra-v302r0-f1.TXT")
    [found] = [found for plan in install.scan([archive]).plans for found in plan.all_files()]
    assert (found.kind, found.version) == (install.Kind.NCCI_PTP_PRACTITIONER, "2024Q3")
    rows = list(ncci.read_ptp_file(found))
    assert len(rows) == 12 and rows[-1][:2] == ("0001U", "81161")


# -- the CMS MUE layout ------------------------------------------------------------------------


def test_cms_mue_rows_follow_the_header_below_a_notice_of_several_lines():
    with MUE_PRACTITIONER.open(newline="") as stream:
        rows = list(mue.read_mue_cms(stream, str(MUE_PRACTITIONER), mue.PRACTITIONER))
    assert ("99213", 2, 3, "Clinical: Data") in rows
    assert ("A6460", 1, 1, "Clinical: CMS Workgroup") in rows
    assert ("G0008", 1, 2, "Code Descriptor / CPT Instruction") in rows


def test_a_cms_mue_release_answers_per_table(tmp_path):
    tables = mue.MueTables(built(tmp_path, FIXTURES, system=TableSet.MUE))
    assert tables.tables == {"practitioner", "outpatient", "dme"}
    assert tables.mue("97110", "professional").units == 6
    assert tables.mue("97110", "outpatient").units == 8
    value = tables.mue("E0114", "dme")
    assert (value.units, value.mai, value.mai_meaning) == (1, 2, "date of service edit: policy")
    assert tables.mue("E0114", "outpatient").units == 0
    assert tables.mue("99213", "dme") is None


# -- malformed input names the file, the line and the field -------------------------------------

HEADING = ("notice\t\t\t\t\t\t\n"
           "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\t"
           "PTP Edit Rationale\n")
GOOD_ROW = "45380\t45378\t\t20170101\t*\t0\tCPT Separate procedure definition\n"


@pytest.mark.parametrize(("line", "field", "says"), [
    ("45380\t45378\t\t2017010\t*\t0\tCPT Separate procedure definition\n", "Effective Date",
     "not a date"),
    ("45380\t45378\t\t20170101\t20171332\t0\tCPT Separate procedure definition\n",
     "Deletion Date", "not a date"),
    ("45380\t45378\t\t20170101\t*\t2\tCPT Separate procedure definition\n", "Modifier",
     "expected 0, 1 or 9"),
    ("45380\t4537\t\t20170101\t*\t0\tCPT Separate procedure definition\n", "Column 2",
     "not a HCPCS/CPT code"),
    ("45380\t45378\t\t20170101\t*\n", None, "expected 7 fields"),
])
def test_a_bad_cms_ptp_row_names_its_line_and_field(line, field, says):
    error = error_of(ncci.read_ptp_cms, HEADING + GOOD_ROW + line, "ccipra-v302r0-f1.txt")
    assert error.position.file == "ccipra-v302r0-f1.txt"
    assert error.position.line == 4
    assert error.position.field == field
    assert says in error.message


def test_a_cms_ptp_file_without_rows_is_an_error():
    error = error_of(ncci.read_ptp_cms, HEADING, "ccioph-v302r0-f1.txt")
    assert "no PTP edit rows" in error.message and error.position.file == "ccioph-v302r0-f1.txt"


def test_a_bad_cms_mue_row_names_its_line_and_field():
    text = MUE_PRACTITIONER.read_text().replace("J3301,16", "J3301,16.5")
    error = error_of(mue.read_mue_cms, text, "MCR_MUE_PractitionerServices_Eff_07-01-2024.csv",
                     table=mue.PRACTITIONER)
    assert (error.position.line, error.position.field) == (11, "MUE Values")  # notice: 1-3
    text = MUE_PRACTITIONER.read_text().replace('"1 Line Edit"', '"4 Line Edit"')
    error = error_of(mue.read_mue_cms, text, table=mue.PRACTITIONER)
    assert error.position.field == "MUE Adjudication Indicator" and error.position.line == 9


def test_an_mue_file_holding_another_tables_values_is_refused():
    text = (FIXTURES / "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2024.csv").read_text()
    error = error_of(mue.read_mue_cms, text, table=mue.PRACTITIONER)
    assert "OUTPATIENT HOSPITAL SERVICES MUE VALUES" in error.message
    assert (error.position.line, error.position.field) == (5, "MUE Values")


def test_an_mue_file_without_its_header_row_is_an_error():
    error = error_of(mue.read_mue_cms, "99213,2,3 Date of Service Edit: Clinical,Clinical: Data\n",
                     table=mue.PRACTITIONER)
    assert "HCPCS/CPT Code" in error.message


CSV_HEADER = '"hcpcs_code","ptp_complement","ptp_deleted","ptp_mod","ptp_rationale"\n'


@pytest.mark.parametrize(("row", "field"), [
    ('"45380","45378","9999-12-31",0,"CPT Separate procedure definition"\n', None),
    ('"4538O0","45378","9999-12-31",0,"CPT Separate procedure definition"\n', "hcpcs_code"),
    ('"45380","45378","2024-02-30",0,"CPT Separate procedure definition"\n', "ptp_deleted"),
    ('"45380","45378","9999-12-31",3,"CPT Separate procedure definition"\n', "ptp_mod"),
])
def test_the_reformatted_ptp_copy_checks_each_field(row, field):
    text = CSV_HEADER + '"45380","45378","9999-12-31",0,"CPT Separate procedure definition"\n' + row
    if field is None:
        assert rows_of(ncci.read_ptp_csv, text)[0] == (
            "45380", "45378", "", "", "0", "CPT Separate procedure definition")
        return
    error = error_of(ncci.read_ptp_csv, text, "ncci_ptp_prac.csv")
    assert (error.position.file, error.position.line, error.position.field) == (
        "ncci_ptp_prac.csv", 3, field)


def test_a_reformatted_copy_with_other_columns_is_refused():
    error = error_of(ncci.read_ptp_csv, '"column_1","column_2"\n"45380","45378"\n')
    assert "expected the header hcpcs_code,ptp_complement" in error.message
    assert error.position.line == 1
    error = error_of(mue.read_mue_csv, "")
    assert "empty" in error.message


def test_the_reformatted_mue_and_aoc_copies_check_their_fields():
    header = '"hcpcs_code","mue_units","mue_mai","mue_rationale","mue_service"\n'
    row = '"99213",2,3,"Clinical: Data","Practitioner"\n'
    assert rows_of(mue.read_mue_csv, header + row) == [("99213", 2, 3, "Clinical: Data")]
    error = error_of(mue.read_mue_csv, header + '"99213",2,5,"Clinical: Data","Practitioner"\n')
    assert (error.position.line, error.position.field) == (2, "mue_mai")
    aoc = '"primary_code","add_on_code","aoc_edit_type"\n"99291","99292",1\n"CCCCC","0054T",4\n'
    error = error_of(ncci.read_aoc_csv, aoc, "ncci_aoc.csv")
    assert (error.position.line, error.position.field) == (3, "aoc_edit_type")


def test_an_add_on_code_listed_with_two_edit_types_is_refused(tmp_path):
    folder = tmp_path / "2024q3"
    folder.mkdir()
    (folder / "ncci_aoc.csv").write_text('"primary_code","add_on_code","aoc_edit_type"\n'
                                         '"99291","99292",1\n"CCCCC","99292",2\n')
    [plan] = install.scan([folder]).plans
    with pytest.raises(InvalidInput) as raised:
        ncci.load(plan, lambda message: None)
    assert "99292" in raised.value.message and raised.value.position.field == "99292"


def test_an_mue_code_listed_twice_is_refused(tmp_path):
    folder = tmp_path / "2024q3"
    folder.mkdir()
    (folder / "ncci_mue_prac.csv").write_text(
        '"hcpcs_code","mue_units","mue_mai","mue_rationale","mue_service"\n'
        '"99213",2,3,"Clinical: Data","Practitioner"\n'
        '"99213",3,3,"Clinical: Data","Practitioner"\n')
    [plan] = install.scan([folder]).plans
    with pytest.raises(InvalidInput) as raised:
        mue.load(plan, lambda message: None)
    assert "99213 is listed twice" in raised.value.message


# -- a release without one of its tables says so ---------------------------------------------


def test_rules_whose_table_the_release_lacks_say_so_in_the_notes(tmp_path):
    """The fixture release has no add-on code file; one built from the practitioner PTP file
    alone has no outpatient table; one from the practitioner MUE file alone no outpatient MUE."""
    from chartwell.domain.encounter_json import parse_encounter
    from chartwell.edits import mue as mue_rules
    from chartwell.edits import ncci as ncci_rules
    from chartwell.edits.model import EditContext

    def context(setting: str, tables) -> EditContext:
        encounter = parse_encounter({
            "setting": setting, "date_of_service": "2024-07-15",
            "patient": {"sex": "M", "birth_date": "1960-01-01"}, "diagnoses": [{"code": "I10"}],
            "procedures": [{"code": "99292", "system": "cpt"},
                           {"code": "99213", "system": "cpt", "units": 5}]})
        return EditContext(encounter=encounter, **tables)

    (tmp_path / "ptp").mkdir()
    ncci_tables = ncci.NcciTables(built(tmp_path / "ptp", PRACTITIONER_F1, system=TableSet.NCCI))
    mue_tables = mue.MueTables(built(tmp_path, MUE_PRACTITIONER, system=TableSet.MUE))
    outpatient = context("outpatient", {"ncci": ncci_tables, "mue": mue_tables})
    for declared in (ncci_rules.procedure_to_procedure, ncci_rules.add_on_without_primary,
                     mue_rules.units_per_date_of_service, mue_rules.units_per_line):
        assert not list(declared.check(declared, outpatient))
    assert outpatient.notes == [
        "NCCI 2024Q3 has no hospital outpatient PTP table: PTP edits were not run",
        "NCCI 2024Q3 has no add-on code edits: add-on codes were not checked",
        "MUE 2024Q3 has no facility outpatient hospital services table: MUE edits were not run"]
    professional = context("professional", {"ncci": ncci_tables, "mue": mue_tables})
    [finding] = mue_rules.units_per_date_of_service.check(mue_rules.units_per_date_of_service,
                                                          professional)
    assert finding.codes == ("99213",)

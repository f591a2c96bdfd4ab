"""The MS-DRG tables loader and reader: Table 5 (weights), 6I/6J (MCC and CC lists) and 6K (CC
exclusions), read from small files written here in CMS's layouts (each with a malformed twin
that must name its file and line), then the real v43 release from the shared data."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from chartwell.codesets import build, install, msdrg
from chartwell.codesets.artifact import Artifact
from chartwell.codesets.model import TableSet
from chartwell.errors import InvalidInput
from support import shared_data

TABLE_5 = (
    '"TABLE 5.\u2014LIST OF MEDICARE SEVERITY DIAGNOSIS-RELATED GROUPS (MS-DRGS), RELATIVE '
    'WEIGHTING FACTORS, \nAND GEOMETRIC AND ARITHMETIC MEAN LENGTH OF STAY\u2014FY 2026 Final '
    'Rule"\t\t\t\t\t\t\t\t\t\n'
    "MS-DRG \tFY 2026 Final Post-Acute DRG\tFY 2026 Final Special Pay DRG\tMDC\tTYPE\t"
    "MS-DRG Title\tWeights - Before Cap\tWeights - 10% Cap Applied \tGeometric mean LOS\t"
    "Arithmetic mean LOS\n"
    "054\tNo\tNo\t01\tMED\tNERVOUS SYSTEM NEOPLASMS WITH MCC\t1.3000\t1.3000\t4.1\t5.4\n"
    "055\tNo\tNo\t01\tMED\tNERVOUS SYSTEM NEOPLASMS WITHOUT MCC\t0.9000\t0.9000\t2.8\t3.5\n"
    "069\tNo\tNo\t01\tMED\tTRANSIENT ISCHEMIA WITHOUT THROMBOLYTIC\t0.7000\t0.7000\t2.0\t2.4\n"
    "291\tYes\tNo\t05\tMED\tHEART FAILURE AND SHOCK WITH MCC\t1.2838\t1.2838\t3.8\t5.0\n"
    "292\tYes\tNo\t05\tMED\tHEART FAILURE AND SHOCK WITH CC\t0.8490\t0.8490\t2.9\t3.7\n"
    "293\tYes\tNo\t05\tMED\tHEART FAILURE AND SHOCK WITHOUT CC/MCC\t0.5660\t0.5660\t2.1\t2.5\n"
    "949\tNo\tNo\t23\tMED\tAFTERCARE WITH CC/MCC\t1.1000\t1.1000\t3.0\t4.0\n"
    "950\tNo\tNo\t23\tMED\tAFTERCARE WITHOUT CC/MCC\t0.7000\t0.7500\t2.0\t2.6\n"
    "999\tNo\tNo\t \t**\tUNGROUPABLE\t.\t.\t.\t\n"
)
TABLE_6I = ("TABLE 6I - COMPLETE MCC LIST\r\nDiagnosis Code\tDescription\r\n"
            "I46.9\tCardiac arrest, cause unspecified\r\n"
            "J96.01\tAcute respiratory failure with hypoxia\r\n\r\n\tNotes:\r\n")
TABLE_6J = ("TABLE 6J - COMPLETE CC LIST\r\nDiagnosis Code\tDescription\r\n"
            "N17.9\tAcute kidney failure, unspecified\r\n"
            "J15.1\tPneumonia due to Pseudomonas\r\n\r\n\tNotes:\r\n")
TABLE_6K = """TABLE 6K - COMPLETE LIST OF CC EXCLUSIONS

Table 6K is a list of all of the codes that are defined as either a CC or an MCC.


K Part 1: List of CC and Major CC Codes
 I10 Dx  Lev PDX Exclusions   ICD-10-CM Description
 I469    MCC 0821:2 codes     Cardiac arrest, cause unspecified
 J151    CC  1000:1 code      Pneumonia due to Pseudomonas
 J9601   MCC 0998:1 code      Acute respiratory failure with hypoxia
 N179    CC  1332:1,002 codes Acute kidney failure, unspecified
 Z1610   CC  No Excl          Resistance to unspecified beta lactam antibiotics

PDX collection 0821
  I462    Cardiac arrest due to underlying cardiac condition
  I469    Cardiac arrest, cause unspecified

PDX collection 0998
  J9601   Acute respiratory failure with hypoxia

PDX collection 1000
  J151    Pneumonia due to Pseudomonas

PDX collection 1332
  N170    Acute kidney failure with tubular necrosis
  N179    Acute kidney failure, unspecified



K Part 2: Codes that are CC or Major CC only if patient discharged alive

  I469    Cardiac arrest, cause unspecified



K Part 3: Secondary Diagnosis CC/MCC Severity Exclusions in Select MS-DRGs

MDC 04 DRGs 177-179 Respiratory Infections and Inflammations

  J151   Pneumonia due to Pseudomonas
"""


def read(reader, text: str, source: str = "table.txt"):
    return reader(io.StringIO(text), source)


# -- Table 5 -------------------------------------------------------------------------------------


def test_table_5_rows_with_the_capped_weight_as_the_payment_weight():
    rows = {row.drg: row for row in read(msdrg.read_table_5, TABLE_5)}
    assert list(rows) == ["054", "055", "069", "291", "292", "293", "949", "950", "999"]
    heart_failure = rows["291"]
    assert (heart_failure.mdc, heart_failure.type, heart_failure.title) == \
        ("05", "MED", "HEART FAILURE AND SHOCK WITH MCC")
    assert (heart_failure.weight, heart_failure.gmlos, heart_failure.amlos) == (1.2838, 3.8, 5.0)
    assert heart_failure.post_acute and not heart_failure.special_pay
    assert (rows["950"].weight, rows["950"].weight_before_cap) == (0.75, 0.70)
    ungroupable = rows["999"]
    assert (ungroupable.weight, ungroupable.gmlos, ungroupable.mdc, ungroupable.type) == \
        (None, None, None, None)


@pytest.mark.parametrize(("text", "line", "says"), [
    (TABLE_5.replace("292\tYes", "29X\tYes"), 8, "not an MS-DRG number"),
    (TABLE_5.replace("0.8490\t0.8490", "0.8490\tabc"), 8, "'abc' is not a number"),
    (TABLE_5.replace("Geometric mean LOS", "Something else"), 3, "geometric mean LOS"),
])
def test_a_malformed_table_5_names_the_file_and_line(text, line, says):
    with pytest.raises(InvalidInput) as raised:
        list(read(msdrg.read_table_5, text, "FY 2026 FR Table 5.txt"))
    assert says in raised.value.message
    assert raised.value.position.file == "FY 2026 FR Table 5.txt"
    assert raised.value.position.line == line


def test_a_file_without_the_ms_drg_header_is_not_table_5():
    with pytest.raises(InvalidInput, match="not Table 5"):
        list(read(msdrg.read_table_5, "DRG\tTitle\n291\tHEART FAILURE\n"))


# -- Tables 6I and 6J ------------------------------------------------------------------------------


def test_severity_lists_stop_at_their_notes():
    assert list(read(msdrg.read_severity_list, TABLE_6I)) == [
        ("I46.9", "Cardiac arrest, cause unspecified"),
        ("J96.01", "Acute respiratory failure with hypoxia")]


def test_a_row_that_is_not_a_code_names_its_line():
    with pytest.raises(InvalidInput) as raised:
        list(read(msdrg.read_severity_list, TABLE_6J.replace("J15.1", "J15-1"), "cc_list.txt"))
    assert raised.value.position.line == 4
    assert raised.value.position.field == "Diagnosis Code"


# -- Table 6K ------------------------------------------------------------------------------------


def test_table_6k_parts_1_to_3():
    found = read(msdrg.read_cc_exclusions, TABLE_6K)
    by_code = {row.code: row for row in found.severity}
    assert (by_code["N17.9"].level, by_code["N17.9"].pdx_collection) == ("CC", "1332")
    assert by_code["Z16.10"].pdx_collection is None  # "No Excl"
    assert found.collections["1332"] == ["N17.0", "N17.9"]
    assert found.alive_only == ["I46.9"]
    assert found.drg_exclusions == [("177", "179", "Respiratory Infections and Inflammations",
                                     "J15.1")]


def test_a_cc_whose_pdx_collection_is_missing_names_its_line():
    text = TABLE_6K.replace("PDX collection 0998\n  J9601   Acute respiratory failure with "
                            "hypoxia\n", "")
    with pytest.raises(InvalidInput, match="PDX collection 0998") as raised:
        read(msdrg.read_cc_exclusions, text, "cc_exclusions.txt")
    assert raised.value.position.line == 10


def test_a_garbled_part_1_row_names_its_line():
    with pytest.raises(InvalidInput) as raised:
        read(msdrg.read_cc_exclusions, TABLE_6K.replace(" N179    CC  1332", " N179    XX  1332"))
    assert raised.value.position.line == 11


def test_a_file_without_part_1_is_not_table_6k():
    with pytest.raises(InvalidInput, match="not Table 6K"):
        read(msdrg.read_cc_exclusions, "TABLE 6K\n\nsome text\n")


# -- families ------------------------------------------------------------------------------------


def test_families_join_consecutive_drgs_that_differ_by_their_cc_mcc_phrase():
    families = msdrg.drg_families(list(read(msdrg.read_table_5, TABLE_5)))
    assert families["292"] == ("291", "292", "293")
    assert families["054"] == ("054", "055")
    assert families["949"] == ("949", "950")
    assert families["069"] == ("069",)  # "WITHOUT THROMBOLYTIC" is not a CC/MCC phrase
    rows = {row.drg: row for row in read(msdrg.read_table_5, TABLE_5)}
    assert msdrg.family_split(families["291"], rows) == {"MCC": "291", "CC": "292", "NONE": "293"}
    assert msdrg.family_split(families["054"], rows) == {"MCC": "054", "CC": "055", "NONE": "055"}
    assert msdrg.family_split(families["949"], rows) == {"MCC": "949", "CC": "949", "NONE": "950"}


# -- a release, written and read back ------------------------------------------------------------


def write_release(folder: Path, tmp_path: Path) -> msdrg.MsdrgTables:
    plans = install.scan([folder]).plans
    assert [(plan.system, plan.version) for plan in plans] == [(TableSet.MSDRG, "FY2026")]
    loaded = msdrg.load(plans[0], lambda message: None)
    path = tmp_path / "msdrg.sqlite"
    built = build.write_release(plans[0].system, plans[0].version, loaded, path, lambda m: None)
    return msdrg.MsdrgTables(Artifact(built.path)), built, loaded


@pytest.fixture
def small_release(tmp_path) -> msdrg.MsdrgTables:
    folder = tmp_path / "v43"
    folder.mkdir()
    for name, text in (("drg_weights.txt", TABLE_5), ("mcc_list.txt", TABLE_6I),
                       ("cc_list.txt", TABLE_6J), ("cc_exclusions.txt", TABLE_6K)):
        (folder / name).write_text(text, encoding="cp1252", newline="")
    tables, built, _loaded = write_release(folder, tmp_path)
    assert built.counts == {"drgs": 9, "severity": 5, "pdx_collections": 6, "alive_only": 1,
                            "drg_exclusions": 1}
    return tables


def test_the_reader_answers_weights_levels_and_exclusions(small_release):
    tables = small_release
    assert tables.version == "FY2026"
    assert tables.drg("291").weight == 1.2838 and tables.drg(291).title.startswith("HEART")
    assert tables.drg("123") is None
    assert (tables.severity("J96.01"), tables.severity("J9601"), tables.severity("N17.9")) == \
        ("MCC", "MCC", "CC")
    assert tables.severity("E11.9") is None
    assert tables.excluded_with_principal("N17.9", "N17.0")  # on list 1332
    assert not tables.excluded_with_principal("N17.9", "I50.23")  # near miss
    assert not tables.excluded_with_principal("Z16.10", "Z16.10")  # "No Excl"
    assert tables.alive_only("I46.9") and not tables.alive_only("J96.01")
    exclusion = tables.drg_exclusion("178", "J15.1")
    assert (exclusion.drgs, exclusion.heading) == ("177-179",
                                                   "Respiratory Infections and Inflammations")
    assert tables.drg_exclusion("180", "J15.1") is None  # near miss: another DRG
    assert tables.split("293") == {"MCC": "291", "CC": "292", "NONE": "293"}
    assert tables.split("069") == {}


def test_a_preloaded_reader_answers_from_another_thread(small_release):
    """After ``preload`` nothing is read from the release's SQLite connection (which belongs to
    the thread that opened it): the grouping threads ask the same questions and get the same
    answers, the PDX exclusion lists included."""
    tables = small_release.preload()
    answers = {}

    def ask():
        answers["excluded"] = (tables.excluded_with_principal("N17.9", "N17.0"),
                               tables.excluded_with_principal("N17.9", "I50.23"))
        answers["weight"] = tables.drg("291").weight
        answers["missing"] = tables.pdx_exclusions("9999")

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join()
    assert answers == {"excluded": (True, False), "weight": 1.2838, "missing": frozenset()}


def test_table_5_alone_installs_with_a_note(tmp_path):
    folder = tmp_path / "v43"
    folder.mkdir()
    (folder / "drg_weights.txt").write_text(TABLE_5, encoding="cp1252")
    tables, built, loaded = write_release(folder, tmp_path)
    assert tables.drg("292").weight == 0.849 and tables.severity("J96.01") is None
    assert any("6K" in note for note in loaded.notes)


def test_without_table_5_there_is_no_release(tmp_path):
    folder = tmp_path / "v43"
    folder.mkdir()
    (folder / "mcc_list.txt").write_text(TABLE_6I, encoding="cp1252")
    plan = install.scan([folder]).plans[0]
    with pytest.raises(InvalidInput, match="no Table 5"):
        msdrg.load(plan, lambda message: None)


# -- the real v43 tables -----------------------------------------------------------------------


@pytest.mark.shared_data
def test_the_v43_tables_from_the_shared_data(tmp_path):
    tables, built, loaded = write_release(shared_data("codesets/msdrg/v43"), tmp_path)
    assert built.counts == {"drgs": 772, "severity": 18432, "pdx_collections": 180403,
                            "alive_only": 8, "drg_exclusions": 6188}
    assert loaded.notes == []  # Tables 6I/6J agree with Table 6K on every level
    assert sum(tables.severity(code) == "MCC" for code in tables._severity) == 3354
    row = tables.drg("291")
    assert (row.weight, row.gmlos, row.amlos, row.mdc) == (1.2838, 3.8, 5.0, "05")
    assert tables.drg("001").mdc == "PRE"
    assert tables.pdx_collection("N17.9") == "1332"
    assert tables.excluded_with_principal("N17.9", "N17.0")
    assert not tables.excluded_with_principal("N17.9", "I50.23")
    assert tables.family("292") == ("291", "292", "293")
    assert tables.split("322") == {"MCC": "321", "CC": "322", "NONE": "322"}
    assert tables.alive_only("R57.0") and tables.alive_only("I46.9")
    assert tables.drg_exclusion("292", "J15.1") is None  # Part 3 does not name heart failure
    assert tables.drg_exclusion("178", "J15.1").drgs == "177-179"

"""Recognising what a path given to ``codesets install`` holds, and the releases it makes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from chartwell.codesets.install import Kind, recognise, scan
from chartwell.codesets.model import CodeSystem, TableSet
from chartwell.errors import InvalidInput, UnreadableInput
from support import shared_data

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(("name", "kind", "version"), [
    ("icd10cm_order_2026.txt", Kind.CM_ORDER, "FY2026"),
    ("icd10cm_codes_2025.txt.xz", Kind.CM_CODES, "FY2025"),
    ("icd10cm_codes_addenda_2027.txt", Kind.CM_CODES_ADDENDA, "FY2027"),
    ("icd10cm_order_addenda_2027.txt", Kind.CM_ORDER_ADDENDA, "FY2027"),
    ("icd10c-tabular-April-1-2026.xml.xz", Kind.CM_TABULAR, "FY2026"),
    ("icd10cm_tabular_2025.xml", Kind.CM_TABULAR, "FY2025"),
    ("icd10cm-index-April-1-2026-XML.xml", Kind.CM_INDEX, "FY2026"),
    ("icd10cm_eindex_2025.xml", Kind.CM_EINDEX, "FY2025"),
    ("icd10cm-drug-April-1-2026-XML.xml", Kind.CM_DRUG, "FY2026"),
    ("icd10cm_neoplasm_2025.xml", Kind.CM_NEOPLASM, "FY2025"),
    ("ICD10CM_2025_Index.csv.xz", Kind.CM_INDEX_CSV, "FY2025"),
    ("ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx", Kind.CM_CONVERSION_XLSX, "FY2026"),
    ("508_Compliant_Version_of_ICD-10-CM-Conversion-Table-FY25.csv", Kind.CM_CONVERSION_CSV, "FY2025"),
    ("icd10pcs_tables_2026.xml", Kind.PCS_TABLES, "FY2026"),
    ("icd10pcs_definitions_2026.xml", Kind.PCS_DEFINITIONS, "FY2026"),
    ("icd10pcs_index_2025.xml.xz", Kind.PCS_INDEX, "FY2025"),
    ("icd10pcs_order_2026.txt", Kind.PCS_ORDER, "FY2026"),
    ("HCPC2026_OCT_ANWEB_v2.txt", Kind.HCPCS_ANWEB, "2026Q4"),
    ("HCPC2024_JUL_ANWEB_sample.txt", Kind.HCPCS_ANWEB, "2024Q3"),
    ("ccipra-v302r0-f1.txt", Kind.NCCI_PTP_PRACTITIONER, "2024Q3"),
    ("ccioph-v313r0-f4.txt", Kind.NCCI_PTP_OUTPATIENT, "2025Q4"),
    ("MCR_MUE_PractitionerServices_Eff_07-01-2024.csv", Kind.MUE_PRACTITIONER, "2024Q3"),
    ("MCR_MUE_OutpatientHospitalServices_Eff_01-01-2026.csv", Kind.MUE_OUTPATIENT, "2026Q1"),
    ("MCR_MUE_DMESupplierServices_Eff_10-01-2025.csv", Kind.MUE_DME, "2025Q4"),
    ("POAexemptCodesFY26.txt", Kind.POA_EXEMPT, "FY2026"),
    ("FY 2026 FR Table 5.txt", Kind.MSDRG_WEIGHTS, "FY2026"),
    ("FY_2025_FR_Table_6I.txt", Kind.MSDRG_MCC, "FY2025"),
    ("FY 2026 Final Rule Table 6J.txt", Kind.MSDRG_CC, "FY2026"),
    ("FY 2026 FR Table 6K.txt", Kind.MSDRG_CC_EXCLUSIONS, "FY2026"),
    ("ra_dx_to_cc_2026.csv", Kind.HCC_DX_TO_CC, "2026"),
    ("ra_coefficients_2025.csv.xz", Kind.HCC_COEFFICIENTS, "2025"),
    ("ra_proposed_coefficients_2027.csv", Kind.HCC_PROPOSED_COEFFICIENTS, "2027"),
    ("ra_hierarchies_2026.csv", Kind.HCC_HIERARCHIES, "2026"),
    ("ra_labels_2026.csv", Kind.HCC_LABELS, "2026"),
    ("ra_dx_edits.csv", Kind.HCC_DX_EDITS, None),
    ("F2824T1N.TXT", Kind.HCC_CMS_MAP, "2024"),
    ("F2823T2N_FY22FY23.TXT", Kind.HCC_CMS_MAP, "2023"),
    ("V28hcccoefn.csv", Kind.HCC_CMS_COEFFICIENTS, None),
])
def test_file_names_as_cms_and_cdc_publish_them(tmp_path, name, kind, version):
    path = tmp_path / name
    path.write_text("")
    found = recognise(path)
    assert (found.kind, found.version) == (kind, version)


@pytest.mark.parametrize("name", [
    "icd10cm_tabular.xsd", "MANIFEST.md", "icd10OrderFiles.pdf", "POAexemptAddCodesFY26.txt",
    "icd10cm_fy2016-fy2027_starter_subset.csv.xz", "FY 2026 FR Table 6A.txt",
    "hcc_is_chronic.csv", "F2125P1M.TXT",  # an ESRD-model map: not a CMS-HCC V24/V28 one
])
def test_other_files_are_not_code_sets(tmp_path, name):
    path = tmp_path / name
    path.write_text("x")
    assert recognise(path) is None


@pytest.mark.parametrize(("folders", "name", "kind", "version"), [
    ("ncci/2024q3/reformatted", "ncci_ptp_prac.csv.xz", Kind.NCCI_PTP_PRACTITIONER_CSV, "2024Q3"),
    ("ncci/2025q1", "ncci_aoc.csv", Kind.NCCI_AOC_CSV, "2025Q1"),
    ("mue/2024q3/reformatted", "ncci_mue_out.csv", Kind.MUE_OUTPATIENT_CSV, "2024Q3"),
    ("msdrg/v43", "drg_weights.txt", Kind.MSDRG_WEIGHTS, "FY2026"),
    ("msdrg/v42", "cc_exclusions.txt.xz", Kind.MSDRG_CC_EXCLUSIONS, "FY2025"),
])
def test_edit_tables_take_their_release_from_the_folder(tmp_path, folders, name, kind, version):
    """Re-formatted copies and the MS-DRG tables under their short names carry no date: the
    quarter folder (2024q3) or the grouper version folder (v43 = FY2026) says it."""
    folder = tmp_path / folders
    folder.mkdir(parents=True)
    (folder / name).write_text("")
    [plan] = scan([tmp_path]).plans
    assert (plan.version, list(plan.files)) == (version, [kind])


def test_an_edit_table_without_a_dated_folder_asks_for_the_version(tmp_path):
    (tmp_path / "mcc_list.txt").write_text("")
    with pytest.raises(InvalidInput, match="MS-DRG version"):
        scan([tmp_path])


def test_the_four_parts_of_an_ncci_ptp_release_stay_together(tmp_path):
    for part in range(1, 5):
        (tmp_path / f"ccipra-v302r0-f{part}.txt").write_text("")
    [plan] = scan([tmp_path]).plans
    assert len(plan.files[Kind.NCCI_PTP_PRACTITIONER]) == 4 and not plan.superseded


def test_zips_are_recognised_by_their_members(tmp_path):
    cm = tmp_path / "whatever.zip"
    with zipfile.ZipFile(cm, "w") as archive:
        archive.writestr("Code Descriptions/icd10cm_order_2026.txt", "")
    pcs = tmp_path / "pcs.zip"
    with zipfile.ZipFile(pcs, "w") as archive:
        archive.writestr("icd10pcs_order_2026.txt", "")
    hcpcs = tmp_path / "january-2026-alpha-numeric-hcpcs-file.zip"
    with zipfile.ZipFile(hcpcs, "w") as archive:
        archive.writestr("HCPC2026_JAN_ANWEB.txt", "")
    assert (recognise(cm).kind, recognise(cm).version) == (Kind.CM_ORDER_ZIP, "FY2026")
    assert (recognise(pcs).kind, recognise(pcs).version) == (Kind.PCS_ORDER_ZIP, "FY2026")
    assert (recognise(hcpcs).kind, recognise(hcpcs).version) == (Kind.HCPCS_ANWEB_ZIP, "2026Q1")
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "")
    assert recognise(other) is None


def test_a_cpt_file_has_codes_and_descriptors(tmp_path):
    licensed = tmp_path / "my_cpt_2025.tsv"
    licensed.write_text("99213\tExample descriptor one\n0001F\tExample descriptor two\n")
    codes_only = tmp_path / "ra_eligible_cpt_hcpcs_2026.csv"
    codes_only.write_text("cpt_hcpcs_code\n99213\n99214\n")
    assert (recognise(licensed).kind, recognise(licensed).version) == (Kind.CPT_FILE, "2025")
    assert recognise(codes_only) is None


def test_the_hcpcs_csv_copies_take_their_quarter_from_the_folder(tmp_path):
    folder = tmp_path / "hcpcs" / "2024q3" / "reformatted"
    folder.mkdir(parents=True)
    for name in ("hcpcs_lvl2.csv", "two_descriptions.csv.xz", "modifiers_hcpcs_level2.csv"):
        (folder / name).write_text("")
    plans = scan([tmp_path]).plans
    assert [(plan.system, plan.version) for plan in plans] == [(CodeSystem.HCPCS, "2024Q3")]
    assert set(plans[0].files) == {Kind.HCPCS_CSV_CODES, Kind.HCPCS_CSV_DESCRIPTIONS,
                                   Kind.HCPCS_CSV_MODIFIERS}


def test_without_a_quarter_the_version_must_be_given(tmp_path):
    (tmp_path / "hcpcs_lvl2.csv").write_text("")
    with pytest.raises(InvalidInput, match="--version"):
        scan([tmp_path / "hcpcs_lvl2.csv"])
    assert scan([tmp_path / "hcpcs_lvl2.csv"], version="2025Q1").plans[0].version == "2025Q1"


def test_a_single_unrecognised_file_is_an_error_and_a_missing_path_unreadable(tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("hello")
    with pytest.raises(InvalidInput, match="not a code-set file") as error:
        scan([stray])
    assert error.value.position.file == str(stray)
    with pytest.raises(UnreadableInput):
        scan([tmp_path / "absent"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InvalidInput, match="no code-set file recognised"):
        scan([empty])


def test_the_fixture_folder_makes_a_fiscal_year_and_its_successor():
    plans = scan([FIXTURES / "icd10cm"]).plans
    assert [(plan.system, plan.version) for plan in plans] == [(CodeSystem.ICD10CM, "FY2099"),
                                                              (CodeSystem.ICD10CM, "FY2100")]
    assert plans[0].has(Kind.CM_ORDER, Kind.CM_TABULAR, Kind.CM_INDEX, Kind.CM_INDEX_CSV)
    assert set(plans[1].files) == {Kind.CM_CODES_ADDENDA, Kind.CM_ORDER_ADDENDA}


@pytest.mark.shared_data
def test_the_shared_code_sets_make_each_release():
    found = scan([shared_data("codesets")])
    versions = [(str(plan.system), plan.version) for plan in found.plans]
    assert versions == [("icd10cm", "FY2025"), ("icd10cm", "FY2026"), ("icd10cm", "FY2027"),
                        ("icd10pcs", "FY2025"), ("icd10pcs", "FY2026"), ("hcpcs", "2024Q3"),
                        ("ncci", "2024Q3"), ("mue", "2024Q3"), ("poa", "FY2025"),
                        ("poa", "FY2026"), ("msdrg", "FY2026"), ("carc", "2025"),
                        ("rarc", "2026"), ("hcc", "2022"), ("hcc", "2023"), ("hcc", "2024"),
                        ("hcc", "2025"), ("hcc", "2026"), ("hcc", "2027")]
    fy2025 = found.plans[0]
    assert fy2025.one(Kind.CM_ORDER_ZIP).path.name == "2025-code-descriptions-tabular-order-april.zip"
    assert [item.path.name for item in fy2025.superseded] == ["2025-code-descriptions-tabular-order.zip"]
    skipped = {path.name for path in found.skipped}
    assert {"MANIFEST.md", "icd10cm_index.xsd", "ra_eligible_cpt_hcpcs_2026.csv"} <= skipped


# -- CMS-HCC: one release per payment year with a map ------------------------------------------


def _hcc_folder(tmp_path: Path, *names: str) -> Path:
    for name in names:
        (tmp_path / name).write_text("")
    return tmp_path


def test_each_payment_year_with_a_map_is_a_release_given_the_model_tables(tmp_path):
    folder = _hcc_folder(tmp_path, "ra_dx_to_cc_2026.csv", "ra_coefficients_2026.csv",
                         "ra_dx_to_cc_2027.csv", "ra_proposed_coefficients_2027.csv",
                         "ra_hierarchies_2025.csv", "ra_hierarchies_2026.csv", "ra_labels_2026.csv",
                         "ra_dx_edits.csv", "V28hcccoefn.csv")
    plans = scan([folder]).plans
    assert [(plan.system, plan.version) for plan in plans] == [(TableSet.HCC, "2026"),
                                                              (TableSet.HCC, "2027")]
    py2026, py2027 = plans
    assert [found.path.name for found in py2026.files[Kind.HCC_COEFFICIENTS]] == ["ra_coefficients_2026.csv"]
    assert Kind.HCC_COEFFICIENTS not in py2027.files  # a year's factors stay the year's
    for plan in plans:  # the model's tables, and the files that name no year, go to every year
        assert sorted(found.path.name for found in plan.files[Kind.HCC_HIERARCHIES]) == [
            "ra_hierarchies_2025.csv", "ra_hierarchies_2026.csv"]
        assert plan.one(Kind.HCC_LABELS).path.name == "ra_labels_2026.csv"
        assert plan.one(Kind.HCC_DX_EDITS).path.name == "ra_dx_edits.csv"
        assert plan.one(Kind.HCC_CMS_COEFFICIENTS).path.name == "V28hcccoefn.csv"


def test_hcc_tables_without_a_map_make_no_release(tmp_path):
    folder = _hcc_folder(tmp_path, "ra_hierarchies_2026.csv", "ra_dx_edits.csv")
    with pytest.raises(InvalidInput, match="without an ICD-10-CM to CC map"):
        scan([folder])
    (folder / "ra_dx_to_cc_2027.csv").write_text("")
    assert [plan.version for plan in scan([folder]).plans] == ["2027"]  # 2026 only lends its hierarchy

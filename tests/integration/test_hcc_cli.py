"""``chartwell hcc score`` end to end: one patient, a list, bad input and the exit codes."""

from __future__ import annotations

import json

import pytest

from cli_runner import chartwell
from support import shared_data

pytestmark = pytest.mark.shared_data

PATIENT = {"sex": "F", "birth_date": "1950-02-01", "payment_year": 2026, "dual_status": "non",
           "orec": "0", "institutional": False,
           "diagnoses": [{"code": "E11.22", "date": "2025-03-04"}, {"code": "I50.22", "date": "2025-04-01"},
                         {"code": "E11.9", "date": "2025-05-01"}]}


@pytest.fixture
def data(monkeypatch):
    monkeypatch.delenv("CHARTWELL_HCC_DATA", raising=False)
    return str(shared_data("codesets/hcc"))


def write(tmp_path, document, name="patient.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document) if not isinstance(document, str) else document, encoding="utf-8")
    return str(path)


def test_one_patient(tmp_path, data):
    code, answer, _ = chartwell("hcc", "score", write(tmp_path, PATIENT), "--data", data, "--json")
    assert code == 0
    assert {"payment_year", "model", "segment", "raf", "demographic", "hccs", "interactions",
            "blend"} <= answer.keys()
    assert answer["segment"]["code"] == "CNA"
    # F75-79 0.465 + HCC37 0.166 + HCC226 0.360 + DIABETES_HF_V28 0.112 + D2 0
    assert answer["raf"] == pytest.approx(1.103)
    hccs = {hcc["hcc"]: hcc for hcc in answer["hccs"]}
    assert hccs["37"]["diagnoses"] == [{"code": "E11.22", "date": "2025-03-04"}]
    assert hccs["38"]["dropped_by"]["hcc"] == "37" and hccs["38"]["coefficient"] is None
    assert answer["blend"]["components"][0]["weight"] == 1.0


def test_a_list_is_answered_in_order_and_a_bad_patient_fails_the_run(tmp_path, data):
    bad = {**PATIENT, "sex": "U", "diagnoses": [{"code": "I10", "date": "2025-02-30"}]}
    blended = {**PATIENT, "payment_year": 2025,
               "diagnoses": [{"code": "E11.22", "date": "2024-03-04"}]}
    code, answer, _ = chartwell("hcc", "score", write(tmp_path, [PATIENT, bad, blended]),
                                "--data", data, "--json")
    assert code == 1
    assert answer[0]["raf"] == pytest.approx(1.103)
    assert [item["field"] for item in answer[1]["error"]["errors"]] == ["sex", "diagnoses[0].date"]
    assert answer[1]["error"]["position"]["patient"] == 1
    assert [(part["model"], part["weight"]) for part in answer[2]["blend"]["components"]] == [
        ("V28", 0.67), ("V24", 0.33)]


def test_unknown_codes_and_old_dates_are_findings(tmp_path, data):
    patient = {**PATIENT, "diagnoses": [{"code": "E11.22", "date": "2025-03-04"},
                                        {"code": "QQ1.234", "date": "2025-03-04"},
                                        {"code": "E11.99", "date": "2025-03-04"},
                                        {"code": "I50.22", "date": "2023-01-01"}]}
    code, answer, _ = chartwell("hcc", "score", write(tmp_path, patient), "--data", data, "--json")
    assert code == 0
    findings = {(item["rule"], item["field"]) for item in answer["findings"]}
    assert {("hcc.unknown_code", "diagnoses[1].code"), ("hcc.unknown_code", "diagnoses[2].code"),
            ("hcc.outside_collection_year", "diagnoses[3].date")} <= findings


def test_normalization_is_shown_and_applied_when_asked(tmp_path, data):
    path = write(tmp_path, PATIENT)
    code, answer, _ = chartwell("hcc", "score", path, "--data", data, "--json", "--normalize")
    assert code == 1 and answer["error"]["position"]["field"] == "normalization_factor"
    code, answer, _ = chartwell("hcc", "score", path, "--data", data, "--json",
                                "--normalization-factor", "V28=1.05", "--coding-adjustment")
    assert code == 0
    assert answer["payment_raf"] == round(round(1.103 / 1.05, 3) * (1 - 0.059), 3)
    assert answer["ma_coding_adjustment"] == {"value": 0.059, "applied": True,
                                              "source": answer["ma_coding_adjustment"]["source"]}


@pytest.mark.parametrize(("content", "exit_code"), [
    (None, 2),  # no such file
    ("{not json", 2),
    ("[]", 1),
])
def test_unreadable_input(tmp_path, data, content, exit_code):
    path = str(tmp_path / "absent.json") if content is None else write(tmp_path, content)
    code, answer, _ = chartwell("hcc", "score", path, "--data", data, "--json")
    assert code == exit_code
    assert "error" in answer


def test_the_tables_folder_comes_from_the_environment(tmp_path, data, monkeypatch, sqlite_store):
    path = write(tmp_path, PATIENT)
    code, answer, _ = chartwell("hcc", "score", path, "--json")  # a store without CMS-HCC tables
    assert code == 2 and answer["error"]["position"]["field"] == "--data"
    assert "no CMS-HCC tables installed" in answer["error"]["message"]
    monkeypatch.setenv("CHARTWELL_HCC_DATA", data)
    code, _answer, output = chartwell("hcc", "score", path)
    assert code == 0 and "RAF 1.103" in output

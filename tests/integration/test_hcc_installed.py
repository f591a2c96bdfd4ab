"""``chartwell hcc score`` from the store: the CMS-HCC tables installed by ``chartwell codesets
install``, one release per payment year, chosen by each patient's payment year; ``--data``
still reads a folder instead."""

from __future__ import annotations

import json

import pytest

from cli_runner import chartwell
from release_store import installed_store
from support import shared_data

pytestmark = pytest.mark.shared_data

PATIENT = {"sex": "F", "birth_date": "1950-02-01", "payment_year": 2026, "dual_status": "non",
           "orec": "0", "institutional": False,
           "diagnoses": [{"code": "E11.22", "date": "2025-03-04"}, {"code": "I50.22", "date": "2025-04-01"},
                         {"code": "E11.9", "date": "2025-05-01"}]}
PATIENTS = [PATIENT,
            {**PATIENT, "payment_year": 2025, "dual_status": "full",
             "diagnoses": [{"code": "E11.22", "date": "2024-03-04"}, {"code": "F20.9", "date": "2024-06-01"}]},
            {**PATIENT, "payment_year": 2027, "diagnoses": [{"code": "I50.22", "date": "2026-03-04"}]}]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("hcc-store")
    with installed_store(data_dir, shared_data("codesets/hcc")) as (_engine, answer):
        yield answer


@pytest.fixture
def no_folder(monkeypatch):
    monkeypatch.delenv("CHARTWELL_HCC_DATA", raising=False)


def write(tmp_path, document):
    path = tmp_path / "patients.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_install_makes_one_release_per_payment_year(store):
    releases = {item["version"]: item for item in store
                if item["system"] == "hcc"}
    assert sorted(releases) == ["2022", "2023", "2024", "2025", "2026", "2027"]
    assert (releases["2026"]["effective_start"], releases["2026"]["effective_end"]) == (
        "2026-01-01", "2026-12-31")
    assert "PROPOSED" in releases["2027"]["note"]


def test_the_store_scores_each_payment_year_as_the_folder_does(store, no_folder, tmp_path):
    path = write(tmp_path, PATIENTS)
    code, from_store, _ = chartwell("hcc", "score", path, "--json")
    assert code == 0
    code, from_folder, _ = chartwell("hcc", "score", path, "--json",
                                     "--data", str(shared_data("codesets/hcc")))
    assert code == 0
    assert from_store == from_folder
    assert [answer["payment_year"] for answer in from_store] == [2025 + 1, 2025, 2027]
    assert from_store[0]["raf"] == pytest.approx(1.103)
    assert [part["model"] for part in from_store[1]["blend"]["components"]] == ["V28", "V24"]
    assert from_store[2]["status"] == "proposed"


def test_a_payment_year_not_installed_is_that_patients_error(store, no_folder, tmp_path):
    path = write(tmp_path, [PATIENT, {**PATIENT, "payment_year": 2031,
                                      "diagnoses": [{"code": "I10", "date": "2030-01-02"}]}])
    code, answer, _ = chartwell("hcc", "score", path, "--json")
    assert code == 1
    assert answer[0]["raf"] == pytest.approx(1.103)
    error = answer[1]["error"]
    assert error["position"] == {"patient": 1, "field": "payment_year"}
    assert "payment year 2031" in error["message"] and "2022, 2023" in error["message"]

"""The ICD-10-CM convention and code-validity edits on real codes of the installed releases: for
each rule a case that fires and a near miss that must not, through the service the CLI and the
API use; then the command line, the API and the coding page themselves."""

from __future__ import annotations

import json

import pytest

from chartwell.api.app import create_app
from chartwell.compliance.roles import Role
from chartwell.services import edits
from chartwell.services.actor import local_operator
from chartwell.store.db import transaction
from cli_runner import chartwell
from records_fixture import IDS, PASSWORD, TestClient, add_user, load_records

pytestmark = pytest.mark.shared_data


def encounter(*diagnoses: str, setting: str = "outpatient", on: str = "2026-03-02",
              procedures: tuple = ()) -> dict:
    document = {"setting": setting, "patient": {"sex": "F", "birth_date": "1958-04-09"},
                "diagnoses": [{"code": code, "poa": "Y"} for code in diagnoses],
                "procedures": [item if isinstance(item, dict) else {"code": item}
                               for item in procedures]}
    if setting == "inpatient":
        document.update(admit_date=on, discharge_date=on, discharge_status="01")
    else:
        document["date_of_service"] = on
    return document


def findings(engine, document: dict, rule: str | None = None) -> list[dict]:
    with transaction(engine) as session:
        results, _is_list = edits.check_document(session=session, actor=local_operator(),
                                                 document=document)
    answer = results[0].to_json()["findings"]
    return [item for item in answer if rule is None or item["rule"] == rule]


CASES = [
    # rule, fires, near miss
    ("CM-INVALID-CODE", encounter("Z99.99"), encounter("Z99.89")),
    ("CM-INVALID-CODE", encounter("E11.A", on="2025-09-30"), encounter("E11.A", on="2025-10-01")),
    ("CM-HEADER", encounter("E11"), encounter("E11.9")),
    ("CM-SEVENTH-CHARACTER", encounter("S72.001"), encounter("S72.001A")),
    ("CM-SEVENTH-CHARACTER", encounter("S72.001Z"), encounter("S72.001D")),
    ("CM-DUPLICATE", encounter("E11.9", "I10", "E11.9"), encounter("E11.9", "I10")),
    ("CM-EXCLUDES1", encounter("E10.9", "E11.9"), encounter("E11.9", "I10")),
    ("CM-EXCLUDES1", encounter("G63", "E11.42"), encounter("E85.4", "G63", "E11.9")),
    ("CM-CODE-FIRST", encounter("G63", "E85.4"), encounter("E85.4", "G63")),
    ("CM-MANIFESTATION-ETIOLOGY", encounter("I10", "G63"), encounter("E85.4", "G63")),
    ("CM-MANIFESTATION-FIRST-LISTED", encounter("G63", "E85.4"),
     encounter("G63", "E85.4", setting="inpatient")),
    ("CM-USE-ADDITIONAL", encounter("Z79.4", "E11.9"), encounter("E11.9", "Z79.4")),
    ("PROC-CODE-SET", encounter("I10", procedures=("0DTJ4ZZ",)),
     encounter("K35.80", setting="inpatient", procedures=("0DTJ4ZZ",))),
    ("PCS-INVALID-CODE", encounter("K35.80", setting="inpatient", procedures=("0DTJ4ZX",)),
     encounter("K35.80", setting="inpatient", procedures=("0DTJ4ZZ",))),
    ("HCPCS-INVALID-CODE", encounter("I10", procedures=("J0001",)),
     encounter("I10", procedures=("J3301",))),
    ("CPT-FORMAT", encounter("I10", procedures=({"code": "9921", "system": "cpt"},)),
     encounter("I10", procedures=("99213",))),
]


@pytest.mark.parametrize(("rule", "fires", "near_miss"), CASES,
                         ids=[f"{case[0]}-{index}" for index, case in enumerate(CASES)])
def test_rule_fires_and_its_near_miss_does_not(references, rule, fires, near_miss):
    fired = findings(references, fires, rule)
    assert fired, f"{rule} did not fire on {fires['diagnoses']}"
    for finding in fired:
        assert finding["message"] and finding["source"] and finding["codes"]
        assert finding["severity"] in ("error", "warning")
    assert not findings(references, near_miss, rule), f"{rule} fired on the near miss"


def test_findings_quote_the_tabular_note_and_where_it_is_written(references):
    [finding] = findings(references, encounter("E10.9", "E11.9"), "CM-EXCLUDES1")
    assert finding["codes"] == ["E10.9", "E11.9"] and finding["severity"] == "error"
    assert "Section I.A.12.a" in finding["source"]
    assert "tabular note at E10" in finding["source"] and "(E11.-)" in finding["source"]
    [manifestation] = findings(references, encounter("G63", "E85.4"), "CM-CODE-FIRST")
    assert manifestation["severity"] == "error"  # an etiology/manifestation pair out of order


def test_the_code_sets_are_those_in_force_on_the_date(references):
    before = findings(references, encounter("E11.A", on="2025-09-30"), "CM-INVALID-CODE")
    assert "FY2026" in before[0]["message"]  # says when it becomes valid
    with transaction(references) as session:
        results, _ = edits.check_document(session=session, actor=local_operator(),
                                          document=encounter("I10", on="2025-10-01"))
    assert results[0].releases["icd10cm"] == "FY2026"


def test_a_clean_encounter_has_no_findings(references):
    assert findings(references, encounter("I10", "E11.9", procedures=("99213",))) == []


# -- the command line --------------------------------------------------------------------------


def test_cli_answers_a_list_in_order_with_bad_entries_in_place(references, tmp_path):
    path = tmp_path / "encounters.json"
    path.write_text(json.dumps([encounter("I10"), {"setting": "inpatient", "diagnoses": []},
                                encounter("E10.9", "E11.9")]))
    code, answer, output = chartwell("edits", "check", str(path), "--json")
    assert code == 1, output
    assert answer[0]["findings"] == [] and answer[0]["clean"]
    fields = {item["field"] for item in answer[1]["error"]["fields"]}
    assert {"admit_date", "discharge_date", "patient", "diagnoses"} <= fields
    assert [item["rule"] for item in answer[2]["findings"]] == ["CM-EXCLUDES1"]


def test_cli_single_encounter_exit_codes(references, tmp_path):
    clean, held = tmp_path / "clean.json", tmp_path / "held.json"
    clean.write_text(json.dumps(encounter("I10")))
    held.write_text(json.dumps(encounter("E11")))
    assert chartwell("edits", "check", str(clean), "--json")[0] == 0
    code, answer, _ = chartwell("edits", "check", str(held), "--json")
    assert code == 1 and answer["findings"][0]["rule"] == "CM-HEADER"
    code, _answer, output = chartwell("edits", "check", str(held))
    assert code == 1 and "CM-HEADER" in output and "source:" in output


@pytest.mark.parametrize(("content", "exit_code", "where"), [
    ("{not json", 2, "line"),
    (json.dumps({"setting": "inpatient", "admit_date": "2026-02-30", "discharge_date": "2026-03-01",
                 "patient": {"sex": "F", "birth_date": "1950-01-01"}, "diagnoses": ["I10"]}), 1,
     "admit_date"),
    (json.dumps({"setting": "outpatient", "date_of_service": "2026-03-01",
                 "patient": {"sex": "F", "birth_date": "2027-01-01"}, "diagnoses": ["I10"]}), 1,
     "patient.birth_date"),
    (json.dumps(["not an encounter"]), 1, "(encounter)"),
])
def test_cli_bad_input_names_the_place(references, tmp_path, content, exit_code, where):
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, answer, output = chartwell("edits", "check", str(path), "--json")
    assert code == exit_code, output
    assert where in json.dumps(answer)


def test_rules_are_listed_with_their_sources():
    code, answer, _ = chartwell("edits", "rules", "--json")
    assert code == 0
    by_id = {rule["rule"]: rule for rule in answer}
    assert len(by_id) == len(answer)
    for rule in answer:
        assert rule["source"] and rule["title"] and rule["severity"] in ("error", "warning")
    assert {"conventions", "mce", "ncci", "mue"} <= {rule["family"] for rule in answer}
    assert by_id["CM-EXCLUDES1"]["settings"] == ["inpatient", "outpatient", "professional"]


# -- the API and the coding page ---------------------------------------------------------------


@pytest.fixture
def client(references):
    load_records(references)
    for name, role in (("edits-coder", Role.CODER), ("edits-clerk", Role.RECORDS_CLERK)):
        try:
            add_user(references, name, role)
        except Exception:  # noqa: BLE001 - the shared store keeps users between tests
            pass
    with TestClient(create_app(), follow_redirects=False) as client:
        yield client


def bearer(client, username: str) -> dict:
    response = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_api_checks_one_encounter_or_a_list(client):
    headers = bearer(client, "edits-coder")
    one = client.post("/api/edits/check", json=encounter("E10.9", "E11.9"), headers=headers)
    assert one.status_code == 200, one.text
    assert [item["rule"] for item in one.json()["findings"]] == ["CM-EXCLUDES1"]
    many = client.post("/api/edits/check", json=[encounter("I10"), {"setting": "x"}],
                       headers=headers)
    assert many.status_code == 200 and many.json()[0]["clean"] and "error" in many.json()[1]
    bad = client.post("/api/edits/check", json={"setting": "outpatient"}, headers=headers)
    assert bad.status_code == 422 and "date_of_service" in bad.text
    assert client.get("/api/edits/rules", headers=headers).status_code == 200


def test_api_refuses_a_role_without_coding_read(client):
    headers = bearer(client, "edits-clerk")
    response = client.post("/api/edits/check", json=encounter("I10"), headers=headers)
    assert response.status_code == 403


def test_coding_page_shows_the_codes_and_the_findings(client):
    token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"username": "edits-coder", "password": PASSWORD, "next": "",
                                "csrf_token": token})
    page = client.get(f"/encounters/{IDS.inpatient}/coding")
    assert page.status_code == 200, page.text
    assert "I50.33" in page.text and "5A1D70Z" in page.text and 'id="findings"' in page.text \
        or 'id="no-findings"' in page.text
    assert "Checked against" in page.text and "FY2027" in page.text
    assert 'id="drg"' in page.text and "grouper version 44" in page.text  # discharged 2026-10-07
    chart = client.get(f"/patients/{IDS.alpha}")
    assert f"/encounters/{IDS.inpatient}/coding" in chart.text

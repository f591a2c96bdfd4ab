"""``chartwell drg group`` through the real CLI, on a real SQLite store with the MS-DRG v43 tables
installed by ``chartwell codesets install`` from the shared data: the DRG and its weight, the
version by discharge date, the CC/MCC view (each reason a case that fires and a near miss that
must not), what changes the DRG, lists, and bad input (a clear error or note, never a crash)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from chartwell.compliance.roles import Role
from chartwell.errors import PermissionDenied
from chartwell.services import drg as service
from chartwell.services.actor import Actor
from chartwell.store import tables as t
from chartwell.store.db import transaction
from cli_runner import chartwell
from release_store import installed_store
from support import shared_data

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store with the MS-DRG v43 tables (FY2026) installed through the CLI."""
    with installed_store(tmp_path_factory.mktemp("drg-data"),
                         shared_data("codesets/msdrg/v43")) as (engine, _document):
        yield engine


def stay(*diagnoses, procedures=(), discharge="2026-01-07", status="01", sex="M", **extra) -> dict:
    """An inpatient stay; a diagnosis is a code (POA Y) or (code, poa)."""
    return {"setting": "inpatient", "admit_date": "2026-01-03", "discharge_date": discharge,
            "patient": {"sex": sex, "birth_date": "1950-02-01"}, "discharge_status": status,
            "diagnoses": [{"code": item, "poa": "Y"} if isinstance(item, str) else
                          {"code": item[0], "poa": item[1]} for item in diagnoses],
            "procedures": [{"code": code, "system": "icd10pcs"} for code in procedures], **extra}


def group(tmp_path: Path, document, *options: str) -> tuple[int, object, str]:
    path = tmp_path / "encounter.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return chartwell("drg", "group", str(path), *options)


def grouped(tmp_path: Path, document) -> dict:
    code, answer, output = group(tmp_path, document, "--json")
    assert code == 0, output
    return answer


def uncounted(answer: dict, code: str) -> dict:
    return next(item for item in answer["cc_mcc"]["not_counted"] if item["code"] == code)


# -- the DRG, its weight and its version ---------------------------------------------------------


def test_a_stay_groups_with_the_weights_of_table_5(store, tmp_path):
    answer = grouped(tmp_path, stay("I50.23", "N17.9", "E11.9"))
    assert {"version", "mdc", "drg", "title", "weight", "gmlos", "amlos", "cc_mcc",
            "what_changes"} <= set(answer)
    assert (answer["version"], answer["fiscal_year"], answer["mdc"]) == ("43.0", 2026, "05")
    assert (answer["drg"], answer["title"]) == ("292", "Heart Failure and Shock with CC")
    assert (answer["weight"], answer["gmlos"], answer["amlos"]) == (0.849, 2.9, 3.7)
    assert answer["return_code"] == "OK" and answer["tables"] == "FY2026"
    assert answer["cc_mcc"]["severity"] == "CC"
    assert answer["cc_mcc"]["drove"] == [{"code": "N17.9", "level": "CC", "field": "diagnoses[1]"}]


@pytest.mark.parametrize(("discharge", "version", "tables"), [
    ("2026-03-31", "43.0", "FY2026"), ("2026-04-01", "43.1", "FY2026"),
    ("2025-10-01", "43.0", "FY2026"), ("2025-09-30", "42.1", None), ("2026-10-01", "44.0", None),
])
def test_the_version_is_the_one_in_force_on_the_discharge_date(store, tmp_path, discharge,
                                                                version, tables):
    answer = grouped(tmp_path, {**stay("I50.23", "N17.9", discharge=discharge),
                                "admit_date": discharge})
    assert (answer["version"], answer["tables"], answer["drg"]) == (version, tables, "292")
    if tables is None:  # grouped all the same; the weights need that year's tables
        assert answer["weight"] is None and answer["what_changes"]["family"] == []
        assert any("no MS-DRG tables release is installed" in note for note in answer["notes"])
    else:
        assert answer["weight"] == 0.849


# -- the CC/MCC view: why a CC or MCC did not count ------------------------------------------------


def test_a_cc_on_the_principal_diagnosis_exclusion_list_does_not_count(store, tmp_path):
    answer = grouped(tmp_path, stay("N17.0", "N17.9"))
    item = uncounted(answer, "N17.9")
    assert item["reason"] == "pdx_exclusion" and "N17.0" in item["message"]
    assert "Table 6K Part 1" in item["source"] and "1332" in item["source"]
    near_miss = grouped(tmp_path, stay("I50.23", "N17.9"))  # N17.9 counts with heart failure
    assert near_miss["cc_mcc"]["drove"][0]["code"] == "N17.9"


def test_a_drg_specific_severity_exclusion_does_not_count(store, tmp_path):
    answer = grouped(tmp_path, stay("J85.1", "J15.1"))  # DRGs 177-179 leave out the pneumonias
    assert answer["drg"] == "179"
    item = uncounted(answer, "J15.1")
    assert item["reason"] == "drg_exclusion" and "177-179" in item["message"]
    assert "Table 6K Part 3" in item["source"]
    near_miss = grouped(tmp_path, stay("I50.23", "J15.1"))
    assert near_miss["drg"] == "291" and near_miss["cc_mcc"]["drove"][0]["code"] == "J15.1"


def test_an_alive_only_mcc_does_not_count_when_the_patient_died(store, tmp_path):
    answer = grouped(tmp_path, stay("K35.80", "I46.9", status="20"))
    item = uncounted(answer, "I46.9")
    assert item["reason"] == "died" and "Table 6K Part 2" in item["source"]
    assert answer["cc_mcc"]["severity"] == "NONE"
    near_miss = grouped(tmp_path, stay("K35.80", "I46.9", status="01"))
    assert near_miss["cc_mcc"] == {"severity": "MCC", "not_counted": [], "drove": [
        {"code": "I46.9", "level": "MCC", "field": "diagnoses[1]"}]}


def test_a_hospital_acquired_condition_counts_for_the_initial_drg_only(store, tmp_path):
    answer = grouped(tmp_path, stay("S72.001A", ("S62.151B", "N"), procedures=["0JND3ZZ"]))
    assert (answer["drg"], answer["initial_drg"], answer["hac"]["initial_drg"]) == \
        ("502", "501", "501")
    assert answer["hac"]["initial_weight"] == 1.7481
    item = uncounted(answer, "S62.151B")
    assert item["reason"] == "hac" and "Falls and Trauma" in item["message"]
    near_miss = grouped(tmp_path, stay("S72.001A", ("S62.151B", "Y"), procedures=["0JND3ZZ"]))
    assert (near_miss["drg"], near_miss["hac"]) == ("501", None)


def test_one_mcc_is_enough_and_the_others_say_so(store, tmp_path):
    answer = grouped(tmp_path, stay("I50.9", "J96.01", "G93.41", "N17.9"))
    assert answer["drg"] == "291"
    reasons = {item["code"]: item["reason"] for item in answer["cc_mcc"]["not_counted"]}
    assert reasons == {"G93.41": "already_counted", "N17.9": "already_counted"} or \
        reasons == {"J96.01": "already_counted", "N17.9": "already_counted"}


def test_a_cc_in_a_family_that_splits_only_on_an_mcc(store, tmp_path):
    answer = grouped(tmp_path, stay("C71.0", "N17.9"))
    assert answer["drg"] == "055"
    item = uncounted(answer, "N17.9")
    assert item["reason"] == "no_split" and "054-055 split only on an MCC" in item["message"]


# -- what changes the DRG ------------------------------------------------------------------------


def test_the_family_with_weights_relative_to_the_drg(store, tmp_path):
    family = grouped(tmp_path, stay("I50.9"))["what_changes"]["family"]
    assert [(member["drg"], member["level"], member["current"]) for member in family] == [
        ("291", "with MCC", False), ("292", "with CC", False), ("293", "without CC/MCC", True)]
    assert family[0]["weight_change"] == round(1.2838 - 0.566, 4)


def test_documented_and_curated_diagnoses_that_would_change_the_drg(store, tmp_path):
    answer = grouped(tmp_path, stay("I50.9", candidates=["J96.01", "E11.9", "n17.0"]))
    changes = {change["drg"]: change for change in answer["what_changes"]["secondary_diagnoses"]}
    assert set(changes) == {"291", "292"}  # MCCs lead to 291, CCs to 292
    assert changes["291"]["weight_change"] == round(1.2838 - 0.566, 4)
    mcc = {item["code"]: item for item in changes["291"]["diagnoses"]}
    assert mcc["J96.01"]["source"] == "documented" and mcc["N17.0"]["source"] == "documented"
    assert "E11.9" not in mcc  # documented, but not a CC or MCC
    curated = [item for item in changes["291"]["diagnoses"] if item["source"] == "cdi_list"]
    assert curated and all(item["level"] == "MCC" and item["query_when"] for item in curated)
    assert all(item["level"] == "CC" for item in changes["292"]["diagnoses"])


def test_what_changes_leaves_out_what_cannot_change_the_drg(store, tmp_path):
    answer = grouped(tmp_path, stay("N17.0", "J96.01", candidates=["N17.9"]))  # MCC already
    assert answer["drg"] == "682"
    assert answer["what_changes"]["secondary_diagnoses"] == []
    # N17.9 is on N17.0's exclusion list: never offered, even where a CC would change the DRG
    answer = grouped(tmp_path, stay("N17.0", candidates=["N17.9"]))
    offered = {item["code"] for change in answer["what_changes"]["secondary_diagnoses"]
               for item in change["diagnoses"]}
    assert "N17.9" not in offered and "N17.0" not in offered and offered


# -- lists, text output and the audit trail -----------------------------------------------------


def test_a_list_is_answered_in_order_with_a_bad_entry_in_place(store, tmp_path):
    documents = [stay("I50.23", "J96.01"), {"setting": "inpatient"}, stay("I50.9")]
    code, answers, output = group(tmp_path, documents, "--json")
    assert code == 1, output
    assert [answer.get("drg") for answer in answers] == ["291", None, "293"]
    fields = {item["field"] for item in answers[1]["error"]["fields"]}
    assert {"admit_date", "discharge_date", "patient", "diagnoses"} <= fields


def test_text_output_without_json(store, tmp_path):
    code, _document, output = group(tmp_path, stay("I50.9", "N17.9"))
    assert code == 0
    assert "MS-DRG 292 Heart Failure and Shock with CC (v43.0, MDC 05)" in output
    assert "N17.9" in output and "drove the DRG" in output


def test_the_audit_event_holds_counts_only(store, tmp_path):
    group(tmp_path, [stay("I50.9", "N17.9"), stay("XXX.9")], "--json")
    with transaction(store) as session:
        event = session.scalars(select(t.AuditEventRow).where(t.AuditEventRow.action == "drg.group")
                                .order_by(t.AuditEventRow.sequence.desc())).first()
    details = json.loads(event.details)
    assert details == {"encounters": 2, "grouped": 1, "ungroupable": 1, "errors": 0}
    assert "N17" not in event.details and event.patient_id is None


def test_a_role_without_coding_read_is_refused(store):
    clerk = Actor(username="clerk", role=Role.RECORDS_CLERK)
    with transaction(store) as session, pytest.raises(PermissionDenied):
        service.group_document(session=session, actor=clerk, document=stay("I50.9"))


# -- bad input: a clear error or a note, never a crash ---------------------------------------------


def test_an_unknown_principal_diagnosis_is_ungroupable(store, tmp_path):
    code, answer, output = group(tmp_path, stay("XYZ.12"), "--json")
    assert code == 1, output
    assert (answer["drg"], answer["return_code"]) == ("999", "INVALID_PDX")
    assert "not a valid ICD-10-CM code" in answer["message"]
    assert any(note.startswith("diagnoses[0] XYZ.12") for note in answer["notes"])


def test_unknown_secondary_codes_and_other_procedures_are_left_out_with_a_note(store, tmp_path):
    document = stay("I50.9", "QQQ.1", "N17.9")
    document["procedures"] = [{"code": "99213", "system": "cpt"}]
    answer = grouped(tmp_path, document)
    assert answer["drg"] == "292"
    notes = " | ".join(answer["notes"])
    assert "diagnoses[1] QQQ.1 is not a valid ICD-10-CM code" in notes
    assert "procedures[0] 99213 is CPT" in notes


def test_a_principal_not_acceptable_as_principal_is_ungroupable(store, tmp_path):
    code, answer, _output = group(tmp_path, stay("V00.01XA"), "--json")  # an external cause
    assert code == 1
    assert (answer["drg"], answer["return_code"]) == ("999", "DX_CANNOT_BE_PDX")
    assert answer["message"] == "the principal diagnosis is not acceptable as a principal diagnosis"


def test_a_missing_poa_on_a_hospital_acquired_condition_is_ungroupable(store, tmp_path):
    code, answer, _output = group(tmp_path, stay("S72.001A", ("S62.151B", None)), "--json")
    assert code == 1
    assert (answer["drg"], answer["return_code"]) == ("999", "HAC_MISSING_ONE_POA")
    assert "POA" in answer["message"]


@pytest.mark.parametrize(("change", "field"), [
    ({"discharge_date": "2026-02-30"}, "discharge_date"),
    ({"discharge_date": "2025-12-31"}, "discharge_date"),  # before the admission
    ({"admit_date": None, "discharge_date": None}, "admit_date"),
    ({"patient": {"sex": "X", "birth_date": "1950-02-01"}}, "patient.sex"),
    ({"patient": {"sex": "F"}}, "patient.birth_date"),
    ({"diagnoses": []}, "diagnoses"),
    ({"setting": "outpatient", "date_of_service": "2026-01-03"}, "setting"),
    ({"admit_date": "2027-06-01", "discharge_date": "2027-06-03"}, "discharge_date"),
])
def test_an_encounter_that_cannot_be_grouped_names_the_field(store, tmp_path, change, field):
    code, answer, output = group(tmp_path, {**stay("I50.9"), **change}, "--json")
    assert code == 1, output
    error = answer["error"]
    assert error["position"]["field"] == field or field in {
        item["field"] for item in error.get("fields", [])}


def test_odd_values_are_grouped_with_a_note(store, tmp_path):
    document = stay(("I50.9", "X"), "N17.9", "E11-9", status="ZZ", procedures=["0DT"],
                    candidates=[5, "J96.01", "not a code"])
    answer = grouped(tmp_path, document)
    notes = " | ".join(answer["notes"])
    assert "diagnoses[0].poa 'X' is not a POA indicator" in notes
    assert "discharge_status 'ZZ' is not a two-digit code" in notes
    assert "diagnoses[2] 'E11.-9' is not an ICD-10-CM code: left out" in notes
    assert "procedures[0] '0DT' is not an ICD-10-PCS code (seven letters or digits)" in notes
    assert "candidates[0]: expected an ICD-10-CM code" in notes
    assert "candidates[2]: expected an ICD-10-CM code" in notes
    assert answer["drg"] == "292"


def test_a_principal_that_cannot_be_a_code_is_ungroupable_not_a_crash(store, tmp_path):
    code, answer, output = group(tmp_path, stay("\u03a9-1", "N17.9"), "--json")
    assert code == 1, output
    assert (answer["drg"], answer["return_code"]) == ("999", "INVALID_PDX")


@pytest.mark.parametrize("content", ["{not json", ""])
def test_a_file_that_is_not_json_is_exit_2(store, tmp_path, content):
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    code, answer, _output = chartwell("drg", "group", str(path), "--json")
    assert code == 2 and answer["error"]["position"]["file"] == str(path)


def test_a_missing_file_is_exit_2(store, tmp_path):
    code, answer, _output = chartwell("drg", "group", str(tmp_path / "absent.json"), "--json")
    assert code == 2 and "cannot read" in answer["error"]["message"]


@pytest.mark.parametrize("document", [42, "text", [None], {"diagnoses": "I50.9"}, [[]]])
def test_documents_of_the_wrong_shape_are_errors_not_crashes(store, tmp_path, document):
    code, answer, output = group(tmp_path, document, "--json")
    assert code == 1, output
    errors = answer if isinstance(answer, list) else [answer]
    assert all(item["error"]["message"] for item in errors)


def test_an_empty_list_is_answered_with_an_empty_list(store, tmp_path):
    assert group(tmp_path, [], "--json")[:2] == (0, [])

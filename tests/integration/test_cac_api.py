"""``POST /api/cac`` over the session's reference store (FY2026 ICD-10-CM): who may code a note
(``coding.read``: a coder and a billing specialist yes, a records clerk no -- see
``compliance/roles.py``), what the audit trail keeps of it (counts, never the note's words) and
how bad input is answered (422 naming the field, not echoing its value).

The coder is built once from the reference artifact and the encoder's cached FY2026 search
index (as ``test_cac_cli_api`` does) and kept for the process, as ``services.cac`` keeps every
coder it builds. Users are added to the reference store under names of this module's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from records_fixture import PASSWORD, TestClient, add_user
from sqlalchemy import select
from support import load_test_module

from chartwell.api.app import create_app
from chartwell.compliance.roles import Permission, Role, has_permission
from chartwell.services import cac as service
from chartwell.store import tables as t
from chartwell.store.db import transaction

pytestmark = pytest.mark.shared_data

# a marker word no code title holds: if it shows up in the audit trail, the note leaked there
NOTE = ("ASSESSMENT:\n1. Essential hypertension.\n2. Zyxquorbel denies chest pain.\n"
        "FAMILY HISTORY:\nMother with breast cancer.\n")
USERS = {"cac-api-coder": Role.CODER, "cac-api-clerk": Role.RECORDS_CLERK,
         "cac-api-biller": Role.BILLING_SPECIALIST}


@pytest.fixture(scope="module")
def kept_coder(request, reference_data):
    coder = load_test_module("unit/test_cac_pipeline.py").build_coder(request, reference_data)
    service.keep_coder(coder)
    yield coder


@pytest.fixture
def client(references, kept_coder):
    with transaction(references) as session:
        known = set(session.scalars(select(t.UserRow.username)))
    for username, role in USERS.items():
        if username not in known:
            add_user(references, username, role)
    with TestClient(create_app()) as client:
        yield client


def bearer(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def cac_events(engine, username: str) -> list[t.AuditEventRow]:
    with transaction(engine) as session:
        rows = session.scalars(select(t.AuditEventRow).where(
            t.AuditEventRow.username == username,
            t.AuditEventRow.action.in_(("cac.code", "coding.read", "cac.read")))
            .order_by(t.AuditEventRow.sequence)).all()
        session.expunge_all()
    return rows


def test_the_roles_are_what_the_test_assumes():
    assert has_permission(Role.CODER, Permission.CODING_READ)
    assert not has_permission(Role.RECORDS_CLERK, Permission.CODING_READ)


def test_a_coder_gets_the_suggestions_and_the_audit_event_holds_counts_only(client,
                                                                             references):
    before = len(cac_events(references, "cac-api-coder"))
    response = client.post("/api/cac", json={"text": NOTE, "setting": "outpatient",
                                             "date": "2026-03-01"},
                           headers=bearer(client, "cac-api-coder"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [item["code"] for item in body["suggestions"]] == ["I10"]
    first = body["suggestions"][0]
    assert NOTE[first["spans"][0]["start"]:first["spans"][0]["end"]] == first["spans"][0]["text"]
    assert {"negated", "family"} <= {item["assertion"] for item in body["not_coded"]}
    events = cac_events(references, "cac-api-coder")[before:]
    assert [(event.action, event.outcome) for event in events] == [("cac.code", "success")]
    details = json.loads(events[0].details)
    assert details["notes"] == 1 and details["suggestions"] == 1
    assert details["setting"] == "outpatient"
    recorded = " ".join(str(getattr(event, column)) for event in events
                        for column in ("details", "reason", "resource_id"))
    for words in ("Zyxquorbel", "hypertension", "Mother", "breast"):
        assert words.lower() not in recorded.lower()


@pytest.mark.parametrize("username", ["cac-api-clerk"])
def test_a_role_without_coding_read_is_refused_and_the_refusal_audited(client, references,
                                                                       username):
    before = len(cac_events(references, username))
    response = client.post("/api/cac", json={"text": NOTE}, headers=bearer(client, username))
    assert response.status_code == 403 and response.json()["error"] == "PermissionDenied"
    assert "Zyxquorbel" not in response.text
    events = cac_events(references, username)[before:]
    assert [(event.action, event.outcome) for event in events] == [("coding.read", "denied")]
    assert "Zyxquorbel" not in str(events[0].details)


def test_a_billing_specialist_is_answered_as_the_roles_say(client):
    """Billing specialists hold ``coding.read`` in roles.py (they read codes to bill): they
    are admitted; the brief's wish to refuse them needs a change there (see the report)."""
    response = client.post("/api/cac", json={"text": NOTE, "date": "2026-03-01"},
                           headers=bearer(client, "cac-api-biller"))
    allowed = has_permission(Role.BILLING_SPECIALIST, Permission.CODING_READ)
    assert response.status_code == (200 if allowed else 403)


def test_no_token_is_unauthenticated(client):
    response = client.post("/api/cac", json={"text": NOTE})
    assert response.status_code == 401 and response.json()["error"] == "Unauthenticated"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "text"),
    ({"text": 12}, "text"),
    ({"text": NOTE, "setting": "professional"}, "setting"),
    ({"text": NOTE, "date": "the first of March"}, "date"),
    ({"text": "x" * 5_000_001}, "text"),
])
def test_bad_input_is_422_naming_the_field_without_echoing_it(client, body, field):
    response = client.post("/api/cac", json=body, headers=bearer(client, "cac-api-coder"))
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["error"] == "InvalidInput"
    assert any(item["location"].endswith(field) for item in answer["fields"]), answer
    assert "professional" not in response.text and "Zyxquorbel" not in response.text
    assert "the first of March" not in response.text


@pytest.mark.parametrize("text", ["", "\x00\x01\x02" * 100])
def test_an_empty_or_binary_note_gets_no_suggestions_and_a_reason(client, text):
    response = client.post("/api/cac", json={"text": text, "date": "2026-03-01"},
                           headers=bearer(client, "cac-api-coder"))
    assert response.status_code == 200, response.text
    assert response.json()["suggestions"] == [] and response.json()["warnings"]


def test_a_release_without_search_tables_is_a_conflict_naming_it(reference_data, tmp_path):
    """A release installed without its search tables cannot code: the answer says which
    release it is and how to install them (a 409, not a 404 that reads as "no such page")."""
    import shutil
    import sqlite3
    from datetime import date

    from chartwell.codesets.artifact import Artifact
    from chartwell.codesets.model import CodeSystem
    from chartwell.codesets.releases import Release
    from chartwell.errors import Conflict
    from chartwell.services.codesets import OpenRelease

    source = next((reference_data / "codesets").glob("icd10cm-FY2026-*.sqlite"))
    copy = tmp_path / "icd10cm-FY2027-nosearch.sqlite"
    shutil.copyfile(source, copy)
    with sqlite3.connect(copy) as connection:
        for table in ("search_meta", "search_blobs", "search_documents", "search_codes"):
            connection.execute(f"DROP TABLE IF EXISTS {table}")
    artifact = Artifact(copy)
    release = Release(CodeSystem.ICD10CM, "FY2027", date(2026, 10, 1), date(2027, 9, 30))
    opened = OpenRelease(release, artifact, date(2026, 10, 5))
    try:
        with pytest.raises(Conflict) as raised:
            service._search_index(opened)
    finally:
        artifact.close()
    message = raised.value.message
    assert "FY2027" in message and "search tables" in message
    assert "chartwell codesets install" in message and raised.value.http_status == 409


# -- the evaluation use case (services.cac.evaluate_labelled) ----------------------------------


def _labelled(folder: Path):
    from chartwell.cac import codiesp

    (folder / "text_files_en").mkdir()
    (folder / "text_files_en" / "a.txt").write_text(
        "ASSESSMENT:\n1. Essential hypertension.\n", encoding="utf-8")
    (folder / "gold_D_diagnosis.tsv").write_text("a\tI10\n", encoding="utf-8")
    return codiesp.read_labelled(folder)


def test_evaluate_labelled_scores_the_notes_and_audits_counts_only(references, kept_coder,
                                                                     tmp_path):
    from datetime import date

    from chartwell.services.actor import Actor

    with transaction(references) as session:
        answer = service.evaluate_labelled(
            session=session, actor=Actor(username="cac-eval-coder", role=Role.CODER),
            labelled=_labelled(tmp_path), setting="outpatient", on=date(2026, 3, 1))
    scores = answer["diagnoses"]["all"]["code"]
    assert answer["documents"] == 1 and scores["true_positives"] == 1
    assert scores["micro_f1"] == 1.0
    with transaction(references) as session:
        event = session.scalars(select(t.AuditEventRow).where(
            t.AuditEventRow.username == "cac-eval-coder",
            t.AuditEventRow.action == "cac.evaluate")).all()[-1]
        assert json.loads(event.details)["notes"] == 1
        assert "hypertension" not in event.details.lower()


def test_evaluate_labelled_needs_coding_read(references, kept_coder, tmp_path):
    from chartwell.errors import PermissionDenied
    from chartwell.services.actor import Actor

    with pytest.raises(PermissionDenied), transaction(references) as session:
        service.evaluate_labelled(session=session,
                                  actor=Actor(username="cac-eval-clerk", role=Role.RECORDS_CLERK),
                                  labelled=_labelled(tmp_path))

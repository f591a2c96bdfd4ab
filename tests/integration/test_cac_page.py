"""The coding page's "Suggested codes" panel and its API over the session's reference store
(FY2026 ICD-10-CM): an encounter's notes coded by the CAC, each suggestion with its evidence
highlighted (the note's words escaped), Accept (the code joins the coded list and the edits run
again) and Reject with a reason, both kept in ``cac_decisions``; refusals for a role without
``coding.write``, forms without the session's token, hostile form fields answered with a clear
error that does not echo them, and the panel when the CAC cannot run.

The coder is built once from the reference artifact and the encoder's cached FY2026 search index
(as ``test_cac_api`` does) and kept for the process. Each test writes its own patient, stay and
notes (fresh ids) into the reference store, so decisions never leak between tests; users carry
this module's own names.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from records_fixture import PASSWORD, TestClient, add_user, load_records
from sqlalchemy import select
from support import load_test_module

from chartwell.api.app import create_app
from chartwell.compliance.roles import Role
from chartwell.domain import records as d
from chartwell.services import cac as cac_service
from chartwell.services.cac_decisions import diagnosis_sequence, excerpt
from chartwell.store import cac as cac_store
from chartwell.store import tables as t
from chartwell.store.cac import CacDecisionRow
from chartwell.store.db import transaction
from chartwell.store.records import write_batch

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SCRIPT = "<script>alert(1)</script>"
DISCHARGE = ("DISCHARGE SUMMARY\nHISTORY OF PRESENT ILLNESS:\nThe patient was admitted with "
             "shortness of breath and cough.\nASSESSMENT:\n1. Community acquired pneumonia.\n"
             "2. Essential hypertension.\n3. Type 2 diabetes mellitus without complications.\n"
             "4. No evidence of pulmonary embolism.\nFAMILY HISTORY:\nMother with breast cancer.\n")
PROGRESS = f"ASSESSMENT:\n1. Essential hypertension {SCRIPT} stable.\n2. Possible pneumonia.\n"
USERS = {"cacpage-coder": Role.CODER, "cacpage-cdi": Role.CDI_SPECIALIST,
         "cacpage-clerk": Role.RECORDS_CLERK}


@pytest.fixture(scope="module")
def kept_coder(request, reference_data):
    coder = load_test_module("unit/test_cac_pipeline.py").build_coder(request, reference_data)
    cac_service.keep_coder(coder)
    yield coder


@dataclass(frozen=True)
class Stay:
    patient: uuid.UUID
    encounter: uuid.UUID
    discharge: uuid.UUID
    progress: uuid.UUID


def _at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def write_stay(engine, admit: str = "2026-03-01", discharge: str = "2026-03-04") -> Stay:
    """A fresh patient with one inpatient stay and two notes (no code on the stay yet)."""
    stay = Stay(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    batch = d.RecordBatch(
        patients=[d.Patient(stay.patient, "Cacpage", "Test", date(1955, 5, 5), d.Sex.FEMALE,
                            mrn=f"CP{stay.patient.hex[:10]}")],
        encounters=[d.Encounter(stay.encounter, stay.patient, d.EncounterSetting.INPATIENT,
                                _at(admit), discharge_at=_at(discharge, 11),
                                discharge_disposition="01", encounter_type="Inpatient")],
        documents=[
            d.Document(stay.discharge, stay.patient, d.DocumentType.DISCHARGE_SUMMARY,
                       "Discharge summary", encounter_id=stay.encounter,
                       service_date=_at(discharge, 12), versions=[d.DocumentVersion(DISCHARGE)]),
            d.Document(stay.progress, stay.patient, d.DocumentType.PROGRESS_NOTE,
                       "Progress note", encounter_id=stay.encounter,
                       service_date=_at(admit, 15), versions=[d.DocumentVersion(PROGRESS)]),
        ])
    with transaction(engine) as session:
        write_batch(session, batch, recorded_by="test")
    return stay


@pytest.fixture
def client(references, kept_coder):
    with transaction(references) as session:
        known = set(session.scalars(select(t.UserRow.username)))
    for username, role in USERS.items():
        if username not in known:
            add_user(references, username, role)
    with TestClient(create_app(), follow_redirects=False) as client:
        yield client


@pytest.fixture
def stay(references) -> Stay:
    return write_stay(references)


def sign_in(client: TestClient, username: str) -> None:
    token = TOKEN.search(client.get("/login").text).group(1)
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "next": "",
                                         "csrf_token": token})
    assert answer.status_code == 303


def coding_page(client: TestClient, stay: Stay):
    page = client.get(f"/encounters/{stay.encounter}/coding")
    assert page.status_code == 200, page.text[:300]
    return page


def form_token(page) -> str:
    match = TOKEN.search(page.text)
    assert match, "the page has no CSRF field"
    return match.group(1)


def suggestion_row(page, document: uuid.UUID, code: str) -> str:
    note = page.text.split(f'id="note-{document}"')[1].split("</article>")[0]
    return note.split(f'data-code="{code}"')[1].split("</tr>")[0]


def span_field(text: str, words: str) -> str:
    start = text.index(words)
    return f"{start}:{start + len(words)}"


def decide(client, stay: Stay, token: str, **fields):
    form = {"csrf_token": token, "document_id": str(stay.discharge), "system": "icd10cm", **fields}
    return client.post(f"/encounters/{stay.encounter}/cac/decisions", data=form)


def decisions(engine, stay: Stay) -> list[CacDecisionRow]:
    with transaction(engine) as session:
        rows = session.scalars(select(CacDecisionRow).where(
            CacDecisionRow.encounter_id == stay.encounter).order_by(CacDecisionRow.decided_at)).all()
        session.expunge_all()
    return rows


def diagnoses(engine, stay: Stay) -> list[tuple[str, int | None, str | None]]:
    with transaction(engine) as session:
        return [(row.code, row.sequence, row.poa) for row in session.scalars(
            select(t.DiagnosisRow).where(t.DiagnosisRow.encounter_id == stay.encounter)
            .order_by(t.DiagnosisRow.sequence))]


def audit_details(engine, stay: Stay, action: str) -> list[str]:
    with transaction(engine) as session:
        return [repr(row.details) for row in session.scalars(select(t.AuditEventRow).where(
            t.AuditEventRow.resource_id == str(stay.encounter), t.AuditEventRow.action == action))]


# -- the excerpt, on its own --------------------------------------------------------------------


def test_the_excerpt_is_the_sentence_around_the_spans_with_them_marked():
    text = "History: none. Assessment: acute cystitis and also fever. Plan: fluids."
    start = text.index("acute cystitis")
    shown = excerpt(text, [(start, start + 14), (text.index("fever"), text.index("fever") + 5)])
    assert "".join(piece.text for piece in shown.pieces) == " Assessment: acute cystitis and also fever."
    assert [piece.text for piece in shown.pieces if piece.evidence] == ["acute cystitis", "fever"]
    assert shown.more_before and shown.more_after
    assert excerpt(text, [(5, 999), (-1, 3), (9, 9)]).pieces == ()  # outside the note: dropped
    merged = excerpt(text, [(27, 33), (30, 41)])
    assert [piece.text for piece in merged.pieces if piece.evidence] == ["acute cystitis"]


# -- the panel ---------------------------------------------------------------------------------


@pytest.mark.shared_data
def test_the_panel_shows_suggestions_with_their_evidence_escaped(client, stay, references):
    sign_in(client, "cacpage-coder")
    page = coding_page(client, stay)
    assert 'id="cac-panel"' in page.text and 'id="cac-unavailable"' not in page.text
    row = suggestion_row(page, stay.discharge, "J18.9")
    assert "Pneumonia, unspecified organism" in row and "<mark>pneumonia</mark>" in row
    assert 'class="tag tag-blue role">principal<' in row and "Section II" in row
    assert "present" in row and "in Assessment" in row and "confidence 1.00" in row
    assert "Pneumonia</div>" in row  # the index path
    assert '<button type="submit" class="btn btn-primary btn-small">Accept</button>' in row
    assert '<option value="not_supported">Not supported by documentation</option>' in row
    hypertension = suggestion_row(page, stay.discharge, "I10")
    assert "Hypertension, hypertensive" in hypertension
    assert "<mark>Essential hypertension</mark>" in hypertension
    not_coded = page.text.split(f'id="note-{stay.discharge}"')[1].split("</article>")[0]
    not_coded = not_coded.split('class="cac-not-coded"')[1]
    assert "negated" in not_coded and "family" in not_coded and "<mark>breast cancer</mark>" in not_coded
    # the relative's breast cancer offers its family history code (I.C.21.c.4), not suggested
    assert 'May apply: <span class="mono">Z80.3</span>' in not_coded
    assert 'data-code="Z80.3"' not in page.text.split('class="cac-not-coded"')[0]
    # the progress note's evidence sits beside script tags: shown as text, never as markup
    progress = suggestion_row(page, stay.progress, "I10")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in progress
    assert SCRIPT not in page.text
    events = audit_details(references, stay, "cac.encounter")
    assert events and not any("hypertension" in event.lower() for event in events)


@pytest.mark.shared_data
def test_accept_adds_the_diagnosis_and_the_edits_run_again(client, stay, references):
    sign_in(client, "cacpage-coder")
    page = coding_page(client, stay)
    assert 'id="edit-status"' not in page.text  # no diagnosis yet: no edits
    spans = span_field(DISCHARGE, "pneumonia")
    accepted = decide(client, stay, form_token(page), code="J18.9", decision="accepted", spans=spans)
    assert accepted.status_code == 303, accepted.text[:300]
    assert accepted.headers["location"] == f"/encounters/{stay.encounter}/coding#cac"
    assert diagnoses(references, stay) == [("J18.9", 1, None)]  # principal, POA for the coder

    page = coding_page(client, stay)
    coded = page.text.split('id="diagnoses"')[1].split("</table>")[0]
    assert ">J18.9</a>" in coded
    assert 'id="edit-status"' in page.text  # the edits ran over the new code
    row = suggestion_row(page, stay.discharge, "J18.9")
    assert "accepted" in row and "cacpage-coder" in row and "Accept</button>" not in row
    assert "already coded" in suggestion_row(page, stay.progress, "J18.9")

    second = decide(client, stay, form_token(page), code="I10", decision="accepted")
    assert second.status_code == 303
    assert diagnoses(references, stay) == [("J18.9", 1, None), ("I10", 2, None)]
    rows = decisions(references, stay)
    assert [(row.code, row.decision, row.decided_by) for row in rows] == [
        ("J18.9", "accepted", "cacpage-coder"), ("I10", "accepted", "cacpage-coder")]
    start = DISCHARGE.index("pneumonia")
    assert rows[0].spans == [[start, start + 9]] and rows[0].document_version == 1
    assert rows[1].spans  # taken from the suggestion when the form sends none
    again = decide(client, stay, form_token(page), code="J18.9", decision="accepted")
    assert again.status_code == 409 and "accepted already" in again.text
    assert len(decisions(references, stay)) == 2


@pytest.mark.shared_data
def test_reject_with_a_reason_is_recorded_and_shown(client, stay, references):
    sign_in(client, "cacpage-coder")
    page = coding_page(client, stay)
    rejected = decide(client, stay, form_token(page), code="E11.9", decision="rejected",
                      reason="not_supported")
    assert rejected.status_code == 303
    rows = decisions(references, stay)
    assert [(row.code, row.decision, row.reason) for row in rows] == [
        ("E11.9", "rejected", "not_supported")]
    assert diagnoses(references, stay) == []
    page = coding_page(client, stay)
    row = suggestion_row(page, stay.discharge, "E11.9")
    assert "rejected" in row and "Not supported by documentation" in row
    assert "cac-reject" not in row and "Accept</button>" in row  # a coder may change their mind
    assert 'id="cac-decisions"' in page.text
    events = audit_details(references, stay, "cac.decision")
    assert len(events) == 1 and "E11.9" in events[0] and "not_supported" in events[0]
    assert "diabetes" not in events[0].lower()
    twice = decide(client, stay, form_token(page), code="E11.9", decision="rejected", reason="other")
    assert twice.status_code == 409


@pytest.mark.shared_data
def test_a_role_without_coding_write_sees_the_panel_but_cannot_decide(client, stay, references):
    sign_in(client, "cacpage-cdi")
    page = coding_page(client, stay)
    assert "<mark>pneumonia</mark>" in page.text and "Accept</button>" not in page.text
    refused = decide(client, stay, form_token(page), code="J18.9", decision="accepted")
    assert refused.status_code == 403 and "Not allowed" in refused.text
    assert decisions(references, stay) == [] and diagnoses(references, stay) == []


@pytest.mark.shared_data
def test_decisions_need_the_form_token(client, stay, references):
    sign_in(client, "cacpage-coder")
    coding_page(client, stay)
    for token in ("", "not-the-token"):
        refused = decide(client, stay, token, code="J18.9", decision="accepted")
        assert refused.status_code == 403 and "security token" in refused.text
    assert decisions(references, stay) == [] and diagnoses(references, stay) == []


HOSTILE_FIELDS = [
    ({"code": SCRIPT, "decision": "accepted"}, 422, "invalid values"),
    ({"code": "<b>I10</b>", "decision": "accepted"}, 422, "code is not an icd10cm code"),
    ({"code": "A00.0", "decision": "accepted"}, 422, "not among the suggestions"),
    ({"code": "E11.9", "decision": "rejected", "reason": "<i>x</i>"}, 422, "needs a reason"),
    ({"code": "E11.9", "decision": "rejected"}, 422, "needs a reason"),
    ({"code": "I10", "decision": "accepted", "reason": "wrong_code"}, 422, "takes no reason"),
    ({"code": "I10", "decision": "<u>yes</u>"}, 422, "accepted or rejected"),
    ({"code": "I10", "decision": "accepted", "system": "<b>"}, 422, "icd10cm or icd10pcs"),
    ({"code": "I10", "decision": "accepted", "spans": "1:2<svg>"}, 422, "start:end"),
    ({"code": "I10", "decision": "accepted", "spans": "9000:9010"}, 422, "outside the note"),
    ({"code": "I10", "decision": "accepted", "document_id": "<x>"}, 422, "invalid values"),
    ({"code": "I10", "decision": "accepted", "document_id": str(uuid.uuid4())}, 404, "no such note"),
]


@pytest.mark.shared_data
@pytest.mark.parametrize(("fields", "status", "message"), HOSTILE_FIELDS,
                         ids=[str(i) for i in range(len(HOSTILE_FIELDS))])
def test_hostile_form_fields_get_a_clear_error_without_echo(client, stay, references, fields,
                                                            status, message):
    sign_in(client, "cacpage-coder")
    answer = decide(client, stay, form_token(coding_page(client, stay)), **fields)
    assert answer.status_code == status and message in answer.text, answer.text[:500]
    for value in fields.values():
        if "<" in value:
            assert value not in answer.text
    assert "<script>alert" not in answer.text
    assert decisions(references, stay) == [] and diagnoses(references, stay) == []


# -- when the CAC cannot run ----------------------------------------------------------------------


@pytest.mark.shared_data
def test_the_panel_says_how_to_install_when_the_release_has_no_search_tables(client, references):
    stay = write_stay(references, admit="2025-03-01", discharge="2025-03-03")  # FY2025: no search
    sign_in(client, "cacpage-coder")
    page = coding_page(client, stay)
    unavailable = page.text.split('id="cac-unavailable"')[1].split("</p>")[0]
    assert "no search tables" in unavailable and "chartwell codesets install" in unavailable
    assert "Accept</button>" not in page.text
    refused = decide(client, stay, form_token(page), code="J18.9", decision="accepted")
    assert refused.status_code == 409 and "not available" in refused.text
    assert decisions(references, stay) == []


def test_the_panel_without_any_icd10cm_release(sqlite_store):
    ids = load_records(sqlite_store)
    add_user(sqlite_store, "cacpage-coder", Role.CODER)
    with TestClient(create_app(), follow_redirects=False) as client:
        sign_in(client, "cacpage-coder")
        page = client.get(f"/encounters/{ids.inpatient}/coding")
        assert page.status_code == 200
        unavailable = page.text.split('id="cac-unavailable"')[1].split("</p>")[0]
        assert "chartwell codesets install" in unavailable
        api = client.get(f"/api/encounters/{ids.inpatient}/cac")
        assert api.status_code == 401  # the API takes a bearer token, not the page's cookie


# -- the API ---------------------------------------------------------------------------------------


def bearer(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.shared_data
def test_the_api_lists_suggestions_and_records_decisions(client, stay, references):
    coder = bearer(client, "cacpage-coder")
    listed = client.get(f"/api/encounters/{stay.encounter}/cac", headers=coder)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["available"] and body["setting"] == "inpatient" and body["date"] == "2026-03-04"
    notes = {note["document_id"]: note for note in body["notes"]}
    discharge = notes[str(stay.discharge)]
    codes = [item["code"] for item in discharge["suggestions"]]
    assert {"J18.9", "I10"} <= set(codes)
    for item in discharge["suggestions"]:
        for span in item["spans"]:
            assert DISCHARGE[span["start"]:span["end"]] == span["text"]
        assert item["decision"] is None and not item["already_coded"]

    url = f"/api/encounters/{stay.encounter}/cac/decisions"
    start = DISCHARGE.index("Essential hypertension")
    accepted = client.post(url, headers=coder, json={
        "document_id": str(stay.discharge), "code": "I10", "system": "icd10cm",
        "decision": "accepted", "spans": [{"start": start, "end": start + 22}]})
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["decision"] == "accepted" and accepted.json()["spans"] == [
        {"start": start, "end": start + 22}]
    assert diagnoses(references, stay) == [("I10", 1, None)]  # the first code on the stay
    rejected = client.post(url, headers=coder, json={
        "document_id": str(stay.discharge), "code": "E11.9", "system": "icd10cm",
        "decision": "rejected", "reason": "wrong_code"})
    assert rejected.status_code == 201 and rejected.json()["reason"] == "wrong_code"

    again = client.get(f"/api/encounters/{stay.encounter}/cac", headers=coder).json()
    assert [(item["code"], item["decision"]) for item in again["decisions"]] == [
        ("I10", "accepted"), ("E11.9", "rejected")]
    note = next(n for n in again["notes"] if n["document_id"] == str(stay.discharge))
    by_code = {item["code"]: item for item in note["suggestions"]}
    assert by_code["I10"]["decision"]["decision"] == "accepted" and by_code["I10"]["already_coded"]


@pytest.mark.shared_data
def test_the_api_refuses_and_rejects_bad_bodies_without_echo(client, stay, references):
    url = f"/api/encounters/{stay.encounter}/cac/decisions"
    clerk, cdi, coder = (bearer(client, name) for name in
                         ("cacpage-clerk", "cacpage-cdi", "cacpage-coder"))
    assert client.get(f"/api/encounters/{stay.encounter}/cac", headers=clerk).status_code == 403
    good = {"document_id": str(stay.discharge), "code": "J18.9", "system": "icd10cm",
            "decision": "accepted"}
    assert client.post(url, headers=cdi, json=good).status_code == 403
    for bad in ({**good, "decision": SCRIPT}, {**good, "reason": SCRIPT, "decision": "rejected"},
                {**good, "code": SCRIPT}, {**good, "spans": [{"start": 5, "end": "x<b>"}]}):
        answer = client.post(url, headers=coder, json=bad)
        assert answer.status_code == 422 and SCRIPT not in answer.text and "<b>" not in answer.text
    missing_reason = client.post(url, headers=coder, json={**good, "decision": "rejected"})
    assert missing_reason.status_code == 422 and missing_reason.json()["message"].startswith(
        "field reason")
    assert client.get(f"/api/encounters/{uuid.uuid4()}/cac", headers=coder).status_code == 404
    assert decisions(references, stay) == []


# -- the pieces on their own --------------------------------------------------------------------


@pytest.mark.parametrize(("taken", "role", "expected"), [
    ([], None, 1), ([], "principal", 1),
    ([1, 2], None, 3), ([1, 2], "principal", 3),  # the encounter has its principal already
    ([2, 3], "principal", 1), ([2, 3], "first-listed", 1), ([2, 3], None, 4),
    ([None, None], None, 1), ([None, 4], "principal", 1),
])
def test_where_an_accepted_diagnosis_goes(taken, role, expected):
    assert diagnosis_sequence(taken, role) == expected


def test_decisions_are_kept_and_read_back_in_order(store):
    ids = load_records(store)
    first = datetime(2026, 3, 5, 10, tzinfo=UTC)
    with transaction(store) as session:
        for minutes, (code, decision, reason) in enumerate(
                [("I10", "rejected", "other"), ("I10", "accepted", None)]):
            cac_store.add_decision(session, CacDecisionRow(
                id=uuid.uuid4(), encounter_id=ids.inpatient, document_id=ids.discharge_summary,
                document_version=1, code=code, code_system="icd10cm", decision=decision,
                reason=reason, spans=[[3, 9], [20, 25]], decided_by="coder1",
                decided_at=first.replace(minute=minutes)))
    with transaction(store) as session:
        rows = cac_store.decisions_of(session, ids.inpatient)
        assert [(row.decision, row.reason, row.spans) for row in rows] == [
            ("rejected", "other", [[3, 9], [20, 25]]), ("accepted", None, [[3, 9], [20, 25]])]
        assert cac_store.decisions_of(session, ids.office) == []

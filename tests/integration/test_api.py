"""The JSON API over a real store (SQLite and PostgreSQL): tokens, search, chart, documents and
their versions, the audit trail it leaves, and what it refuses."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from sqlalchemy import select

from chartwell.api.app import create_app
from chartwell.compliance.roles import Role
from chartwell.services import audit
from chartwell.store import tables as t
from chartwell.store.db import transaction
from records_fixture import ADMIN, TestClient, ALPHA_MRN, ALPHA_SSN, DISCHARGE_TEXT, IDS, PASSWORD, add_user, load_records

USERS = {"coder1": Role.CODER, "doc1": Role.PROVIDER, "biller1": Role.BILLING_SPECIALIST}


@pytest.fixture
def client(store):
    """The app over a store holding the synthetic record; users are added when first used,
    since each Argon2 hash costs a noticeable fraction of a second."""
    load_records(store)
    with TestClient(create_app()) as client:
        client.app.state.test_store, client.app.state.test_users = store, set()
        yield client


def bearer(client: TestClient, username: str = "coder1") -> dict[str, str]:
    state = client.app.state
    if username not in state.test_users:
        add_user(state.test_store, username, USERS[username])
        state.test_users.add(username)
    response = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def events(store) -> Counter:
    with transaction(store) as session:
        rows = session.execute(select(t.AuditEventRow.action, t.AuditEventRow.outcome)).all()
    return Counter(f"{action}:{outcome}" for action, outcome in rows)


def search(client, headers, q: str, **params) -> dict:
    response = client.get("/api/patients", params={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_token_login_with_json_or_form_and_logout(client, store):
    add_user(store, "coder1", Role.CODER)
    response = client.post("/api/auth/token", json={"username": "coder1", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_at"} and body["token_type"] == "bearer"
    assert response.headers["cache-control"] == "no-store"
    form = client.post("/api/auth/token", data={"username": "coder1", "password": PASSWORD})
    assert form.status_code == 200 and form.json()["access_token"] != body["access_token"]

    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/api/patients", params={"q": "testpatient"}, headers=headers).status_code == 200
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    after = client.get("/api/patients", params={"q": "testpatient"}, headers=headers)
    assert after.status_code == 401 and after.json()["error"] == "Unauthenticated"
    assert events(store)["auth.logout:success"] == 1


@pytest.mark.parametrize("credentials", [
    {"username": "coder1", "password": "wrong password!"},
    {"username": "nobody-here", "password": PASSWORD},
])
def test_token_login_refused(client, store, credentials):
    add_user(store, "coder1", Role.CODER)
    response = client.post("/api/auth/token", json=credentials)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthenticated", "message": "the user name or password is wrong"}
    assert response.headers["www-authenticate"] == "Bearer"
    # the refusal is in the audit trail although the request's own unit of work rolled back
    assert events(store)["auth.login:failed"] == 1


@pytest.mark.parametrize("body, status", [
    ({"username": "coder1"}, 422),
    ({"username": "x" * 81, "password": PASSWORD}, 422),
])
def test_token_login_malformed(client, body, status):
    response = client.post("/api/auth/token", json=body)
    assert response.status_code == status
    assert PASSWORD not in response.text
    assert client.post("/api/auth/token", content=b"{not json", headers={"content-type": "application/json"}
                       ).status_code == 400
    assert client.post("/api/auth/token", content=b"u=p", headers={"content-type": "text/plain"}).status_code == 400


def test_search_pages_and_matches_names_in_any_order(client):
    headers = bearer(client)
    both = search(client, headers, "testpatient")
    assert both["total"] == 2 and [p["given_names"] for p in both["items"]] == ["Alpha Quinn", "Bravo"]
    first = search(client, headers, "testpatient", limit=1, offset=0)
    second = search(client, headers, "testpatient", limit=1, offset=1)
    assert (first["total"], first["limit"], first["offset"]) == (2, 1, 0)
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [str(IDS.alpha), str(IDS.bravo)]
    assert search(client, headers, "testpatient", limit=1, offset=5)["items"] == []
    for words in ("alpha testpatient", "Testpatient Alpha", "quinn ALPHA", "testp alph"):
        found = search(client, headers, words)
        assert [p["id"] for p in found["items"]] == [str(IDS.alpha)], words


BY_MRN_AND_BIRTH_DATE = [
    (ALPHA_MRN, "alpha"),
    ("1950-02-01", "alpha"),
    ("02/01/1950", "alpha"),
    ("testpatient 1962-07-15", "bravo"),
    ("sampleton 12/31/1980", "charlie"),
    ("testpatient 1980-12-31", None),  # near miss: right name, another patient's birth date
    ("90000009", None),
]


def test_search_by_mrn_and_birth_date(client):
    headers = bearer(client)
    for q, expected in BY_MRN_AND_BIRTH_DATE:
        found = search(client, headers, q)
        assert [p["id"] for p in found["items"]] == ([str(getattr(IDS, expected))] if expected else []), q


def test_patient_detail_masks_ssn_and_exposes_no_secrets(client):
    headers = bearer(client)
    detail = client.get(f"/api/patients/{IDS.alpha}", headers=headers)
    chart = client.get(f"/api/patients/{IDS.alpha}/chart", headers=headers)
    listing = client.get("/api/patients", params={"q": "alpha"}, headers=headers)
    ssn = next(i for i in detail.json()["identifiers"] if i["type_code"] == "SS")
    assert ssn["value"] == "***-**-1234"
    for response in (detail, chart, listing):
        assert response.status_code == 200
        assert ALPHA_SSN not in response.text and "999001234" not in response.text
        assert "password" not in response.text and "secret" not in response.text
    assert "identifiers" not in listing.json()["items"][0] and "phone" not in listing.json()["items"][0]


def test_chart_has_encounters_codes_and_documents(client):
    chart = client.get(f"/api/patients/{IDS.alpha}/chart", headers=bearer(client)).json()
    assert chart["patient"]["mrn"] == ALPHA_MRN and chart["documents_shown"] is True
    office, inpatient = chart["encounters"]  # newest first
    assert inpatient["id"] == str(IDS.inpatient) and inpatient["setting"] == "inpatient"
    assert (inpatient["attending"], inpatient["facility"], inpatient["payer"]) == (
        "Zed Fakedoc, MD", "Testing General Hospital", "Example Health Plan")
    assert [(dx["sequence"], dx["code"], dx["poa"]) for dx in inpatient["diagnoses"]] == [
        (1, "I50.33", "Y"), (2, "E11.40", "Y"), (3, "N17.9", "N")]
    assert [px["code"] for px in inpatient["procedures"]] == ["5A1D70Z"]
    assert office["procedures"][0] | {"performed_at": None} == {
        "sequence": 1, "code": "99214", "code_system": "cpt", "display": None, "performed_at": None,
        "modifiers": ["25"], "units": 1.0}
    summary = next(doc for doc in inpatient["documents"] if doc["id"] == str(IDS.discharge_summary))
    assert (summary["author"], summary["signed"], summary["version_count"]) == ("Zed Fakedoc, MD", True, 1)
    assert [doc["id"] for doc in chart["other_documents"]] == [str(IDS.hostile_note)]
    assert "text" not in summary


def test_chart_leaves_documents_out_for_a_role_that_may_not_read_them(client):
    chart = client.get(f"/api/patients/{IDS.alpha}/chart", headers=bearer(client, "biller1")).json()
    assert chart["documents_shown"] is False and chart["other_documents"] == []
    assert all(e["documents"] == [] for e in chart["encounters"]) and len(chart["encounters"]) == 2


def test_encounter_list_filters_and_detail(client):
    headers = bearer(client)
    def listed(**params):
        response = client.get("/api/encounters", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()["items"]]
    assert listed(patient_id=str(IDS.alpha)) == [str(IDS.office), str(IDS.inpatient)]
    assert listed(patient_id=str(IDS.alpha), setting="inpatient") == [str(IDS.inpatient)]
    assert listed(q="ACCT-1002") == [str(IDS.office)]
    assert listed(q="office visit") == [str(IDS.office)]
    assert listed(patient_id=str(IDS.bravo)) == []
    assert client.get("/api/encounters", params={"setting": "spa"}, headers=headers).status_code == 422
    one = client.get(f"/api/encounters/{IDS.inpatient}", headers=headers).json()
    assert one["providers"] == [{"provider_id": str(IDS.attending), "role": "attending", "name": None}]


def test_document_list_filters_and_carries_no_text(client):
    headers = bearer(client)
    def listed(**params):
        response = client.get("/api/documents", params=params, headers=headers)
        assert response.status_code == 200, response.text
        assert all("text" not in item and "versions" not in item for item in response.json()["items"])
        return {item["id"] for item in response.json()["items"]}
    assert len(listed(patient_id=str(IDS.alpha))) == 3
    assert listed(type="discharge_summary") == {str(IDS.discharge_summary)}
    assert listed(q="furosemide") == {str(IDS.discharge_summary)}
    assert listed(encounter_id=str(IDS.inpatient)) == {str(IDS.discharge_summary), str(IDS.progress_note)}
    assert client.get("/api/documents", params={"type": "poem"}, headers=headers).status_code == 422


def test_amendment_keeps_the_original_beside_it(client, store):
    headers = bearer(client, "doc1")
    url = f"/api/documents/{IDS.discharge_summary}"
    amended = client.post(f"{url}/versions", headers=headers, json={
        "kind": "amendment", "text": DISCHARGE_TEXT.replace("stable", "good"), "reason": "wrong word"})
    assert amended.status_code == 201, amended.text
    added = client.post(f"{url}/versions", headers=headers, json={
        "kind": "addendum", "text": "Follow-up in 7 days.", "reason": "plan added"})
    assert added.status_code == 201
    document = client.get(url, headers=bearer(client)).json()
    assert [(v["number"], v["kind"]) for v in document["versions"]] == [
        (1, "original"), (2, "amendment"), (3, "addendum")]
    original, amendment, _ = document["versions"]
    assert original["text"] == DISCHARGE_TEXT and original["signed"] is True
    assert "good condition" in amendment["text"] and amendment["reason"] == "wrong word"
    assert amendment["recorded_by"] == "doc1" and amendment["signed"] is False
    assert document["current_version"] == 3
    counted = events(store)
    assert counted["document.amendment:success"] == 1 and counted["document.addendum:success"] == 1


BAD_VERSION_BODIES = [
    {"kind": "original", "text": "x", "reason": "y"},
    {"kind": "amendment", "text": "", "reason": "y"},
    {"kind": "amendment", "text": "x", "reason": ""},
    {"kind": "amendment", "text": "x", "reason": "   "},
    {"kind": "amendment", "text": "x\x00", "reason": "y"},
    {"kind": "amendment", "text": "x", "reason": "y", "author": "someone else"},
]


def test_new_version_refuses_bad_bodies(client, store):
    headers = bearer(client, "doc1")
    for body in BAD_VERSION_BODIES:
        response = client.post(f"/api/documents/{IDS.progress_note}/versions", json=body, headers=headers)
        assert response.status_code == 422 and response.json()["error"] == "InvalidInput", body
    assert events(store)["document.amendment:success"] == 0


def test_new_version_needs_document_write(client, store):
    response = client.post(f"/api/documents/{IDS.progress_note}/versions", headers=bearer(client, "coder1"),
                           json={"kind": "addendum", "text": "x", "reason": "y"})
    assert response.status_code == 403 and response.json()["error"] == "PermissionDenied"
    assert events(store)["document.write:denied"] == 1


def test_reads_and_searches_are_audited_and_the_chain_verifies(client, store):
    headers = bearer(client)
    before = events(store)
    search(client, headers, "testpatient")
    client.get(f"/api/patients/{IDS.alpha}", headers=headers)
    client.get(f"/api/patients/{IDS.alpha}/chart", headers=headers)
    client.get("/api/encounters", params={"patient_id": str(IDS.alpha)}, headers=headers)
    client.get(f"/api/encounters/{IDS.office}", headers=headers)
    client.get("/api/documents", params={"patient_id": str(IDS.alpha)}, headers=headers)
    client.get(f"/api/documents/{IDS.discharge_summary}", headers=headers)
    client.get(f"/api/documents/{uuid.uuid4()}", headers=headers)  # not found: nothing read
    new = events(store) - before
    assert new == Counter({f"{action}:success": 1 for action in (
        "patient.search", "patient.read", "patient.chart", "encounter.list", "encounter.read",
        "document.list", "document.read")})
    with transaction(store) as session:
        row = session.scalars(select(t.AuditEventRow).where(t.AuditEventRow.action == "document.read")).one()
        assert (row.username, row.patient_id, row.source_ip) == ("coder1", str(IDS.alpha), "testclient")
        verdict = audit.verify(session=session, actor=ADMIN)
    assert verdict.ok, verdict


HOSTILE_SEARCHES = ["' OR 1=1 --", "%", "_", "\\", "alpha'; DROP TABLE patients; --", "１９５０", "a" * 200]


def test_hostile_search_text_matches_nothing(client, store):
    headers = bearer(client)
    for q in HOSTILE_SEARCHES:
        assert search(client, headers, q)["total"] == 0, q
    with transaction(store) as session:
        assert session.scalar(select(t.PatientRow.id).where(t.PatientRow.id == IDS.alpha)) == IDS.alpha


INVALID = [
    "/api/patients?q=a&limit=100000", "/api/patients?q=a&limit=0", "/api/patients?q=a&offset=-1",
    "/api/patients?q=a&limit=ten", "/api/patients?q=" + "a" * 201, "/api/patients?q=",
    "/api/patients?q=alpha%00", "/api/documents?q=%1b%5b31m", "/api/encounters?patient_id=123",
    "/api/patients/not-a-uuid", "/api/patients/1%20OR%201=1/chart",
]


def test_invalid_parameters_answer_422_without_echoing_them(client):
    headers = bearer(client)
    for path in INVALID:
        response = client.get(path, headers=headers)
        assert response.status_code == 422, (path, response.status_code)
        assert response.json()["error"] == "InvalidInput" and "message" in response.json()
        assert "not-a-uuid" not in response.text and "OR 1=1" not in response.text, path


def test_unknown_ids_and_paths_answer_404(client):
    headers = bearer(client)
    for path in (f"/api/patients/{uuid.uuid4()}", f"/api/patients/{uuid.uuid4()}/chart",
                 f"/api/encounters/{uuid.uuid4()}", f"/api/documents/{uuid.uuid4()}", "/api/no-such-thing",
                 "/api/documents/..%2F..%2Fetc%2Fpasswd"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and response.json()["error"] == "NotFound", path
        assert "Traceback" not in response.text


def test_health_is_public_and_every_answer_has_security_headers(client):
    response = client.get("/api/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    for answer in (response, client.get("/api/patients"), client.get("/api/nope")):
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["content-security-policy"].startswith("default-src 'self'")
        assert answer.headers["cache-control"] == "no-store"


def test_openapi_names_each_operations_permission(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert paths["/api/patients/{patient_id}/chart"]["get"]["x-permission"] == "patient.read"
    assert paths["/api/documents/{document_id}/versions"]["post"]["x-permission"] == "document.write"
    assert paths["/api/health"]["get"]["x-permission"] == "public"

"""Every route of the app, enumerated: public ones are exactly the allow-list; every other one
declares a permission and refuses the unauthenticated (401, or a redirect to the login page)
and a role without that permission (403). A new route without a declaration fails here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select
from starlette.routing import Mount, Route

from chartwell.api.app import create_app
from chartwell.api.deps import ApiRequirement, PageRequirement, Requirement, declared_requirement
from chartwell.claims.config import EXAMPLE as BILLING_EXAMPLE
from chartwell.compliance.roles import ROLE_PERMISSIONS, Permission, Role
from chartwell.services import accounts, claims
from chartwell.services.actor import local_operator
from chartwell.settings import get_settings
from chartwell.store import tables as t
from chartwell.store.db import transaction
from records_fixture import IDS, PASSWORD, TestClient, add_user, load_records

# Reachable without signing in. Adding to this list is a security decision: say why here.
PUBLIC = {
    ("GET", "/api/health"),  # liveness, no data
    ("POST", "/api/auth/token"),  # signing in
    ("GET", "/openapi.json"), ("HEAD", "/openapi.json"),  # the API's description, no data
    ("GET", "/login"), ("POST", "/login"),  # signing in
    ("MOUNT", "/static"),  # the stylesheet
}
# Signed in, whatever the role: ending one's own session.
SIGNED_IN_ONLY = {
    ("POST", "/api/auth/logout"),
    ("POST", "/logout"),
    # code sets are reference data, not patient data: any signed-in user may look codes up
    ("GET", "/api/codes/{system}/{code}"),
    ("GET", "/api/codesets"),
    ("GET", "/codes/{system}/{code}"),
    ("GET", "/api/codes/search"),
    ("GET", "/codes"),
    ("GET", "/api/edits/rules"),  # the declared rules are policy, not patient data
    ("GET", "/codes/suggest"),
}

PATH_VALUES = {"patient_id": IDS.alpha, "encounter_id": IDS.inpatient, "document_id": IDS.progress_note,
               "system": "icd10cm", "code": "E11.40", "claim_id": "set by the client fixture"}
BODIES = {
    "/api/documents/{document_id}/versions": {"kind": "addendum", "text": "checked",
                                               "reason": "permission test"},
    "/api/edits/check": {"setting": "outpatient", "date_of_service": "2026-03-02",
                         "patient": {"sex": "F", "birth_date": "1950-02-01"},
                         "diagnoses": ["I10"]},
    "/api/claims": {"encounter_id": str(IDS.inpatient)},
    "/api/cac": {"text": "Assessment: essential hypertension.", "setting": "outpatient"},
    "/api/encounters/{encounter_id}/cac/decisions": {
        "document_id": str(IDS.progress_note), "code": "I10", "system": "icd10cm",
        "decision": "accepted"},
    "/api/claims/export": {"format": "837i", "file_name": "permission-test.837"},
    "/api/remittances": (
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *261101*1200*^*"
        "00501*000000101*0*T*:~GS*HP*PAYER*PROVIDER*20261101*1200*101*X*005010X221A1~ST*835*0001~"
        "BPR*I*5*C*CHK************20261101~TRN*1*PERM1*1999999999~N1*PR*PAYER~N3*1 MAIN ST~"
        "N4*ANYTOWN*NY*12345~PER*BL*EDI*TE*5555551234~N1*PE*CLINIC*XX*1234567893~REF*TJ*123456789~"
        "PLB*1234567893*20261231*L6*-5~SE*11*0001~GE*1*101~IEA*1*000000101~"),
    "/api/acknowledgments": (
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *261101*1200*^*"
        "00501*000000101*0*T*:~GS*FA*PAYER*PROVIDER*20261101*1200*101*X*005010X231A1~"
        "ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK2*837*0001~IK5*A~AK9*A*1*1*1~"
        "SE*6*0001~GE*1*101~IEA*1*000000101~"),
}
ANSWERED_WITH = {
    ("POST", "/api/claims/export"): 422,  # these records hold no clean claim: nothing queued
    ("GET", "/api/claims/{claim_id}/cms1500.pdf"): 422,  # the records' claim is an 837I (UB-04)
    ("GET", "/claims/{claim_id}/cms1500.pdf"): 422,
    ("POST", "/api/cac"): 404,  # this store has no ICD-10-CM release installed
    ("POST", "/api/encounters/{encounter_id}/cac/decisions"): 409,
    ("POST", "/encounters/{encounter_id}/cac/decisions"): 422,  # the probe form lacks its fields
}
"""Routes admitted but answered with a refusal of the service itself (the service's answer shows
the permission let the request through)."""
QUERIES = {"/api/patients": "?q=testpatient", "/patients": "?q=testpatient", "/api/codes/search": "?q=diabetes"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    requirement: Requirement | None

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def url(self) -> str:
        return self.path.format(**PATH_VALUES) + QUERIES.get(self.path, "")


def endpoints(app) -> list[Endpoint]:
    """``app.routes`` holds included routers as units in this FastAPI; ``iter_route_contexts``
    (what FastAPI's own OpenAPI builder uses) flattens them into the routes as served."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            found += [Endpoint(m, context.path, declared_requirement(route)) for m in sorted(route.methods)]
        elif isinstance(route, Mount):
            found.append(Endpoint("MOUNT", context.path, None))
        elif isinstance(route, Route):
            found += [Endpoint(m, context.path, None) for m in sorted(route.methods or ())]
        else:
            pytest.fail(f"a route of an unknown kind, {type(route).__name__}, cannot be checked: {route}")
    return found


APP = create_app()
ALL = endpoints(APP)
PROTECTED = [e for e in ALL if e.key not in PUBLIC]


def request(client: TestClient, endpoint: Endpoint, headers: dict | None = None, csrf: str = ""):
    """A well-formed request for ``endpoint``, so only who is asking decides the answer."""
    if endpoint.method == "GET":
        return client.get(endpoint.url, headers=headers)
    if endpoint.is_api:
        return client.post(endpoint.url, headers=headers, json=BODIES.get(endpoint.path))
    form = {"csrf_token": csrf, "kind": "addendum", "text": "checked", "reason": "permission test"}
    return client.post(endpoint.url, headers=headers, data=form)


def test_the_app_has_the_expected_routes():
    assert len(ALL) == len({e.key for e in ALL}), "a method and path served twice"
    assert {e.key for e in ALL} >= PUBLIC | SIGNED_IN_ONLY
    assert len(PROTECTED) >= 14


def test_public_routes_are_exactly_the_allow_list():
    undeclared = {e.key for e in ALL if e.requirement is None}
    assert undeclared == PUBLIC


def test_every_other_route_declares_a_permission_of_its_channel():
    for endpoint in PROTECTED:
        requirement = endpoint.requirement
        assert requirement is not None, f"{endpoint.key} declares no permission"
        expected = ApiRequirement if endpoint.is_api else PageRequirement
        assert type(requirement) is expected, f"{endpoint.key} authenticates the other channel's way"
        if endpoint.key in SIGNED_IN_ONLY:
            assert requirement.permission is None, endpoint.key
        else:
            assert isinstance(requirement.permission, Permission), f"{endpoint.key} names no permission"


@pytest.fixture
def client(store):
    load_records(store)
    # the claim routes read the billing configuration of the data dir
    (get_settings().data_dir / "billing.toml").write_text(BILLING_EXAMPLE, encoding="utf-8")
    with transaction(store) as session:
        built = claims.build_claim(session=session, actor=local_operator(),
                                   encounter_id=IDS.inpatient)
    PATH_VALUES["claim_id"] = str(built.id)
    with TestClient(create_app(), follow_redirects=False) as client:
        yield client


def test_unauthenticated_requests_are_refused(client):
    for endpoint in PROTECTED:
        for headers in (None, {"Authorization": "Bearer not-a-real-token"}):
            response = request(client, endpoint, headers)
            if endpoint.is_api:
                assert response.status_code == 401, endpoint.key
                assert response.json()["error"] == "Unauthenticated"
            else:
                assert response.status_code == 303, endpoint.key
                assert response.headers["location"].startswith("/login"), endpoint.key
        client.cookies.set("chartwell_session", "forged-session-id")
        if not endpoint.is_api:
            assert request(client, endpoint).headers["location"].startswith("/login"), endpoint.key
        client.cookies.clear()


def test_a_secret_opens_only_its_own_channel(client, store):
    """An API token is no session cookie and a session cookie is no API token."""
    add_user(store, "admin1", Role.ADMIN)
    api, web = (_grant(store, "admin1", kind) for kind in ("api", "web"))
    patient = next(e for e in PROTECTED if e.key == ("GET", "/api/patients/{patient_id}"))
    page = next(e for e in PROTECTED if e.key == ("GET", "/patients/{patient_id}"))
    assert request(client, patient, {"Authorization": f"Bearer {web.secret}"}).status_code == 401
    client.cookies.set("chartwell_session", web.secret)  # cookies are ignored by the API
    assert request(client, patient).status_code == 401
    client.cookies.set("chartwell_session", api.secret)
    assert request(client, page).status_code == 303
    client.cookies.set("chartwell_session", web.secret)
    assert request(client, page).status_code == 200
    assert request(client, patient, {"Authorization": f"Bearer {api.secret}"}).status_code == 200


def _grant(store, username: str, kind: str) -> accounts.SessionGrant:
    with transaction(store) as session:
        return accounts.login(session=session, username=username, password=PASSWORD, kind=kind)


class Caller:
    """Signs a user in once per channel (an Argon2 check each) and asks as them."""

    def __init__(self, client: TestClient, store):
        self.client, self.store, self.grants = client, store, {}

    def ask(self, endpoint: Endpoint, username: str):
        kind = "api" if endpoint.is_api else "web"
        if (username, kind) not in self.grants:
            self.grants[username, kind] = _grant(self.store, username, kind)
        grant = self.grants[username, kind]
        self.client.cookies.clear()
        if endpoint.is_api:
            return request(self.client, endpoint, {"Authorization": f"Bearer {grant.secret}"})
        self.client.cookies.set("chartwell_session", grant.secret)
        return request(self.client, endpoint, csrf=grant.csrf_token)


def _assert_refused(response, endpoint: Endpoint, who: str) -> None:
    assert response.status_code == 403, (endpoint.key, who, response.status_code)
    if endpoint.is_api:
        assert response.json()["error"] == "PermissionDenied"
    else:
        assert "Not allowed" in response.text


def _denials(store) -> Counter:
    with transaction(store) as session:
        rows = session.scalars(select(t.AuditEventRow.action).where(t.AuditEventRow.outcome == "denied")).all()
    return Counter(rows)


def test_roles_without_the_permission_are_refused(client, store):
    """With the role table as it is: every role that lacks a route's permission gets 403, and
    the refusal is audited."""
    for role in Role:
        add_user(store, f"as-{role.value.replace('_', '-')}", role)
    expected, caller = Counter(), Caller(client, store)
    for endpoint in PROTECTED:
        permission = endpoint.requirement.permission
        for role in Role:
            if permission is None or permission in ROLE_PERMISSIONS[role]:
                continue
            _assert_refused(caller.ask(endpoint, f"as-{role.value.replace('_', '-')}"), endpoint, role)
            expected[str(permission)] += 1
    assert expected, "no role lacks any route's permission: the test checked nothing"
    assert _denials(store) == expected


def test_each_route_needs_exactly_its_declared_permission(client, store, monkeypatch):
    """Some permissions (patient.search, patient.read, encounter.read) belong to every role, so
    the real table cannot show their routes refusing anyone. Here one role is given every
    permission but the route's own, in turn: it is refused there, and admitted (no 401 or 403)
    when the permission is given back."""
    add_user(store, "probe", Role.AUDITOR)
    caller = Caller(client, store)
    for endpoint in PROTECTED:
        permission = endpoint.requirement.permission
        if permission is None:
            continue
        monkeypatch.setitem(ROLE_PERMISSIONS, Role.AUDITOR, frozenset(set(Permission) - {permission}))
        _assert_refused(caller.ask(endpoint, "probe"), endpoint, "all but " + str(permission))
        monkeypatch.setitem(ROLE_PERMISSIONS, Role.AUDITOR, frozenset(Permission))
        admitted = caller.ask(endpoint, "probe")
        expected = ANSWERED_WITH.get(endpoint.key, 200)
        assert admitted.status_code < 400 or admitted.status_code == expected, (
            endpoint.key, admitted.status_code, admitted.text[:200])


def test_signed_in_only_routes_admit_every_role(client, store):
    for role in (Role.BILLING_SPECIALIST, Role.PROVIDER):
        add_user(store, f"as-{role.value.replace('_', '-')}", role)
        for endpoint in (e for e in PROTECTED if e.key in SIGNED_IN_ONLY):
            response = Caller(client, store).ask(endpoint, f"as-{role.value.replace('_', '-')}")
            assert response.status_code not in (401, 403), (endpoint.key, role, response.status_code)
            if endpoint.path.endswith("/logout"):
                assert response.status_code in (204, 303), (endpoint.key, role, response.status_code)
                if not endpoint.is_api:
                    assert response.headers["location"] == "/login"

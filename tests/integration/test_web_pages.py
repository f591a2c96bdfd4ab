"""The server-rendered pages over a real store: signing in with CSRF protection, no open
redirects, the search, chart and document pages, and hostile text rendered inert."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from chartwell.api.app import create_app
from chartwell.compliance.roles import Role
from chartwell.settings import get_settings
from chartwell.store import tables as t
from chartwell.store.db import transaction
from chartwell.web.rendering import safe_next
from records_fixture import ALPHA_MRN, ALPHA_SSN, DISCHARGE_TEXT, HOSTILE, IDS, PASSWORD, TestClient, add_user, load_records

USERS = {"coder1": Role.CODER, "doc1": Role.PROVIDER, "biller1": Role.BILLING_SPECIALIST}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(store):
    load_records(store)
    for name, role in USERS.items():
        add_user(store, name, role)
    with TestClient(create_app(), follow_redirects=False) as client:
        yield client


def form_token(page) -> str:
    match = TOKEN.search(page.text)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, username: str = "coder1", password: str = PASSWORD, next: str = ""):
    return client.post("/login", data={"username": username, "password": password, "next": next,
                                       "csrf_token": form_token(client.get("/login"))})


def version_count(store, document_id: uuid.UUID) -> int:
    with transaction(store) as session:
        return session.scalar(select(func.count()).select_from(t.DocumentVersionRow)
                              .where(t.DocumentVersionRow.document_id == document_id))


def test_login_flow_sets_a_safe_cookie_and_logout_ends_the_session(client):
    page = client.get("/login")
    assert page.status_code == 200 and "Sign in" in page.text
    login_cookie = page.headers["set-cookie"].lower()
    assert "chartwell_login_csrf=" in login_cookie and "httponly" in login_cookie and "samesite=strict" in login_cookie

    signed = sign_in(client, next="/patients?q=testpatient")
    assert signed.status_code == 303 and signed.headers["location"] == "/patients?q=testpatient"
    cookie = next(c for c in signed.headers.get_list("set-cookie") if c.startswith("chartwell_session="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags and "secure" not in flags

    results = client.get("/patients?q=testpatient")
    assert results.status_code == 200 and "coder1" in results.text and "Coder" in results.text
    assert client.post("/logout", data={"csrf_token": form_token(results)}).headers["location"] == "/login"
    again = client.get("/patients")
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_session_cookie_is_secure_when_configured(store):
    load_records(store)
    add_user(store, "coder1", Role.CODER)
    settings = get_settings().model_copy(update={"cookie_secure": True})
    with TestClient(create_app(settings), base_url="https://testserver", follow_redirects=False) as client:
        signed = sign_in(client)
        assert signed.status_code == 303
        cookie = next(c for c in signed.headers.get_list("set-cookie") if c.startswith("chartwell_session="))
        assert "secure" in cookie.lower()


def test_wrong_password_shows_the_form_again(client):
    response = sign_in(client, password="not the password")
    assert response.status_code == 401 and "wrong" in response.text
    assert "chartwell_session=" not in response.headers.get("set-cookie", "")


def test_login_without_a_valid_csrf_token_is_refused(client):
    credentials = {"username": "coder1", "password": PASSWORD}
    assert client.post("/login", data=credentials).status_code == 403  # no cookie, no field
    client.get("/login")  # the cookie is set now
    assert client.post("/login", data=credentials).status_code == 403  # no field
    assert client.post("/login", data=credentials | {"csrf_token": "guessed"}).status_code == 403
    client.cookies.clear()
    other = TestClient(client.app)
    assert client.post("/login", data=credentials | {"csrf_token": form_token(other.get("/login"))}).status_code == 403


def test_page_forms_without_the_session_token_are_refused(client, store):
    sign_in(client, "doc1")
    document = client.get(f"/documents/{IDS.progress_note}")
    form = {"kind": "addendum", "text": "should not be saved", "reason": "csrf test"}
    for token in (None, "", "wrong-token", form_token(client.get("/login"))):
        data = form if token is None else form | {"csrf_token": token}
        response = client.post(f"/documents/{IDS.progress_note}/versions", data=data)
        assert response.status_code == 403 and "security token" in response.text
    assert version_count(store, IDS.progress_note) == 1
    assert client.post("/logout", data={}).status_code == 403
    assert client.get("/patients").status_code == 200  # still signed in
    saved = client.post(f"/documents/{IDS.progress_note}/versions", data=form | {"csrf_token": form_token(document)})
    assert saved.status_code == 303 and version_count(store, IDS.progress_note) == 2


@pytest.mark.parametrize("target, expected", [
    ("/patients/123?x=1", "/patients/123?x=1"),
    ("/documents/abc", "/documents/abc"),
    ("", "/patients"),
    ("https://evil.example/", "/patients"),
    ("//evil.example/x", "/patients"),
    ("/\\evil.example", "/patients"),
    ("\\\\evil.example", "/patients"),
    ("javascript:alert(1)", "/patients"),
    ("/\t/evil.example", "/patients"),
    ("http:/evil.example", "/patients"),
    ("evil.example", "/patients"),
    ("/login?next=https://evil.example", "/patients"),
])
def test_safe_next_keeps_only_local_paths(target, expected):
    assert safe_next(target) == expected


def test_login_never_redirects_off_site(client):
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example", "https:evil.example"):
        client.cookies.clear()
        assert 'value="/patients"' in client.get("/login", params={"next": target}).text
        assert sign_in(client, next=target).headers["location"] == "/patients", target


def test_a_page_asked_for_before_login_is_shown_after_it(client):
    wanted = f"/patients/{IDS.alpha}"
    first = client.get(wanted)
    assert first.status_code == 303 and first.headers["location"] == f"/login?next=%2Fpatients%2F{IDS.alpha}"
    login = client.get(first.headers["location"])
    assert f'value="{wanted}"' in login.text
    assert sign_in(client, next=wanted).headers["location"] == wanted


def test_search_page(client):
    sign_in(client)
    assert "Type part of a name" in client.get("/patients").text
    page = client.get("/patients", params={"q": "testpatient"})
    assert page.status_code == 200 and "2 patients match" in page.text
    assert page.headers["cache-control"] == "no-store"
    for text in ("Testpatient, Alpha Quinn", "Testpatient, Bravo", ALPHA_MRN, "1950-02-01", f"/patients/{IDS.alpha}"):
        assert text in page.text
    assert "Sampleton" not in page.text
    assert "No patient matches" in client.get("/patients", params={"q": "nobody"}).text
    assert client.get("/", follow_redirects=False).headers["location"] == "/patients"


def test_chart_page(client):
    sign_in(client)
    page = client.get(f"/patients/{IDS.alpha}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert "Testpatient, Alpha Quinn" in html and ALPHA_MRN in html
    assert "***-**-1234" in html and ALPHA_SSN not in html
    for text in ("Zed Fakedoc, MD", "Testing General Hospital", "Example Health Plan", "Inpatient admission",
                 "I50.33", "Acute on chronic diastolic heart failure", "5A1D70Z", "99214", "icd10pcs",
                 "Discharge summary", "signed", "unsigned", f"/documents/{IDS.discharge_summary}"):
        assert text in html, text
    row = re.search(r"<tr[^>]*>\s*<td class=\"num\">3</td>\s*<td class=\"mono code\">N17.9</td>.*?</tr>", html, re.S)
    assert row and '<td class="mono">N</td>' in row.group(0)  # sequence, code and POA in one row


def test_chart_page_without_document_read(client):
    sign_in(client, "biller1")
    html = client.get(f"/patients/{IDS.alpha}").text
    assert "I50.33" in html and "Discharge summary" not in html and "Documents are not shown" in html
    refused = client.get(f"/documents/{IDS.discharge_summary}")
    assert refused.status_code == 403 and "Not allowed" in refused.text and "DISCHARGE" not in refused.text


def test_document_page_versions_and_amendment_form(client):
    sign_in(client)
    page = client.get(f"/documents/{IDS.discharge_summary}")
    assert page.status_code == 200
    assert '<pre class="note-text">' + DISCHARGE_TEXT.replace("\n", "\n") in page.text
    assert "Version history" in page.text and 'id="amend"' not in page.text  # a coder may not amend

    client.cookies.clear()
    sign_in(client, "doc1")
    page = client.get(f"/documents/{IDS.discharge_summary}")
    assert 'id="amend"' in page.text
    amended = client.post(f"/documents/{IDS.discharge_summary}/versions", data={
        "kind": "amendment", "text": "Corrected summary text.", "reason": "wrong patient history",
        "csrf_token": form_token(page)})
    assert amended.status_code == 303 and amended.headers["location"] == f"/documents/{IDS.discharge_summary}"
    current = client.get(amended.headers["location"]).text
    assert "Corrected summary text." in current and "Hospital course" not in current
    assert "wrong patient history" in current and "superseded" not in current
    earlier = client.get(f"/documents/{IDS.discharge_summary}", params={"version": 1}).text
    assert "Hospital course" in earlier and "superseded" in earlier
    assert client.get(f"/documents/{IDS.discharge_summary}", params={"version": 9}).status_code == 404

    client.post(f"/documents/{IDS.discharge_summary}/versions", data={
        "kind": "addendum", "text": "Follow-up in clinic.", "reason": "plan", "csrf_token": form_token(page)})
    both = client.get(f"/documents/{IDS.discharge_summary}").text
    assert "Corrected summary text." in both and "Follow-up in clinic." in both and "Addendum (version 3)" in both


def test_new_version_form_errors_are_pages(client):
    sign_in(client, "doc1")
    token = form_token(client.get(f"/documents/{IDS.progress_note}"))
    for data in ({"kind": "original", "text": "x", "reason": "y"}, {"kind": "addendum", "text": "x", "reason": ""}):
        response = client.post(f"/documents/{IDS.progress_note}/versions", data=data | {"csrf_token": token})
        assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")


def test_hostile_text_renders_inert(client):
    sign_in(client, "doc1")
    pages = [client.get("/patients", params={"q": HOSTILE}), client.get(f"/patients/{IDS.alpha}"),
             client.get(f"/documents/{IDS.hostile_note}")]
    token = form_token(pages[-1])
    client.post(f"/documents/{IDS.progress_note}/versions",
                data={"kind": "addendum", "text": HOSTILE, "reason": HOSTILE, "csrf_token": token})
    pages.append(client.get(f"/documents/{IDS.progress_note}"))
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert page.headers["x-frame-options"] == "DENY"


def test_page_errors_are_html_without_internals(client):
    sign_in(client)
    for path, status in ((f"/patients/{uuid.uuid4()}", 404), ("/patients/not-a-uuid", 404),
                         (f"/documents/{uuid.uuid4()}", 404), ("/no-such-page", 404),
                         ("/patients?offset=-1&q=a", 422)):
        response = client.get(path)
        assert response.status_code == status, path
        assert response.headers["content-type"].startswith("text/html")
        assert "Traceback" not in response.text and "not-a-uuid" not in response.text


def test_static_stylesheet_is_served_and_cacheable(client):
    css = client.get("/static/chartwell.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "no-store" not in css.headers.get("cache-control", "")

"""Code detail over the API and as a page, for any signed-in user, on releases installed from
the hand-written fixtures."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from chartwell.api.app import create_app
from chartwell.codesets import build
from chartwell.compliance.roles import Role
from chartwell.services import codesets
from records_fixture import ADMIN, PASSWORD, TestClient, add_user

FIXTURES = Path(__file__).parent.parent / "unit" / "fixtures"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(sqlite_store, monkeypatch, tmp_path):
    monkeypatch.setattr(build, "add_search_tables", lambda *args, **kwargs: False)
    for sample, name in (("icd10pcs_tables_sample.xml", "icd10pcs_tables_2099.xml"),
                         ("icd10pcs_order_sample.txt", "icd10pcs_order_2099.txt")):
        shutil.copy(FIXTURES / "pcs_hcpcs" / sample, tmp_path / name)
    codesets.install(engine=sqlite_store, actor=ADMIN,
                     paths=[FIXTURES / "icd10cm", tmp_path,
                            FIXTURES / "pcs_hcpcs" / "HCPC2024_JUL_ANWEB_sample.txt"])
    add_user(sqlite_store, "clerk1", Role.RECORDS_CLERK)  # no coding permission: lookups still work
    with TestClient(create_app(), follow_redirects=False) as client:
        yield client
    codesets.forget_open_artifacts()


def bearer(client) -> dict[str, str]:
    response = client.post("/api/auth/token", json={"username": "clerk1", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def sign_in(client) -> None:
    token = TOKEN.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"username": "clerk1", "password": PASSWORD, "next": "",
                                           "csrf_token": token})
    assert response.status_code == 303


def test_the_api_answers_a_code_for_a_date(client):
    headers = bearer(client)
    response = client.get("/api/codes/icd10cm/E11.40", params={"date": "2099-01-15"}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["code"], body["release"], body["billable"]) == ("E11.40", "FY2099", True)
    assert {"kind": "includes", "text": "diabetes NOS", "source": "category E11",
            "source_title": "Type 2 diabetes mellitus"} in body["notes"]
    hcpcs = client.get("/api/codes/hcpcs/J3301", params={"date": "2024-08-01"}, headers=headers)
    assert hcpcs.json()["hcpcs"]["betos"] == "O1E"
    listed = client.get("/api/codesets", headers=headers).json()
    assert [(r["system"], r["version"]) for r in listed] == [
        ("icd10cm", "FY2099"), ("icd10cm", "FY2100"), ("icd10pcs", "FY2099"), ("hcpcs", "2024Q3")]


def test_the_api_says_what_it_cannot_answer(client):
    headers = bearer(client)
    unknown = client.get("/api/codes/icd10cm/Q99.99", params={"date": "2099-01-15"}, headers=headers)
    assert unknown.status_code == 404
    assert unknown.json()["message"].startswith("Q99.99 is not an ICD-10-CM code in FY2099")
    early = client.get("/api/codes/icd10cm/E11.40", params={"date": "2019-03-01"}, headers=headers)
    assert early.status_code == 404 and "installed: FY2099" in early.json()["message"]
    assert client.get("/api/codes/icd10cm/E11.40").status_code == 401
    assert client.get("/api/codes/nosuch/E11.40", headers=headers).status_code == 422


def test_the_code_page(client):
    sign_in(client)
    page = client.get("/codes/icd10cm/E11.40", params={"date": "2099-01-15"})
    assert page.status_code == 200
    assert 'id="notes"' in page.text and "category E11" in page.text and "diabetes NOS" in page.text
    header = client.get("/codes/icd10cm/E11", params={"date": "2099-01-15"})
    assert 'id="children"' in header.text and "/codes/icd10cm/E11.40?date=2099-01-15" in header.text
    seventh = client.get("/codes/icd10cm/T52.8X1A", params={"date": "2099-01-15"})
    assert 'id="seventh"' in seventh.text and "initial encounter" in seventh.text
    pcs = client.get("/codes/icd10pcs/0DTJ4ZZ", params={"date": "2099-01-15"})
    assert 'id="characters"' in pcs.text and 'id="row"' in pcs.text and "Appendix" in pcs.text
    hcpcs = client.get("/codes/hcpcs/J3301", params={"date": "2024-08-01"})
    assert 'id="hcpcs"' in hcpcs.text and "O1E" in hcpcs.text
    missing = client.get("/codes/icd10cm/E11.40", params={"date": "2019-03-01"})
    assert missing.status_code == 404 and 'id="problem"' in missing.text
    assert "/codes/icd10cm/E11.40?date=2098-10-01" in missing.text  # look it up in FY2099
    client.cookies.clear()
    assert client.get("/codes/icd10cm/E11.40").status_code == 303  # to the login page


@pytest.fixture
def search_client(sqlite_store):
    """The hand-written ICD-10-CM fixture installed with its search tables."""
    codesets.install(engine=sqlite_store, actor=ADMIN, paths=[FIXTURES / "icd10cm"])
    add_user(sqlite_store, "clerk1", Role.RECORDS_CLERK)
    with TestClient(create_app(), follow_redirects=False) as client:
        yield client
    codesets.forget_open_artifacts()


def test_the_api_searches_codes_with_their_path(search_client):
    headers = bearer(search_client)
    response = search_client.get("/api/codes/search", params={"q": "diabetes type 2 neuropathy",
                                                              "date": "2099-01-15"}, headers=headers)
    assert response.status_code == 200, response.text
    hits = response.json()
    assert hits and hits[0]["code"].startswith("E11")
    assert set(hits[0]) == {"code", "title", "billable", "score", "path", "matched"}
    assert search_client.get("/api/codes/search", params={"q": "diabetes"}).status_code == 401
    too_long = search_client.get("/api/codes/search", params={"q": "x" * 201}, headers=headers)
    assert too_long.status_code == 422
    no_release = search_client.get("/api/codes/search", params={"q": "diabetes", "date": "2001-01-01"},
                                   headers=headers)
    assert no_release.status_code == 404


def test_the_typeahead_page_and_its_fragment(search_client):
    sign_in(search_client)
    page = search_client.get("/codes", params={"q": "diabetes type 2 neuropathy", "date": "2099-01-15"})
    assert page.status_code == 200
    assert 'src="/static/typeahead.js"' in page.text and "E11" in page.text
    fragment = search_client.get("/codes/suggest", params={"q": "<script>x</script>", "date": "2099-01-15"})
    assert fragment.status_code == 200 and "<script>x" not in fragment.text
    assert "<html" not in fragment.text.lower()
    assert search_client.get("/static/typeahead.js").status_code == 200

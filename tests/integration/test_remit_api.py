"""The remittance routes and the denials page over the real app: POST /api/remittances (the
835 as the body), POST /api/acknowledgments, GET /api/denials, GET /denials; permissions by role.
Claims are created for the test from the 835's CLP segments, as if we had sent them."""

from __future__ import annotations

import re

import pytest

from chartwell.api.app import create_app
from chartwell.compliance.roles import Role
from records_fixture import PASSWORD, TestClient, add_user
from test_denials_worklist import WORK
from test_remit_post import seed_claims

USERS = {"biller1": Role.BILLING_SPECIALIST, "coder1": Role.CODER}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(sqlite_store):
    for name, role in USERS.items():
        add_user(sqlite_store, name, role)
    seed_claims(sqlite_store, WORK, payer_name="Acme Health")
    with TestClient(create_app(), follow_redirects=False) as client:
        yield client


def bearer(client, username="biller1") -> dict[str, str]:
    response = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_post_an_835_then_the_worklist(client):
    headers = {**bearer(client), "content-type": "application/edi-x12"}
    response = client.post("/api/remittances?file_name=work.835", content=WORK.encode(),
                           headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["posted"] == 1 and body["file"] == "work.835"
    again = client.post("/api/remittances", content=WORK.encode(), headers=headers).json()
    assert again["posted"] == 0 and again["already_posted"] == 1
    denials = client.get("/api/denials", headers=bearer(client)).json()
    assert {i["reason"] for i in denials["items"]} == {"CO-16", "CO-50", "CO-29", "CO-97", "underpaid"}


def test_a_bad_835_answers_422_naming_the_segment(client):
    headers = {**bearer(client), "content-type": "text/plain"}
    broken = WORK.replace("SE*", "SE*9")
    response = client.post("/api/remittances", content=broken.encode(), headers=headers)
    assert response.status_code == 422
    assert "SE01" in response.text


def test_roles(client):
    coder = bearer(client, "coder1")
    assert client.post("/api/remittances", content=WORK.encode(), headers=coder).status_code == 403
    assert client.get("/api/denials", headers=coder).status_code == 403
    assert client.get("/api/denials").status_code == 401


def test_the_denials_page(client):
    client.post("/api/remittances", content=WORK.encode(),
                headers={**bearer(client), "content-type": "application/edi-x12"})
    login = client.get("/login")
    token = TOKEN.search(login.text).group(1)
    signed = client.post("/login", data={"username": "biller1", "password": PASSWORD, "next": "",
                                         "csrf_token": token})
    assert signed.status_code in (302, 303)
    page = client.get("/denials")
    assert page.status_code == 200
    assert 'data-group="CO-50"' in page.text and "Appeal with the medical record" in page.text
    assert "description not installed" in page.text
    by_age = client.get("/denials?by=age")
    assert by_age.status_code == 200 and 'class="panel denial-group"' in by_age.text
    assert client.get("/denials?by=nonsense").status_code in (400, 422)

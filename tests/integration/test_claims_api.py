"""Claims over the API and the claim page, with a billing specialist's token / session."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chartwell.api.app import create_app
from chartwell.claims.config import EXAMPLE
from chartwell.compliance.roles import Role
from chartwell.settings import get_settings
from chartwell.store import tables as t
from chartwell.store.db import get_engine, transaction
from chartwell.store.records import write_batch
from chartwell.synth.generator import generate
from records_fixture import PASSWORD, TestClient, add_user


@pytest.fixture
def client(sqlite_store):
    records = generate(seed=11, patients=4)
    with transaction(get_engine()) as session:
        write_batch(session, records.reference, recorded_by="test")
        for batch in records.patients:
            write_batch(session, batch, recorded_by="test")
    (get_settings().data_dir / "billing.toml").write_text(EXAMPLE, encoding="utf-8")
    add_user(sqlite_store, "biller1", Role.BILLING_SPECIALIST)
    add_user(sqlite_store, "coder1", Role.CODER)
    with TestClient(create_app(), follow_redirects=False) as client:
        yield client


def token(client, username):
    response = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_build_list_show_scrub_export_over_the_api(client):
    biller = token(client, "biller1")
    with transaction(get_engine()) as session:
        encounter = session.scalars(select(t.EncounterRow.id).where(
            t.EncounterRow.setting == "professional")).first()
    built = client.post("/api/claims", json={"encounter_id": str(encounter)}, headers=biller)
    assert built.status_code == 201, built.text
    claim_id = built.json()["id"]
    assert client.get("/api/claims", headers=biller).json()[0]["id"] == claim_id
    assert client.get(f"/api/claims/{claim_id}", headers=biller).json()["claim"]["kind"] == "837P"
    assert client.post(f"/api/claims/{claim_id}/scrub", headers=biller).status_code == 200
    coder = token(client, "coder1")
    assert client.post("/api/claims", json={"encounter_id": str(encounter)},
                       headers=coder).status_code == 403
    assert client.post("/api/claims/export", json={"format": "837p", "file_name": "../x"},
                       headers=biller).status_code == 422
    if built.json()["status"] == "queued":
        exported = client.post("/api/claims/export", json={"format": "837p", "file_name": "a.837"},
                               headers=biller)
        assert exported.status_code == 200, exported.text
        assert (get_settings().data_dir / "exports" / "a.837").read_text().startswith("ISA*")
    missing = client.get("/api/claims/00000000-0000-0000-0000-000000000000", headers=biller)
    assert missing.status_code == 404

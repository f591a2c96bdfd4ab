"""The billing specialist's claim pages over a real store: build a claim from the coding page
(a CSRF-protected POST), the claims list and its status filter, a held claim's reasons with
their sources and "Scrub again", refusals for a role without claim.read / claim.write, and
hostile input answered with a clear error that does not echo it."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from chartwell.api.app import create_app
from chartwell.compliance.roles import Role
from chartwell.services.demo import billing_config_text, generate_reference
from chartwell.settings import get_settings
from chartwell.store import tables as t
from chartwell.store.billing import BillingClaimRow
from chartwell.store.db import transaction
from chartwell.store.records import write_batch
from chartwell.synth.generator import generate
from records_fixture import HOSTILE, IDS, PASSWORD, TestClient, add_user, load_records

SEED = 11
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
CLAIM_LOCATION = re.compile(r"^/claims/([0-9a-f-]{36})$")


@pytest.fixture
def client(sqlite_store):
    """Synthetic patients with the demo's billing.toml for their organizations and payers (no
    timely filing limit, so the answer does not depend on today's date), the small test
    record (its stay has no member id and a payer with no payer id: held), and three users."""
    records = generate(seed=SEED, patients=4)
    with transaction(sqlite_store) as session:
        write_batch(session, records.reference, recorded_by="test")
        for batch in records.patients:
            write_batch(session, batch, recorded_by="test")
    load_records(sqlite_store)
    text = billing_config_text(generate_reference(SEED), timely_filing_days=None)
    (get_settings().data_dir / "billing.toml").write_text(text, encoding="utf-8")
    for name, role in (("biller1", Role.BILLING_SPECIALIST), ("coder1", Role.CODER)):
        add_user(sqlite_store, name, role)
    with TestClient(create_app(), follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, username: str) -> None:
    token = TOKEN.search(client.get("/login").text).group(1)
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "next": "",
                                         "csrf_token": token})
    assert answer.status_code == 303


def form_token(page) -> str:
    match = TOKEN.search(page.text)
    assert match, "the page has no CSRF field"
    return match.group(1)


def professional_encounter(engine) -> uuid.UUID:
    coded = select(t.DiagnosisRow.encounter_id).where(t.DiagnosisRow.code_system == "icd10cm")
    with transaction(engine) as session:
        return session.scalars(select(t.EncounterRow.id).join(
            t.PayerRow, t.PayerRow.id == t.EncounterRow.payer_id).where(
            t.EncounterRow.setting == "professional", t.EncounterRow.id.in_(coded),
            t.PayerRow.category != "self-pay").order_by(t.EncounterRow.admit_at)).first()


def claim_count(engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(BillingClaimRow))


def build_from_coding_page(client: TestClient, encounter_id) -> str:
    coding = client.get(f"/encounters/{encounter_id}/coding")
    assert coding.status_code == 200 and 'id="build-claim"' in coding.text
    built = client.post(f"/encounters/{encounter_id}/claim", data={"csrf_token": form_token(coding)})
    assert built.status_code == 303, built.text
    match = CLAIM_LOCATION.match(built.headers["location"])
    assert match, built.headers["location"]
    return match.group(1)


def test_build_from_the_coding_page_then_list_and_filter(client, sqlite_store):
    sign_in(client, "biller1")
    claim_id = build_from_coding_page(client, professional_encounter(sqlite_store))
    page = client.get(f"/claims/{claim_id}")
    assert page.status_code == 200
    assert 'id="claim-status">Queued<' in page.text and 'id="queued-note"' in page.text
    assert "837P claim" in page.text and 'id="lines"' in page.text
    assert 'id="held-reasons"' not in page.text

    listed = client.get("/claims")
    assert listed.status_code == 200 and f'href="/claims/{claim_id}"' in listed.text
    assert '<a href="/claims">Claims</a>' in listed.text  # the nav link
    queued = client.get("/claims?status=queued")
    assert f'href="/claims/{claim_id}"' in queued.text and 'data-status="held"' not in queued.text
    held = client.get("/claims?status=held")
    assert held.status_code == 200 and f'href="/claims/{claim_id}"' not in held.text
    assert 'id="no-claims"' in client.get("/claims?status=paid").text


def test_a_held_claim_shows_its_reasons_with_sources_and_scrubs_again(client, sqlite_store):
    sign_in(client, "biller1")
    claim_id = build_from_coding_page(client, IDS.inpatient)
    page = client.get(f"/claims/{claim_id}")
    assert 'id="claim-status">Held<' in page.text and 'id="held-reasons"' in page.text
    reasons = page.text.split('id="held-findings"')[1].split("</table>")[0]
    assert "claim.subscriber" in reasons and "member id is missing" in reasons
    assert "TR3 2010BA NM1" in reasons and "2010BA NM109" in reasons  # source and place
    assert "claim.payer" in reasons and "no payer to bill" in reasons
    listed = client.get("/claims?status=held")
    row = listed.text.split(f'href="/claims/{claim_id}"')[1].split("</tr>")[0]
    assert 'class="tag tag-red"' in row and "more)" in row  # the first reason and how many more

    again = client.post(f"/claims/{claim_id}/scrub", data={"csrf_token": form_token(page)})
    assert again.status_code == 303 and again.headers["location"] == f"/claims/{claim_id}"
    assert 'id="held-reasons"' in client.get(f"/claims/{claim_id}").text
    assert claim_count(sqlite_store) == 1
    with transaction(sqlite_store) as session:
        actions = set(session.scalars(select(t.AuditEventRow.action).where(
            t.AuditEventRow.resource_id == claim_id)))
    assert {"claim.build", "claim.scrub", "claim.read"} <= actions


def test_a_role_without_claim_permissions_is_refused(client, sqlite_store):
    sign_in(client, "coder1")
    coding = client.get(f"/encounters/{IDS.inpatient}/coding")
    assert coding.status_code == 200
    assert 'id="build-claim"' not in coding.text and 'href="/claims"' not in coding.text
    assert client.get("/claims").status_code == 403
    refused = client.post(f"/encounters/{IDS.inpatient}/claim", data={"csrf_token": form_token(coding)})
    assert refused.status_code == 403 and "Not allowed" in refused.text
    assert claim_count(sqlite_store) == 0


def test_forms_without_the_session_token_build_nothing(client, sqlite_store):
    sign_in(client, "biller1")
    for form in ({}, {"csrf_token": "guessed"}, {"csrf_token": HOSTILE}):
        refused = client.post(f"/encounters/{IDS.inpatient}/claim", data=form)
        assert refused.status_code == 403 and "security token" in refused.text
        assert "<script>alert" not in refused.text and "onerror=alert" not in refused.text
    assert claim_count(sqlite_store) == 0


@pytest.mark.parametrize(("method", "url", "status"), [
    ("post", "/encounters/not-a-uuid/claim", 404),
    ("post", "/encounters/%3Cscript%3Ealert(1)%3C%2Fscript%3E/claim", 404),
    ("post", f"/encounters/{uuid.UUID(int=7)}/claim", 404),  # well formed, no such encounter
    ("get", "/claims/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404),
    ("get", f"/claims/{uuid.UUID(int=9)}", 404),
    ("post", "/claims/not-a-uuid/scrub", 404),
    ("get", "/claims?status=%3Cscript%3Ealert(1)%3C%2Fscript%3E", 422),
    ("get", "/claims?status=lost", 422),
    ("get", "/claims?offset=-1", 422),
])
def test_hostile_addresses_get_a_clear_error_without_the_input(client, sqlite_store, method, url,
                                                               status):
    sign_in(client, "biller1")
    token = form_token(client.get("/claims"))
    answer = (client.post(url, data={"csrf_token": token}) if method == "post"
              else client.get(url))
    assert answer.status_code == status, answer.text[:300]
    assert "<script>alert" not in answer.text and "alert(1)" not in answer.text
    assert "not-a-uuid" not in answer.text and "lost" not in answer.text
    assert ("Not found" if status == 404 else "invalid values") in answer.text
    assert claim_count(sqlite_store) == 0


def test_the_demo_writes_a_billing_config_and_builds_the_claims(sqlite_store):
    """What ``chartwell demo`` adds: billing.toml for the synthetic organizations and payers,
    claims for the coded visits; run again it keeps the file and rebuilds; a billing.toml that
    does not load is reported, not fatal."""
    from chartwell.claims.config import load_config
    from chartwell.services.actor import local_operator
    from chartwell.services.demo import DemoSetup, set_up_billing

    records = generate(seed=SEED, patients=4)
    with transaction(sqlite_store) as session:
        write_batch(session, records.reference, recorded_by="test")
        for batch in records.patients:
            write_batch(session, batch, recorded_by="test")
    first = DemoSetup(4, 0, 0, "pw")
    set_up_billing(first, engine=sqlite_store, actor=local_operator(), seed=SEED)
    config = load_config(get_settings().data_dir)
    clinic = next(o for o in records.reference.organizations if "Clinic" in o.name)
    assert config.billing_provider.npi == clinic.npi and config.billing_provider.ein == clinic.tax_id
    assert {p.name for p in config.payers} == {p.name for p in records.reference.payers
                                               if p.category != "self-pay"}
    assert sum(first.claims.values()) == claim_count(sqlite_store) > 0 and not first.notes

    again = DemoSetup(4, 0, 0, "pw")
    set_up_billing(again, engine=sqlite_store, actor=local_operator(), seed=SEED)
    assert "was there already" in again.notes[0] and again.claims == first.claims
    assert claim_count(sqlite_store) == sum(first.claims.values())

    (get_settings().data_dir / "billing.toml").write_text("usage = ", encoding="utf-8")
    broken = DemoSetup(4, 0, 0, "pw")
    set_up_billing(broken, engine=sqlite_store, actor=local_operator(), seed=SEED)
    assert broken.claims == {} and "no claims built" in broken.notes[-1]

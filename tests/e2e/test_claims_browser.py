"""A billing specialist in a real browser (Debian's chromium through Playwright, uvicorn on a
loopback port): open an encounter's coding page, press "Build claim", land on the claim, and find
it on the claims list through the nav link and the status filter."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chartwell.compliance.roles import Role
from chartwell.services.demo import billing_config_text, generate_reference
from chartwell.settings import get_settings
from chartwell.store import tables as t
from chartwell.store.db import transaction
from chartwell.store.records import write_batch
from chartwell.synth import generate
from integration.records_fixture import add_user

pytestmark = pytest.mark.browser

SEED, PATIENTS = 11, 4


@pytest.fixture
def encounter_id(sqlite_store):
    """Synthetic records, the demo's billing.toml for them (no timely filing limit: the answer
    must not depend on today's date) and a biller; the first coded professional visit."""
    records = generate(seed=SEED, patients=PATIENTS)
    with transaction(sqlite_store) as session:
        write_batch(session, records.reference, recorded_by="synth")
        for batch in records.patients:
            write_batch(session, batch, recorded_by="synth")
    text = billing_config_text(generate_reference(SEED), timely_filing_days=None)
    (get_settings().data_dir / "billing.toml").write_text(text, encoding="utf-8")
    add_user(sqlite_store, "biller1", Role.BILLING_SPECIALIST)
    coded = select(t.DiagnosisRow.encounter_id).where(t.DiagnosisRow.code_system == "icd10cm")
    with transaction(sqlite_store) as session:
        return session.scalars(select(t.EncounterRow.id).join(
            t.PayerRow, t.PayerRow.id == t.EncounterRow.payer_id).where(
            t.EncounterRow.setting == "professional", t.EncounterRow.id.in_(coded),
            t.PayerRow.category != "self-pay").order_by(t.EncounterRow.admit_at)).first()


@pytest.fixture
def app_engine(sqlite_store, encounter_id):
    return sqlite_store


def test_build_a_claim_from_the_coding_page_and_find_it_on_the_list(page, sign_in, encounter_id):
    sign_in("biller1", f"/encounters/{encounter_id}/coding")

    page.click("#build-claim button:has-text('Build claim')")
    page.wait_for_url("**/claims/*")
    claim_url = page.url
    status = page.inner_text("#claim-status")
    assert status in ("Queued", "Held"), status
    control_number = page.inner_text("h1 .mono")
    assert control_number

    page.click("nav.mainnav a:has-text('Claims')")
    page.wait_for_url("**/claims")
    row = page.locator("#claims tr.claim", has_text=control_number)
    assert row.count() == 1
    page.click(f"#status-filter a:has-text('{status}')")
    page.wait_for_url(f"**/claims?status={status.lower()}")
    row = page.locator("#claims tr.claim", has_text=control_number)
    assert row.count() == 1 and row.get_attribute("data-status") == status.lower()
    row.locator("a").first.click()
    page.wait_for_url(claim_url)
    assert page.problems == []

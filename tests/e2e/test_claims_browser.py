"""A billing specialist in a real browser (Debian's chromium through Playwright, uvicorn on a
loopback port): open an encounter's coding page, press "Build claim", land on the claim, and find
it on the claims list through the nav link and the status filter."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from chartwell.api.app import create_app
from chartwell.compliance.roles import Role
from chartwell.services.demo import billing_config_text, generate_reference
from chartwell.settings import get_settings
from chartwell.store import tables as t
from chartwell.store.db import transaction
from chartwell.store.records import write_batch
from chartwell.synth import generate
from integration.records_fixture import PASSWORD, add_user
from support import unavailable

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SEED, PATIENTS = 11, 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
def server(sqlite_store, encounter_id) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(create_app(engine=sqlite_store), host="127.0.0.1", port=port,
                            log_level="warning", access_log=False, lifespan="off")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uvicorn_server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uvicorn_server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(server):
    if not CHROMIUM.exists():
        unavailable("Debian chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        context = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900})
        page = context.new_page()
        page.problems = []
        page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status} {r.url}"))
        yield page
        context.close()
        browser.close()


def test_build_a_claim_from_the_coding_page_and_find_it_on_the_list(page, encounter_id):
    page.goto(f"/encounters/{encounter_id}/coding")
    assert "/login" in page.url
    page.fill("#username", "biller1")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"**/encounters/{encounter_id}/coding")

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

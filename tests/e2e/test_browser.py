"""A real browser against the real server: Debian's chromium driven by Playwright, uvicorn on a
loopback port, a SQLite store with synthetic patients. Sign in, search, open the chart and a note."""

from __future__ import annotations

from pathlib import Path

import pytest

from chartwell.compliance.roles import Role
from chartwell.domain.records import RecordBatch
from chartwell.store.db import transaction
from chartwell.store.records import write_batch
from chartwell.synth import generate
from integration.records_fixture import ADMIN, HOSTILE, IDS, add_user, load_records

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/chartwell-chart.png")
SEED, PATIENTS = 20261124, 6


@pytest.fixture
def synthetic(sqlite_store) -> RecordBatch:
    """Synthetic patients from the generator, plus the small hand-made record (with its
    hostile note); returns the first generated patient's batch."""
    records = generate(seed=SEED, patients=PATIENTS)
    with transaction(sqlite_store) as session:
        write_batch(session, records.reference, recorded_by="synth")
        for batch in records.patients:
            write_batch(session, batch, recorded_by="synth")
    load_records(sqlite_store)
    add_user(sqlite_store, "coder1", Role.CODER)
    return records.patients[0]


@pytest.fixture
def app_engine(sqlite_store, synthetic):
    return sqlite_store


def sign_in_as_coder(page, sign_in) -> None:
    """coder1 signed in, on the patient search."""
    sign_in("coder1", "/patients")
    header = page.inner_text("header.topbar")
    assert "coder1" in header and "Coder" in header


def test_sign_in_search_open_chart_and_note(page, sign_in, synthetic):
    patient, document = synthetic.patients[0], synthetic.documents[0]
    sign_in_as_coder(page, sign_in)
    page.fill("#q", f"{patient.given_names.split()[0]} {patient.family_name} {patient.birth_date.isoformat()}")
    page.press("#q", "Enter")
    page.wait_for_selector("#results")
    assert page.locator("#results tbody tr").count() == 1
    page.click(f"#results a:has-text('{patient.family_name}, {patient.given_names}')")
    page.wait_for_url(f"**/patients/{patient.id}")

    assert f"{patient.family_name}, {patient.given_names}" in page.inner_text(".banner")
    assert page.locator("#encounters tbody tr").count() == len(synthetic.encounters)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.click(f"a[href='/documents/{document.id}']")
    page.wait_for_url(f"**/documents/{document.id}")
    shown = page.inner_text("pre.note-text")
    expected = document.versions[-1].text
    assert expected.splitlines()[0] in shown and expected.splitlines()[-1].strip() in shown
    assert page.inner_text(".doc-head h1") == document.title

    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/login")
    assert page.problems == []


def test_hostile_text_stays_text_in_the_browser(page, sign_in):
    sign_in_as_coder(page, sign_in)
    page.goto(f"/patients?q={HOSTILE}")
    assert HOSTILE in page.input_value("#q")
    page.goto(f"/patients/{IDS.alpha}")
    assert f"Scanned letter {HOSTILE}" in page.inner_text("body")
    page.goto(f"/documents/{IDS.hostile_note}")
    assert f"Letter text {HOSTILE} end." in page.inner_text("pre.note-text")
    assert page.locator("pre.note-text script, pre.note-text img").count() == 0
    assert page.problems == []


def test_code_search_typeahead_answers_as_the_coder_types(page, sign_in, sqlite_store):
    from chartwell.services import codesets

    fixtures = Path(__file__).parent.parent / "unit" / "fixtures" / "icd10cm"
    codesets.install(engine=sqlite_store, actor=ADMIN, paths=[fixtures])
    try:
        sign_in_as_coder(page, sign_in)
        page.click("nav.mainnav a:has-text('Code search')")
        page.wait_for_url("**/codes")
        page.fill("#date", "2099-01-15")
        page.type("#q", "diabetes type 2 neuropathy", delay=20)  # typed, never submitted
        page.wait_for_selector("#code-hits tbody tr")
        first = page.inner_text("#code-hits tbody tr:first-child td:first-child")
        assert first.startswith("E11"), first
        assert "q=diabetes" in page.url  # the address follows what was typed
        page.click("#code-hits tbody tr:first-child a")
        page.wait_for_url(f"**/codes/icd10cm/{first}*")
        assert page.problems == []
    finally:
        codesets.forget_open_artifacts()

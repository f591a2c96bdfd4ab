"""A coder in a real browser (Debian's chromium through Playwright, uvicorn on a loopback port):
open a stay's coding page, accept one suggested code (it joins the coded diagnoses) and reject
another with a reason (the decision shows on its row), over the session's reference store with
the CAC coder built once from the FY2026 artifact and the encoder's cached search index."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support import load_test_module

from chartwell.compliance.roles import Role
from chartwell.services import cac as cac_service
from chartwell.store import tables as t
from chartwell.store.db import transaction
from integration.records_fixture import add_user

pytestmark = [pytest.mark.browser, pytest.mark.shared_data]

CODER = "cacbrowser-coder"


PAGE_TESTS = load_test_module("integration/test_cac_page.py")


@pytest.fixture(scope="module")
def kept_coder(request, reference_data):
    coder = load_test_module("unit/test_cac_pipeline.py").build_coder(request, reference_data)
    cac_service.keep_coder(coder)
    yield coder


@pytest.fixture
def stay(references, kept_coder):
    with transaction(references) as session:
        known = set(session.scalars(select(t.UserRow.username)))
    if CODER not in known:
        add_user(references, CODER, Role.CODER)
    return PAGE_TESTS.write_stay(references)


@pytest.fixture
def app_engine(references, stay):
    return references


def test_accept_one_suggestion_and_reject_another(page, sign_in, stay):
    sign_in(CODER, f"/encounters/{stay.encounter}/coding")
    note = page.locator(f"#note-{stay.discharge}")
    assert note.locator("tr.suggestion[data-code='J18.9'] mark").first.inner_text() == "pneumonia"
    assert page.locator("#diagnoses").count() == 0

    with page.expect_navigation():
        note.locator("tr.suggestion[data-code='J18.9'] button:has-text('Accept')").click()
    assert page.locator("#diagnoses tr.principal").inner_text().split()[:2] == ["1", "J18.9"]
    accepted = page.locator(f"#note-{stay.discharge} tr.suggestion[data-code='J18.9']")
    assert "accepted" in accepted.inner_text() and accepted.locator("button").count() == 0

    diabetes = page.locator(f"#note-{stay.discharge} tr.suggestion[data-code='E11.9']")
    diabetes.locator("select[name='reason']").select_option("not_supported")
    with page.expect_navigation():
        diabetes.locator("button:has-text('Reject')").click()
    diabetes = page.locator(f"#note-{stay.discharge} tr.suggestion[data-code='E11.9']")
    assert "Not supported by documentation" in diabetes.inner_text()
    assert "E11.9" not in page.locator("#diagnoses").inner_text()
    assert page.locator("#cac-decisions tbody tr").count() == 2
    assert page.problems == []

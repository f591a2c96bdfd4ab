"""The CMS-1500 print of a stored claim through the CLI, the API and the claim page: a PDF whose
text carries the claim (read back with pypdf), refused for an institutional claim, audited."""

from __future__ import annotations

import io

import pypdf
from sqlalchemy import select

from chartwell.api.app import create_app
from chartwell.compliance.roles import Role
from chartwell.store import tables as t
from chartwell.store.db import get_engine, transaction
from cli_runner import chartwell
from records_fixture import PASSWORD, TestClient, add_user
from test_claims_service import billing_store  # noqa: F401  (the fixture)


def _built(encounters) -> dict[str, dict]:
    """One claim of each kind, built through the CLI: {"837P": answer, "837I": answer}."""
    built = {}
    for encounter_id, _setting in encounters:
        code, answer, output = chartwell("claims", "build", str(encounter_id), "--json")
        assert code in (0, 1), output
        built.setdefault(answer["kind"], answer)
    assert set(built) == {"837P", "837I"}
    return built


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_print_writes_the_form_and_refuses_an_institutional_claim(billing_store, tmp_path):
    built = _built(billing_store)
    professional, institutional = built["837P"], built["837I"]
    out = tmp_path / "claim.pdf"
    code, answer, output = chartwell("claims", "print", professional["id"], "--out", str(out),
                                     "--json")
    assert code == 0, output
    assert answer["bytes"] == out.stat().st_size
    text = _text(out.read_bytes())
    assert "HEALTH INSURANCE CLAIM FORM" in text
    assert professional["claim"]["patient_control_number"] in text

    code, answer, output = chartwell("claims", "print", institutional["id"], "--out",
                                     str(tmp_path / "ub.pdf"), "--json")
    assert code == 1, output
    assert "UB-04" in answer["error"]["message"]
    assert not (tmp_path / "ub.pdf").exists()

    with transaction(get_engine()) as session:
        actions = session.scalars(select(t.AuditEventRow.action)).all()
    assert actions.count("claim.print") == 1  # the refused print disclosed nothing


def test_print_over_the_api_and_from_the_claim_page(billing_store):
    built = _built(billing_store)
    add_user(get_engine(), "biller", Role.BILLING_SPECIALIST)
    add_user(get_engine(), "coder", Role.CODER)
    with TestClient(create_app(), follow_redirects=False) as client:
        def token(username: str) -> dict:
            answer = client.post("/api/auth/token", data={"username": username,
                                                           "password": PASSWORD})
            return {"Authorization": f"Bearer {answer.json()['access_token']}"}

        biller = token("biller")
        url = f"/api/claims/{built['837P']['id']}/cms1500.pdf"
        answer = client.get(url, headers=biller)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/pdf"
        assert "HEALTH INSURANCE CLAIM FORM" in _text(answer.content)
        assert client.get(f"/api/claims/{built['837I']['id']}/cms1500.pdf",
                          headers=biller).status_code == 422
        assert client.get(url, headers=token("coder")).status_code == 403

"""Claims end to end on a real store (SQLite and PostgreSQL): build from synthetic coded
encounters, scrub, export 837P and 837I through the CLI, validate with pyx12, read back."""

from __future__ import annotations

import io
import logging

import pytest
from sqlalchemy import select

from chartwell.claims.config import EXAMPLE
from chartwell.claims.document import claim_from_document
from chartwell.claims.x837 import read_837
from chartwell.settings import get_settings
from chartwell.store import tables as t
from chartwell.store.billing import BillingClaimRow, ClaimBatchRow, ControlNumberRow
from chartwell.store.db import get_engine, transaction
from chartwell.store.records import write_batch
from chartwell.synth.generator import generate
from cli_runner import chartwell


def pyx12_errors(text: str) -> list[str]:
    import pyx12.params
    import pyx12.x12n_document

    messages: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())
    logger = logging.getLogger("pyx12")
    propagate, logger.propagate = logger.propagate, False
    logger.addHandler(handler)
    try:
        valid = pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text),
                                                  None, None, fd_json=io.StringIO())
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    return messages or ([] if valid else ["pyx12 reports the interchange invalid"])


@pytest.fixture
def billing_store(store):
    records = generate(seed=11, patients=8)
    with transaction(get_engine()) as session:
        write_batch(session, records.reference, recorded_by="test")
        for batch in records.patients:
            write_batch(session, batch, recorded_by="test")
    (get_settings().data_dir / "billing.toml").write_text(EXAMPLE, encoding="utf-8")
    with transaction(get_engine()) as session:
        encounters = session.execute(select(t.EncounterRow.id, t.EncounterRow.setting)).all()
    return encounters


def _numbers():
    with transaction(get_engine()) as session:
        return {row.kind: row.last_value for row in session.scalars(select(ControlNumberRow))}


def test_build_export_validate_and_read_back(billing_store, tmp_path):
    built = {}
    for encounter_id, setting in billing_store:
        code, answer, output = chartwell("claims", "build", str(encounter_id), "--json")
        assert code in (0, 1), output
        assert (code == 1) == (answer["status"] == "held")
        assert answer["kind"] == ("837P" if setting == "professional" else "837I")
        built[answer["id"]] = answer
    queued = [a for a in built.values() if a["status"] == "queued"]
    assert {a["kind"] for a in queued} == {"837P", "837I"}, [a["findings"] for a in built.values()]

    for fmt, kind in (("837p", "837P"), ("837i", "837I")):
        out = tmp_path / f"batch.{fmt}"
        code, result, output = chartwell("claims", "export", "--format", fmt, "--out", str(out),
                                         "--json")
        assert code == 0, output
        text = out.read_text()
        assert pyx12_errors(text) == []
        expected = [claim_from_document(a["claim"]) for a in queued if a["kind"] == kind]
        assert read_837(text, str(out)) == expected
        assert result["claims"] == len(expected)
    assert _numbers() == {"ISA13": 2, "GS06": 2}
    code, answer, _ = chartwell("claims", "list", "--status", "exported", "--json")
    assert code == 0 and len(answer) == len(queued)


def test_nothing_is_half_written_when_an_export_fails(billing_store, tmp_path):
    for encounter_id, _ in billing_store:
        chartwell("claims", "build", str(encounter_id), "--json")
    before = _numbers()
    code, answer, _ = chartwell("claims", "export", "--format", "837p", "--out",
                                str(tmp_path / "missing" / "x.837"), "--json")
    assert code == 1 and answer["error"]["position"]["file"].endswith("missing")
    existing = tmp_path / "taken.837"
    existing.write_text("earlier batch")
    code, answer, _ = chartwell("claims", "export", "--format", "837p", "--out", str(existing),
                                "--json")
    assert code == 1 and answer["error"]["type"] == "Conflict"
    assert existing.read_text() == "earlier batch" and _numbers() == before
    with transaction(get_engine()) as session:
        assert session.scalars(select(ClaimBatchRow)).first() is None
        assert not session.scalars(select(BillingClaimRow).where(
            BillingClaimRow.status == "exported")).all()


def test_replace_and_void_a_sent_claim(billing_store, tmp_path):
    professional = next(e for e, setting in billing_store if setting == "professional")
    code, built, output = chartwell("claims", "build", str(professional), "--json")
    assert built["status"] == "queued", built["findings"]
    code, _, output = chartwell("claims", "export", "--format", "837p", "--out",
                                str(tmp_path / "one.837"), "--json")
    assert code == 0, output
    code, answer, _ = chartwell("claims", "replace", built["id"], "--json")
    assert code == 1 and "payer claim number" in answer["error"]["message"]
    code, replacement, output = chartwell("claims", "replace", built["id"],
                                          "--payer-claim-number", "PCN778899", "--json")
    assert code == 0, output
    assert replacement["frequency"] == "7" and replacement["replaces_claim_id"] == built["id"]
    code, voided, _ = chartwell("claims", "void", built["id"], "--payer-claim-number",
                                "PCN778899", "--json")
    assert voided["frequency"] == "8" and voided["patient_control_number"].endswith("V2")
    out = tmp_path / "follow.837"
    code, _, output = chartwell("claims", "export", "--format", "837p", "--out", str(out), "--json")
    assert code == 0, output
    text = out.read_text()
    assert pyx12_errors(text) == []
    frequencies = [claim.frequency.value for claim in read_837(text)]
    assert frequencies == ["7", "8"] and text.count("REF*F8*PCN778899") == 2


def test_a_missing_billing_configuration_says_how_to_create_it(store):
    (get_settings().data_dir / "billing.toml").unlink(missing_ok=True)
    code, answer, _ = chartwell("claims", "export", "--format", "837p", "--out", "x.837", "--json")
    assert code == 1 and "config-example" in answer["error"]["message"]

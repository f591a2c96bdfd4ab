"""Claims scrubbed with the real code sets (ICD-10-CM FY2026, HCPCS, NCCI, MUE of
../shared/data): a real coding error holds the claim with that edit's finding and its source,
the same visit coded correctly is queued. Built from the coding page, as a biller does."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from chartwell.api.app import create_app
from chartwell.compliance.roles import Role
from chartwell.domain import records as d
from chartwell.services import claims
from chartwell.services.actor import local_operator
from chartwell.services.demo import billing_config_text, generate_reference
from chartwell.settings import get_settings
from chartwell.store.db import engine_for, transaction
from chartwell.store.records import write_batch
from records_fixture import PASSWORD, TestClient, add_user

pytestmark = pytest.mark.shared_data

SEED = 20261124
DAY = datetime(2026, 3, 2, 10, tzinfo=UTC)  # ICD-10-CM FY2026 in force
VISITS = {
    # name: ICD-10-CM codes in sequence
    "clean": ("I10", "E11.9"),
    "excludes1": ("E10.9", "E11.9"),  # type 1 and type 2 diabetes: Excludes1 at E10
    "header": ("E11",),  # a category header, not a billable code
}


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"chartwell-test:claims-codesets:{name}")


def _batch(reference: d.RecordBatch) -> d.RecordBatch:
    """One patient with a commercial coverage and an office visit (99213) per case."""
    payer = next(p for p in reference.payers if p.payer_identifier == "SYN01")
    clinic = next(o for o in reference.organizations if "Clinic" in o.name)
    doctor = next(p for p in reference.providers if p.organization_id == clinic.id)
    patient = d.Patient(_id("patient"), "Codeset", "Casey", date(1958, 4, 9), d.Sex.FEMALE,
                        source_key="test/claims-codesets",
                        address=d.Address("1 Example Way", None, "Springfield", "IL", "62704"))
    coverage = d.Coverage(_id("coverage"), patient.id, payer.id, member_id="EVG900000001",
                          group_number="GRP10001")
    batch = d.RecordBatch(patients=[patient], coverages=[coverage])
    for number, (name, codes) in enumerate(VISITS.items(), start=1):
        encounter = _id(f"encounter/{name}")
        batch.encounters.append(d.Encounter(
            encounter, patient.id, d.EncounterSetting.PROFESSIONAL, DAY,
            account_number=f"CODESET-{number}", facility_id=clinic.id, payer_id=payer.id,
            coverage_id=coverage.id, providers=[d.EncounterProvider(doctor.id, "rendering")]))
        batch.diagnoses += [d.Diagnosis(_id(f"dx/{name}/{code}"), patient.id, code, "icd10cm",
                                        encounter_id=encounter, sequence=sequence)
                            for sequence, code in enumerate(codes, start=1)]
        batch.procedures.append(d.Procedure(_id(f"px/{name}"), patient.id, "99213", "cpt",
                                            encounter_id=encounter, sequence=1, performed_at=DAY,
                                            units=Decimal(1)))
    return batch


@pytest.fixture(scope="module")
def billing_store(reference_data, tmp_path_factory) -> Iterator[Engine]:
    """A copy of the session's reference store (so nothing is written into the shared one) with
    the demo's billing.toml and the visits above."""
    data_dir = tmp_path_factory.mktemp("claims-codesets") / "data"
    shutil.copytree(reference_data, data_dir)
    url = f"sqlite:///{data_dir / 'chartwell.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHARTWELL_DATA_DIR", str(data_dir))
        patch.setenv("CHARTWELL_DATABASE_URL", url)
        get_settings.cache_clear()
        engine = engine_for(url)
        reference = generate_reference(SEED)
        (data_dir / "billing.toml").write_text(
            billing_config_text(reference, timely_filing_days=None), encoding="utf-8")
        with transaction(engine) as session:
            write_batch(session, reference, recorded_by="test")
            write_batch(session, _batch(reference), recorded_by="test")
        add_user(engine, "codeset-biller", Role.BILLING_SPECIALIST)
        yield engine
        engine.dispose()
        engine_for.cache_clear()
        get_settings.cache_clear()


def build(engine: Engine, name: str) -> dict:
    with transaction(engine) as session:
        return claims.build_claim(session=session, actor=local_operator(),
                                  encounter_id=_id(f"encounter/{name}")).to_json()


def errors(answer: dict) -> list[dict]:
    return [f for f in answer["findings"] if f["severity"] == "error"]


def test_a_clean_visit_is_queued(billing_store):
    answer = build(billing_store, "clean")
    assert answer["status"] == "queued", answer["findings"]
    assert answer["claim"]["lines"][0]["charge"] == "125.00"  # the demo fee schedule's 99213


def test_an_excludes1_pair_holds_the_claim_with_the_tabular_note_as_source(billing_store):
    answer = build(billing_store, "excludes1")
    assert answer["status"] == "held"
    [finding] = errors(answer)
    assert finding["rule"] == "CM-EXCLUDES1" and finding["codes"] == ["E10.9", "E11.9"]
    assert "Section I.A.12.a" in finding["source"] and "tabular note at E10" in finding["source"]
    assert finding["field"] == "edits/conventions"


def test_a_header_code_holds_the_claim(billing_store):
    answer = build(billing_store, "header")
    assert answer["status"] == "held"
    rules = {f["rule"] for f in errors(answer)}
    assert "CM-HEADER" in rules, answer["findings"]
    [header] = [f for f in errors(answer) if f["rule"] == "CM-HEADER"]
    assert header["codes"] == ["E11"] and header["source"]


def test_the_claim_page_shows_the_edit_that_holds_it(billing_store):
    with TestClient(create_app(), follow_redirects=False) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"username": "codeset-biller", "password": PASSWORD,
                                    "next": "", "csrf_token": token})
        coding = client.get(f"/encounters/{_id('encounter/excludes1')}/coding")
        token = re.search(r'name="csrf_token" value="([^"]+)"', coding.text).group(1)
        built = client.post(f"/encounters/{_id('encounter/excludes1')}/claim",
                            data={"csrf_token": token})
        assert built.status_code == 303, built.text
        page = client.get(built.headers["location"])
    reasons = page.text.split('id="held-findings"')[1].split("</table>")[0]
    assert "CM-EXCLUDES1" in reasons and "E10.9, E11.9" in reasons
    assert "Section I.A.12.a" in reasons

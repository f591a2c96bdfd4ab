"""``import fhir`` end to end on SQLite and PostgreSQL: Synthea and the HL7 R4 examples, broken
files, unlinked resources, the audit trail, and the command line."""

from __future__ import annotations

import json
import lzma
import shutil
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from chartwell.compliance.roles import Role
from chartwell.intake.fhir import row_id
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.services.intake import ImportReport, import_fhir
from chartwell.store import tables as t
from chartwell.store.db import transaction
from support import shared_data

ADMIN = Actor(username="test-importer", role=Role.ADMIN)
POSTGRES_BUNDLES = 20  # PostgreSQL imports a subset, to keep the suite quick; SQLite all of them


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table.name: connection.scalar(select(func.count()).select_from(table))
                for table in t.Base.metadata.sorted_tables}


def entries_of(path: Path) -> list[dict]:
    text = lzma.decompress(path.read_bytes()) if path.suffix == ".xz" else path.read_bytes()
    document = json.loads(text)
    return [e["resource"] for e in document["entry"]] if document["resourceType"] == "Bundle" else [document]


def keys_in(paths: list[Path]) -> tuple[int, set[str]]:
    """(resources in all, distinct Type/id keys) of the files, read independently of intake."""
    resources = [r for path in paths for r in entries_of(path)]
    return len(resources), {f"{r['resourceType']}/{r['id']}" for r in resources}


def import_paths(engine: Engine, *paths: Path, workers: int | None = None) -> ImportReport:
    return import_fhir(engine=engine, actor=ADMIN, paths=list(paths), workers=workers)


def import_events(engine: Engine) -> list[str]:
    with transaction(engine) as session:
        return list(session.scalars(select(t.AuditEventRow.patient_id).where(
            t.AuditEventRow.action == "records.import")))


@pytest.mark.shared_data
def test_synthea_and_hl7_examples(store):
    synthea = shared_data("samples/fhir/synthea_r4_bundles")
    examples = shared_data("samples/fhir/hl7_r4_examples")
    bundles = sorted(synthea.glob("*.json.xz"))
    patient_bundles = [b for b in bundles if not b.name.startswith("practitionerInformation")]
    if store.dialect.name == "postgresql":
        bundles = patient_bundles = patient_bundles[:POSTGRES_BUNDLES]
        paths, workers = bundles, 2  # few files, but read by worker processes all the same
    else:
        paths, workers = [synthea], None  # the folder: its patients_index.csv is passed over
        assert len(patient_bundles) == 128
    total, keys = keys_in(bundles)

    first = import_paths(store, *paths, workers=workers)
    assert first.errors == []
    assert first.files == len(bundles)
    assert first.patients == len(patient_bundles)
    assert first.encounters == sum(1 for k in keys if k.startswith("Encounter/"))
    assert first.resources == len(keys)
    # organizations and practitioners repeat across bundles: a repeat is skipped when unchanged
    # (practitionerInformation's copies carry one more extension, so those are updated instead)
    assert first.skipped_unchanged > 0 and first.resources + first.skipped_unchanged <= total
    assert first.unlinked == 0
    assert any("not a valid NPI" in w.message for w in first.warnings)  # Synthea's NPIs are short numbers
    counts = row_counts(store)
    assert counts["patients"] == len(patient_bundles) and counts["source_resources"] == len(keys)
    assert counts["observations"] > counts["encounters"] > 0 and counts["claims"] > 0
    assert counts["adjudications"] > 0 and counts["diagnoses"] > 0 and counts["medication_orders"] > 0
    with transaction(store) as session:
        assert session.scalar(select(func.count()).where(t.ProviderRow.npi.is_not(None))) == 0
        assert session.scalar(select(func.count()).where(t.SourceResourceRow.linked.is_(False))) == 0
        settings = Counter(session.scalars(select(t.EncounterRow.setting)))
        assert set(settings) <= {"inpatient", "emergency", "outpatient"} and settings["outpatient"] > 0

    # the audit trail: intact, one records.import event per imported patient
    events = import_events(store)
    assert len(events) == len(patient_bundles) == len(set(events))
    with transaction(store) as session:
        verdict = audit.verify(session=session, actor=ADMIN)
    assert verdict.ok, verdict

    # importing the same files again writes nothing new
    counts = row_counts(store)
    again = import_paths(store, *paths, workers=workers)
    assert (again.errors, again.patients, again.encounters, again.documents, again.resources) == ([], 0, 0, 0, 0)
    assert again.skipped_unchanged >= first.resources - 200  # at most the repeated practitioners are rewritten
    assert row_counts(store) == counts

    # the HL7 examples point at patients they do not supply: kept unlinked, no error
    hl7 = import_paths(store, examples)
    assert hl7.errors == [] and hl7.files == 56
    assert hl7.patients == 15  # 14 Patient examples and one contained in Claim/MED-00050
    assert hl7.unlinked > 0 and hl7.relinked > 0  # Condition-f201 came before Patient-f201
    with transaction(store) as session:
        f201 = row_id("Patient/f201")
        assert session.scalar(select(func.count()).where(t.EncounterRow.patient_id == f201)) == 2
        assert session.scalar(select(func.count()).where(t.DiagnosisRow.patient_id == f201)) == 4
        stray = session.get(t.SourceResourceRow, row_id("Claim/100150"))
        assert stray.linked is False and stray.patient_id is None
    counts = row_counts(store)
    hl7_again = import_paths(store, examples)
    assert (hl7_again.errors, hl7_again.patients, hl7_again.resources) == ([], 0, 0)
    assert hl7_again.unlinked == hl7.unlinked
    assert row_counts(store) == counts


def synthea_copies(tmp_path: Path) -> tuple[Path, Path, Path, dict]:
    """A bundle with one invalid Patient.birthDate, a truncated one and a good one."""
    bundles = sorted(shared_data("samples/fhir/synthea_r4_bundles").glob("[A-Z]*.json.xz"))
    broken_bundle = json.loads(lzma.decompress(bundles[0].read_bytes()))
    number, patient = next((n, e["resource"]) for n, e in enumerate(broken_bundle["entry"])
                           if e["resource"]["resourceType"] == "Patient")
    secret = {"family": patient["name"][0]["family"], "number": number, "id": patient["id"]}
    patient["birthDate"] = "not-a-date"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(broken_bundle))
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(lzma.decompress(bundles[1].read_bytes())[:5000])
    good = tmp_path / "good.json.xz"
    shutil.copyfile(bundles[2], good)
    return broken, truncated, good, secret


@pytest.mark.shared_data
def test_broken_bundles_are_rejected_whole(store, tmp_path):
    broken, truncated, good, secret = synthea_copies(tmp_path)
    before = row_counts(store)
    rejected = import_paths(store, broken, truncated)
    assert row_counts(store) == before
    assert [e.file for e in rejected.errors] == [str(broken), str(truncated)]
    invalid, unreadable = rejected.errors
    assert invalid.resource == f"Bundle entry {secret['number']} (Patient/{secret['id']})"
    assert "field birthDate" in invalid.message
    assert "not-a-date" not in invalid.message and secret["family"] not in invalid.message
    assert unreadable.message.startswith("not valid JSON")

    mixed = import_paths(store, broken, good, truncated)
    assert len(mixed.errors) == 2 and mixed.patients == 1 and mixed.files == 3
    with transaction(store) as session:
        assert session.get(t.PatientRow, row_id(f"Patient/{secret['id']}")) is None
        assert session.scalar(select(func.count()).select_from(t.PatientRow)) == 1


def test_unlinked_resources_are_linked_when_their_patient_arrives(store, tmp_path):
    condition = {"resourceType": "Condition", "id": "late-cond", "subject": {"reference": "Patient/late"},
                 "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"}]}}
    patient = {"resourceType": "Patient", "id": "late", "name": [{"family": "Synthetic"}], "gender": "other"}
    (tmp_path / "condition.json").write_text(json.dumps(condition))
    (tmp_path / "patient.ndjson").write_text(json.dumps(patient) + "\n")

    early = import_paths(store, tmp_path / "condition.json")
    assert (early.unlinked, early.resources, early.patients, early.errors) == (1, 1, 0, [])
    [warning] = early.warnings
    assert "Patient/late" in warning.message and warning.resource == "resource (Condition/late-cond)"
    assert row_counts(store)["diagnoses"] == 0

    late = import_paths(store, tmp_path / "patient.ndjson")
    assert (late.patients, late.relinked, late.unlinked) == (1, 1, 0)
    with transaction(store) as session:
        diagnosis = session.get(t.DiagnosisRow, row_id("Condition/late-cond"))
        assert (diagnosis.code, diagnosis.patient_id) == ("E11.9", row_id("Patient/late"))
        source = session.get(t.SourceResourceRow, row_id("Condition/late-cond"))
        assert source.linked is True and source.patient_id == row_id("Patient/late")
        patient_row = session.get(t.PatientRow, row_id("Patient/late"))
        assert patient_row.sex == "U" and patient_row.mrn
    assert sorted(import_events(store)) == [str(row_id("Patient/late"))] * 2  # the patient, then the condition


def test_changed_document_becomes_a_new_version(store, tmp_path):
    def note(text: str) -> dict:
        import base64

        return {"resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": {"resourceType": "Patient", "id": "doc-pt", "name": [{"family": "Synthetic"}]}},
            {"resource": {"resourceType": "DocumentReference", "id": "n1", "status": "current",
                          "subject": {"reference": "Patient/doc-pt"},
                          "type": {"coding": [{"system": "http://loinc.org", "code": "18842-5"}]},
                          "content": [{"attachment": {"contentType": "text/plain",
                                                      "data": base64.b64encode(text.encode()).decode()}}]}},
        ]}
    path = tmp_path / "note.json"
    path.write_text(json.dumps(note("Discharged home.")))
    first = import_paths(store, path)
    assert (first.documents, first.patients) == (1, 1)
    path.write_text(json.dumps(note("Discharged home with home health.")))
    changed = import_paths(store, path)
    assert (changed.documents, changed.resources, changed.skipped_unchanged) == (0, 0, 1)
    with transaction(store) as session:
        versions = session.execute(select(t.DocumentVersionRow.version, t.DocumentVersionRow.kind)
                                   .order_by(t.DocumentVersionRow.version)).all()
        document = session.get(t.DocumentRow, row_id("DocumentReference/n1"))
    assert [tuple(v) for v in versions] == [(1, "original"), (2, "amendment")]
    assert document.document_type == "discharge_summary"


def test_importing_needs_the_permission(store, tmp_path):
    (tmp_path / "p.json").write_text(json.dumps({"resourceType": "Patient", "id": "x"}))
    coder = Actor(username="coder1", role=Role.CODER)
    from chartwell.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_fhir(engine=store, actor=coder, paths=[tmp_path / "p.json"])
    assert row_counts(store)["patients"] == 0


def test_command_line(sqlite_store, tmp_path):
    from cli_runner import chartwell

    good = tmp_path / "good.json"
    good.write_text(json.dumps({"resourceType": "Patient", "id": "cli-1", "name": [{"family": "Synthetic"}]}))
    code, document, _ = chartwell("import", "fhir", "--json", str(good))
    assert code == 0
    assert {"files", "patients", "encounters", "documents", "resources", "errors"} <= set(document)
    assert (document["files"], document["patients"], document["resources"], document["errors"]) == (1, 1, 1, [])

    broken = tmp_path / "broken.ndjson"
    broken.write_text('{"resourceType": "Patient", "id": "cli-2", "birthDate": "someday"}\n')
    code, document, _ = chartwell("import", "fhir", "--json", str(good), str(broken))
    assert code == 1
    assert document["errors"] == [{"file": str(broken), "resource": "line 1 (Patient/cli-2)",
                                   "message": document["errors"][0]["message"]}]
    assert "someday" not in document["errors"][0]["message"]

    code, document, _ = chartwell("import", "fhir", "--json", str(tmp_path / "nowhere"))
    assert code == 2 and "no such file" in document["error"]["message"]

    code, _, output = chartwell("import", "fhir", str(good))
    assert code == 0 and "1 files" in output

"""FHIR R4 -> domain mapping, on a small hand-written bundle (synthetic data only)."""

from __future__ import annotations

import base64
import gzip
import json
import lzma
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from chartwell.domain import records as d
from chartwell.errors import InvalidInput, UnreadableInput
from chartwell.intake.fhir import BundleIndex, MapContext, link, prepare_file, prepare_resources, row_id
from chartwell.intake.sources import RawResource, fhir_files, parse_json

P1 = "9a1d0c8e-0000-4000-8000-000000000001"
OBS_BP = "9a1d0c8e-0000-4000-8000-0000000000b9"
NOTE = "Progress note: patient seen for follow-up.\nPlan: continue."
REPORT = "Chest X-ray: no acute findings."


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def coding(system: str, code: str, display: str | None = None) -> dict:
    found = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def concept(*codings: dict, text: str | None = None) -> dict:
    found = {"coding": list(codings)}
    if text:
        found["text"] = text
    return found


SNOMED, LOINC, ICD10CM = "http://snomed.info/sct", "http://loinc.org", "http://hl7.org/fhir/sid/icd-10-cm"
PATIENT = {
    "resourceType": "Patient", "id": P1,
    "extension": [
        {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
         "extension": [{"url": "ombCategory",
                        "valueCoding": coding("urn:oid:2.16.840.1.113883.6.238", "2106-3", "White")},
                       {"url": "text", "valueString": "White"}]},
        {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity",
         "extension": [{"url": "ombCategory",
                        "valueCoding": coding("urn:oid:2.16.840.1.113883.6.238", "2186-5", "Not Hispanic or Latino")}]},
    ],
    "identifier": [
        {"type": concept(coding("http://terminology.hl7.org/CodeSystem/v2-0203", "MR")),
         "system": "http://hospital.example.org", "value": "MR-0001"},
        {"type": concept(coding("http://terminology.hl7.org/CodeSystem/v2-0203", "SS")),
         "system": "http://hl7.org/fhir/sid/us-ssn", "value": "999-00-0001"},
    ],
    "name": [{"use": "nickname", "family": "Nick"}, {"use": "official", "family": "Testperson", "given": ["Ada", "Q"]}],
    "telecom": [{"system": "phone", "value": "555-0100", "use": "home"},
                {"system": "email", "value": "ada@example.org"}],
    "gender": "female", "birthDate": "1950-02-01", "deceasedDateTime": "2024-03-04T05:06:07+00:00",
    "address": [{"use": "home", "line": ["1 Test Way", "Apt 2"], "city": "Testville", "state": "MA",
                 "postalCode": "01000", "country": "US"}],
    "maritalStatus": concept(coding("http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "M", "Married")),
    "communication": [{"language": concept(coding("urn:ietf:bcp:47", "en-US"))}],
}
GOOD_DOCTOR = {"resourceType": "Practitioner", "id": "dr-good",
               "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
               "name": [{"family": "Goodhealth", "given": ["Gina"], "suffix": ["MD"]}]}
SHORT_NPI_DOCTOR = {"resourceType": "Practitioner", "id": "dr-short",
                    "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "160"}],
                    "name": [{"family": "Shortnumber", "given": ["Sam"]}]}
HOSPITAL = {"resourceType": "Organization", "id": "org1", "name": "Test General Hospital",
            "type": [concept(coding("http://terminology.hl7.org/CodeSystem/organization-type", "prov"))],
            "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1245319599"}]}
PAYER = {"resourceType": "Organization", "id": "payer1", "name": "Test Medicare Plan",
         "type": [concept(coding("http://terminology.hl7.org/CodeSystem/organization-type", "pay"))]}
ENCOUNTER = {
    "resourceType": "Encounter", "id": "enc1", "status": "finished",
    "class": coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP"),
    "type": [concept(coding(SNOMED, "32485007", "Hospital admission"))],
    "subject": {"reference": f"urn:uuid:{P1}"},
    "participant": [
        {"type": [concept(coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ATND"))],
         "individual": {"reference": "urn:uuid:dr-good-url"}},
        {"type": [concept(coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ADM"))],
         "individual": {"reference": "Practitioner/dr-short/_history/3"}},
        {"individual": {"reference": "Practitioner/nobody"}},
    ],
    "period": {"start": "2026-10-03T08:00:00-04:00", "end": "2026-10-07T12:00:00-04:00"},
    "hospitalization": {
        "admitSource": concept(coding("http://terminology.hl7.org/CodeSystem/admit-source", "emd")),
        "dischargeDisposition": concept(coding("http://terminology.hl7.org/CodeSystem/discharge-disposition", "home")),
    },
    "serviceProvider": {"reference": "http://fhir.example.org/base/Organization/org1"},
}
CONDITION = {
    "resourceType": "Condition", "id": "cond1",
    "clinicalStatus": concept(coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active")),
    "verificationStatus": concept(coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed")),
    "code": concept(coding(SNOMED, "42343007", "Congestive heart failure"),
                    coding(ICD10CM, "I50.23", "Acute on chronic systolic heart failure")),
    "subject": {"reference": f"Patient/{P1}"}, "encounter": {"reference": "Encounter/enc1"},
    "onsetDateTime": "2026-10-03",
}
PROCEDURE = {
    "resourceType": "Procedure", "id": "proc1", "status": "completed",
    "code": concept(coding(SNOMED, "40701008", "Echocardiography")),
    "subject": {"reference": f"urn:uuid:{P1}"}, "encounter": {"reference": "Encounter/enc1"},
    "performedPeriod": {"start": "2026-10-04T09:00:00+00:00", "end": "2026-10-04T10:00:00+00:00"},
    "performer": [{"actor": {"reference": "Practitioner/dr-good"}}],
}
BLOOD_PRESSURE = {  # no id: its identity is the fullUrl's uuid
    "resourceType": "Observation", "status": "final",
    "category": [concept(coding("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs"))],
    "code": concept(coding(LOINC, "85354-9", "Blood pressure panel")),
    "subject": {"reference": f"urn:uuid:{P1}"}, "encounter": {"reference": "Encounter/enc1"},
    "effectiveDateTime": "2026-10-03T09:00:00+00:00",
    "component": [
        {"code": concept(coding(LOINC, "8480-6", "Systolic blood pressure")),
         "valueQuantity": {"value": 142, "unit": "mm[Hg]"}},
        {"code": concept(coding(LOINC, "8462-4", "Diastolic blood pressure")),
         "valueQuantity": {"value": 91, "unit": "mm[Hg]"}},
    ],
}
DOCUMENT = {
    "resourceType": "DocumentReference", "id": "doc1", "status": "current", "docStatus": "final",
    "contained": [{"resourceType": "Practitioner", "id": "author1", "name": [{"family": "Scribe", "given": ["Sue"]}]}],
    "type": concept(coding(LOINC, "11506-3", "Progress note")),
    "subject": {"reference": f"Patient/{P1}"}, "date": "2026-10-05T10:00:00Z",
    "author": [{"reference": "#author1"}], "authenticator": {"reference": "Practitioner/dr-good"},
    "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "data": b64(NOTE)}},
                {"attachment": {"contentType": "application/pdf", "data": b64("%PDF-1.4")}}],
    "context": {"encounter": [{"reference": "Encounter/enc1"}]},
}
DIAGNOSTIC_REPORT = {
    "resourceType": "DiagnosticReport", "id": "rep1", "status": "final",
    "code": concept(coding(LOINC, "36643-5", "XR Chest 2 Views"), text="Chest X-ray"),
    "subject": {"reference": f"Patient/{P1}"}, "encounter": {"reference": "Encounter/enc1"},
    "issued": "2026-10-04T11:00:00+00:00", "performer": [{"reference": "Practitioner/dr-good"}],
    "presentedForm": [{"contentType": "text/plain", "data": b64(REPORT)}], "conclusion": "Normal study.",
}
COVERAGE = {
    "resourceType": "Coverage", "id": "cov1", "status": "active", "subscriberId": "MBR-1",
    "beneficiary": {"reference": f"Patient/{P1}"}, "payor": [{"reference": "Organization/payer1"}],
    "relationship": concept(coding("http://terminology.hl7.org/CodeSystem/subscriber-relationship", "self")),
    "class": [{"type": concept(coding("http://terminology.hl7.org/CodeSystem/coverage-class", "group")),
               "value": "GRP-9"}],
    "period": {"start": "2026-01-01"},
}
CLAIM = {
    "resourceType": "Claim", "id": "claim1", "status": "active", "use": "claim", "created": "2026-10-08",
    "type": concept(coding("http://terminology.hl7.org/CodeSystem/claim-type", "institutional")),
    "patient": {"reference": f"Patient/{P1}"}, "provider": {"reference": "Organization/org1"},
    "priority": concept(coding("http://terminology.hl7.org/CodeSystem/processpriority", "normal")),
    "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": "Coverage/cov1"}}],
    "diagnosis": [{"sequence": 1, "diagnosisReference": {"reference": "Condition/cond1"}}],
    "item": [
        {"sequence": 1, "productOrService": concept(coding("http://www.ama-assn.org/go/cpt", "93306", "Echo")),
         "servicedDate": "2026-10-04", "net": {"value": 850.5, "currency": "USD"}, "diagnosisSequence": [1],
         "encounter": [{"reference": "Encounter/enc1"}]},
        {"sequence": 2, "productOrService": concept(coding(SNOMED, "32485007")), "quantity": {"value": 2},
         "unitPrice": {"value": 100, "currency": "USD"}},
    ],
}
EOB = {
    "resourceType": "ExplanationOfBenefit", "id": "eob1", "status": "active", "use": "claim", "outcome": "complete",
    "type": concept(coding("http://terminology.hl7.org/CodeSystem/claim-type", "institutional")),
    "patient": {"reference": f"Patient/{P1}"}, "created": "2026-10-20T00:00:00Z",
    "insurer": {"reference": "Organization/payer1"}, "provider": {"reference": "Organization/org1"},
    "claim": {"reference": "Claim/claim1"},
    "insurance": [{"focal": True, "coverage": {"reference": "Coverage/cov1"}}],
    "total": [{"category": concept(coding("http://terminology.hl7.org/CodeSystem/adjudication", "submitted")),
               "amount": {"value": 1050.5, "currency": "USD"}},
              {"category": concept(coding("http://terminology.hl7.org/CodeSystem/adjudication", "copay")),
               "amount": {"value": 20, "currency": "USD"}}],
    "payment": {"amount": {"value": 800, "currency": "USD"}},
}
MEDICATION = {
    "resourceType": "MedicationRequest", "id": "med1", "status": "active", "intent": "order",
    "medicationCodeableConcept": concept(
        coding("http://www.nlm.nih.gov/research/umls/rxnorm", "197361", "Amlodipine 5 MG")),
    "subject": {"reference": f"Patient/{P1}"}, "encounter": {"reference": "Encounter/enc1"},
    "authoredOn": "2026-10-07", "requester": {"reference": "Practitioner/dr-good"},
    "dosageInstruction": [{"text": "5 mg by mouth daily"}],
}
IMMUNIZATION = {"resourceType": "Immunization", "id": "imm1", "status": "completed",
                "vaccineCode": concept(coding("http://hl7.org/fhir/sid/cvx", "140")),
                "patient": {"reference": f"urn:uuid:{P1}"}, "occurrenceDateTime": "2026-10-05"}
STRANGER_CONDITION = {"resourceType": "Condition", "id": "cond-ghost", "code": concept(coding(SNOMED, "38341003")),
                      "subject": {"reference": "Patient/ghost"}}


def bundle(*entries: tuple[str | None, dict]) -> dict:
    return {"resourceType": "Bundle", "type": "transaction",
            "entry": [{"fullUrl": url, "resource": resource} if url else {"resource": resource}
                      for url, resource in entries]}


def full_bundle() -> dict:
    return bundle(
        (f"urn:uuid:{P1}", PATIENT), ("urn:uuid:dr-good-url", GOOD_DOCTOR), (None, SHORT_NPI_DOCTOR),
        (None, HOSPITAL), (None, PAYER), (None, ENCOUNTER), (None, CONDITION), (None, PROCEDURE),
        (f"urn:uuid:{OBS_BP}", BLOOD_PRESSURE), (None, DOCUMENT), (None, DIAGNOSTIC_REPORT), (None, COVERAGE),
        (None, CLAIM), (None, EOB), (None, MEDICATION), (None, IMMUNIZATION), (None, STRANGER_CONDITION),
    )




def nothing_stored(_table: str, _ids: set) -> set:
    return set()


@pytest.fixture(scope="module")
def prepared():
    raws = parse_json(json.dumps(full_bundle()).encode(), "bundle.json")
    return prepare_resources("bundle.json", raws)


@pytest.fixture(scope="module")
def linked(prepared):
    return link(prepared.resources, nothing_stored)


def only(items: list, **match):
    found = [item for item in items if all(getattr(item, k) == v for k, v in match.items())]
    assert len(found) == 1, found
    return found[0]


def test_every_resource_is_kept_as_received(prepared, linked):
    assert prepared.error is None
    sources = {f"{s.resource_type}/{s.resource_id}" for s in linked.sources}
    assert len(sources) == 17
    assert f"Observation/{OBS_BP}" in sources  # no id: the fullUrl's uuid
    for source in linked.sources:
        assert source.id == row_id(f"{source.resource_type}/{source.resource_id}")
        assert json.loads(source.content)["resourceType"] == source.resource_type
        assert len(source.content_hash) == 64


def test_patient(linked):
    patient = only(linked.batch.patients)
    assert patient.id == row_id(f"Patient/{P1}") and patient.source_key == f"Patient/{P1}"
    assert (patient.family_name, patient.given_names) == ("Testperson", "Ada Q")
    assert patient.birth_date == date(1950, 2, 1) and patient.sex is d.Sex.FEMALE
    assert patient.deceased_at == datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert (patient.race, patient.ethnicity) == ("White", "Not Hispanic or Latino")
    assert (patient.marital_status, patient.language) == ("M", "en-US")
    assert (patient.phone, patient.email) == ("555-0100", "ada@example.org")
    assert patient.address == d.Address("1 Test Way", "Apt 2", "Testville", "MA", "01000", "US")
    assert {(i.type_code, i.value) for i in patient.identifiers} == {("MR", "MR-0001"), ("SS", "999-00-0001")}
    assert patient.mrn is None  # the store assigns the enterprise MRN


def test_practitioners_keep_only_valid_npis(prepared, linked):
    good = only(linked.batch.providers, source_key="Practitioner/dr-good")
    short = only(linked.batch.providers, source_key="Practitioner/dr-short")
    assert (good.npi, good.family_name, good.given_name, good.credentials) == ("1234567893", "Goodhealth", "Gina", "MD")
    assert short.npi is None
    warnings = [w for r in prepared.resources for w in r.warnings]
    npi_warning = only(warnings, resource="Bundle entry 2 (Practitioner/dr-short)")
    assert "'160'" in npi_warning.message and "not a valid NPI" in npi_warning.message
    assert only(linked.batch.organizations, source_key="Organization/org1").npi == "1245319599"


def test_encounter(linked):
    encounter = only(linked.batch.encounters)
    assert encounter.id == row_id("Encounter/enc1")
    assert encounter.patient_id == row_id(f"Patient/{P1}")
    assert encounter.setting is d.EncounterSetting.INPATIENT
    assert encounter.admit_at == datetime(2026, 10, 3, 12, 0, tzinfo=UTC)
    assert encounter.discharge_at == datetime(2026, 10, 7, 16, 0, tzinfo=UTC)
    assert (encounter.admit_source, encounter.discharge_disposition) == ("emd", "01")
    assert encounter.encounter_type == "Hospital admission"
    assert encounter.facility_id == row_id("Organization/org1")  # absolute URL reference
    roles = {(p.provider_id, p.role) for p in encounter.providers}
    assert roles == {(row_id("Practitioner/dr-good"), "attending"), (row_id("Practitioner/dr-short"), "admitting")}
    # Practitioner/nobody exists nowhere: the link is dropped, the encounter kept


def test_condition_procedure_and_medication(linked):
    diagnosis = only(linked.batch.diagnoses)
    assert (diagnosis.code, diagnosis.code_system) == ("I50.23", "icd10cm")  # preferred over SNOMED
    assert diagnosis.encounter_id == row_id("Encounter/enc1")
    assert (diagnosis.clinical_status, diagnosis.verification_status) == ("active", "confirmed")
    assert diagnosis.onset_date == date(2026, 10, 3)
    procedure = only(linked.batch.procedures)
    assert (procedure.code, procedure.code_system) == ("40701008", "snomed")
    assert procedure.performed_at == datetime(2026, 10, 4, 9, 0, tzinfo=UTC)
    assert procedure.performing_provider_id == row_id("Practitioner/dr-good")
    order = only(linked.batch.medication_orders)
    assert (order.code, order.code_system, order.dosage) == ("197361", "rxnorm", "5 mg by mouth daily")
    assert order.prescriber_id == row_id("Practitioner/dr-good")


def test_blood_pressure_components_become_observations(linked):
    observations = {o.source_key: o for o in linked.batch.observations}
    key = f"Observation/{OBS_BP}"
    assert set(observations) == {f"{key}/component/8480-6", f"{key}/component/8462-4"}
    systolic = observations[f"{key}/component/8480-6"]
    assert (systolic.value_number, systolic.unit, systolic.category) == (142.0, "mm[Hg]", "vital-signs")
    assert systolic.id == row_id(f"{key}/component/8480-6")
    assert systolic.encounter_id == row_id("Encounter/enc1")


def test_document_reference_text_author_and_type(prepared, linked):
    document = only(linked.batch.documents, source_key="DocumentReference/doc1")
    assert document.document_type is d.DocumentType.PROGRESS_NOTE and document.loinc_code == "11506-3"
    assert (document.status, document.encounter_id) == ("final", row_id("Encounter/enc1"))
    [version] = document.versions
    assert version.text == NOTE and version.content_type == "text/plain"
    assert version.author_provider_id == row_id("DocumentReference/doc1#author1")  # contained
    assert version.author_name == "Sue Scribe"
    assert version.signed_by_provider_id == row_id("Practitioner/dr-good")
    assert only(linked.batch.providers, source_key="DocumentReference/doc1#author1").family_name == "Scribe"
    warnings = [w.message for r in prepared.resources for w in r.warnings]
    assert any("application/pdf" in w for w in warnings)


def test_diagnostic_report_becomes_one_document_version(linked):
    report = only(linked.batch.documents, source_key="DiagnosticReport/rep1")
    assert report.document_type is d.DocumentType.DIAGNOSTIC_REPORT and report.title == "Chest X-ray"
    [version] = report.versions
    assert version.text == f"{REPORT}\n\nNormal study."


def test_coverage_claim_and_adjudication(linked):
    payer = only(linked.batch.payers)
    assert (payer.id, payer.name, payer.category) == (row_id("Organization/payer1"), "Test Medicare Plan", "medicare")
    coverage = only(linked.batch.coverages)
    assert (coverage.payer_id, coverage.member_id, coverage.group_number) == (payer.id, "MBR-1", "GRP-9")
    assert coverage.start_date == date(2026, 1, 1)
    claim = only(linked.batch.claims)
    assert (claim.claim_type, claim.organization_id, claim.payer_id) == (
        "institutional", row_id("Organization/org1"), payer.id)
    assert claim.encounter_id == row_id("Encounter/enc1") and claim.diagnosis_codes == ["I50.23"]
    first, second = claim.lines
    assert (first.code, first.code_system, first.charge, first.service_date) == (
        "93306", "cpt", Decimal("850.5"), date(2026, 10, 4))
    assert first.diagnosis_pointers == [1]
    assert (second.units, second.charge) == (Decimal("2"), Decimal("200"))
    adjudication = only(linked.batch.adjudications)
    assert adjudication.claim_id == claim.id and adjudication.payer_id == payer.id
    assert (adjudication.total_submitted, adjudication.total_paid, adjudication.patient_responsibility) == (
        Decimal("1050.5"), Decimal("800"), Decimal("20"))


def test_unknown_patient_keeps_the_resource_unlinked(linked):
    [stranger] = linked.unlinked
    assert stranger.source.resource_id == "cond-ghost" and stranger.patient_key == "Patient/ghost"
    assert stranger.source.id not in linked.linked and stranger.source.patient_id is None
    assert not any(dx.source_key == "Condition/cond-ghost" for dx in linked.batch.diagnoses)
    immunization = only(linked.sources, resource_type="Immunization")  # not mapped, but linked
    assert immunization.id in linked.linked and immunization.patient_id == row_id(f"Patient/{P1}")


def test_references_outside_the_file_are_looked_up_once(prepared):
    asked = []

    def store(table: str, ids: set) -> set:
        asked.append((table, ids))
        return ids if table == "patients" else set()

    linked = link([r for r in prepared.resources if r.source.resource_type == "Condition"], store)
    assert len(linked.linked) == 2 and not linked.unlinked  # both patients are in the "store"
    diagnosis = only(linked.batch.diagnoses, source_key="Condition/cond1")
    assert diagnosis.encounter_id is None  # the encounter is in neither the file nor the store
    assert {table for table, _ in asked} == {"patients", "encounters"}


def test_unchanged_resources_are_skipped_before_validation():
    raws = parse_json(json.dumps(bundle((None, HOSPITAL), (None, GOOD_DOCTOR))).encode(), "b.json")
    first = prepare_resources("b.json", raws)
    states = {r.source.id: (r.source.content_hash, True) for r in first.resources[:1]}
    again = prepare_resources("b.json", raws, lambda ids: {i: states[i] for i in ids if i in states})
    assert again.skipped_unchanged == 1 and [r.source.resource_id for r in again.resources] == ["dr-good"]
    unlinked = {i: (h, False) for i, (h, _) in states.items()}
    retried = prepare_resources("b.json", raws, lambda ids: {i: unlinked[i] for i in ids if i in unlinked})
    assert retried.skipped_unchanged == 0  # unlinked resources are always tried again


# ---------------------------------------------------------------- errors name the place, not the data


def test_invalid_resource_rejects_the_whole_file_without_patient_data():
    broken = dict(PATIENT, birthDate="not-a-date")
    raws = parse_json(json.dumps(bundle((None, HOSPITAL), (f"urn:uuid:{P1}", broken))).encode(), "b.json")
    prepared = prepare_resources("b.json", raws)
    assert prepared.resources == [] and prepared.error is not None
    assert prepared.error.file == "b.json"
    assert prepared.error.resource == f"Bundle entry 1 (Patient/{P1})"
    assert "field birthDate" in prepared.error.message
    for secret in ("not-a-date", "Testperson", "999-00-0001"):
        assert secret not in prepared.error.message


@pytest.mark.parametrize("resource, expected", [
    ({"resourceType": "Spaceship", "id": "x"}, "unknown resourceType"),
    ({"resourceType": "Coding", "id": "x"}, "unknown resourceType"),  # a data type, not a resource
    ({"resourceType": "Observation", "id": "o", "status": "final", "code": {"text": "x"},
      "valueQuantity": {"value": "12 point 5"}}, "field valueQuantity.value"),
    ({"resourceType": "Patient", "id": "p", "nickname": "Secret"}, "field nickname: Extra inputs"),
])
def test_validation_errors(resource, expected):
    prepared = prepare_resources("f.json", [RawResource("resource", resource)])
    assert expected in prepared.error.message
    assert "Secret" not in prepared.error.message and "12 point 5" not in prepared.error.message


def test_truncated_json_is_rejected_with_its_place(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(full_bundle())[:500])
    prepared = prepare_file(path)
    assert prepared.error.file == str(path) and prepared.error.message.startswith("not valid JSON (line 1")


# ---------------------------------------------------------------- files


def test_ndjson_gzip_and_xz_are_read(tmp_path):
    lines = "\n".join(json.dumps(r) for r in (PATIENT, HOSPITAL, CONDITION)) + "\n\n"
    (tmp_path / "a.ndjson").write_text(lines)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.ndjson.gz").write_bytes(gzip.compress(lines.encode()))
    (tmp_path / "sub" / "c.json.xz").write_bytes(lzma.compress(json.dumps(full_bundle()).encode()))
    (tmp_path / "sub" / "d.json.gz").write_bytes(gzip.compress(json.dumps(GOOD_DOCTOR).encode()))
    (tmp_path / "index.csv").write_text("not,fhir\n")
    files = fhir_files([tmp_path])
    assert [f.name for f in files] == ["a.ndjson", "b.ndjson.gz", "c.json.xz", "d.json.gz"]
    counts = [len(prepare_file(f).resources) for f in files]
    assert counts == [3, 3, 17, 1]
    assert prepare_file(files[0]).resources[2].place == "line 3 (Condition/cond1)"


def test_ndjson_line_errors_name_the_line(tmp_path):
    path = tmp_path / "x.ndjson"
    path.write_text(json.dumps(PATIENT) + "\n{not json\n")
    assert prepare_file(path).error.resource == "line 2"


def test_paths_that_cannot_be_read(tmp_path):
    with pytest.raises(UnreadableInput, match="no such file"):
        fhir_files([tmp_path / "missing"])
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UnreadableInput, match="not a FHIR file"):
        fhir_files([tmp_path / "notes.txt"])
    (tmp_path / "bad.json.xz").write_bytes(b"not xz at all")
    assert "decompressed" in prepare_file(tmp_path / "bad.json.xz").error.message
    with pytest.raises(InvalidInput, match="no resourceType"):
        parse_json(b'{"hello": 1}', "x.json")


# ---------------------------------------------------------------- reference resolution


@pytest.fixture
def context() -> MapContext:
    entries = [
        (RawResource("Bundle entry 0", {"resourceType": "Patient", "id": "p-9"}, "urn:uuid:aaaa"), "Patient/p-9"),
        (RawResource("Bundle entry 1", {"resourceType": "PractitionerRole", "id": "role1",
                                        "practitioner": {"reference": "Practitioner/dr-role"}}),
         "PractitionerRole/role1"),
    ]
    owner = {"resourceType": "Claim", "id": "c1",
             "contained": [{"resourceType": "Patient", "id": "pat"}, {"resourceType": "Coverage", "id": "cov"}]}
    return MapContext(key="Claim/c1", resource=owner, index=BundleIndex(entries), file="f.json", place="resource")


@pytest.mark.parametrize("reference, types, expected", [
    ("urn:uuid:aaaa", ("Patient",), "Patient/p-9"),  # through the bundle's fullUrl
    ("urn:uuid:bbbb", ("Patient",), "Patient/bbbb"),  # not in the bundle: Type/uuid
    ("urn:uuid:bbbb", ("Practitioner", "Organization"), None),  # ... only when one type is expected
    ("Patient/123", ("Patient",), "Patient/123"),
    ("Patient/123/_history/4", ("Patient",), "Patient/123"),
    ("https://fhir.example.org/r4/Patient/123", ("Patient",), "Patient/123"),
    ("Organization/1", ("Patient",), None),  # not the expected type
    ("#pat", ("Patient",), "Claim/c1#pat"),  # contained
    ("#cov", ("Patient",), None),
    ("#missing", ("Patient",), None),
    ("PractitionerRole/role1", ("Practitioner",), "Practitioner/dr-role"),
    ("", ("Patient",), None),
])
def test_reference_resolution(context, reference, types, expected):
    assert context.ref({"reference": reference}, *types) == expected


def test_display_only_reference_resolves_to_nothing(context):
    assert context.ref({"display": "Dr. Somebody"}, "Practitioner") is None
    assert context.ref(None, "Patient") is None


@pytest.mark.parametrize("class_code, setting", [
    ("IMP", d.EncounterSetting.INPATIENT), ("ACUTE", d.EncounterSetting.INPATIENT),
    ("NONAC", d.EncounterSetting.INPATIENT), ("EMER", d.EncounterSetting.EMERGENCY),
    ("AMB", d.EncounterSetting.OUTPATIENT), ("HH", d.EncounterSetting.OUTPATIENT),
    ("VR", d.EncounterSetting.OUTPATIENT), ("OBSENC", d.EncounterSetting.OUTPATIENT),
])
def test_encounter_class_to_setting(class_code, setting):
    resource = dict(ENCOUNTER, id="e", participant=[], **{"class": coding("x", class_code)})
    prepared = prepare_resources("f.json", [RawResource("resource", resource)])
    assert only(link(prepared.resources, lambda t, ids: ids).batch.encounters).setting is setting


@pytest.mark.parametrize("loinc, document_type", [
    ("34117-2", d.DocumentType.HISTORY_AND_PHYSICAL), ("11506-3", d.DocumentType.PROGRESS_NOTE),
    ("18842-5", d.DocumentType.DISCHARGE_SUMMARY), ("11504-8", d.DocumentType.OPERATIVE_REPORT),
    ("34111-5", d.DocumentType.EMERGENCY_NOTE), ("99999-9", d.DocumentType.OTHER),
])
def test_document_type_from_loinc(loinc, document_type):
    resource = dict(DOCUMENT, type=concept(coding(LOINC, loinc)))
    prepared = prepare_resources("f.json", [RawResource("resource", resource)])
    document = only(link(prepared.resources, lambda t, ids: ids).batch.documents)
    assert document.document_type is document_type

"""A small synthetic record for the API and page tests: obviously fake people, real code shapes.

Ids are fixed so tests can name what they open; the store assigns nothing here but row numbers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from chartwell.compliance.roles import Role
from chartwell.domain import records as d
from chartwell.services import accounts
from chartwell.services.actor import Actor
from chartwell.store.db import transaction
from chartwell.store.records import write_batch

from fastapi.testclient import TestClient  # noqa: F401  (re-exported for the test modules)

PASSWORD = "correct horse battery staple"
ADMIN = Actor(username="test-admin", role=Role.ADMIN)
HOSTILE = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"chartwell-test:{name}")


def _at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass(frozen=True)
class Ids:
    alpha: uuid.UUID = _id("patient/alpha")
    bravo: uuid.UUID = _id("patient/bravo")
    charlie: uuid.UUID = _id("patient/charlie")
    inpatient: uuid.UUID = _id("encounter/alpha-ip")
    office: uuid.UUID = _id("encounter/alpha-office")
    discharge_summary: uuid.UUID = _id("document/alpha-ds")
    progress_note: uuid.UUID = _id("document/alpha-pn")
    hostile_note: uuid.UUID = _id("document/alpha-hostile")
    facility: uuid.UUID = _id("org/hospital")
    attending: uuid.UUID = _id("provider/fakedoc")
    payer: uuid.UUID = _id("payer/plan")


IDS = Ids()
ALPHA_MRN = "90000001"
ALPHA_SSN = "999-00-1234"
DISCHARGE_TEXT = (
    "DISCHARGE SUMMARY\n\nAdmitted with acute on chronic diastolic heart failure.\n"
    "Hospital course: diuresed with IV furosemide.\n    Indented line kept as written.\n"
    "Discharged home in stable condition."
)


def _patients() -> list[d.Patient]:
    return [
        d.Patient(IDS.alpha, "Testpatient", "Alpha Quinn", date(1950, 2, 1), d.Sex.FEMALE, mrn=ALPHA_MRN,
                  source_key="test/alpha", address=d.Address("1 Example Way", None, "Faketown", "ZZ", "00000"),
                  phone="555-0100", language="en",
                  identifiers=[d.Identifier("http://hl7.org/fhir/sid/us-ssn", ALPHA_SSN, "SS"),
                               d.Identifier("urn:test:mrn", ALPHA_MRN, "MR")]),
        d.Patient(IDS.bravo, "Testpatient", "Bravo", date(1962, 7, 15), d.Sex.MALE, mrn="90000002",
                  source_key="test/bravo"),
        d.Patient(IDS.charlie, "Sampleton", "Charlie", date(1980, 12, 31), d.Sex.UNKNOWN, mrn="90000003",
                  source_key="test/charlie"),
    ]


def _encounters() -> list[d.Encounter]:
    attending = [d.EncounterProvider(IDS.attending, "attending")]
    return [
        d.Encounter(IDS.inpatient, IDS.alpha, d.EncounterSetting.INPATIENT, _at("2026-10-03"),
                    account_number="ACCT-1001", encounter_type="Inpatient admission",
                    discharge_at=_at("2026-10-07", 11), discharge_disposition="01", facility_id=IDS.facility,
                    payer_id=IDS.payer, providers=attending),
        d.Encounter(IDS.office, IDS.alpha, d.EncounterSetting.OUTPATIENT, _at("2026-11-12", 14),
                    account_number="ACCT-1002", encounter_type="Office visit follow-up",
                    facility_id=IDS.facility, payer_id=IDS.payer, providers=attending),
    ]


def _codes() -> tuple[list[d.Diagnosis], list[d.Procedure]]:
    dx = [
        ("I50.33", 1, "Y", "Acute on chronic diastolic heart failure"),
        ("E11.40", 2, "Y", "Type 2 diabetes mellitus with diabetic neuropathy, unspecified"),
        ("N17.9", 3, "N", "Acute kidney failure, unspecified"),
    ]
    diagnoses = [d.Diagnosis(_id(f"dx/{code}"), IDS.alpha, code, "icd10cm", encounter_id=IDS.inpatient,
                             display=text, sequence=seq, poa=poa) for code, seq, poa, text in dx]
    procedures = [
        d.Procedure(_id("px/ip"), IDS.alpha, "5A1D70Z", "icd10pcs", encounter_id=IDS.inpatient, sequence=1,
                    display="Performance of urinary filtration, intermittent", performed_at=_at("2026-10-04")),
        d.Procedure(_id("px/office"), IDS.alpha, "99214", "cpt", encounter_id=IDS.office, sequence=1,
                    performed_at=_at("2026-11-12", 14), modifiers=["25"], units=Decimal(1)),
    ]
    return diagnoses, procedures


def _documents() -> list[d.Document]:
    signed = d.DocumentVersion(DISCHARGE_TEXT, author_provider_id=IDS.attending, authored_at=_at("2026-10-07", 12),
                               signed_by_provider_id=IDS.attending, signed_at=_at("2026-10-07", 13))
    return [
        d.Document(IDS.discharge_summary, IDS.alpha, d.DocumentType.DISCHARGE_SUMMARY, "Discharge summary",
                   encounter_id=IDS.inpatient, service_date=_at("2026-10-07", 12), versions=[signed]),
        d.Document(IDS.progress_note, IDS.alpha, d.DocumentType.PROGRESS_NOTE, "Progress note, hospital day 2",
                   encounter_id=IDS.inpatient, service_date=_at("2026-10-04", 8),
                   versions=[d.DocumentVersion("S: feels better.\nA/P: continue diuresis.",
                                               author_name="Zed Fakedoc, MD")]),
        d.Document(IDS.hostile_note, IDS.alpha, d.DocumentType.OTHER, f"Scanned letter {HOSTILE}",
                   service_date=_at("2026-09-01"), versions=[d.DocumentVersion(f"Letter text {HOSTILE} end.")]),
    ]


def record_batch() -> d.RecordBatch:
    diagnoses, procedures = _codes()
    return d.RecordBatch(
        organizations=[d.Organization(IDS.facility, "Testing General Hospital", kind="provider")],
        providers=[d.Provider(IDS.attending, "Fakedoc", "Zed", credentials="MD")],
        payers=[d.Payer(IDS.payer, "Example Health Plan", category="commercial")],
        patients=_patients(), encounters=_encounters(), documents=_documents(),
        diagnoses=diagnoses, procedures=procedures,
    )


def load_records(engine: Engine) -> Ids:
    with transaction(engine) as session:
        write_batch(session, record_batch(), recorded_by="test")
    return IDS


def add_user(engine: Engine, username: str, role: Role, password: str = PASSWORD) -> None:
    with transaction(engine) as session:
        accounts.add_user(session=session, actor=ADMIN, username=username, role=role, password=password)

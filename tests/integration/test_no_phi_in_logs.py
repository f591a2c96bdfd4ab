"""Application logs carry ids and counts, never patient data: load synthetic patients, search,
open charts and notes, fail a login and import a broken bundle with every chartwell logger at
DEBUG, then look for any patient's name, birth date, MRN or note text in what was logged."""

from __future__ import annotations

import json
import logging

import pytest

from chartwell.compliance.roles import Role
from chartwell.errors import ChartwellError
from chartwell.services import accounts, demo, intake, records
from chartwell.services.actor import Actor
from chartwell.store.db import transaction
from chartwell.synth import generate

ADMIN = Actor(username="test-admin", role=Role.ADMIN)


def _phi_strings(engine) -> set[str]:
    synthetic = generate(seed=7, patients=4)
    found = set()
    for batch in synthetic.patients:
        for patient in batch.patients:
            found |= {patient.family_name, patient.given_names.split()[0], patient.birth_date.isoformat()}
        for document in batch.documents:
            found |= {line for line in document.versions[0].text.splitlines() if len(line) > 30}
    return found


def test_no_patient_data_reaches_the_logs(sqlite_store, tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="chartwell")
    demo.load_synthetic(engine=sqlite_store, actor=ADMIN, seed=7, patients=4)
    with transaction(sqlite_store) as session:
        page = records.search_patients(session=session, actor=ADMIN, query="a")
        for patient in page.items:
            chart = records.get_chart(session=session, actor=ADMIN, patient_id=patient.id)
            for document in chart.documents:
                records.get_document(session=session, actor=ADMIN, document_id=document.id)
    with pytest.raises(ChartwellError), transaction(sqlite_store) as session:
        accounts.login(session=session, username=page.items[0].family_name.lower(), password="x" * 12, kind="api")
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"resourceType": "Patient", "id": "p1", "birthDate": "not-a-date",
                                  "name": [{"family": page.items[0].family_name}]}))
    report = intake.import_fhir(engine=sqlite_store, actor=ADMIN, paths=[broken])
    assert report.errors

    logged = "\n".join(record.getMessage() for record in caplog.records)
    errors = json.dumps([vars(e) if hasattr(e, "__dict__") else e for e in report.errors], default=str)
    for secret in _phi_strings(sqlite_store):
        assert secret not in logged, "patient data in the application log"
    assert page.items[0].family_name not in errors, "patient data in an import error"

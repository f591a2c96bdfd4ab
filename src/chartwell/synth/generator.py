"""Deterministic synthetic records: ``generate(seed=..., patients=...)``.

Each patient draws from a random generator seeded with the seed and the patient's number, so
patient 7 is the same whether 10 or 10,000 patients are generated, and the same seed always
gives the same records, ids included. Nothing here reads or writes anything but the packaged
catalog.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from chartwell.domain.records import Document, DocumentType, DocumentVersion, RecordBatch
from chartwell.synth.catalog import Catalog, load_catalog
from chartwell.synth.coding import (
    charge_records,
    diagnosis_records,
    encounter_record,
    observation_records,
    procedure_records,
    service_lines,
)
from chartwell.synth.ids import Key
from chartwell.synth.notes import LOINC, NoteDraft, doctor, write_notes
from chartwell.synth.people import make_person
from chartwell.synth.planning import MIN_SLOT_DAYS, PROFESSIONAL, Plan, Visit, plan_person
from chartwell.synth.reference import Reference, build_reference

SIGNED_SHARE = {DocumentType.DISCHARGE_SUMMARY: 0.85}  # the rest: 0.94
DEFAULT_SIGNED_SHARE = 0.94


@dataclass(slots=True)
class SyntheticRecords:
    """The shared reference batch (organizations, providers, payers) and one batch per patient,
    ready to be written to the store in that order."""

    reference: RecordBatch
    patients: list[RecordBatch] = field(default_factory=list)


def generate(
    *, seed: int, patients: int, start: date = date(2025, 1, 1), end: date = date(2026, 10, 31)
) -> SyntheticRecords:
    """Synthetic patients with visits between ``start`` and ``end``, coded and documented."""
    _check_arguments(seed, patients, start, end)
    root = Key.root(seed)
    ref = build_reference(root, random.Random(f"{root.source_key}:reference"))
    catalog = load_catalog()
    batches = [_patient_batch(root, number, ref, catalog, start, end) for number in range(1, patients + 1)]
    return SyntheticRecords(ref.batch, batches)


def _check_arguments(seed: int, patients: int, start: date, end: date) -> None:
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError("seed must be an int")
    if not isinstance(patients, int) or isinstance(patients, bool) or patients < 0:
        raise ValueError("patients must be a non-negative int")
    if end - start < timedelta(days=MIN_SLOT_DAYS):
        raise ValueError(f"end must be at least {MIN_SLOT_DAYS} days after start")


def _patient_batch(
    root: Key, number: int, ref: Reference, catalog: Catalog, start: date, end: date
) -> RecordBatch:
    key = root.child("patient", number)
    rng = random.Random(key.source_key)
    person = make_person(rng, key, number, ref, start)
    plan = plan_person(rng, person, ref, start, end)
    person.patient.deceased_at = plan.deceased_at
    batch = RecordBatch(patients=[person.patient], coverages=list(person.coverages))
    for visit in plan.visits:
        _add_visit(rng, batch, plan, visit, key.child("encounter", visit.number), ref, catalog)
    return batch


def _add_visit(
    rng: random.Random,
    batch: RecordBatch,
    plan: Plan,
    visit: Visit,
    key: Key,
    ref: Reference,
    catalog: Catalog,
) -> None:
    patient_id = plan.person.patient.id
    lines = service_lines(rng, visit, ref.payer_category(plan.person.payer_key), catalog)
    batch.encounters.append(encounter_record(visit, plan, key, ref))
    batch.diagnoses += diagnosis_records(visit, key, patient_id)
    batch.procedures += procedure_records(lines, key, patient_id)
    batch.charges += charge_records(rng, visit, lines, key, patient_id, catalog)
    batch.observations += observation_records(visit, key, patient_id, catalog)
    facility = ref.organizations["clinic" if visit.setting is PROFESSIONAL else "hospital"].name
    drafts = write_notes(rng, plan, visit, catalog, facility)
    batch.documents += [
        _document(rng, draft, key.child("document", n), patient_id, key)
        for n, draft in enumerate(drafts, start=1)
    ]


def _document(rng: random.Random, draft: NoteDraft, key: Key, patient_id, encounter_key: Key) -> Document:
    """One document with its original version; most are signed by their author, a few wait
    for a signature (what the completeness review will chase)."""
    signed = rng.random() < SIGNED_SHARE.get(draft.document_type, DEFAULT_SIGNED_SHARE)
    signed_at = draft.authored_at + timedelta(minutes=rng.randint(5, 2880)) if signed else None
    version = DocumentVersion(
        text=draft.text,
        author_provider_id=draft.author.id,
        author_name=doctor(draft.author),
        authored_at=draft.authored_at,
        signed_by_provider_id=draft.author.id if signed else None,
        signed_at=signed_at,
    )
    return Document(
        id=key.id,
        patient_id=patient_id,
        document_type=draft.document_type,
        title=draft.title,
        source_key=key.source_key,
        encounter_id=encounter_key.id,
        service_date=draft.authored_at,
        loinc_code=LOINC[draft.document_type],
        versions=[version],
    )

"""Use cases over the medical record: find a patient, open a chart, read and amend documents.

Each call checks one permission and writes one audit event naming the patient, in the same
transaction as the read or the change (HIPAA 45 CFR 164.312(b)).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from chartwell.compliance.roles import Permission
from chartwell.domain import records as d
from chartwell.errors import InvalidInput, NotFound
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.store import queries, tables as t
from chartwell.store.queries import Page
from chartwell.store.records import content_hash

MAX_PAGE = 200


def _page_bounds(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise InvalidInput("offset must not be negative")
    return limit, offset


def _one_of(value: str | None, choices: type[StrEnum], label: str) -> None:
    if value and value not in {choice.value for choice in choices}:
        raise InvalidInput(f"{label} must be one of {', '.join(choice.value for choice in choices)}")


def search_patients(
    *, session: Session, actor: Actor, query: str, limit: int = 25, offset: int = 0
) -> Page[d.Patient]:
    """Patients whose name, MRN, identifier or birth date match every word of ``query``."""
    audit.authorize(session, actor, Permission.PATIENT_SEARCH)
    limit, offset = _page_bounds(limit, offset)
    query = " ".join(query.split())[:200]
    if not query:
        raise InvalidInput("type part of a name, an MRN or a birth date")
    page = queries.search_patients(session, query, limit=limit, offset=offset)
    audit.record(session, actor, "patient.search", resource_type="Patient",
                 details={"query": query, "results": page.total})
    return page


def _require_patient(session: Session, patient_id: uuid.UUID) -> d.Patient:
    patient = queries.get_patient(session, patient_id)
    if patient is None:
        raise NotFound("no such patient", None)
    return patient


def get_patient(*, session: Session, actor: Actor, patient_id: uuid.UUID) -> d.Patient:
    audit.authorize(session, actor, Permission.PATIENT_READ, resource_type="Patient", patient_id=patient_id)
    patient = _require_patient(session, patient_id)
    audit.record(session, actor, "patient.read", resource_type="Patient", resource_id=patient_id,
                 patient_id=patient_id)
    return patient


@dataclass
class Chart:
    """What the chart page shows: the patient and everything coded and documented for them."""

    patient: d.Patient
    encounters: list[d.Encounter]
    diagnoses: list[d.Diagnosis]
    procedures: list[d.Procedure]
    documents: list[d.Document]
    names: dict[uuid.UUID, str] = field(default_factory=dict)  # providers, facilities, payers

    def diagnoses_of(self, encounter_id: uuid.UUID) -> list[d.Diagnosis]:
        return [dx for dx in self.diagnoses if dx.encounter_id == encounter_id]

    def procedures_of(self, encounter_id: uuid.UUID) -> list[d.Procedure]:
        return [px for px in self.procedures if px.encounter_id == encounter_id]

    def documents_of(self, encounter_id: uuid.UUID) -> list[d.Document]:
        return [doc for doc in self.documents if doc.encounter_id == encounter_id]


def get_chart(*, session: Session, actor: Actor, patient_id: uuid.UUID) -> Chart:
    audit.authorize(session, actor, Permission.PATIENT_READ, resource_type="Patient", patient_id=patient_id)
    patient = _require_patient(session, patient_id)
    encounters = queries.encounters_of(session, patient_id)
    documents = queries.documents_of(session, patient_id)
    chart = Chart(patient, encounters, queries.diagnoses_of(session, patient_id),
                  queries.procedures_of(session, patient_id), documents)
    chart.names = _names_for(session, encounters)
    chart.names.update(_author_names(session, documents))
    audit.record(session, actor, "patient.chart", resource_type="Patient", resource_id=patient_id,
                 patient_id=patient_id)
    return chart


def _author_names(session: Session, documents: list[d.Document]) -> dict[uuid.UUID, str]:
    ids = {pid for doc in documents for v in doc.versions
           for pid in (v.author_provider_id, v.signed_by_provider_id) if pid}
    return queries.provider_names(session, ids)


def _names_for(session: Session, encounters: list[d.Encounter]) -> dict[uuid.UUID, str]:
    names = queries.provider_names(session, {p.provider_id for e in encounters for p in e.providers})
    names.update(queries.organization_names(session, {e.facility_id for e in encounters}))
    names.update(queries.payer_names(session, {e.payer_id for e in encounters}))
    return names


def list_encounters(
    *, session: Session, actor: Actor, patient_id: uuid.UUID | None = None, setting: str | None = None,
    query: str | None = None, limit: int = 25, offset: int = 0,
) -> Page[d.Encounter]:
    audit.authorize(session, actor, Permission.ENCOUNTER_READ)
    limit, offset = _page_bounds(limit, offset)
    _one_of(setting, d.EncounterSetting, "setting")
    page = queries.list_encounters(session, patient_id=patient_id, setting=setting, text=query,
                                   limit=limit, offset=offset)
    audit.record(session, actor, "encounter.list", resource_type="Encounter", patient_id=patient_id,
                 details={"setting": setting, "query": query, "results": page.total})
    return page


def get_encounter(*, session: Session, actor: Actor, encounter_id: uuid.UUID) -> d.Encounter:
    audit.authorize(session, actor, Permission.ENCOUNTER_READ, resource_type="Encounter", resource_id=encounter_id)
    encounter = queries.get_encounter(session, encounter_id)
    if encounter is None:
        raise NotFound("no such encounter")
    audit.record(session, actor, "encounter.read", resource_type="Encounter", resource_id=encounter_id,
                 patient_id=encounter.patient_id)
    return encounter


def list_documents(
    *, session: Session, actor: Actor, patient_id: uuid.UUID | None = None,
    encounter_id: uuid.UUID | None = None, document_type: str | None = None, query: str | None = None,
    limit: int = 25, offset: int = 0,
) -> Page[d.Document]:
    audit.authorize(session, actor, Permission.DOCUMENT_READ)
    limit, offset = _page_bounds(limit, offset)
    _one_of(document_type, d.DocumentType, "document type")
    page = queries.list_documents(session, patient_id=patient_id, encounter_id=encounter_id,
                                  document_type=document_type, text=query, limit=limit, offset=offset)
    audit.record(session, actor, "document.list", resource_type="Document", patient_id=patient_id,
                 details={"document_type": document_type, "query": query, "results": page.total})
    return page


def get_document(*, session: Session, actor: Actor, document_id: uuid.UUID) -> d.Document:
    """A document with every version, oldest first; the last is the one in force."""
    audit.authorize(session, actor, Permission.DOCUMENT_READ, resource_type="Document", resource_id=document_id)
    document = queries.get_document(session, document_id)
    if document is None:
        raise NotFound("no such document")
    audit.record(session, actor, "document.read", resource_type="Document", resource_id=document_id,
                 patient_id=document.patient_id)
    return document


def add_document_version(
    *, session: Session, actor: Actor, document_id: uuid.UUID, text: str, kind: d.VersionKind, reason: str,
) -> d.Document:
    """Amend (new content replaces) or add an addendum (new content adds) to a document.

    The earlier versions stay as they were: the legal health record keeps what was read and
    relied on (AHIMA, "Amendments in the Electronic Health Record").
    """
    audit.authorize(session, actor, Permission.DOCUMENT_WRITE, resource_type="Document", resource_id=document_id)
    if kind == d.VersionKind.ORIGINAL:
        raise InvalidInput("a new version is an amendment or an addendum", None)
    if not text.strip():
        raise InvalidInput("the new version has no text")
    if not reason.strip():
        raise InvalidInput("say why the document is amended or why the addendum is added")
    document = queries.get_document(session, document_id)
    if document is None:
        raise NotFound("no such document")
    number = queries.next_version_number(session, document_id)
    session.execute(insert(t.DocumentVersionRow), [{
        "document_id": document_id, "version": number, "kind": kind.value, "text": text,
        "content_type": "text/plain", "content_hash": content_hash(text), "author_name": actor.username,
        "authored_at": datetime.now(UTC), "reason": reason.strip()[:500], "recorded_by": actor.username,
        "recorded_at": datetime.now(UTC),
    }])
    audit.record(session, actor, f"document.{kind.value}", resource_type="Document", resource_id=document_id,
                 patient_id=document.patient_id, details={"version": number})
    return queries.get_document(session, document_id)


def mark_document_entered_in_error(
    *, session: Session, actor: Actor, document_id: uuid.UUID, reason: str
) -> None:
    """Retract a document filed to the wrong chart; its versions stay for the audit."""
    audit.authorize(session, actor, Permission.DOCUMENT_WRITE, resource_type="Document", resource_id=document_id)
    document = queries.get_document(session, document_id)
    if document is None:
        raise NotFound("no such document")
    session.execute(update(t.DocumentRow).where(t.DocumentRow.id == document_id).values(status="entered-in-error"))
    audit.record(session, actor, "document.retract", resource_type="Document", resource_id=document_id,
                 patient_id=document.patient_id, details={"reason": reason[:200]})


@dataclass
class DocumentInChart:
    """A document with the patient it is filed to, so a reader can confirm the chart is right
    before relying on it, and the names of its authors and signers."""

    document: d.Document
    patient: d.Patient
    names: dict[uuid.UUID, str] = field(default_factory=dict)


def get_document_in_chart(*, session: Session, actor: Actor, document_id: uuid.UUID) -> DocumentInChart:
    """What the document page shows; one ``document.read`` event, like :func:`get_document`."""
    document = get_document(session=session, actor=actor, document_id=document_id)
    patient = _require_patient(session, document.patient_id)
    return DocumentInChart(document, patient, _author_names(session, [document]))

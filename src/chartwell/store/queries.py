"""Reading the record: rows in, domain objects out. Services call these; nothing else does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Generic, TypeVar
from datetime import UTC, date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from chartwell.domain import records as d
from chartwell.store import tables as t


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def _utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive timestamps; everything is stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _address(row) -> d.Address:
    return d.Address(row.address_line1, row.address_line2, row.city, row.state, row.postal_code, row.country)


def patient_from_row(row: t.PatientRow, identifiers: list[t.PatientIdentifierRow] = ()) -> d.Patient:
    return d.Patient(
        id=row.id, family_name=row.family_name, given_names=row.given_names, birth_date=row.birth_date,
        sex=d.Sex(row.sex), source_key=row.source_key, mrn=row.mrn, deceased_at=_utc(row.deceased_at),
        marital_status=row.marital_status, race=row.race, ethnicity=row.ethnicity, language=row.language,
        address=_address(row), phone=row.phone, email=row.email,
        identifiers=[d.Identifier(i.system, i.value, i.type_code) for i in identifiers],
    )


def _paged(session: Session, query: Select, limit: int, offset: int) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(query.limit(limit).offset(offset)).all()
    return rows, total


def _parse_date(token: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(token, fmt).date()
        except ValueError:
            continue
    return None


def _contains(column, text: str):
    """``column`` contains ``text``, case-insensitively, with LIKE wildcards in ``text`` taken
    literally (a search for "50%" must not match everything)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def search_patients(session: Session, text: str, *, limit: int, offset: int) -> Page[d.Patient]:
    """Every word must match: a date word the birth date, a digit word the MRN (exact) or an
    identifier, any other word a part of the name. Word order is free ("smith john", "john smith")."""
    query = select(t.PatientRow)
    for word in text.lower().split():
        if (born := _parse_date(word)) is not None:
            query = query.where(t.PatientRow.birth_date == born)
        elif word.isdigit():
            by_identifier = select(t.PatientIdentifierRow.patient_id).where(t.PatientIdentifierRow.value == word)
            query = query.where(or_(t.PatientRow.mrn == word, t.PatientRow.id.in_(by_identifier)))
        else:
            query = query.where(_contains(t.PatientRow.search_name, word))
    query = query.order_by(t.PatientRow.family_name, t.PatientRow.given_names, t.PatientRow.mrn)
    rows, total = _paged(session, query, limit, offset)
    return Page([patient_from_row(row) for row in rows], total, limit, offset)


def get_patient(session: Session, patient_id: uuid.UUID) -> d.Patient | None:
    row = session.get(t.PatientRow, patient_id)
    if row is None:
        return None
    identifiers = session.scalars(
        select(t.PatientIdentifierRow).where(t.PatientIdentifierRow.patient_id == patient_id)
    ).all()
    return patient_from_row(row, identifiers)


def encounter_from_row(row: t.EncounterRow, providers: list[t.EncounterProviderRow] = ()) -> d.Encounter:
    return d.Encounter(
        id=row.id, patient_id=row.patient_id, setting=d.EncounterSetting(row.setting),
        admit_at=_utc(row.admit_at), source_key=row.source_key, account_number=row.account_number,
        status=row.status, encounter_type=row.encounter_type, discharge_at=_utc(row.discharge_at),
        admit_source=row.admit_source, admit_type=row.admit_type,
        discharge_disposition=row.discharge_disposition, facility_id=row.facility_id,
        payer_id=row.payer_id, coverage_id=row.coverage_id, reason=row.reason,
        providers=[d.EncounterProvider(p.provider_id, p.role) for p in providers],
    )


def list_encounters(
    session: Session, *, patient_id: uuid.UUID | None, setting: str | None, text: str | None,
    limit: int, offset: int,
) -> Page[d.Encounter]:
    query = select(t.EncounterRow)
    if patient_id:
        query = query.where(t.EncounterRow.patient_id == patient_id)
    if setting:
        query = query.where(t.EncounterRow.setting == setting)
    if text:
        query = query.where(or_(_contains(t.EncounterRow.encounter_type, text),
                                t.EncounterRow.account_number == text))
    query = query.order_by(t.EncounterRow.admit_at.desc(), t.EncounterRow.id)
    rows, total = _paged(session, query, limit, offset)
    return Page([encounter_from_row(row) for row in rows], total, limit, offset)


def get_encounter(session: Session, encounter_id: uuid.UUID) -> d.Encounter | None:
    row = session.get(t.EncounterRow, encounter_id)
    if row is None:
        return None
    providers = session.scalars(
        select(t.EncounterProviderRow).where(t.EncounterProviderRow.encounter_id == encounter_id)
    ).all()
    return encounter_from_row(row, providers)


def encounters_of(session: Session, patient_id: uuid.UUID) -> list[d.Encounter]:
    """A patient's encounters with their providers, newest first, in two queries."""
    rows = session.scalars(
        select(t.EncounterRow).where(t.EncounterRow.patient_id == patient_id)
        .order_by(t.EncounterRow.admit_at.desc(), t.EncounterRow.id)
    ).all()
    links: dict[uuid.UUID, list[t.EncounterProviderRow]] = {row.id: [] for row in rows}
    if links:
        for link in session.scalars(
            select(t.EncounterProviderRow).where(t.EncounterProviderRow.encounter_id.in_(list(links)))
            .order_by(t.EncounterProviderRow.id)
        ):
            links[link.encounter_id].append(link)
    return [encounter_from_row(row, links[row.id]) for row in rows]


def diagnoses_of(session: Session, patient_id: uuid.UUID) -> list[d.Diagnosis]:
    rows = session.scalars(
        select(t.DiagnosisRow).where(t.DiagnosisRow.patient_id == patient_id)
        .order_by(t.DiagnosisRow.encounter_id, t.DiagnosisRow.sequence, t.DiagnosisRow.code)
    )
    return [
        d.Diagnosis(
            id=r.id, patient_id=r.patient_id, code=r.code, code_system=r.code_system, source_key=r.source_key,
            encounter_id=r.encounter_id, display=r.display, sequence=r.sequence, poa=r.poa,
            onset_date=r.onset_date, abatement_date=r.abatement_date, clinical_status=r.clinical_status,
            verification_status=r.verification_status,
        )
        for r in rows
    ]


def procedures_of(session: Session, patient_id: uuid.UUID) -> list[d.Procedure]:
    rows = session.scalars(
        select(t.ProcedureRow).where(t.ProcedureRow.patient_id == patient_id)
        .order_by(t.ProcedureRow.performed_at, t.ProcedureRow.sequence)
    )
    return [
        d.Procedure(
            id=r.id, patient_id=r.patient_id, code=r.code, code_system=r.code_system, source_key=r.source_key,
            encounter_id=r.encounter_id, display=r.display, sequence=r.sequence,
            performed_at=_utc(r.performed_at), modifiers=list(r.modifiers or []), units=r.units,
            performing_provider_id=r.performing_provider_id,
        )
        for r in rows
    ]


def _document(row: t.DocumentRow, versions: list[d.DocumentVersion]) -> d.Document:
    return d.Document(
        id=row.id, patient_id=row.patient_id, document_type=d.DocumentType(row.document_type), title=row.title,
        source_key=row.source_key, encounter_id=row.encounter_id, service_date=_utc(row.service_date),
        status=row.status, loinc_code=row.loinc_code, versions=versions,
    )


def version_from_row(row: t.DocumentVersionRow) -> d.DocumentVersion:
    return d.DocumentVersion(
        text=row.text, kind=d.VersionKind(row.kind), author_provider_id=row.author_provider_id,
        author_name=row.author_name, authored_at=_utc(row.authored_at),
        signed_by_provider_id=row.signed_by_provider_id, signed_at=_utc(row.signed_at), reason=row.reason,
        content_type=row.content_type, number=row.version, recorded_by=row.recorded_by,
        recorded_at=_utc(row.recorded_at),
    )


def list_documents(
    session: Session, *, patient_id: uuid.UUID | None, encounter_id: uuid.UUID | None,
    document_type: str | None, text: str | None, limit: int, offset: int,
) -> Page[d.Document]:
    """Documents without their text (a list never needs it); ``text`` matches titles and the
    words of any version."""
    query = select(t.DocumentRow)
    if patient_id:
        query = query.where(t.DocumentRow.patient_id == patient_id)
    if encounter_id:
        query = query.where(t.DocumentRow.encounter_id == encounter_id)
    if document_type:
        query = query.where(t.DocumentRow.document_type == document_type)
    if text:
        in_text = select(t.DocumentVersionRow.document_id).where(_contains(t.DocumentVersionRow.text, text))
        query = query.where(or_(_contains(t.DocumentRow.title, text), t.DocumentRow.id.in_(in_text)))
    query = query.order_by(t.DocumentRow.service_date.desc(), t.DocumentRow.id)
    rows, total = _paged(session, query, limit, offset)
    return Page([_document(row, []) for row in rows], total, limit, offset)


def get_document(session: Session, document_id: uuid.UUID) -> d.Document | None:
    row = session.get(t.DocumentRow, document_id)
    if row is None:
        return None
    versions = session.scalars(
        select(t.DocumentVersionRow).where(t.DocumentVersionRow.document_id == document_id)
        .order_by(t.DocumentVersionRow.version)
    ).all()
    return _document(row, [version_from_row(v) for v in versions])


def documents_of(session: Session, patient_id: uuid.UUID) -> list[d.Document]:
    """A patient's documents with every version, in two queries (the chart shows authors,
    signatures and version counts)."""
    rows = session.scalars(
        select(t.DocumentRow).where(t.DocumentRow.patient_id == patient_id)
        .order_by(t.DocumentRow.service_date.desc(), t.DocumentRow.id)
    ).all()
    versions: dict[uuid.UUID, list[d.DocumentVersion]] = {row.id: [] for row in rows}
    if versions:
        for version in session.scalars(
            select(t.DocumentVersionRow).where(t.DocumentVersionRow.document_id.in_(list(versions)))
            .order_by(t.DocumentVersionRow.document_id, t.DocumentVersionRow.version)
        ):
            versions[version.document_id].append(version_from_row(version))
    return [_document(row, versions[row.id]) for row in rows]


def provider_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = session.execute(
        select(t.ProviderRow.id, t.ProviderRow.family_name, t.ProviderRow.given_name, t.ProviderRow.credentials)
        .where(t.ProviderRow.id.in_(ids))
    )
    return {
        pid: " ".join(part for part in (given, family) if part) + (f", {cred}" if cred else "")
        for pid, family, given, cred in rows
    }


def organization_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(t.OrganizationRow.id, t.OrganizationRow.name).where(t.OrganizationRow.id.in_(ids))).all())


def payer_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(t.PayerRow.id, t.PayerRow.name).where(t.PayerRow.id.in_(ids))).all())


def next_version_number(session: Session, document_id: uuid.UUID) -> int:
    return (session.scalar(
        select(func.max(t.DocumentVersionRow.version)).where(t.DocumentVersionRow.document_id == document_id)
    ) or 0) + 1


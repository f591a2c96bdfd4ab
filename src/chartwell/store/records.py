"""Writing record batches: domain objects in, rows out, idempotent by id.

Producers (FHIR intake, the synthetic generator) choose stable ids, so writing the same batch
twice finds every row already there. New rows are inserted in bulk; rows that exist are updated
in place, except document content, which only ever gains versions. Everything runs inside the
caller's transaction: a batch is written whole or not at all.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from chartwell.domain import records as d
from chartwell.domain.npi import npi_problem
from chartwell.errors import InvalidInput, Position
from chartwell.store import tables as t

CHUNK = 500


@dataclass
class WriteCounts:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    new_document_versions: int = 0

    def add(self, kind: str, table: str, n: int) -> None:
        if n:
            target = self.inserted if kind == "inserted" else self.updated
            target[table] = target.get(table, 0) + n


def existing_ids(session: Session, table: type[t.Base], ids: Iterable[uuid.UUID]) -> set:
    """Which of ``ids`` are already rows of ``table``, asked in chunks."""
    ids = list(dict.fromkeys(ids))
    found: set = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found.update(session.scalars(select(table.id).where(table.id.in_(chunk))))
    return found


def _address(address: d.Address) -> dict:
    return {
        "address_line1": address.line1,
        "address_line2": address.line2,
        "city": address.city,
        "state": address.state,
        "postal_code": address.postal_code,
        "country": address.country,
    }


def _row_of(item, drop: Sequence[str] = ()) -> dict:
    """The column values of a flat domain object: its fields, with the address spread out."""
    values = {name: getattr(item, name) for name in item.__slots__ if name not in drop}
    address = values.pop("address", None)
    if address is not None:
        values.update(_address(address))
    return values


def search_name(family_name: str, given_names: str) -> str:
    """The lower-case, space-normalised 'family given' string patient search matches on."""
    return " ".join(f"{family_name} {given_names}".lower().split())


def _upsert(
    session: Session, table: type[t.Base], rows: list[dict], counts: WriteCounts
) -> set[uuid.UUID]:
    """Insert new rows, update existing ones; return the ids that were new."""
    if not rows:
        return set()
    present = existing_ids(session, table, (row["id"] for row in rows))
    new_rows = [row for row in rows if row["id"] not in present]
    old_rows = [row for row in rows if row["id"] in present]
    if new_rows:  # a Core insert: executemany without the ORM's per-row bookkeeping
        session.execute(insert(table.__table__), new_rows)
    if old_rows:
        session.execute(update(table), old_rows)
    name = table.__tablename__
    counts.add("inserted", name, len(new_rows))
    counts.add("updated", name, len(old_rows))
    return {row["id"] for row in new_rows}


def take_mrns(session: Session, how_many: int) -> list[str]:
    """A block of enterprise MRNs from the counter row, locked until the transaction ends."""
    if how_many <= 0:
        return []
    last = session.execute(
        select(t.MrnCounterRow.last_value).where(t.MrnCounterRow.id == 1).with_for_update()
    ).scalar_one()
    session.execute(
        update(t.MrnCounterRow).where(t.MrnCounterRow.id == 1).values(last_value=last + how_many)
    )
    return [f"{number:08d}" for number in range(last + 1, last + how_many + 1)]


def _write_patients(session: Session, patients: list[d.Patient], counts: WriteCounts) -> None:
    if not patients:
        return
    now = datetime.now(UTC)
    present = existing_ids(session, t.PatientRow, (p.id for p in patients))
    fresh = [p for p in patients if p.id not in present and not p.mrn]
    for patient, mrn in zip(fresh, take_mrns(session, len(fresh)), strict=True):
        patient.mrn = mrn
    rows = []
    for patient in patients:
        row = _row_of(patient, drop=("identifiers",))
        row["search_name"] = search_name(patient.family_name, patient.given_names)
        row["updated_at"] = now
        if patient.id in present:
            row.pop("mrn")  # an MRN, once assigned, never changes
        else:
            row["created_at"] = now
        rows.append(row)
    _upsert(session, t.PatientRow, rows, counts)
    ids = [p.id for p in patients]
    session.execute(delete(t.PatientIdentifierRow).where(t.PatientIdentifierRow.patient_id.in_(ids)))
    identifier_rows = {
        (p.id, i.system, i.value): {"patient_id": p.id, **asdict(i)}
        for p in patients
        for i in p.identifiers
    }
    if identifier_rows:
        session.execute(insert(t.PatientIdentifierRow), list(identifier_rows.values()))


def _write_encounters(session: Session, encounters: list[d.Encounter], counts: WriteCounts) -> None:
    rows = [_row_of(e, drop=("providers",)) for e in encounters]
    _upsert(session, t.EncounterRow, rows, counts)
    if not encounters:
        return
    ids = [e.id for e in encounters]
    session.execute(delete(t.EncounterProviderRow).where(t.EncounterProviderRow.encounter_id.in_(ids)))
    links = {
        (e.id, p.provider_id, p.role): {"encounter_id": e.id, "provider_id": p.provider_id, "role": p.role}
        for e in encounters
        for p in e.providers
    }
    if links:
        session.execute(insert(t.EncounterProviderRow), list(links.values()))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _version_row(document_id: uuid.UUID, number: int, version: d.DocumentVersion, recorded_by: str) -> dict:
    row = asdict(version)
    del row["number"]
    row.update(
        document_id=document_id,
        version=number,
        kind=str(version.kind),
        content_hash=content_hash(version.text),
        recorded_by=recorded_by,
        recorded_at=datetime.now(UTC),
    )
    return row


def _latest_versions(session: Session, document_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, str]]:
    """Each document's last (version number, content hash)."""
    latest: dict[uuid.UUID, tuple[int, str]] = {}
    for start in range(0, len(document_ids), CHUNK):
        chunk = document_ids[start : start + CHUNK]
        rows = session.execute(
            select(t.DocumentVersionRow.document_id, t.DocumentVersionRow.version, t.DocumentVersionRow.content_hash)
            .where(t.DocumentVersionRow.document_id.in_(chunk))
            .order_by(t.DocumentVersionRow.document_id, t.DocumentVersionRow.version)
        )
        for document_id, number, digest in rows:
            latest[document_id] = (number, digest)
    return latest


def _write_documents(
    session: Session, documents: list[d.Document], counts: WriteCounts, recorded_by: str
) -> None:
    """Documents are upserted; their content only gains versions. A re-received document
    whose text changed becomes an amendment, so the version a coder read stays readable."""
    rows = [_row_of(doc, drop=("versions",)) for doc in documents]
    for row in rows:
        row["document_type"] = str(row["document_type"])
    _upsert(session, t.DocumentRow, rows, counts)
    latest = _latest_versions(session, [doc.id for doc in documents])
    version_rows = []
    for doc in documents:
        number, last_hash = latest.get(doc.id, (0, None))
        for version in doc.versions:
            if content_hash(version.text) == last_hash:
                continue
            if number:
                version.kind = d.VersionKind.AMENDMENT
                version.reason = version.reason or "received again with changed content"
            number += 1
            version_rows.append(_version_row(doc.id, number, version, recorded_by))
            last_hash = content_hash(version.text)
    if version_rows:
        session.execute(insert(t.DocumentVersionRow), version_rows)
    counts.new_document_versions += len(version_rows)


def _write_claims(session: Session, claims: list[d.Claim], counts: WriteCounts) -> None:
    rows = [_row_of(c, drop=("lines",)) for c in claims]
    _upsert(session, t.ClaimRow, rows, counts)
    if not claims:
        return
    ids = [c.id for c in claims]
    session.execute(delete(t.ClaimLineRow).where(t.ClaimLineRow.claim_id.in_(ids)))
    lines = [{"claim_id": c.id, **asdict(line)} for c in claims for line in c.lines]
    if lines:
        session.execute(insert(t.ClaimLineRow), lines)


def _write_flat(session: Session, table: type[t.Base], items: list, counts: WriteCounts) -> None:
    _upsert(session, table, [_row_of(item) for item in items], counts)


def write_source_resources(
    session: Session, resources: list[d.SourceResource], linked: set[uuid.UUID]
) -> None:
    now = datetime.now(UTC)
    rows = []
    for resource in resources:
        row = _row_of(resource)
        row["received_at"] = now
        row["linked"] = resource.id in linked
        rows.append(row)
    _upsert(session, t.SourceResourceRow, rows, WriteCounts())


def _check_npis(batch: d.RecordBatch) -> None:
    """A provider or organization NPI is stored only when its check digit holds."""
    for kind, items in (("Provider", batch.providers), ("Organization", batch.organizations)):
        for item in items:
            if item.npi and (problem := npi_problem(item.npi)):
                raise InvalidInput(problem, Position(resource=f"{kind} {item.source_key or item.id}", field="npi"))


def write_batch(session: Session, batch: d.RecordBatch, *, recorded_by: str) -> WriteCounts:
    """Write every part of ``batch`` in foreign-key order inside the caller's transaction."""
    _check_npis(batch)
    counts = WriteCounts()
    _write_flat(session, t.OrganizationRow, batch.organizations, counts)
    _write_flat(session, t.ProviderRow, batch.providers, counts)
    _write_flat(session, t.PayerRow, batch.payers, counts)
    _write_patients(session, batch.patients, counts)
    _write_flat(session, t.CoverageRow, batch.coverages, counts)
    _write_encounters(session, batch.encounters, counts)
    _write_documents(session, batch.documents, counts, recorded_by)
    _write_flat(session, t.DiagnosisRow, batch.diagnoses, counts)
    _write_flat(session, t.ProcedureRow, batch.procedures, counts)
    _write_flat(session, t.ObservationRow, batch.observations, counts)
    _write_flat(session, t.MedicationOrderRow, batch.medication_orders, counts)
    _write_claims(session, batch.claims, counts)
    _write_flat(session, t.AdjudicationRow, batch.adjudications, counts)
    _write_flat(session, t.ChargeRow, batch.charges, counts)
    return counts


def count_rows(session: Session, table: type[t.Base]) -> int:
    return session.scalar(select(func.count()).select_from(table)) or 0


def source_resource_states(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[str, bool]]:
    """(content hash, linked) of each received resource among ``ids`` that the store holds;
    intake skips one that arrives again unchanged and linked."""
    ids = list(dict.fromkeys(ids))
    states: dict[uuid.UUID, tuple[str, bool]] = {}
    row = t.SourceResourceRow
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for found, digest, linked in session.execute(
            select(row.id, row.content_hash, row.linked).where(row.id.in_(chunk))
        ):
            states[found] = (digest, bool(linked))
    return states


def unlinked_source_resources(
    session: Session, *, after: uuid.UUID | None = None, limit: int = CHUNK
) -> list[tuple[uuid.UUID, str, str, str]]:
    """(id, resource type, resource id, content) of received resources not linked to a patient
    yet, in id order from ``after``, a page at a time."""
    row = t.SourceResourceRow
    query = select(row.id, row.resource_type, row.resource_id, row.content).where(row.linked.is_(False))
    if after is not None:
        query = query.where(row.id > after)
    return [tuple(found) for found in session.execute(query.order_by(row.id).limit(limit))]

"""The tables of the record store (SQLAlchemy 2 declarative).

Rows are not domain objects: :mod:`chartwell.store.repositories` maps between the two. Ids are
UUIDs; ``source_key`` (unique where set) is the identity a record had where it came from, which
makes imports idempotent. Clinical documents are versioned (``document_versions`` is
append-only); the audit trail is append-only and hash-chained (``audit_events``), enforced by
triggers created in the migration.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = Numeric(12, 2)
Timestamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _pk() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


def _source_key() -> Mapped[str | None]:
    return mapped_column(String(200), unique=True, nullable=True)


def _fk(target: str, nullable: bool = True, index: bool = True) -> Mapped:
    return mapped_column(Uuid, ForeignKey(target), nullable=nullable, index=index)


class AddressColumns:
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(50))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(50))


class OrganizationRow(AddressColumns, Base):
    __tablename__ = "organizations"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    name: Mapped[str] = mapped_column(String(300))
    npi: Mapped[str | None] = mapped_column(String(10))
    tax_id: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(40))


class ProviderRow(AddressColumns, Base):
    __tablename__ = "providers"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    npi: Mapped[str | None] = mapped_column(String(10), index=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str | None] = mapped_column(String(100))
    credentials: Mapped[str | None] = mapped_column(String(40))
    taxonomy_code: Mapped[str | None] = mapped_column(String(10))
    specialty: Mapped[str | None] = mapped_column(String(100))
    organization_id: Mapped[uuid.UUID | None] = _fk("organizations.id")
    phone: Mapped[str | None] = mapped_column(String(40))


class PayerRow(Base):
    __tablename__ = "payers"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    name: Mapped[str] = mapped_column(String(200))
    payer_identifier: Mapped[str | None] = mapped_column(String(80))
    category: Mapped[str | None] = mapped_column(String(40))


class PatientRow(AddressColumns, Base):
    __tablename__ = "patients"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    mrn: Mapped[str] = mapped_column(String(20), unique=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_names: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(300), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date, index=True)
    sex: Mapped[str] = mapped_column(String(1))
    deceased_at: Mapped[datetime | None] = mapped_column(Timestamp)
    marital_status: Mapped[str | None] = mapped_column(String(40))
    race: Mapped[str | None] = mapped_column(String(80))
    ethnicity: Mapped[str | None] = mapped_column(String(80))
    language: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)


class PatientIdentifierRow(Base):
    __tablename__ = "patient_identifiers"
    __table_args__ = (UniqueConstraint("patient_id", "system", "value"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[uuid.UUID] = _fk("patients.id", nullable=False)
    system: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(String(100), index=True)
    type_code: Mapped[str | None] = mapped_column(String(10))


class MrnCounterRow(Base):
    """The enterprise MRN sequence, one row, locked while a block of numbers is taken."""

    __tablename__ = "mrn_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class CoverageRow(Base):
    __tablename__ = "coverages"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    patient_id: Mapped[uuid.UUID] = _fk("patients.id", nullable=False)
    payer_id: Mapped[uuid.UUID] = _fk("payers.id", nullable=False)
    member_id: Mapped[str | None] = mapped_column(String(80))
    group_number: Mapped[str | None] = mapped_column(String(80))
    plan_name: Mapped[str | None] = mapped_column(String(200))
    relationship: Mapped[str] = mapped_column(String(20))
    subscriber_name: Mapped[str | None] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))


class EncounterRow(Base):
    __tablename__ = "encounters"
    __table_args__ = (Index("ix_encounters_patient_admit", "patient_id", "admit_at"),)
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    patient_id: Mapped[uuid.UUID] = _fk("patients.id", nullable=False, index=False)
    account_number: Mapped[str | None] = mapped_column(String(40), index=True)
    setting: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    encounter_type: Mapped[str | None] = mapped_column(String(200))
    admit_at: Mapped[datetime | None] = mapped_column(Timestamp)
    discharge_at: Mapped[datetime | None] = mapped_column(Timestamp)
    admit_source: Mapped[str | None] = mapped_column(String(10))
    admit_type: Mapped[str | None] = mapped_column(String(10))
    discharge_disposition: Mapped[str | None] = mapped_column(String(10))
    facility_id: Mapped[uuid.UUID | None] = _fk("organizations.id")
    payer_id: Mapped[uuid.UUID | None] = _fk("payers.id")
    coverage_id: Mapped[uuid.UUID | None] = _fk("coverages.id")
    reason: Mapped[str | None] = mapped_column(String(300))


class EncounterProviderRow(Base):
    __tablename__ = "encounter_providers"
    __table_args__ = (UniqueConstraint("encounter_id", "provider_id", "role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    encounter_id: Mapped[uuid.UUID] = _fk("encounters.id", nullable=False)
    provider_id: Mapped[uuid.UUID] = _fk("providers.id", nullable=False)
    role: Mapped[str] = mapped_column(String(20))


class DocumentRow(Base):
    __tablename__ = "documents"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    patient_id: Mapped[uuid.UUID] = _fk("patients.id", nullable=False)
    encounter_id: Mapped[uuid.UUID | None] = _fk("encounters.id")
    document_type: Mapped[str] = mapped_column(String(40))
    loinc_code: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    service_date: Mapped[datetime | None] = mapped_column(Timestamp)
    status: Mapped[str] = mapped_column(String(20))


class DocumentVersionRow(Base):
    """One version of a document's content. Rows are only ever added (see the migration's
    triggers): an amendment or addendum is a new version, the earlier ones stay readable."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[uuid.UUID] = _fk("documents.id", nullable=False)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(80))
    content_hash: Mapped[str] = mapped_column(String(64))
    author_provider_id: Mapped[uuid.UUID | None] = _fk("providers.id", index=False)
    author_name: Mapped[str | None] = mapped_column(String(200))
    authored_at: Mapped[datetime | None] = mapped_column(Timestamp)
    signed_by_provider_id: Mapped[uuid.UUID | None] = _fk("providers.id", index=False)
    signed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    reason: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str | None] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(Timestamp)


class DiagnosisRow(Base):
    __tablename__ = "diagnoses"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    patient_id: Mapped[uuid.UUID] = _fk("patients.id", nullable=False)
    encounter_id: Mapped[uuid.UUID | None] = _fk("encounters.id")
    code: Mapped[str] = mapped_column(String(20), index=True)
    code_system: Mapped[str] = mapped_column(String(20))
    display: Mapped[str | None] = mapped_column(String(300))
    sequence: Mapped[int | None] = mapped_column(Integer)
    poa: Mapped[str | None] = mapped_column(String(1))
    onset_date: Mapped[date | None] = mapped_column(Date)
    abatement_date: Mapped[date | None] = mapped_column(Date)
    clinical_status: Mapped[str | None] = mapped_column(String(20))
    verification_status: Mapped[str | None] = mapped_column(String(20))


class ProcedureRow(Base):
    __tablename__ = "procedures"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    patient_id: Mapped[uuid.UUID] = _fk("patients.id", nullable=False)
    encounter_id: Mapped[uuid.UUID | None] = _fk("encounters.id")
    code: Mapped[str] = mapped_column(String(20), index=True)
    code_system: Mapped[str] = mapped_column(String(20))
    display: Mapped[str | None] = mapped_column(String(300))
    sequence: Mapped[int | None] = mapped_column(Integer)
    performed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    modifiers: Mapped[list] = mapped_column(JSON)
    units: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    performing_provider_id: Mapped[uuid.UUID | None] = _fk("providers.id")


class ObservationRow(Base):
    __tablename__ = "observations"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    patient_id: Mapped[uuid.UUID] = _fk("patients.id", nullable=False)
    encounter_id: Mapped[uuid.UUID | None] = _fk("encounters.id")
    category: Mapped[str | None] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    code_system: Mapped[str] = mapped_column(String(20))
    display: Mapped[str | None] = mapped_column(String(300))
    value_number: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(String(500))
    unit: Mapped[str | None] = mapped_column(String(40))
    effective_at: Mapped[datetime | None] = mapped_column(Timestamp)


class MedicationOrderRow(Base):
    __tablename__ = "medication_orders"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    patient_id: Mapped[uuid.UUID] = _fk("patients.id", nullable=False)
    encounter_id: Mapped[uuid.UUID | None] = _fk("encounters.id")
    code: Mapped[str | None] = mapped_column(String(40))
    code_system: Mapped[str | None] = mapped_column(String(20))
    display: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str | None] = mapped_column(String(20))
    intent: Mapped[str | None] = mapped_column(String(20))
    authored_at: Mapped[datetime | None] = mapped_column(Timestamp)
    prescriber_id: Mapped[uuid.UUID | None] = _fk("providers.id")
    dosage: Mapped[str | None] = mapped_column(String(500))


class ClaimRow(Base):
    __tablename__ = "claims"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    patient_id: Mapped[uuid.UUID] = _fk("patients.id", nullable=False)
    encounter_id: Mapped[uuid.UUID | None] = _fk("encounters.id")
    claim_type: Mapped[str] = mapped_column(String(20))
    use: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    billable_start: Mapped[datetime | None] = mapped_column(Timestamp)
    billable_end: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime | None] = mapped_column(Timestamp)
    provider_id: Mapped[uuid.UUID | None] = _fk("providers.id")
    organization_id: Mapped[uuid.UUID | None] = _fk("organizations.id")
    payer_id: Mapped[uuid.UUID | None] = _fk("payers.id")
    total_charge: Mapped[Decimal | None] = mapped_column(Money)
    diagnosis_codes: Mapped[list] = mapped_column(JSON)


class ClaimLineRow(Base):
    __tablename__ = "claim_lines"
    __table_args__ = (UniqueConstraint("claim_id", "sequence"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[uuid.UUID] = _fk("claims.id", nullable=False)
    sequence: Mapped[int] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(String(40))
    code_system: Mapped[str | None] = mapped_column(String(20))
    display: Mapped[str | None] = mapped_column(String(300))
    revenue_code: Mapped[str | None] = mapped_column(String(4))
    modifiers: Mapped[list] = mapped_column(JSON)
    units: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    charge: Mapped[Decimal | None] = mapped_column(Money)
    service_date: Mapped[date | None] = mapped_column(Date)
    diagnosis_pointers: Mapped[list] = mapped_column(JSON)


class AdjudicationRow(Base):
    __tablename__ = "adjudications"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    patient_id: Mapped[uuid.UUID] = _fk("patients.id", nullable=False)
    claim_id: Mapped[uuid.UUID | None] = _fk("claims.id")
    payer_id: Mapped[uuid.UUID | None] = _fk("payers.id")
    status: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime | None] = mapped_column(Timestamp)
    total_submitted: Mapped[Decimal | None] = mapped_column(Money)
    total_paid: Mapped[Decimal | None] = mapped_column(Money)
    patient_responsibility: Mapped[Decimal | None] = mapped_column(Money)


class ChargeRow(Base):
    __tablename__ = "charges"
    id: Mapped[uuid.UUID] = _pk()
    source_key: Mapped[str | None] = _source_key()
    patient_id: Mapped[uuid.UUID] = _fk("patients.id", nullable=False)
    encounter_id: Mapped[uuid.UUID | None] = _fk("encounters.id")
    code: Mapped[str | None] = mapped_column(String(40))
    code_system: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(String(300))
    revenue_code: Mapped[str | None] = mapped_column(String(4))
    units: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    amount: Mapped[Decimal] = mapped_column(Money)
    service_date: Mapped[date | None] = mapped_column(Date)


class SourceResourceRow(Base):
    """Each received resource as it came, keyed by its identity (type + id)."""

    __tablename__ = "source_resources"
    __table_args__ = (UniqueConstraint("resource_type", "resource_id"),)
    id: Mapped[uuid.UUID] = _pk()
    resource_type: Mapped[str] = mapped_column(String(60))
    resource_id: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    patient_id: Mapped[uuid.UUID | None] = _fk("patients.id")
    linked: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # mapped into the record
    received_at: Mapped[datetime] = mapped_column(Timestamp)


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = _pk()
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    provider_id: Mapped[uuid.UUID | None] = _fk("providers.id", index=False)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class AuthSessionRow(Base):
    """A web session or API token. Only the SHA-256 of the secret is stored."""

    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # web, api
    user_id: Mapped[uuid.UUID] = _fk("users.id", nullable=False)
    csrf_token: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEventRow(Base):
    """Append-only (triggers forbid UPDATE and DELETE) and HMAC-chained; see
    :mod:`chartwell.compliance.audit`."""

    __tablename__ = "audit_events"
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(20))
    resource_type: Mapped[str | None] = mapped_column(String(60))
    resource_id: Mapped[str | None] = mapped_column(String(200))
    patient_id: Mapped[str | None] = mapped_column(String(36), index=True)
    source_ip: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[str | None] = mapped_column(Text)
    previous_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The chain's last (sequence, digest); its row lock serialises appends on PostgreSQL."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))


# -- code-set releases (chartwell.services.codesets) -----------------------------------------

from sqlalchemy import LargeBinary  # noqa: E402 - kept with the tables that use it


class CodesetReleaseRow(Base):
    """An installed code-set release: which, when in force, built from what. Its content is
    the artifact (a SQLite file) in :class:`CodesetArtifactRow`, cached on disk by SHA-256."""

    __tablename__ = "codeset_releases"
    __table_args__ = (UniqueConstraint("system", "version", name="uq_codeset_releases_system_version"),)
    id: Mapped[uuid.UUID] = _pk()
    system: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(20))
    effective_start: Mapped[date] = mapped_column(Date)
    effective_end: Mapped[date | None] = mapped_column(Date)  # None: until a newer one is installed
    sources: Mapped[list] = mapped_column(JSON)
    counts: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    artifact_sha256: Mapped[str] = mapped_column(String(64))
    artifact_bytes: Mapped[int] = mapped_column(Integer)
    format_version: Mapped[int] = mapped_column(Integer)
    searchable: Mapped[bool] = mapped_column(Boolean, default=False)
    installed_at: Mapped[datetime] = mapped_column(Timestamp)
    installed_by: Mapped[str] = mapped_column(String(80))


class CodesetArtifactRow(Base):
    """The artifact bytes of a release (zlib-compressed), so that every server of a department
    on PostgreSQL has one source of truth."""

    __tablename__ = "codeset_artifacts"
    release_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("codeset_releases.id", ondelete="CASCADE"), primary_key=True)
    compression: Mapped[str] = mapped_column(String(10))
    content: Mapped[bytes] = mapped_column(LargeBinary)


# The billing tables live in their own modules (claims we build and send; remittances we post);
# imported here so that one metadata holds every table (migrations, tests).
from chartwell.store import billing, cac, remittance  # noqa: E402,F401

"""What the API and the pages show: public schemas, built from domain objects.

The mapping is where minimum necessary is applied (HIPAA 45 CFR 164.502(b)): a list carries no
document text and no contact details, a Social Security number is shown as ``***-**-1234``,
documents are left out of a chart for a role that may not read them, and no schema has a field
for a password hash or a session secret.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from chartwell.domain import records as d
from chartwell.services.records import Chart, DocumentInChart
from chartwell.store.queries import Page

T = TypeVar("T")
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL

SSN_SYSTEMS = {"http://hl7.org/fhir/sid/us-ssn", "urn:oid:2.16.840.1.113883.4.1"}
# Government identifiers shown only by their last four characters.
MASKED_TYPES = {"SS", "DL", "PPN", "TAX"}


def mask_identifier(identifier: d.Identifier) -> str:
    """``***-**-1234`` for an SSN, ``****1234`` for another government identifier."""
    is_ssn = identifier.type_code == "SS" or identifier.system in SSN_SYSTEMS
    if not is_ssn and identifier.type_code not in MASKED_TYPES:
        return identifier.value
    tail = "".join(ch for ch in identifier.value if ch.isalnum())[-4:]
    return f"***-**-{tail}" if is_ssn else f"****{tail}"


class Public(BaseModel):
    model_config = ConfigDict(frozen=True)


class PageOut(Public, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, page: Page, convert) -> PageOut:
        return cls(items=[convert(item) for item in page.items], total=page.total,
                   limit=page.limit, offset=page.offset)


class ErrorOut(Public):
    error: str
    message: str


class HealthOut(Public):
    status: Literal["ok"] = "ok"


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    username: str = Field(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]+$")
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(Public):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class IdentifierOut(Public):
    system: str
    value: str
    type_code: str | None


class AddressOut(Public):
    line1: str | None
    line2: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None


class PatientSummary(Public):
    """A search result: enough to tell one patient from another, nothing more."""

    id: uuid.UUID
    mrn: str | None
    family_name: str
    given_names: str
    birth_date: date | None
    sex: d.Sex
    deceased: bool

    @classmethod
    def of(cls, p: d.Patient) -> PatientSummary:
        return cls(id=p.id, mrn=p.mrn, family_name=p.family_name, given_names=p.given_names,
                   birth_date=p.birth_date, sex=p.sex, deceased=p.deceased_at is not None)


class PatientDetail(PatientSummary):
    deceased_at: datetime | None
    marital_status: str | None
    race: str | None
    ethnicity: str | None
    language: str | None
    address: AddressOut
    phone: str | None
    email: str | None
    identifiers: list[IdentifierOut]

    @classmethod
    def of(cls, p: d.Patient) -> PatientDetail:
        a = p.address
        return cls(
            **PatientSummary.of(p).model_dump(), deceased_at=p.deceased_at, marital_status=p.marital_status,
            race=p.race, ethnicity=p.ethnicity, language=p.language, phone=p.phone, email=p.email,
            address=AddressOut(line1=a.line1, line2=a.line2, city=a.city, state=a.state,
                               postal_code=a.postal_code, country=a.country),
            identifiers=[IdentifierOut(system=i.system, value=mask_identifier(i), type_code=i.type_code)
                         for i in p.identifiers],
        )


class EncounterProviderOut(Public):
    provider_id: uuid.UUID
    role: str
    name: str | None = None


class EncounterOut(Public):
    id: uuid.UUID
    patient_id: uuid.UUID
    account_number: str | None
    setting: d.EncounterSetting
    status: str
    encounter_type: str | None
    admit_at: datetime | None
    discharge_at: datetime | None
    admit_source: str | None
    admit_type: str | None
    discharge_disposition: str | None
    facility_id: uuid.UUID | None
    payer_id: uuid.UUID | None
    reason: str | None
    providers: list[EncounterProviderOut]

    @classmethod
    def of(cls, e: d.Encounter, names: dict[uuid.UUID, str] | None = None) -> EncounterOut:
        names = names or {}
        return cls(
            id=e.id, patient_id=e.patient_id, account_number=e.account_number, setting=e.setting,
            status=e.status, encounter_type=e.encounter_type, admit_at=e.admit_at, discharge_at=e.discharge_at,
            admit_source=e.admit_source, admit_type=e.admit_type, discharge_disposition=e.discharge_disposition,
            facility_id=e.facility_id, payer_id=e.payer_id, reason=e.reason,
            providers=[EncounterProviderOut(provider_id=p.provider_id, role=p.role, name=names.get(p.provider_id))
                       for p in e.providers],
        )


class DiagnosisOut(Public):
    sequence: int | None
    code: str
    code_system: str
    display: str | None
    poa: str | None

    @classmethod
    def of(cls, dx: d.Diagnosis) -> DiagnosisOut:
        return cls(sequence=dx.sequence, code=dx.code, code_system=dx.code_system, display=dx.display, poa=dx.poa)


class ProcedureOut(Public):
    sequence: int | None
    code: str
    code_system: str
    display: str | None
    performed_at: datetime | None
    modifiers: list[str]
    units: float

    @classmethod
    def of(cls, px: d.Procedure) -> ProcedureOut:
        return cls(sequence=px.sequence, code=px.code, code_system=px.code_system, display=px.display,
                   performed_at=px.performed_at, modifiers=list(px.modifiers), units=float(px.units))


class DocumentSummary(Public):
    id: uuid.UUID
    patient_id: uuid.UUID
    encounter_id: uuid.UUID | None
    document_type: d.DocumentType
    title: str
    service_date: datetime | None
    status: str
    loinc_code: str | None

    @staticmethod
    def fields_of(doc: d.Document) -> dict:
        return dict(id=doc.id, patient_id=doc.patient_id, encounter_id=doc.encounter_id,
                    document_type=doc.document_type, title=doc.title, service_date=doc.service_date,
                    status=doc.status, loinc_code=doc.loinc_code)

    @classmethod
    def of(cls, doc: d.Document) -> DocumentSummary:
        return cls(**cls.fields_of(doc))


def _person(name: str | None, provider_id: uuid.UUID | None, names: dict[uuid.UUID, str]) -> str | None:
    return name or (names.get(provider_id) if provider_id else None)


class VersionMeta(Public):
    number: int | None
    kind: d.VersionKind
    author: str | None
    authored_at: datetime | None
    signed: bool
    signed_by: str | None
    signed_at: datetime | None
    reason: str | None
    recorded_by: str | None
    recorded_at: datetime | None

    @staticmethod
    def fields_of(v: d.DocumentVersion, names: dict[uuid.UUID, str]) -> dict:
        return dict(
            number=v.number, kind=v.kind, author=_person(v.author_name, v.author_provider_id, names),
            authored_at=v.authored_at, signed=v.signed_at is not None,
            signed_by=_person(None, v.signed_by_provider_id, names), signed_at=v.signed_at,
            reason=v.reason, recorded_by=v.recorded_by, recorded_at=v.recorded_at,
        )


class VersionOut(VersionMeta):
    content_type: str
    text: str

    @classmethod
    def of(cls, v: d.DocumentVersion, names: dict[uuid.UUID, str]) -> VersionOut:
        return cls(**VersionMeta.fields_of(v, names), content_type=v.content_type, text=v.text)


class DocumentOut(DocumentSummary):
    """A document with every version, oldest first; ``current_version`` is the one in force."""

    current_version: int | None
    versions: list[VersionOut]

    @classmethod
    def of(cls, doc: d.Document, names: dict[uuid.UUID, str] | None = None) -> DocumentOut:
        names = names or {}
        return cls(**DocumentSummary.fields_of(doc),
                   current_version=doc.versions[-1].number if doc.versions else None,
                   versions=[VersionOut.of(v, names) for v in doc.versions])

    def version(self, number: int | None) -> VersionOut | None:
        """The version numbered ``number``, or the current one."""
        if number is None:
            return self.versions[-1] if self.versions else None
        return next((v for v in self.versions if v.number == number), None)

    def in_force(self, number: int | None = None) -> list[VersionOut]:
        """The versions whose text made up the document as of version ``number`` (default: now):
        the last original or amendment, then the addenda added after it."""
        upto = [v for v in self.versions if number is None or (v.number or 0) <= number]
        base = max((i for i, v in enumerate(upto) if v.kind != d.VersionKind.ADDENDUM), default=0)
        return upto[base:]


class DocumentPageOut(Public):
    document: DocumentOut
    patient: PatientSummary

    @classmethod
    def of(cls, view: DocumentInChart) -> DocumentPageOut:
        return cls(document=DocumentOut.of(view.document, view.names), patient=PatientSummary.of(view.patient))


class VersionIn(BaseModel):
    """An amendment replaces the text; an addendum adds to it. Either says why."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["amendment", "addendum"]
    text: str = Field(min_length=1, max_length=200_000, pattern=NO_NUL)
    reason: str = Field(min_length=1, max_length=500, pattern=NO_NUL)


class ChartDocument(DocumentSummary):
    """A document as the chart lists it: who wrote it, whether it is signed, how many versions."""

    author: str | None
    signed: bool
    version_count: int

    @classmethod
    def of(cls, doc: d.Document, names: dict[uuid.UUID, str]) -> ChartDocument:
        first = doc.versions[0] if doc.versions else None
        current = doc.versions[-1] if doc.versions else None
        return cls(**DocumentSummary.fields_of(doc),
                   author=_person(first.author_name, first.author_provider_id, names) if first else None,
                   signed=bool(current and current.signed_at), version_count=len(doc.versions))


class ChartEncounter(EncounterOut):
    facility: str | None
    payer: str | None
    attending: str | None
    diagnoses: list[DiagnosisOut]
    procedures: list[ProcedureOut]
    documents: list[ChartDocument]


class ChartOut(Public):
    """The chart: demographics, then each encounter with its codes and documents.

    ``documents_shown`` is false for a role without ``document.read``: the lists are empty
    rather than showing titles that role may not open."""

    patient: PatientDetail
    encounters: list[ChartEncounter]
    other_documents: list[ChartDocument]  # not linked to an encounter
    documents_shown: bool

    @classmethod
    def of(cls, chart: Chart, *, documents_shown: bool) -> ChartOut:
        names = chart.names
        docs = chart.documents if documents_shown else []
        encounter_ids = {e.id for e in chart.encounters}
        return cls(
            patient=PatientDetail.of(chart.patient),
            encounters=[_chart_encounter(chart, e, docs) for e in chart.encounters],
            other_documents=[ChartDocument.of(doc, names) for doc in docs if doc.encounter_id not in encounter_ids],
            documents_shown=documents_shown,
        )


def _chart_encounter(chart: Chart, e: d.Encounter, docs: list[d.Document]) -> ChartEncounter:
    names = chart.names
    attending = next((p.provider_id for p in e.providers if p.role == "attending"), None)
    return ChartEncounter(
        **EncounterOut.of(e, names).model_dump(),
        facility=names.get(e.facility_id) if e.facility_id else None,
        payer=names.get(e.payer_id) if e.payer_id else None,
        attending=names.get(attending) if attending else None,
        diagnoses=[DiagnosisOut.of(dx) for dx in chart.diagnoses_of(e.id)],
        procedures=[ProcedureOut.of(px) for px in chart.procedures_of(e.id)],
        documents=[ChartDocument.of(doc, names) for doc in docs if doc.encounter_id == e.id],
    )

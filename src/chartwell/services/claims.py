"""Use cases of the billing specialist: build a claim from a coded encounter, scrub it, list and
show claims, export the queued claims of one kind as an 837 batch, replace or void a claim.

An export is one transaction: the control numbers (ISA13, GS06) taken under a row lock, the
batch row, the claims' status and the file. The file is written beside its final name and moved
into place as the last step before the commit; if the commit fails, the file is removed. So
either the batch, its numbers, the claims' statuses and the file all exist, or none does: a
failed export sent nothing and its numbers are free again (a number that left is never reused).
Audit events carry ids, counts and statuses, never patient data.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from chartwell.claims.assembly import (
    BillingInputs,
    ClaimOptions,
    assemble_claim,
    follow_up_claim,
    kind_of,
)
from chartwell.claims.cms1500 import PrintOptions, cms1500_pdf
from chartwell.claims.config import BillingConfig, load_config
from chartwell.claims.document import claim_from_document, claim_to_document
from chartwell.claims.scrubber import ScrubResult, scrub
from chartwell.claims.x12.writer import Envelope, Party
from chartwell.claims.x837 import Submission, write_837
from chartwell.compliance.roles import Permission
from chartwell.domain.claims import Claim, ClaimKind, ClaimStatus, Frequency
from chartwell.domain.coded import Setting
from chartwell.errors import Conflict, InvalidInput, NotFound, Position
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.settings import get_settings
from chartwell.store import billing, queries
from chartwell.store.billing import BillingClaimRow, ClaimBatchRow

REBUILDABLE = {ClaimStatus.HELD, ClaimStatus.QUEUED}
FOLLOWS_UP = {ClaimStatus.EXPORTED, ClaimStatus.ACCEPTED, ClaimStatus.PAID,
              ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED, ClaimStatus.REJECTED}


@dataclass(slots=True)
class StoredClaim:
    id: uuid.UUID
    status: ClaimStatus
    claim: Claim
    findings: list[dict]
    encounter_id: uuid.UUID | None
    batch_id: uuid.UUID | None
    replaces_claim_id: uuid.UUID | None
    payer_claim_number: str | None

    def to_json(self, *, with_claim: bool = True) -> dict[str, Any]:
        answer = {"id": str(self.id), "status": str(self.status),
                  "patient_control_number": self.claim.patient_control_number,
                  "kind": str(self.claim.kind), "frequency": self.claim.frequency.value,
                  "total_charge": str(self.claim.total_charge),
                  "payer": self.claim.payer.name, "payer_id": self.claim.payer.payer_id,
                  "encounter_id": str(self.encounter_id) if self.encounter_id else None,
                  "batch_id": str(self.batch_id) if self.batch_id else None,
                  "replaces_claim_id": str(self.replaces_claim_id) if self.replaces_claim_id else None,
                  "findings": self.findings}
        if with_claim:
            answer["claim"] = claim_to_document(self.claim)
        return answer


def _stored(row: BillingClaimRow) -> StoredClaim:
    return StoredClaim(row.id, ClaimStatus(row.status), claim_from_document(row.document),
                       list(row.findings), row.encounter_id, row.batch_id, row.replaces_claim_id,
                       row.payer_claim_number)


def billing_config() -> BillingConfig:
    return load_config(get_settings().data_dir)


# -- build and scrub ---------------------------------------------------------------------------


def _inputs(session: Session, encounter_id: uuid.UUID) -> tuple[BillingInputs, Any]:
    from chartwell.services.coding import coded_encounter

    encounter = queries.get_encounter(session, encounter_id)
    if encounter is None:
        raise NotFound("no such encounter", Position(resource=f"Encounter {encounter_id}"))
    patient = queries.get_patient(session, encounter.patient_id)
    diagnoses = queries.diagnoses_of(session, patient.id)
    procedures = queries.procedures_of(session, patient.id)
    coded = coded_encounter(patient, encounter, diagnoses, procedures)
    inputs = BillingInputs(
        patient=patient, encounter=encounter, diagnoses=diagnoses, procedures=procedures,
        charges=billing.charges_of_encounter(session, encounter_id),
        providers=billing.providers_by_id(session, (p.provider_id for p in encounter.providers)),
        payer=billing.payer_of(session, encounter.payer_id),
        coverage=billing.coverage_of(session, encounter.coverage_id, patient.id,
                                     encounter.payer_id),
        drg=_drg(session, coded))
    return inputs, coded


def _drg(session: Session, coded) -> str | None:
    if coded.setting is not Setting.INPATIENT or not coded.diagnoses:
        return None
    from chartwell.services import drg

    try:
        grouped = drg.group_one(drg.References.of(session), coded).to_json()
    except InvalidInput:
        return None
    value = grouped.get("drg")
    return f"{int(value):03d}" if value not in (None, "", 0) else None


def _edit_findings(session: Session, coded) -> list:
    if not coded.diagnoses:
        return []
    from chartwell.services.edits import References, check_encounter

    return check_encounter(References(session), coded).findings


def _scrub(claim: Claim, config: BillingConfig, edit_findings, today: date) -> ScrubResult:
    payer = config.payer_for(claim.payer.name, claim.payer.payer_id)
    return scrub(claim, rules=payer.rules if payer else None, today=today,
                 edit_findings=edit_findings)


def build_claim(*, session: Session, actor: Actor, encounter_id: uuid.UUID,
                options: ClaimOptions = ClaimOptions(), today: date | None = None) -> StoredClaim:
    """Assemble, scrub and keep the claim of a coded encounter (held or queued). Building
    again replaces a claim still held or queued; a claim already sent is replaced or voided
    instead (``follow_up``)."""
    audit.authorize(session, actor, Permission.CLAIM_WRITE, resource_type="Encounter",
                    resource_id=encounter_id)
    config = billing_config()
    inputs, coded = _inputs(session, encounter_id)
    claim = assemble_claim(inputs, config, options)
    result = _scrub(claim, config, _edit_findings(session, coded), today or date.today())
    row = billing.claim_row_by_control_number(session, claim.patient_control_number)
    if row is not None and ClaimStatus(row.status) not in REBUILDABLE:
        raise Conflict(f"claim {claim.patient_control_number} was already {row.status}: replace "
                       f"or void it (claims replace|void {row.id})",
                       Position(resource=f"Encounter {encounter_id}"))
    row = _save(session, row, claim, result, encounter_id, inputs.patient.id)
    audit.record(session, actor, "claim.build", resource_type="Claim", resource_id=row.id,
                 patient_id=inputs.patient.id,
                 details={"kind": str(claim.kind), "status": row.status,
                          "findings": len(result.findings)})
    return _stored(row)


def _save(session: Session, row: BillingClaimRow | None, claim: Claim, result: ScrubResult,
          encounter_id, patient_id, replaces: uuid.UUID | None = None) -> BillingClaimRow:
    now = datetime.now(UTC)
    first = claim.first_date_of_service
    values = dict(
        patient_control_number=claim.patient_control_number, kind=str(claim.kind),
        frequency=claim.frequency.value, status=str(result.status), encounter_id=encounter_id,
        patient_id=patient_id, payer_identifier=claim.payer.payer_id or "",
        payer_name=claim.payer.name or "", total_charge=claim.total_charge,
        balance=claim.total_charge,
        first_date_of_service=datetime(first.year, first.month, first.day, tzinfo=UTC) if first else None,
        document=claim_to_document(claim), findings=[f.to_json() for f in result.findings],
        updated_at=now)
    if row is None:
        row = BillingClaimRow(id=uuid.uuid4(), created_at=now, replaces_claim_id=replaces,
                              payer_claim_number=None, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()
    return row


def _row(session: Session, claim_id: uuid.UUID) -> BillingClaimRow:
    row = session.get(BillingClaimRow, claim_id)
    if row is None:
        raise NotFound("no such claim", Position(resource=f"Claim {claim_id}"))
    return row


def scrub_claim(*, session: Session, actor: Actor, claim_id: uuid.UUID,
                today: date | None = None) -> StoredClaim:
    """Scrub a held or queued claim again (after the codes or billing.toml changed)."""
    audit.authorize(session, actor, Permission.CLAIM_WRITE, resource_type="Claim",
                    resource_id=claim_id)
    row = _row(session, claim_id)
    if ClaimStatus(row.status) not in REBUILDABLE:
        raise Conflict(f"the claim is {row.status}: only held or queued claims are scrubbed",
                       Position(resource=f"Claim {claim_id}"))
    claim = claim_from_document(row.document)
    findings = []
    if row.encounter_id is not None:
        _, coded = _inputs(session, row.encounter_id)
        findings = _edit_findings(session, coded)
    result = _scrub(claim, billing_config(), findings, today or date.today())
    row.status, row.findings = str(result.status), [f.to_json() for f in result.findings]
    row.updated_at = datetime.now(UTC)
    session.flush()
    audit.record(session, actor, "claim.scrub", resource_type="Claim", resource_id=row.id,
                 patient_id=row.patient_id, details={"status": row.status,
                                                     "findings": len(result.findings)})
    return _stored(row)


def get_claim(*, session: Session, actor: Actor, claim_id: uuid.UUID) -> StoredClaim:
    audit.authorize(session, actor, Permission.CLAIM_READ, resource_type="Claim",
                    resource_id=claim_id)
    row = _row(session, claim_id)
    audit.record(session, actor, "claim.read", resource_type="Claim", resource_id=row.id,
                 patient_id=row.patient_id)
    return _stored(row)


def print_claim(*, session: Session, actor: Actor, claim_id: uuid.UUID,
                today: date | None = None) -> bytes:
    """A professional claim on the CMS-1500 (02/12) form, as PDF bytes: for payers that still
    take paper, and for the patient's copy. The print is a disclosure of the claim's contents,
    so it is its own audit event. The amount paid (item 29) is what postings have taken off."""
    audit.authorize(session, actor, Permission.CLAIM_READ, resource_type="Claim",
                    resource_id=claim_id)
    row = _row(session, claim_id)
    claim = claim_from_document(row.document)
    paid = Decimal(row.total_charge) - Decimal(row.balance)
    pdf = cms1500_pdf(claim, PrintOptions(signed_on=today or date.today(),
                                          amount_paid=paid if paid > 0 else None))
    audit.record(session, actor, "claim.print", resource_type="Claim", resource_id=row.id,
                 patient_id=row.patient_id, details={"form": "CMS-1500", "bytes": len(pdf)})
    return pdf


def list_claims(*, session: Session, actor: Actor, status: str | None = None,
                kind: str | None = None, limit: int = 100, offset: int = 0) -> list[StoredClaim]:
    audit.authorize(session, actor, Permission.CLAIM_READ, resource_type="Claim")
    if status is not None and status not in {s.value for s in ClaimStatus}:
        raise InvalidInput(f"unknown status (one of {', '.join(s.value for s in ClaimStatus)})",
                           Position(field="status"))
    rows = billing.claim_rows(session, status=status, kind=kind, limit=limit, offset=offset)
    audit.record(session, actor, "claim.list", resource_type="Claim",
                 details={"claims": len(rows), "status": status})
    return [_stored(row) for row in rows]


def follow_up(*, session: Session, actor: Actor, claim_id: uuid.UUID, frequency: Frequency,
              payer_claim_number: str | None = None, today: date | None = None) -> StoredClaim:
    """A replacement (7) or void (8) of a claim already sent, with the payer's claim number
    (from the 835 that answered it, or given here)."""
    audit.authorize(session, actor, Permission.CLAIM_WRITE, resource_type="Claim",
                    resource_id=claim_id)
    original = _row(session, claim_id)
    if ClaimStatus(original.status) not in FOLLOWS_UP:
        raise Conflict(f"the claim is {original.status}: only a claim already sent can be "
                       f"replaced or voided (a held or queued one is rebuilt)",
                       Position(resource=f"Claim {claim_id}"))
    number = payer_claim_number or original.payer_claim_number
    if not number:
        raise InvalidInput("the payer claim number of the original is unknown: give it "
                           "(--payer-claim-number)", Position(field="payer_claim_number"))
    sequence = 1 + sum(1 for row in billing.claim_rows(session, limit=10_000)
                       if row.replaces_claim_id == original.id)
    claim = follow_up_claim(claim_from_document(original.document), frequency, number, sequence)
    result = _scrub(claim, billing_config(), [], today or date.today())
    row = _save(session, None, claim, result, original.encounter_id, original.patient_id,
                replaces=original.id)
    audit.record(session, actor, f"claim.{'replace' if frequency is Frequency.REPLACEMENT else 'void'}",
                 resource_type="Claim", resource_id=row.id, patient_id=row.patient_id,
                 details={"replaces": str(original.id), "status": row.status})
    return _stored(row)


# -- export ------------------------------------------------------------------------------------


@dataclass(slots=True)
class ExportResult:
    batch_id: uuid.UUID
    kind: ClaimKind
    file: str
    claims: int
    interchange_control_number: int
    group_control_number: int
    total_charge: str

    def to_json(self) -> dict[str, Any]:
        return {"batch_id": str(self.batch_id), "kind": str(self.kind), "file": self.file,
                "claims": self.claims,
                "interchange_control_number": self.interchange_control_number,
                "group_control_number": self.group_control_number,
                "total_charge": self.total_charge}


def export_claims(*, session: Session, actor: Actor, kind: ClaimKind, out: Path,
                  now: datetime | None = None) -> ExportResult:
    """Every queued claim of ``kind`` into one 837 interchange at ``out`` (see the module
    docstring for why it is all or nothing)."""
    audit.authorize(session, actor, Permission.CLAIM_WRITE, resource_type="ClaimBatch")
    config = billing_config()
    out = Path(out)
    if out.exists():
        raise Conflict("the file exists already: an export never overwrites a batch",
                       Position(file=str(out)))
    if not out.parent.is_dir():
        raise InvalidInput("no such folder", Position(file=str(out.parent)))
    rows = billing.claim_rows(session, status=ClaimStatus.QUEUED.value, kind=str(kind),
                              limit=1_000_000, for_update=True)
    if not rows:
        raise InvalidInput(f"no queued {kind} claim to export", Position(field="status"))
    numbers = billing.take_control_numbers(session)
    now = now or datetime.now(UTC)
    batch_id = uuid.uuid4()
    text = write_837([claim_from_document(row.document) for row in rows], kind=kind,
                     submission=_submission(config, numbers["ISA13"], now),
                     envelope=_envelope(config, now),
                     interchange_control=numbers["ISA13"], group_control=numbers["GS06"])
    session.add(ClaimBatchRow(id=batch_id, kind=str(kind),
                              interchange_control_number=numbers["ISA13"],
                              group_control_number=numbers["GS06"], claim_count=len(rows),
                              file_name=out.name, status="exported", created_at=now))
    session.flush()
    for row in rows:
        row.status, row.batch_id, row.updated_at = ClaimStatus.EXPORTED.value, batch_id, now
    total = sum((row.total_charge for row in rows), start=0)
    audit.record(session, actor, "claim.export", resource_type="ClaimBatch", resource_id=batch_id,
                 details={"kind": str(kind), "claims": len(rows),
                          "interchange_control_number": numbers["ISA13"]})
    session.flush()
    _place_file(session, out, text)
    return ExportResult(batch_id, kind, str(out), len(rows), numbers["ISA13"], numbers["GS06"],
                        str(total))


def _submission(config: BillingConfig, interchange: int, now: datetime) -> Submission:
    s, r = config.submitter, config.receiver
    return Submission(s.name, s.id, s.contact_name, s.contact_phone, r.name, r.id,
                      f"{interchange:09d}", now)


def _envelope(config: BillingConfig, now: datetime) -> Envelope:
    s, r = config.submitter, config.receiver
    return Envelope(Party(s.id, s.id), Party(r.id, r.id), now, usage=config.usage)


def _place_file(session: Session, out: Path, text: str) -> None:
    """Write beside the final name, then move into place; removed again if the transaction
    rolls back after this point (the commit failed)."""
    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex}.part")
    try:
        with partial.open("w", encoding="ascii", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, out)
    except (OSError, UnicodeEncodeError) as error:
        partial.unlink(missing_ok=True)
        raise InvalidInput(f"cannot write the batch ({getattr(error, 'strerror', None) or error})",
                           Position(file=str(out))) from None

    def remove(_session) -> None:
        out.unlink(missing_ok=True)

    def keep(_session) -> None:
        if event.contains(session, "after_rollback", remove):
            event.remove(session, "after_rollback", remove)

    event.listen(session, "after_rollback", remove, once=True)
    event.listen(session, "after_commit", keep, once=True)


__all__ = ["ClaimOptions", "ExportResult", "StoredClaim", "build_claim", "export_claims",
           "follow_up", "get_claim", "kind_of", "list_claims", "scrub_claim"]

"""Writing and verifying the audit trail, and the permission check that feeds it.

Every read, search, export or change of patient data goes through :func:`record` in the
transaction that does the work, so an event exists exactly when the work happened. A refused
attempt is recorded in a transaction of its own, since the work's transaction is rolled back.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import orjson
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chartwell.compliance.audit import AuditEvent, ChainVerdict, chain_digest, verify_chain
from chartwell.compliance.roles import Permission, has_permission
from chartwell.errors import PermissionDenied
from chartwell.services.actor import Actor
from chartwell.settings import get_settings
from chartwell.store import tables as t
from chartwell.store.db import transaction

log = logging.getLogger(__name__)

_KEY_FILE = "audit.key"


def audit_key() -> bytes:
    """The HMAC key of the chain: from settings, else a key file made once in the data dir."""
    settings = get_settings()
    if settings.audit_key:
        return settings.audit_key.encode("utf-8")
    return _key_file(settings.data_dir.resolve())


@lru_cache(maxsize=8)
def _key_file(data_dir: Path) -> bytes:
    """Read (or create) the key file once per data dir: every audited request needs the key,
    and it never changes while the process runs."""
    path = data_dir / _KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode("ascii")


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    outcome: str = "success",
    resource_type: str | None = None,
    resource_id: object = None,
    patient_id: object = None,
    details: dict | None = None,
) -> int:
    """Append one event to the chain inside ``session``'s transaction; returns its sequence."""
    head = session.execute(
        select(t.AuditHeadRow).where(t.AuditHeadRow.id == 1).with_for_update()
    ).scalar_one()
    event = AuditEvent(
        sequence=head.sequence + 1,
        occurred_at=datetime.now(UTC),
        username=actor.username,
        role=str(actor.role),
        action=action,
        outcome=outcome,
        resource_type=resource_type,
        resource_id=None if resource_id is None else str(resource_id),
        patient_id=None if patient_id is None else str(patient_id),
        source_ip=actor.source_ip,
        reason=actor.reason,
        details=None if details is None else orjson.dumps(details, option=orjson.OPT_SORT_KEYS).decode(),
    )
    digest = chain_digest(audit_key(), head.digest, event)
    session.add(t.AuditEventRow(**_event_columns(event), previous_digest=head.digest, digest=digest))
    session.execute(
        update(t.AuditHeadRow).where(t.AuditHeadRow.id == 1).values(sequence=event.sequence, digest=digest)
    )
    session.flush()
    return event.sequence


def _event_columns(event: AuditEvent) -> dict:
    return {name: getattr(event, name) for name in AuditEvent.__slots__}


def authorize(
    session: Session,
    actor: Actor,
    permission: Permission,
    *,
    resource_type: str | None = None,
    resource_id: object = None,
    patient_id: object = None,
) -> None:
    """Raise :class:`PermissionDenied` (and record the refusal) unless the actor's role has
    ``permission``."""
    if has_permission(actor.role, permission):
        return
    with transaction(session.get_bind()) as own:
        record(
            own, actor, str(permission), outcome="denied",
            resource_type=resource_type, resource_id=resource_id, patient_id=patient_id,
        )
    log.info("permission %s refused to role %s", permission, actor.role)
    raise PermissionDenied(f"the role {actor.role} does not have the permission {permission}")


def _stored_event(row: t.AuditEventRow) -> AuditEvent:
    occurred_at = row.occurred_at
    if occurred_at.tzinfo is None:  # SQLite hands timestamps back naive; they were stored in UTC
        occurred_at = occurred_at.replace(tzinfo=UTC)
    return AuditEvent(
        **{name: getattr(row, name) for name in AuditEvent.__slots__ if name != "occurred_at"},
        occurred_at=occurred_at,
    )


def verify(*, session: Session, actor: Actor) -> ChainVerdict:
    """Check the whole chain and its head; the check itself is recorded after it ran."""
    authorize(session, actor, Permission.AUDIT_VERIFY)
    rows = session.scalars(select(t.AuditEventRow).order_by(t.AuditEventRow.sequence)).yield_per(2000)
    head = session.execute(select(t.AuditHeadRow.sequence, t.AuditHeadRow.digest)).first()
    verdict = verify_chain(
        audit_key(),
        ((_stored_event(row), row.previous_digest, row.digest) for row in rows),
        tuple(head) if head else None,
    )
    record(
        session, actor, "audit.verify", outcome="success" if verdict.ok else "failed",
        details={"events": verdict.events, "first_bad_event": verdict.first_bad_event},
    )
    return verdict


def list_events(
    *, session: Session, actor: Actor, patient_id: str | None = None, limit: int = 100, offset: int = 0
) -> list[AuditEvent]:
    authorize(session, actor, Permission.AUDIT_READ)
    query = select(t.AuditEventRow).order_by(t.AuditEventRow.sequence.desc())
    if patient_id:
        query = query.where(t.AuditEventRow.patient_id == patient_id)
    rows = session.scalars(query.limit(limit).offset(offset)).all()
    record(session, actor, "audit.read", patient_id=patient_id, details={"returned": len(rows)})
    return [_stored_event(row) for row in rows]


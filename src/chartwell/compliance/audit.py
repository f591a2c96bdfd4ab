"""The audit chain: each event's digest covers its own fields and the digest before it.

An HMAC-SHA256 keyed with the installation's audit key (not a bare hash) so that someone who
can write to the table but does not hold the key cannot rebuild the chain after editing it.
Editing an event breaks its own digest; deleting one breaks the link of the event after it;
reordering breaks both. The head (last sequence and digest) is kept beside the chain so that
cutting events off the end is seen too. Pure functions: the store reads and writes the rows.

Sources: HIPAA Security Rule 45 CFR 164.312(b) (audit controls) and 164.312(c)(1) (integrity).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import orjson

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Who did what to which patient's data, when, from where and why."""

    sequence: int
    occurred_at: datetime
    username: str
    role: str
    action: str  # e.g. patient.read, patient.search, document.amend, records.import
    outcome: str  # success, denied, failed
    resource_type: str | None = None
    resource_id: str | None = None
    patient_id: str | None = None
    source_ip: str | None = None
    reason: str | None = None  # purpose of use: treatment, payment, operations, ...
    details: str | None = None  # a JSON object of non-PHI specifics (counts, query kind)


def canonical(event: AuditEvent) -> bytes:
    """The bytes the digest covers: every field, in a fixed order, timestamps in UTC ISO form."""
    return orjson.dumps(
        [
            event.sequence,
            event.occurred_at.isoformat(timespec="microseconds"),
            event.username,
            event.role,
            event.action,
            event.outcome,
            event.resource_type,
            event.resource_id,
            event.patient_id,
            event.source_ip,
            event.reason,
            event.details,
        ]
    )


def chain_digest(key: bytes, previous_digest: str, event: AuditEvent) -> str:
    mac = hmac.new(key, previous_digest.encode("ascii"), hashlib.sha256)
    mac.update(canonical(event))
    return mac.hexdigest()


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    ok: bool
    events: int
    first_bad_event: int | None = None
    reason: str | None = None


def verify_chain(
    key: bytes,
    rows: Iterable[tuple[AuditEvent, str, str]],
    head: tuple[int, str] | None,
) -> ChainVerdict:
    """Walk ``(event, previous_digest, digest)`` rows in stored order and say where it breaks.

    ``head`` is the (sequence, digest) recorded when the last event was written.
    """
    expected_previous = GENESIS
    expected_sequence = 1
    count = 0
    for event, previous_digest, digest in rows:
        count += 1
        if event.sequence != expected_sequence:
            kind = "missing or reordered" if event.sequence > expected_sequence else "reordered"
            return ChainVerdict(
                False, count, event.sequence,
                f"sequence {event.sequence} where {expected_sequence} was expected: events "
                f"{kind}",
            )
        if previous_digest != expected_previous:
            return ChainVerdict(
                False, count, event.sequence,
                "the link to the previous event does not match: an event before it was "
                "deleted, edited or moved",
            )
        if not hmac.compare_digest(chain_digest(key, previous_digest, event), digest):
            return ChainVerdict(
                False, count, event.sequence, "the event's content does not match its digest"
            )
        expected_previous = digest
        expected_sequence += 1
    last_sequence = expected_sequence - 1
    if head is not None and (head[0] != last_sequence or head[1] != expected_previous):
        return ChainVerdict(
            False, count, last_sequence + 1 if head[0] > last_sequence else head[0],
            f"the chain ends at event {last_sequence} but its head records event {head[0]}: "
            "events were removed from the end",
        )
    if head is None and count:
        return ChainVerdict(False, count, None, "the chain has events but no head")
    return ChainVerdict(True, count)

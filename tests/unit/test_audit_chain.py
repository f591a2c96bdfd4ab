"""The chain's pure part: what an edit, a deletion, a reordering or a cut tail looks like."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chartwell.compliance.audit import GENESIS, AuditEvent, chain_digest, verify_chain

KEY = b"k" * 32


def _chain(n: int) -> list[tuple[AuditEvent, str, str]]:
    rows, previous = [], GENESIS
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        event = AuditEvent(i, start + timedelta(seconds=i), "coder1", "coder", "patient.read", "success",
                           "Patient", f"p{i}", f"p{i}")
        digest = chain_digest(KEY, previous, event)
        rows.append((event, previous, digest))
        previous = digest
    return rows


def _head(rows):
    return (rows[-1][0].sequence, rows[-1][2]) if rows else (0, GENESIS)


def test_untouched_chain_verifies():
    rows = _chain(5)
    verdict = verify_chain(KEY, rows, _head(rows))
    assert verdict.ok and verdict.events == 5 and verdict.first_bad_event is None


def test_empty_chain_verifies():
    assert verify_chain(KEY, [], (0, GENESIS)).ok


def test_edited_event_is_named():
    rows = _chain(5)
    event, previous, digest = rows[2]
    rows[2] = (replace(event, username="someone-else"), previous, digest)
    verdict = verify_chain(KEY, rows, _head(rows))
    assert not verdict.ok and verdict.first_bad_event == 3
    assert "content" in verdict.reason


def test_deleted_event_names_the_one_after_the_gap():
    rows = _chain(5)
    del rows[1]
    verdict = verify_chain(KEY, rows, _head(rows))
    assert not verdict.ok and verdict.first_bad_event == 3


def test_deleted_and_renumbered_is_still_seen():
    rows = _chain(5)
    del rows[1]
    rows = [(replace(e, sequence=i + 1), p, d) for i, (e, p, d) in enumerate(rows)]
    verdict = verify_chain(KEY, rows, (4, rows[-1][2]))
    assert not verdict.ok and verdict.first_bad_event == 2


def test_reordered_events_are_named():
    rows = _chain(5)
    rows[1], rows[2] = rows[2], rows[1]
    verdict = verify_chain(KEY, rows, _head(rows))
    assert not verdict.ok and verdict.first_bad_event == 3


def test_cut_tail_is_seen_through_the_head():
    rows = _chain(5)
    head = _head(rows)
    verdict = verify_chain(KEY, rows[:3], head)
    assert not verdict.ok and verdict.first_bad_event == 4


@pytest.mark.parametrize("key", [b"another key", b""])
def test_a_chain_rebuilt_without_the_key_fails(key):
    rows = _chain(3)
    forged, previous = [], GENESIS
    for event, _, _ in rows:
        digest = chain_digest(key, previous, event)
        forged.append((event, previous, digest))
        previous = digest
    verdict = verify_chain(KEY, forged, _head(forged))
    assert not verdict.ok and verdict.first_bad_event == 1

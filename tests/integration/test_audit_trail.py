"""The audit trail on a real store: append-only, chained, and `chartwell audit verify` names
the event after tampering. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from chartwell.compliance.roles import Role
from chartwell.services import accounts, audit
from chartwell.services.actor import Actor
from chartwell.store.db import transaction
from cli_runner import chartwell

ADMIN = Actor(username="test-admin", role=Role.ADMIN, source_ip="127.0.0.1")


def _make_events(engine, n_logins: int = 4) -> None:
    with transaction(engine) as session:
        accounts.add_user(session=session, actor=ADMIN, username="coder1", role=Role.CODER,
                          password="correct horse battery")
    for _ in range(n_logins):
        with transaction(engine) as session:
            accounts.login(session=session, username="coder1", password="correct horse battery", kind="api")


def _drop_append_only_guard(engine) -> None:
    """What an attacker with the database owner's rights would do first."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_untouched_store_verifies(store):
    _make_events(store)
    code, answer, _ = chartwell("audit", "verify", "--json")
    assert code == 0
    assert answer == {"ok": True, "events": 5, "first_bad_event": None, "reason": None}


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET username = 'x' WHERE sequence = 2",
                                       "DELETE FROM audit_events WHERE sequence = 2"])
def test_events_cannot_be_changed_through_the_database(store, statement):
    _make_events(store, 1)
    with pytest.raises(DBAPIError, match="append-only"), store.begin() as conn:
        conn.execute(text(statement))


@pytest.mark.parametrize(
    "tamper, bad_event",
    [
        ("UPDATE audit_events SET username = 'someone-else' WHERE sequence = 3", 3),
        ("UPDATE audit_events SET occurred_at = occurred_at WHERE sequence = 3", None),
        ("DELETE FROM audit_events WHERE sequence = 2", 3),
        ("DELETE FROM audit_events WHERE sequence = 5", 5),
    ],
)
def test_verify_names_the_tampered_event(store, tamper, bad_event):
    _make_events(store)
    _drop_append_only_guard(store)
    with store.begin() as conn:
        conn.execute(text(tamper))
    code, answer, _ = chartwell("audit", "verify", "--json")
    if bad_event is None:  # rewriting a value with itself is no tampering
        assert code == 0 and answer["ok"]
        return
    assert code == 1
    assert answer["ok"] is False and answer["first_bad_event"] == bad_event
    assert answer["reason"]


def test_reordering_is_detected(store):
    _make_events(store)
    _drop_append_only_guard(store)
    with store.begin() as conn:  # move event 1 (user.add) after event 2 (a login), rows intact
        for old, new in ((1, 1000), (2, 1), (1000, 2)):
            conn.execute(text("UPDATE audit_events SET sequence = :new WHERE sequence = :old"),
                         {"old": old, "new": new})
    code, answer, _ = chartwell("audit", "verify", "--json")
    assert code == 1 and answer["first_bad_event"] == 1


def test_refused_attempt_is_recorded(store):
    _make_events(store, 0)
    coder = Actor(username="coder1", role=Role.CODER)
    with pytest.raises(Exception, match="user.manage"), transaction(store) as session:
        accounts.list_users(session=session, actor=coder)
    with transaction(store) as session:
        events = audit.list_events(session=session, actor=ADMIN)
    refused = [e for e in events if e.outcome == "denied"]
    assert [(e.username, e.action) for e in refused] == [("coder1", "user.manage")]

"""`chartwell db upgrade` and `chartwell users add` through the real CLI."""

from __future__ import annotations

from chartwell.store.migrate import head_revision
from cli_runner import chartwell


def test_db_upgrade_is_repeatable(sqlite_store):
    for _ in range(2):
        code, answer, _ = chartwell("db", "upgrade", "--json")
        assert code == 0 and answer["revision"] == head_revision()


def test_users_add_and_list(store):
    code, answer, _ = chartwell("users", "add", "ana", "--role", "coder", "--password", "a long passphrase", "--json")
    assert code == 0 and answer["role"] == "coder"
    code, answer, _ = chartwell("users", "list", "--json")
    assert [u["username"] for u in answer] == ["ana"]


def test_users_add_refuses_bad_input(sqlite_store):
    code, answer, _ = chartwell("users", "add", "ana", "--role", "coder", "--password", "short", "--json")
    assert code == 1 and "10 characters" in answer["error"]["message"]
    code, _, output = chartwell("users", "add", "Ana Smith!", "--role", "coder", "--password", "a long passphrase")
    assert code == 1 and "user name" in output
    code, _, _ = chartwell("users", "add", "ana", "--role", "pope", "--password", "a long passphrase")
    assert code == 2  # usage error: no such role


def test_users_add_twice_conflicts(sqlite_store):
    chartwell("users", "add", "ana", "--role", "coder", "--password", "a long passphrase")
    code, answer, _ = chartwell("users", "add", "ana", "--role", "coder", "--password", "a long passphrase", "--json")
    assert code == 1 and "exists" in answer["error"]["message"]


def test_acting_as_a_user_without_the_permission(sqlite_store):
    chartwell("users", "add", "ana", "--role", "coder", "--password", "a long passphrase")
    code, answer, _ = chartwell("users", "list", "--user", "ana", "--json")
    assert code == 2 and answer["error"]["type"] == "PermissionDenied"

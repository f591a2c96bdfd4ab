"""Users, logins, web sessions and API tokens.

Secrets (session ids, tokens) are random 256-bit values handed to the client once; the store
keeps only their SHA-256, so a copy of the database opens no session.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chartwell.compliance.passwords import hash_password, password_problem, verify_password
from chartwell.compliance.roles import Permission, Role
from chartwell.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from chartwell.services import audit
from chartwell.services.actor import Actor
from chartwell.settings import get_settings
from chartwell.store import tables as t
from chartwell.store.db import transaction

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
# A fixed Argon2 hash checked when the user does not exist, so a wrong name costs as much
# time as a wrong password and the response time does not reveal which names exist.
_DUMMY_HASH = None


@dataclass(frozen=True, slots=True)
class User:
    id: uuid.UUID
    username: str
    full_name: str | None
    role: Role
    active: bool


@dataclass(frozen=True, slots=True)
class SessionGrant:
    """What a login hands the client: the secret (shown once) and, for the web, a CSRF token."""

    secret: str
    csrf_token: str | None
    expires_at: datetime
    user: User


def _user(row: t.UserRow) -> User:
    return User(row.id, row.username, row.full_name, Role(row.role), row.active)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def username_problem(username: str) -> str | None:
    if not 2 <= len(username) <= 80:
        return "a user name has 2 to 80 characters"
    if not set(username) <= USERNAME_CHARS:
        return "a user name uses lower-case letters, digits, '.', '_' and '-'"
    return None


def add_user(
    *, session: Session, actor: Actor, username: str, role: Role, password: str,
    full_name: str | None = None,
) -> User:
    audit.authorize(session, actor, Permission.USER_MANAGE)
    for problem in (username_problem(username), password_problem(password)):
        if problem:
            raise InvalidInput(problem)
    if session.scalar(select(t.UserRow.id).where(t.UserRow.username == username)):
        raise Conflict(f"the user {username} exists already")
    row = t.UserRow(
        id=uuid.uuid4(), username=username, full_name=full_name, role=str(role),
        password_hash=hash_password(password), active=True, created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "user.add", resource_type="User", resource_id=row.id,
                 details={"role": str(role)})
    return _user(row)


def list_users(*, session: Session, actor: Actor) -> list[User]:
    audit.authorize(session, actor, Permission.USER_MANAGE)
    return [_user(row) for row in session.scalars(select(t.UserRow).order_by(t.UserRow.username))]


def _check_password(session: Session, username: str, password: str) -> t.UserRow | None:
    global _DUMMY_HASH
    row = session.scalar(select(t.UserRow).where(t.UserRow.username == username))
    if row is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password(secrets.token_hex(16))
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row.password_hash, password) or not row.active:
        return None
    return row


def login(
    *, session: Session, username: str, password: str, kind: str, source_ip: str | None = None
) -> SessionGrant:
    """Open a web session (``kind='web'``) or issue an API token (``kind='api'``)."""
    row = _check_password(session, username, password)
    attempt = Actor(username=username[:80], role=Role(row.role) if row else Role.PROVIDER,
                    user_id=row.id if row else None, source_ip=source_ip)
    if row is None:
        # in a transaction of its own: the caller's unit of work is rolled back by the error
        with transaction(session.get_bind()) as own:
            audit.record(own, attempt, "auth.login", outcome="failed", details={"kind": kind})
        raise Unauthenticated("the user name or password is wrong")
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32) if kind == "web" else None
    now = datetime.now(UTC)
    expires = now + timedelta(hours=get_settings().session_hours)
    session.add(t.AuthSessionRow(
        secret_hash=_digest(secret), kind=kind, user_id=row.id, csrf_token=csrf,
        created_at=now, expires_at=expires, revoked=False,
    ))
    audit.record(session, attempt, "auth.login", details={"kind": kind})
    return SessionGrant(secret, csrf, expires, _user(row))


@dataclass(frozen=True, slots=True)
class OpenSession:
    actor: Actor
    user: User
    csrf_token: str | None


def resume(*, session: Session, secret: str, kind: str, source_ip: str | None = None) -> OpenSession:
    """The user behind a session cookie or bearer token, if it is still good."""
    row = session.execute(
        select(t.AuthSessionRow, t.UserRow)
        .join(t.UserRow, t.UserRow.id == t.AuthSessionRow.user_id)
        .where(t.AuthSessionRow.secret_hash == _digest(secret), t.AuthSessionRow.kind == kind)
    ).first()
    if row is None:
        raise Unauthenticated("not signed in")
    grant, user = row
    expires = grant.expires_at if grant.expires_at.tzinfo else grant.expires_at.replace(tzinfo=UTC)
    if grant.revoked or expires <= datetime.now(UTC) or not user.active:
        raise Unauthenticated("the session has ended; sign in again")
    actor = Actor(username=user.username, role=Role(user.role), user_id=user.id, source_ip=source_ip)
    return OpenSession(actor, _user(user), grant.csrf_token)


def logout(*, session: Session, secret: str, actor: Actor) -> None:
    session.execute(
        update(t.AuthSessionRow).where(t.AuthSessionRow.secret_hash == _digest(secret)).values(revoked=True)
    )
    audit.record(session, actor, "auth.logout")


def user_actor(*, session: Session, username: str, source_ip: str | None = None) -> Actor:
    """The CLI's ``--user NAME``: act as an existing, active user."""
    row = session.scalar(select(t.UserRow).where(t.UserRow.username == username))
    if row is None or not row.active:
        raise NotFound(f"no active user named {username}")
    return Actor(username=row.username, role=Role(row.role), user_id=row.id, source_ip=source_ip)


def set_password(*, session: Session, actor: Actor, username: str, password: str) -> None:
    """An administrator's password reset; every open session of the user ends with it."""
    audit.authorize(session, actor, Permission.USER_MANAGE)
    if problem := password_problem(password):
        raise InvalidInput(problem)
    row = session.scalar(select(t.UserRow).where(t.UserRow.username == username))
    if row is None:
        raise NotFound(f"no user named {username}")
    row.password_hash = hash_password(password)
    session.execute(update(t.AuthSessionRow).where(t.AuthSessionRow.user_id == row.id).values(revoked=True))
    audit.record(session, actor, "user.password_reset", resource_type="User", resource_id=row.id)

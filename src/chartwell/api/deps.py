"""Dependencies shared by the API routes and the pages.

A request gets one unit of work (:data:`DbSession`) and, on every route that is not public, a
:class:`Requirement`: it finds who is calling (a bearer token for ``/api``, the session cookie for
pages), checks the one permission the route declares and hands the route a :class:`SignedIn`.
The requirement stays on the route, so :func:`declared_requirement` can list who may call what.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from chartwell.compliance.roles import Permission
from chartwell.errors import PermissionDenied, Unauthenticated
from chartwell.services import accounts, audit
from chartwell.services.accounts import User
from chartwell.services.actor import Actor
from chartwell.settings import Settings, get_settings
from chartwell.store.db import engine_for, get_engine, transaction

SESSION_COOKIE = "chartwell_session"
LOGIN_CSRF_COOKIE = "chartwell_login_csrf"

_bearer = HTTPBearer(auto_error=False, description="a token from POST /api/auth/token")


def app_settings(request: Request) -> Settings:
    """The settings the app was created with, else the process's (read lazily)."""
    return request.app.state.settings or get_settings()


def app_engine(request: Request) -> Engine:
    state = request.app.state
    if state.engine is not None:
        return state.engine
    if state.settings is not None:
        return engine_for(state.settings.effective_database_url)
    return get_engine()


def db_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the route returns, before the response
    is sent, and rolled back when it raises."""
    with transaction(app_engine(request)) as session:
        yield session


def client_ip(request: Request) -> str | None:
    """The peer address, for the audit trail (a proxy's headers are trusted only through
    uvicorn's ``--forwarded-allow-ips``)."""
    return request.client.host if request.client else None


DbSession = Annotated[Session, Depends(db_session, scope="function")]
ClientIp = Annotated[str | None, Depends(client_ip)]
AppSettings = Annotated[Settings, Depends(app_settings)]


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The caller of a protected route: who they are and the secret that proved it."""

    actor: Actor
    user: User
    csrf_token: str | None
    secret: str


class Requirement:
    """Authenticate the caller and check ``permission`` (``None``: any signed-in user).

    Services check their permission again; a route's declaration refuses early, with nothing
    loaded, and is what a reader (or a test) sees."""

    kind = ""

    def __init__(self, permission: Permission | None):
        self.permission = permission

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.permission})"

    def _check(self, session: Session, secret: str | None, source_ip: str | None) -> SignedIn:
        if not secret:
            raise Unauthenticated("not signed in")
        opened = accounts.resume(session=session, secret=secret, kind=self.kind, source_ip=source_ip)
        if self.permission is not None:
            audit.authorize(session, opened.actor, self.permission)
        return SignedIn(opened.actor, opened.user, opened.csrf_token, secret)


class ApiRequirement(Requirement):
    """For ``/api`` routes: a bearer token from ``POST /api/auth/token``; cookies are ignored,
    so a cross-site request cannot ride on a browser's session."""

    kind = "api"

    def __call__(
        self,
        session: DbSession,
        source_ip: ClientIp,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> SignedIn:
        return self._check(session, credentials.credentials if credentials else None, source_ip)


class PageRequirement(Requirement):
    """For pages: the session cookie set by ``POST /login``."""

    kind = "web"

    def __call__(self, request: Request, session: DbSession, source_ip: ClientIp) -> SignedIn:
        return self._check(session, request.cookies.get(SESSION_COOKIE), source_ip)


def require(permission: Permission | None) -> ApiRequirement:
    return ApiRequirement(permission)


def require_page(permission: Permission | None) -> PageRequirement:
    return PageRequirement(permission)


def verify_csrf(caller: SignedIn, submitted: str) -> None:
    """A page form must echo its session's synchronizer token (OWASP CSRF cheat sheet)."""
    expected = caller.csrf_token or ""
    if not (expected and submitted and secrets.compare_digest(expected, submitted)):
        raise PermissionDenied("the form's security token is missing or out of date; reload the page")


def declared_requirement(route: APIRoute) -> Requirement | None:
    """The requirement a route declares, wherever it sits among its dependencies."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop()
        if isinstance(dependant.call, Requirement):
            return dependant.call
        pending.extend(dependant.dependencies)
    return None

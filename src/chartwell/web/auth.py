"""Signing in and out of the pages.

The login form has no session yet, so it is protected by a double-submit cookie: a random token
set with the form and echoed in it. Once signed in, forms carry the session's own token.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chartwell.api.deps import (
    LOGIN_CSRF_COOKIE, SESSION_COOKIE, AppSettings, ClientIp, DbSession, SignedIn, require_page, verify_csrf,
)
from chartwell.api.routes.patients import PLAIN_TEXT
from chartwell.errors import PermissionDenied, Unauthenticated
from chartwell.services import accounts
from chartwell.web.rendering import render, safe_next

router = APIRouter(include_in_schema=False)


def _login_form(request: Request, settings, *, next_path: str, error: str | None = None,
                status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", status=status, csrf_token=token, next_path=next_path, error=error)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=settings.cookie_secure, path="/login", max_age=3600)
    return response


def _check_login_token(request: Request, submitted: str) -> None:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not (expected and submitted and secrets.compare_digest(expected, submitted)):
        raise PermissionDenied("the login form's security token is missing or out of date; reload the page")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: AppSettings, next: str = "") -> HTMLResponse:
    return _login_form(request, settings, next_path=safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request, session: DbSession, settings: AppSettings, source_ip: ClientIp,
    username: Annotated[str, Form(max_length=80, pattern=PLAIN_TEXT)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "", next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Open a web session: the session cookie is HttpOnly and SameSite=Lax, Secure behind HTTPS."""
    _check_login_token(request, csrf_token)
    try:
        grant = accounts.login(session=session, username=username, password=password, kind="web",
                               source_ip=source_ip)
    except Unauthenticated:
        return _login_form(request, settings, next_path=safe_next(next), status=401,
                           error="The user name or password is wrong.")
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, grant.secret, expires=grant.expires_at, httponly=True, samesite="lax",
                        secure=settings.cookie_secure, path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(
    caller: Annotated[SignedIn, Depends(require_page(None))], session: DbSession, settings: AppSettings,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    verify_csrf(caller, csrf_token)
    accounts.logout(session=session, secret=caller.secret, actor=caller.actor)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.cookie_secure)
    return response

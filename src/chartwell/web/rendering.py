"""Templates, the page shell's context, error pages and safe redirects."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from chartwell.compliance.roles import Permission, Role, has_permission

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
HOME = "/patients"

ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.HIM_DIRECTOR: "HIM director",
    Role.CODER: "Coder",
    Role.CDI_SPECIALIST: "CDI specialist",
    Role.RECORDS_CLERK: "Records clerk",
    Role.BILLING_SPECIALIST: "Billing specialist",
    Role.AUDITOR: "Auditor",
    Role.PROVIDER: "Provider",
}


def _when(value: datetime | date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _day(value: datetime | date | None) -> str:
    if value is None:
        return "—"
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _label(value: object) -> str:
    """``history_and_physical`` -> ``History and physical``."""
    text = str(value or "").replace("_", " ")
    return text[:1].upper() + text[1:]


def _environment() -> Environment:
    # autoescape on for every template: names, notes and search text are untrusted input
    env = Environment(loader=FileSystemLoader(WEB_DIR / "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(when=_when, day=_day, number=_number, label=_label)
    env.globals.update(role_label=lambda role: ROLE_LABELS.get(Role(role), str(role)), Permission=Permission)
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, caller=None, *, status: int = 200, **context) -> HTMLResponse:
    """A page inside the shell: the signed-in user, their role, the sign-out form's token, and
    ``can(permission)`` for showing only what the role may use."""
    role = caller.actor.role if caller else None
    context.update(caller=caller, can=lambda permission: bool(role) and has_permission(role, permission))
    return templates.TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, status: int, message: str, headers: dict | None = None) -> HTMLResponse:
    response = render(request, "error.html", status=status, status_code=status, message=message)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def safe_next(target: str | None) -> str:
    """A local path to return to after login, else the home page: never another site
    (OWASP Unvalidated Redirects and Forwards)."""
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return HOME
    if any(ord(ch) < 0x20 or ch in "\\\x7f" for ch in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith(("/login", "/logout")):
        return HOME
    return target


def login_redirect(request: Request) -> RedirectResponse:
    """To the login page, remembering where a GET was going."""
    target = ""
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if safe_next(here) == here and here != HOME:
            target = f"?next={quote(here, safe='')}"
    return RedirectResponse(f"/login{target}", status_code=303)

"""The FastAPI app: JSON API under ``/api``, pages at the root, one stylesheet under ``/static``.

Nothing is created at import: :func:`create_app` builds the app, and the engine is taken from
the settings on the first request (or passed in).
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from chartwell.api import errors
from chartwell.api.deps import declared_requirement
from chartwell.api.headers import SecurityHeaders
from chartwell.api.routes import (auth, cac, claims, codes, documents, edits, encounters, health,
                                  patients, remittance)
from chartwell.settings import Settings
from chartwell.web import auth as web_auth, claims as web_claims, codes as web_codes, coding as web_coding
from chartwell.web import denials as web_denials, records as web_records
from chartwell.web.rendering import STATIC_DIR

API_ROUTERS = (health.router, auth.router, patients.router, encounters.router, documents.router,
               codes.router, edits.router, claims.router, remittance.router, cac.router)
PAGE_ROUTERS = (web_auth.router, web_records.router, web_codes.router, web_coding.router,
                web_claims.router, web_denials.router)


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """``settings`` decide the cookies' Secure flag and, unless ``engine`` is given, the
    database; by default the process's settings, read on the first request. Services read the
    process's settings for the rest (session lifetime, audit key)."""
    app = FastAPI(
        title="Chartwell", summary="Health information management workbench",
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    for router in API_ROUTERS + PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _document_permissions(app)
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    return app


def iter_routes(app: FastAPI) -> Iterator[RouteContext]:
    """Every route as served, included routers flattened (``app.routes`` holds the routers)."""
    return iter_route_contexts(app.routes)


def permission_label(route: APIRoute) -> str:
    """``patient.read``, ``signed-in`` (any user) or ``public``."""
    requirement = declared_requirement(route)
    if requirement is None:
        return "public"
    return str(requirement.permission) if requirement.permission else "signed-in"


def _document_permissions(app: FastAPI) -> None:
    """Add each API operation's permission to the OpenAPI description (``x-permission``)."""
    build = app.openapi

    def openapi() -> dict:
        schema = build()
        for context in iter_routes(app):
            route = context.original_route
            if not isinstance(route, APIRoute):
                continue
            for method in route.methods:
                operation = schema.get("paths", {}).get(context.path, {}).get(method.lower())
                if operation is not None:
                    operation["x-permission"] = permission_label(route)
        return schema

    app.openapi = openapi

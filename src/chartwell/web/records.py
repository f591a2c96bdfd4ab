"""The record pages: patient search, the chart, a document and its versions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chartwell.api.deps import DbSession, SignedIn, require_page, verify_csrf
from chartwell.api.routes.patients import PLAIN_TEXT
from chartwell.api.schemas import NO_NUL, ChartOut, DocumentPageOut, PageOut, PatientSummary
from chartwell.compliance.roles import Permission, has_permission
from chartwell.domain.records import VersionKind
from chartwell.errors import InvalidInput, NotFound
from chartwell.services import records
from chartwell.web.rendering import HOME, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
NEW_VERSION_KINDS = {VersionKind.AMENDMENT.value, VersionKind.ADDENDUM.value}


@router.get("/")
def home(_caller: Annotated[SignedIn, Depends(require_page(Permission.PATIENT_SEARCH))]) -> Response:
    return RedirectResponse(HOME, status_code=303)


@router.get("/patients", response_class=HTMLResponse)
def patient_search(
    request: Request, caller: Annotated[SignedIn, Depends(require_page(Permission.PATIENT_SEARCH))],
    session: DbSession, q: Annotated[str, Query(max_length=200, pattern=PLAIN_TEXT)] = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> HTMLResponse:
    """The search box, and for a query a page of matches; an empty box searches nothing."""
    page = None
    if q.strip():
        found = records.search_patients(session=session, actor=caller.actor, query=q, limit=PAGE_SIZE,
                                        offset=offset)
        page = PageOut[PatientSummary].of(found, PatientSummary.of)
    return render(request, "patients.html", caller, q=q, page=page)


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def chart_page(
    request: Request, patient_id: uuid.UUID,
    caller: Annotated[SignedIn, Depends(require_page(Permission.PATIENT_READ))], session: DbSession,
) -> HTMLResponse:
    chart = records.get_chart(session=session, actor=caller.actor, patient_id=patient_id)
    shown = has_permission(caller.actor.role, Permission.DOCUMENT_READ)
    return render(request, "chart.html", caller, chart=ChartOut.of(chart, documents_shown=shown))


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request, document_id: uuid.UUID,
    caller: Annotated[SignedIn, Depends(require_page(Permission.DOCUMENT_READ))], session: DbSession,
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> HTMLResponse:
    """The document as of ``version`` (default: now), and its history."""
    view = DocumentPageOut.of(records.get_document_in_chart(session=session, actor=caller.actor,
                                                            document_id=document_id))
    shown = view.document.version(version)
    if version is not None and shown is None:
        raise NotFound("this document has no such version")
    return render(request, "document.html", caller, view=view, shown=shown,
                  in_force=view.document.in_force(shown.number if shown else None))


@router.post("/documents/{document_id}/versions")
def add_version(
    document_id: uuid.UUID,
    caller: Annotated[SignedIn, Depends(require_page(Permission.DOCUMENT_WRITE))], session: DbSession,
    kind: Annotated[str, Form(max_length=20)] = "",
    text: Annotated[str, Form(max_length=200_000, pattern=NO_NUL)] = "",
    reason: Annotated[str, Form(max_length=500, pattern=NO_NUL)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Amend or add an addendum, then show the document again (post/redirect/get). The token is
    checked before anything else in the form is looked at."""
    verify_csrf(caller, csrf_token)
    if kind not in NEW_VERSION_KINDS:
        raise InvalidInput("choose amendment or addendum")
    records.add_document_version(session=session, actor=caller.actor, document_id=document_id, text=text,
                                 kind=VersionKind(kind), reason=reason)
    return RedirectResponse(f"/documents/{document_id}", status_code=303)

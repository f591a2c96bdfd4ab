"""The claim pages of a billing specialist: the claims worklist by status, one claim with its
service lines and what holds it (each finding with its rule, place on the claim and source),
and the forms that build a claim from a coded encounter and scrub a claim again.

Forms are POSTs that echo the session's CSRF token (checked before anything else is looked at)
and answer with a redirect to the claim (post/redirect/get).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chartwell.api.deps import DbSession, SignedIn, require_page, verify_csrf
from chartwell.compliance.roles import Permission
from chartwell.domain.claims import ClaimStatus
from chartwell.services import claims as service
from chartwell.services.claims import REBUILDABLE
from chartwell.web.rendering import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
STATUS_PATTERN = "^(" + "|".join(status.value for status in ClaimStatus) + ")?$"
CsrfToken = Annotated[str, Form(max_length=200)]


@router.get("/claims", response_class=HTMLResponse)
def claims_page(
    request: Request, session: DbSession,
    caller: Annotated[SignedIn, Depends(require_page(Permission.CLAIM_READ))],
    status: Annotated[str, Query(pattern=STATUS_PATTERN)] = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> HTMLResponse:
    """The worklist: held claims first to fix, queued ones waiting for the next export, and
    every later status; an unknown status is refused (422) without being echoed."""
    found = service.list_claims(session=session, actor=caller.actor, status=status or None,
                                limit=PAGE_SIZE + 1, offset=offset)
    return render(request, "claims.html", caller, claims=found[:PAGE_SIZE], chosen=status,
                  statuses=[s.value for s in ClaimStatus], offset=offset, page_size=PAGE_SIZE,
                  more=len(found) > PAGE_SIZE)


@router.get("/claims/{claim_id}", response_class=HTMLResponse)
def claim_page(request: Request, claim_id: uuid.UUID, session: DbSession,
               caller: Annotated[SignedIn, Depends(require_page(Permission.CLAIM_READ))]
               ) -> HTMLResponse:
    stored = service.get_claim(session=session, actor=caller.actor, claim_id=claim_id)
    errors = [f for f in stored.findings if f.get("severity") == "error"]
    warnings = [f for f in stored.findings if f.get("severity") != "error"]
    return render(request, "claim.html", caller, stored=stored, claim=stored.claim,
                  held_reasons=errors, warnings=warnings,
                  can_scrub=stored.status in REBUILDABLE)


@router.get("/claims/{claim_id}/cms1500.pdf")
def claim_form(claim_id: uuid.UUID, session: DbSession,
               caller: Annotated[SignedIn, Depends(require_page(Permission.CLAIM_READ))]
               ) -> Response:
    """The professional claim on the CMS-1500 form, opened in the browser's PDF viewer."""
    pdf = service.print_claim(session=session, actor=caller.actor, claim_id=claim_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="claim-{claim_id}.pdf"'})


@router.post("/claims/{claim_id}/scrub")
def scrub_again(claim_id: uuid.UUID, session: DbSession,
                caller: Annotated[SignedIn, Depends(require_page(Permission.CLAIM_WRITE))],
                csrf_token: CsrfToken = "") -> Response:
    """Scrub a held or queued claim again (after the codes or billing.toml were fixed)."""
    verify_csrf(caller, csrf_token)
    service.scrub_claim(session=session, actor=caller.actor, claim_id=claim_id)
    return RedirectResponse(f"/claims/{claim_id}", status_code=303)


@router.post("/encounters/{encounter_id}/claim")
def build_from_coding(encounter_id: uuid.UUID, session: DbSession,
                      caller: Annotated[SignedIn, Depends(require_page(Permission.CLAIM_WRITE))],
                      csrf_token: CsrfToken = "") -> Response:
    """The coding page's "Build claim": assemble and scrub the encounter's claim as the
    signed-in user, then show it (held with its reasons, or queued)."""
    verify_csrf(caller, csrf_token)
    stored = service.build_claim(session=session, actor=caller.actor, encounter_id=encounter_id)
    return RedirectResponse(f"/claims/{stored.id}", status_code=303)

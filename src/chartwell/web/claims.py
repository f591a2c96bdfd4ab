"""The claim pages: a claim with its service lines and scrubber findings."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from chartwell.api.deps import DbSession, SignedIn, require_page
from chartwell.compliance.roles import Permission
from chartwell.services import claims as service
from chartwell.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/claims/{claim_id}", response_class=HTMLResponse)
def claim_page(request: Request, claim_id: uuid.UUID, session: DbSession,
               caller: Annotated[SignedIn, Depends(require_page(Permission.CLAIM_READ))]
               ) -> HTMLResponse:
    stored = service.get_claim(session=session, actor=caller.actor, claim_id=claim_id)
    return render(request, "claim.html", caller, stored=stored, claim=stored.claim)

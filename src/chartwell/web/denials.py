"""The denial worklist page: denied and underpaid claims by reason, payer and age, each with its
adjustment reasons (CARC) and remarks (RARC) described, and the next action with its rationale
and source, so a billing specialist knows what to do first and why."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from chartwell.api.deps import DbSession, SignedIn, require_page
from chartwell.compliance.roles import Permission
from chartwell.services import denials
from chartwell.web.rendering import render

router = APIRouter(include_in_schema=False)

GROUPINGS = {"reason": "by_reason", "payer": "by_payer", "age": "by_age"}


@router.get("/denials", response_class=HTMLResponse)
def denials_page(
    request: Request,
    caller: Annotated[SignedIn, Depends(require_page(Permission.CLAIM_READ))], session: DbSession,
    by: Annotated[str, Query(pattern="^(reason|payer|age)$")] = "reason",
) -> HTMLResponse:
    worklist = denials.worklist(session=session, actor=caller.actor).to_json()
    return render(request, "denials.html", caller, worklist=worklist, by=by,
                  groups=worklist[GROUPINGS[by]])

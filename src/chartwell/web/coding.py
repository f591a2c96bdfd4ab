"""The coding page: one encounter's codes in sequence with every edit finding (rule, severity,
codes, message, source) and, for an inpatient stay, its MS-DRG, so that a coder fixes what holds
the claim before it is built; and the encounter's notes coded by the CAC, each suggestion with
its evidence, for the coder to accept or reject.

Decisions are POSTs that echo the session's CSRF token (checked before anything else is looked
at) and answer with a redirect back to the page (post/redirect/get), where the accepted code
now stands in the coded list and the edits have run again.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chartwell.api.deps import DbSession, SignedIn, require_page, verify_csrf
from chartwell.api.schemas import PatientSummary
from chartwell.compliance.roles import Permission
from chartwell.errors import InvalidInput, Position
from chartwell.services import cac_decisions, coding
from chartwell.web.rendering import render

router = APIRouter(include_in_schema=False)

CsrfToken = Annotated[str, Form(max_length=200)]
_SPAN = re.compile(r"(\d{1,9}):(\d{1,9})")


@router.get("/encounters/{encounter_id}/coding", response_class=HTMLResponse)
def coding_page(
    request: Request, encounter_id: uuid.UUID,
    caller: Annotated[SignedIn, Depends(require_page(Permission.CODING_READ))], session: DbSession,
) -> HTMLResponse:
    workspace = coding.open_workspace(session=session, actor=caller.actor,
                                      encounter_id=encounter_id)
    suggestions = cac_decisions.encounter_suggestions(session=session, actor=caller.actor,
                                                      encounter_id=encounter_id)
    return render(request, "coding.html", caller, w=workspace, cac=suggestions,
                  reasons=cac_decisions.REJECTION_REASONS,
                  patient=PatientSummary.of(workspace.patient))


def form_spans(text: str) -> tuple[tuple[int, int], ...]:
    """``"12:20,31:40"`` (the form's hidden field) as offsets; anything else is refused."""
    if not text:
        return ()
    spans = []
    for part in text.split(","):
        match = _SPAN.fullmatch(part.strip())
        if not match:
            raise InvalidInput("spans must read start:end,start:end", Position(field="spans"))
        spans.append((int(match.group(1)), int(match.group(2))))
    return tuple(spans)


@router.post("/encounters/{encounter_id}/cac/decisions")
def decide_suggestion(
    encounter_id: uuid.UUID, session: DbSession,
    caller: Annotated[SignedIn, Depends(require_page(Permission.CODING_WRITE))],
    document_id: Annotated[uuid.UUID, Form()], code: Annotated[str, Form(max_length=20)],
    system: Annotated[str, Form(max_length=20)], decision: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=40)] = "",
    spans: Annotated[str, Form(max_length=400)] = "", csrf_token: CsrfToken = "",
) -> Response:
    """Accept or reject one suggestion as the signed-in coder, then show the page again."""
    verify_csrf(caller, csrf_token)
    cac_decisions.decide(session=session, actor=caller.actor, encounter_id=encounter_id,
                         request=cac_decisions.DecisionRequest(
                             document_id=document_id, code=code, system=system,
                             decision=decision, reason=reason or None, spans=form_spans(spans)))
    return RedirectResponse(f"/encounters/{encounter_id}/coding#cac", status_code=303)

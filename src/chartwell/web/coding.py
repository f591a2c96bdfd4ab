"""The coding page: one encounter's codes in sequence with every edit finding (rule, severity,
codes, message, source) and, for an inpatient stay, its MS-DRG, so that a coder fixes what holds
the claim before it is built."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from chartwell.api.deps import DbSession, SignedIn, require_page
from chartwell.api.schemas import PatientSummary
from chartwell.compliance.roles import Permission
from chartwell.services import coding
from chartwell.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/encounters/{encounter_id}/coding", response_class=HTMLResponse)
def coding_page(
    request: Request, encounter_id: uuid.UUID,
    caller: Annotated[SignedIn, Depends(require_page(Permission.CODING_READ))], session: DbSession,
) -> HTMLResponse:
    workspace = coding.open_workspace(session=session, actor=caller.actor,
                                      encounter_id=encounter_id)
    return render(request, "coding.html", caller, w=workspace,
                  patient=PatientSummary.of(workspace.patient))

"""Computer-assisted coding over the API: a note in, suggestions with evidence out, exactly as
``chartwell cac --json`` prints them. The note is patient data from the caller, so the route
needs ``coding.read`` and its audit event holds counts only, never the note's text."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from chartwell.api.deps import DbSession, SignedIn, require
from chartwell.compliance.roles import Permission
from chartwell.services import cac as service

router = APIRouter(tags=["cac"])

MAX_NOTE_CHARACTERS = 5_000_000


class CacRequest(BaseModel):
    text: str = Field(max_length=MAX_NOTE_CHARACTERS, description="the clinical note")
    setting: Literal["inpatient", "outpatient"] = "outpatient"
    date: dt.date | None = Field(default=None, description="date of service (default today)")


@router.post("/api/cac")
def code_note(
    request: CacRequest,
    caller: Annotated[SignedIn, Depends(require(Permission.CODING_READ))], session: DbSession,
) -> dict:
    """Suggested codes, each with its evidence spans, section, assertion, index path,
    confidence and guideline; the conditions named but not coded, with the reason."""
    results = service.code_notes(session=session, actor=caller.actor,
                                 notes=[("note", request.text)], setting=request.setting,
                                 on=request.date)
    return results["note"].to_json()

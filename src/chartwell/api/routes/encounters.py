"""Encounters: list by patient, setting or visit type; one with its providers; its notes coded
by the CAC, and a coder's decision on a suggestion."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from chartwell.api.deps import DbSession, SignedIn, require
from chartwell.api.routes.patients import Limit, Offset, Text
from chartwell.api.schemas import EncounterOut, PageOut
from chartwell.compliance.roles import Permission
from chartwell.domain.records import EncounterSetting
from chartwell.services import cac_decisions, records

router = APIRouter(prefix="/api/encounters", tags=["encounters"])


@router.get("", response_model=PageOut[EncounterOut])
def list_encounters(
    caller: Annotated[SignedIn, Depends(require(Permission.ENCOUNTER_READ))], session: DbSession,
    patient_id: uuid.UUID | None = None, setting: EncounterSetting | None = None, q: Text = "",
    limit: Limit = 25, offset: Offset = 0,
) -> PageOut[EncounterOut]:
    """``q`` matches the visit type or is an exact account number."""
    page = records.list_encounters(session=session, actor=caller.actor, patient_id=patient_id,
                                   setting=setting.value if setting else None, query=q or None,
                                   limit=limit, offset=offset)
    return PageOut[EncounterOut].of(page, EncounterOut.of)


@router.get("/{encounter_id}", response_model=EncounterOut)
def read_encounter(
    encounter_id: uuid.UUID, caller: Annotated[SignedIn, Depends(require(Permission.ENCOUNTER_READ))],
    session: DbSession,
) -> EncounterOut:
    return EncounterOut.of(records.get_encounter(session=session, actor=caller.actor, encounter_id=encounter_id))


class SpanIn(BaseModel):
    start: int = Field(ge=0, le=10_000_000)
    end: int = Field(ge=1, le=10_000_000)


class CacDecisionIn(BaseModel):
    """A coder's answer to one suggestion: ``reason`` is required for a rejection."""

    document_id: uuid.UUID
    code: str = Field(min_length=1, max_length=20)
    system: Literal["icd10cm", "icd10pcs"]
    decision: Literal["accepted", "rejected"]
    reason: Literal["wrong_code", "not_supported", "negated", "other"] | None = None
    spans: list[SpanIn] = Field(default_factory=list, max_length=cac_decisions.MAX_SPANS)


@router.get("/{encounter_id}/cac")
def encounter_cac(
    encounter_id: uuid.UUID, caller: Annotated[SignedIn, Depends(require(Permission.CODING_READ))],
    session: DbSession,
) -> dict:
    """The encounter's notes coded by the CAC (suggestions with evidence and the decision in
    force on each), and every decision so far; ``available`` false, with why, when the
    ICD-10-CM release in force has no search tables."""
    return cac_decisions.encounter_suggestions(session=session, actor=caller.actor,
                                               encounter_id=encounter_id).to_json()


@router.post("/{encounter_id}/cac/decisions", status_code=201)
def decide_suggestion(
    encounter_id: uuid.UUID, body: CacDecisionIn,
    caller: Annotated[SignedIn, Depends(require(Permission.CODING_WRITE))], session: DbSession,
) -> dict:
    """Accept (the code joins the encounter's diagnoses or procedures) or reject a suggestion
    the CAC makes for the note."""
    request = cac_decisions.DecisionRequest(
        document_id=body.document_id, code=body.code, system=body.system,
        decision=body.decision, reason=body.reason,
        spans=tuple((span.start, span.end) for span in body.spans))
    return cac_decisions.decide(session=session, actor=caller.actor, encounter_id=encounter_id,
                                request=request).to_json()

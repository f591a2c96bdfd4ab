"""Encounters: list by patient, setting or visit type; one with its providers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from chartwell.api.deps import DbSession, SignedIn, require
from chartwell.api.routes.patients import Limit, Offset, Text
from chartwell.api.schemas import EncounterOut, PageOut
from chartwell.compliance.roles import Permission
from chartwell.domain.records import EncounterSetting
from chartwell.services import records

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

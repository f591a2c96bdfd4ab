"""Patients: search, demographics, the whole chart."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from chartwell.api.deps import DbSession, SignedIn, require
from chartwell.api.schemas import ChartOut, PageOut, PatientDetail, PatientSummary
from chartwell.compliance.roles import Permission, has_permission
from chartwell.services import records

router = APIRouter(prefix="/api/patients", tags=["patients"])

Limit = Annotated[int, Query(ge=1, le=records.MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
# No control characters: PostgreSQL refuses NUL in text, and no name or MRN has them.
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
Text = Annotated[str, Query(max_length=200, pattern=PLAIN_TEXT)]


@router.get("", response_model=PageOut[PatientSummary])
def search_patients(
    caller: Annotated[SignedIn, Depends(require(Permission.PATIENT_SEARCH))], session: DbSession,
    q: Text = "", limit: Limit = 25, offset: Offset = 0,
) -> PageOut[PatientSummary]:
    """Every word of ``q`` must match: part of the name (any order), the MRN, an identifier, or
    the birth date (2026-01-31 or 01/31/2026)."""
    page = records.search_patients(session=session, actor=caller.actor, query=q, limit=limit, offset=offset)
    return PageOut[PatientSummary].of(page, PatientSummary.of)


@router.get("/{patient_id}", response_model=PatientDetail)
def read_patient(
    patient_id: uuid.UUID, caller: Annotated[SignedIn, Depends(require(Permission.PATIENT_READ))],
    session: DbSession,
) -> PatientDetail:
    return PatientDetail.of(records.get_patient(session=session, actor=caller.actor, patient_id=patient_id))


@router.get("/{patient_id}/chart", response_model=ChartOut)
def read_chart(
    patient_id: uuid.UUID, caller: Annotated[SignedIn, Depends(require(Permission.PATIENT_READ))],
    session: DbSession,
) -> ChartOut:
    """Demographics, encounters with their codes, and (for roles that may read them) documents."""
    chart = records.get_chart(session=session, actor=caller.actor, patient_id=patient_id)
    return ChartOut.of(chart, documents_shown=has_permission(caller.actor.role, Permission.DOCUMENT_READ))

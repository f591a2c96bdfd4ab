"""Remittances and denials over the API: post 835 / 999 / 277CA, the denial worklist.

The X12 files are sent as the request body as they are (``Content-Type: application/edi-x12``
or ``text/plain``); the answers are the CLI's ``--json`` documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from chartwell.api.deps import DbSession, SignedIn, require
from chartwell.compliance.roles import Permission
from chartwell.services import acks, denials, remittance

router = APIRouter(tags=["remittance"])

X12Body = Annotated[bytes, Body(media_type="application/edi-x12",
                                description="the X12 interchange, as received")]
FileName = Annotated[str | None, Query(alias="file_name", max_length=300,
                                       description="the received file's name, for the record")]


@router.post("/api/remittances")
def post_remittance(
    data: X12Body,
    caller: Annotated[SignedIn, Depends(require(Permission.REMIT_POST))], session: DbSession,
    file_name: FileName = None,
) -> dict[str, Any]:
    """Post an 835, all or nothing; a payment already posted posts nothing again. Balancing
    problems in the payer's own numbers come back as ``findings``; a file that cannot be posted
    answers 422 naming the segment."""
    return remittance.post_remittance(session=session, actor=caller.actor, data=data,
                                      file_name=file_name).to_json()


@router.post("/api/acknowledgments")
def post_acknowledgment(
    data: X12Body,
    caller: Annotated[SignedIn, Depends(require(Permission.REMIT_POST))], session: DbSession,
    file_name: FileName = None,
) -> dict[str, Any]:
    """Record a 999 (per batch) or 277CA (per claim) acknowledgment."""
    return acks.record_acknowledgment(session=session, actor=caller.actor, data=data,
                                      file_name=file_name).to_json()


@router.get("/api/denials")
def denial_worklist(
    caller: Annotated[SignedIn, Depends(require(Permission.CLAIM_READ))], session: DbSession,
    older_than: Annotated[int | None, Query(ge=0, le=3650, description="days")] = None,
) -> dict[str, Any]:
    """Denied and underpaid claims by reason, payer and age, each with its next action."""
    return denials.worklist(session=session, actor=caller.actor,
                            older_than_days=older_than).to_json()

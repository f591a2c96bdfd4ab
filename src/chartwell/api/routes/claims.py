"""Claims over the API: build from a coded encounter, list, show, scrub, export as 837. Each
route calls one service and answers what ``chartwell claims ... --json`` prints."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, Field

from chartwell.api.deps import DbSession, SignedIn, require
from chartwell.claims.assembly import ClaimOptions
from chartwell.compliance.roles import Permission
from chartwell.domain.claims import ClaimKind
from chartwell.errors import InvalidInput, Position
from chartwell.services import claims as service
from chartwell.settings import get_settings

router = APIRouter(tags=["claims"])


class BuildRequest(BaseModel):
    encounter_id: uuid.UUID
    kind: ClaimKind | None = None
    prior_authorization: str | None = Field(default=None, max_length=50)
    referral_number: str | None = Field(default=None, max_length=50)


class ExportRequest(BaseModel):
    format: str = Field(pattern=r"^(?i:837p|837i)$")
    file_name: str = Field(pattern=r"^[A-Za-z0-9._-]{1,100}$",
                           description="written into the data dir's exports/ folder")


@router.post("/api/claims", status_code=201)
def build_claim(request: BuildRequest, session: DbSession,
                caller: Annotated[SignedIn, Depends(require(Permission.CLAIM_WRITE))]) -> Any:
    stored = service.build_claim(session=session, actor=caller.actor,
                                 encounter_id=request.encounter_id,
                                 options=ClaimOptions(kind=request.kind,
                                                      prior_authorization=request.prior_authorization,
                                                      referral_number=request.referral_number))
    return stored.to_json()


@router.get("/api/claims")
def list_claims(session: DbSession,
                caller: Annotated[SignedIn, Depends(require(Permission.CLAIM_READ))],
                status: str | None = None, limit: int = 100, offset: int = 0) -> Any:
    return [each.to_json(with_claim=False) for each in service.list_claims(
        session=session, actor=caller.actor, status=status, limit=min(limit, 1000),
        offset=offset)]


@router.get("/api/claims/{claim_id}")
def show_claim(claim_id: uuid.UUID, session: DbSession,
               caller: Annotated[SignedIn, Depends(require(Permission.CLAIM_READ))]) -> Any:
    return service.get_claim(session=session, actor=caller.actor, claim_id=claim_id).to_json()


@router.get("/api/claims/{claim_id}/cms1500.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def print_claim(claim_id: uuid.UUID, session: DbSession,
                caller: Annotated[SignedIn, Depends(require(Permission.CLAIM_READ))]) -> Response:
    """A professional claim on the CMS-1500 (02/12) form, as PDF (422 for an 837I claim)."""
    pdf = service.print_claim(session=session, actor=caller.actor, claim_id=claim_id)
    return Response(pdf, media_type="application/pdf")


@router.post("/api/claims/{claim_id}/scrub")
def scrub_claim(claim_id: uuid.UUID, session: DbSession,
                caller: Annotated[SignedIn, Depends(require(Permission.CLAIM_WRITE))]) -> Any:
    return service.scrub_claim(session=session, actor=caller.actor, claim_id=claim_id).to_json()


@router.post("/api/claims/export")
def export_claims(request: ExportRequest, session: DbSession,
                  caller: Annotated[SignedIn, Depends(require(Permission.CLAIM_WRITE))]) -> Any:
    """The file goes to the server's data dir (exports/), never to a path the caller names."""
    folder = get_settings().data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    kind = ClaimKind.PROFESSIONAL if request.format.lower() == "837p" else ClaimKind.INSTITUTIONAL
    out = folder / Path(request.file_name).name
    if out.name.startswith("."):
        raise InvalidInput("a hidden file name", Position(field="file_name"))
    return service.export_claims(session=session, actor=caller.actor, kind=kind,
                                 out=out).to_json()

"""Documents: list without text, one with every version, and new versions (amendments and
addenda) that never overwrite what was there."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from chartwell.api.deps import DbSession, SignedIn, require
from chartwell.api.routes.patients import Limit, Offset, Text
from chartwell.api.schemas import DocumentOut, DocumentSummary, PageOut, VersionIn
from chartwell.compliance.roles import Permission
from chartwell.domain.records import DocumentType, VersionKind
from chartwell.services import records

router = APIRouter(prefix="/api/documents", tags=["documents"])


@router.get("", response_model=PageOut[DocumentSummary])
def list_documents(
    caller: Annotated[SignedIn, Depends(require(Permission.DOCUMENT_READ))], session: DbSession,
    patient_id: uuid.UUID | None = None, encounter_id: uuid.UUID | None = None,
    document_type: Annotated[DocumentType | None, Query(alias="type")] = None, q: Text = "",
    limit: Limit = 25, offset: Offset = 0,
) -> PageOut[DocumentSummary]:
    """``q`` matches the title or words of any version; the list itself carries no text."""
    page = records.list_documents(session=session, actor=caller.actor, patient_id=patient_id,
                                  encounter_id=encounter_id, document_type=document_type.value if document_type else None,
                                  query=q or None, limit=limit, offset=offset)
    return PageOut[DocumentSummary].of(page, DocumentSummary.of)


@router.get("/{document_id}", response_model=DocumentOut)
def read_document(
    document_id: uuid.UUID, caller: Annotated[SignedIn, Depends(require(Permission.DOCUMENT_READ))],
    session: DbSession,
) -> DocumentOut:
    view = records.get_document_in_chart(session=session, actor=caller.actor, document_id=document_id)
    return DocumentOut.of(view.document, view.names)


@router.post("/{document_id}/versions", response_model=DocumentOut, status_code=201)
def add_version(
    document_id: uuid.UUID, body: VersionIn,
    caller: Annotated[SignedIn, Depends(require(Permission.DOCUMENT_WRITE))], session: DbSession,
) -> DocumentOut:
    """Amend or add an addendum; the earlier versions stay readable."""
    document = records.add_document_version(session=session, actor=caller.actor, document_id=document_id,
                                            text=body.text, kind=VersionKind(body.kind), reason=body.reason)
    return DocumentOut.of(document)

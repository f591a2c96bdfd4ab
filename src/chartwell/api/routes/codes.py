"""Code sets over the API: a code's detail in the release in force on a date, and the
installed releases. Any signed-in user: code sets are public reference data, not patient data,
so these routes declare no permission beyond signing in and leave no audit event."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from chartwell.api.deps import DbSession, SignedIn, require
from chartwell.codesets.model import CodeSystem
from chartwell.codesets.present import detail_json, release_json
from chartwell.services import codesets as service

router = APIRouter(tags=["codes"])

CodeText = Annotated[str, Path(min_length=2, max_length=12, pattern=r"^[A-Za-z0-9.]+$")]
OnDate = Annotated[date | None, Query(alias="date", description="date of service (default today)")]


class PathItemOut(BaseModel):
    level: str
    key: str
    title: str


class ChildOut(BaseModel):
    code: str
    title: str


class NoteOut(BaseModel):
    kind: str
    text: str
    source: str  # "category E11"
    source_title: str


class SeventhValueOut(BaseModel):
    character: str
    meaning: str


class SeventhOut(BaseModel):
    values: list[SeventhValueOut]
    source: str | None
    placeholder: str | None
    this_character: str | None


class PcsCharacterOut(BaseModel):
    position: int
    axis: str
    value: str
    label: str
    definition: str | None


class PcsValueOut(BaseModel):
    value: str
    label: str


class PcsAxisOut(BaseModel):
    position: int
    axis: str
    values: list[PcsValueOut]


class PcsIncludeOut(BaseModel):
    position: int
    text: str


class PcsOut(BaseModel):
    table: str
    table_title: str
    rows: int
    characters: list[PcsCharacterOut]
    row: list[PcsAxisOut]
    includes: list[PcsIncludeOut]


class HcpcsOut(BaseModel):
    pricing_indicator: str | None
    coverage_code: str | None
    betos: str | None
    type_of_service: str | None
    action_code: str | None
    added: date | None
    action_effective: date | None
    terminated: date | None
    in_effect: bool


class CodeDetailOut(BaseModel):
    code: str
    system: str
    release: str | None
    date: date
    title: str | None
    short_title: str | None
    billable: bool
    kind: str
    path: list[PathItemOut]
    billable_children: list[ChildOut]
    billable_children_total: int
    notes: list[NoteOut]
    seventh_characters: SeventhOut | None
    pcs: PcsOut | None
    hcpcs: HcpcsOut | None
    replaced: list[str]
    messages: list[str]


class SourceOut(BaseModel):
    name: str
    role: str
    sha256: str
    bytes: int
    note: str | None


class ReleaseOut(BaseModel):
    system: str
    version: str
    effective_start: date
    effective_end: date | None
    open_ended: bool
    counts: dict[str, int]
    sources: list[SourceOut]
    note: str | None
    installed_at: str | None
    installed_by: str | None
    artifact_sha256: str
    artifact_bytes: int


class SearchHitOut(BaseModel):
    code: str
    title: str
    billable: bool
    score: float
    path: list[str]
    matched: str


SearchText = Annotated[str, Query(min_length=1, max_length=200, description="what the coder types")]


@router.get("/api/codes/search", response_model=list[SearchHitOut])
def search_codes(
    q: SearchText, caller: Annotated[SignedIn, Depends(require(None))], session: DbSession,
    system: CodeSystem = CodeSystem.ICD10CM, on: OnDate = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[SearchHitOut]:
    """The encoder: the codes a coder would pick for ``q``, best first, each with the index
    path or field that matched, in the release in force on ``date``."""
    answers, _note = service.search_codes(session=session, actor=caller.actor, queries=[q],
                                          system=system, on=on, limit=limit)
    return [SearchHitOut.model_validate(hit.to_json()) for hit in answers[0]]


@router.get("/api/codes/{system}/{code}", response_model=CodeDetailOut)
def read_code(
    system: CodeSystem, code: CodeText, caller: Annotated[SignedIn, Depends(require(None))],
    session: DbSession, on: OnDate = None,
) -> CodeDetailOut:
    """The code in the release in force on ``date``: title, billable or header, the notes in
    force (each with the entry it comes from), 7th characters, PCS characters, HCPCS fields."""
    detail = service.show_code(session=session, actor=caller.actor, code=code, system=system,
                               on=on)
    return CodeDetailOut.model_validate(detail_json(detail))


@router.get("/api/codesets", response_model=list[ReleaseOut])
def list_codesets(caller: Annotated[SignedIn, Depends(require(None))], session: DbSession
                  ) -> list[ReleaseOut]:
    """The installed code-set releases with their effective periods, counts and sources."""
    releases = service.list_releases(session=session, actor=caller.actor)
    return [ReleaseOut.model_validate(release_json(release)) for release in releases]

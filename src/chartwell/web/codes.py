"""The code page: one code in the release in force on a date, as a coder reads it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from chartwell.api.deps import DbSession, SignedIn, require_page
from chartwell.codesets.model import CodeSystem
from chartwell.codesets.present import detail_json
from chartwell.codesets.releases import SYSTEM_NAMES
from chartwell.errors import NotFound
from chartwell.services import codesets as service
from chartwell.web.rendering import render

router = APIRouter(include_in_schema=False)


def _search(session, caller: SignedIn, q: str, system: CodeSystem, on: date | None):
    """(hits, note, problem) for the search page and its typeahead fragment."""
    if not q.strip():
        return [], None, None
    try:
        answers, note = service.search_codes(session=session, actor=caller.actor, queries=[q],
                                             system=system, on=on, limit=15)
    except NotFound as error:  # no release in force on the date
        return [], None, error.message
    return answers[0], note, None


SearchQuery = Annotated[str, Query(max_length=200)]


@router.get("/codes", response_class=HTMLResponse)
def code_search_page(
    request: Request, caller: Annotated[SignedIn, Depends(require_page(None))], session: DbSession,
    q: SearchQuery = "", system: CodeSystem = CodeSystem.ICD10CM,
    on: Annotated[date | None, Query(alias="date")] = None,
) -> HTMLResponse:
    """The encoder page: type words as written in the note; results come as you type."""
    hits, note, problem = _search(session, caller, q, system, on)
    return render(request, "code_search.html", caller, q=q, system=system, systems=SYSTEM_NAMES,
                  on=on, hits=hits, note=note, problem=problem)


@router.get("/codes/suggest", response_class=HTMLResponse)
def code_suggestions(
    request: Request, caller: Annotated[SignedIn, Depends(require_page(None))], session: DbSession,
    q: SearchQuery = "", system: CodeSystem = CodeSystem.ICD10CM,
    on: Annotated[date | None, Query(alias="date")] = None,
) -> HTMLResponse:
    """The results table alone, fetched by the typeahead with the page's own session cookie."""
    hits, note, problem = _search(session, caller, q, system, on)
    return render(request, "_code_hits.html", caller, q=q, system=system, on=on, hits=hits,
                  note=note, problem=problem)


@router.get("/codes/{system}/{code}", response_class=HTMLResponse)
def code_page(
    request: Request, system: CodeSystem,
    code: Annotated[str, Path(min_length=2, max_length=12, pattern=r"^[A-Za-z0-9.]+$")],
    caller: Annotated[SignedIn, Depends(require_page(None))], session: DbSession,
    on: Annotated[date | None, Query(alias="date")] = None,
) -> HTMLResponse:
    """Any signed-in user (code sets are not patient data). A code or date the installed
    releases cannot answer is shown on the page, with the releases that are installed."""
    try:
        detail = detail_json(service.show_code(session=session, actor=caller.actor, code=code,
                                               system=system, on=on))
        problem, status = None, 200
    except NotFound as error:  # no such code, or no release for the date
        detail, problem, status = None, error.message, 404
    releases = service.list_releases(session=session, actor=caller.actor)
    return render(request, "code.html", caller, status=status, system=system,
                  system_name=SYSTEM_NAMES[system], code=code.upper(), on=on, detail=detail,
                  problem=problem, releases=[r for r in releases if r.system == system])

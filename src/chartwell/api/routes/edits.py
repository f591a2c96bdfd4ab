"""Edits over the API: POST an ENCOUNTER.json document (one encounter or a list) and get the
findings of every edit family, exactly as ``chartwell edits check --json`` prints them; and the
declared rules. The encounter comes from the caller, so the route needs ``coding.read`` and leaves
an audit event with counts only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse

from chartwell.api.deps import DbSession, SignedIn, require
from chartwell.compliance.roles import Permission
from chartwell.domain.encounter_json import InvalidEncounter
from chartwell.edits.engine import all_rules
from chartwell.services import edits as service

router = APIRouter(tags=["edits"])
MAX_ENCOUNTERS = 10_000  # per request; larger batches belong on the command line


@router.post("/api/edits/check")
def check_encounters(
    document: Annotated[dict[str, Any] | list[dict[str, Any]], Body(
        description="one encounter (DESIGN.md ENCOUNTER.json) or a list of them")],
    caller: Annotated[SignedIn, Depends(require(Permission.CODING_READ))], session: DbSession,
) -> Any:
    """Findings per encounter (rule, severity, codes, message, source), in order. A single
    encounter that cannot be read answers 422 naming its fields; in a list it is answered in
    place as an error."""
    if isinstance(document, list) and len(document) > MAX_ENCOUNTERS:
        return JSONResponse({"detail": f"at most {MAX_ENCOUNTERS} encounters a request"}, 413)
    results, is_list = service.check_document(session=session, actor=caller.actor,
                                              document=document)
    if not is_list and isinstance(results[0], InvalidEncounter):
        raise results[0]
    answers = [service.answer(result) for result in results]
    return answers if is_list else answers[0]


@router.get("/api/edits/rules")
def list_rules(caller: Annotated[SignedIn, Depends(require(None))]) -> list[dict]:
    """The declared rules, each with its id, family, severity, title, settings and source."""
    return [rule.to_json() for rule in all_rules()]

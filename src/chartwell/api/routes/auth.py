"""API tokens: issued for a user name and password, revoked by logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from chartwell.api.deps import ClientIp, DbSession, SignedIn, require
from chartwell.api.schemas import LoginIn, TokenOut
from chartwell.errors import InvalidInput, UnreadableInput
from chartwell.services import accounts

router = APIRouter(prefix="/api/auth", tags=["auth"])

_CREDENTIALS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            media: {"schema": LoginIn.model_json_schema()}
            for media in ("application/json", "application/x-www-form-urlencoded")
        },
    }
}


async def read_credentials(request: Request) -> LoginIn:
    """The OAuth2 password form (``username``, ``password``) or the same two fields as JSON."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if media == "application/json":
            data = await request.json()
        elif media in ("application/x-www-form-urlencoded", "multipart/form-data"):
            data = dict(await request.form())
        else:
            raise UnreadableInput("send username and password as a form or as JSON")
    except ValueError as error:
        raise UnreadableInput("the request body could not be read") from error
    try:
        return LoginIn.model_validate(data)
    except ValidationError as error:
        raise InvalidInput("a user name (up to 80 characters) and a password are needed") from error


@router.post("/token", response_model=TokenOut, openapi_extra=_CREDENTIALS_BODY)
def issue_token(
    credentials: Annotated[LoginIn, Depends(read_credentials)], session: DbSession, source_ip: ClientIp
) -> TokenOut:
    """Sign in; the token goes in ``Authorization: Bearer ...`` until ``expires_at``."""
    grant = accounts.login(session=session, username=credentials.username, password=credentials.password,
                           kind="api", source_ip=source_ip)
    return TokenOut(access_token=grant.secret, expires_at=grant.expires_at)


@router.post("/logout", status_code=204, response_class=Response)
def revoke_token(caller: Annotated[SignedIn, Depends(require(None))], session: DbSession) -> Response:
    """Revoke the token this request carries."""
    accounts.logout(session=session, secret=caller.secret, actor=caller.actor)
    return Response(status_code=204)

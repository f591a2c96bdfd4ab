"""The one place errors become responses: ``{error, message}`` JSON under ``/api``, an HTML
page (or, when not signed in, a redirect to the login page) elsewhere.

Bodies carry the error's class and its message, never a stack trace and never the input that
failed (a searched name or a note's text could be in it).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from chartwell.errors import ChartwellError, Unauthenticated
from chartwell.web import rendering

log = logging.getLogger(__name__)

_HTTP_ERRORS = {
    404: ("NotFound", "no such resource"),
    405: ("MethodNotAllowed", "this method is not allowed here"),
    413: ("TooLarge", "the request is too large"),
}


def is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def _json(status: int, error: str, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse({"error": error, "message": message, **extra}, status_code=status, headers=headers)


def chartwell_error(request: Request, exc: ChartwellError) -> Response:
    if is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
        return _json(exc.http_status, type(exc).__name__, str(exc), headers)
    if isinstance(exc, Unauthenticated):
        return rendering.login_redirect(request)
    return rendering.error_page(request, exc.http_status, str(exc))


def validation_error(request: Request, exc: RequestValidationError) -> Response:
    """Which parameter failed and why, without echoing its value."""
    fields = [{"location": ".".join(str(part) for part in err.get("loc", ())), "problem": err.get("msg", "")}
              for err in exc.errors()]
    if is_api(request):
        return _json(422, "InvalidInput", "the request has invalid parameters", fields=fields)
    if any(err.get("loc", ("",))[0] == "path" for err in exc.errors()):
        return rendering.error_page(request, 404, "there is no such page")
    return rendering.error_page(request, 422, "the form or address has invalid values")


def http_error(request: Request, exc: HTTPException) -> Response:
    error, message = _HTTP_ERRORS.get(exc.status_code, ("HttpError", "the request failed"))
    if is_api(request):
        return _json(exc.status_code, error, message, exc.headers)
    return rendering.error_page(request, exc.status_code, message, exc.headers)


def unexpected_error(request: Request, exc: Exception) -> Response:
    log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
    if is_api(request):
        return _json(500, "InternalError", "something went wrong; the error is logged")
    return rendering.error_page(request, 500, "something went wrong; the error is logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ChartwellError, chartwell_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)

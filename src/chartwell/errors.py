"""One small exception tree, converted to an HTTP status or an exit code in one place each.

Messages name the place (file, line or segment, field) and never carry patient data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Position:
    """Where in an input a problem was found; every part optional."""

    file: str | None = None
    line: int | None = None
    segment: int | None = None
    resource: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.segment is not None:
            parts.append(f"segment {self.segment}")
        if self.resource:
            parts.append(self.resource)
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)


class ChartwellError(Exception):
    """Base of every error the product raises on purpose."""

    exit_code = 2
    http_status = 400

    def __init__(self, message: str, position: Position | None = None):
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.position}: {self.message}" if self.position else self.message


class InvalidInput(ChartwellError):
    """The input was read but failed a check (a broken bundle, a bad NPI)."""

    exit_code = 1
    http_status = 422


class UnreadableInput(ChartwellError):
    """The input could not be read at all (missing file, not JSON)."""

    exit_code = 2
    http_status = 400


class NotFound(ChartwellError):
    exit_code = 2
    http_status = 404


class Unauthenticated(ChartwellError):
    exit_code = 2
    http_status = 401


class PermissionDenied(ChartwellError):
    exit_code = 2
    http_status = 403


class Conflict(ChartwellError):
    exit_code = 1
    http_status = 409

"""A claim as a JSON document (what ``billing_claims.document`` keeps and the API answers) and
back: dates as ISO strings, money as decimal strings, enums by value. Driven by the domain
types' own annotations, so a field added to :mod:`chartwell.domain.claims` travels without
another line here."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from chartwell.domain import claims as c
from chartwell.errors import InvalidInput, Position


def claim_to_document(claim: c.Claim) -> dict[str, Any]:
    return _dump(claim)


def _dump(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name != "extra"}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, Decimal)):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_dump(item) for item in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, None, vars(c))  # not the class: `date` is also a field


def claim_from_document(document: dict[str, Any]) -> c.Claim:
    try:
        return _load(c.Claim, document, "claim")
    except (KeyError, TypeError, ValueError, ArithmeticError) as error:
        raise InvalidInput(f"not a stored claim document ({error})",
                           Position(resource="billing_claims.document")) from None


def _load(kind: Any, value: Any, where: str) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _load(inner[0], value, where)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(_load(item, each, where) for each in value)
    if origin is dict or kind is dict:
        return dict(value)
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        names = {f.name for f in dataclasses.fields(kind) if f.init}
        return kind(**{name: _load(hints[name], item, f"{where}.{name}")
                       for name, item in value.items() if name in names})
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    return value

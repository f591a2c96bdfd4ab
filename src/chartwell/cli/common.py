"""What every command shares: the actor, the store, JSON output and the exit-code contract.

Exit codes (DESIGN.md): 0 done, 1 the input failed a check, 2 usage or unreadable input.
Errors name the place and go to stderr (or into the JSON document with ``--json``).
"""

from __future__ import annotations

import dataclasses
import enum
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from sqlalchemy.orm import Session

from chartwell.errors import ChartwellError, Position, UnreadableInput
from chartwell.services.actor import Actor, local_operator
from chartwell.store.db import get_engine, transaction

JsonOption = Annotated[bool, typer.Option("--json", help="print one JSON document on stdout")]
UserOption = Annotated[
    str | None,
    typer.Option("--user", envvar="CHARTWELL_USER", help="act as this Chartwell user (default: the local operator, as admin)"),
]

stderr = Console(stderr=True)


def _default(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(type(value).__name__)


def parse_date(value: str | None) -> date | None:
    """A ``--date`` option: ISO YYYY-MM-DD, or None when not given."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--date") from None


def read_file_bytes(path: Path) -> bytes:
    """A file given on the command line, as bytes; unreadable is exit 2, naming the file."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise UnreadableInput(f"cannot read ({error.strerror or error})",
                              Position(file=str(path))) from None


def read_json_file(path: Path) -> Any:
    """The JSON document in a file given on the command line; unreadable or not JSON is exit 2,
    naming the file (and the line where the JSON breaks). Read with orjson: bulk lists of
    encounters run to hundreds of megabytes."""
    data = read_file_bytes(path)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        line = data[:error.pos].count(b"\n") + 1 if error.pos is not None else None
        raise UnreadableInput(f"not JSON ({error.msg})", Position(file=str(path), line=line)) from None


def to_json(document: Any) -> str:
    return orjson.dumps(document, default=_default, option=orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS).decode()


def print_json(document: Any) -> None:
    sys.stdout.write(to_json(document) + "\n")
    sys.stdout.flush()


def fail(error: ChartwellError, as_json: bool) -> typer.Exit:
    if as_json:
        print_json({"error": {"type": type(error).__name__, "message": error.message,
                              "position": dataclasses.asdict(error.position) if error.position else None}})
    else:
        stderr.print(f"[red]error:[/red] {error}", highlight=False, markup=True)
    return typer.Exit(error.exit_code)


@contextmanager
def guarded(as_json: bool) -> Iterator[None]:
    """Turn the product's errors into the exit-code contract in one place."""
    try:
        yield
    except ChartwellError as error:
        raise fail(error, as_json) from None


def resolve_actor(session: Session, username: str | None) -> Actor:
    if not username:
        return local_operator()
    from chartwell.services.accounts import user_actor

    return user_actor(session=session, username=username, source_ip="local")


@contextmanager
def unit_of_work(username: str | None) -> Iterator[tuple[Session, Actor]]:
    """A transaction on the configured store and the actor the command runs as."""
    with transaction(get_engine()) as session:
        yield session, resolve_actor(session, username)


def run_service(as_json: bool, username: str | None, call: Callable[[Session, Actor], Any]) -> Any:
    with guarded(as_json), unit_of_work(username) as (session, actor):
        return call(session, actor)


def answer_document_command(
    path: Path, as_json: bool, user: str | None,
    service: Callable[[Session, Actor, Any], tuple[list, bool]],
    answers: Callable[[list], list[dict]],
    render: Callable[[int | None, dict], str],
    failed: Callable[[Any], bool],
) -> None:
    """The commands that take ENCOUNTER.json (``edits check``, ``drg group``): one document or a
    list, answered in kind and in order, a bad entry of a list answered in place; a single
    unreadable encounter is an error naming its fields. Exit 1 when any result ``failed``."""
    with guarded(as_json):
        document = read_json_file(path)
    results, is_list = run_service(as_json, user,
                                   lambda session, actor: service(session, actor, document))
    if not is_list and isinstance(results[0], ChartwellError):
        raise fail(results[0], as_json)
    answered = answers(results)
    if as_json:
        print_json(answered if is_list else answered[0])
    else:
        sys.stdout.write("\n\n".join(render(index if is_list else None, answer)
                                      for index, answer in enumerate(answered)) + "\n")
    raise typer.Exit(1 if any(failed(result) for result in results) else 0)

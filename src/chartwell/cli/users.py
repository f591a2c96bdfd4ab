"""``chartwell users``: accounts and roles."""

from __future__ import annotations

from typing import Annotated

import typer

from chartwell.cli.common import JsonOption, UserOption, print_json, run_service, stderr
from chartwell.compliance.roles import Role
from chartwell.services import accounts

app = typer.Typer(help="User accounts and roles.", no_args_is_help=True)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[Role, typer.Option("--role", help="what the user may do")],
    full_name: Annotated[str | None, typer.Option("--full-name")] = None,
    password: Annotated[
        str | None,
        typer.Option("--password", envvar="CHARTWELL_NEW_PASSWORD", help="default: asked for, twice"),
    ] = None,
    as_json: JsonOption = False,
    user: UserOption = None,
) -> None:
    """Add a user with a role; the password is hashed with Argon2id."""
    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    created = run_service(as_json, user, lambda session, actor: accounts.add_user(
        session=session, actor=actor, username=name, role=role, password=password, full_name=full_name))
    if as_json:
        print_json({"username": created.username, "role": created.role, "id": created.id})
    else:
        stderr.print(f"added {created.username} ({created.role})")


@app.command("list")
def list_(as_json: JsonOption = False, user: UserOption = None) -> None:
    """List users and their roles."""
    users = run_service(as_json, user, lambda session, actor: accounts.list_users(session=session, actor=actor))
    if as_json:
        print_json([{"username": u.username, "role": u.role, "active": u.active, "full_name": u.full_name} for u in users])
        return
    for u in users:
        print(f"{u.username}\t{u.role}\t{'active' if u.active else 'inactive'}")

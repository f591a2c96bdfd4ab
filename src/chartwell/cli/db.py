"""``chartwell db``: the store's schema."""

from __future__ import annotations

import typer

from chartwell.cli.common import JsonOption, print_json, stderr
from chartwell.store import migrate
from chartwell.store.db import get_engine

app = typer.Typer(help="The record store.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(as_json: JsonOption = False) -> None:
    """Create or migrate the store's tables to the newest revision."""
    engine = get_engine()
    migrate.upgrade(engine)
    revision = migrate.current_revision(engine)
    if as_json:
        print_json({"revision": revision, "database": engine.url.render_as_string(hide_password=True)})
    else:
        stderr.print(f"store at revision {revision}")

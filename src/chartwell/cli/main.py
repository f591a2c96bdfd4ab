"""The ``chartwell`` console script."""

from __future__ import annotations

import typer

from chartwell import logs
from chartwell.cli import audit, db, users
from chartwell.settings import get_settings

app = typer.Typer(
    name="chartwell",
    help="Chartwell, the health information management workbench.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")


def _register_optional() -> None:
    """Command groups that live in their own modules; each adds itself to ``app``."""
    from chartwell.cli import demo, imports, serve

    for module in (imports, demo, serve):
        module.register(app)


@app.callback()
def _configure() -> None:
    logs.configure(get_settings().log_level)


def main() -> None:
    _register_optional()
    app()

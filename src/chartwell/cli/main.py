"""The ``chartwell`` console script: the Typer app with one group or command per module."""

from __future__ import annotations

from functools import lru_cache

import typer

from chartwell import logs
from chartwell.settings import get_settings


def _configure() -> None:
    logs.configure(get_settings().log_level)


@lru_cache(maxsize=1)
def build_app() -> typer.Typer:
    from chartwell.cli import (audit, cac, claims, codes, codesets, db, demo, drg, edits, evaluate,
                               hcc, imports, remit, serve, users, x12)

    app = typer.Typer(
        name="chartwell",
        help="Chartwell, the health information management workbench.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        callback=_configure,
    )
    app.add_typer(db.app, name="db")
    app.add_typer(users.app, name="users")
    app.add_typer(audit.app, name="audit")
    for module in (imports, demo, serve, codesets, codes, edits, hcc, drg, x12, claims, remit,
                   cac, evaluate):
        module.register(app)
    return app


def main() -> None:
    build_app()()


if __name__ == "__main__":
    main()

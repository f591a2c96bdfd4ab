"""``chartwell eval``: measure the computer-assisted coding against labelled notes."""

from __future__ import annotations

import typer

app = typer.Typer(help="Evaluate computer-assisted coding against labelled notes.",
                  no_args_is_help=True)


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="eval")

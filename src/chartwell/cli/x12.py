"""``chartwell x12``: X12 files: read and validate 5010 interchanges."""

from __future__ import annotations

import typer

app = typer.Typer(help="X12 files: read and validate 5010 interchanges.", no_args_is_help=True)


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="x12")

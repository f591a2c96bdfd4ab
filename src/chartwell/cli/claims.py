"""``chartwell claims``: Claims: build from a coded encounter, scrub, export as 837P / 837I."""

from __future__ import annotations

import typer

app = typer.Typer(help="Claims: build from a coded encounter, scrub, export as 837P / 837I.", no_args_is_help=True)


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="claims")

"""``chartwell remit``: Remittances and acknowledgments: post 835, 999 and 277CA files."""

from __future__ import annotations

import typer

app = typer.Typer(help="Remittances and acknowledgments: post 835, 999 and 277CA files.", no_args_is_help=True)


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="remit")

"""``chartwell cac``: computer-assisted coding of clinical notes, each suggestion with its evidence."""

from __future__ import annotations

import typer


def register(main_app: typer.Typer) -> None:
    """Adds the ``cac`` command (filled in by the CAC work)."""

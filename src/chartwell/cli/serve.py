"""``chartwell serve``: the web app and API over the configured store."""

from __future__ import annotations

from typing import Annotated

import typer

HostOption = Annotated[str, typer.Option("--host", help="address to listen on")]
PortOption = Annotated[int, typer.Option("--port", help="port to listen on")]


def run_server(host: str, port: int) -> None:
    import uvicorn

    from chartwell.api.app import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="warning", access_log=False)


def serve(host: HostOption = "127.0.0.1", port: PortOption = 8000) -> None:
    """Serve the pages and the API (http://HOST:PORT)."""
    run_server(host, port)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)

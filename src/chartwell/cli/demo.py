"""``chartwell demo``: a store with synthetic patients and demo logins, then the server."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress

from chartwell.cli.common import JsonOption, guarded, print_json, stderr
from chartwell.cli.serve import HostOption, PortOption, run_server
from chartwell.services import demo as demo_service
from chartwell.services.actor import local_operator
from chartwell.settings import get_settings
from chartwell.store.db import get_engine


def demo(
    patients: Annotated[int, typer.Option("--patients", help="how many synthetic patients")] = 60,
    seed: Annotated[int, typer.Option("--seed", help="the generator's seed")] = 20261124,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="set up, then exit")] = False,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    as_json: JsonOption = False,
) -> None:
    """Set up a data dir, the schema and synthetic patients, print the logins, and serve."""
    with guarded(as_json), Progress(console=stderr, disable=as_json, transient=True) as progress:
        task = progress.add_task("synthetic patients", total=patients)
        setup = demo_service.set_up(engine=get_engine(), actor=local_operator(), seed=seed, patients=patients,
                                    progress=lambda: progress.advance(task))
    url = f"http://{host}:{port}"
    if as_json:
        print_json({"url": url, "patients": setup.patients, "encounters": setup.encounters,
                    "documents": setup.documents, "users": setup.users, "password": setup.password,
                    "data_dir": str(get_settings().data_dir.resolve()),
                    "billing_config": setup.billing_config, "claims": setup.claims,
                    "notes": setup.notes})
    else:
        stderr.print(f"Chartwell demo: {setup.patients} synthetic patients, {setup.encounters} encounters, "
                     f"{setup.documents} documents in {get_settings().data_dir.resolve()}")
        claims = ", ".join(f"{count} {status}" for status, count in sorted(setup.claims.items()))
        stderr.print(f"Claims: {claims or 'none'} (billing configuration {setup.billing_config})",
                     markup=False)
        for note in setup.notes:
            stderr.print(f"  note: {note}", markup=False)
        stderr.print(f"\n  Open {url} and sign in as [bold]coder[/bold] (or director, clerk, biller, auditor, "
                     f"admin; the claims are at {url}/claims for biller)\n  password: [bold]{setup.password}[/bold]\n")
    if not no_serve:
        run_server(host, port)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)

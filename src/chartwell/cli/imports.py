"""``chartwell import``: bringing records in from other systems."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from chartwell.cli.common import JsonOption, UserOption, guarded, print_json, resolve_actor, stderr
from chartwell.services.intake import ImportReport, import_fhir
from chartwell.store.db import get_engine, transaction

app = typer.Typer(help="Bring records in from other systems.", no_args_is_help=True)

SHOWN_WARNINGS = 10


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="import")


@app.command("fhir")
def fhir(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", help="FHIR R4 files or folders: Bundles or "
                                                     "resources as .json or .ndjson, optionally .gz or .xz")],
    as_json: JsonOption = False,
    user: UserOption = None,
) -> None:
    """Import FHIR R4 bundles and resources (Synthea's, bulk-export NDJSON, ...).

    A broken file is rejected whole while the others go on; exit 1 when one was rejected."""
    with guarded(as_json):
        engine = get_engine()
        with transaction(engine) as session:
            actor = resolve_actor(session, user)
        if as_json:
            report = import_fhir(engine=engine, actor=actor, paths=paths)
        else:
            with Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                          console=stderr, transient=True) as bar:
                task = bar.add_task("files", total=None)
                report = import_fhir(engine=engine, actor=actor, paths=paths,
                                     progress=lambda done, total: bar.update(task, completed=done, total=total))
    if as_json:
        print_json(dataclasses.asdict(report))
    else:
        _print_report(report)
    raise typer.Exit(1 if report.errors else 0)


def _print_report(report: ImportReport) -> None:
    Console().print(
        f"{report.files} files: {report.patients} new patients, {report.encounters} new encounters, "
        f"{report.documents} new documents, {report.resources} new resources "
        f"({report.skipped_unchanged} unchanged, {report.unlinked} unlinked) in {report.seconds:.1f} s",
        highlight=False,
    )
    for warning in report.warnings[:SHOWN_WARNINGS]:
        stderr.print(f"[yellow]warning:[/yellow] {escape(_place(warning) + warning.message)}", highlight=False)
    if len(report.warnings) > SHOWN_WARNINGS:
        stderr.print(f"… and {len(report.warnings) - SHOWN_WARNINGS} more warnings (--json lists them all)")
    for error in report.errors:
        stderr.print(f"[red]rejected:[/red] {escape(_place(error) + error.message)}", highlight=False)


def _place(problem) -> str:
    return f"{problem.file}: {problem.resource + ': ' if problem.resource else ''}"

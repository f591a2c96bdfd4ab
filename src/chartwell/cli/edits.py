"""``chartwell edits``: check coded encounters (``check``) and list the declared rules
(``rules``), each with its id, family, severity, settings and source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chartwell.cli.common import (
    JsonOption,
    UserOption,
    fail,
    guarded,
    print_json,
    read_json_file,
    run_service,
)
from chartwell.domain.encounter_json import InvalidEncounter
from chartwell.edits.engine import all_rules
from chartwell.services import edits as service

app = typer.Typer(help="Coding edits: ICD-10-CM conventions, MCE, NCCI and MUE.",
                  no_args_is_help=True)


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="edits")


@app.command("check")
def check(
    path: Annotated[Path, typer.Argument(metavar="ENCOUNTER.json",
                                         help="one coded encounter or a list of them")],
    as_json: JsonOption = False,
    user: UserOption = None,
) -> None:
    """Every finding on the encounter(s). Exit 1 when an encounter has an error-level finding or
    cannot be read; a list is answered with a list, in order."""
    with guarded(as_json):
        document = read_json_file(path)
    results, is_list = run_service(as_json, user, lambda session, actor: service.check_document(
        session=session, actor=actor, document=document))
    if not is_list and isinstance(results[0], InvalidEncounter):
        raise fail(results[0], as_json)
    answers = [_answer(result) for result in results]
    if as_json:
        print_json(answers if is_list else answers[0])
    else:
        for index, result in enumerate(results):
            _print(index if is_list else None, result)
    failed = any(isinstance(result, InvalidEncounter) or not result.clean for result in results)
    raise typer.Exit(1 if failed else 0)


def _answer(result: service.EditResult | InvalidEncounter) -> dict:
    if isinstance(result, InvalidEncounter):
        return {"error": {"type": type(result).__name__, "message": result.message,
                          "fields": [{"field": error.field, "message": error.message}
                                     for error in result.errors]}}
    return result.to_json()


def _print(index: int | None, result: service.EditResult | InvalidEncounter) -> None:
    label = f"[{index}] " if index is not None else ""
    if isinstance(result, InvalidEncounter):
        typer.echo(f"{label}error: {result.message}")
        return
    if not result.findings:
        typer.echo(f"{label}no findings")
    for finding in result.findings:
        typer.echo(f"{label}{finding.severity.upper():7} {finding.rule:28} "
                   f"{', '.join(finding.codes):18} {finding.message}\n"
                   f"{'':8}source: {finding.source}")
    for note in result.notes:
        typer.echo(f"{label}note: {note}")


@app.command("rules")
def rules(as_json: JsonOption = False) -> None:
    """The declared rules: what a compliance officer reads to know what is checked, and why."""
    with guarded(as_json):
        declared = all_rules()
    if as_json:
        print_json([rule.to_json() for rule in declared])
        return
    for rule in declared:
        settings = ", ".join(sorted(rule.settings))
        typer.echo(f"{rule.id:30} {rule.severity:8} {rule.family:12} {rule.title}\n"
                   f"{'':30} settings: {settings}\n{'':30} source: {rule.source}")

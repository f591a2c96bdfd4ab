"""``chartwell edits``: check coded encounters (``check``) and list the declared rules
(``rules``), each with its id, family, severity, settings and source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chartwell.cli.common import (
    JsonOption,
    UserOption,
    answer_document_command,
    guarded,
    print_json,
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
    answer_document_command(
        path, as_json, user,
        lambda session, actor, document: service.check_document(session=session, actor=actor,
                                                                 document=document),
        service.answers, _render, _failed)


def _failed(result: service.EditResult | InvalidEncounter) -> bool:
    return isinstance(result, InvalidEncounter) or not result.clean


def _render(index: int | None, answer: dict) -> str:
    label = f"[{index}] " if index is not None else ""
    if "error" in answer:
        return f"{label}error: {answer['error']['message']}"
    lines = [] if answer["findings"] else [f"{label}no findings"]
    for finding in answer["findings"]:
        lines.append(f"{label}{finding['severity'].upper():7} {finding['rule']:28} "
                     f"{', '.join(finding['codes']):18} {finding['message']}\n"
                     f"{'':8}source: {finding['source']}")
    lines += [f"{label}note: {note}" for note in answer["notes"]]
    return "\n".join(lines)


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

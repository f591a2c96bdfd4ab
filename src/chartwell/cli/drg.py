"""``chartwell drg``: MS-DRG grouping of coded inpatient stays (``group``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chartwell.cli.common import JsonOption, UserOption, answer_document_command
from chartwell.errors import InvalidInput
from chartwell.grouping.drg import DrgResult
from chartwell.services import drg as service

app = typer.Typer(help="MS-DRG grouping: DRG, weight, CC/MCC and what would change it.",
                  no_args_is_help=True)


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="drg")


@app.command("group")
def group(
    path: Annotated[Path, typer.Argument(metavar="ENCOUNTER.json",
                                         help="one coded inpatient stay or a list of them")],
    as_json: JsonOption = False,
    user: UserOption = None,
) -> None:
    """Group each stay with the MS-DRG version in force on its discharge date. Exit 1 when a
    stay cannot be grouped (an error naming the field, or DRG 999 / 998); a list is answered
    with a list, in order."""
    answer_document_command(
        path, as_json, user,
        lambda session, actor, document: service.group_document(session=session, actor=actor,
                                                                document=document),
        service.answers, _render, _failed)


def _failed(result: DrgResult | InvalidInput) -> bool:
    return isinstance(result, InvalidInput) or not result.grouping.grouped


# -- text output -----------------------------------------------------------------------------


def _render(index: int | None, answer: dict) -> str:
    label = f"[{index}] " if index is not None else ""
    if "error" in answer:
        return f"{label}error: {answer['error']['message']}"
    lines = [f"{label}MS-DRG {answer['drg']} {answer['title'] or ''} (v{answer['version']}, "
             f"MDC {answer['mdc'] or '-'})",
             f"  weight {_number(answer['weight'])}   GMLOS {_number(answer['gmlos'])}   "
             f"AMLOS {_number(answer['amlos'])}"]
    if answer["return_code"] != "OK":
        lines.append(f"  ungroupable: {answer['return_code']}: {answer['message']}")
    if answer["hac"]:
        hac = answer["hac"]
        lines.append(f"  HAC: initial DRG {hac['initial_drg']} {hac['initial_title'] or ''} "
                     f"({hac['status']})")
    lines += _render_cc_mcc(answer["cc_mcc"]) + _render_changes(answer["what_changes"])
    lines += [f"  note: {note}" for note in answer["notes"]]
    return "\n".join(lines)


def _render_cc_mcc(view: dict) -> list[str]:
    lines = [f"  severity: {view['severity']}"]
    lines += [f"    {item['level']:<4} {item['code']:<9} drove the DRG" for item in view["drove"]]
    lines += [f"    {item['level']:<4} {item['code']:<9} not counted: {item['message']}"
              for item in view["not_counted"]]
    return lines


def _render_changes(changes: dict) -> list[str]:
    lines = []
    if len(changes["family"]) > 1:
        lines.append("  family: " + ", ".join(
            f"{'*' if member['current'] else ''}{member['drg']} {member['level'] or ''} "
            f"({_number(member['weight'])})" for member in changes["family"]))
    for change in changes["secondary_diagnoses"]:
        for source, label in (("documented", "documented, not coded"),
                              ("cdi_list", "CDI query list")):
            codes = [f"{item['code']} ({item['level'] or '?'})" for item in change["diagnoses"]
                     if item["source"] == source]
            if codes:
                lines.append(f"  adding one of {', '.join(codes)} [{label}] -> DRG "
                             f"{change['drg']}, weight {_signed(change['weight_change'])}")
    return lines


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.4f}"

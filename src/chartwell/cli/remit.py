"""``chartwell remit``: post remittances (835), record acknowledgments (999, 277CA) and list the
denial worklist."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from chartwell.cli.common import (JsonOption, UserOption, guarded, print_json, read_file_bytes,
                                  run_service)

app = typer.Typer(help="Remittances and acknowledgments: post 835, 999 and 277CA files.", no_args_is_help=True)


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="remit")


def _post_file(path: Path, as_json: bool, user: str | None, post: Callable, render: Callable):
    """Read an X12 file, hand it to the service that posts it (``post(session=, actor=, data=,
    file_name=)``), print the result's document (JSON, or ``render``ed for a person); the
    result, for the command's exit status."""
    with guarded(as_json):
        data = read_file_bytes(path)
    result = run_service(as_json, user, lambda session, actor: post(
        session=session, actor=actor, data=data, file_name=str(path)))
    document = result.to_json()
    if as_json:
        print_json(document)
    else:
        sys.stdout.write(render(document) + "\n")
    return result


@app.command("post")
def post(
    path: Annotated[Path, typer.Argument(metavar="FILE.835", help="an 835 remittance file")],
    as_json: JsonOption = False,
    user: UserOption = None,
) -> None:
    """Post every payment in the file to the claims it pays, all or nothing; a payment already
    posted posts nothing again. Exit 1 when the payer's numbers do not balance (posted, with
    the findings) or the file is refused."""
    from chartwell.services import remittance as service

    result = _post_file(path, as_json, user, service.post_remittance, _render_posting)
    raise typer.Exit(0 if result.balanced else 1)


def _render_posting(document: dict) -> str:
    lines = [f"{document['file']}: {document['posted']} posted, "
             f"{document['already_posted']} already posted"]
    for remittance in document["remittances"]:
        state = "already posted" if remittance["already_posted"] else "posted"
        lines.append(f"  trace {remittance['trace_number']} from {remittance['payer_name'] or remittance['payer_identifier']}: "
                     f"{remittance['payment_amount']} ({state}), PLB {remittance['provider_adjustments']}")
        for claim in remittance["claims"]:
            lines.append(f"    CLP at segment {claim['segment']}: paid {claim['paid']} -> "
                         f"{claim['status']}, balance {claim['balance']}")
        lines += [f"    finding: {finding['message']}" for finding in remittance["findings"]]
    return "\n".join(lines)


@app.command("ack")
def ack(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="a 999 or 277CA file")],
    as_json: JsonOption = False,
    user: UserOption = None,
) -> None:
    """Record a 999 (per batch) or 277CA (per claim) acknowledgment: accepted claims go on to
    adjudication, rejected ones back to the biller. Exit 1 when anything was rejected."""
    from chartwell.services import acks as service

    result = _post_file(path, as_json, user, service.record_acknowledgment, _render_ack)
    raise typer.Exit(1 if result.rejected else 0)


def _render_ack(document: dict) -> str:
    lines = [f"{document['file']}: {document['kind']}"]
    for item in document["items"]:
        lines.append(f"  {item['level']} {item['reference']}: {item['status']} "
                     f"{' '.join(item['codes'])} -> {item['matched'] or 'no match here'}")
    lines += [f"  note: {note}" for note in document["notes"]]
    return "\n".join(lines)


@app.command("denials")
def denials(
    as_json: JsonOption = False,
    user: UserOption = None,
    days: Annotated[int | None, typer.Option("--older-than", help="only claims at least this many days old")] = None,
) -> None:
    """The denial worklist: denied and underpaid claims by reason, payer and age, each with
    its next action."""
    from chartwell.services import denials as service

    worklist = run_service(as_json, user, lambda session, actor: service.worklist(
        session=session, actor=actor, older_than_days=days))
    document = worklist.to_json()
    if as_json:
        print_json(document)
        return
    if not document["items"]:
        typer.echo("no denied or underpaid claims")
    for group in document["by_reason"]:
        typer.echo(f"{group['key']}: {group['count']} claim(s), {group['amount']}")
        for item in group["items"]:
            typer.echo(f"  {item['patient_control_number']:20} {item['payer_name'][:24]:24} "
                       f"{item['age_bucket']:>7}  {item['next_action']['action']}: "
                       f"{item['next_action']['title']}")

"""``chartwell audit``: the tamper-evident audit trail."""

from __future__ import annotations

import typer

from chartwell.cli.common import JsonOption, UserOption, print_json, run_service, stderr
from chartwell.services import audit

app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@app.command("verify")
def verify(as_json: JsonOption = False, user: UserOption = None) -> None:
    """Check every event's digest and link; name the first event that does not hold."""
    verdict = run_service(as_json, user, lambda session, actor: audit.verify(session=session, actor=actor))
    if as_json:
        print_json({"ok": verdict.ok, "events": verdict.events,
                    "first_bad_event": verdict.first_bad_event, "reason": verdict.reason})
    elif verdict.ok:
        stderr.print(f"audit trail intact: {verdict.events} events")
    else:
        stderr.print(f"[red]audit trail broken at event {verdict.first_bad_event}:[/red] {verdict.reason}")
    if not verdict.ok:
        raise typer.Exit(1)

"""``chartwell claims``: build claims from coded encounters, scrub them, list and show them,
export the queued ones as an 837P / 837I batch, replace or void a claim already sent."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Annotated

import typer

from chartwell.claims.assembly import ClaimOptions
from chartwell.claims.config import EXAMPLE
from chartwell.cli.common import JsonOption, UserOption, guarded, print_json, run_service
from chartwell.domain.claims import ClaimKind, Frequency
from chartwell.errors import Position, UnreadableInput
from chartwell.services import claims as service

app = typer.Typer(help="Claims: build from a coded encounter, scrub, export as 837P / 837I.",
                  no_args_is_help=True)


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="claims")


def _id(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an id", param_hint=what) from None


def _show(stored: service.StoredClaim, as_json: bool) -> None:
    if as_json:
        print_json(stored.to_json())
        return
    typer.echo(f"claim {stored.id}  {stored.claim.kind}  {stored.status.value.upper()}  "
               f"{stored.claim.patient_control_number}  charge {stored.claim.total_charge}  "
               f"payer {stored.claim.payer.name}")
    for finding in stored.findings:
        where = f" [{finding['field']}]" if finding.get("field") else ""
        typer.echo(f"  {finding['severity'].upper():7} {finding['rule']}{where}: "
                   f"{finding['message']}\n          source: {finding['source']}")


def _exit_for(stored: service.StoredClaim) -> None:
    raise typer.Exit(1 if stored.status.value == "held" else 0)


@app.command("build")
def build(
    encounter_id: Annotated[str, typer.Argument(metavar="ENCOUNTER_ID")],
    kind: Annotated[str | None, typer.Option("--kind", help="837p or 837i (default: by the "
                                             "encounter's setting)")] = None,
    prior_authorization: Annotated[str | None, typer.Option("--prior-authorization")] = None,
    referral_number: Annotated[str | None, typer.Option("--referral-number")] = None,
    as_json: JsonOption = False, user: UserOption = None,
) -> None:
    """Assemble and scrub the claim of a coded encounter. Exit 1 when it is held."""
    options = ClaimOptions(kind=_kind(kind) if kind else None,
                           prior_authorization=prior_authorization,
                           referral_number=referral_number)
    stored = run_service(as_json, user, lambda session, actor: service.build_claim(
        session=session, actor=actor, encounter_id=_id(encounter_id, "ENCOUNTER_ID"),
        options=options))
    _show(stored, as_json)
    _exit_for(stored)


@app.command("scrub")
def scrub(claim_id: Annotated[str, typer.Argument(metavar="CLAIM")], as_json: JsonOption = False,
          user: UserOption = None) -> None:
    """Scrub a held or queued claim again. Exit 1 when it is held."""
    stored = run_service(as_json, user, lambda session, actor: service.scrub_claim(
        session=session, actor=actor, claim_id=_id(claim_id, "CLAIM")))
    _show(stored, as_json)
    _exit_for(stored)


@app.command("show")
def show(claim_id: Annotated[str, typer.Argument(metavar="CLAIM")], as_json: JsonOption = False,
         user: UserOption = None) -> None:
    stored = run_service(as_json, user, lambda session, actor: service.get_claim(
        session=session, actor=actor, claim_id=_id(claim_id, "CLAIM")))
    _show(stored, as_json)


@app.command("list")
def list_(status: Annotated[str | None, typer.Option("--status")] = None,
          limit: Annotated[int, typer.Option("--limit")] = 100,
          as_json: JsonOption = False, user: UserOption = None) -> None:
    """Claims, oldest first (``--status held|queued|exported|...``)."""
    found = run_service(as_json, user, lambda session, actor: service.list_claims(
        session=session, actor=actor, status=status, limit=limit))
    if as_json:
        print_json([each.to_json(with_claim=False) for each in found])
        return
    for each in found:
        typer.echo(f"{each.id}  {each.claim.kind}  {each.status.value:9} "
                   f"{each.claim.patient_control_number:24} {each.claim.total_charge:>10}  "
                   f"{len(each.findings)} findings")


def _kind(value: str) -> ClaimKind:
    kinds = {"837p": ClaimKind.PROFESSIONAL, "837i": ClaimKind.INSTITUTIONAL}
    if value.lower() not in kinds:
        raise typer.BadParameter(f"{value!r}: 837p or 837i", param_hint="--format/--kind")
    return kinds[value.lower()]


@app.command("export")
def export(
    format_: Annotated[str, typer.Option("--format", help="837p or 837i")],
    out: Annotated[Path, typer.Option("--out", help="the 837 file to write (must not exist)")],
    as_json: JsonOption = False, user: UserOption = None,
) -> None:
    """Every queued claim of the kind into one 837 batch: control numbers, batch row, claim
    statuses and the file commit together, or nothing does."""
    kind = _kind(format_)
    result = run_service(as_json, user, lambda session, actor: service.export_claims(
        session=session, actor=actor, kind=kind, out=out))
    if as_json:
        print_json(result.to_json())
    else:
        typer.echo(f"{result.claims} {kind} claims -> {result.file} (ISA13 "
                   f"{result.interchange_control_number:09d}, GS06 {result.group_control_number})")


def _follow_up(claim_id: str, frequency: Frequency, payer_claim_number: str | None,
               as_json: bool, user: str | None) -> None:
    stored = run_service(as_json, user, lambda session, actor: service.follow_up(
        session=session, actor=actor, claim_id=_id(claim_id, "CLAIM"), frequency=frequency,
        payer_claim_number=payer_claim_number))
    _show(stored, as_json)
    _exit_for(stored)


PayerClaimNumber = Annotated[str | None, typer.Option(
    "--payer-claim-number", help="the payer's number of the original (default: from the 835)")]


@app.command("replace")
def replace_(claim_id: Annotated[str, typer.Argument(metavar="CLAIM")],
             payer_claim_number: PayerClaimNumber = None, as_json: JsonOption = False,
             user: UserOption = None) -> None:
    """A replacement claim (frequency 7) of a claim already sent."""
    _follow_up(claim_id, Frequency.REPLACEMENT, payer_claim_number, as_json, user)


@app.command("void")
def void(claim_id: Annotated[str, typer.Argument(metavar="CLAIM")],
         payer_claim_number: PayerClaimNumber = None, as_json: JsonOption = False,
         user: UserOption = None) -> None:
    """A void claim (frequency 8) of a claim already sent."""
    _follow_up(claim_id, Frequency.VOID, payer_claim_number, as_json, user)


@app.command("print")
def print_(claim_id: Annotated[str, typer.Argument(metavar="CLAIM")],
           out: Annotated[Path, typer.Option("--out", help="the PDF file to write")],
           as_json: JsonOption = False, user: UserOption = None) -> None:
    """A professional claim on the CMS-1500 (02/12) form, written as PDF."""
    pdf = run_service(as_json, user, lambda session, actor: service.print_claim(
        session=session, actor=actor, claim_id=_id(claim_id, "CLAIM")))
    with guarded(as_json):
        try:
            out.write_bytes(pdf)
        except OSError as error:
            raise UnreadableInput(f"cannot write ({error.strerror or error})",
                                  Position(file=str(out))) from None
    if as_json:
        print_json({"claim": claim_id, "file": str(out), "bytes": len(pdf)})
    else:
        typer.echo(f"wrote {out} ({len(pdf):,} bytes)")


@app.command("config-example")
def config_example() -> None:
    """Print a billing.toml template (put it in the data dir and edit it)."""
    sys.stdout.write(EXAMPLE)

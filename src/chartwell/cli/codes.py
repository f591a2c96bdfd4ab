"""``chartwell codes``: looking codes up in the release in force on a date (``show``,
``validate``; ``search`` is the search engine's command in the same group)."""

from __future__ import annotations

from typing import Annotated

import typer

from chartwell.cli import codes_search
from chartwell.cli.common import JsonOption, UserOption, parse_date, print_json, run_service
from chartwell.codesets.detail import CodeDetail
from chartwell.codesets.model import CodeSystem
from chartwell.codesets.present import detail_json, hcpcs_json, validation_json
from chartwell.services import codesets as service

app = typer.Typer(help="Look codes up (ICD-10-CM, ICD-10-PCS, HCPCS, CPT) by date of service.",
                  no_args_is_help=True)


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="codes")


SystemOption = Annotated[CodeSystem | None, typer.Option(
    "--system", help="the code system (default: from the code's shape)")]
DateOption = Annotated[str | None, typer.Option(
    "--date", help="date of service, YYYY-MM-DD (default: today)")]


# -- show ----------------------------------------------------------------------------------------


@app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="the code, e.g. E11.40, 0DTJ4ZZ, J3301")],
    system: SystemOption = None, on: DateOption = None, as_json: JsonOption = False,
    user: UserOption = None,
) -> None:
    """A code in the release in force on the date: title, billable or header, the notes in
    force with where each comes from, 7th characters; PCS characters; HCPCS fields."""
    day = parse_date(on)
    detail = run_service(as_json, user, lambda session, actor: service.show_code(
        session=session, actor=actor, code=code, system=system, on=day))
    if as_json:
        print_json(detail_json(detail))
    else:
        print(render_detail(detail))


def render_detail(detail: CodeDetail) -> str:
    lines = [f"{detail.code}  {detail.title or '(no descriptor)'}",
             f"  {detail.system} {detail.release or ''} on {detail.date.isoformat()}: "
             + ("billable" if detail.billable else detail.kind)]
    lines += [f"  {item.level} {item.key}: {item.title}" for item in detail.path]
    for note in detail.notes:
        lines.append(f"  {note.kind}: {note.text}   [{note.source.label}]")
    if detail.seventh:
        source = detail.seventh.source.label if detail.seventh.source else "the release's codes"
        lines.append(f"  7th characters ({source}; placeholder {detail.seventh.placeholder}):")
        lines += [f"    {character}  {meaning}" for character, meaning in detail.seventh.values]
    if detail.pcs:
        lines.append(f"  table {detail.pcs.table}: {detail.pcs.table_title}")
        lines += [f"    {item.position} {item.axis}: {item.value} = {item.label}"
                  + (f" ({item.definition})" if item.definition else "")
                  for item in detail.pcs.characters]
    if detail.hcpcs:
        fields = hcpcs_json(detail) or {}
        lines += [f"  {name}: {value}" for name, value in fields.items() if value is not None]
    if detail.children:
        more = detail.children_total - len(detail.children)
        lines.append(f"  billable codes ({detail.children_total}):")
        lines += [f"    {child.code}  {child.title}" for child in detail.children[:20]]
        if detail.children_total > 20:
            lines.append(f"    … and {detail.children_total - 20} more"
                         + (f" ({more} not listed with --json)" if more > 0 else ""))
    lines += [f"  note: {message}" for message in detail.messages]
    return "\n".join(lines)


# -- validate ------------------------------------------------------------------------------------


@app.command("validate")
def validate(
    codes: Annotated[list[str], typer.Argument(metavar="CODE...", help="codes to check")],
    system: SystemOption = None, on: DateOption = None, as_json: JsonOption = False,
    user: UserOption = None,
) -> None:
    """Check codes against the release in force on the date; exit 1 when any is invalid."""
    day = parse_date(on)
    results = run_service(as_json, user, lambda session, actor: service.validate_codes(
        session=session, actor=actor, codes=codes, system=system, on=day))
    if as_json:
        print_json([validation_json(result) for result in results])
    else:
        for result in results:
            verdict = "valid" if result.valid else "INVALID"
            print(f"{result.code}\t{result.system}\t{verdict}"
                  + ("" if result.billable or not result.valid else " (not billable)")
                  + "".join(f"\n  {message}" for message in result.messages))
    raise typer.Exit(0 if all(result.valid for result in results) else 1)


codes_search.register(app)

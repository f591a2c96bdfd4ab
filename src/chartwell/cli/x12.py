"""``chartwell x12``: read an X12 file into its transaction sets and loops (``read``) and check
it against its implementation guide (``validate``; exit 1 when it fails, 2 when it cannot be
read at all)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chartwell.cli.common import JsonOption, guarded, print_json
from chartwell.claims.x12 import read_x12_file, validate_x12_file
from chartwell.claims.x12.present import document_json, render_document, render_report, validation_json

app = typer.Typer(help="Read and validate X12 EDI files (837P, 837I, 835, 999, 277CA, 270/271, 276/277).",
                  no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(help="the X12 file (UTF-8, UTF-16 or Latin-1; any delimiters)")]


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="x12")


@app.command("read")
def read(file: FileArgument, as_json: JsonOption = False) -> None:
    """The interchanges, functional groups and transaction sets of FILE, each transaction's
    segments in the loops of its implementation guide."""
    with guarded(as_json):
        document = read_x12_file(file)
    if as_json:
        print_json(document_json(document))
    else:
        print(render_document(document))


@app.command("validate")
def validate(file: FileArgument, as_json: JsonOption = False) -> None:
    """Check FILE: envelope control numbers and counts, segment order and loops, required
    segments and elements, element types, lengths and codes, repeat limits. Every error names
    its segment (1-based position in the file), segment id and loop."""
    with guarded(as_json):
        report = validate_x12_file(file)
    if as_json:
        print_json(validation_json(report))
    else:
        print(render_report(report, str(file)))
    if not report.valid:
        raise typer.Exit(1)

"""``chartwell x12``: X12 files: read and validate 5010 interchanges.

Both commands work on the file alone (no store, nothing recorded): ``validate`` answers whether
the file follows its envelope and implementation guide, naming every error by segment number,
segment id, loop and element; ``read`` shows the interchange as its loops.
Exit codes: 0 valid (``read``: read), 1 invalid, 2 unreadable (not X12, missing file).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from chartwell.cli.common import JsonOption, guarded, print_json, read_file_bytes

app = typer.Typer(help="X12 files: read and validate 5010 interchanges.", no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(metavar="FILE", help="an X12 file (ISA..IEA)")]


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="x12")


@app.command("validate")
def validate(path: FileArgument, as_json: JsonOption = False) -> None:
    """Check the envelope and every transaction set against its implementation guide (837P
    X222A1, 837I X223A2, 835 X221A1, 999, 277CA, 270/271, 276/277). Exit 1 when invalid."""
    from chartwell.claims.x12.validator import validate as run_validation

    with guarded(as_json):
        report = run_validation(read_file_bytes(path), source=str(path))
    if as_json:
        print_json(report.to_json())
    else:
        sys.stdout.write(_render_report(report) + "\n")
    raise typer.Exit(0 if report.valid else 1)


def _render_report(report) -> str:
    lines = []
    for transaction in report.transactions:
        guide = transaction["guide"] or "no guide"
        lines.append(f"{transaction['transaction']} {transaction['control_number']} "
                     f"({transaction['version']}, guide {guide}): "
                     f"{'valid' if transaction['valid'] else 'INVALID'}"
                     + (f" -- {transaction['note']}" if transaction["note"] else ""))
    for error in report.errors:
        where = f"segment {error.segment_index} {error.segment_id}"
        if error.loop:
            where += f" (loop {error.loop})"
        if error.element:
            where += f" {error.element}"
        lines.append(f"  {where}: {error.message}")
    lines.append(f"{report.source}: {'valid' if report.valid else 'INVALID'} "
                 f"({report.segments} segments, {len(report.errors)} error(s))")
    return "\n".join(lines)


@app.command("read")
def read(path: FileArgument, as_json: JsonOption = False) -> None:
    """Show the interchange(s): envelope, groups, and each transaction set as its loops."""
    from chartwell.claims.x12.reader import read_interchanges

    with guarded(as_json):
        interchanges = read_interchanges(read_file_bytes(path), source=str(path))
    if as_json:
        print_json({"file": str(path), "interchanges": [_interchange(each) for each in interchanges]})
    else:
        sys.stdout.write("\n".join(_outline(each) for each in interchanges) + "\n")
    raise typer.Exit(0)


def _interchange(interchange) -> dict:
    return {"sender": {"qualifier": interchange.sender_qualifier, "id": interchange.sender_id},
            "receiver": {"qualifier": interchange.receiver_qualifier, "id": interchange.receiver_id},
            "date": interchange.date, "time": interchange.time,
            "control_number": interchange.control_number, "version": interchange.version,
            "usage": interchange.usage,
            "delimiters": {"element": interchange.delimiters.element,
                           "component": interchange.delimiters.component,
                           "repetition": interchange.delimiters.repetition,
                           "segment": interchange.delimiters.segment},
            "groups": [{"functional_id": group.functional_id, "sender": group.sender,
                        "receiver": group.receiver, "date": group.date, "time": group.time,
                        "control_number": group.control_number, "version": group.version,
                        "transactions": [_transaction(each) for each in group.transactions]}
                       for group in interchange.groups]}


def _transaction(transaction) -> dict:
    return {"id": transaction.id, "control_number": transaction.control_number,
            "version": transaction.version, "guide": transaction.guide, "note": transaction.note,
            "segment_index": transaction.segment_index, "root": _loop(transaction.root)}


def _loop(node) -> dict:
    return {"loop": node.id, "name": node.name,
            "segments": [{"index": segment.index, "id": segment.id, "elements": segment.elements}
                         for segment in node.segments],
            "loops": [_loop(child) for child in node.loops]}


def _outline(interchange) -> str:
    lines = [f"interchange {interchange.control_number} from {interchange.sender_qualifier}:"
             f"{interchange.sender_id} to {interchange.receiver_qualifier}:{interchange.receiver_id}"]
    for group in interchange.groups:
        lines.append(f"  group {group.control_number} {group.functional_id} {group.version}")
        for transaction in group.transactions:
            lines.append(f"    {transaction.id} {transaction.control_number} guide "
                         f"{transaction.guide or 'none'}" + (f" ({transaction.note})" if transaction.note else ""))
            _outline_loop(transaction.root, "      ", lines)
    return "\n".join(lines)


def _outline_loop(node, indent: str, lines: list[str]) -> None:
    lines.append(f"{indent}{node.id} {node.name}: {' '.join(segment.id for segment in node.segments)}")
    for child in node.loops:
        _outline_loop(child, indent + "  ", lines)

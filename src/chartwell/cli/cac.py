"""``chartwell cac``: computer-assisted coding of clinical notes, each suggestion with its evidence.

    chartwell cac NOTE.txt|FOLDER [--setting inpatient|outpatient] [--date D] [--json]

``--json`` prints ``{"suggestions": [{"code", "system", "title", "spans": [{"start", "end",
"text"}], "section", "assertion", "path", "confidence", "guideline", "role"}], "not_coded":
[{"code", "system", "title", "spans", "section", "assertion", "reason", "history_code": {"code",
"title", "how", "guideline"} or null}], "warnings": [...], "setting", "release"}``; a folder (its
``*.txt`` files, coded in one process) is answered as one object keyed by file name. A past or a
relative's condition is not coded; the history code it may take (Z80-Z87, I25.2) is offered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chartwell.cli.common import (
    JsonOption, UserOption, guarded, parse_date, print_json, run_service,
)
from chartwell.errors import Position, UnreadableInput
from chartwell.services import cac as service

MAX_NOTE_BYTES = 20_000_000  # a file larger than this is no note


def register(main_app: typer.Typer) -> None:
    """Adds the ``cac`` command."""
    main_app.command("cac")(cac)


def cac(
    path: Annotated[Path, typer.Argument(metavar="NOTE.txt|FOLDER",
                                         help="a note (plain text) or a folder of *.txt notes")],
    setting: Annotated[str, typer.Option(
        "--setting", help="inpatient (uncertain diagnoses coded, PCS procedures) or "
                          "outpatient")] = "outpatient",
    on: Annotated[str | None, typer.Option(
        "--date", help="date of service, YYYY-MM-DD: the code set in force (default today)")
    ] = None,
    as_json: JsonOption = False,
    user: UserOption = None,
) -> None:
    """Suggest ICD-10-CM codes (and ICD-10-PCS, inpatient) for clinical notes: each with the
    words it came from, the section, the assertion, the index path and the guideline."""
    if setting not in ("inpatient", "outpatient"):
        raise typer.BadParameter("inpatient or outpatient", param_hint="--setting")
    day = parse_date(on)
    with guarded(as_json):
        notes, folder = _read_notes(path)
    results = run_service(as_json, user, lambda session, actor: service.code_notes(
        session=session, actor=actor, notes=notes, setting=setting, on=day))
    answers = {name: result.to_json() for name, result in results.items()}
    if as_json:
        print_json(answers if folder else next(iter(answers.values())))
        return
    for name, answer in answers.items():
        if folder:
            print(f"# {name}")
        print(render(answer))


def _read_notes(path: Path) -> tuple[list[tuple[str, str]], bool]:
    if path.is_dir():
        files = sorted(item for item in path.iterdir() if item.is_file()
                       and item.suffix.lower() == ".txt")
        return [(item.name, _read(item)) for item in files], True
    return [(path.name, _read(path))], False


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_NOTE_BYTES:
            raise UnreadableInput(f"the note is larger than {MAX_NOTE_BYTES} bytes",
                                  Position(file=str(path)))
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableInput(f"cannot read ({error.strerror or error})",
                              Position(file=str(path))) from None
    return data.decode("utf-8", errors="replace")


def render(answer: dict) -> str:
    """Suggestions as lines a coder reads: code, assertion, confidence, title; then the
    evidence, the path and the guideline."""
    lines = []
    for warning in answer["warnings"]:
        lines.append(f"  note: {warning}")
    if not answer["suggestions"]:
        lines.append("  (no suggestions)")
    for item in answer["suggestions"]:
        role = f" [{item['role']}]" if item["role"] else ""
        lines.append(f"  {item['code']:9} {item['assertion']:9} {item['confidence']:.2f}  "
                     f"{item['title']}{role}")
        evidence = "; ".join(f"\"{span['text']}\" @{span['start']}" for span in item["spans"])
        lines.append(f"            evidence: {evidence} (section: {item['section'] or '-'})")
        lines.append(f"            path: {' > '.join(item['path'])}")
        if item["guideline"]:
            lines.append(f"            guideline: {item['guideline']}")
    for item in answer["not_coded"]:
        lines.append(f"  not coded {item['code']:9} \"{item['spans'][0]['text']}\": "
                     f"{item['reason']}")
        if history := item["history_code"]:
            lines.append(f"            may apply: {history['code']} {history['title']} "
                         f"({history['how']})")
    return "\n".join(lines)


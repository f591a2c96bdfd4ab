"""``chartwell eval``: measure the computer-assisted coding against labelled notes.

    chartwell eval cac LABELLED_DIR [--setting inpatient|outpatient] [--date D] [--limit N] [--json]

LABELLED_DIR is laid out like CodiEsp (``text_files_en/*.txt``, ``doc_id<TAB>code`` gold .tsv
files for diagnoses and procedures, an optional ``index*.tsv`` giving each note's setting); see
:mod:`chartwell.cac.codiesp`. ``--json`` prints one document: per kind (``diagnoses``,
``procedures``) and per setting (``all``, ``inpatient``, ``outpatient``) the micro and macro
precision, recall and F1 at ``code`` and ``category`` level, then ``errors`` (every miss and
false positive, the most frequent of each, and the most frequent gold/suggested pairs of one
category), and ``gold_check`` (gold codes that are headers or absent in the US code sets).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chartwell.cac import codiesp
from chartwell.cli.common import JsonOption, UserOption, guarded, parse_date, print_json, run_service
from chartwell.services import cac as service

app = typer.Typer(help="Evaluate computer-assisted coding against labelled notes.",
                  no_args_is_help=True)


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="eval")


@app.command("cac")
def cac(
    folder: Annotated[Path, typer.Argument(metavar="LABELLED_DIR",
                                           help="text_files_en/*.txt and gold .tsv files")],
    setting: Annotated[str | None, typer.Option(
        "--setting", help="code every note in this setting (default: the index's, else "
                          f"{service.DEFAULT_SETTING})")] = None,
    on: Annotated[str | None, typer.Option(
        "--date", help="date of service, YYYY-MM-DD: the code sets in force (default today)")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1,
                                              help="only the first N notes (by doc_id)")] = None,
    as_json: JsonOption = False,
    user: UserOption = None,
) -> None:
    """Precision, recall and F1 of the suggested codes against the gold codes, at code and
    category (3-character) level, per setting, with the misses and false positives."""
    if setting is not None and setting not in codiesp.SETTINGS:
        raise typer.BadParameter("inpatient or outpatient", param_hint="--setting")
    day = parse_date(on)
    with guarded(as_json):
        labelled = codiesp.read_labelled(folder, limit)
    answer = run_service(as_json, user, lambda session, actor: service.evaluate_labelled(
        session=session, actor=actor, labelled=labelled, setting=setting, on=day))
    if as_json:
        print_json(answer)
    else:
        typer.echo(render(answer))


def render(answer: dict) -> str:
    """The figures as a coder or analyst reads them: one line per kind, setting and level,
    then the most frequent errors."""
    lines = [f"{answer['documents']} notes ({', '.join(f'{n} {s}' for s, n in answer['settings'].items())})"]
    for kind in ("diagnoses", "procedures"):
        report = answer[kind]
        for setting, levels in report.items():
            if setting == "errors":
                continue
            for level, s in levels.items():
                lines.append(
                    f"{kind:10} {setting:10} {level:8} micro P {s['micro_precision']:.3f} "
                    f"R {s['micro_recall']:.3f} F1 {s['micro_f1']:.3f} | macro F1 {s['macro_f1']:.3f} "
                    f"(gold {s['gold']}, suggested {s['predicted']}, agreed {s['true_positives']})")
        errors = report["errors"]
        missed = ", ".join(f"{e['code']} x{e['count']}" for e in errors["most_missed"][:10])
        extra = ", ".join(f"{e['code']} x{e['count']}" for e in errors["most_false_positive"][:10])
        lines.append(f"{kind}: most missed: {missed or '-'}")
        lines.append(f"{kind}: most false positive: {extra or '-'}")
    for kind, check in answer.get("gold_check", {}).items():
        lines.append(f"gold {kind}: {check['total']} codes, {check['mapped']} mapped to a "
                     f"successor, {check['headers']} headers, "
                     f"{check['absent']} not in the US code set, {check['partial']} partial")
    return "\n".join(lines)

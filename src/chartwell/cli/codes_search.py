"""``chartwell codes search``: the encoder's search, in the release in force on a date.

    chartwell codes search TEXT [--system icd10cm|icd10pcs|hcpcs|cpt] [--date D] [--limit N]
    chartwell codes search --batch FILE ...     one query a line, answered in one process

``--json`` prints ``[{"code", "title", "billable", "score", "path", "matched"}]`` (with
``--batch``, a list of such lists, one per line of the file, in order; a blank line gets ``[]``).
The release engineer's ``chartwell codes`` group registers this command (``register``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chartwell.cli.common import (
    JsonOption, UserOption, guarded, parse_date, print_json, run_service, stderr,
)
from chartwell.codesets.model import CodeSystem
from chartwell.codesets.search import SearchHit
from chartwell.errors import Position, UnreadableInput
from chartwell.services import codesets

MAX_LIMIT = 200


def register(codes_app: typer.Typer) -> None:
    """Add ``search`` to the ``chartwell codes`` group."""
    codes_app.command("search")(search)


def search(
    text: Annotated[str | None, typer.Argument(
        help='what to look for, as a coder writes it: "DM2 w neuropathy", "fx L femur neck"')
    ] = None,
    system: Annotated[CodeSystem, typer.Option("--system", help="the code system")
                      ] = CodeSystem.ICD10CM,
    on: Annotated[str | None, typer.Option(
        "--date", help="date of service, YYYY-MM-DD (default: today)")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_LIMIT,
                                       help="at most this many codes a query")] = 10,
    batch: Annotated[Path | None, typer.Option(
        "--batch", help="a file of queries, one a line, answered in one process")] = None,
    as_json: JsonOption = False,
    user: UserOption = None,
) -> None:
    """Search the code set in force on the date: the alphabetic index (see, see also, use,
    nonessential words), the neoplasm and drug tables, tabular titles and inclusion terms,
    HCPCS and CPT descriptors; abbreviations, typos and any word order. Each hit says the path
    or field that matched."""
    if (text is None) == (batch is None):
        raise typer.BadParameter("give either TEXT or --batch FILE", param_hint="TEXT")
    day = parse_date(on)
    with guarded(as_json):
        queries = _read_batch(batch) if batch is not None else [text or ""]
    answers, note = run_service(as_json, user, lambda session, actor: codesets.search_codes(
        session=session, actor=actor, queries=queries, system=system, on=day, limit=limit))
    if note:
        stderr.print(note, highlight=False, markup=False)
    if as_json:
        lists = [[hit.to_json() for hit in hits] for hits in answers]
        print_json(lists if batch is not None else lists[0])
        return
    for query, hits in zip(queries, answers, strict=True):
        if batch is not None:
            print(f"# {query}")
        print(render(hits))


def _read_batch(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableInput(f"cannot read the batch file ({error})",
                              Position(file=str(path))) from None
    lines = text.splitlines()
    return lines


def render(hits: list[SearchHit]) -> str:
    """Hits as lines a coder reads: code, billable or header, score, title, then the path."""
    if not hits:
        return "  (nothing found)"
    lines = []
    for hit in hits:
        flag = "billable" if hit.billable else "header  "
        lines.append(f"  {hit.code:9} {flag} {hit.score:5.3f}  {hit.title}")
        lines.append(f"            {' > '.join(hit.path)}   [{hit.matched}]")
    return "\n".join(lines)

"""``chartwell hcc``: CMS-HCC risk adjustment (``score``).

The CMS-HCC tables are not shipped. Each patient is scored with the tables of their payment
year installed by ``chartwell codesets install`` (one release per payment year, see
:mod:`chartwell.codesets.hcc`); ``--data FOLDER`` (default ``$CHARTWELL_HCC_DATA``) reads them
from a folder instead, for every patient (see :mod:`chartwell.grouping.hcc.load` for the files).
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from chartwell.cli.common import JsonOption, guarded, print_json, read_json_file
from chartwell.codesets.hcc import HccRelease
from chartwell.codesets.model import TableSet
from chartwell.errors import InvalidInput, Position, UnreadableInput
from chartwell.grouping.hcc import (
    HccTables, InvalidPatient, ScoreOptions, load_hcc_model_files, parse_request, risk_score_json, score,
)
from chartwell.grouping.hcc.model import normalize_code
from chartwell.services.codesets import OpenRelease, installed_releases
from chartwell.services.reference_data import ByDate
from chartwell.store.db import get_engine, transaction

app = typer.Typer(help="CMS-HCC risk adjustment: diagnoses and demographics -> RAF score.",
                  no_args_is_help=True)

DATA_ENV = "CHARTWELL_HCC_DATA"
CODE_LIST = re.compile(r"^code-list.*\.txt$", re.IGNORECASE)


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="hcc")


DataOption = Annotated[Path | None, typer.Option(
    "--data", help=f"read the CMS-HCC tables from this folder (ra_dx_to_cc_YYYY.csv, "
                   f"ra_coefficients_YYYY.csv, F28*.TXT ...) instead of the installed releases; "
                   f"default ${DATA_ENV}")]


@app.command("score")
def score_command(
    path: Annotated[Path, typer.Argument(metavar="PATIENT.json",
                                         help="one patient (a JSON object) or a list of them")],
    data: DataOption = None,
    normalize: Annotated[bool, typer.Option(
        "--normalize", help="divide each model's score by the year's FFS normalization factor")] = False,
    coding_adjustment: Annotated[bool, typer.Option(
        "--coding-adjustment", help="apply the MA coding pattern adjustment (5.9%)")] = False,
    normalization_factor: Annotated[list[str] | None, typer.Option(
        "--normalization-factor", metavar="[MODEL=]VALUE",
        help="the normalization factor to use, from the Rate Announcement (V28=<factor>); "
             "implies --normalize")] = None,
    no_mce_edits: Annotated[bool, typer.Option(
        "--no-mce-edits", help="skip the Medicare Code Editor age edits (CMS SEDITS=0)")] = False,
    any_date: Annotated[bool, typer.Option(
        "--any-date", help="use diagnoses of any date, not only the data collection year")] = False,
    as_json: JsonOption = False,
) -> None:
    """Score CMS-HCC risk for the payment year of each patient: HCCs with the diagnoses behind
    them, hierarchies, demographic and interaction factors, the RAF and, for blended years,
    each model's part."""
    with guarded(as_json):
        documents, is_list = read_patients(path)
        factors = parse_factors(normalization_factor or [])
        options = ScoreOptions(mce_edits=not no_mce_edits, collection_year_only=not any_date,
                               normalize=normalize or bool(factors), coding_adjustment=coding_adjustment,
                               normalization_factors=factors, known_code=known_icd10cm_code(),
                               known_code_source=KNOWN_CODE_SOURCE)
        folder = data_folder(data)
        if folder is not None:
            tables = load_tables(folder)
            answers = score_all(documents, lambda _year: tables, options, is_list)
        else:
            with transaction(get_engine()) as session:
                answers = score_all(documents, InstalledTables(session).for_payment_year, options,
                                    is_list)
    failed = any("error" in answer for answer in answers)
    if as_json:
        print_json(answers if is_list else answers[0])
    else:
        print("\n\n".join(render(answer) for answer in answers))
    if failed:
        raise typer.Exit(1)


def read_patients(path: Path) -> tuple[list[object], bool]:
    document = read_json_file(path)
    if isinstance(document, list):
        if not document:
            raise InvalidInput("an empty list of patients", Position(file=str(path)))
        return document, True
    return [document], False


def data_folder(data: Path | None) -> Path | None:
    """The folder asked for (``--data``, else ``$CHARTWELL_HCC_DATA``); None: the store."""
    return data or (Path(os.environ[DATA_ENV]) if os.environ.get(DATA_ENV) else None)


def load_tables(folder: Path) -> HccTables:
    return _cached_tables(str(folder.resolve()))


@lru_cache(maxsize=2)
def _cached_tables(folder: str) -> HccTables:
    return load_hcc_model_files(folder)


def parse_factors(values: list[str]) -> dict[str, float]:
    factors = {}
    for value in values:
        model, _, number = value.rpartition("=")
        try:
            factor = float(number)
        except ValueError:
            raise InvalidInput(f"{value!r} is not [MODEL=]NUMBER",
                               Position(field="--normalization-factor")) from None
        if factor <= 0:
            raise InvalidInput(f"{value!r}: a normalization factor is positive",
                               Position(field="--normalization-factor"))
        factors[(model or "V28").upper()] = factor
    return factors


TablesFor = Callable[[int], HccTables]  # payment year -> the tables to score it with


def score_all(documents: list[object], tables_for: TablesFor, options: ScoreOptions,
              is_list: bool) -> list[dict]:
    return [score_one(document, tables_for, options, index if is_list else None)
            for index, document in enumerate(documents)]


def score_one(document: object, tables_for: TablesFor, options: ScoreOptions, index: int | None
              ) -> dict:
    try:
        request = parse_request(document)
        return risk_score_json(score(request, tables_for(request.payment_year), options))
    except InvalidInput as error:
        return error_json(error, index)


class InstalledTables:
    """The installed CMS-HCC release of each payment year (the release in force on its
    January 1), each read once per process."""

    def __init__(self, session: Session):
        self.session = session
        self.by_date = ByDate(session, TableSet.HCC, _release_tables, "hcc.tables")
        self.installed = sorted(release.version for release in installed_releases(session)
                                if release.system is TableSet.HCC)
        if not self.installed:
            raise UnreadableInput(
                f"no CMS-HCC tables installed (chartwell codesets install FOLDER, the folder "
                f"holding ra_dx_to_cc_YYYY.csv ...); or pass --data FOLDER or set {DATA_ENV}",
                Position(field="--data"))

    def for_payment_year(self, payment_year: int) -> HccTables:
        tables = self.by_date.on(date(payment_year, 1, 1))
        if tables is None:
            raise InvalidInput(
                f"no CMS-HCC tables installed for payment year {payment_year} (installed: "
                f"{', '.join(self.installed)}); install them (chartwell codesets install "
                f"FOLDER) or pass --data FOLDER", Position(field="payment_year"))
        return tables


def _release_tables(_session: Session, opened: OpenRelease) -> HccTables:
    return HccRelease(opened.artifact).tables


def error_json(error: InvalidInput, index: int | None) -> dict:
    position = error.position
    document = {"type": type(error).__name__, "message": error.message,
                "position": {"patient": index, "field": position.field if position else None}}
    if isinstance(error, InvalidPatient):
        document["errors"] = [{"field": item.field, "message": item.message} for item in error.errors]
    return {"error": document}


# -- known ICD-10-CM codes: the list shipped in simple-icd-10-cm (the offline default code set) ---

KNOWN_CODE_SOURCE = "the ICD-10-CM code list shipped with simple-icd-10-cm, and the year's HCC maps"


def known_icd10cm_code():
    codes = _packaged_codes()
    return None if codes is None else codes.__contains__


@lru_cache(maxsize=1)
def _packaged_codes() -> frozenset[str] | None:
    # Found by location, not imported: importing simple_icd_10_cm parses its whole XML.
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    names = sorted(path for path in folder.glob("*.txt") if CODE_LIST.match(path.name))
    if not names:
        return None
    text = names[-1].read_text(encoding="utf-8")
    return frozenset(normalize_code(line) for line in text.splitlines()
                     if line.strip() and not line.strip().isdigit() and "-" not in line)


# -- text output ---------------------------------------------------------------------------------


def render(answer: dict) -> str:
    if "error" in answer:
        return f"error: {answer['error']['message']}"
    lines = [f"payment year {answer['payment_year']}  {answer['model']}  segment "
             f"{answer['segment']['code']} ({answer['segment']['label']}), age {answer['age']}",
             f"  RAF {answer['raf']:.3f}" + (f"   payment RAF {answer['payment_raf']:.3f}"
                                             if answer["payment_raf"] is not None else "")]
    for part in answer["blend"]["components"]:
        if len(answer["blend"]["components"]) > 1:
            lines.append(f"  {part['weight']:.0%} {part['title']}: {part['raf']:.3f}")
    lines += [f"  {item['factor']:<28} {item['coefficient']:>7.3f}  {item['description']}"
              for item in answer["demographic"]]
    lines += [_render_hcc(item) for item in answer["hccs"]]
    lines += [f"  {item['interaction']:<28} {item['coefficient']:>7.3f}  {'; '.join(item['because'])}"
              for item in answer["interactions"]]
    lines += [f"  {item['severity']}: {item['message']}"
              + (f" [{', '.join(item['codes'])}]" if item["codes"] else "")
              for item in answer["findings"]]
    return "\n".join(lines)


def _render_hcc(item: dict) -> str:
    codes = ", ".join(f"{dx['code']} {dx['date'] or ''}".strip() for dx in item["diagnoses"])
    head = f"  HCC {item['hcc']:<24} "
    if item["dropped_by"]:
        by = item["dropped_by"]
        why = f"dropped by HCC {by['hcc']}" if by["hcc"] else f"dropped: {by['rule']}"
        return f"{head}{'-':>7}  {item['label']} ({codes}); {why}"
    value = f"{item['coefficient']:>7.3f}" if item["coefficient"] is not None else f"{'n/a':>7}"
    return f"{head}{value}  {item['label']} ({codes})"

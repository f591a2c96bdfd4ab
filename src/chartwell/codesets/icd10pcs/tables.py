"""ICD-10-PCS tables (``icd10pcs_tables_YYYY.xml``): read them, expand them, explain a code.

The layout, as CMS publishes it::

    <ICD10PCS.tabular>
      <version>2026</version>
      <pcsTable>
        <axis pos="1" values="1">
          <title>Section</title><label code="0">Medical and Surgical</label></axis>
        <axis pos="2" ...> ... Body System ... </axis>
        <axis pos="3" ...><title>Operation</title><label code="T">Resection</label>
          <definition>Cutting out or off, without replacement, ...</definition></axis>
        <pcsRow codes="N">
          <axis pos="4" values="n">
            <title>Body Part</title><label code="J">Appendix</label> ... </axis>
          ... positions 5 (Approach), 6 (Device), 7 (Qualifier) ...
        </pcsRow>
      </pcsTable>

Every combination of one value per axis within one row is a valid code; a code is valid only
if some row of its table allows all four of its last characters. A value's label can depend on
the row (table XW0 gives device ``S`` different meanings in different rows), so a code is
explained from the row that allows it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from os import PathLike
from typing import BinaryIO
from xml.etree.ElementTree import Element

from chartwell.codesets._files import read_binary_file, source_name
from chartwell.codesets._xml import Located, iter_elements, own_text
from chartwell.codesets.model import PcsAxisValue, PcsTable
from chartwell.errors import InvalidInput, Position

ROOT = "ICD10PCS.tabular"
CODE_LENGTH = 7
# ICD-10-PCS uses digits and letters except I and O (read as 1 and 0).
PCS_CHARACTERS = frozenset("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")


@dataclass(slots=True)
class TitledPcsTable(PcsTable):
    """A :class:`PcsTable` that also keeps the title of each of its seven axes.

    ``chartwell.codesets.model.PcsTable`` has no place for them, and they change by section
    (Body Part / Approach / Device / Qualifier in Medical and Surgical; Body System / Region,
    Type Qualifier, Equipment in Physical Rehabilitation ...), so this loader adds them.
    """

    axis_titles: tuple[str, ...] = ()  # positions 1..7

    @property
    def prefix(self) -> str:
        return self.section.value + self.body_system.value + self.operation.value


@dataclass(frozen=True, slots=True)
class PcsCharacter:
    """What one character of a PCS code means: the line a coder reads in the table."""

    position: int  # 1..7
    axis: str  # the axis title, e.g. "Body Part"
    value: str  # the character
    label: str  # e.g. "Appendix"
    definition: str | None = None


@dataclass(frozen=True, slots=True)
class PcsCodeExplanation:
    """A code checked against the tables, explained as far as its table allows.

    For a valid code, all seven characters; for an invalid one, those that some row of the
    table still allowed (none when there is no table), and ``message`` saying why.
    """

    code: str
    valid: bool
    characters: tuple[PcsCharacter, ...]
    message: str | None = None

    @property
    def table(self) -> str:
        return self.code[:3]


# -- reading -------------------------------------------------------------------------------


def read_tables(stream: BinaryIO, *, source: str | None = None) -> Iterator[TitledPcsTable]:
    """Yield the tables of a PCS tables XML document (a binary stream), in file order."""
    name = source_name(stream, source)
    for located in iter_elements(stream, root=ROOT, tags={"pcsTable"}, source=name):
        yield _table(located)


def read_tables_file(path: str | PathLike[str]) -> Iterator[TitledPcsTable]:
    """Yield the tables of ``icd10pcs_tables_YYYY.xml`` (``.xz`` is decompressed)."""
    return read_binary_file(read_tables, path)


def _table(located: Located) -> TitledPcsTable:
    element = located.element
    axes = _axes(located, element)
    (section, title1), (body_system, title2), (operation, title3) = (
        _fixed_axis(located, axes.get(position), position) for position in (1, 2, 3)
    )
    rows, titles = [], None
    for row in element.findall("pcsRow"):
        values, row_titles = _row(located, row)
        if titles is not None and row_titles != titles:
            raise located.error(f"row axis titles {row_titles} differ from {titles}", row)
        rows.append(values)
        titles = row_titles
    if titles is None:
        raise located.error("table has no <pcsRow>")
    return TitledPcsTable(
        section=section,
        body_system=body_system,
        operation=operation,
        rows=rows,
        axis_titles=(title1, title2, title3, *titles),
    )


def _fixed_axis(located: Located, axis: Element | None, position: int) -> tuple[PcsAxisValue, str]:
    """Axis 1, 2 or 3 of a table: one value, its axis title, and (operations) a definition."""
    if axis is None:
        raise located.error(f'table has no <axis pos="{position}">')
    values = _labels(located, axis, position)
    if len(values) != 1:
        raise located.error(f"axis {position} of a table must have one label", axis)
    definition = own_text(axis.find("definition")) or None
    return replace(values[0], definition=definition), _axis_title(located, axis)


def _row(located: Located, row: Element) -> tuple[list[list[PcsAxisValue]], tuple[str, ...]]:
    """A ``<pcsRow>``: the allowed values of axes 4..7 and their titles."""
    axes = _axes(located, row)
    values, titles = [], []
    for position in (4, 5, 6, 7):
        axis = axes.get(position)
        if axis is None:
            raise located.error(f'row has no <axis pos="{position}">', row)
        values.append(_labels(located, axis, position))
        titles.append(_axis_title(located, axis))
    declared, count = row.get("codes"), math.prod(len(axis_values) for axis_values in values)
    if declared is not None and declared != str(count):
        raise located.error(f"row declares {declared} codes but its axes give {count}", row)
    return values, tuple(titles)


def _axes(located: Located, parent: Element) -> dict[int, Element]:
    """The ``<axis>`` children of a table or row by position; a position given twice is an error."""
    axes: dict[int, Element] = {}
    for axis in parent.findall("axis"):
        position = axis.get("pos", "")
        if not position.isdigit() or int(position) in axes:
            raise located.error(f"axis pos {position!r} is missing or repeated", axis)
        axes[int(position)] = axis
    return axes


def _labels(located: Located, axis: Element, position: int) -> list[PcsAxisValue]:
    values = []
    for label in axis.findall("label"):
        character = label.get("code", "")
        if len(character) != 1 or character not in PCS_CHARACTERS:
            raise located.error(f"label code {character!r} is not one PCS character", label)
        values.append(PcsAxisValue(position=position, value=character, label=own_text(label)))
    if not values:
        raise located.error(f"axis {position} has no <label>", axis)
    declared = axis.get("values")
    if declared is not None and declared != str(len(values)):
        raise located.error(f"axis {position} declares {declared} values, has {len(values)}", axis)
    return values


def _axis_title(located: Located, axis: Element) -> str:
    title = own_text(axis.find("title"))
    if not title:
        raise located.error(f"axis {axis.get('pos')} has no <title>", axis)
    return title


# -- expanding and indexing ----------------------------------------------------------------


def expand_table(table: PcsTable) -> Iterator[str]:
    """Yield every valid 7-character code of a table, row by row, in label order."""
    prefix = table.section.value + table.body_system.value + table.operation.value
    for row in table.rows:
        for values in itertools.product(*row):
            yield prefix + "".join(value.value for value in values)


def index_tables(tables: Iterable[TitledPcsTable]) -> dict[str, TitledPcsTable]:
    """Tables by their first three characters (``"0DT"``); a prefix seen twice is an error."""
    index: dict[str, TitledPcsTable] = {}
    for table in tables:
        if table.prefix in index:
            raise InvalidInput(f"table {table.prefix} appears twice", Position(field=table.prefix))
        index[table.prefix] = table
    return index


# -- explaining ----------------------------------------------------------------------------


def explain_code(code: str, tables: Mapping[str, TitledPcsTable]) -> PcsCodeExplanation:
    """Check ``code`` against the tables and say what each of its characters means."""
    code = code.strip().upper()
    problem = _format_problem(code)
    if problem:
        return PcsCodeExplanation(code, False, (), problem)
    table = tables.get(code[:3])
    if table is None:
        return PcsCodeExplanation(code, False, (), f"no ICD-10-PCS table {code[:3]}")
    row, matched = _best_row(table, code)
    characters = _head_characters(table) + _row_characters(table, row, code, matched)
    if matched == 4:
        return PcsCodeExplanation(code, True, characters)
    return PcsCodeExplanation(code, False, characters, _row_problem(table, code, matched))


def is_valid_code(code: str, tables: Mapping[str, TitledPcsTable]) -> bool:
    return explain_code(code, tables).valid


def _format_problem(code: str) -> str | None:
    if len(code) != CODE_LENGTH:
        return f"an ICD-10-PCS code has {CODE_LENGTH} characters, not {len(code)}"
    wrong = sorted(set(code) - PCS_CHARACTERS)
    if wrong:
        return f"not ICD-10-PCS characters: {''.join(wrong)!r} (digits and letters but I and O)"
    return None


def _best_row(table: PcsTable, code: str) -> tuple[list[list[PcsAxisValue]], int]:
    """The row allowing the longest run of the code's characters 4..7, and that length."""
    best, best_length = table.rows[0], -1
    for row in table.rows:
        length = 0
        for axis_values, character in zip(row, code[3:], strict=True):
            if not any(value.value == character for value in axis_values):
                break
            length += 1
        if length > best_length:
            best, best_length = row, length
        if length == 4:
            break
    return best, best_length


def _head_characters(table: TitledPcsTable) -> tuple[PcsCharacter, ...]:
    heads = (table.section, table.body_system, table.operation)
    return tuple(_character(value, table.axis_titles) for value in heads)


def _row_characters(
    table: TitledPcsTable, row: list[list[PcsAxisValue]], code: str, matched: int
) -> tuple[PcsCharacter, ...]:
    characters = []
    for axis_values, character in list(zip(row, code[3:], strict=True))[:matched]:
        value = next(value for value in axis_values if value.value == character)
        characters.append(_character(value, table.axis_titles))
    return tuple(characters)


def _character(value: PcsAxisValue, axis_titles: tuple[str, ...]) -> PcsCharacter:
    axis = axis_titles[value.position - 1] if len(axis_titles) >= value.position else ""
    return PcsCharacter(value.position, axis, value.value, value.label, value.definition)


def _row_problem(table: TitledPcsTable, code: str, matched: int) -> str:
    position = 4 + matched
    axis = table.axis_titles[position - 1].lower() if table.axis_titles else f"axis {position}"
    character = code[position - 1]
    problem = f"no row of table {table.prefix} allows {axis} {character!r} (position {position})"
    if matched == 1:
        return f"{problem} with {code[3]!r} in position 4"
    if matched > 1:
        return f"{problem} with {code[3:position - 1]!r} in positions 4-{position - 1}"
    return problem

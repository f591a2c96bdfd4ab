"""ICD-10-PCS definitions (``icd10pcs_definitions_YYYY.xml``).

The layout, as CMS publishes it::

    <ICD10PCS.definitions>
      <section code="0"><title>Medical and Surgical</title>
        <axis pos="3"><title>Operation</title>
          <terms>
            <title>Resection</title>                       (one or more titles)
            <definition>Cutting out or off, without replacement, all of a body part</definition>
            <explanation>...</explanation>                 (optional)
            <includes>Total nephrectomy, ...</includes>    (zero or more)
          </terms> ...
        </axis> ...   (Body Part terms carry only "includes": the anatomy each value covers)
      </section> ...
      <deviceAggregation>
        <aggregate>
          <device>Autologous Arterial Tissue</device><operation>All applicable</operation>
          <bodySys>Upper Arteries</bodySys>...
          <parent value="7">Autologous Tissue Substitute</parent>
        </aggregate> ...
      </deviceAggregation>

Terms are named by title, not by character: the character of a title depends on the table
(Appendix is ``J`` in body system ``D``). :func:`define` joins a term to a table's
:class:`PcsAxisValue` by section, position and label.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from os import PathLike
from typing import BinaryIO
from xml.etree.ElementTree import Element

from chartwell.codesets._files import read_binary_file, source_name
from chartwell.codesets._xml import Located, iter_elements, own_text
from chartwell.codesets.icd10pcs.tables import PCS_CHARACTERS, TitledPcsTable
from chartwell.codesets.model import PcsAxisValue, PcsTable

ROOT = "ICD10PCS.definitions"

DefinitionKey = tuple[str, int, str]  # (section character, axis position, title casefolded)


@dataclass(frozen=True, slots=True)
class PcsTerm:
    """One ``<terms>`` entry: the values it names in one axis of one section, and what it means."""

    section: str  # the section character, "0" for Medical and Surgical
    section_title: str
    position: int  # the axis, 3..7
    axis_title: str  # "Operation", "Body Part", "Approach", "Device", ...
    titles: tuple[str, ...]  # the value labels it covers ("Adrenal Gland, Left", ...)
    definition: str | None = None
    explanation: str | None = None
    includes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PcsDeviceAggregate:
    """A specific device value and the general device value it rolls up to for some
    operations and body systems (Medical and Surgical device aggregation table)."""

    device: str
    operations: tuple[str, ...]
    body_systems: tuple[str, ...]
    parent_value: str
    parent_label: str


# -- reading -------------------------------------------------------------------------------


def read_definitions(stream: BinaryIO, *, source: str | None = None) -> Iterator[PcsTerm]:
    """Yield the terms of a PCS definitions XML document (a binary stream), section by section."""
    name = source_name(stream, source)
    for located in iter_elements(stream, root=ROOT, tags={"section"}, source=name):
        yield from _section_terms(located)


def read_definitions_file(path: str | PathLike[str]) -> Iterator[PcsTerm]:
    """Yield the terms of ``icd10pcs_definitions_YYYY.xml`` (``.xz`` is decompressed)."""
    return read_binary_file(read_definitions, path)


def read_device_aggregates(
    stream: BinaryIO, *, source: str | None = None
) -> Iterator[PcsDeviceAggregate]:
    """Yield the device aggregation table of a PCS definitions XML document."""
    name = source_name(stream, source)
    for located in iter_elements(stream, root=ROOT, tags={"aggregate"}, source=name):
        yield _aggregate(located)


def read_device_aggregates_file(path: str | PathLike[str]) -> Iterator[PcsDeviceAggregate]:
    """Yield the device aggregation table of ``icd10pcs_definitions_YYYY.xml`` (``.xz`` is
    decompressed)."""
    return read_binary_file(read_device_aggregates, path)


def _section_terms(located: Located) -> Iterator[PcsTerm]:
    section = located.element
    character = section.get("code", "")
    if len(character) != 1 or character not in PCS_CHARACTERS:
        raise located.error(f"section code {character!r} is not one PCS character")
    heading = _required(located, section, "title")
    for axis in section.findall("axis"):
        position = axis.get("pos", "")
        if position not in {"3", "4", "5", "6", "7"}:
            raise located.error(f"axis pos {position!r} is not 3..7", axis)
        axis_title = _required(located, axis, "title")
        for terms in axis.findall("terms"):
            titles = tuple(own_text(title) for title in terms.findall("title"))
            if not titles or not all(titles):
                raise located.error("<terms> without a <title>", terms)
            yield PcsTerm(
                section=character,
                section_title=heading,
                position=int(position),
                axis_title=axis_title,
                titles=titles,
                definition=own_text(terms.find("definition")) or None,
                explanation=own_text(terms.find("explanation")) or None,
                includes=tuple(own_text(include) for include in terms.findall("includes")),
            )


def _aggregate(located: Located) -> PcsDeviceAggregate:
    element = located.element
    parent = element.find("parent")
    if parent is None or len(parent.get("value", "")) != 1:
        raise located.error("<aggregate> without a one-character <parent value>")
    return PcsDeviceAggregate(
        device=_required(located, element, "device"),
        operations=tuple(own_text(item) for item in element.findall("operation")),
        body_systems=tuple(own_text(item) for item in element.findall("bodySys")),
        parent_value=parent.get("value", ""),
        parent_label=own_text(parent),
    )


def _required(located: Located, element: Element, child: str) -> str:
    value = own_text(element.find(child))
    if not value:
        raise located.error(f"<{element.tag}> has no <{child}>", element)
    return value


# -- joining to the tables -----------------------------------------------------------------


def index_definitions(terms: Iterable[PcsTerm]) -> dict[DefinitionKey, PcsTerm]:
    """Terms by (section, position, title casefolded), one entry per title of each term."""
    index: dict[DefinitionKey, PcsTerm] = {}
    for term in terms:
        for title in term.titles:
            index[(term.section, term.position, title.casefold())] = term
    return index


def term_for(
    section: str,
    value: PcsAxisValue,
    definitions: Mapping[DefinitionKey, PcsTerm],
    *,
    suffixes: Iterable[str] = (),
) -> PcsTerm | None:
    """The definitions entry for a table value of ``section``, if there is one.

    Some titles name the table they apply to: devices by body system ("Autologous Arterial
    Tissue in Upper Arteries") or by operation and body system ("Cardiac Lead, Pacemaker for
    Insertion in Heart and Great Vessels") or by section ("... in New Technology"),
    rehabilitation types by kind of operation ("Aphasia (assessment)");
    :func:`table_suffixes` gives those endings for a table.
    """
    label = value.label.casefold()
    for suffix in ("", *suffixes):
        term = definitions.get((section, value.position, label + suffix.casefold()))
        if term is not None:
            return term
    return None


def table_suffixes(table: PcsTable) -> tuple[str, ...]:
    """The title endings by which the definitions file ties a term to ``table``."""
    operation, body_system = table.operation.label, table.body_system.label
    kind = operation.rsplit(" ", 1)[-1]  # "Speech Assessment" -> "Assessment"
    return (
        f" for {operation} in {body_system}",
        f" in {body_system}",
        f" in {table.section.label}",  # "... in New Technology"
        f" ({kind})",
    )


def define(
    section: str,
    value: PcsAxisValue,
    definitions: Mapping[DefinitionKey, PcsTerm],
    *,
    suffixes: Iterable[str] = (),
) -> PcsAxisValue:
    """``value`` with its definition filled from the definitions file when it has one there
    (a value that already has a definition, from the tables file, keeps it)."""
    term = term_for(section, value, definitions, suffixes=suffixes)
    if value.definition or term is None or term.definition is None:
        return value
    return replace(value, definition=term.definition)


def define_table(
    table: TitledPcsTable, definitions: Mapping[DefinitionKey, PcsTerm]
) -> TitledPcsTable:
    """A copy of ``table`` whose axis values carry their definitions where the file has them."""
    section, suffixes = table.section.value, table_suffixes(table)

    def fill(value: PcsAxisValue) -> PcsAxisValue:
        return define(section, value, definitions, suffixes=suffixes)

    return replace(
        table,
        body_system=fill(table.body_system),
        operation=fill(table.operation),
        rows=[[[fill(value) for value in axis] for axis in row] for row in table.rows],
    )

"""The ICD-10-CM Tabular List XML (``icd10cm_tabular_YYYY.xml``, schema ``icd10cm_tabular.xsd``).

Layout: ``ICD10CM.tabular`` > ``chapter`` (``name`` = number, ``desc``) > ``section`` (a block;
``id`` = its range, ``desc``) > ``diag`` (``name`` = code with its dot, ``desc``) > ``diag`` ...
to any depth. Chapters, sections and diags carry instructional notes, each a container of
``<note>`` elements: ``inclusionTerm``, ``includes``, ``excludes1``, ``excludes2``,
``codeFirst``, ``useAdditionalCode``, ``codeAlso``, ``notes``, ``sevenChrNote``; and
``sevenChrDef``, the 7th characters (``<extension char="A">initial encounter</extension>``).

Each chapter, block and diag becomes one :class:`TabularEntry` in document order, with its own
notes (one :class:`TabularNote` per ``<note>``, in file order) and a ``parent`` key, so the
notes in force on a code are its own plus its ancestors'. Keys: the chapter number (``"4"``),
the block range (``"E08-E13"``) and the code (``"E11.4"``). A block of one category has the id
of that category in the file (``B99``); its key is written as a range, ``"B99-B99"``, so that
it never collides with the category's own key.

Not carried over (the model has no place for them): the ``placeholder`` attribute (the code
itself shows the X), the ``visualImpairment`` table under H54, the chapter ``sectionIndex``
(the blocks themselves are entries) and the introduction. A ``<note>`` inside ``sevenChrDef``
(eight in FY2026, e.g. "Old central retinal vein occlusion" after 7th character 2 of H34.81) is
an inclusion term of the 7th character before it: it is kept as a seventh-character note
``"7th character 2 includes: Old central retinal vein occlusion"``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from os import PathLike
from typing import BinaryIO

from chartwell.codesets._files import read_binary_file, source_name
from chartwell.codesets._xml import Located, iter_elements, text
from chartwell.codesets.icd10cm._codes import DOTTED_CODE
from chartwell.codesets.model import NoteKind, SeventhCharacter, TabularEntry, TabularNote

CHAPTER, BLOCK, CODE = "chapter", "block", "code"
NOTE_CONTAINERS = {
    "inclusionTerm": NoteKind.INCLUSION_TERM,
    "includes": NoteKind.INCLUDES,
    "excludes1": NoteKind.EXCLUDES1,
    "excludes2": NoteKind.EXCLUDES2,
    "codeFirst": NoteKind.CODE_FIRST,
    "useAdditionalCode": NoteKind.USE_ADDITIONAL_CODE,
    "codeAlso": NoteKind.CODE_ALSO,
    "notes": NoteKind.NOTE,
    "sevenChrNote": NoteKind.SEVENTH_CHARACTER_NOTE,
}


def read_tabular(stream: BinaryIO, *, source: str | None = None) -> Iterator[TabularEntry]:
    """Yield the chapters, blocks and codes of a tabular XML (a binary stream) in file order,
    one chapter at a time."""
    name = source_name(stream, source)
    for chapter in iter_elements(stream, root="ICD10CM.tabular", tags={"chapter"}, source=name,
                                 root_check=_full_edition):
        yield from _chapter(chapter)


def read_tabular_file(path: str | PathLike[str]) -> Iterator[TabularEntry]:
    """Yield the entries of a tabular XML file (``.xz`` is decompressed on the fly)."""
    return read_binary_file(read_tabular, path)


def _full_edition(attrs: dict[str, str]) -> str | None:
    if attrs.get("isAddenda") == "true":
        return "this is a tabular addenda (isAddenda=\"true\"), not a full tabular list"
    return None


def _chapter(chapter: Located) -> Iterator[TabularEntry]:
    element = chapter.element
    key = _required_text(element, "name", chapter)
    yield _entry(CHAPTER, key, element, None, chapter)
    for section in element.findall("section"):
        yield from _block(section, key, chapter)


def _block(section: ET.Element, chapter_key: str, where: Located) -> Iterator[TabularEntry]:
    block_id = section.get("id", "").strip()
    if not block_id:
        raise where.error("a <section> has no id (its block range)", section, "id")
    key = block_id if "-" in block_id else f"{block_id}-{block_id}"
    yield _entry(BLOCK, key, section, chapter_key, where)
    for diag in section.findall("diag"):
        yield from _diag(diag, key, where)


def _diag(diag: ET.Element, parent: str, where: Located) -> Iterator[TabularEntry]:
    code = _required_text(diag, "name", where)
    if not DOTTED_CODE.fullmatch(code):
        raise where.error(f"{code!r} is not an ICD-10-CM code", diag, "name")
    yield _entry(CODE, code, diag, parent, where)
    for child in diag.findall("diag"):
        yield from _diag(child, code, where)


def _entry(kind: str, key: str, element: ET.Element, parent: str | None, where: Located
           ) -> TabularEntry:
    entry = TabularEntry(kind=kind, key=key, title=text(element.find("desc")), parent=parent)
    for child in element:
        if child.tag in NOTE_CONTAINERS:
            entry.notes.extend(_notes(NOTE_CONTAINERS[child.tag], child))
        elif child.tag == "sevenChrDef":
            _seventh_characters(child, entry, where)
    return entry


def _notes(kind: NoteKind, container: ET.Element) -> Iterator[TabularNote]:
    for note in container.findall("note"):
        words = text(note)
        if words:
            yield TabularNote(kind=kind, text=words)


def _seventh_characters(definition: ET.Element, entry: TabularEntry, where: Located) -> None:
    last: str | None = None
    for child in definition:
        if child.tag == "extension":
            last = (child.get("char") or "").strip()
            if not last:
                raise where.error("an <extension> has no char attribute", child, "char")
            entry.seventh_characters.append(SeventhCharacter(character=last, meaning=text(child)))
        elif child.tag == "note" and text(child):
            label = f"7th character {last} includes" if last else "7th characters include"
            entry.notes.append(TabularNote(NoteKind.SEVENTH_CHARACTER_NOTE,
                                           f"{label}: {text(child)}"))


def _required_text(element: ET.Element, tag: str, where: Located) -> str:
    value = text(element.find(tag))
    if not value:
        raise where.error(f"a <{element.tag}> has no <{tag}>", element, tag)
    return value

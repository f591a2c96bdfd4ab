"""Stream the CMS ICD-10-PCS XML files one element at a time, keeping line numbers.

The files are a few MB, with thousands of repeated top-level elements (``pcsTable``,
``mainTerm``, ``section``). Each is built as a small ElementTree subtree, handed over, then
dropped, so memory stays flat. Every element's start line is recorded so that errors can name
the place; expat errors (truncated or malformed XML) and a DOCTYPE (never in the CMS files)
become :class:`InvalidInput`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.parsers import expat

from chartwell.errors import InvalidInput, Position

CHUNK_SIZE = 1 << 16


@dataclass(slots=True)
class Located:
    """A complete element, the file it came from, and the start line of it and of each of
    its descendants, so that a problem anywhere inside can be reported with its place."""

    element: ET.Element
    source: str | None
    line: int
    lines: dict[int, int] = field(default_factory=dict)

    def line_of(self, element: ET.Element) -> int:
        return self.lines.get(id(element), self.line)

    def error(self, message: str, element: ET.Element | None = None) -> InvalidInput:
        """An :class:`InvalidInput` naming the file and the line where ``element`` starts."""
        line = self.line if element is None else self.line_of(element)
        return InvalidInput(message, Position(file=self.source, line=line))


class _Builder:
    """expat callbacks that build subtrees and collect the finished ones named ``tag``."""

    def __init__(self, parser: expat.XMLParserType, *, root: str, tag: str, source: str | None):
        self.parser, self.root, self.tag, self.source = parser, root, tag, source
        self.stack: list[ET.Element] = []
        self.lines: dict[int, int] = {}
        self.ready: list[tuple[ET.Element | None, Located]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        line = self.parser.CurrentLineNumber
        if not self.stack and name != self.root:
            raise InvalidInput(
                f"expected root element <{self.root}>, found <{name}>",
                Position(file=self.source, line=line),
            )
        if self.stack:
            element = ET.SubElement(self.stack[-1], name, attrs)
        else:
            element = ET.Element(name, attrs)
        if name == self.tag:
            self.lines = {}
        self.lines[id(element)] = line
        self.stack.append(element)

    def end(self, name: str) -> None:
        element = self.stack.pop()
        if name == self.tag:
            parent = self.stack[-1] if self.stack else None
            located = Located(element, self.source, self.lines[id(element)], self.lines)
            self.ready.append((parent, located))

    def data(self, text: str) -> None:
        if not self.stack:
            return
        current = self.stack[-1]
        if not len(current):
            current.text = (current.text or "") + text
        elif not text.isspace():  # white space between elements carries nothing here
            current[-1].tail = (current[-1].tail or "") + text

    def doctype(self, *_args) -> None:
        raise InvalidInput(
            "a DOCTYPE is not expected in a CMS ICD-10-PCS file",
            Position(file=self.source, line=self.parser.CurrentLineNumber),
        )


def _new_parser(
    *, root: str, tag: str, source: str | None
) -> tuple[expat.XMLParserType, _Builder]:
    parser = expat.ParserCreate()
    builder = _Builder(parser, root=root, tag=tag, source=source)
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = builder.doctype
    parser.buffer_text = True
    return parser, builder


def iter_elements(
    stream: BinaryIO, *, root: str, tag: str, source: str | None
) -> Iterator[Located]:
    """Yield every complete ``tag`` element of a document whose root must be ``root``."""
    parser, builder = _new_parser(root=root, tag=tag, source=source)
    while True:
        chunk = stream.read(CHUNK_SIZE)
        _feed(parser, chunk, final=not chunk, source=source)
        for parent, located in builder.ready:
            yield located
            if parent is not None:
                parent.remove(located.element)
        builder.ready.clear()
        if not chunk:
            return


def _feed(parser: expat.XMLParserType, chunk: bytes, *, final: bool, source: str | None) -> None:
    try:
        parser.Parse(chunk, final)
    except expat.ExpatError as error:
        message = expat.errors.messages.get(error.code, str(error))
        raise InvalidInput(
            f"not well-formed XML ({message}, column {error.offset + 1})",
            Position(file=source, line=error.lineno),
        ) from None


def text(element: ET.Element | None) -> str:
    """The element's own text with runs of white space collapsed ('' when absent)."""
    if element is None or element.text is None:
        return ""
    return " ".join(element.text.split())


def source_name(stream: object, source: str | None) -> str | None:
    """The name errors use for a stream: the caller's ``source`` or the stream's own name."""
    if source is not None:
        return source
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) else None

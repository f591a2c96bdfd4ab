"""Stream the official code-set XML files one repeated element at a time, keeping line numbers.

The CDC/CMS ICD-10-CM and CMS ICD-10-PCS files are 0.5-10 MB with a flat run of thousands of
repeated elements (``chapter`` in the CM tabular, ``mainTerm`` in the indexes and CM tables,
``pcsTable``, ``section``). Each wanted element is built as a small ElementTree subtree with the
start line of every descendant, handed over, then dropped, so memory stays flat and errors can
name the line. expat errors (truncated or malformed XML), a DOCTYPE (never in these files) and a
wrong root element become :class:`InvalidInput`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.parsers import expat

from chartwell.codesets._files import bad
from chartwell.errors import InvalidInput

CHUNK_SIZE = 1 << 16
RootCheck = Callable[[dict[str, str]], str | None]


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

    def error(self, message: str, element: ET.Element | None = None, field: str | None = None
              ) -> InvalidInput:
        """An :class:`InvalidInput` naming the file and the line where ``element`` (by default
        the located element itself) starts, and ``field`` if given."""
        line = self.line if element is None else self.line_of(element)
        return bad(message, self.source, line, field)


class _Builder:
    """expat callbacks that build subtrees and collect the finished ones named in ``tags``."""

    def __init__(self, parser: expat.XMLParserType, *, root: str, tags: frozenset[str],
                 source: str | None, root_check: RootCheck | None):
        self.parser, self.root, self.tags, self.source = parser, root, tags, source
        self.root_check = root_check
        self.stack: list[ET.Element] = []
        self.depth_of_wanted: int | None = None  # stack depth of the element being collected
        self.lines: dict[int, int] = {}
        self.ready: list[tuple[ET.Element | None, Located]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        line = self.parser.CurrentLineNumber
        if not self.stack:
            self._check_root(name, attrs, line)
        if self.stack:
            element = ET.SubElement(self.stack[-1], name, attrs)
        else:
            element = ET.Element(name, attrs)
        if self.depth_of_wanted is None and name in self.tags:
            self.depth_of_wanted, self.lines = len(self.stack), {}
        self.lines[id(element)] = line
        self.stack.append(element)

    def _check_root(self, name: str, attrs: dict[str, str], line: int) -> None:
        if name != self.root:
            raise bad(f"expected root element <{self.root}>, found <{name}>", self.source, line)
        problem = self.root_check(attrs) if self.root_check else None
        if problem:
            raise bad(problem, self.source, line)

    def end(self, _name: str) -> None:
        element = self.stack.pop()
        if self.depth_of_wanted == len(self.stack):
            self.depth_of_wanted = None
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
        raise bad(f"a DOCTYPE is not expected in an <{self.root}> file", self.source,
                  self.parser.CurrentLineNumber)


def iter_elements(stream: BinaryIO, *, root: str, tags: Iterable[str], source: str | None,
                  root_check: RootCheck | None = None) -> Iterator[Located]:
    """Yield every complete element named in ``tags`` (not nested in another such element) of a
    document whose root must be ``root``; ``root_check`` may reject the root's attributes."""
    parser = expat.ParserCreate()
    builder = _Builder(parser, root=root, tags=frozenset(tags), source=source,
                       root_check=root_check)
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = builder.doctype
    parser.buffer_text = True
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
        raise bad(f"not well-formed XML ({message}, column {error.offset + 1})", source,
                  error.lineno) from None


def own_text(element: ET.Element | None) -> str:
    """The element's own text, before any child, with runs of white space collapsed ('' when
    absent): ``<see>Excision, Appendix<codes>0DBJ</codes></see>`` reads ``Excision, Appendix``."""
    if element is None or element.text is None:
        return ""
    return " ".join(element.text.split())


def text(element: ET.Element | None) -> str:
    """All the text inside ``element`` with runs of white space collapsed ('' when absent).

    The ICD-10-CM addenda editions wrap changed words in ``<new>``/``<old>``; ``<old>`` words
    are left out so an addenda element reads as the new text.
    """
    if element is None:
        return ""
    return " ".join(_new_text(element).split())


def _new_text(element: ET.Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag != "old":
            parts.append(_new_text(child))
        parts.append(child.tail or "")
    return "".join(parts)

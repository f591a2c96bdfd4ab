"""The ICD-10-PCS Index (``icd10pcs_index_YYYY.xml``) as trees of :class:`IndexTerm`.

The layout, as CMS publishes it::

    <ICD10PCS.index>
      <letter><title>A</title>
        <mainTerm>
          <title>Appendectomy</title>
          <term level="1"><see>Excision, Appendix<codes>0DBJ</codes></see></term>
          <term level="1"><see>Resection, Appendix<codes>0DTJ</codes></see></term>
        </mainTerm>
        <mainTerm><title>Appendiceal orifice</title><use>Appendix</use></mainTerm>
        <mainTerm><title>Abortion</title>
          <term level="1"><title>Products of Conception</title><codes>10A0</codes></term>
          <term level="1"><title>Laminaria</title><code>10A07ZW</code></term> ...

A term leads to a complete code (``<code>``), the first four or more characters of one
(``<codes>``), a table (``<tab>``, three characters), or a cross reference: ``<see>`` another
index entry, or ``<use>`` the table's own word for a body part or device. A cross reference
may itself carry the code or table it leads to; that goes into :attr:`IndexTerm.code` beside
the ``see``/``use`` text. Sub-terms without a title of their own (like Appendectomy's two
``see`` lines) have the title ``""``.
"""

from __future__ import annotations

from collections.abc import Iterator
from os import PathLike
from typing import BinaryIO
from xml.etree.ElementTree import Element

from chartwell.codesets._files import read_binary_file, source_name
from chartwell.codesets._xml import Located, iter_elements, own_text
from chartwell.codesets.icd10pcs.tables import PCS_CHARACTERS
from chartwell.codesets.model import IndexTerm

ROOT = "ICD10PCS.index"
_CODE_LENGTHS = {"code": (7,), "codes": (4, 5, 6, 7), "tab": (3,)}


def read_index(stream: BinaryIO, *, source: str | None = None) -> Iterator[IndexTerm]:
    """Yield the main terms (level 0, with their sub-terms) of a PCS index XML document."""
    name = source_name(stream, source)
    for located in iter_elements(stream, root=ROOT, tags={"mainTerm"}, source=name):
        yield _term(located, located.element, 0)


def read_index_file(path: str | PathLike[str]) -> Iterator[IndexTerm]:
    """Yield the main terms of ``icd10pcs_index_YYYY.xml``, or of its ``.xz`` copy."""
    return read_binary_file(read_index, path)


def _term(located: Located, element: Element, level: int) -> IndexTerm:
    """A ``<mainTerm>`` (level 0) or ``<term>`` and, recursively, its sub-terms."""
    see = _reference(located, element, "see")
    use = _reference(located, element, "use")
    code = _code(located, element)
    for reference in (element.find("see"), element.find("use")):
        if reference is not None:
            code = _merge_codes(located, element, code, _code(located, reference))
    term = IndexTerm(
        title=own_text(element.find("title")),
        level=level,
        code=code,
        see=see,
        use=use,
        subterms=[_subterm(located, child, level) for child in element.findall("term")],
    )
    if level == 0 and not term.title:
        raise located.error("<mainTerm> has no <title>", element)
    if not (term.title or see or use or code):
        raise located.error(f"<{element.tag}> has no title, code or cross reference", element)
    return term


def _subterm(located: Located, child: Element, level: int) -> IndexTerm:
    declared = child.get("level", "")
    if declared != str(level + 1):
        raise located.error(f"term level {declared!r} under a level {level} term", child)
    return _term(located, child, level + 1)


def _reference(located: Located, element: Element, tag: str) -> str | None:
    found = element.findall(tag)
    if len(found) > 1:
        raise located.error(f"more than one <{tag}> in one term", found[1])
    if not found:
        return None
    value = own_text(found[0])
    if not value:
        raise located.error(f"empty <{tag}>", found[0])
    return value


def _code(located: Located, element: Element) -> str | None:
    """The code, partial code or table that ``element`` itself carries, if any."""
    found = [child for child in element if child.tag in _CODE_LENGTHS]
    if len(found) > 1:
        raise located.error("more than one code in one term", found[1])
    if not found:
        return None
    kind, code = found[0].tag, own_text(found[0]).upper()
    if len(code) not in _CODE_LENGTHS[kind] or not set(code) <= PCS_CHARACTERS:
        raise located.error(f"<{kind}> {code!r} is not a PCS code of that kind", found[0])
    return code


def _merge_codes(
    located: Located, element: Element, own: str | None, other: str | None
) -> str | None:
    """A term's own code and the one its cross reference carries: at most one may differ."""
    if own and other and own != other:
        raise located.error(f"term has two codes, {own} and {other}", element)
    return own or other


def walk(
    terms: list[IndexTerm], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], IndexTerm]]:
    """Every term below ``terms``, depth first, with the titles leading to it (its index path)."""
    for term in terms:
        here = (*path, term.title)
        yield here, term
        yield from walk(term.subterms, here)

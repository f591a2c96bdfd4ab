"""The ICD-10-CM Alphabetic Index XML (``icd10cm_index_YYYY.xml``, ``icd10cm_eindex_YYYY.xml``;
schema ``icd10cm_index.xsd``) and a third party's flattened CSV of the FY2025 index.

**The XML**: ``ICD10CM.index`` > ``letter`` > ``mainTerm`` > ``term level="1"`` > ``term
level="2"`` ... Each term has a ``title`` whose nonessential modifiers are in ``<nemod>``
(``<title>Abuse<nemod>(adult) (child)</nemod></title>``) and may have ``see``, ``seeAlso``,
``code``, ``manif`` (a manifestation code, printed in brackets after the code), ``seecat`` /
``subcat`` (printed "see category T71" / "see subcategory T75.0"), ``warning`` and subterms.
Each main term becomes an :class:`IndexTerm` tree (main term level 0, subterms at their
``level``); ``seecat`` and ``subcat`` become ``see="category T71"`` / ``see="subcategory
T75.0"`` as printed; ``warning`` is not kept (the model has no place for it). The Neoplasm and
Drug tables use the same schema with an ``indexHeading``: read them with
:mod:`chartwell.codesets.icd10cm.tables`; this reader refuses them.

Titles: the nonessential words are taken out of the title and the rest joined as printed
(``Caustic<nemod>(s)</nemod> NEC`` -> title ``Caustic NEC``, nonessential ``["s"]``). A
``<nemod>`` gives one item per parenthesised group, without its parentheses. Words outside the
parentheses are essential, as the printed index reads them, and go back into the title where
they stand: CMS's files sometimes wrap both in one modifier (a few dozen terms, e.g. ``Normocytic
anemia`` + ``(infectional) due to blood loss (chronic)``, where "due to blood loss" is what
makes it D50.0 rather than D64.9). A few terms are nothing but nonessential
words (``<title><nemod>(somatoform)</nemod></title>`` under "persistent"): their title is ``""``.

**The CSV** (``ICD10CM_2025_Index.csv``, RE-FORMATTED, lossy; columns ``RowID, Letter, Level,
Term, See, SeeAlso, NonEssModif, Code``; one row per main term (level 0) or subterm in document
order) gives the same trees. It has no ``manif``, ``seecat``, ``subcat`` or ``warning``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from os import PathLike
from typing import BinaryIO, TextIO

from chartwell.codesets._files import (
    bad,
    csv_rows,
    read_binary_file,
    read_text_file,
    source_name,
)
from chartwell.codesets._xml import Located, iter_elements, text
from chartwell.codesets.model import IndexTerm

CSV_COLUMNS = ("RowID", "Letter", "Level", "Term", "See", "SeeAlso", "NonEssModif", "Code")
MAX_LEVEL = 9  # the schema's limit on term@level
# Rows of the re-formatted CSV that lost the end of their printed term (Term, NonEssModif, Code)
# -> the term as the CMS index prints it: "Cancer(o)phobia F45.29" is the fear of cancer, and
# read as "Cancer" it coded every cancer in a note as a hypochondriacal disorder.
CSV_REPAIRS = {("Cancer", "(o)", "F45.29"): "Cancerophobia"}


# -- XML -----------------------------------------------------------------------------------


def read_index(stream: BinaryIO, *, source: str | None = None) -> Iterator[IndexTerm]:
    """Yield each main term of an index XML (a binary stream) with its subterms, in order."""
    name = source_name(stream, source)
    for found in iter_elements(stream, root="ICD10CM.index", tags={"mainTerm", "indexHeading"},
                               source=name):
        if found.element.tag == "indexHeading":
            raise found.error("this file has an <indexHeading>: it is a Neoplasm or Drug table, "
                              "not an index (read it with read_table)")
        yield _term(found.element, 0, found)


def read_index_file(path: str | PathLike[str]) -> Iterator[IndexTerm]:
    """Yield the main terms of an index XML file (``.xz`` is decompressed on the fly)."""
    return read_binary_file(read_index, path)


def _term(element: ET.Element, level: int, where: Located) -> IndexTerm:
    title, nonessential = split_title(element.find("title"), element.find("diff"))
    if not title and not nonessential:
        raise where.error(f"a <{element.tag}> has no title", element, "title")
    term = IndexTerm(title=title, level=level, nonessential=nonessential,
                     code=text(element.find("code")) or None,
                     manifestation_code=text(element.find("manif")) or None,
                     see=_see(element), see_also=text(element.find("seeAlso")) or None)
    for child in element.findall("term"):
        term.subterms.append(_term(child, _level(child, level, where), where))
    return term


def _see(element: ET.Element) -> str | None:
    if (see := text(element.find("see"))):
        return see
    if (category := text(element.find("seecat"))):
        return f"category {category}"
    if (subcategory := text(element.find("subcat"))):
        return f"subcategory {subcategory}"
    return None


def _level(term: ET.Element, parent_level: int, where: Located) -> int:
    level = term.get("level", "")
    if level != str(parent_level + 1):
        raise where.error(f"a <term> under a level-{parent_level} term has level {level!r}, "
                          f"expected {parent_level + 1}", term, "level")
    return parent_level + 1


def split_title(title: ET.Element | None, diff: ET.Element | None = None) -> tuple[str, list[str]]:
    """The printed title without its ``<nemod>`` words, and those words (see module notes)."""
    if title is None:
        return text(diff), []  # an addenda edition may give <diff> instead of <title>
    parts, nonessential = [title.text or ""], []
    for child in title:
        if child.tag == "nemod":
            essential, groups = split_nonessential(text(child))
            nonessential.extend(groups)
            parts.append(essential)
        else:
            parts.append(text(child))
        parts.append(child.tail or "")
    return _joined("".join(parts)), nonessential


def split_nonessential(words: str) -> tuple[str, list[str]]:
    """The essential words outside the parentheses, and the nonessential groups:
    ``"(adult) (child)"`` -> ``("", ["adult", "child"])``, ``"(infectional) due to blood loss
    (chronic)"`` -> ``(" due to blood loss", ["infectional", "chronic"])``. The essential words
    start with a space where a group stood before them; a group glued to the letters after it is
    part of that word (``"(t)ic syndrome"`` after "Amnes" -> ``"tic syndrome"``). Unbalanced
    parentheses: the whole is one nonessential item (nothing is guessed)."""
    text = words.strip()
    groups, loose, depth, current = [], [], 0, []
    for position, char in enumerate(text):
        if depth == 0:
            if char == "(":
                depth, current = 1, []
            else:
                loose.append(char)
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth:
            current.append(char)
            continue
        group = " ".join("".join(current).split())
        following = text[position + 1:position + 2]
        if following and (following.isalnum() or following == "-"):
            loose.append(group)
        else:
            groups.append(group)
            loose.append(" ")
    if depth:
        return "", [text]
    return re.sub(r"\s+", " ", "".join(loose)).rstrip(), groups


def _joined(title: str) -> str:
    """Spaces made single, and none before a comma (where a group stood before it)."""
    return " ".join(title.split()).replace(" ,", ",")


# -- the re-formatted CSV ------------------------------------------------------------------


def read_index_csv(stream: TextIO, *, source: str | None = None) -> Iterator[IndexTerm]:
    """Yield each main term of the flattened index CSV (a text stream) with its subterms."""
    name = source_name(stream, source)
    rows = csv_rows(stream, name)
    _, header = next(rows, (1, []))
    if tuple(header) != CSV_COLUMNS:
        raise bad(f"expected columns {', '.join(CSV_COLUMNS)}; found {', '.join(header)}", name, 1)
    yield from _csv_trees(rows, name)


def read_index_csv_file(path: str | PathLike[str]) -> Iterator[IndexTerm]:
    """Yield the main terms of ``ICD10CM_2025_Index.csv`` (``.xz`` is decompressed on the fly)."""
    return read_text_file(read_index_csv, path)


def _csv_trees(rows: Iterable[tuple[int, list[str]]], source: str | None
               ) -> Iterator[IndexTerm]:
    path: list[IndexTerm] = []  # the current main term and the open subterms under it
    for number, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        term = _csv_term(row, source, number)
        if term.level > len(path):
            raise bad(f"a level-{term.level} row follows a level-{len(path) - 1} row", source,
                      number, "Level")
        if term.level == 0 and path:
            yield path[0]
        del path[term.level:]
        if path:
            path[-1].subterms.append(term)
        path.append(term)
    if path:
        yield path[0]


def _csv_term(row: list[str], source: str | None, line: int) -> IndexTerm:
    if len(row) != len(CSV_COLUMNS):
        raise bad(f"expected {len(CSV_COLUMNS)} columns, found {len(row)}", source, line)
    _row_id, _letter, level, title, see, see_also, nonessential, code = (c.strip() for c in row)
    if not level.isdigit() or int(level) > MAX_LEVEL:
        raise bad(f"level {level!r} is not a number from 0 to {MAX_LEVEL}", source, line, "Level")
    repaired = CSV_REPAIRS.get((title, nonessential, code))
    essential, words = ("", []) if repaired else split_nonessential(nonessential)
    title = repaired or _joined(title + essential)
    if not title and not words:
        raise bad("the term is empty", source, line, "Term")
    return IndexTerm(title=title, level=int(level), nonessential=words,
                     code=code or None, see=see or None, see_also=see_also or None)

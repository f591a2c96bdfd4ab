"""From the loaders' output to :class:`SearchDocument`: one document per way a coder reaches a
code (index path, table cell, tabular title, inclusion term, HCPCS or CPT description).

**Codes are checked against the release.** The index may be older than the release (the FY2025
alphabetic index CSV serves FY2026 and FY2027 here), so every code it gives is looked up in the
release's titles: a valid code stays; a header or a code's beginning (``S72.00-``) stays when
the release has valid codes under it (the search completes it); a code the release no longer
has is replaced by what the conversion table says replaced it, or dropped. A search therefore
never returns a code that is not valid in the release it was built for.

**Cross references are followed.** ``see`` and ``see also`` name another entry by its path
(``Fracture, femur, lower end``): it is found by matching the path's parts against main terms
and subterms, word for word after stemming, where a part may match any comma form of a title
(``femur`` finds ``femur, femoral``) and placeholders such as ``by site`` or ``by type`` are
passed over. The referring entry's words then lead to the target's code, and the target's
words become optional words. A reference into the Table of Neoplasms ("Carcinoma - see
Neoplasm, by site, malignant") becomes an alias: the word then also matches the table column
(carcinoma -> malignant neoplasm). PCS ``use`` references (a body part's word in the tables)
become aliases the same way, and so do the forms of one word that titles print side by side
("Failure, respiration, respiratory": either form finds the other).

**Words.** Each part of a path is cut at its commas: parts that are another form of the first
word (``Diabetes, diabetic``; same first three letters) are optional, the others (``Fracture,
traumatic``) are required. Nonessential modifiers (in parentheses) of every part on the path
are optional.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from chartwell.codesets.icd10cm._codes import DOTTED_CODE, dotted, undotted
from chartwell.codesets.model import (
    CodeTitle,
    ConversionEntry,
    HcpcsCode,
    IndexTerm,
    NoteKind,
    TableRow,
    TabularEntry,
)
from chartwell.codesets.search.model import SearchDocument, Source
from chartwell.codesets.search.text import Lexicon, load_lexicon, split_optional, terms

INCLUSION_NOTES = frozenset({NoteKind.INCLUSION_TERM, NoteKind.INCLUDES})
MAX_REFERENCE_HOPS = 3
_BEHAVIOUR = re.compile(r"malignant|benign|in situ|uncertain behavior|unspecified behavior|"
                        r"secondary", re.IGNORECASE)
_PLACEHOLDER_PART = re.compile(r"^by\b", re.IGNORECASE)
_NEOPLASM_TABLE = re.compile(r"^\s*neoplasm\b", re.IGNORECASE)  # "see Neoplasm, benign, by site"
_GENERIC_REFERENCE = re.compile(r"^\s*condition\b", re.IGNORECASE)  # "see also condition"


class _Node(Protocol):
    title: str
    nonessential: list[str]
    see: str | None
    see_also: str | None
    subterms: Sequence[_Node]


# -- the release's codes -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleaseCode:
    """A code as a document carries it: valid code, or a header the search completes."""

    code: str
    title: str
    billable: bool


class ReleaseCodes:
    """The codes of one release, to check and complete the codes the index and tables give."""

    def __init__(self, titles: Iterable[CodeTitle], *, valid_codes: Iterable[str] | None = None,
                 conversion: Iterable[ConversionEntry] = (), dotted_codes: bool = True):
        valid = None if valid_codes is None else set(valid_codes)
        self.dotted_codes = dotted_codes
        self.entries: dict[str, CodeTitle] = {}
        for title in titles:
            if title.billable and valid is not None and title.code not in valid:
                continue
            self.entries[title.code] = title
        self.billable_raw = sorted(self._raw(code) for code, title in self.entries.items()
                                   if title.billable)
        self.replacements: dict[str, list[str]] = defaultdict(list)
        for entry in conversion:
            for previous in entry.previous_codes:
                if DOTTED_CODE.fullmatch(previous) and previous not in self.entries:
                    self.replacements[previous].append(entry.current_code)

    def _raw(self, code: str) -> str:
        return undotted(code) if self.dotted_codes else code

    def _code(self, raw: str) -> str:
        return dotted(raw) if self.dotted_codes else raw

    def has_codes_under(self, raw: str) -> bool:
        at = bisect.bisect_left(self.billable_raw, raw)
        return at < len(self.billable_raw) and self.billable_raw[at].startswith(raw)

    def title(self, code: str) -> str:
        """The code's title, or that of the nearest header above it (a placeholder level such
        as ``T39.1X1`` may have no line of its own)."""
        raw = self._raw(code)
        for length in range(len(raw), 0, -1):
            entry = self.entries.get(self._code(raw[:length]))
            if entry is not None:
                return entry.long_title
        return ""

    def resolve(self, code: str) -> list[ReleaseCode]:
        """What ``code`` (as an index or table prints it) is in this release: itself, the header
        to complete, its replacements, or nothing."""
        found = self._in_release(code)
        if found is not None:
            return [found]
        current = self.replacements.get(code.rstrip("-").rstrip("."), [])
        return [hit for hit in map(self._in_release, current) if hit is not None]

    def _in_release(self, code: str) -> ReleaseCode | None:
        code = code.rstrip("-").rstrip(".").upper()
        entry = self.entries.get(code)
        if entry is not None and entry.billable:
            return ReleaseCode(code, entry.long_title, True)
        if code and self.has_codes_under(self._raw(code)):
            return ReleaseCode(code, self.title(code), False)
        return None


# -- cross references ----------------------------------------------------------------------


class CrossReferences:
    """Finds the entry a ``see``/``see also`` text names among the main terms ``roots``.

    A named part matches a subterm whose title (or one of its comma forms) has the same words;
    failing that, one whose words include the named ones (``drug`` finds ``drug NEC``; a word
    matches another that it begins or that begins it, ``retina``/``retinal``). Subterms with no
    word of their own (``with``) are passed through.
    """

    def __init__(self, roots: Sequence[_Node], lexicon: Lexicon):
        self.stopwords = lexicon.stopwords
        self._keys: dict[str, tuple[str, ...]] = {}
        self._parts: dict[int, tuple[list[tuple[str, ...]], frozenset[str]]] = {}
        self._found: dict[str, list[_Node] | None] = {}
        self._child_index: dict[int, tuple[dict, list]] = {}
        self.by_first: dict[tuple[str, ...], list[_Node]] = defaultdict(list)
        for root in roots:
            parts, _ = self._node_parts(root)
            if parts:
                self.by_first[parts[0]].append(root)

    def key(self, text: str) -> tuple[str, ...]:
        found = self._keys.get(text)
        if found is None:
            found = self._keys[text] = tuple(terms(text, self.stopwords))
        return found

    def _node_parts(self, node: _Node) -> tuple[list[tuple[str, ...]], frozenset[str]]:
        found = self._parts.get(id(node))
        if found is None:
            parts = [key for key in (self.key(part) for part in node.title.split(",")) if key]
            found = self._parts[id(node)] = (parts, frozenset(w for part in parts for w in part))
        return found

    def find(self, reference: str) -> list[_Node] | None:
        """The chain of entries from a main term to the one named, or None."""
        if reference not in self._found:
            self._found[reference] = self._find(reference)
        return self._found[reference]

    def _find(self, reference: str) -> list[_Node] | None:
        parts = reference.split(",")
        placeholders = sum(1 for part in parts if _PLACEHOLDER_PART.match(part.strip()))
        wanted = [self.key(part) for part in parts if not _PLACEHOLDER_PART.match(part.strip())]
        wanted = [part for part in wanted if part]
        if not wanted or (placeholders and len(wanted) == 1):
            return None  # "see Pregnancy, by site": the site is the coder's to find
        if placeholders and _NEOPLASM_TABLE.match(parts[0]):
            # "Adenoma - see also Neoplasm, benign, by site" names a column of the Table of
            # Neoplasms (an alias, _neoplasm_aliases), not the index's "Neoplasm, neoplastic >
            # lipomatous, benign" (D17.9), which its words would otherwise match
            return None
        for root in self.by_first.get(wanted[0], ()):
            own, _ = self._node_parts(root)
            chain = self._descend(root, self._consume(own[1:], wanted[1:]), [root])
            if chain is not None:
                return chain
        return None

    @staticmethod
    def _consume(own: list[tuple[str, ...]], wanted: list[tuple[str, ...]]
                 ) -> list[tuple[str, ...]]:
        while wanted and wanted[0] in own:
            wanted = wanted[1:]
        return wanted

    def _descend(self, node: _Node, wanted: list[tuple[str, ...]], chain: list[_Node],
                 depth: int = 0) -> list[_Node] | None:
        if not wanted:
            return chain
        if depth > 12:
            return None
        exact, wordless = self._children(node)
        for child in exact.get(wanted[0], ()):
            own, _ = self._node_parts(child)
            found = self._descend(child, self._consume(own, wanted[1:]), [*chain, child],
                                  depth + 1)
            if found is not None:
                return found
        for child in node.subterms:
            own, words = self._node_parts(child)
            if own and wanted[0] not in own and self._includes(words, wanted[0]):
                found = self._descend(child, self._consume(own, wanted[1:]), [*chain, child],
                                      depth + 1)
                if found is not None:
                    return found
        for child in wordless:
            found = self._descend(child, wanted, [*chain, child], depth + 1)
            if found is not None:
                return found
        return None

    def _children(self, node: _Node) -> tuple[dict[tuple[str, ...], list[_Node]], list[_Node]]:
        """The subterms by each comma form of their titles, and those with no words."""
        found = self._child_index.get(id(node))
        if found is None:
            exact: dict[tuple[str, ...], list[_Node]] = defaultdict(list)
            wordless = []
            for child in node.subterms:
                own, _ = self._node_parts(child)
                for part in own:
                    exact[part].append(child)
                if not own:
                    wordless.append(child)
            found = self._child_index[id(node)] = (exact, wordless)
        return found

    @staticmethod
    def _includes(words: frozenset[str], wanted: tuple[str, ...]) -> bool:
        return all(w in words or any(_same_word(w, o) for o in words) for w in wanted)


def _same_word(one: str, other: str) -> bool:
    if one == other:
        return True
    shorter, longer = sorted((one, other), key=len)
    return len(shorter) >= 4 and longer.startswith(shorter)


# -- words of a path -----------------------------------------------------------------------


def segment_words(title: str, defaults: frozenset[str] = frozenset()) -> tuple[str, str]:
    """A path part's required and optional words (see the module notes); ``defaults`` are
    qualifiers that are optional too (a main term's "traumatic")."""
    parts = [part.strip() for part in title.split(",") if part.strip()]
    if not parts:
        return "", ""
    first = parts[0]
    required, optional = [first], []
    for part in parts[1:]:
        default = part.lower() in defaults
        (optional if default or _same_word_forms(first, part) else required).append(part)
    return " ".join(required), " ".join(optional)


def chain_words(chain: Sequence[_Node], lexicon: Lexicon | None = None) -> tuple[str, str]:
    """Required and optional words of a whole path (nonessential modifiers are optional, but
    stand in for a part that has no words of its own: "Gout, in (due to)")."""
    defaults = lexicon.main_term_defaults if lexicon else frozenset()
    required, optional = [], []
    for depth, node in enumerate(chain):
        words, extra = segment_words(node.title, defaults if depth == 0 else frozenset())
        if not _has_words(words, lexicon) and node.nonessential:
            words = " ".join(node.nonessential)
        else:
            optional.extend(node.nonessential)
        required.append(words)
        optional.append(extra)
    return " ".join(filter(None, required)), " ".join(filter(None, optional))


def _has_words(text: str, lexicon: Lexicon | None) -> bool:
    return bool(terms(text, lexicon.stopwords)) if lexicon else bool(text.strip())


def _walk(roots: Sequence[_Node], chain: tuple[_Node, ...] = ()
          ) -> Iterator[tuple[_Node, ...]]:
    for node in roots:
        here = (*chain, node)
        yield here
        yield from _walk(node.subterms, here)


def _titles(chain: Sequence[_Node]) -> tuple[str, ...]:
    return tuple(node.title for node in chain if node.title)


# -- ICD-10-CM -----------------------------------------------------------------------------


def icd10cm_documents(*, titles: Iterable[CodeTitle], tabular: Iterable[TabularEntry],
                      index_terms: Sequence[IndexTerm], eindex_terms: Sequence[IndexTerm] = (),
                      neoplasm: Sequence[TableRow] = (), drug: Sequence[TableRow] = (),
                      valid_codes: Iterable[str] | None = None,
                      conversion: Iterable[ConversionEntry] = ()) -> Iterator[SearchDocument]:
    """Every document of an ICD-10-CM release: the alphabetic index, the external cause index,
    the neoplasm and drug tables, tabular titles and inclusion terms, each code checked against
    ``titles`` (restricted to ``valid_codes`` when given; deleted codes replaced through
    ``conversion``)."""
    lexicon = load_lexicon()
    codes = ReleaseCodes(titles, valid_codes=valid_codes, conversion=conversion)
    tabular = list(tabular)
    yield from _tabular_documents(codes, tabular)
    yield from _index_documents(index_terms, codes, Source.INDEX, lexicon)
    yield from _index_documents(eindex_terms, codes, Source.EXTERNAL_CAUSE_INDEX, lexicon)
    yield from _table_documents(neoplasm, codes, Source.NEOPLASM_TABLE, lexicon)
    yield from _table_documents(drug, codes, Source.DRUG_TABLE, lexicon)
    yield from _neoplasm_aliases(index_terms)
    yield from _sent_to_main_term(index_terms)
    yield from _form_aliases(index_terms)


def _tabular_documents(codes: ReleaseCodes, tabular: list[TabularEntry]
                       ) -> Iterator[SearchDocument]:
    """A document per valid code's title; codes that differ only by a 7th character
    (S72.002A, S72.002D ...) share one document for their base, completed at search time."""
    keys = {entry.key for entry in tabular if entry.kind == "code"}
    bases: dict[str, None] = {}
    for code, entry in codes.entries.items():
        if not entry.billable:
            continue
        if keys and code not in keys and len(undotted(code)) == 7:
            bases.setdefault(dotted(undotted(code)[:6]), None)
            yield SearchDocument(code=code, title=entry.long_title, billable=True,
                                 source=Source.RELEASE_CODE, path=(), text="")
            continue
        yield _tabular_title(entry.code, entry.long_title, True)
    for base in bases:
        yield _tabular_title(base, codes.title(base), False)
    for entry in tabular:
        if entry.kind != "code":
            continue
        for note in entry.notes:
            if note.kind in INCLUSION_NOTES:
                for found in codes.resolve(entry.key):
                    yield _inclusion(found, note.text)


def _tabular_title(code: str, title: str, billable: bool) -> SearchDocument:
    words, optional = split_optional(title)
    return SearchDocument(code=code, title=title, billable=billable, source=Source.TABULAR_TITLE,
                          path=(title,), text=words, optional=optional)


def _inclusion(found: ReleaseCode, note: str) -> SearchDocument:
    words, optional = split_optional(note)
    return SearchDocument(code=found.code, title=found.title, billable=found.billable,
                          source=Source.INCLUSION_TERM, path=(found.title, note), text=words,
                          optional=optional)


def _index_documents(roots: Sequence[IndexTerm], codes: ReleaseCodes, source: Source,
                     lexicon: Lexicon) -> Iterator[SearchDocument]:
    references = CrossReferences(roots, lexicon)
    for chain in _walk(roots):
        term = chain[-1]
        words, optional = chain_words(chain, lexicon)
        path = _titles(chain)
        if term.code:
            for found in codes.resolve(term.code):
                yield _document(found, source, path, words, optional)
        for kind, reference in _references(term):
            for found, extra in _referenced_codes(reference, references, codes):
                yield _document(found, source, path, words, f"{optional} {extra}",
                                via=f"{kind} {reference}")


def _references(term: IndexTerm) -> Iterator[tuple[str, str]]:
    """A term's cross references. A ``see also`` offers a second place to look beside the
    term's own code; on a term with no code of its own it is the only place, so it reads as a
    ``see``; and a ``see`` on a term that has its own code (the flattened CSV has a few) reads
    as a ``see also``."""
    for reference in (term.see, term.see_also):
        if reference and not _GENERIC_REFERENCE.match(reference):
            yield ("see also" if term.code else "see"), reference


def _form_aliases(roots: Sequence[_Node]) -> Iterator[SearchDocument]:
    """The forms of one word that index titles print side by side ("Failure, respiration,
    respiratory"; "femur, femoral"): each also matches the others."""
    seen: set[tuple[str, str]] = set()
    for chain in _walk(roots):
        parts = [part.strip() for part in chain[-1].title.split(",") if part.strip()]
        forms = [part for part in parts[1:] if _same_word_forms(parts[0], part)]
        for one, other in ((parts[0], form) for form in forms):
            for pair in ((one, other), (other, one)):
                if pair not in seen:
                    seen.add(pair)
                    yield SearchDocument(code="", title="", billable=False, source=Source.ALIAS,
                                         path=(chain[-1].title,), text=pair[0],
                                         optional=pair[1])


def _same_word_forms(first: str, other: str) -> bool:
    """Two spellings of one word, as titles print them side by side ("Diabetes, diabetic";
    "femur, femoral"; "arteriosclerosis, arteriosclerotic"; not "lumbar, lumbosacral"): one
    word each, sharing most of the shorter (all but its last four letters, and at least 60%
    of it), the longer not much longer; an "-itis" pairs only with "-itis" or "-itic"."""
    if " " in first or " " in other or not first.isalpha() or not other.isalpha():
        return False
    shorter, longer = sorted((first.lower(), other.lower()), key=len)
    if longer.endswith("itis") and not shorter.endswith(("itis", "itic")):
        return False  # "prostate, prostatitis": the organ and its inflammation, two words
    shared = next((i for i, (a, b) in enumerate(zip(shorter, longer, strict=False))
                   if a != b), len(shorter))
    return shared >= max(3, len(shorter) - 4, 0.6 * len(shorter)) \
        and len(longer) <= 1.7 * len(shorter)


def _referenced_codes(reference: str, references: CrossReferences, codes: ReleaseCodes,
                      hops: int = MAX_REFERENCE_HOPS) -> Iterator[tuple[ReleaseCode, str]]:
    """The codes the entry named by ``reference`` leads to (following its own ``see`` a few
    hops), each with the target's words."""
    chain = references.find(reference)
    if chain is None:
        return
    target = chain[-1]
    words = " ".join(chain_words(chain))
    code = getattr(target, "code", None)
    if code:
        for found in codes.resolve(code):
            yield found, words
    elif target.see and hops > 1:
        for found, more in _referenced_codes(target.see, references, codes, hops - 1):
            yield found, f"{words} {more}"


def _document(found: ReleaseCode, source: Source, path: tuple[str, ...], words: str,
              optional: str, via: str | None = None) -> SearchDocument:
    return SearchDocument(code=found.code, title=found.title, billable=found.billable,
                          source=source, path=path, text=words, optional=optional.strip(),
                          via=via)


# pointers whose word is everyday English in a note, not the target's synonym: "the rectal
# stump" (Stump - see Amputation), "abandonment of hygiene" (see Maltreatment), "the affected
# teeth" (Affection - see Disease)
_EVERYDAY_POINTERS = frozenset(("stump", "abandonment", "affection"))


def _sent_to_main_term(roots: Sequence[IndexTerm]) -> Iterator[SearchDocument]:
    """Main terms that are only a pointer to another main term ("Pseudoaneurysm - see
    Aneurysm", "Phlegmon - see Abscess"): the coder goes on under the target with the note's
    other words, so the word also matches the target's ("thoracic aortic pseudoaneurysm" ->
    Aneurysm > aorta > thoracic; "dental phlegmon" -> Abscess > dental)."""
    for term in roots:
        reference = (term.see or "").strip()
        if term.code or term.subterms or not reference or "," in reference \
                or _GENERIC_REFERENCE.match(reference) or _NEOPLASM_TABLE.match(reference) \
                or term.title.strip().lower() in _EVERYDAY_POINTERS:
            continue
        yield from _pointer_alias(term, reference, reference)


def _neoplasm_aliases(roots: Sequence[IndexTerm]) -> Iterator[SearchDocument]:
    """Main terms the index sends to the Table of Neoplasms by behaviour ("Adenoma - see also
    Neoplasm, benign, by site"): the word then matches the table's column."""
    for term in roots:
        reference = term.see or term.see_also or ""
        behaviour = _BEHAVIOUR.findall(reference) if _NEOPLASM_TABLE.match(reference) else []
        if behaviour:
            yield from _pointer_alias(term, " ".join(behaviour), reference)


def _pointer_alias(term: IndexTerm, gained: str, reference: str) -> Iterator[SearchDocument]:
    """The alias by which a main term's words also match ``gained``, the words of the entry
    its cross reference names."""
    words, _ = segment_words(term.title)
    if words:
        yield SearchDocument(code="", title="", billable=False, source=Source.ALIAS,
                             path=(term.title,), text=words, optional=gained,
                             via=f"see {reference}")


# -- the Neoplasm and Drug tables ----------------------------------------------------------


def _table_documents(roots: Sequence[TableRow], codes: ReleaseCodes, source: Source,
                     lexicon: Lexicon) -> Iterator[SearchDocument]:
    references = CrossReferences(roots, lexicon)
    for chain in _walk(roots):
        row = chain[-1]
        words, optional = chain_words(chain, lexicon)
        path = _titles(chain)
        for heading, code, via in _row_cells(row, references):
            column, column_optional = _column_words(heading, lexicon)
            for found in codes.resolve(code):
                yield _document(found, source, (*path, heading), f"{words} {column}",
                                f"{optional} {column_optional}", via=via)


def _row_cells(row: TableRow, references: CrossReferences
               ) -> Iterator[tuple[str, str, str | None]]:
    """The row's own cells, then for a ``see`` every cell of the row named, and for a ``see
    also`` the cells of the row named that this row leaves empty."""
    for heading, code in row.codes.items():
        yield heading, code, None
    for kind, reference in (("see", row.see), ("see also", row.see_also)):
        chain = references.find(reference) if reference else None
        if chain is None:
            continue
        for heading, code in getattr(chain[-1], "codes", {}).items():
            if kind == "see" or heading not in row.codes:
                yield heading, code, f"{kind} {reference}"


def _column_words(heading: str, lexicon: Lexicon) -> tuple[str, str]:
    for known, words in lexicon.columns.items():
        if known.lower() == heading.lower():
            return words
    return split_optional(heading)


# -- ICD-10-PCS, HCPCS, CPT ----------------------------------------------------------------


def icd10pcs_documents(*, titles: Iterable[CodeTitle], index_terms: Sequence[IndexTerm]
                       ) -> Iterator[SearchDocument]:
    """Every document of an ICD-10-PCS release: each valid code's long title, and the index
    (its codes are table prefixes, completed at search time; ``use`` references become
    aliases)."""
    lexicon = load_lexicon()
    codes = ReleaseCodes(titles, dotted_codes=False)
    for entry in codes.entries.values():
        if entry.billable:
            words, optional = split_optional(entry.long_title)
            yield SearchDocument(code=entry.code, title=entry.long_title, billable=True,
                                 source=Source.PCS_TITLE, path=(entry.long_title,), text=words,
                                 optional=optional)
    references = CrossReferences(index_terms, lexicon)
    for chain in _walk(index_terms):
        yield from _pcs_index_documents(chain, codes, references)


def _pcs_index_documents(chain: tuple[IndexTerm, ...], codes: ReleaseCodes,
                         references: CrossReferences) -> Iterator[SearchDocument]:
    term = chain[-1]
    words, optional = chain_words(chain)
    path = _titles(chain)
    if term.use and not term.code:
        yield SearchDocument(code="", title="", billable=False, source=Source.ALIAS,
                             path=path, text=words, optional=term.use, via=f"use {term.use}")
        return
    reference = term.see or term.use
    extra = reference or ""
    targets = codes.resolve(term.code) if term.code else []
    if not targets and term.see:
        chain_found = references.find(term.see)
        code = getattr(chain_found[-1], "code", None) if chain_found else None
        targets = codes.resolve(code) if code else []
    via = f"see {term.see}" if term.see else (f"use {term.use}" if term.use else None)
    for found in targets:
        yield _document(found, Source.PCS_INDEX, path, words, f"{optional} {extra}", via=via)


def hcpcs_documents(*, codes: Iterable[HcpcsCode], valid_on: date | None = None
                    ) -> Iterator[SearchDocument]:
    """A document per HCPCS Level II code's long description, and one for its short description
    where that says something else (the short one is abbreviated: ``Outside state ambulance
    serv``). The file is cumulative: a code terminated before ``valid_on`` (default: the newest
    date the file itself gives, which is when its release starts) is left out."""
    codes = list(codes)
    if valid_on is None:
        dates = [day for code in codes for day in (code.added, code.action_effective) if day]
        valid_on = max(dates, default=None)
    for code in codes:
        if code.terminated is not None and valid_on is not None and code.terminated < valid_on:
            continue
        yield _description(code.code, code.long_title, code.long_title, Source.HCPCS_LONG)
        if code.short_title and code.short_title.lower() != code.long_title.lower():
            yield _description(code.code, code.long_title, code.short_title, Source.HCPCS_SHORT)


def cpt_documents(*, rows: Iterable[CodeTitle]) -> Iterator[SearchDocument]:
    """A document per CPT code of a licensed user's file (code + descriptor; the short
    descriptor too where it differs). CPT descriptors are AMA copyright: they exist only in the
    user's own release, never in the repository."""
    for row in rows:
        yield _description(row.code, row.long_title, row.long_title, Source.CPT_DESCRIPTOR)
        if row.short_title and row.short_title.lower() != row.long_title.lower():
            yield _description(row.code, row.long_title, row.short_title, Source.CPT_DESCRIPTOR)


def _description(code: str, title: str, text: str, source: Source) -> SearchDocument:
    words, optional = split_optional(text)
    return SearchDocument(code=code, title=title, billable=True, source=source, path=(text,),
                          text=words, optional=optional)

"""The per-release artifact: one SQLite database file holding everything a release says.

Built once at install (:class:`ArtifactWriter`, into a temporary file), stored in the registry
and cached under ``data_dir/codesets``, then opened read-only (:class:`Artifact`): nothing is
loaded at start-up; each lookup is an indexed query (tens of microseconds).

Tables (codes are kept as coders write them: ``E11.40``, ``0DTJ4ZZ``, ``J3301``):

=====================  ========================================================================
``meta``               key/value: system, version, format, counts, what the release holds
``codes``              every code and header of the release: billable flag, long and short
                       title, ``parent`` (the code or tabular key it sits under), ``sort``
``tabular``            ICD-10-CM chapters, blocks and tabular codes (``key``, kind, title, parent)
``notes``              their instructional notes (kind, text, in file order)
``seventh_characters`` their 7th-character values
``conversion``         the ICD-10-CM conversion table, one row per previous code
``index_terms``        alphabetic indexes as trees (``index_name``: index, eindex, pcs)
``table_rows``         the Neoplasm and Drug tables as trees, codes per column heading
``pcs_tables``         each ICD-10-PCS table (axes, rows, labels and definitions) as JSON
``pcs_definitions``    ICD-10-PCS definitions (terms, definitions, "includes")
``hcpcs``              HCPCS Level II fields (pricing, coverage, BETOS, type of service, dates)
``modifiers``          HCPCS Level II modifiers
=====================  ========================================================================

The search engine adds its own tables to the same file during install.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from chartwell.codesets.icd10pcs.definitions import PcsTerm
from chartwell.codesets.icd10pcs.tables import TitledPcsTable
from chartwell.codesets.model import (
    CodeSystem,
    CodeTitle,
    ConversionEntry,
    HcpcsCode,
    IndexTerm,
    Modifier,
    NoteKind,
    PcsAxisValue,
    ReleaseSystem,
    SeventhCharacter,
    TableRow,
    TabularEntry,
    TabularNote,
    release_system,
)
from chartwell.errors import InvalidInput, Position

FORMAT = "chartwell-codeset-artifact"
FORMAT_VERSION = 1

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE codes (
    code TEXT PRIMARY KEY, billable INTEGER NOT NULL, long_title TEXT NOT NULL,
    short_title TEXT, parent TEXT, sort INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE tabular (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, parent TEXT,
    sort INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE notes (
    key TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
    PRIMARY KEY (key, seq)
) WITHOUT ROWID;
CREATE TABLE seventh_characters (
    key TEXT NOT NULL, seq INTEGER NOT NULL, character TEXT NOT NULL, meaning TEXT NOT NULL,
    PRIMARY KEY (key, seq)
) WITHOUT ROWID;
CREATE TABLE conversion (
    current_code TEXT NOT NULL, effective TEXT NOT NULL, previous TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TABLE index_terms (
    id INTEGER PRIMARY KEY, index_name TEXT NOT NULL, parent_id INTEGER, level INTEGER NOT NULL,
    title TEXT NOT NULL, nonessential TEXT, code TEXT, manifestation_code TEXT, see TEXT,
    see_also TEXT, use TEXT
);
CREATE TABLE table_rows (
    id INTEGER PRIMARY KEY, table_name TEXT NOT NULL, parent_id INTEGER, level INTEGER NOT NULL,
    title TEXT NOT NULL, nonessential TEXT, see TEXT, see_also TEXT, codes TEXT NOT NULL
);
CREATE TABLE pcs_tables (prefix TEXT PRIMARY KEY, content TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE pcs_definitions (
    section TEXT NOT NULL, position INTEGER NOT NULL, section_title TEXT NOT NULL,
    axis_title TEXT NOT NULL, titles TEXT NOT NULL, definition TEXT, explanation TEXT,
    includes TEXT NOT NULL
);
CREATE TABLE hcpcs (
    code TEXT PRIMARY KEY, pricing_indicator TEXT, coverage_code TEXT, betos TEXT,
    type_of_service TEXT, action_code TEXT, added TEXT, action_effective TEXT, terminated TEXT
) WITHOUT ROWID;
CREATE TABLE modifiers (code TEXT PRIMARY KEY, title TEXT NOT NULL, system TEXT NOT NULL)
    WITHOUT ROWID;
"""

INDEXES = """
CREATE INDEX codes_parent ON codes (parent);
CREATE INDEX codes_sort ON codes (sort);
CREATE INDEX conversion_previous ON conversion (previous);
CREATE INDEX conversion_current ON conversion (current_code);
CREATE INDEX index_terms_parent ON index_terms (parent_id);
CREATE INDEX index_terms_code ON index_terms (code);
CREATE INDEX table_rows_parent ON table_rows (parent_id);
"""

INDEX_NAMES = ("index", "eindex", "pcs")  # disease index, external cause index, PCS index
TABLE_NAMES = ("neoplasm", "drug")


@dataclass(slots=True)
class ReleaseContent:
    """Everything a release holds, as the loaders give it: what the writer writes and what a
    derived release (FY2027 = FY2026 + addenda) starts from."""

    system: CodeSystem
    titles: list[CodeTitle] = field(default_factory=list)
    tabular: list[TabularEntry] = field(default_factory=list)
    index_terms: dict[str, list[IndexTerm]] = field(default_factory=dict)  # INDEX_NAMES
    tables: dict[str, list[TableRow]] = field(default_factory=dict)  # TABLE_NAMES
    conversion: list[ConversionEntry] = field(default_factory=list)
    pcs_tables: list[TitledPcsTable] = field(default_factory=list)
    pcs_definitions: list[PcsTerm] = field(default_factory=list)
    hcpcs: list[HcpcsCode] = field(default_factory=list)
    modifiers: list[Modifier] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"codes": len(self.titles),
                  "billable": sum(1 for title in self.titles if title.billable)}
        extra = {"tabular_entries": len(self.tabular), "conversion_entries": len(self.conversion),
                 "pcs_tables": len(self.pcs_tables), "pcs_definitions": len(self.pcs_definitions),
                 "modifiers": len(self.modifiers)}
        for name, terms in self.index_terms.items():
            extra[f"{name}_main_terms"] = len(terms)
        for name, rows in self.tables.items():
            extra[f"{name}_main_terms"] = len(rows)
        counts.update({key: value for key, value in extra.items() if value})
        return counts


# -- writing ---------------------------------------------------------------------------------


class ArtifactWriter:
    """Writes a :class:`ReleaseContent` into a new SQLite file (bulk inserts, then indexes)."""

    def __init__(self, path: Path):
        self.path = path
        if path.exists():
            path.unlink()
        self.connection = sqlite3.connect(path)
        self.connection.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;" + SCHEMA)

    def write(self, content: ReleaseContent, meta: dict[str, Any]) -> None:
        self._meta({**meta, "format": FORMAT, "format_version": FORMAT_VERSION,
                    "system": str(content.system), "counts": content.counts()})
        self._codes(content)
        self._tabular(content.tabular)
        self._conversion(content.conversion)
        for name, terms in content.index_terms.items():
            self._index(name, terms)
        for name, rows in content.tables.items():
            self._table(name, rows)
        self._pcs(content.pcs_tables, content.pcs_definitions)
        self._hcpcs(content.hcpcs, content.modifiers)
        self.connection.executescript(INDEXES)
        self.connection.commit()

    def finish(self) -> None:
        """Gather the planner's statistics, compact the file and close it."""
        self.connection.execute("ANALYZE")
        self.connection.commit()
        self.connection.execute("VACUUM")
        self.connection.close()

    def _meta(self, meta: dict[str, Any]) -> None:
        self.connection.executemany("INSERT INTO meta VALUES (?, ?)",
                                    [(key, json.dumps(value, sort_keys=True, default=str))
                                     for key, value in meta.items()])

    def _codes(self, content: ReleaseContent) -> None:
        parents = code_parents(content)
        self.connection.executemany(
            "INSERT INTO codes VALUES (?, ?, ?, ?, ?, ?)",
            ((title.code, int(title.billable), title.long_title, title.short_title,
              parents.get(title.code), position) for position, title in enumerate(content.titles)))

    def _tabular(self, entries: list[TabularEntry]) -> None:
        self.connection.executemany(
            "INSERT INTO tabular VALUES (?, ?, ?, ?, ?)",
            ((entry.key, entry.kind, entry.title, entry.parent, position)
             for position, entry in enumerate(entries)))
        self.connection.executemany(
            "INSERT INTO notes VALUES (?, ?, ?, ?)",
            ((entry.key, seq, str(note.kind), note.text)
             for entry in entries for seq, note in enumerate(entry.notes)))
        self.connection.executemany(
            "INSERT INTO seventh_characters VALUES (?, ?, ?, ?)",
            ((entry.key, seq, seventh.character, seventh.meaning)
             for entry in entries for seq, seventh in enumerate(entry.seventh_characters)))

    def _conversion(self, entries: list[ConversionEntry]) -> None:
        self.connection.executemany(
            "INSERT INTO conversion VALUES (?, ?, ?, ?)",
            ((entry.current_code, entry.effective, previous, seq)
             for entry in entries
             for seq, previous in enumerate(entry.previous_codes or ("",))))

    def _index(self, name: str, terms: list[IndexTerm]) -> None:
        rows: list[tuple] = []
        next_id = self._next_id("index_terms")

        def walk(term: IndexTerm, parent: int | None) -> None:
            nonlocal next_id
            own, next_id = next_id, next_id + 1
            rows.append((own, name, parent, term.level, term.title, _json_list(term.nonessential),
                         term.code, term.manifestation_code, term.see, term.see_also, term.use))
            for child in term.subterms:
                walk(child, own)

        for term in terms:
            walk(term, None)
        self.connection.executemany(
            "INSERT INTO index_terms VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _table(self, name: str, table_rows: list[TableRow]) -> None:
        rows: list[tuple] = []
        next_id = self._next_id("table_rows")

        def walk(row: TableRow, parent: int | None) -> None:
            nonlocal next_id
            own, next_id = next_id, next_id + 1
            rows.append((own, name, parent, row.level, row.title, _json_list(row.nonessential),
                         row.see, row.see_also, json.dumps(row.codes)))
            for child in row.subterms:
                walk(child, own)

        for row in table_rows:
            walk(row, None)
        self.connection.executemany("INSERT INTO table_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                    rows)

    def _pcs(self, tables: list[TitledPcsTable], definitions: list[PcsTerm]) -> None:
        self.connection.executemany(
            "INSERT INTO pcs_tables VALUES (?, ?)",
            ((table.prefix, json.dumps(pcs_table_to_json(table))) for table in tables))
        self.connection.executemany(
            "INSERT INTO pcs_definitions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((term.section, term.position, term.section_title, term.axis_title,
              json.dumps(term.titles), term.definition, term.explanation,
              json.dumps(term.includes)) for term in definitions))

    def _hcpcs(self, codes: list[HcpcsCode], modifiers: list[Modifier]) -> None:
        self.connection.executemany(
            "INSERT INTO hcpcs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((code.code, code.pricing_indicator, code.coverage_code, code.betos,
              code.type_of_service, code.action_code, _iso(code.added),
              _iso(code.action_effective), _iso(code.terminated)) for code in codes))
        self.connection.executemany(
            "INSERT INTO modifiers VALUES (?, ?, ?)",
            ((modifier.code, modifier.title, str(modifier.system)) for modifier in modifiers))

    def _next_id(self, table: str) -> int:
        return (self.connection.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0) + 1


def code_parents(content: ReleaseContent) -> dict[str, str]:
    """Each code's parent: the longest shorter code of the release that it starts with (for
    ICD-10-CM, placeholder X's skipped), else, for a category, its tabular block."""
    keys = {title.code for title in content.titles} | {entry.key for entry in content.tabular
                                                        if entry.kind == "code"}
    blocks = {entry.key: entry.parent for entry in content.tabular if entry.kind == "code"}
    parents: dict[str, str] = {}
    for title in content.titles:
        parent = longest_prefix(title.code, keys)
        if parent is None and title.code in blocks:
            parent = blocks[title.code]
        if parent is not None:
            parents[title.code] = parent
    return parents


def longest_prefix(code: str, keys: set[str] | frozenset[str]) -> str | None:
    """The longest proper prefix of ``code`` in ``keys`` (a dangling dot dropped)."""
    for length in range(len(code) - 1, 2, -1):
        prefix = code[:length].rstrip(".")
        if prefix != code and prefix in keys:
            return prefix
    return None


def _json_list(values: list[str]) -> str | None:
    return json.dumps(values) if values else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# -- PCS tables as JSON ----------------------------------------------------------------------


def pcs_table_to_json(table: TitledPcsTable) -> dict:
    def value(item: PcsAxisValue) -> list:
        return [item.value, item.label, item.definition]

    return {"axis_titles": list(table.axis_titles), "section": value(table.section),
            "body_system": value(table.body_system), "operation": value(table.operation),
            "rows": [[[value(item) for item in axis] for axis in row] for row in table.rows]}


def pcs_table_from_json(document: dict) -> TitledPcsTable:
    def value(position: int, item: list) -> PcsAxisValue:
        return PcsAxisValue(position=position, value=item[0], label=item[1], definition=item[2])

    return TitledPcsTable(
        section=value(1, document["section"]), body_system=value(2, document["body_system"]),
        operation=value(3, document["operation"]),
        rows=[[[value(4 + axis, item) for item in values] for axis, values in enumerate(row)]
              for row in document["rows"]],
        axis_titles=tuple(document["axis_titles"]))


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CodeRow:
    code: str
    billable: bool
    long_title: str
    short_title: str | None
    parent: str | None
    sort: int


@dataclass(frozen=True, slots=True)
class TabularNode:
    """A chapter, block or tabular code with its own notes and 7th characters."""

    key: str
    kind: str
    title: str
    parent: str | None
    notes: tuple[TabularNote, ...]
    seventh_characters: tuple[SeventhCharacter, ...]


class Artifact:
    """A release's artifact file, opened read-only on first use.

    One connection per thread (pages and API routes run in a thread pool); the file never
    changes once written (it is named by its SHA-256), so it is opened ``immutable``.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []  # every thread's, to close them all
        self._search_lock = threading.Lock()
        self._search: Any = None
        self._check_format()

    @property
    def connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = open_read_only(self.path)
            self._local.connection = connection
            with self._search_lock:
                self._opened.append(connection)
        return connection

    def _check_format(self) -> None:
        meta = self.meta
        if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
            raise InvalidInput(f"not a code-set artifact of format {FORMAT_VERSION} (found "
                               f"{meta.get('format')!r} {meta.get('format_version')!r}); "
                               "install the release again", Position(file=str(self.path)))

    @cached_property
    def meta(self) -> dict[str, Any]:
        try:
            rows = self.connection.execute("SELECT key, value FROM meta").fetchall()
        except sqlite3.DatabaseError as error:
            raise InvalidInput(f"not a readable code-set artifact ({error})",
                               Position(file=str(self.path))) from None
        return {key: json.loads(value) for key, value in rows}

    @cached_property
    def system(self) -> ReleaseSystem:
        return release_system(self.meta["system"])

    def has(self, table: str) -> bool:
        return self.connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None

    # -- codes --

    def code(self, code: str) -> CodeRow | None:
        row = self.connection.execute("SELECT * FROM codes WHERE code = ?", (code,)).fetchone()
        return _code_row(row) if row else None

    def descendants(self, code: str, *, billable: bool | None = None, limit: int | None = None
                    ) -> list[CodeRow]:
        """Codes that start with ``code`` (not itself), in release order."""
        query = "SELECT * FROM codes WHERE code > ? AND code < ?"
        if billable is not None:
            query += f" AND billable = {int(billable)}"
        query += " ORDER BY sort"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        rows = self.connection.execute(query, (code, code + "~")).fetchall()
        return [_code_row(row) for row in rows]

    def count_descendants(self, code: str, *, billable: bool = True) -> int:
        return self.connection.execute(
            "SELECT count(*) FROM codes WHERE code > ? AND code < ? AND billable = ?",
            (code, code + "~", int(billable))).fetchone()[0]

    def children(self, code: str) -> list[CodeRow]:
        rows = self.connection.execute("SELECT * FROM codes WHERE parent = ? ORDER BY sort",
                                       (code,)).fetchall()
        return [_code_row(row) for row in rows]

    def titles(self) -> Iterator[CodeTitle]:
        for row in self.connection.execute("SELECT * FROM codes ORDER BY sort"):
            yield CodeTitle(code=row[0], billable=bool(row[1]), long_title=row[2],
                            short_title=row[3], order_number=row[5] + 1)

    # -- tabular --

    def tabular_node(self, key: str) -> TabularNode | None:
        row = self.connection.execute("SELECT key, kind, title, parent FROM tabular WHERE key = ?",
                                      (key,)).fetchone()
        if row is None:
            return None
        notes = tuple(TabularNote(NoteKind(kind), text) for kind, text in self.connection.execute(
            "SELECT kind, text FROM notes WHERE key = ? ORDER BY seq", (key,)))
        sevenths = tuple(SeventhCharacter(character, meaning)
                         for character, meaning in self.connection.execute(
                             "SELECT character, meaning FROM seventh_characters WHERE key = ? "
                             "ORDER BY seq", (key,)))
        return TabularNode(row[0], row[1], row[2], row[3], notes, sevenths)

    def notes_between(self, kind: NoteKind, first: str, end: str) -> list[tuple[str, str]]:
        """(key, text) of the notes of one kind on the tabular codes from ``first`` up to, not
        including, ``end`` ("Z80" to "Z85": the family history codes), in order."""
        return self.connection.execute(
            "SELECT key, text FROM notes WHERE kind = ? AND key >= ? AND key < ? "
            "ORDER BY key, seq", (kind.value, first, end)).fetchall()

    def tabular_chain(self, code: str) -> list[TabularNode]:
        """The tabular entries in force on ``code``, from the code (or its nearest tabular
        ancestor) up to its chapter."""
        key: str | None = code
        node = self.tabular_node(code)
        if node is None:
            key = self._tabular_ancestor(code)
            node = self.tabular_node(key) if key else None
        chain: list[TabularNode] = []
        while node is not None and len(chain) < 50:
            chain.append(node)
            node = self.tabular_node(node.parent) if node.parent else None
        return chain

    def _tabular_ancestor(self, code: str) -> str | None:
        for length in range(len(code) - 1, 2, -1):
            prefix = code[:length].rstrip(".")
            if self.connection.execute("SELECT 1 FROM tabular WHERE key = ?",
                                       (prefix,)).fetchone():
                return prefix
        return None

    def tabular_entries(self) -> Iterator[TabularEntry]:
        notes: dict[str, list[TabularNote]] = {}
        for key, kind, text in self.connection.execute(
                "SELECT key, kind, text FROM notes ORDER BY key, seq"):
            notes.setdefault(key, []).append(TabularNote(NoteKind(kind), text))
        sevenths: dict[str, list[SeventhCharacter]] = {}
        for key, character, meaning in self.connection.execute(
                "SELECT key, character, meaning FROM seventh_characters ORDER BY key, seq"):
            sevenths.setdefault(key, []).append(SeventhCharacter(character, meaning))
        for key, kind, title, parent in self.connection.execute(
                "SELECT key, kind, title, parent FROM tabular ORDER BY sort"):
            yield TabularEntry(kind=kind, key=key, title=title, parent=parent,
                               notes=notes.get(key, []), seventh_characters=sevenths.get(key, []))

    # -- conversion table --

    def replaced_by(self, previous: str) -> list[tuple[str, str]]:
        """(current code, effective) of the conversion-table rows that list ``previous``."""
        return self.connection.execute(
            "SELECT current_code, effective FROM conversion WHERE previous = ? ORDER BY rowid",
            (previous,)).fetchall()

    def replaced(self, current: str) -> list[tuple[str, str]]:
        """(previous code, effective) of the conversion-table rows of ``current``."""
        return self.connection.execute(
            "SELECT previous, effective FROM conversion WHERE current_code = ? AND previous != '' "
            "ORDER BY seq", (current,)).fetchall()

    def conversion_entries(self) -> list[ConversionEntry]:
        entries: dict[str, tuple[str, list[str]]] = {}
        for current, effective, previous in self.connection.execute(
                "SELECT current_code, effective, previous FROM conversion ORDER BY rowid"):
            entry = entries.setdefault(current, (effective, []))
            if previous:
                entry[1].append(previous)
        return [ConversionEntry(current, effective, tuple(previous))
                for current, (effective, previous) in entries.items()]

    # -- indexes and tables --

    def index_terms(self, name: str) -> list[IndexTerm]:
        nodes: dict[int, IndexTerm] = {}
        roots: list[IndexTerm] = []
        for row in self.connection.execute(
                "SELECT id, parent_id, level, title, nonessential, code, manifestation_code, see, "
                "see_also, use FROM index_terms WHERE index_name = ? ORDER BY id", (name,)):
            term = IndexTerm(title=row[3], level=row[2], nonessential=_list(row[4]), code=row[5],
                             manifestation_code=row[6], see=row[7], see_also=row[8], use=row[9])
            nodes[row[0]] = term
            (nodes[row[1]].subterms if row[1] else roots).append(term)
        return roots

    def table_rows(self, name: str) -> list[TableRow]:
        nodes: dict[int, TableRow] = {}
        roots: list[TableRow] = []
        for row in self.connection.execute(
                "SELECT id, parent_id, level, title, nonessential, see, see_also, codes "
                "FROM table_rows WHERE table_name = ? ORDER BY id", (name,)):
            item = TableRow(title=row[3], level=row[2], nonessential=_list(row[4]), see=row[5],
                            see_also=row[6], codes=json.loads(row[7]))
            nodes[row[0]] = item
            (nodes[row[1]].subterms if row[1] else roots).append(item)
        return roots

    # -- PCS --

    def pcs_table(self, prefix: str) -> TitledPcsTable | None:
        row = self.connection.execute("SELECT content FROM pcs_tables WHERE prefix = ?",
                                      (prefix,)).fetchone()
        return pcs_table_from_json(json.loads(row[0])) if row else None

    def pcs_tables(self) -> list[TitledPcsTable]:
        return [pcs_table_from_json(json.loads(content)) for (content,) in
                self.connection.execute("SELECT content FROM pcs_tables ORDER BY prefix")]

    def pcs_definitions(self) -> list[PcsTerm]:
        return [PcsTerm(section=row[0], position=row[1], section_title=row[2], axis_title=row[3],
                        titles=tuple(json.loads(row[4])), definition=row[5], explanation=row[6],
                        includes=tuple(json.loads(row[7])))
                for row in self.connection.execute("SELECT * FROM pcs_definitions ORDER BY rowid")]

    def pcs_includes(self, section: str, position: int, label: str) -> tuple[str, ...]:
        for titles, includes in self.connection.execute(
                "SELECT titles, includes FROM pcs_definitions WHERE section = ? AND position = ?",
                (section, position)):
            if label.casefold() in (title.casefold() for title in json.loads(titles)):
                return tuple(json.loads(includes))
        return ()

    # -- HCPCS --

    def hcpcs(self, code: str) -> HcpcsCode | None:
        row = self.connection.execute(
            "SELECT h.*, c.long_title, c.short_title FROM hcpcs h JOIN codes c USING (code) "
            "WHERE h.code = ?", (code,)).fetchone()
        return _hcpcs_code(row) if row else None

    def hcpcs_codes(self) -> list[HcpcsCode]:
        return [_hcpcs_code(row) for row in self.connection.execute(
            "SELECT h.*, c.long_title, c.short_title FROM hcpcs h JOIN codes c USING (code) "
            "ORDER BY c.sort")]

    def modifier(self, code: str) -> Modifier | None:
        row = self.connection.execute("SELECT code, title, system FROM modifiers WHERE code = ?",
                                      (code,)).fetchone()
        return Modifier(row[0], row[1], CodeSystem(row[2])) if row else None

    def modifiers(self) -> list[Modifier]:
        return [Modifier(code, title, CodeSystem(system)) for code, title, system in
                self.connection.execute("SELECT code, title, system FROM modifiers ORDER BY code")]

    # -- everything, for a release derived from this one --

    def content(self) -> ReleaseContent:
        content = ReleaseContent(system=self.system, titles=list(self.titles()),
                                 tabular=list(self.tabular_entries()),
                                 conversion=self.conversion_entries(),
                                 pcs_tables=self.pcs_tables(),
                                 pcs_definitions=self.pcs_definitions(),
                                 hcpcs=self.hcpcs_codes(), modifiers=self.modifiers())
        for name in INDEX_NAMES:
            if terms := self.index_terms(name):
                content.index_terms[name] = terms
        for name in TABLE_NAMES:
            if rows := self.table_rows(name):
                content.tables[name] = rows
        return content

    def search_index(self) -> Any:
        """The search engine's index of this release, loaded once, on first use, from its own
        tables in this file (``chartwell.codesets.search.SearchIndex.load``)."""
        with self._search_lock:
            if self._search is None:
                from chartwell.codesets.search import SearchIndex

                connection = open_read_only(self.path)
                self._opened.append(connection)
                self._search = SearchIndex.load(connection)
            return self._search

    def close(self) -> None:
        """Close every connection this artifact opened, in any thread."""
        with self._search_lock:
            opened, self._opened, self._search = self._opened, [], None
        for connection in opened:
            connection.close()
        self._local = threading.local()


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to an artifact file that never changes."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1"
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    connection.execute("PRAGMA query_only=ON")
    return connection


def _code_row(row: tuple) -> CodeRow:
    return CodeRow(row[0], bool(row[1]), row[2], row[3], row[4], row[5])


def _list(value: str | None) -> list[str]:
    return json.loads(value) if value else []


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _hcpcs_code(row: tuple) -> HcpcsCode:
    return HcpcsCode(code=row[0], long_title=row[9], short_title=row[10],
                     pricing_indicator=row[1], coverage_code=row[2], betos=row[3],
                     type_of_service=row[4], action_code=row[5], added=_date(row[6]),
                     action_effective=_date(row[7]), terminated=_date(row[8]))

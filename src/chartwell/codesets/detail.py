"""Code detail: what a coder reads about one code in the release in force.

* **ICD-10-CM**: title, billable or header (with its billable codes), the chain chapter > block
  > category > ... > code, and the instructional notes in force, each labelled with the entry
  it is written under. Includes, excludes1, excludes2, code first, use additional code, code
  also and notes apply to everything below the entry that carries them, so they are collected
  from the code and every ancestor; inclusion terms name what the entry itself covers, so they
  are taken from the code's own entry (for a 7th-character code, the entry it extends). The
  7th characters are the nearest ancestor's, with the placeholder-X rule when the code has
  fewer than six characters before its 7th.
* **ICD-10-PCS**: the table, the row that allows the code, and the meaning of each of the seven
  characters (with definitions where the definitions file has them); for a 3-character table
  header, the table itself.
* **HCPCS**: the CMS fields (pricing indicator, coverage, BETOS, type of service, action) and
  dates, and whether the code is in effect on the date; a 2-character code is a modifier.
* **CPT**: descriptors only from a licensed user's installed file; otherwise the code is
  described by its format alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from chartwell.codesets.artifact import Artifact, CodeRow, TabularNode
from chartwell.codesets.cpt import CPT_CODE, CPT_FORMAT, cpt_category
from chartwell.codesets.icd10cm._codes import undotted
from chartwell.codesets.icd10pcs.tables import PcsCharacter, explain_code
from chartwell.codesets.lookup import SEVENTH_LENGTH, SeventhRule, padded_base, seventh_rule
from chartwell.codesets.model import CodeSystem, HcpcsCode, NoteKind
from chartwell.codesets.releases import Release
from chartwell.errors import NotFound

CHILDREN_SHOWN = 100
NOTE_ORDER = (NoteKind.INCLUSION_TERM, NoteKind.INCLUDES, NoteKind.EXCLUDES1, NoteKind.EXCLUDES2,
              NoteKind.CODE_FIRST, NoteKind.USE_ADDITIONAL_CODE, NoteKind.CODE_ALSO, NoteKind.NOTE,
              NoteKind.SEVENTH_CHARACTER_NOTE)


@dataclass(frozen=True, slots=True)
class Source:
    """The entry a note is written under: ``chapter 4``, ``block E08-E13``, ``category E11``."""

    level: str  # chapter, block, category, subcategory, code
    key: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.level} {self.key}"


@dataclass(frozen=True, slots=True)
class Note:
    kind: NoteKind
    text: str
    source: Source


@dataclass(frozen=True, slots=True)
class Child:
    code: str
    title: str
    billable: bool


@dataclass(frozen=True, slots=True)
class SeventhCharacters:
    values: tuple[tuple[str, str], ...]  # (character, meaning)
    source: Source | None  # None: read off the release's own 7-character codes
    placeholder: str | None  # "T36.0X1" - what comes before the 7th, X's included
    this_character: str | None  # the code's own 7th character, if it has one


@dataclass(frozen=True, slots=True)
class PcsAxis:
    position: int
    title: str
    values: tuple[tuple[str, str], ...]  # (character, label) the row allows


@dataclass(frozen=True, slots=True)
class PcsDetail:
    table: str
    table_title: str
    characters: tuple[PcsCharacter, ...]
    row: tuple[PcsAxis, ...]  # the row allowing the code (for a table header: every row)
    rows: int
    includes: tuple[tuple[int, str], ...] = ()  # (position, anatomy or device the value covers)


@dataclass(frozen=True, slots=True)
class HcpcsDetail:
    pricing_indicator: str | None
    coverage_code: str | None
    betos: str | None
    type_of_service: str | None
    action_code: str | None
    added: date | None
    action_effective: date | None
    terminated: date | None
    in_effect: bool


@dataclass(slots=True)
class CodeDetail:
    code: str
    system: CodeSystem
    release: str | None
    date: date
    title: str | None
    short_title: str | None
    billable: bool
    kind: str  # code, header, table, modifier
    path: list[Source] = field(default_factory=list)  # chapter first
    children: list[Child] = field(default_factory=list)
    children_total: int = 0
    notes: list[Note] = field(default_factory=list)
    seventh: SeventhCharacters | None = None
    pcs: PcsDetail | None = None
    hcpcs: HcpcsDetail | None = None
    replaced: list[str] = field(default_factory=list)  # conversion table: the codes it replaced
    messages: list[str] = field(default_factory=list)


# -- ICD-10-CM --------------------------------------------------------------------------------


def cm_detail(code: str, release: Release, artifact: Artifact, on: date) -> CodeDetail:
    row = artifact.code(code)
    if row is None:
        raise NotFound(f"{code} is not an ICD-10-CM code in {release.label}")
    detail = _base(row, release, on, CodeSystem.ICD10CM)
    chain = artifact.tabular_chain(code)
    detail.path = [_source(node, code) for node in reversed(chain)]
    if not artifact.has("tabular"):
        detail.messages.append(f"{release.version} was installed without its tabular list: no "
                               "instructional notes")
    detail.notes = _notes(chain, code)
    detail.seventh = _seventh(artifact, code, chain)
    detail.replaced = [previous for previous, _effective in artifact.replaced(code)]
    if not row.billable:
        _add_children(detail, artifact, code)
    return detail


def _source(node: TabularNode, code: str) -> Source:
    if node.kind in ("chapter", "block"):
        return Source(node.kind, node.key, node.title)
    if len(undotted(node.key)) == 3:
        return Source("category", node.key, node.title)
    return Source("code" if node.key == code else "subcategory", node.key, node.title)


def _notes(chain: list[TabularNode], code: str) -> list[Note]:
    notes: list[Note] = []
    for position, node in enumerate(chain):
        source = _source(node, code)
        for note in node.notes:
            if note.kind is NoteKind.INCLUSION_TERM and position > 0:
                continue  # inclusion terms describe their own entry only
            notes.append(Note(note.kind, note.text, source))
    order = {kind: index for index, kind in enumerate(NOTE_ORDER)}
    return sorted(notes, key=lambda note: order[note.kind])  # stable: code first, then upwards


def _seventh(artifact: Artifact, code: str, chain: list[TabularNode]) -> SeventhCharacters | None:
    rule: SeventhRule | None = seventh_rule(artifact, code)
    if rule is None:
        return None
    by_key = {node.key: node for node in chain}
    node = by_key.get(rule.source) if rule.source else None
    source = _source(node, code) if node else None
    raw = undotted(code)
    own = raw[-1] if len(raw) == SEVENTH_LENGTH else None
    return SeventhCharacters(values=tuple((item.character, item.meaning) for item in rule.characters),
                             source=source, placeholder=padded_base(code), this_character=own)


def _add_children(detail: CodeDetail, artifact: Artifact, code: str) -> None:
    rows = artifact.descendants(code, billable=True, limit=CHILDREN_SHOWN)
    detail.children = [Child(row.code, row.long_title, row.billable) for row in rows]
    detail.children_total = artifact.count_descendants(code, billable=True)


def _base(row: CodeRow, release: Release, on: date, system: CodeSystem) -> CodeDetail:
    return CodeDetail(code=row.code, system=system, release=release.version, date=on,
                      title=row.long_title or None, short_title=row.short_title,
                      billable=row.billable, kind="code" if row.billable else "header")


# -- ICD-10-PCS -------------------------------------------------------------------------------


def pcs_detail(code: str, release: Release, artifact: Artifact, on: date) -> CodeDetail:
    table = artifact.pcs_table(code[:3])
    row = artifact.code(code)
    if len(code) == 3:
        return _pcs_table_detail(code, release, artifact, on, table, row)
    if table is None:
        if row is None:
            raise NotFound(f"{code} is not an ICD-10-PCS code in {release.label}")
        detail = _base(row, release, on, CodeSystem.ICD10PCS)
        detail.messages.append(f"{release.version} has no ICD-10-PCS table {code[:3]} installed")
        return detail
    explanation = explain_code(code, {table.prefix: table})
    if not explanation.valid:
        raise NotFound(f"{code} is not an ICD-10-PCS code in {release.label}: "
                       f"{explanation.message}")
    detail = CodeDetail(code=code, system=CodeSystem.ICD10PCS, release=release.version, date=on,
                        title=row.long_title if row else None,
                        short_title=row.short_title if row else None, billable=True, kind="code")
    allowing = next(values for values in table.rows if all(
        any(value.value == character for value in axis) for axis, character in zip(values, code[3:])))
    detail.pcs = PcsDetail(
        table=table.prefix, table_title=_table_title(table), characters=explanation.characters,
        row=tuple(PcsAxis(position, table.axis_titles[position - 1],
                          tuple((value.value, value.label) for value in axis))
                  for position, axis in enumerate(allowing, start=4)),
        rows=len(table.rows), includes=_includes(artifact, code, explanation.characters))
    if row is None:
        detail.messages.append("valid by the tables; not in this release's order file")
    return detail


def _pcs_table_detail(code, release, artifact, on, table, row) -> CodeDetail:
    if table is None and row is None:
        raise NotFound(f"{code} is not an ICD-10-PCS table in {release.label}")
    detail = CodeDetail(code=code, system=CodeSystem.ICD10PCS, release=release.version, date=on,
                        title=row.long_title if row else _table_title(table), short_title=None,
                        billable=False, kind="table")
    if table is not None:
        axes = {}
        for values in table.rows:
            for position, axis in enumerate(values, start=4):
                for value in axis:
                    axes.setdefault(position, {}).setdefault(value.value, value.label)
        heads = (table.section, table.body_system, table.operation)
        detail.pcs = PcsDetail(
            table=table.prefix, table_title=_table_title(table),
            characters=tuple(PcsCharacter(value.position, table.axis_titles[value.position - 1],
                                          value.value, value.label, value.definition)
                             for value in heads),
            row=tuple(PcsAxis(position, table.axis_titles[position - 1],
                              tuple(sorted(values.items()))) for position, values in sorted(axes.items())),
            rows=len(table.rows))
    _add_children(detail, artifact, code)
    detail.messages.append("a table is not a code: a code takes one value of each of axes 4-7 "
                           "from one row")
    return detail


def _table_title(table) -> str:
    return f"{table.section.label}, {table.body_system.label}, {table.operation.label}"


def _includes(artifact: Artifact, code: str, characters) -> tuple[tuple[int, str], ...]:
    found = []
    for character in characters:
        if character.position >= 4:
            for item in artifact.pcs_includes(code[0], character.position, character.label):
                found.append((character.position, item))
    return tuple(found)


# -- HCPCS and CPT ----------------------------------------------------------------------------


def hcpcs_detail(code: str, release: Release, artifact: Artifact, on: date) -> CodeDetail:
    if len(code) == 2:
        modifier = artifact.modifier(code)
        if modifier is None:
            raise NotFound(f"{code} is not a HCPCS Level II modifier in {release.label}")
        return CodeDetail(code=code, system=CodeSystem.HCPCS, release=release.version, date=on,
                          title=modifier.title, short_title=None, billable=False, kind="modifier")
    record = artifact.hcpcs(code)
    if record is None:
        raise NotFound(f"{code} is not a HCPCS Level II code in {release.label}")
    in_effect = hcpcs_in_effect(record, on)
    detail = CodeDetail(code=code, system=CodeSystem.HCPCS, release=release.version, date=on,
                        title=record.long_title, short_title=record.short_title,
                        billable=in_effect, kind="code")
    detail.hcpcs = HcpcsDetail(record.pricing_indicator, record.coverage_code, record.betos,
                               record.type_of_service, record.action_code, record.added,
                               record.action_effective, record.terminated, in_effect)
    if problem := hcpcs_date_problem(record, on):
        detail.messages.append(problem)
    return detail


def hcpcs_in_effect(record: HcpcsCode, on: date) -> bool:
    return hcpcs_date_problem(record, on) is None


def hcpcs_date_problem(record: HcpcsCode, on: date) -> str | None:
    """Why a HCPCS code cannot be used on ``on`` (its termination date is its last day)."""
    if record.added and on < record.added:
        return f"{record.code} takes effect on {record.added.isoformat()}"
    if record.terminated and on > record.terminated:
        return f"{record.code} was terminated: its last day was {record.terminated.isoformat()}"
    return None


def cpt_detail(code: str, release: Release | None, artifact: Artifact | None, on: date
               ) -> CodeDetail:
    if not CPT_CODE.fullmatch(code):
        raise NotFound(f"{code} is not a CPT code ({CPT_FORMAT})")
    if release is None or artifact is None:
        detail = CodeDetail(code=code, system=CodeSystem.CPT, release=None, date=on, title=None,
                            short_title=None, billable=True, kind="code")
        detail.messages.append(f"CPT {cpt_category(code)} code, accepted by format: descriptors "
                               "appear only when a licensed CPT file is installed")
        return detail
    row = artifact.code(code)
    if row is None:
        raise NotFound(f"{code} is not in the licensed CPT file {release.label}")
    detail = _base(row, release, on, CodeSystem.CPT)
    detail.messages.append(f"CPT {cpt_category(code)} code")
    return detail


def detail_for(system: CodeSystem, code: str, release: Release, artifact: Artifact, on: date
               ) -> CodeDetail:
    readers = {CodeSystem.ICD10CM: cm_detail, CodeSystem.ICD10PCS: pcs_detail,
               CodeSystem.HCPCS: hcpcs_detail, CodeSystem.CPT: cpt_detail}
    return readers[system](code, release, artifact, on)


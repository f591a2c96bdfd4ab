"""Helpers shared by the ICD-10-CM readers: code forms, numbered text lines, files and zips.

Errors always name the place: a malformed input raises :class:`InvalidInput` with the file and
line (or field); a file that cannot be opened at all raises :class:`UnreadableInput`.
"""

from __future__ import annotations

import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from typing import BinaryIO, TextIO

from chartwell.errors import InvalidInput, Position, UnreadableInput

# A letter, then letters or digits (FY2026 brought the first category with a letter second: QA0).
RAW_CODE = re.compile(r"[A-Z][0-9A-Z]{2,6}")  # as in the CMS text files: E1140
DOTTED_CODE = re.compile(r"[A-Z][0-9A-Z]{2}(?:\.[0-9A-Z]{1,4})?")  # as coders write it: E11.40


def dotted(raw: str) -> str:
    """``E1140`` -> ``E11.40``; a 3-character category keeps no dot (``E11``)."""
    return raw if len(raw) <= 3 else f"{raw[:3]}.{raw[3:]}"


def undotted(code: str) -> str:
    """``E11.40`` -> ``E1140``."""
    return code.replace(".", "")


def source_name(stream: object, source: str | None) -> str | None:
    """The name errors use for a stream: the caller's ``source`` or the stream's own name."""
    if source is not None:
        return source
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) else None


def bad(message: str, source: str | None, line: int | None = None, field: str | None = None):
    """The :class:`InvalidInput` for a problem at ``source`` (file), ``line`` and ``field``."""
    return InvalidInput(message, Position(file=source, line=line, field=field))


def numbered_lines(stream: TextIO, source: str | None) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, line without its end)``; undecodable bytes name their line."""
    number = 0
    try:
        for number, line in enumerate(stream, start=1):  # noqa: B007 - used after the loop
            yield number, line.rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise bad(f"not UTF-8/ASCII text ({error.reason})", source, number + 1) from None


def open_text(path: str | PathLike[str]) -> TextIO:
    """Open a text file as UTF-8 keeping its line ends (``.xz`` decompressed on the fly)."""
    try:
        if str(path).endswith(".xz"):
            return lzma.open(path, "rt", encoding="utf-8", newline="")
        return open(path, encoding="utf-8", newline="")
    except OSError as error:
        raise _unreadable(path, error) from None


def open_binary(path: str | PathLike[str]) -> BinaryIO:
    """Open a file for an XML or zip reader (``.xz`` decompressed on the fly)."""
    try:
        return lzma.open(path, "rb") if str(path).endswith(".xz") else open(path, "rb")
    except OSError as error:
        raise _unreadable(path, error) from None


def _unreadable(path: str | PathLike[str], error: OSError) -> UnreadableInput:
    return UnreadableInput(f"cannot open ({error.strerror or error})", Position(file=str(path)))


@contextmanager
def decompression_errors(source: str | None) -> Iterator[None]:
    """Turn a corrupt or truncated ``.xz`` stream into :class:`InvalidInput`."""
    try:
        yield
    except (lzma.LZMAError, EOFError) as error:
        raise bad(f"compressed data is corrupt or truncated ({error})", source) from None


@contextmanager
def zip_member(path: str | PathLike[str], pattern: re.Pattern[str]) -> Iterator[tuple[TextIO, str]]:
    """Open the one member of a zip whose name matches ``pattern`` as UTF-8 text.

    Yields the stream and the name errors use for it: ``zip path!member``.
    """
    try:
        archive = zipfile.ZipFile(path)
    except OSError as error:
        raise _unreadable(path, error) from None
    except zipfile.BadZipFile as error:
        raise bad(f"not a zip file ({error})", str(path)) from None
    with archive:
        names = [name for name in archive.namelist() if pattern.search(name)]
        if len(names) != 1:
            found = ", ".join(names) or "none"
            raise bad(f"expected one member matching {pattern.pattern}, found {found}", str(path))
        name = f"{path}!{names[0]}"
        with io.TextIOWrapper(archive.open(names[0]), encoding="utf-8", newline="") as stream:
            try:
                yield stream, name
            except (zipfile.BadZipFile, EOFError, zlib.error) as error:
                raise bad(f"the zip member is corrupt or truncated ({error})", name) from None

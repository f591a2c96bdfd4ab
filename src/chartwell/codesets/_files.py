"""Opening the official code-set files and naming the place of a problem in them.

Shared by every loader in :mod:`chartwell.codesets`. Each loader reads a stream
(``read_x(stream, source=...)``); the helpers here open a path (a ``.xz`` copy is decompressed
on the fly, the form large files are kept in) or the one matching member of a CMS zip and hand
the stream over, streaming.

Errors always name the place: a malformed input raises :class:`InvalidInput` with the file and
line (or field); a file that cannot be opened at all raises :class:`UnreadableInput`.
"""

from __future__ import annotations

import csv
import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from os import PathLike
from typing import BinaryIO, TextIO, TypeVar

from chartwell.errors import InvalidInput, Position, UnreadableInput

T = TypeVar("T")


def source_name(stream: object, source: str | None) -> str | None:
    """The name errors use for a stream: the caller's ``source`` or the stream's own name."""
    if source is not None:
        return source
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) else None


def bad(message: str, source: str | None, line: int | None = None, field: str | None = None
        ) -> InvalidInput:
    """The :class:`InvalidInput` for a problem at ``source`` (file), ``line`` and ``field``."""
    return InvalidInput(message, Position(file=source, line=line, field=field))


# -- lines and rows ------------------------------------------------------------------------


def numbered_lines(stream: TextIO, source: str | None) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, line without its end)``; undecodable bytes name their line."""
    number = 0
    try:
        for number, line in enumerate(stream, start=1):  # noqa: B007 - used after the loop
            yield number, line.rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise _undecodable(stream, error, source, number + 1) from None


def csv_rows(stream: TextIO, source: str | None) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, cells)`` for each CSV record, the number of the line it ends on;
    malformed CSV and undecodable bytes name their line."""
    reader = csv.reader(stream)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as error:
        raise bad(f"not valid CSV ({error})", source, reader.line_num) from None
    except UnicodeDecodeError as error:
        raise _undecodable(stream, error, source, reader.line_num + 1) from None


def _undecodable(stream: TextIO, error: UnicodeDecodeError, source: str | None, line: int
                 ) -> InvalidInput:
    # A text stream decodes ahead in blocks: the bad bytes are on this line or a later one.
    encoding = (getattr(stream, "encoding", None) or "decodable").upper()  # UTF-8, CP1252
    return bad(f"not {encoding} text at or after this line ({error.reason})", source, line)


# -- files, .xz copies and zip members -----------------------------------------------------


def open_text(path: str | PathLike[str], *, encoding: str = "utf-8") -> TextIO:
    """Open a text file keeping its line ends (``.xz`` decompressed on the fly)."""
    try:
        if str(path).endswith(".xz"):
            return lzma.open(path, "rt", encoding=encoding, newline="")
        return open(path, encoding=encoding, newline="")
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


# -- a stream reader applied to a path -----------------------------------------------------


def read_text_file(read: Callable[..., Iterator[T]], path: str | PathLike[str], *,
                   encoding: str = "utf-8") -> Iterator[T]:
    """``read(stream, source=path)`` on a text file (or its ``.xz`` copy)."""
    with open_text(path, encoding=encoding) as stream, decompression_errors(str(path)):
        yield from read(stream, source=str(path))


def read_binary_file(read: Callable[..., Iterator[T]], path: str | PathLike[str]) -> Iterator[T]:
    """``read(stream, source=path)`` on a binary (XML) file (or its ``.xz`` copy)."""
    with open_binary(path) as stream, decompression_errors(str(path)):
        yield from read(stream, source=str(path))


def read_zip_member(read: Callable[..., Iterator[T]], path: str | PathLike[str],
                    pattern: re.Pattern[str]) -> Iterator[T]:
    """``read(stream, source="zip path!member")`` on the one member matching ``pattern``."""
    with zip_member(path, pattern) as (stream, name):
        yield from read(stream, source=name)

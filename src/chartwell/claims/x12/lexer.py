"""The X12 lexer: the delimiters from the ISA, then the segments, each with its position.

An interchange announces its own delimiters: the ISA segment is fixed-width (106 characters), its
4th character is the element separator, ISA11 the repetition separator (5010; "U" in 4010, which
had none), ISA16 the component separator, and the character after ISA16 ends every segment.
Line breaks after a segment terminator are tolerated (many senders wrap lines).

Segment positions are 1-based and count from the ISA, the way the 999 (AK2/IK3) and every
validator's message number them within the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from chartwell.errors import InvalidInput, Position, UnreadableInput

ISA_LENGTH = 106
_LINE_BREAKS = "\r\n"
_BLANK_START = frozenset(" \t\r\n")  # "" is handled by the emptiness check


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str
    component: str
    repetition: str | None  # None in 4010 (ISA11 was the interchange standards identifier "U")
    segment: str


@dataclass(slots=True)
class Segment:
    index: int  # 1-based position in the file, the ISA being 1
    id: str
    elements: list[str]  # raw values: elements[0] is element 01 (components not split)

    def element(self, position: int, component: int | None = None,
                delimiters: Delimiters | None = None) -> str:
        """Element ``position`` (1-based), or one of its components (1-based, needs the
        delimiters); "" when absent."""
        if position > len(self.elements):
            return ""
        value = self.elements[position - 1]
        if component is None:
            return value
        parts = value.split(delimiters.component) if delimiters else [value]
        return parts[component - 1] if component <= len(parts) else ""


def _decode(data: bytes | str, source: str | None) -> str:
    if isinstance(data, str):
        return data
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte-order mark, even when the rest is not UTF-8
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        # X12's character sets are subsets of ASCII; Latin-1 reads any byte, and the validator
        # reports the characters outside the set where they are.
        if b"\x00" in data[: error.start + 1]:
            raise UnreadableInput("not an X12 file (binary content)", Position(file=source)) from None
        return data.decode("latin-1")


def delimiters_of(text: str, source: str | None = None) -> tuple[Delimiters, int]:
    """The interchange's delimiters and where its ISA starts (after a byte-order mark or blank
    lines). Anything that is not an ISA at the start is unreadable: we cannot know where the
    segments end."""
    start = 0
    while start < len(text) and (text[start] in " \t\r\n\ufeff"):
        start += 1
    if not text.startswith("ISA", start):
        raise UnreadableInput("not an X12 interchange: it does not begin with an ISA segment",
                              Position(file=source, segment=1))
    element = text[start + 3:start + 4]
    if not element or element.isalnum() or element in " \r\n":
        raise UnreadableInput(f"unusable element separator {element!r} in ISA",
                              Position(file=source, segment=1))
    # The ISA is fixed-width (106 characters), but senders that trim its padding exist: find
    # the 16th element separator instead of trusting the width; the validator reports the width.
    fields = text[start:start + ISA_LENGTH + 100].split(element, 16)
    if len(fields) != 17 or len(fields[16]) < 2:
        raise UnreadableInput("truncated ISA segment: its 16 elements and the segment terminator "
                              "after them cannot be read", Position(file=source, segment=1))
    component, segment = fields[16][0], fields[16][1]
    repetition = fields[11] if fields[11] != "U" and not fields[11].isalnum() else None
    if repetition is not None and repetition in (component, element, segment):
        # some senders put the component separator in ISA11 too (both "^"): read it as "no
        # repetition separator" rather than refuse the file
        repetition = None
    chosen = [element, component, segment] + ([repetition] if repetition else [])
    if len(set(chosen)) != len(chosen) or segment.isalnum() or component.isalnum():
        raise UnreadableInput(f"ISA delimiters are not distinct non-alphanumeric characters "
                              f"(element {element!r}, component {component!r}, segment "
                              f"{segment!r}, repetition {repetition!r})",
                              Position(file=source, segment=1))
    return Delimiters(element, component, repetition, segment), start


def read_segments(data: bytes | str, source: str | None = None) -> tuple[Delimiters, list[Segment]]:
    """Every segment of the file, in order, with its 1-based position. Raises
    :class:`UnreadableInput` when the file is not an interchange at all and
    :class:`InvalidInput` for a segment without an id; everything else (wrong counts, unknown
    segments) is for the validator to report."""
    delimiters, segments, _ = lex(data, source)
    return delimiters, segments


def lex(data: bytes | str, source: str | None = None, strict: bool = True
        ) -> tuple[Delimiters, list[Segment], list[tuple[int, str, str, str]]]:
    """:func:`read_segments`, plus what the lexer tolerated but a validator reports:
    ``(segment index, segment id, message, kind)`` (kind as in the validator's X12Error) for a
    segment indented with spaces or tabs, for a last segment without its terminator, for
    trailing element separators; not ``strict``, a segment without a valid id is a note too
    (and kept, its id as written, so that the walker goes on past it)."""
    text = _decode(data, source)
    delimiters, start = delimiters_of(text, source)
    element_separator = delimiters.element
    body = text[start:]
    pieces = body.split(delimiters.segment)
    unterminated = bool(pieces[-1].strip(" \t\r\n\x00\x1a"))
    fast = _lex_regular(body, delimiters.segment, element_separator)
    if fast is not None:
        segments = fast
        notes: list[tuple[int, str, str, str]] = []
        if unterminated and segments:
            notes.append(_unterminated(segments[-1]))
        return delimiters, segments, notes
    segments = []
    notes = []
    append = segments.append
    valid_ids: set[str] = set()
    for raw in pieces:
        if raw[:1] in _BLANK_START:
            raw = raw.lstrip("\r\n")
            if raw[:1] in " \t" and raw.strip():
                raw = raw.lstrip(" \t\r\n")
                notes.append((len(segments) + 1, raw.split(element_separator, 1)[0][:3],
                              "segment begins with spaces or tabs (indentation is not X12)",
                              "element"))
        if raw[-1:] in _LINE_BREAKS:
            raw = raw.rstrip(_LINE_BREAKS)
        if not raw:
            continue
        parts = raw.split(element_separator)
        segment_id = parts[0]
        index = len(segments) + 1
        if segment_id not in valid_ids and (not segment_id or not segment_id.isalnum()
                                            or len(segment_id) > 3):
            if not raw.strip(" \t\r\n\x00\x1a"):
                continue  # trailing padding after the last segment
            shown = _shown_id(segment_id)
            message = _bad_id_message(shown)
            if not strict:
                notes.append((index, shown, message, "structure"))
                append(Segment(index, shown, parts[1:]))
                continue
            raise InvalidInput(f"{message} (after segment "
                               f"{segments[-1].id if segments else 'none'} {index - 1})",
                               Position(file=source, segment=index))
        valid_ids.add(segment_id)
        if parts[-1] == "" and len(parts) > 1:
            notes.append((index, segment_id, f"segment {segment_id} ends with empty elements "
                                             f"(trailing element separators, X12.6 3.7)",
                          "element"))
        append(Segment(index, segment_id, parts[1:]))
    if unterminated and segments:
        notes.append(_unterminated(segments[-1]))
    return delimiters, segments, notes


def _shown_id(segment_id: str) -> str:
    """A bad segment id as written (``PLXX``), when it reads as an id mistyped; what does not
    (text where an id should be: the delimiters went wrong, and it may be patient data) is cut
    to 3 characters."""
    if segment_id.isascii() and segment_id.isalnum() and len(segment_id) <= 10:
        return segment_id
    return segment_id[:3]


def _bad_id_message(shown: str) -> str:
    if shown and shown.isascii() and shown.isalnum():
        return f"segment id {shown!r} is not a valid segment id (2 or 3 letters and digits)"
    return "segment has no valid segment id (2 or 3 letters and digits)"


def _unterminated(last: Segment) -> tuple[int, str, str, str]:
    return (last.index, last.id, f"segment {last.id} has no segment terminator "
                                 f"(the file may be truncated)", "structure")


def _lex_regular(body: str, terminator: str, element_separator: str) -> list[Segment] | None:
    """The segments of a file with nothing for the lexer to note -- every id 2 or 3 letters and
    digits, no indentation, no trailing element separators, line breaks (if any) only right
    after segment terminators -- in a few passes that each run in C (str.replace, str.split,
    list comprehensions); None when the file needs the segment-by-segment reading of
    :func:`lex` (which notes what it finds)."""
    if "\n" in body or "\r" in body:
        for line_break in ("\r\n", "\n", "\r"):
            body = body.replace(terminator + line_break, terminator)
        if "\n" in body or "\r" in body:
            return None
    pieces = body.split(terminator)
    if element_separator + terminator in body or pieces[-1].endswith(element_separator):
        return None  # trailing element separators
    splits = [piece.split(element_separator) for piece in pieces if piece]
    for segment_id in {parts[0] for parts in splits}:
        if not (segment_id.isalnum() and 2 <= len(segment_id) <= 3):
            return None
    return [Segment(index, parts[0], parts[1:]) for index, parts in enumerate(splits, 1)]

"""Validate a 5010 interchange: its envelope, then every transaction set against its guide.

What is checked, and where it comes from:

- the envelope (ASC X12.5 / X12.6, the TR3s' appendix B): the ISA's fixed width and element
  sizes, ISA13 = IEA02, IEA01 = the number of functional groups, GS06 = GE02, GE01 = the number
  of transaction sets, ST02 = SE02, SE01 = the segments from ST to SE, control numbers unique,
  ST03 = GS08;
- the loops (the TR3's section 2.3 transaction set listing): segment order, loops by trigger and
  qualifier, required segments and loops, maximum use and repeat, segments not expected or not
  in the guide, HL01 numbering and HL02 parents;
- the elements (the TR3's segment pages and X12.6 data types): too many elements, required
  element missing, not-used element present, data types (N0/N2 numbers, R decimals, DT dates
  that exist, TM times), minimum and maximum lengths, ID code values, composites, and the
  syntax notes P/R/C/E/L.

Each error names the segment by its 1-based position in the file (the ISA is 1), its id, its
loop and, where there is one, the element ("NM109", "CLM05-1"); never the value when it could be
patient data (code values of ID elements are not).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

from chartwell.claims.x12.guide import AN, DT, ID, N0, N2, RN, TM, N, R, Element, SegmentRule

# -- compiled element checks ------------------------------------------------------------------

_DECIMAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")
_DATES: dict[str, bool] = {}


def _is_date(value: str) -> bool:
    """CCYYMMDD (or YYMMDD in the ISA): a date that exists."""
    known = _DATES.get(value)
    if known is not None:
        return known
    valid = False
    if value.isdigit() and len(value) in (6, 8):
        if len(value) == 8:
            year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
        else:
            year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
        try:
            date(year, month, day)
            valid = True
        except ValueError:
            valid = False
    if len(_DATES) < 200_000:
        _DATES[value] = valid
    return valid


def _is_time(value: str) -> bool:
    """HHMM, HHMMSS, HHMMSSd, HHMMSSdd (X12.6 TM)."""
    if not value.isdigit() or len(value) not in (4, 6, 7, 8):
        return False
    if int(value[:2]) > 23 or int(value[2:4]) > 59:
        return False
    return len(value) == 4 or int(value[4:6]) <= 59


def _is_whole(value: str) -> bool:
    return (value[1:] if value[0] == "-" else value).isdigit()


def _digits(value: str) -> int:
    """The length X12 counts for a number: without its sign and decimal point."""
    return len(value) - value.count("-") - value.count(".")


_NAMESPACE = {"_is_date": _is_date, "_is_time": _is_time, "_is_whole": _is_whole,
              "_decimal": _DECIMAL.fullmatch, "_digits": _digits}


def _value_checks(ref: str, element: Element, var: str, lines: list[str], indent: str,
                  constants: dict) -> None:
    """Lines checking one present (non-empty) simple value held in ``var``."""
    data_type, low, high = element.data_type, element.min_length, element.max_length
    length_message = f"{ref} has a length outside {low} to {high}"
    if data_type == ID and element.codes:
        name = f"_codes{len(constants)}"
        constants[name] = element.codes
        lines.append(f"{indent}if {var} not in {name}: out.append(({ref!r}, "
                     f"{ref!r} + ' code ' + repr({var}[:8]) + ' is not one this guide allows here'))")
        return
    if data_type in (N0, N2):
        lines.append(f"{indent}if not _is_whole({var}): out.append(({ref!r}, "
                     f"'{ref} must be a whole number (type {data_type})'))")
        lines.append(f"{indent}elif not {low} <= len({var}) - ({var}[0] == '-') <= {high}: "
                     f"out.append(({ref!r}, {length_message!r}))")
    elif data_type == RN:
        lines.append(f"{indent}if _decimal({var}) is None: out.append(({ref!r}, "
                     f"'{ref} must be a decimal number (type R)'))")
        lines.append(f"{indent}elif not {low} <= _digits({var}) <= {high}: "
                     f"out.append(({ref!r}, {length_message!r}))")
    elif data_type == DT:
        lines.append(f"{indent}if not {low} <= len({var}) <= {high} or not _is_date({var}): "
                     f"out.append(({ref!r}, '{ref} is not a valid date (CCYYMMDD)'))")
    elif data_type == TM:
        lines.append(f"{indent}if not {low} <= len({var}) <= {high} or not _is_time({var}): "
                     f"out.append(({ref!r}, '{ref} is not a valid time (HHMM[SS[d..]])'))")
    elif data_type in (AN, ID):
        lines.append(f"{indent}if not {low} <= len({var}) <= {high}: "
                     f"out.append(({ref!r}, {length_message!r}))")


def _element_checks(ref: str, element: Element, source: str, lines: list[str], indent: str,
                    constants: dict, depth: int) -> None:
    """Lines checking element (or component) ``element`` whose raw text is the expression
    ``source`` (may be "")."""
    var = f"v{depth}"
    lines.append(f"{indent}{var} = {source}")
    if element.usage == N:
        lines.append(f"{indent}if {var}: out.append(({ref!r}, "
                     f"'{ref} is not used in this guide but is present'))")
        return
    if element.usage == R:
        lines.append(f"{indent}if not {var}: out.append(({ref!r}, 'required element {ref} is missing'))")
        lines.append(f"{indent}else:")
    else:
        lines.append(f"{indent}if {var}:")
    inner = indent + "    "
    if element.repeat > 1:
        lines.append(f"{inner}for {var} in ({var}.split(r) if r else ({var},)):")
        inner += "    "
    if element.is_composite:
        parts = f"p{depth}"
        count = len(element.components)
        lines.append(f"{inner}{parts} = {var}.split(c)")
        lines.append(f"{inner}m{depth} = len({parts})")
        lines.append(f"{inner}if m{depth} > {count}: out.append(({ref!r}, "
                     f"'{ref} has more components than the guide defines ({count})'))")
        for number, component in enumerate(element.components, 1):
            _element_checks(f"{ref}-{number}", component,
                            f"{parts}[{number - 1}] if m{depth} > {number - 1} else ''",
                            lines, inner, constants, depth + 1)
    else:
        _value_checks(ref, element, var, lines, inner, constants)


_SYNTAX = {
    "P": ("all or none of {names} must be present",
          "any(s) and not all(s)"),
    "R": ("at least one of {names} is required", "not any(s)"),
    "C": ("when {first} is present, {rest} must be too", "s[0] and not all(s[1:])"),
    "E": ("only one of {names} may be present", "sum(s) > 1"),
    "L": ("when {first} is present, at least one of {rest} must be too", "s[0] and not any(s[1:])"),
}


def segment_checker(rule: SegmentRule):
    """A function ``check(elements, component_separator, repetition_separator)`` for this
    segment rule, generated as Python source so that checking a segment is one call with the
    element rules inlined; it returns [(element, message), ...] (empty when the segment is
    right)."""
    lines = ["def check(e, c, r):", "    out = []", "    n = len(e)"]
    constants: dict = {}
    count = len(rule.elements)
    segment_id = rule.id
    lines.append(f"    if n > {count}: out.append((None, 'segment {segment_id} has more elements than "
                 f"the guide defines ({count})'))")
    for position, element in enumerate(rule.elements, 1):
        ref = f"{segment_id}{position:02d}"
        if element.usage == N and not element.is_composite:
            lines.append(f"    if n >= {position} and e[{position - 1}]: out.append(({ref!r}, "
                         f"'{ref} is not used in this guide but is present'))")
            continue
        _element_checks(ref, element, f"e[{position - 1}] if n >= {position} else ''",
                        lines, "    ", constants, 0)
    for syntax in rule.syntax:
        message, condition = _SYNTAX[syntax.kind]
        names = [f"{segment_id}{position:02d}" for position in syntax.positions]
        text = message.format(names=", ".join(names), first=names[0], rest=", ".join(names[1:]))
        present = ", ".join(f"(n >= {position} and e[{position - 1}] != '')"
                            for position in syntax.positions)
        lines.append(f"    s = ({present},)")
        lines.append(f"    if {condition}: out.append(({names[0]!r}, {text!r}))")
    lines.append("    return out")
    namespace = dict(_NAMESPACE)
    namespace.update(constants)
    exec("\n".join(lines), namespace)  # noqa: S102 -- our own guide data, compiled once
    return namespace["check"]


# -- the report --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class X12Error:
    """One deviation, named by where it is (never by a value that could be patient data)."""

    segment_index: int  # 1-based position in the file, the ISA being 1
    segment_id: str
    loop: str | None  # "2010AA", "ISA", "GS", "ST_LOOP"...
    message: str
    element: str | None = None  # "NM109", "CLM05-1"
    transaction: str | None = None  # ST02 of the transaction set it is in


@dataclass(slots=True)
class ValidationReport:
    """The answer of :func:`validate`; ``to_json()`` is the ``chartwell x12 validate --json``
    document."""

    source: str | None
    errors: list[X12Error] = field(default_factory=list)
    transactions: list[dict] = field(default_factory=list)
    segments: int = 0

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_json(self) -> dict:
        return {"valid": self.valid, "file": self.source, "segments": self.segments,
                "transactions": self.transactions,
                "errors": [asdict(error) for error in self.errors]}


def validate(data: bytes | str, source: str | None = None) -> ValidationReport:
    """Validate a whole file (one or more interchanges). Raises
    :class:`chartwell.errors.UnreadableInput` only when no interchange can be found at all (no
    ISA, or delimiters that cannot be determined); every other problem is an error in the
    report."""
    from chartwell.claims.x12.reader import parse

    return parse(data, source, validate=True).report

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

from dataclasses import asdict, dataclass, field
from datetime import date

from chartwell.claims.x12.guide import AN, DT, ID, N0, N2, RN, TM, N, R, Element, SegmentRule

# -- compiled element checks ------------------------------------------------------------------

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


_NAMESPACE = {"_is_date": _is_date, "_is_time": _is_time, "_is_whole": _is_whole,
              "_known_date": _DATES.get}


def _value_checks(ref: str, element: Element, var: str, lines: list[str], indent: str,
                  constants: dict) -> None:
    """Lines checking one present (non-empty) simple value held in ``var``. The usual value
    (digits only, a date seen before) takes the shortest path."""
    data_type, low, high = element.data_type, element.min_length, element.max_length
    length_message = f"{ref} has a length outside {low} to {high}"
    length_error = f"out.append(({ref!r}, {length_message!r}))"
    if data_type == ID and element.codes:
        name = f"_codes{len(constants)}"
        constants[name] = element.codes
        lines.append(f"{indent}if {var} not in {name}: out.append(({ref!r}, "
                     f"{ref!r} + ' code ' + repr({var}[:8]) + ' is not one this guide allows here'))")
        return
    if data_type in (N0, N2):
        lines.append(f"{indent}if {var}.isdigit():")
        lines.append(f"{indent}    if not {low} <= len({var}) <= {high}: {length_error}")
        lines.append(f"{indent}elif not _is_whole({var}): out.append(({ref!r}, "
                     f"'{ref} must be a whole number (type {data_type})'))")
        lines.append(f"{indent}elif not {low} <= len({var}) - ({var}[0] == '-') <= {high}: "
                     f"{length_error}")
    elif data_type == RN:
        # digits, at most one decimal point, a leading minus (X12.6 R); its length counts the
        # digits only
        digits = "w" + var[1:]
        lines.append(f"{indent}if {var}.isdecimal():")
        lines.append(f"{indent}    if not {low} <= len({var}) <= {high}: {length_error}")
        lines.append(f"{indent}else:")
        lines.append(f"{indent}    {digits} = ({var}[1:] if {var}[0] == '-' else {var})"
                     f".replace('.', '', 1)")
        lines.append(f"{indent}    if not {digits}.isdecimal(): out.append(({ref!r}, "
                     f"'{ref} must be a decimal number (type R)'))")
        lines.append(f"{indent}    elif not {low} <= len({digits}) <= {high}: {length_error}")
    elif data_type == DT:
        lines.append(f"{indent}if not {low} <= len({var}) <= {high} or not (_known_date({var}) "
                     f"or _is_date({var})): out.append(({ref!r}, '{ref} is not a valid date "
                     f"(CCYYMMDD)'))")
    elif data_type == TM:
        lines.append(f"{indent}if not {low} <= len({var}) <= {high} or not _is_time({var}): "
                     f"out.append(({ref!r}, '{ref} is not a valid time (HHMM[SS[d..]])'))")
    elif data_type in (AN, ID):
        lines.append(f"{indent}if not {low} <= len({var}) <= {high}: {length_error}")


def _padding(count: int, constants: dict) -> str:
    """The name of a constant: for each length below ``count``, the empty values that make a
    list of that length ``count`` long (so that the checks index it without a bounds test)."""
    name = f"_pad{count}"
    constants[name] = tuple([""] * (count - length) for length in range(count + 1))
    return name


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
        pad = _padding(count, constants)
        lines.append(f"{inner}{parts} = {var}.split(c)")
        lines.append(f"{inner}m{depth} = len({parts})")
        lines.append(f"{inner}if m{depth} < {count}: {parts} = {parts} + {pad}[m{depth}]")
        lines.append(f"{inner}elif m{depth} > {count}: out.append(({ref!r}, "
                     f"'{ref} has more components than the guide defines ({count})'))")
        for number, component in enumerate(element.components, 1):
            _element_checks(f"{ref}-{number}", component, f"{parts}[{number - 1}]",
                            lines, inner, constants, depth + 1)
    else:
        _value_checks(ref, element, var, lines, inner, constants)


_SYNTAX = {  # message, and the condition over the elements' values (non-empty: present)
    "P": ("all or none of {names} must be present", "({any}) and not ({all})"),
    "R": ("at least one of {names} is required", "not ({any})"),
    "C": ("when {first} is present, {rest} must be too", "{first_value} and not ({rest_all})"),
    "E": ("only one of {names} may be present", "{count} > 1"),
    "L": ("when {first} is present, at least one of {rest} must be too",
          "{first_value} and not ({rest_any})"),
}


def _syntax_check(segment_id: str, kind: str, positions: tuple[int, ...], count: int) -> list[str]:
    message, condition = _SYNTAX[kind]
    names = [f"{segment_id}{position:02d}" for position in positions]
    text = message.format(names=", ".join(names), first=names[0], rest=", ".join(names[1:]))
    values = [f"e[{position - 1}]" if position <= count else f"(n >= {position} and e[{position - 1}])"
              for position in positions]
    test = condition.format(any=" or ".join(values), all=" and ".join(values),
                            first_value=values[0], rest_all=" and ".join(values[1:]),
                            rest_any=" or ".join(values[1:]),
                            count=" + ".join(f"(not not {value})" for value in values))
    return [f"    if {test}: out.append(({names[0]!r}, {text!r}))"]


def segment_checker(rule: SegmentRule):
    """A function ``check(elements, component_separator, repetition_separator)`` for this
    segment rule, generated as Python source so that checking a segment is one call with the
    element rules inlined; it returns [(element, message), ...] (empty when the segment is
    right). The elements are padded to the guide's count first, so that the checks read them
    without a bounds test; not-used elements at the end are looked at only when present."""
    lines = ["def check(e, c, r):", "    out = []", "    n = len(e)"]
    constants: dict = {}
    count = len(rule.elements)
    segment_id = rule.id
    if count:
        pad = _padding(count, constants)
        lines.append(f"    if n < {count}: e = e + {pad}[n]")
        lines.append(f"    elif n > {count}: out.append((None, 'segment {segment_id} has more "
                     f"elements than the guide defines ({count})'))")
    else:
        lines.append(f"    if n: out.append((None, 'segment {segment_id} has more elements than "
                     f"the guide defines (0)'))")
    tail = count  # the not-used simple elements at the end start after this position
    while tail and rule.elements[tail - 1].usage == N and not rule.elements[tail - 1].is_composite:
        tail -= 1
    for position, element in enumerate(rule.elements[:tail], 1):
        ref = f"{segment_id}{position:02d}"
        if element.usage == N and not element.is_composite:
            lines.append(f"    if e[{position - 1}]: out.append(({ref!r}, "
                         f"'{ref} is not used in this guide but is present'))")
            continue
        _element_checks(ref, element, f"e[{position - 1}]", lines, "    ", constants, 0)
    if tail < count:
        lines.append(f"    if n > {tail}:")
        for position in range(tail + 1, count + 1):
            ref = f"{segment_id}{position:02d}"
            lines.append(f"        if e[{position - 1}]: out.append(({ref!r}, "
                         f"'{ref} is not used in this guide but is present'))")
    for syntax in rule.syntax:
        lines.extend(_syntax_check(segment_id, syntax.kind, syntax.positions, count))
    lines.append("    return out")
    namespace = dict(_NAMESPACE)
    namespace.update(constants)
    exec("\n".join(lines), namespace)  # noqa: S102 -- our own guide data, compiled once
    return namespace["check"]


# -- the report --------------------------------------------------------------------------------

ENVELOPE, STRUCTURE, MISSING, ELEMENT = "envelope", "structure", "missing", "element"
STRUCTURAL_KINDS = frozenset({ENVELOPE, STRUCTURE})

@dataclass(frozen=True, slots=True)
class X12Error:
    """One deviation, named by where it is (never by a value that could be patient data)."""

    segment_index: int  # 1-based position in the file, the ISA being 1
    segment_id: str
    loop: str | None  # "2010AA", "ISA", "GS", "ST_LOOP"...
    message: str
    element: str | None = None  # "NM109", "CLM05-1"
    transaction: str | None = None  # ST02 of the transaction set it is in
    # What kind of deviation, for consumers that must not read the message's wording:
    # "envelope": ISA/GS/ST/SE/GE/IEA -- counts, control numbers, the ISA's width and elements,
    #   GS01/GS08/ST03 against the guide, any element of an envelope segment;
    # "structure": a segment or loop unexpected, out of order, repeated too often, not in the
    #   guide, unreadable (no valid id), HL/LX numbering, a file truncated mid-segment;
    # "missing": a required segment or loop absent (what was read is still where it belongs:
    #   a payer's missing PER*BL misplaces nothing);
    # "element": the content of a segment that was read and placed -- data type, length, code
    #   value, composite, not-used element, too many elements, syntax notes, and the segment
    #   text the lexer read through (indentation, trailing element separators).
    kind: str = STRUCTURE


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

    @property
    def structural_errors(self) -> list[X12Error]:
        """The envelope and structure errors: those after which the file cannot be trusted to
        have been read as its sender meant (the 835 posting refuses a file on these only; a
        missing required segment is not one of them)."""
        return [error for error in self.errors if error.kind in STRUCTURAL_KINDS]

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

    return parse(data, source, validate=True, tree=False).report

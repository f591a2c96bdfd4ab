"""Read a 5010 file into interchanges, functional groups and transaction sets, each transaction
set a tree of loops (:class:`~chartwell.claims.x12.walker.LoopNode`) as its guide draws them.

This is the API the 837/835/999/277CA readers build on::

    interchange = read_interchange(path.read_bytes(), source=str(path))
    for transaction in interchange.transactions:          # every ST..SE, all groups
        for claim in transaction.root.find_all("2300"):   # 2300 under 2000B or 2000C
            clm = claim.first("CLM")
            clm.element(1)                                 # patient control number
            claim.first("DTP", "431")                      # onset of current illness

Reading is forgiving (a segment the guide does not expect stays in the loop where it was found);
:func:`chartwell.claims.x12.validator.validate` reports what is wrong. The same walk does both.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chartwell.bulk import gc_paused
from chartwell.claims.x12.guides import envelope
from chartwell.claims.x12.lexer import Delimiters, Segment, lex
from chartwell.claims.x12.registry import guide_for
from chartwell.claims.x12.walker import LoopNode, walk
from chartwell.errors import InvalidInput, Position, UnreadableInput

if TYPE_CHECKING:  # the validator imports this module
    from chartwell.claims.x12.validator import X12Error

__all__ = ["Interchange", "Group", "Transaction", "LoopNode", "read_interchange",
           "read_interchanges", "parse"]


@dataclass(slots=True, eq=False)
class Transaction:
    """One transaction set (ST..SE)."""

    id: str  # ST01: "837"
    control_number: str  # ST02
    version: str  # GS08 of its group (ST03 where the group has none)
    guide: str | None  # the version of the guide it was read with, None when we have none
    root: LoopNode  # loop "ST_LOOP": ST, BHT..., the loops, SE
    note: str | None = None  # e.g. "read with the 005010X222A1 guide (the file says 005010X222)"
    segment_index: int = 0  # the ST's position in the file (1-based)
    segment_count: int = 0  # segments from ST to SE (or to where the set ends)

    @property
    def implementation_reference(self) -> str:
        """ST03 (5010: the guide version, the same as GS08)."""
        return self.root.segments[0].element(3) if self.root.segments else ""


@dataclass(slots=True, eq=False)
class Group:
    """A functional group (GS..GE)."""

    functional_id: str  # GS01: HC, HP, FA, HN, HR, HS, HB
    sender: str  # GS02
    receiver: str  # GS03
    date: str  # GS04 CCYYMMDD
    time: str  # GS05
    control_number: str  # GS06
    version: str  # GS08
    transactions: list[Transaction] = field(default_factory=list)
    segment_index: int = 0


@dataclass(slots=True, eq=False)
class Interchange:
    """An interchange (ISA..IEA): who sent it to whom, when, and its groups."""

    delimiters: Delimiters
    sender_qualifier: str  # ISA05
    sender_id: str  # ISA06, padding removed
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08, padding removed
    date: str  # ISA09 YYMMDD
    time: str  # ISA10 HHMM
    control_number: str  # ISA13
    version: str  # ISA12: 00501
    usage: str  # ISA15: P production, T test
    groups: list[Group] = field(default_factory=list)
    segment_index: int = 1
    source: str | None = None

    @property
    def transactions(self) -> list[Transaction]:
        """Every transaction set of every group, in file order."""
        return [transaction for group in self.groups for transaction in group.transactions]


@dataclass(slots=True)
class Parsed:
    interchanges: list[Interchange]
    report: object  # ValidationReport when validating, else None


def read_interchanges(data: bytes | str, source: str | None = None) -> list[Interchange]:
    """Every interchange in the file (most files hold one). Raises
    :class:`~chartwell.errors.UnreadableInput` when the file is not X12 at all."""
    return parse(data, source, validate=False).interchanges


def read_interchange(data: bytes | str, source: str | None = None) -> Interchange:
    """The file's (first) interchange; a file of several is read whole by
    :func:`read_interchanges`."""
    interchanges = read_interchanges(data, source)
    if not interchanges:
        raise UnreadableInput("no interchange (ISA) in the file", Position(file=source))
    return interchanges[0]


# -- the envelope walk --------------------------------------------------------------------------

_ENVELOPE_IDS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
_ENVELOPE_CHECKS: dict[str, object] = {}


def _envelope_check(segment_id: str):
    if not _ENVELOPE_CHECKS:
        from chartwell.claims.x12.validator import segment_checker

        for rule in (envelope.ISA, envelope.IEA, envelope.GS, envelope.GE, envelope.TA1):
            _ENVELOPE_CHECKS[rule.id] = segment_checker(rule)
    return _ENVELOPE_CHECKS[segment_id]


def parse(data: bytes | str, source: str | None = None, validate: bool = True,
          tree: bool = True) -> Parsed:
    """Read (and, with ``validate``, check) the whole file: the one walk behind
    :func:`read_interchanges` and :func:`chartwell.claims.x12.validator.validate`. Without
    ``tree`` the transaction sets' loop trees are not kept (their roots hold the ST only):
    validating needs the walk, not the tree."""
    with gc_paused(True):  # one Segment and element list per segment, kept: no cycles
        return _parse(data, source, validate, tree)


def _parse(data: bytes | str, source: str | None, validate: bool, tree: bool) -> Parsed:
    from chartwell.claims.x12.validator import ValidationReport, X12Error

    report = ValidationReport(source) if validate else None
    try:
        delimiters, segments, notes = lex(data, source, strict=report is None)
    except InvalidInput as error:
        if report is None:
            raise
        index = error.position.segment if error.position else 0
        report.errors.append(X12Error(index or 0, "", None, error.message, kind="structure"))
        return Parsed([], report)
    state = _EnvelopeWalk(delimiters, segments, source, report, X12Error, tree)
    state.run()
    if report is not None:
        report.segments = len(segments)
        report.errors.extend(X12Error(index, segment_id, None, message, kind=kind)
                             for index, segment_id, message, kind in notes)
        report.errors.sort(key=lambda error: error.segment_index)
    return Parsed(state.interchanges, report)


class _EnvelopeWalk:
    """ISA..IEA, GS..GE and ST..SE, with the counts and control numbers the trailers repeat."""

    def __init__(self, delimiters: Delimiters, segments: list[Segment], source: str | None,
                 report, error_type, tree: bool = True):
        self.tree = tree
        self.delimiters = delimiters
        self.segments = segments
        self.source = source
        self.report = report
        self.error_type = error_type
        self.interchanges: list[Interchange] = []
        self.interchange: Interchange | None = None
        self.group: Group | None = None
        self.interchange_numbers: set[str] = set()
        self.group_numbers: set[str] = set()
        self.transaction_numbers: set[str] = set()
        self.envelope_positions: list[int] | None = None
        self.misfiled_groups: list[Group] = []  # GS01 already reported (compared by identity)

    def error(self, segment: Segment, loop: str | None, message: str, element: str | None = None,
              transaction: str | None = None, kind: str = "envelope") -> None:
        if self.report is not None:
            self.report.errors.append(self.error_type(segment.index, segment.id, loop, message,
                                                      element, transaction, kind))

    def check_elements(self, segment: Segment, loop: str) -> None:
        if self.report is None:
            return
        found = _envelope_check(segment.id)(segment.elements, self.delimiters.component,
                                            self.delimiters.repetition)
        for element, message in found:
            self.error(segment, loop, message, element)

    def run(self) -> None:
        segments = self.segments
        count = len(segments)
        position = 0
        while position < count:
            segment = segments[position]
            segment_id = segment.id
            if segment_id == "ST":
                position = self.transaction(position)
                continue
            handler = getattr(self, f"on_{segment_id}", None)
            if handler is not None:
                handler(segment)
            elif segment_id == "TA1":
                self.check_elements(segment, "ISA")
            else:
                self.error(segment, self.group and "GS" or "ISA",
                           f"segment {segment_id} is outside any transaction set (ST..SE)",
                           kind="structure")
            position += 1
        self.close_interchange(segments[-1] if segments else None, at_end=True)

    # ISA / IEA
    def on_ISA(self, segment: Segment) -> None:
        if self.interchange is not None:
            self.close_interchange(segment, at_end=False)
        elements = segment.elements
        get = segment.element
        self.interchange = Interchange(
            self.delimiters, get(5), get(6).rstrip(), get(7), get(8).rstrip(), get(9), get(10),
            get(13), get(12), get(15), segment_index=segment.index, source=self.source)
        self.interchanges.append(self.interchange)
        if self.report is None:
            return
        self.check_elements(segment, "ISA")
        width = 3 + len(elements) + sum(len(value) for value in elements) + 1
        if len(elements) == 16 and width != envelope.ISA_WIDTH:
            self.error(segment, "ISA", f"the ISA is {width} characters long; it must be exactly "
                                       f"{envelope.ISA_WIDTH} (elements padded to their size)")
        number = get(13)
        if number in self.interchange_numbers:
            self.error(segment, "ISA", "interchange control number ISA13 is used twice in the file",
                       "ISA13")
        self.interchange_numbers.add(number)

    def on_IEA(self, segment: Segment) -> None:
        interchange = self.interchange
        if interchange is None:
            self.error(segment, "ISA", "IEA without an ISA")
            return
        if self.group is not None:
            self.error(segment, "GS", "functional group not closed: GE is missing before the IEA")
            self.group = None
        if self.report is not None:
            self.check_elements(segment, "ISA")
            if segment.element(2) != interchange.control_number:
                self.error(segment, "ISA", "IEA02 does not match the ISA13 control number", "IEA02")
            if segment.element(1) != str(len(interchange.groups)):
                self.error(segment, "ISA", f"IEA01 says {segment.element(1)} functional group(s); "
                                           f"the interchange has {len(interchange.groups)}", "IEA01")
        self.interchange = None

    def close_interchange(self, segment: Segment | None, at_end: bool) -> None:
        if self.interchange is None or segment is None:
            return
        if self.group is not None:
            self.error(segment, "GS", "functional group not closed: GE is missing")
            self.group = None
        self.error(segment, "ISA", "interchange not closed: IEA is missing"
                   + (" at the end of the file" if at_end else " before the next ISA"))
        self.interchange = None

    # GS / GE
    def on_GS(self, segment: Segment) -> None:
        if self.group is not None:
            self.error(segment, "GS", "functional group not closed: GE is missing before this GS")
        get = segment.element
        self.group = Group(get(1), get(2), get(3), get(4), get(5), get(6), get(8),
                           segment_index=segment.index)
        self.transaction_numbers = set()
        if self.interchange is None:
            self.error(segment, "GS", "GS outside an interchange (no ISA before it)")
        else:
            self.interchange.groups.append(self.group)
        if self.report is not None:
            self.check_elements(segment, "GS")
            if get(6) in self.group_numbers:
                self.error(segment, "GS", "group control number GS06 is used twice in the "
                                          "file", "GS06")
            self.group_numbers.add(get(6))

    def on_GE(self, segment: Segment) -> None:
        group = self.group
        if group is None:
            self.error(segment, "GS", "GE without a GS")
            return
        if self.report is not None:
            self.check_elements(segment, "GS")
            if segment.element(2) != group.control_number:
                self.error(segment, "GS", "GE02 does not match the GS06 control number", "GE02")
            if segment.element(1) != str(len(group.transactions)):
                self.error(segment, "GS", f"GE01 says {segment.element(1)} transaction set(s); the "
                                          f"group has {len(group.transactions)}", "GE01")
        self.group = None

    def on_SE(self, segment: Segment) -> None:
        self.error(segment, "ST", "SE without an ST")

    # ST .. SE
    def next_envelope_segment(self, position: int) -> int:
        """The position of the first ISA/GS/ST/SE/GE/IEA at or after ``position`` (the number
        of segments when there is none); the envelope segments' positions are listed once per
        file, in one pass."""
        if self.envelope_positions is None:
            self.envelope_positions = [index for index, segment in enumerate(self.segments)
                                       if segment.id in _ENVELOPE_IDS]
        positions = self.envelope_positions
        found = bisect_left(positions, position)
        return positions[found] if found < len(positions) else len(self.segments)

    def transaction(self, start: int) -> int:
        """Walk one transaction set from its ST; returns the position after it."""
        segments = self.segments
        count = len(segments)
        end = self.next_envelope_segment(start + 1)
        closed = end < count and segments[end].id == "SE"
        stop = end + 1 if closed else end
        body = segments[start:stop]
        st = segments[start]
        group = self.group
        version = group.version if group is not None else st.element(3)
        choice = guide_for(st.element(1), version)
        control = st.element(2)
        problems: list = []
        if choice.compiled is not None:
            root = walk(choice.compiled, body, self.delimiters.component,
                        self.delimiters.repetition, problems, check_elements=self.report is not None,
                        tree=self.tree)
        else:
            root = LoopNode("ST_LOOP", "Transaction Set", list(body), [])
        transaction = Transaction(st.element(1), control, version, choice.version, root,
                                  choice.note, st.index, len(body))
        if group is None:
            self.error(st, "ST", "transaction set outside a functional group (no GS before it)")
        else:
            group.transactions.append(transaction)
        if self.report is not None:
            if choice.compiled is not None and group is not None:
                self.check_functional_id(group, choice.compiled.guide)
            self.check_transaction(transaction, body, closed, problems, group)
        return stop

    def check_functional_id(self, group: Group, guide) -> None:
        """GS01 names the kind of transaction sets in the group (X12.6; each TR3's appendix
        B lists its one code: HC for the 837, HP for the 835, FA for the 999...): a group
        whose GS01 is not its transaction sets' code is misrouted by receivers. Reported once
        per group, on the GS."""
        if group.functional_id == guide.functional_id or group in self.misfiled_groups:
            return
        self.misfiled_groups.append(group)
        self.report.errors.append(self.error_type(
            group.segment_index, "GS", "GS",
            f"GS01 must be {guide.functional_id!r} for a group of {guide.transaction} "
            f"transaction sets ({guide.version})", "GS01", None, "envelope"))

    def check_transaction(self, transaction: Transaction, body: list[Segment], closed: bool,
                          problems: list, group: Group | None) -> None:
        report = self.report
        errors_before = len(report.errors)
        control = transaction.control_number
        error_type = self.error_type
        for index, segment_id, loop, element, message, kind in problems:
            report.errors.append(error_type(index, segment_id, loop, message, element, control,
                                            kind))
        st, last = body[0], body[-1]
        if control in self.transaction_numbers:
            self.error(st, "ST", "transaction set control number ST02 is used twice in the group",
                       "ST02", control)
        self.transaction_numbers.add(control)
        if group is not None and st.element(3) and st.element(3) != group.version:
            self.error(st, "ST", "ST03 does not match the group's version (GS08)", "ST03", control)
        if not closed:
            self.error(last, "ST", "transaction set not closed: SE is missing", None, control)
        else:
            if last.element(2) != control:
                self.error(last, "ST", "SE02 does not match the ST02 control number", "SE02", control)
            if last.element(1) != str(len(body)):
                self.error(last, "ST", f"SE01 says {last.element(1)} segments; the transaction set "
                                       f"has {len(body)} (ST and SE included)", "SE01", control)
        report.transactions.append({
            "transaction": transaction.id, "control_number": control,
            "version": transaction.version, "guide": transaction.guide, "note": transaction.note,
            "segment_index": transaction.segment_index, "segments": transaction.segment_count,
            "valid": len(report.errors) == errors_before})


# -- reading for a consumer: refused when the loops cannot be trusted --------------------------


def read_checked(data: bytes | str, source: str | None, what: str,
                 accepts: Callable[[Transaction], bool]) -> Parsed:
    """The file read and validated in the engine's one walk, then refused
    (:class:`InvalidInput`, naming the segment and element) when a transaction set is not one
    ``accepts`` takes (at its ST01), or when the engine reports an envelope or structure error
    (``ValidationReport.structural_errors``, the first one named): then the loops cannot be
    trusted to hold what the sender meant. Element-level deviations stay in the report for the
    caller to show. ``what`` names the expected transaction in messages ("835")."""
    parsed = parse(data, source, validate=True)
    for interchange in parsed.interchanges:
        for transaction in interchange.transactions:
            if not accepts(transaction):
                st = transaction.root.segments[0]
                raise InvalidInput(f"ST: not a {what} transaction set (ST01 is "
                                   f"{transaction.id.strip() or 'missing'})",
                                   Position(file=source, segment=st.index, field="ST01"))
    structural = [error for error in parsed.report.structural_errors if refuses(error)]
    if structural:
        first = structural[0]
        text = "; ".join(describe(error) for error in structural[:3])
        raise InvalidInput(f"{first.segment_id or 'segment'}: the file is not a valid {what}: "
                           f"{text}", Position(file=source, segment=first.segment_index or None,
                                              field=first.element))
    return parsed


_TRAILER_COUNTS = frozenset({"SE01", "SE02", "GE01", "GE02", "IEA01", "IEA02"})


def refuses(error: X12Error) -> bool:
    """Whether an engine error stops a reader (``ValidationReport.structural_errors`` narrowed
    to what makes the loops untrustworthy). Refused: the trailers' counts and control numbers
    (a truncated or miscounted file), an envelope segment out of place or not closed, a
    segment unreadable, unexpected or out of its loop (which claim or line it belongs to is
    unknown). Read, and reported beside: the envelope's element values (a GS05 time, ST03, the
    ISA padded short: the lexer reads them alike), HL / LX numbering, and a required segment or
    loop that is missing (kind "missing": a payer's PER*BL; nothing read is misplaced by its
    absence)."""
    if error.kind == "envelope":
        return error.element in _TRAILER_COUNTS or (error.element is None
                                                    and error.segment_id != "ISA")
    if error.kind == "structure":
        return error.element is None
    return False


def describe(error: X12Error) -> str:
    """One validator error as a line for a person: where, then what."""
    return f"segment {error.segment_index} ({error.segment_id or '?'}): {error.message}"

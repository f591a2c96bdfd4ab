"""An X12 implementation guide (TR3) described as data, for the loop walker and the validator.

A guide is a tree: the transaction set is a loop whose children are segments and loops, in
guide order. A loop is entered by its first segment (its *trigger*); where one segment id starts
several loops or serves several uses in one loop (``NM1*85`` billing provider vs ``NM1*87``
pay-to, ``HL*..*20`` vs ``HL*..*22``), the ``qualifier`` tells them apart: the element position
and the values that identify this use. Each element carries its usage (R required, S situational,
N not used), its data type and length, and for ID elements the code values the guide allows.

The guides are written by hand from the TR3s' structure (one module per transaction under
``guides/``), with a small vocabulary so that a guide reads like the TR3's segment pages:

    seg("NM1", "Billing Provider Name", R, 1,
        el("Entity Identifier Code", R, ID, 2, 3, "85"),
        el("Entity Type Qualifier", R, ID, 1, 1, "1 2"),
        el("Name Last or Organization Name", R, AN, 1, 60),
        ...,
        qualifier=(1, "85"))
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

R, S, N = "R", "S", "N"  # usage: required, situational, not used
AN, ID, DT, TM, N0, N2, RN, B = "AN", "ID", "DT", "TM", "N0", "N2", "R", "B"  # data types
UNBOUNDED = 10**9  # ">1" repeats


@dataclass(frozen=True, slots=True)
class Element:
    name: str
    usage: str
    data_type: str
    min_length: int
    max_length: int
    codes: frozenset[str] = frozenset()  # the values an ID element may take (empty: any)
    components: tuple[Element, ...] = ()  # a composite's components, in order
    repeat: int = 1  # repetitions allowed (the ISA11 repetition separator), e.g. HI's none, 2300 K3

    @property
    def is_composite(self) -> bool:
        return bool(self.components)


@dataclass(frozen=True, slots=True)
class Syntax:
    """An X12 syntax note over element positions (1-based): P paired (all or none), R at least
    one required, C conditional (if the first, then all the others), E exclusion (at most one),
    L list conditional (if the first, then at least one of the others)."""

    kind: str
    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SegmentRule:
    id: str
    name: str
    usage: str
    max_use: int
    elements: tuple[Element, ...]
    qualifier: tuple[int, frozenset[str]] | None = None  # (1-based element position, values)
    syntax: tuple[Syntax, ...] = ()

    def matches(self, elements: list) -> bool:
        """Whether a segment with these element values is this use of the segment id (the
        qualifier's element, or its first component for a composite, holds one of the values)."""
        if self.qualifier is None:
            return True
        position, values = self.qualifier
        if position > len(elements):
            return False
        value = elements[position - 1]
        if isinstance(value, (list, tuple)):
            value = value[0] if value else ""
        return value in values


@dataclass(frozen=True, slots=True)
class LoopRule:
    id: str  # "2010AA", or "ST_LOOP" / "HEADER" / "DETAIL" for the table-level groupings
    name: str
    usage: str
    max_repeat: int
    children: tuple[SegmentRule | LoopRule, ...]  # children[0] is the trigger segment

    @property
    def trigger(self) -> SegmentRule:
        first = self.children[0]
        return first if isinstance(first, SegmentRule) else first.trigger


@dataclass(frozen=True, slots=True)
class Guide:
    transaction: str  # ST01: "837"
    version: str  # GS08 / ST03: "005010X222A1"
    functional_id: str  # GS01: "HC"
    name: str  # "Health Care Claim: Professional"
    transaction_set: LoopRule  # ST ... SE


def _codes(values: str | tuple | frozenset | None) -> frozenset[str]:
    if not values:
        return frozenset()
    if isinstance(values, str):
        return frozenset(values.split())
    return frozenset(values)


def el(name: str, usage: str, data_type: str, min_length: int, max_length: int,
       codes: str | tuple | frozenset | None = None, *, repeat: int = 1) -> Element:
    """A simple element; ``codes`` as a space-separated string of the allowed values."""
    return Element(name, usage, data_type, min_length, max_length, _codes(codes), repeat=repeat)


def comp(name: str, usage: str, *components: Element, repeat: int = 1) -> Element:
    """A composite element (C003, C022, C023...) and its components."""
    return Element(name, usage, "", 0, 0, frozenset(), tuple(components), repeat)


def unused(name: str = "Not Used") -> Element:
    return Element(name, N, AN, 0, 0)


def seg(segment_id: str, name: str, usage: str, max_use: int, *elements: Element,
        qualifier: tuple[int, str | tuple] | None = None,
        syntax: tuple[tuple[str, tuple[int, ...]], ...] = ()) -> SegmentRule:
    q = None if qualifier is None else (qualifier[0], _codes(qualifier[1]))
    return SegmentRule(segment_id, name, usage, max_use, tuple(elements), q,
                       tuple(Syntax(kind, positions) for kind, positions in syntax))


def loop(loop_id: str, name: str, usage: str, max_repeat: int,
         *children: SegmentRule | LoopRule) -> LoopRule:
    return LoopRule(loop_id, name, usage, max_repeat, tuple(children))


def iter_loops(rule: LoopRule) -> Iterator[LoopRule]:
    """The loop and every loop inside it, in guide order."""
    yield rule
    for child in rule.children:
        if isinstance(child, LoopRule):
            yield from iter_loops(child)


def iter_segment_rules(rule: LoopRule) -> Iterator[tuple[LoopRule, SegmentRule]]:
    """Every segment of the loop and its inner loops, with the loop it belongs to."""
    for each in iter_loops(rule):
        for child in each.children:
            if isinstance(child, SegmentRule):
                yield each, child


def element_refs(segment: SegmentRule) -> Iterator[tuple[str, Element]]:
    """Each element and component with its reference as the TR3 writes it (NM109, CLM05-3)."""
    for position, element in enumerate(segment.elements, start=1):
        yield f"{segment.id}{position:02d}", element
        for index, component in enumerate(element.components, start=1):
            yield f"{segment.id}{position:02d}-{index}", component

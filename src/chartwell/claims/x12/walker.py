"""The loop walker: a transaction set's segments -> its loop tree, against a compiled guide.

A guide (:mod:`chartwell.claims.x12.guide`) is compiled once into dispatch tables: for every loop,
the segment id -> the children (segments, or child loops by their trigger segment) it may start,
each with its position in the loop and the qualifier that tells one use of the id from another.
Walking is then the usual X12 rule (ASC X12.6 loop semantics, which every TR3 follows): a segment
is looked for at or after the current position of the innermost open loop, then of each
enclosing loop in turn; finding it in an enclosing loop closes the loops inside; finding a
loop's trigger opens a new repetition of that loop. What was skipped on the way (a required
segment or loop never seen) and what was repeated too often is reported as it is passed. The
uses of one segment id in a loop (REF*EI, REF*SY) may come in any order among themselves;
sibling loops keep the guide's order even when they start with the same segment (2310A..F),
as pyx12 has it (:func:`_ranks`). Validating alone walks without keeping the tree.

Element checks are compiled too (Python code generated per segment rule,
:func:`chartwell.claims.x12.validator.segment_checker`), so the hot path makes no object per element.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from chartwell.claims.x12.guide import ID, R, Guide, LoopRule, SegmentRule
from chartwell.claims.x12.lexer import Segment

# Table-level groupings some guides use to mirror the TR3's tables; they open no loop of their own
# in the tree a reader walks.
GROUPING_LOOPS = frozenset({"ST_LOOP", "HEADER", "DETAIL", "SUMMARY", "TABLE1", "TABLE2", "TABLE3"})

# An error found while walking: (segment_index, segment_id, loop_id, element, message, kind),
# kind as in :class:`chartwell.claims.x12.validator.X12Error`.
Problem = tuple[int, str, str, "str | None", str, str]
ENVELOPE, STRUCTURE, MISSING, ELEMENT = "envelope", "structure", "missing", "element"
_ENVELOPE_SEGMENTS = frozenset({"ST", "SE"})  # their elements are the envelope's


@dataclass(slots=True, eq=False)
class LoopNode:
    """One repetition of a loop as found in the file: its own segments (in order) and the loops
    nested in it (in order). The transaction set itself is the root (id ``ST_LOOP``)."""

    id: str
    name: str
    segments: list[Segment] = field(default_factory=list)
    loops: list[LoopNode] = field(default_factory=list)

    def find_all(self, loop_id: str) -> list[LoopNode]:
        """Every loop with this id below this one, depth first in file order (2300 claims of
        every subscriber and patient, say)."""
        found: list[LoopNode] = []
        stack = list(reversed(self.loops))
        while stack:
            node = stack.pop()
            if node.id == loop_id:
                found.append(node)
            stack.extend(reversed(node.loops))
        return found

    def children(self, loop_id: str) -> list[LoopNode]:
        """The loops with this id directly inside this one."""
        return [node for node in self.loops if node.id == loop_id]

    def child(self, loop_id: str) -> LoopNode | None:
        """The first loop with this id directly inside this one."""
        for node in self.loops:
            if node.id == loop_id:
                return node
        return None

    def first(self, segment_id: str, qualifier: str | None = None,
              position: int = 1) -> Segment | None:
        """This loop's first own segment with this id (and, given a qualifier, whose element at
        ``position`` -- its first component, for a composite -- holds it, e.g.
        ``first("REF", "EI")``, ``first("DTP", "472")``)."""
        for segment in self.segments:
            if segment.id == segment_id and (qualifier is None or _qualifies(segment, qualifier, position)):
                return segment
        return None

    def all(self, segment_id: str, qualifier: str | None = None,
            position: int = 1) -> list[Segment]:
        """This loop's own segments with this id (and qualifier), in order."""
        return [segment for segment in self.segments
                if segment.id == segment_id and (qualifier is None or _qualifies(segment, qualifier, position))]

    def iter_segments(self) -> Iterator[Segment]:
        """Every segment of this loop and the loops inside it, in file order."""
        segments = list(self.segments)
        for node in self.loops:
            segments.extend(node.iter_segments())
        segments.sort(key=lambda segment: segment.index)
        return iter(segments)


def _qualifies(segment: Segment, qualifier: str, position: int) -> bool:
    value = segment.element(position)
    if value == qualifier:
        return True
    # a composite's first component (HI01-1 "ABK", SV101-1 "HC"): no delimiter known here, so
    # accept any non-alphanumeric separator right after the qualifier
    return (value.startswith(qualifier) and len(value) > len(qualifier)
            and not value[len(qualifier)].isalnum())


# -- compiled guide ------------------------------------------------------------------------------

class CompiledSegment:
    __slots__ = ("id", "name", "usage", "max_use", "position", "qualifier_position",
                 "qualifier_values", "qualifier_composite", "check", "rule")

    def __init__(self, rule: SegmentRule, position: int, check: Callable):
        self.id = rule.id
        self.name = rule.name
        self.usage = rule.usage
        self.max_use = rule.max_use
        self.position = position
        self.rule = rule
        self.check = check
        self.qualifier_position = 0
        self.qualifier_values: frozenset[str] = frozenset()
        self.qualifier_composite = False
        qualifier = rule.qualifier or _implicit_qualifier(rule)
        if qualifier is not None:
            self.qualifier_position, self.qualifier_values = qualifier
            index = self.qualifier_position - 1
            self.qualifier_composite = (index < len(rule.elements)
                                        and rule.elements[index].is_composite)

    def matches(self, elements: list[str], component: str) -> bool:
        position = self.qualifier_position
        if not position:
            return True
        if position > len(elements):
            return False
        value = elements[position - 1]
        if self.qualifier_composite:
            value = value.split(component, 1)[0]
        return value in self.qualifier_values


def _implicit_qualifier(rule: SegmentRule) -> tuple[int, frozenset[str]] | None:
    """A required first element with enumerated codes identifies the segment's use (REF*EI is a
    tax id, DTP*472 a service date): a segment whose first element is none of them is not this
    segment at all, the way receivers' validators match it."""
    if not rule.elements:
        return None
    first = rule.elements[0]
    if first.is_composite:
        first = first.components[0]
        if first.usage == R and first.data_type == ID and first.codes:
            return 1, first.codes
        return None
    if first.usage == R and first.data_type == ID and first.codes:
        return 1, first.codes
    return None


class CompiledLoop:
    __slots__ = ("id", "name", "usage", "max_repeat", "position", "children", "by_id",
                 "required", "grouping", "trigger")

    def __init__(self, rule: LoopRule, position: int):
        self.id = rule.id
        self.name = rule.name
        self.usage = rule.usage
        self.max_repeat = rule.max_repeat
        self.position = position
        self.grouping = rule.id in GROUPING_LOOPS
        self.children: list[CompiledSegment | CompiledLoop] = []
        # segment id -> the children it may start, in guide order, each a Candidate; the
        # trigger (position 0) is matched by the parent, as the start of a repetition
        self.by_id: dict[str, tuple[Candidate, ...]] = {}
        self.required: tuple[tuple[int, int], ...] = ()  # (child index, its rank)
        self.trigger: CompiledSegment | None = None


# One way a segment id may be found among a loop's children, flattened into a tuple so that the
# walk's inner loop reads it by index: (rank, child, qualifier position (0: none), qualifier
# values, qualifier is a composite's first component, child index, child is a loop, the
# required children ranked before it as (child index, rank)).
Candidate = tuple[int, "CompiledSegment | CompiledLoop", int, frozenset, bool, int, bool,
                  tuple[tuple[int, int], ...]]


@dataclass(frozen=True, slots=True)
class CompiledGuide:
    guide: Guide
    root: CompiledLoop
    segment_ids: frozenset[str]


def _ranks(children: list) -> list[int]:
    """Each child's rank: the order the walk enforces among a loop's children.

    The TR3 lists each use of a segment id (REF*EI, REF*SY...) as its own child, but the uses
    share the base standard's position and may come in any order among themselves: consecutive
    *segments* with the same id share a rank. Sibling *loops* that start with the same segment
    (2310A..2310F, all NM1) keep their own ranks: their order is enforced, as pyx12 does."""
    ranks: list[int] = []
    for index, child in enumerate(children):
        previous = children[index - 1] if index > 1 else None
        shares = (isinstance(child, CompiledSegment) and isinstance(previous, CompiledSegment)
                  and child.id == previous.id)
        ranks.append(ranks[-1] if shares else index)
    return ranks


def compile_guide(guide: Guide) -> CompiledGuide:
    """The guide's dispatch tables and element checkers (done once per guide and cached by the
    registry)."""
    from chartwell.claims.x12.validator import segment_checker

    ids: set[str] = set()

    def build(rule: LoopRule, position: int) -> CompiledLoop:
        compiled = CompiledLoop(rule, position)
        for index, child in enumerate(rule.children):
            if isinstance(child, LoopRule):
                compiled.children.append(build(child, index))
            else:
                ids.add(child.id)
                compiled.children.append(CompiledSegment(child, index, segment_checker(child)))
        first = compiled.children[0]
        compiled.trigger = first if isinstance(first, CompiledSegment) else first.trigger
        ranks = _ranks(compiled.children)
        compiled.required = tuple((index, ranks[index]) for index, child in enumerate(compiled.children)
                                  if child.usage == R and index > 0)
        table: dict[str, list] = {}
        for index, child in enumerate(compiled.children):
            if index == 0:
                continue
            is_loop = isinstance(child, CompiledLoop)
            decider = child.trigger if is_loop else child
            before = tuple(entry for entry in compiled.required if entry[1] < ranks[index])
            table.setdefault(decider.id, []).append(
                (ranks[index], child, decider.qualifier_position, decider.qualifier_values,
                 decider.qualifier_composite, index, is_loop, before))
        compiled.by_id = {key: tuple(value) for key, value in table.items()}
        return compiled

    root = build(guide.transaction_set, 0)
    return CompiledGuide(guide, root, frozenset(ids))


# -- walking -------------------------------------------------------------------------------------

def _describe(child: CompiledSegment | CompiledLoop) -> str:
    if isinstance(child, CompiledLoop):
        return f"loop {child.id} ({child.name})"
    return f"segment {child.id} ({child.name})"


def walk(compiled: CompiledGuide, segments: list[Segment], component: str, repetition: str | None,
         problems: list[Problem], check_elements: bool = True, tree: bool = True) -> LoopNode:
    """The loop tree of one transaction set (``segments`` from its ST to its SE, or to where the
    file ends); every deviation from the guide is appended to ``problems``. Without ``tree``
    (validating only) the loops are walked but not kept: the root returned is empty.

    This is the hot path of reading and validating (once per segment), so it is written flat:
    a frame of the loop stack is a list ``[compiled loop, current rank, use counts per child,
    its LoopNode (or None), the loop id errors name]``."""
    root = compiled.root
    root_node = LoopNode(root.id, root.name)
    add = problems.append
    counts = [0] * len(root.children)
    counts[0] = 1
    stack: list[list] = [[root, 0, counts, root_node if tree else None, root.id]]
    if not segments:
        return root_node
    first = segments[0]
    root_node.segments.append(first)
    if check_elements and isinstance(root.children[0], CompiledSegment):
        _check(root.children[0], first, component, repetition, add, root.id)
    known = compiled.segment_ids
    hl_seen: set[str] = set()
    hl_count = 0
    last = first
    top = 0  # len(stack) - 1
    for position in range(1, len(segments)):
        segment = last = segments[position]
        segment_id = segment.id
        elements = segment.elements
        depth = top
        found = None
        while depth >= 0:
            frame = stack[depth]
            candidates = frame[0].by_id.get(segment_id)
            if candidates is not None:
                current = frame[1]
                for candidate in candidates:
                    if candidate[0] < current:
                        continue
                    where = candidate[2]
                    if where:  # a qualifier decides (NM1*85 or NM1*87, REF*EI or REF*SY)
                        try:
                            value = elements[where - 1]
                        except IndexError:
                            continue
                        if candidate[4]:
                            value = value.split(component, 1)[0]
                        if value not in candidate[3]:
                            continue
                    found = candidate
                    break
                if found is not None:
                    break
            depth -= 1
        if found is None:
            frame = stack[-1]
            if segment_id in known:
                message = f"segment {segment_id} is not expected here (loop {frame[4]}): out of " \
                          f"order, repeated, or its qualifier is not one this guide allows here"
            else:
                message = f"segment {segment_id!r} is not in this implementation guide"
            add((segment.index, segment_id, frame[4], None, message, STRUCTURE))
            if tree:
                frame[3].segments.append(segment)
            continue
        if top > depth:  # close the loops inside the one where it was found
            while top > depth:
                _close(stack, segment, add)
                top -= 1
        rank, child, index = found[0], found[1], found[5]
        counts = frame[2]
        current = frame[1]
        if rank > current:
            for required, required_rank in found[7]:
                if required_rank >= current and not counts[required]:
                    _missing(frame, required, segment, add)
            frame[1] = rank
        counts[index] += 1
        if found[6]:  # a loop's trigger: a new repetition of the loop
            if counts[index] > child.max_repeat:
                add((segment.index, segment_id, child.id, None,
                     f"loop {child.id} ({child.name}) repeats more than {child.max_repeat} "
                     f"time(s) here", STRUCTURE))
            rule = _open(stack, child, frame, segment, tree)
            top = len(stack) - 1
            loop_id = stack[top][4]
            if segment_id == "LX" and child.id == "2400":
                _check_line_number(segment, counts[index], add)
        else:
            if counts[index] > child.max_use:
                add((segment.index, segment_id, frame[4], None,
                     f"segment {segment_id} ({child.name}) is used more than {child.max_use} "
                     f"time(s) here", STRUCTURE))
            if tree:
                frame[3].segments.append(segment)
            rule = child
            loop_id = frame[4]
        if segment_id == "HL":
            hl_count += 1
            _check_hl(segment, hl_seen, hl_count, loop_id, add)
        if check_elements:
            found_errors = rule.check(elements, component, repetition)
            if found_errors:
                _add_element_errors(found_errors, segment, loop_id, add)
    while len(stack) > 1:
        _close(stack, last, add)
    frame = stack[0]
    _skip_to(frame, len(frame[0].children), last, add)
    return root_node


def _open(stack: list, loop: CompiledLoop, parent: list, segment: Segment, tree: bool
          ) -> CompiledSegment:
    """Start a repetition of ``loop`` (and of the loops its trigger starts, where its first
    child is a loop) inside the frame ``parent``; the trigger segment goes to the innermost."""
    node = parent[3]
    loop_id = parent[4]
    while True:
        if tree and not loop.grouping:
            child_node = LoopNode(loop.id, loop.name)
            node.loops.append(child_node)
            node = child_node
        if not loop.grouping:
            loop_id = loop.id
        counts = [0] * len(loop.children)
        counts[0] = 1
        stack.append([loop, 0, counts, node, loop_id])
        first = loop.children[0]
        if isinstance(first, CompiledSegment):
            if tree:
                node.segments.append(segment)
            return first
        loop = first


def _skip_to(frame: list, rank: int, segment: Segment, add: Callable) -> None:
    """Moving from the frame's current rank to ``rank``: the required children in between
    that never came are missing (named at the segment where the walk noticed it, as pyx12 does)."""
    loop, current, counts = frame[0], frame[1], frame[2]
    for index, child_rank in loop.required:
        if current <= child_rank < rank and not counts[index]:
            _missing(frame, index, segment, add)


def _missing(frame: list, index: int, segment: Segment, add: Callable) -> None:
    child = frame[0].children[index]
    missing_id = child.id if isinstance(child, CompiledSegment) else child.trigger.id
    add((segment.index, missing_id, frame[4], None, f"required {_describe(child)} is missing",
         MISSING))


def _close(stack: list, segment: Segment, add: Callable) -> None:
    frame = stack[-1]
    _skip_to(frame, len(frame[0].children), segment, add)
    stack.pop()


def _check(rule: CompiledSegment, segment: Segment, component: str, repetition: str | None,
           add: Callable, loop_id: str) -> None:
    found = rule.check(segment.elements, component, repetition)
    if found:
        _add_element_errors(found, segment, loop_id, add)


def _add_element_errors(found: list, segment: Segment, loop_id: str, add: Callable) -> None:
    index, segment_id = segment.index, segment.id
    kind = ENVELOPE if segment_id in _ENVELOPE_SEGMENTS else ELEMENT
    for element, message in found:
        add((index, segment_id, loop_id, element, message, kind))


def _check_hl(segment: Segment, seen: set[str], count: int, loop_id: str, add: Callable) -> None:
    """HL01 counts 1, 2, 3... through the transaction set; HL02 names an HL01 already seen
    (X12.6 hierarchical structure; every 5010 HL-based TR3, e.g. 837P section 2.3.2.1)."""
    elements = segment.elements
    number = elements[0] if elements else ""
    parent = elements[1] if len(elements) > 1 else ""
    if number and number != str(count):
        add((segment.index, "HL", loop_id, "HL01",
             f"HL01 should be {count}: hierarchical ids count 1, 2, 3... in the transaction set",
             STRUCTURE))
    if parent and parent not in seen:
        add((segment.index, "HL", loop_id, "HL02",
             "HL02 names no earlier HL01 (parent level not found)", STRUCTURE))
    if number:
        seen.add(number)


def _check_line_number(segment: Segment, count: int, add: Callable) -> None:
    """LX01 numbers a claim's service lines 1, 2, 3... (837 TR3s, 2400 LX01)."""
    number = segment.elements[0] if segment.elements else ""
    if number and number != str(count):
        add((segment.index, "LX", "2400", "LX01",
             f"LX01 should be {count}: service lines are numbered 1, 2, 3... within the claim",
             STRUCTURE))

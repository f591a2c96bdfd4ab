"""The X12 writer: segments (plain strings) -> an interchange with its envelope.

An interchange is ISA .. IEA around functional groups (GS .. GE) around transaction sets
(ST .. SE). The ISA is fixed width (106 characters: every element padded to its size, X12.5
section 3); the trailers carry counts the receiver checks: SE01 the segments of the transaction
set including ST and SE, GE01 the transaction sets in the group, IEA01 the groups in the
interchange, and each trailer repeats its header's control number.

A transaction set is built by its writer (:mod:`chartwell.claims.x837`) as a list of segment
strings whose elements are already joined with the element separator; this module only frames
them. No object per segment: the 837 writer must keep up with bulk exports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from chartwell.claims.x12.lexer import Delimiters
from chartwell.errors import InvalidInput, Position

DELIMITERS = Delimiters(element="*", component=":", repetition="^", segment="~")
"""The delimiters Chartwell writes: the ones most receivers expect (and the TR3 examples use)."""

VERSION_5010 = "00501"  # ISA12
MAX_CONTROL_NUMBER = 999_999_999  # ISA13 is nine digits; GS06 at most nine


@dataclass(frozen=True, slots=True)
class Party:
    """A sender or receiver as the ISA and the GS name it."""

    interchange_id: str  # ISA06 / ISA08: up to 15 characters
    application_code: str  # GS02 / GS03: up to 15 characters
    qualifier: str = "ZZ"  # ISA05 / ISA07: ZZ mutually defined, 30 federal tax id, ...


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the ISA and GS say besides the control numbers."""

    sender: Party
    receiver: Party
    created: datetime
    functional_id: str = "HC"  # GS01: HC health care claim (837)
    usage: str = "P"  # ISA15: P production, T test
    acknowledgment_requested: str = "0"  # ISA14: 1 asks for a TA1


def _fixed(value: str, width: int, what: str) -> str:
    if len(value) > width:
        raise InvalidInput(f"{what} is longer than {width} characters",
                           Position(segment=1, field=what))
    return value.ljust(width)


def isa_segment(envelope: Envelope, control_number: int, delimiters: Delimiters = DELIMITERS) -> str:
    """The fixed-width ISA (without its terminator); ISA16 is the component separator."""
    check_control_number(control_number, "ISA13")
    created = envelope.created
    e = delimiters.element
    parts = ["ISA", "00", " " * 10, "00", " " * 10,
             _fixed(envelope.sender.qualifier, 2, "ISA05"),
             _fixed(envelope.sender.interchange_id, 15, "ISA06"),
             _fixed(envelope.receiver.qualifier, 2, "ISA07"),
             _fixed(envelope.receiver.interchange_id, 15, "ISA08"),
             created.strftime("%y%m%d"), created.strftime("%H%M"),
             delimiters.repetition or "U", VERSION_5010, f"{control_number:09d}",
             envelope.acknowledgment_requested, envelope.usage, delimiters.component]
    return e.join(parts)


def check_control_number(number: int, where: str) -> None:
    if not 1 <= number <= MAX_CONTROL_NUMBER:
        raise InvalidInput(f"control number out of range 1-{MAX_CONTROL_NUMBER}",
                           Position(field=where))


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """One ST .. SE: its control number (ST02) and its body (segments between ST and SE)."""

    control_number: str  # ST02: 4 to 9 characters, unique within the group
    body: list[str]
    implementation: str  # ST03 = GS08: 005010X222A1, 005010X223A2
    transaction_id: str = "837"  # ST01


def write_interchange(envelope: Envelope, interchange_control: int, group_control: int,
                      transactions: Iterable[TransactionSet], *,
                      delimiters: Delimiters = DELIMITERS, line_break: bool = True) -> str:
    """One interchange with one functional group holding ``transactions`` (all of the same
    implementation guide: GS08 names it once)."""
    check_control_number(group_control, "GS06")
    transactions = list(transactions)
    if not transactions:
        raise InvalidInput("an interchange needs at least one transaction set")
    versions = {each.implementation for each in transactions}
    if len(versions) != 1:
        raise InvalidInput("one functional group holds one implementation guide, "
                           f"not {sorted(versions)}")
    e = delimiters.element
    created = envelope.created
    out = [isa_segment(envelope, interchange_control, delimiters),
           e.join(("GS", envelope.functional_id, envelope.sender.application_code,
                   envelope.receiver.application_code, created.strftime("%Y%m%d"),
                   created.strftime("%H%M"), str(group_control), "X", versions.pop()))]
    for each in transactions:
        out.append(e.join(("ST", each.transaction_id, each.control_number, each.implementation)))
        out.extend(each.body)
        out.append(e.join(("SE", str(len(each.body) + 2), each.control_number)))
    out.append(e.join(("GE", str(len(transactions)), str(group_control))))
    out.append(e.join(("IEA", "1", f"{interchange_control:09d}")))
    terminator = delimiters.segment + ("\n" if line_break else "")
    return terminator.join(out) + terminator

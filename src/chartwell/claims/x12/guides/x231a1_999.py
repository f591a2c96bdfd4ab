"""999 Implementation Acknowledgment for Health Care Insurance, 005010X231A1.

Written by hand from the structure of the ASC X12 TR3 (005010X231 with its A1 addenda): the
receiver's answer to a functional group, one AK2 loop per transaction set, each naming the
segments (2100 IK3) and elements (2110 IK4) that broke the implementation guide, and IK5/AK9
saying what was accepted. The error and acknowledgment codes are the ones the TR3 enumerates
(elements 716, 717, 618, 620, 621); the transaction set and functional identifier codes are
open (any X12 transaction may be acknowledged).
"""

from __future__ import annotations

from chartwell.claims.x12.guide import AN, ID, N0, N, R, S, UNBOUNDED, Guide, comp, el, loop, seg
from chartwell.claims.x12.guides.common import transaction_set_header, transaction_set_trailer

__all__ = ["GUIDE"]

# One code value with a space in it: a tuple, since a string of codes is split at spaces.
SITUATIONAL_TRIGGER = ("SITUATIONAL TRIGGER",)
# 717 Transaction Set Acknowledgment Code / 715 Functional Group Acknowledge Code (AK901 adds P).
TRANSACTION_ACKNOWLEDGMENT = "A E M R W X"
GROUP_ACKNOWLEDGMENT = "A E M P R W X"
# 618 Implementation Transaction Set Syntax Error Code (IK502-IK506).
TRANSACTION_SYNTAX_ERRORS = ("1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 18 19 23 24 25 26 27 "
                             "I5 I6")
# 716 Functional Group Syntax Error Code (AK905-AK909).
GROUP_SYNTAX_ERRORS = "1 2 3 4 5 6 10 11 12 13 14 15 16 17 18 19 23 24 25 26"
# 620 Implementation Segment Syntax Error Code (IK304).
SEGMENT_SYNTAX_ERRORS = "1 2 3 4 5 6 7 8 I4 I6 I7 I8 I9"
# 621 Implementation Data Element Syntax Error Code (IK403).
ELEMENT_SYNTAX_ERRORS = "1 2 3 4 5 6 7 8 9 10 12 13 I10 I11 I12 I13 I6 I9"

def _position_in_segment(usage: str):
    """C030: where in the segment the error or context lies (element, component, repetition)."""
    return comp("Position in Segment", usage,
                el("Element Position in Segment", R, N0, 1, 2),
                el("Component Data Element Position in Composite", S, N0, 1, 2),
                el("Repeating Data Element Position", S, N0, 1, 4))


def _context(name: str, max_use: int):
    """CTX Segment/Element Context: the situational trigger a required-when rule depended on
    (TR3 2100/2110 CTX, CTX01-1 is always SITUATIONAL TRIGGER)."""
    return seg("CTX", name, S, max_use,
               comp("Context Identification", R,
                    el("Context Name", R, AN, 1, 35, SITUATIONAL_TRIGGER),
                    el("Context Reference", N, AN, 1, 35)),
               el("Segment ID Code", R, ID, 2, 3),
               el("Segment Position in Transaction Set", R, N0, 1, 10),
               el("Loop Identifier Code", S, AN, 1, 4),
               _position_in_segment(S),
               comp("Reference in Segment", S,
                    el("Data Element Reference Number", R, N0, 1, 4),
                    el("Data Element Reference Number", S, N0, 1, 4)),
               qualifier=(1, SITUATIONAL_TRIGGER))


ST = transaction_set_header("999")

AK1 = seg("AK1", "Functional Group Response Header", R, 1,
          el("Functional Identifier Code", R, ID, 2, 2),
          el("Group Control Number", R, N0, 1, 9),
          el("Version / Release / Industry Identifier Code", R, AN, 1, 12))

AK2 = seg("AK2", "Transaction Set Response Header", S, 1,
          el("Transaction Set Identifier Code", R, ID, 3, 3),
          el("Transaction Set Control Number", R, AN, 4, 9),
          el("Implementation Convention Reference", S, AN, 1, 35))

IK3 = seg("IK3", "Error Identification", S, 1,
          el("Segment ID Code", R, ID, 2, 3),
          el("Segment Position in Transaction Set", R, N0, 1, 10),
          el("Loop Identifier Code", S, AN, 1, 4),
          el("Implementation Segment Syntax Error Code", R, ID, 1, 3, SEGMENT_SYNTAX_ERRORS))

# The business unit identifier (CLM01 for an 837, TRN02 for a 276...) names the claim or
# request the error belongs to; its context name depends on the acknowledged transaction, so it
# is this loop's catch-all CTX after the SITUATIONAL TRIGGER ones.
CTX_BUSINESS_UNIT = seg("CTX", "Business Unit Identifier", S, 1,
                        comp("Context Identification", R,
                             el("Context Name", R, AN, 1, 35),
                             el("Context Reference", R, AN, 1, 35)))

IK4 = seg("IK4", "Implementation Data Element Note", S, 1,
          _position_in_segment(R),
          el("Data Element Reference Number", S, N0, 1, 4),
          el("Implementation Data Element Syntax Error Code", R, ID, 1, 3, ELEMENT_SYNTAX_ERRORS),
          el("Copy of Bad Data Element", S, AN, 1, 99))

IK5 = seg("IK5", "Implementation Transaction Set Response Trailer", R, 1,
          el("Transaction Set Acknowledgment Code", R, ID, 1, 1, TRANSACTION_ACKNOWLEDGMENT),
          *(el("Implementation Transaction Set Syntax Error Code", S, ID, 1, 3,
               TRANSACTION_SYNTAX_ERRORS) for _position in range(5)))

AK9 = seg("AK9", "Functional Group Response Trailer", R, 1,
          el("Functional Group Acknowledge Code", R, ID, 1, 1, GROUP_ACKNOWLEDGMENT),
          el("Number of Transaction Sets Included", R, N0, 1, 6),
          el("Number of Received Transaction Sets", R, N0, 1, 6),
          el("Number of Accepted Transaction Sets", R, N0, 1, 6),
          *(el("Functional Group Syntax Error Code", S, ID, 1, 3, GROUP_SYNTAX_ERRORS)
            for _position in range(5)))

SE = transaction_set_trailer()

GUIDE = Guide(
    transaction="999",
    version="005010X231A1",
    functional_id="FA",
    name="Implementation Acknowledgment for Health Care Insurance",
    transaction_set=loop(
        "ST_LOOP", "Transaction Set", R, 1,
        ST,
        AK1,
        loop("2000", "Transaction Set Response Header", S, UNBOUNDED,
             AK2,
             loop("2100", "Error Identification", S, UNBOUNDED,
                  IK3,
                  _context("Segment Context", 9),
                  CTX_BUSINESS_UNIT,
                  loop("2110", "Implementation Data Element Note", S, UNBOUNDED,
                       IK4,
                       _context("Element Context", 10))),
             IK5),
        AK9,
        SE))

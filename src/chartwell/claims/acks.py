"""Reading acknowledgments of the claims we sent: the 999 (005010X231A1, implementation
acknowledgment: was each functional group / transaction set syntactically accepted?) and the
277CA (005010X214, claim acknowledgment: was each claim accepted into adjudication?).

999 (TR3 X231 section 2): AK1 names our functional group (AK102 = our GS06), then per
transaction set AK2 (AK202 = our ST02) with its errors (IK3 segment, IK4 element, CTX context)
and IK5 (A accepted, E accepted with errors, R / M / W / X rejected); AK9 answers for the group
(A, E, P partially accepted, R, M, W, X).

277CA (TR3 X214 section 2): hierarchical levels 20 (information source), 21 (receiver), 19
(billing provider) and PT (patient, the claim: loop 2200D), each with TRN and STC. At claim
level TRN02 is our patient control number (CLM01), STC01 the status as category:status[:entity]
(claim status category codes, X12 external code list 507: A1 received, A2 accepted into
adjudication, A3 returned as unprocessable, A4 not found, A6 / A7 missing or invalid
information, A8 relational error), REF*1K the payer's claim number.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from chartwell.claims.x12.reader import read_checked
from chartwell.claims.x12.lexer import Segment
from chartwell.claims.x12.reader import Transaction
from chartwell.claims.x12.walker import LoopNode
from chartwell.domain.remittance import (
    AcknowledgmentFile,
    AckStatus,
    ClaimAck,
    FunctionalGroupAck,
    TransactionAck,
)
from chartwell.errors import InvalidInput, Position

_IK5 = {"A": AckStatus.ACCEPTED, "E": AckStatus.ACCEPTED_WITH_ERRORS}
_AK9 = {"A": AckStatus.ACCEPTED, "E": AckStatus.ACCEPTED_WITH_ERRORS,
        "P": AckStatus.ACCEPTED_WITH_ERRORS}
"""Anything else (R rejected, M / W / X rejected for security or content reasons) rejects."""

ACCEPTED_CATEGORIES = frozenset({"A2"})  # accepted into adjudication
PENDING_CATEGORIES = frozenset({"A0", "A1", "A5"})  # forwarded, received, split: not yet decided
REJECTED_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8"})


def read_acknowledgment(data: bytes | str, source: str | None = None) -> AcknowledgmentFile:
    """A 999 or a 277CA (by its first ST01; every transaction set in the file must be of that
    kind), read through the X12 engine: a file it finds structurally broken is refused, naming
    the segment."""
    kinds: list[str] = []  # the first transaction set's kind decides the file's

    def accepts(transaction: Transaction) -> bool:
        kind = _kind(transaction)
        kinds.append(kind)
        return kind != "" and kind == kinds[0]

    parsed = read_checked(data, source, "999 or 277CA", accepts)
    transactions = [each for interchange in parsed.interchanges
                    for each in interchange.transactions]
    if not transactions:
        raise InvalidInput("no transaction set (ST) in the file", Position(file=source))
    if kinds[0] == "999":
        return AcknowledgmentFile("999", groups=tuple(
            _group_ack(each.root, source) for each in transactions))
    component = parsed.interchanges[0].delimiters.component
    return AcknowledgmentFile("277CA", claims=tuple(
        _claim_ack(claim, component, source)
        for each in transactions for claim in each.root.find_all("2200D")))


def _kind(transaction: Transaction) -> str:
    """999, 277CA (a 277 whose ST03 or GS08 names X214), or "" for anything else."""
    if transaction.id == "999":
        return "999"
    if transaction.id == "277" and ("X214" in transaction.implementation_reference
                                    or "X214" in transaction.version):
        return "277CA"
    return ""


# -- 999 ---------------------------------------------------------------------------------------


def _group_ack(root: LoopNode, source: str | None) -> FunctionalGroupAck:
    """AK1 (the group answered), each loop 2000 (AK2 .. IK5), AK9 (the group's verdict)."""
    ak1, ak9 = root.first("AK1"), root.first("AK9")
    if ak1 is None or ak9 is None:
        missing = "AK1" if ak1 is None else "AK9"
        raise _bad(root.segments[0], source, f"the 999 lacks its {missing}")
    code = ak9.element(1).strip()
    transactions = tuple(_transaction_ack(loop, source) for loop in root.children("2000"))
    return FunctionalGroupAck(ak1.element(2).strip(), ak1.element(1).strip(),
                              _AK9.get(code, AckStatus.REJECTED), code, transactions, ak1.index)


def _transaction_ack(loop: LoopNode, source: str | None) -> TransactionAck:
    """Loop 2000: AK2 names our transaction set, its 2100 / 2110 loops (IK3, IK4) say what was
    wrong, IK5 the verdict."""
    ak2, ik5 = loop.segments[0], loop.first("IK5")
    if ik5 is None:
        raise _bad(ak2, source, "an AK2 without its IK5")
    code = ik5.element(1).strip()
    errors = [_error_text(segment) for segment in loop.iter_segments()
              if segment.id in ("IK3", "IK4")]
    errors += [f"IK5 {code}: {c}" for c in ik5.elements[1:] if c.strip()]
    return TransactionAck(ak2.element(1).strip(), ak2.element(2).strip(),
                          _IK5.get(code, AckStatus.REJECTED), code, tuple(errors), ak2.index)


def _error_text(segment: Segment) -> str:
    if segment.id == "IK3":
        return (f"IK3 segment {segment.element(1).strip()} at position {segment.element(2).strip()}"
                f": syntax error {segment.element(4).strip()}")
    return (f"IK4 element {segment.element(1).strip()} (data element {segment.element(2).strip()})"
            f": syntax error {segment.element(3).strip()}")


def _bad(segment: Segment, source: str | None, message: str) -> InvalidInput:
    return InvalidInput(f"{segment.id}: {message}", Position(file=source, segment=segment.index))


# -- 277CA -------------------------------------------------------------------------------------


def _claim_ack(loop: LoopNode, component: str, source: str | None) -> ClaimAck:
    """Loop 2200D (claim level, under HL03 PT): TRN02 our patient control number, the STC
    statuses (the claim's, then its service lines' in 2220D), REF*1K the payer's claim
    number."""
    trn = loop.segments[0]
    statuses = [segment for segment in loop.iter_segments() if segment.id == "STC"]
    if not statuses:
        raise InvalidInput("the claim-level loop (2200D) has no STC status",
                           Position(file=source, segment=trn.index))
    codes = [c.strip().replace(component, ":")
             for stc in statuses for c in (stc.element(1), stc.element(10), stc.element(11))
             if c.strip()]
    payer_claim = loop.first("REF", "1K")
    return ClaimAck(trn.element(2).strip(), claim_status(codes), tuple(codes),
                    (payer_claim.element(2).strip() or None) if payer_claim else None,
                    _amount(statuses[0].element(4)), trn.index)


def claim_status(codes: list[str]) -> AckStatus:
    """Rejected when any status's category rejects; accepted when one accepts; else pending."""
    categories = {code.split(":")[0] for code in codes}
    if categories & REJECTED_CATEGORIES:
        return AckStatus.REJECTED
    if categories & ACCEPTED_CATEGORIES:
        return AckStatus.ACCEPTED
    return AckStatus.PENDING


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip()) if text.strip() else None
    except InvalidOperation:
        return None

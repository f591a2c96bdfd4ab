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

from chartwell.claims.remittance import check_envelope
from chartwell.claims.x12.lexer import Delimiters, Segment, read_segments
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
    """A 999 or a 277CA (by its ST01), checked envelope first."""
    delimiters, segments = read_segments(data, source)
    check_envelope(segments, source)
    st = next((s for s in segments if s.id == "ST"), None)
    if st is None:
        raise InvalidInput("no transaction set (ST) in the file", Position(file=source))
    kind = st.element(1).strip()
    if kind == "999":
        return AcknowledgmentFile("999", groups=tuple(_read_999(segments, source)))
    if kind == "277" and "X214" in st.element(3) or kind == "277" and _is_277ca(segments):
        return AcknowledgmentFile("277CA", claims=tuple(_read_277ca(segments, delimiters, source)))
    raise InvalidInput(f"ST: not a 999 or 277CA (ST01 {kind or 'missing'})",
                       Position(file=source, segment=st.index, field="ST01"))


def _is_277ca(segments: list[Segment]) -> bool:
    gs = next((s for s in segments if s.id == "GS"), None)
    return gs is not None and "X214" in gs.element(8)


# -- 999 ---------------------------------------------------------------------------------------


def _read_999(segments: list[Segment], source: str | None) -> list[FunctionalGroupAck]:
    groups: list[FunctionalGroupAck] = []
    ak1: Segment | None = None
    transactions: list[TransactionAck] = []
    ak2: Segment | None = None
    errors: list[str] = []
    for segment in segments:
        sid = segment.id
        if sid == "AK1":
            ak1, transactions = segment, []
        elif sid == "AK2":
            ak2, errors = segment, []
        elif sid in ("IK3", "IK4") and ak2 is not None:
            errors.append(_error_text(segment))
        elif sid == "IK5":
            if ak2 is None:
                raise _bad(segment, source, "an IK5 without its AK2")
            code = segment.element(1).strip()
            errors += [f"IK5 {code}: {c}" for c in segment.elements[1:] if c.strip()]
            transactions.append(TransactionAck(ak2.element(1).strip(), ak2.element(2).strip(),
                                               _IK5.get(code, AckStatus.REJECTED), code,
                                               tuple(errors), ak2.index))
            ak2 = None
        elif sid == "AK9":
            if ak1 is None:
                raise _bad(segment, source, "an AK9 without its AK1")
            code = segment.element(1).strip()
            groups.append(FunctionalGroupAck(ak1.element(2).strip(), ak1.element(1).strip(),
                                             _AK9.get(code, AckStatus.REJECTED), code,
                                             tuple(transactions), ak1.index))
            ak1 = None
    return groups


def _error_text(segment: Segment) -> str:
    if segment.id == "IK3":
        return (f"IK3 segment {segment.element(1).strip()} at position {segment.element(2).strip()}"
                f": syntax error {segment.element(4).strip()}")
    return (f"IK4 element {segment.element(1).strip()} (data element {segment.element(2).strip()})"
            f": syntax error {segment.element(3).strip()}")


def _bad(segment: Segment, source: str | None, message: str) -> InvalidInput:
    return InvalidInput(f"{segment.id}: {message}", Position(file=source, segment=segment.index))


# -- 277CA -------------------------------------------------------------------------------------


def _read_277ca(segments: list[Segment], delimiters: Delimiters,
                source: str | None) -> list[ClaimAck]:
    """One answer per claim-level (HL03 PT) loop: its TRN02, STCs and REF*1K."""
    claims: list[ClaimAck] = []
    level = ""
    current: dict | None = None
    for segment in segments:
        sid = segment.id
        if sid in ("HL", "SE"):
            if current is not None:
                claims.append(_claim_ack(current, delimiters, source))
                current = None
            level = segment.element(3).strip() if sid == "HL" else ""
        elif level == "PT":
            if sid == "TRN":
                current = {"pcn": segment.element(2).strip(), "stc": [], "ref": None,
                           "segment": segment.index}
            elif current is not None and sid == "STC":
                current["stc"].append(segment)
            elif current is not None and sid == "REF" and segment.element(1).strip() == "1K":
                current["ref"] = segment.element(2).strip() or None
    return claims


def _claim_ack(current: dict, delimiters: Delimiters, source: str | None) -> ClaimAck:
    if not current["stc"]:
        raise InvalidInput("the claim-level loop (2200D) has no STC status",
                           Position(file=source, segment=current["segment"]))
    codes: list[str] = []
    for stc in current["stc"]:
        codes += [c.strip().replace(delimiters.component, ":")
                  for c in (stc.element(1), stc.element(10), stc.element(11)) if c.strip()]
    first = current["stc"][0]
    return ClaimAck(current["pcn"], claim_status(codes), tuple(codes), current["ref"],
                    _amount(first.element(4)), current["segment"])


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

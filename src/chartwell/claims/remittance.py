"""Reading an 835 (005010X221A1, Health Care Claim Payment/Advice) into domain remittances, and
the TR3's balancing rules over what was read.

The 835's shape (TR3 section 2.3): the header (BPR payment, TRN trace number, CUR, REF, DTM*405,
loop 1000A N1*PR payer, loop 1000B N1*PE payee), then per provider a loop 2000 (LX, TS3, TS2)
holding claim payments (loop 2100: CLP, CAS, NM1, MIA, MOA, REF, DTM, PER, AMT, QTY) each with
service payments (loop 2110: SVC, DTM, CAS, REF, AMT, QTY, LQ), and at the end the provider
adjustments (PLB) and SE. The reader walks the segments in order with that state; anything that
is not a segment of the 835 is refused, naming its segment number.

Errors name the segment number, segment id and element (``CLP04``), never a value that could be
patient data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from chartwell.claims.x12.lexer import Delimiters, Segment, read_segments
from chartwell.domain.remittance import (
    Adjustment,
    BalanceFinding,
    ClaimPayment,
    ProviderAdjustment,
    Remark,
    Remittance,
    ServicePayment,
)
from chartwell.errors import InvalidInput, Position

ZERO = Decimal("0")
_ENVELOPE = {"ISA", "IEA", "GS", "GE", "TA1"}
_HEADER = {"BPR", "TRN", "CUR", "REF", "DTM", "N1", "N2", "N3", "N4", "PER", "RDM"}
_CLAIM = {"CAS", "NM1", "MIA", "MOA", "REF", "DTM", "PER", "AMT", "QTY"}
_SERVICE = {"DTM", "CAS", "REF", "AMT", "QTY", "LQ"}
SEGMENTS_835 = _HEADER | _CLAIM | _SERVICE | {"ST", "SE", "LX", "TS3", "TS2", "CLP", "SVC", "PLB"}


# -- reading ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Service:
    segment: Segment
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)
    date_of_service: date | None = None
    line_control_number: str | None = None
    allowed: Decimal | None = None


@dataclass(slots=True)
class _Claim:
    segment: Segment
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)
    services: list[_Service] = field(default_factory=list)


@dataclass(slots=True)
class _Transaction:
    st: Segment
    header: list[Segment] = field(default_factory=list)
    claims: list[_Claim] = field(default_factory=list)
    plb: list[Segment] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)


class _Reader:
    """Walks one file's segments; ``source`` names the file in errors."""

    def __init__(self, delimiters: Delimiters, source: str | None):
        self.delimiters = delimiters
        self.source = source

    def error(self, segment: Segment, message: str, element: str | None = None) -> InvalidInput:
        return InvalidInput(f"{segment.id}: {message}",
                            Position(file=self.source, segment=segment.index, field=element))

    def amount(self, segment: Segment, position: int, *, required: bool = True) -> Decimal:
        raw = segment.element(position).strip()
        name = f"{segment.id}{position:02d}"
        if not raw:
            if required:
                raise self.error(segment, f"{name} (an amount) is missing", name)
            return ZERO
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise self.error(segment, f"{name} is not a number", name) from None
        if not value.is_finite():
            raise self.error(segment, f"{name} is not a number", name)
        return value

    def optional_amount(self, segment: Segment, position: int) -> Decimal | None:
        return self.amount(segment, position) if segment.element(position).strip() else None

    def day(self, segment: Segment, position: int) -> date | None:
        raw = segment.element(position).strip()
        if not raw:
            return None
        name = f"{segment.id}{position:02d}"
        try:
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8])) if len(raw) == 8 else _bad()
        except ValueError:
            raise self.error(segment, f"{name} is not a date (CCYYMMDD)", name) from None

    def component(self, segment: Segment, position: int, part: int) -> str:
        return segment.element(position, part, self.delimiters).strip()


def _bad() -> date:
    raise ValueError


def read_remittances(data: bytes | str, source: str | None = None) -> list[Remittance]:
    """Every 835 transaction set in the file, in order. Raises :class:`InvalidInput` naming the
    segment for anything that breaks the envelope or the 835's shape."""
    delimiters, segments = read_segments(data, source)
    reader = _Reader(delimiters, source)
    check_envelope(segments, source)
    transactions = _split(reader, segments)
    if not transactions:
        raise InvalidInput("no 835 transaction set (ST*835) in the file", Position(file=source))
    return [_remittance(reader, each) for each in transactions]


def check_envelope(segments: list[Segment], source: str | None) -> None:
    """The interchange's own counts (X12.5 / X12.6): every ST closed by an SE whose count and
    control number match, every GS by a GE, the ISA by an IEA. A truncated or miscounted file
    is refused here, before anything is read from it."""
    def fail(segment: Segment, message: str, element: str | None = None) -> InvalidInput:
        return InvalidInput(f"{segment.id}: {message}",
                            Position(file=source, segment=segment.index, field=element))

    st: Segment | None = None
    gs: Segment | None = None
    isa: Segment | None = None
    sets_in_group = groups_in_interchange = 0
    for segment in segments:
        if segment.id == "ISA":
            if isa is not None:
                raise fail(segment, "an ISA before the previous interchange's IEA")
            isa, groups_in_interchange = segment, 0
        elif segment.id == "GS":
            if isa is None or gs is not None:
                raise fail(segment, "a GS outside an interchange or before the previous GE")
            gs, sets_in_group = segment, 0
        elif segment.id == "ST":
            if gs is None or st is not None:
                raise fail(segment, "an ST outside a functional group or before the previous SE")
            st = segment
        elif segment.id == "SE":
            if st is None:
                raise fail(segment, "an SE without its ST")
            counted = segment.index - st.index + 1
            if segment.element(1).strip() != str(counted):
                raise fail(segment, f"SE01 says {segment.element(1).strip() or 'nothing'} "
                                    f"segments, the transaction set has {counted} (ST at "
                                    f"segment {st.index} to SE)", "SE01")
            if segment.element(2).strip() != st.element(2).strip():
                raise fail(segment, "SE02 does not match its ST02 control number", "SE02")
            st, sets_in_group = None, sets_in_group + 1
        elif segment.id == "GE":
            if gs is None or st is not None:
                raise fail(segment, "a GE without its GS, or inside an open transaction set")
            if segment.element(1).strip() != str(sets_in_group):
                raise fail(segment, f"GE01 says {segment.element(1).strip() or 'nothing'} "
                                    f"transaction sets, the group has {sets_in_group}", "GE01")
            if segment.element(2).strip() != gs.element(6).strip():
                raise fail(segment, "GE02 does not match its GS06 control number", "GE02")
            gs, groups_in_interchange = None, groups_in_interchange + 1
        elif segment.id == "IEA":
            if isa is None or gs is not None:
                raise fail(segment, "an IEA without its ISA, or inside an open functional group")
            if segment.element(1).strip() != str(groups_in_interchange):
                raise fail(segment, f"IEA01 says {segment.element(1).strip() or 'nothing'} "
                                    f"functional groups, the interchange has "
                                    f"{groups_in_interchange}", "IEA01")
            if segment.element(2).strip() != isa.element(13).strip():
                raise fail(segment, "IEA02 does not match its ISA13 control number", "IEA02")
            isa = None
    last = segments[-1]
    for still_open, closer in ((st, "SE"), (gs, "GE"), (isa, "IEA")):
        if still_open is not None:
            raise fail(last, f"the file ends without the {closer} closing the {still_open.id} "
                             f"at segment {still_open.index} (truncated?)")


def _split(reader: _Reader, segments: list[Segment]) -> list[_Transaction]:
    transactions: list[_Transaction] = []
    current: _Transaction | None = None
    for segment in segments:
        if segment.id in _ENVELOPE:
            continue
        if segment.id == "ST":
            if segment.element(1).strip() != "835":
                raise reader.error(segment, "not an 835 transaction set (ST01 is not 835)", "ST01")
            current = _Transaction(st=segment)
            transactions.append(current)
        current.segments.append(segment)
        if segment.id not in SEGMENTS_835:
            raise reader.error(segment, "not a segment of the 835 (unknown segment id)")
        _place(reader, current, segment)
    return transactions


def _place(reader: _Reader, txn: _Transaction, segment: Segment) -> None:
    """Put one segment where the 835's loops say it belongs."""
    sid = segment.id
    if sid in ("ST", "SE"):
        return
    if txn.plb and sid != "PLB":
        raise reader.error(segment, "after the PLB (provider adjustments) only PLB and SE may come")
    if sid == "PLB":
        txn.plb.append(segment)
    elif sid == "CLP":
        txn.claims.append(_Claim(segment))
    elif sid in ("LX", "TS3", "TS2"):
        if txn.claims and sid != "LX" and txn.claims[-1].segment.index > _last_lx(txn):
            raise reader.error(segment, f"{sid} belongs before the claim payments of its LX")
        txn.header.append(segment)
    elif not txn.claims:
        if sid not in _HEADER:
            raise reader.error(segment, "before the first claim payment (CLP) this segment "
                                        "has no place in the 835 header")
        txn.header.append(segment)
    elif sid == "SVC":
        txn.claims[-1].services.append(_Service(segment))
    elif txn.claims[-1].services:
        _service_detail(reader, txn.claims[-1].services[-1], segment)
    else:
        _claim_detail(reader, txn.claims[-1], segment)


def _last_lx(txn: _Transaction) -> int:
    return max((s.index for s in txn.header if s.id == "LX"), default=0)


def _claim_detail(reader: _Reader, claim: _Claim, segment: Segment) -> None:
    if segment.id not in _CLAIM:
        raise reader.error(segment, "not a segment of the claim payment loop (2100)")
    if segment.id == "CAS":
        claim.adjustments.extend(_adjustments(reader, segment))
    elif segment.id in ("MOA", "MIA"):
        claim.remarks.extend(_remarks(segment))


def _service_detail(reader: _Reader, service: _Service, segment: Segment) -> None:
    sid = segment.id
    if sid not in _SERVICE:
        raise reader.error(segment, "not a segment of the service payment loop (2110)")
    if sid == "CAS":
        service.adjustments.extend(_adjustments(reader, segment))
    elif sid == "LQ" and segment.element(1).strip() == "HE":
        service.remarks.append(Remark(segment.element(2).strip(), "LQ", segment.index))
    elif sid == "DTM" and segment.element(1).strip() in ("472", "150"):
        service.date_of_service = service.date_of_service or reader.day(segment, 2)
    elif sid == "REF" and segment.element(1).strip() == "6R":
        service.line_control_number = segment.element(2).strip() or None
    elif sid == "AMT" and segment.element(1).strip() == "B6":
        service.allowed = reader.amount(segment, 2)


_MOA_REMARKS = (3, 4, 5, 6, 7)  # MOA03-07
_MIA_REMARKS = (5, 20, 21, 22, 23)  # MIA05, MIA20-23


def _remarks(segment: Segment) -> list[Remark]:
    positions = _MOA_REMARKS if segment.id == "MOA" else _MIA_REMARKS
    return [Remark(code, segment.id, segment.index)
            for position in positions if (code := segment.element(position).strip())]


def _adjustments(reader: _Reader, segment: Segment) -> list[Adjustment]:
    """CAS carries up to six reason/amount/quantity triplets after its group code (CAS02-19)."""
    group = segment.element(1).strip()
    if not group:
        raise reader.error(segment, "CAS01 (the adjustment group code) is missing", "CAS01")
    found = []
    for start in range(2, 20, 3):
        reason = segment.element(start).strip()
        if not reason:
            continue
        found.append(Adjustment(group, reason, reader.amount(segment, start + 1),
                                reader.optional_amount(segment, start + 2), segment.index))
    if not found:
        raise reader.error(segment, "CAS02 (the adjustment reason code) is missing", "CAS02")
    return found


def _remittance(reader: _Reader, txn: _Transaction) -> Remittance:
    header = {s.id: s for s in reversed(txn.header)}  # the first of each id
    bpr, trn = header.get("BPR"), header.get("TRN")
    if bpr is None or trn is None:
        raise reader.error(txn.st, "the 835 header lacks its " + ("BPR" if bpr is None else "TRN"))
    payer, payee = _party(txn.header, "PR"), _party(txn.header, "PE")
    se = txn.segments[-1]
    return Remittance(
        control_number=txn.st.element(2).strip(),
        handling_code=bpr.element(1).strip(),
        payment_amount=reader.amount(bpr, 2),
        credit_debit=bpr.element(3).strip() or "C",
        payment_method=bpr.element(4).strip(),
        payment_date=reader.day(bpr, 16),
        trace_number=_required(reader, trn, 2),
        payer_identifier=(trn.element(3).strip() or _payer_ref(txn.header)
                          or (payer.element(4).strip() if payer else "")
                          or (payer.element(2).strip() if payer else "")),
        payer_name=payer.element(2).strip() if payer else "",
        payee_name=payee.element(2).strip() if payee else "",
        payee_identifier=(payee.element(4).strip() or None) if payee else None,
        production_date=next((reader.day(s, 2) for s in txn.header
                              if s.id == "DTM" and s.element(1).strip() == "405"), None),
        claims=tuple(_claim_payment(reader, claim) for claim in txn.claims),
        provider_adjustments=tuple(a for plb in txn.plb for a in _provider_adjustments(reader, plb)),
        first_segment=txn.st.index, last_segment=se.index,
        digest=_digest(txn.segments),
    )


def _required(reader: _Reader, segment: Segment, position: int) -> str:
    value = segment.element(position).strip()
    if not value:
        name = f"{segment.id}{position:02d}"
        raise reader.error(segment, f"{name} is required", name)
    return value


def _party(header: list[Segment], code: str) -> Segment | None:
    return next((s for s in header if s.id == "N1" and s.element(1).strip() == code), None)


def _payer_ref(header: list[Segment]) -> str:
    return next((s.element(2).strip() for s in header
                 if s.id == "REF" and s.element(1).strip() == "2U"), "")


def _digest(segments: list[Segment]) -> str:
    text = "~".join("*".join([s.id, *s.elements]) for s in segments)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _claim_payment(reader: _Reader, claim: _Claim) -> ClaimPayment:
    clp = claim.segment
    return ClaimPayment(
        patient_control_number=_required(reader, clp, 1),
        status_code=_required(reader, clp, 2),
        charge=reader.amount(clp, 3),
        paid=reader.amount(clp, 4),
        patient_responsibility=reader.amount(clp, 5, required=False),
        filing_indicator=clp.element(6).strip(),
        payer_claim_number=clp.element(7).strip() or None,
        facility_code=clp.element(8).strip() or None,
        frequency=clp.element(9).strip() or None,
        adjustments=tuple(claim.adjustments),
        services=tuple(_service_payment(reader, s) for s in claim.services),
        remarks=tuple(claim.remarks),
        segment=clp.index,
    )


def _service_payment(reader: _Reader, service: _Service) -> ServicePayment:
    svc = service.segment
    parts = svc.element(1).split(reader.delimiters.component)
    if not parts[0].strip():
        raise reader.error(svc, "SVC01 (the procedure code) is missing", "SVC01")
    return ServicePayment(
        procedure_qualifier=parts[0].strip(),
        procedure_code=parts[1].strip() if len(parts) > 1 else "",
        modifiers=tuple(p.strip() for p in parts[2:6] if p.strip()),
        charge=reader.amount(svc, 2),
        paid=reader.amount(svc, 3),
        revenue_code=svc.element(4).strip() or None,
        units=reader.optional_amount(svc, 5),
        date_of_service=service.date_of_service,
        line_control_number=service.line_control_number,
        allowed=service.allowed,
        adjustments=tuple(service.adjustments),
        remarks=tuple(service.remarks),
        segment=svc.index,
    )


def _provider_adjustments(reader: _Reader, plb: Segment) -> list[ProviderAdjustment]:
    """PLB carries up to six reason:reference / amount pairs after the provider and the fiscal
    period (PLB03-14)."""
    found = []
    for start in range(3, 15, 2):
        if not plb.element(start).strip():
            continue
        found.append(ProviderAdjustment(
            provider_identifier=plb.element(1).strip(),
            fiscal_period_end=reader.day(plb, 2),
            reason=reader.component(plb, start, 1),
            reference=reader.component(plb, start, 2) or None,
            amount=reader.amount(plb, start + 1),
            segment=plb.index))
    if not found:
        raise reader.error(plb, "PLB03 (the adjustment reason) is missing", "PLB03")
    return found


# -- balancing (TR3 005010X221A1 section 1.10.2) ---------------------------------------------

_SOURCE = "ASC X12N 005010X221A1 (835) TR3 section 1.10.2, Balancing"


def service_line_balance(line: ServicePayment) -> BalanceFinding | None:
    """1.10.2.1: a line's charge minus its payment equals the sum of its adjustments."""
    adjusted = sum((a.amount for a in line.adjustments), ZERO)
    if line.charge - line.paid == adjusted:
        return None
    return BalanceFinding(
        "service_line", line.segment, "SVC", line.charge - line.paid, adjusted,
        f"service line at segment {line.segment}: charge {line.charge} - paid {line.paid} = "
        f"{line.charge - line.paid}, but its adjustments (CAS) add up to {adjusted}", _SOURCE)


def claim_balance(claim: ClaimPayment) -> BalanceFinding | None:
    """1.10.2.2: a claim's charge minus its payment equals the sum of every adjustment, claim
    level and line level."""
    adjusted = sum((a.amount for a in claim.all_adjustments()), ZERO)
    if claim.charge - claim.paid == adjusted:
        return None
    return BalanceFinding(
        "claim", claim.segment, "CLP", claim.charge - claim.paid, adjusted,
        f"claim payment at segment {claim.segment}: charge {claim.charge} - paid {claim.paid} "
        f"= {claim.charge - claim.paid}, but its adjustments (CAS, claim and line level) add "
        f"up to {adjusted}", _SOURCE)


def transaction_balance(remittance: Remittance) -> BalanceFinding | None:
    """1.10.2.3: the payment (BPR02) equals the claims' payments minus the provider-level
    adjustments (a debit, BPR03 D, is the negative of that total)."""
    paid = sum((c.paid for c in remittance.claims), ZERO)
    provider = sum((a.amount for a in remittance.provider_adjustments), ZERO)
    expected = paid - provider
    actual = -remittance.payment_amount if remittance.credit_debit == "D" else remittance.payment_amount
    if expected == actual:
        return None
    return BalanceFinding(
        "transaction", remittance.first_segment + 1, "BPR", expected, actual,
        f"the payment (BPR02) is {remittance.payment_amount}, but the claim payments "
        f"({paid}) minus the provider adjustments (PLB, {provider}) are {expected}", _SOURCE)


def balance_findings(remittance: Remittance) -> list[BalanceFinding]:
    """Every place the remittance does not balance, line, claim and payment."""
    found: list[BalanceFinding] = []
    for claim in remittance.claims:
        found += [f for line in claim.services if (f := service_line_balance(line))]
        if finding := claim_balance(claim):
            found.append(finding)
    if finding := transaction_balance(remittance):
        found.append(finding)
    return found

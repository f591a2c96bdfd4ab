"""Reading an 835 (005010X221A1, Health Care Claim Payment/Advice) into domain remittances, and
the TR3's balancing rules over what was read.

The 835's shape (TR3 section 2.3): the header (BPR payment, TRN trace number, CUR, REF, DTM*405,
loop 1000A N1*PR payer, loop 1000B N1*PE payee), then per provider a loop 2000 (LX, TS3, TS2)
holding claim payments (loop 2100: CLP, CAS, NM1, MIA, MOA, REF, DTM, PER, AMT, QTY) each with
service payments (loop 2110: SVC, DTM, CAS, REF, AMT, QTY, LQ), and at the end the provider
adjustments (PLB) and SE. The X12 engine (:mod:`chartwell.claims.x12.reader`) reads the file into
that loop tree and checks its envelope and loops; a file it finds structurally broken is refused
(:func:`chartwell.claims.x12.reader.read_checked`). What is checked here is what posting needs from each segment: amounts that
are numbers, the codes and identifiers it keys on.

Errors name the segment number, segment id and element (``CLP04``), never a value that could be
patient data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from chartwell.claims.x12.lexer import Delimiters, Segment
from chartwell.claims.x12.reader import Transaction, read_checked
from chartwell.claims.x12.registry import guide_for
from chartwell.claims.x12.validator import X12Error
from chartwell.claims.x12.walker import LoopNode, walk
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
GUIDE_835 = "005010X221A1"


@dataclass(frozen=True, slots=True)
class RemittanceFile:
    """The 835 transaction sets of one file, and the validator's element-level notes on it (the
    file was read: none of them is structural)."""

    remittances: list[Remittance]
    notes: list[X12Error]


def read_remittances(data: bytes | str, source: str | None = None) -> list[Remittance]:
    """Every 835 transaction set in the file, in order. Raises :class:`InvalidInput` naming the
    segment for anything that breaks the envelope or the 835's shape."""
    return read_remittance_file(data, source).remittances


def read_remittance_file(data: bytes | str, source: str | None = None) -> RemittanceFile:
    """:func:`read_remittances`, with the validator's non-structural notes."""
    parsed = read_checked(data, source, "835", _is_835)
    remittances = []
    for interchange in parsed.interchanges:
        reader = _Reader(interchange.delimiters, source)
        remittances += [reader.remittance(each) for each in interchange.transactions]
    if not remittances:
        raise InvalidInput("no 835 transaction set (ST*835) in the file", Position(file=source))
    return RemittanceFile(remittances, list(parsed.report.errors))


def _is_835(transaction: Transaction) -> bool:
    return transaction.id.strip() == "835"


def _loops_of(transaction: Transaction, delimiters: Delimiters) -> LoopNode:
    """The transaction's loop tree. A 4010 835 (004010X091A1), for which the engine has no
    guide, is walked with the 5010 guide's loops: the loops and their triggers are the same
    (5010 changed codes and situational rules, not the shape)."""
    if transaction.guide is not None:
        return transaction.root
    compiled = guide_for("835", GUIDE_835).compiled
    return walk(compiled, transaction.root.segments, delimiters.component,
                delimiters.repetition, [], check_elements=False)


class _Reader:
    """Reads one interchange's 835 loop trees; ``source`` names the file in errors."""

    def __init__(self, delimiters: Delimiters, source: str | None):
        self.delimiters = delimiters
        self.source = source

    def error(self, segment: Segment, message: str, element: str | None = None) -> InvalidInput:
        return InvalidInput(f"{segment.id}: {message}",
                            Position(file=self.source, segment=segment.index, field=element))

    # -- values

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
            if len(raw) != 8:
                raise ValueError(raw)
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
        except ValueError:
            raise self.error(segment, f"{name} is not a date (CCYYMMDD)", name) from None

    def required(self, segment: Segment, position: int) -> str:
        value = segment.element(position).strip()
        if not value:
            name = f"{segment.id}{position:02d}"
            raise self.error(segment, f"{name} is required", name)
        return value

    def component(self, segment: Segment, position: int, part: int) -> str:
        return segment.element(position, part, self.delimiters).strip()

    # -- the transaction: header, 1000A payer, 1000B payee, 2000 / 2100 claims, PLB

    def remittance(self, transaction: Transaction) -> Remittance:
        st = transaction.root.segments[0]
        root = _loops_of(transaction, self.delimiters)
        bpr, trn = root.first("BPR"), root.first("TRN")
        if bpr is None or trn is None:
            raise self.error(st, "the 835 header lacks its " + ("BPR" if bpr is None else "TRN"))
        payer_loop, payee_loop = _party(root, "1000A", "PR"), _party(root, "1000B", "PE")
        payer = payer_loop.segments[0] if payer_loop else None
        payee = payee_loop.segments[0] if payee_loop else None
        payer_reference = payer_loop.first("REF", "2U") if payer_loop else None
        production = root.first("DTM", "405")
        segments = list(root.iter_segments())
        return Remittance(
            control_number=transaction.control_number.strip(),
            handling_code=bpr.element(1).strip(),
            payment_amount=self.amount(bpr, 2),
            credit_debit=bpr.element(3).strip() or "C",
            payment_method=bpr.element(4).strip(),
            payment_date=self.day(bpr, 16),
            trace_number=self.required(trn, 2),
            payer_identifier=(trn.element(3).strip()
                              or (payer_reference.element(2).strip() if payer_reference else "")
                              or (payer.element(4).strip() if payer else "")
                              or (payer.element(2).strip() if payer else "")),
            payer_name=payer.element(2).strip() if payer else "",
            payee_name=payee.element(2).strip() if payee else "",
            payee_identifier=(payee.element(4).strip() or None) if payee else None,
            production_date=self.day(production, 2) if production else None,
            claims=tuple(self.claim_payment(claim) for claim in root.find_all("2100")),
            provider_adjustments=tuple(adjustment for plb in root.all("PLB")
                                       for adjustment in self.provider_adjustments(plb)),
            first_segment=st.index, last_segment=segments[-1].index,
            digest=_digest(segments),
        )

    def claim_payment(self, loop: LoopNode) -> ClaimPayment:
        """Loop 2100: CLP, its claim-level CAS and MIA / MOA remarks, its 2110 lines."""
        clp = loop.segments[0]
        return ClaimPayment(
            patient_control_number=self.required(clp, 1),
            status_code=self.required(clp, 2),
            charge=self.amount(clp, 3),
            paid=self.amount(clp, 4),
            patient_responsibility=self.amount(clp, 5, required=False),
            filing_indicator=clp.element(6).strip(),
            payer_claim_number=clp.element(7).strip() or None,
            facility_code=clp.element(8).strip() or None,
            frequency=clp.element(9).strip() or None,
            adjustments=tuple(self.adjustments(loop)),
            services=tuple(self.service_payment(line) for line in loop.children("2110")),
            remarks=tuple(remark for segment in loop.segments if segment.id in _REMARKS
                          for remark in _remarks(segment)),
            segment=clp.index,
        )

    def service_payment(self, loop: LoopNode) -> ServicePayment:
        """Loop 2110: SVC, its CAS, the first service date, REF*6R, AMT*B6, LQ*HE remarks."""
        svc = loop.segments[0]
        parts = svc.element(1).split(self.delimiters.component)
        if not parts[0].strip():
            raise self.error(svc, "SVC01 (the procedure code) is missing", "SVC01")
        served = next((dtm for dtm in loop.all("DTM")
                       if dtm.element(1).strip() in _SERVICE_DATES), None)
        control = loop.all("REF", "6R")
        allowed = loop.all("AMT", "B6")
        return ServicePayment(
            procedure_qualifier=parts[0].strip(),
            procedure_code=parts[1].strip() if len(parts) > 1 else "",
            modifiers=tuple(p.strip() for p in parts[2:6] if p.strip()),
            charge=self.amount(svc, 2),
            paid=self.amount(svc, 3),
            revenue_code=svc.element(4).strip() or None,
            units=self.optional_amount(svc, 5),
            date_of_service=self.day(served, 2) if served else None,
            line_control_number=(control[-1].element(2).strip() or None) if control else None,
            allowed=self.amount(allowed[-1], 2) if allowed else None,
            adjustments=tuple(self.adjustments(loop)),
            remarks=tuple(Remark(lq.element(2).strip(), "LQ", lq.index)
                          for lq in loop.all("LQ") if lq.element(1).strip() == "HE"),
            segment=svc.index,
        )

    def adjustments(self, loop: LoopNode) -> list[Adjustment]:
        """Every CAS of the loop: up to six reason/amount/quantity triplets after its group
        code (CAS02-19)."""
        found = []
        for cas in loop.all("CAS"):
            group = cas.element(1).strip()
            if not group:
                raise self.error(cas, "CAS01 (the adjustment group code) is missing", "CAS01")
            triplets = [Adjustment(group, reason, self.amount(cas, start + 1),
                                   self.optional_amount(cas, start + 2), cas.index)
                        for start in range(2, 20, 3) if (reason := cas.element(start).strip())]
            if not triplets:
                raise self.error(cas, "CAS02 (the adjustment reason code) is missing", "CAS02")
            found += triplets
        return found

    def provider_adjustments(self, plb: Segment) -> list[ProviderAdjustment]:
        """PLB carries up to six reason:reference / amount pairs after the provider and the
        fiscal period (PLB03-14)."""
        found = []
        for start in range(3, 15, 2):
            if not plb.element(start).strip():
                continue
            found.append(ProviderAdjustment(
                provider_identifier=plb.element(1).strip(),
                fiscal_period_end=self.day(plb, 2),
                reason=self.component(plb, start, 1),
                reference=self.component(plb, start, 2) or None,
                amount=self.amount(plb, start + 1),
                segment=plb.index))
        if not found:
            raise self.error(plb, "PLB03 (the adjustment reason) is missing", "PLB03")
        return found


_SERVICE_DATES = ("472", "150")  # 472 the service date, 150 the start of a period
_REMARKS = {"MOA": (3, 4, 5, 6, 7), "MIA": (5, 20, 21, 22, 23)}  # MOA03-07; MIA05, MIA20-23


def _remarks(segment: Segment) -> list[Remark]:
    return [Remark(code, segment.id, segment.index)
            for position in _REMARKS[segment.id] if (code := segment.element(position).strip())]


def _party(root: LoopNode, loop_id: str, code: str) -> LoopNode | None:
    """The payer (1000A, N1*PR) or payee (1000B, N1*PE) loop."""
    return next((loop for loop in root.children(loop_id)
                 if loop.segments[0].element(1).strip() == code), None)


def _digest(segments: list[Segment]) -> str:
    """The transaction set's content (ST to SE), to tell a payment sent again from another one
    with the same trace number."""
    text = "~".join("*".join([s.id, *s.elements]) for s in segments)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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

"""Claims as 837 transactions: the professional claim (837P, 005010X222A1) and the institutional
claim (837I, 005010X223A2), written from :class:`~chartwell.domain.claims.Claim` and read back.

The loops follow the TR3s' hierarchy (written by hand from the published structure):

    1000A submitter (NM1*41, PER)      1000B receiver (NM1*40)
    2000A billing provider HL (20)     PRV*BI, 2010AA NM1*85 N3 N4 REF*EI
      2000B subscriber HL (22)         SBR, 2010BA NM1*IL N3 N4 DMG, 2010BB NM1*PR
        2000C patient HL (23)          PAT, 2010CA NM1*QC N3 N4 DMG (when not the subscriber)
          2300 claim                   CLM, DTP, CL1 (837I), REF, HI, 2310x providers
            2400 service line          LX, SV1 (837P) / SV2 (837I), DTP*472, 2410 LIN CTP

Every claim gets its own subscriber HL (a subscriber loop may repeat; no merging needed). A
transaction set holds at most :data:`CLAIMS_PER_TRANSACTION` claims (the TR3s' recommended limit
of 5,000 CLM per ST), the claims of one billing provider under one 2000A.

Speed matters (bulk exports): segments are strings joined here, nothing else is allocated.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from chartwell.claims.x12.lexer import Delimiters, Segment, read_segments
from chartwell.claims.x12.writer import DELIMITERS, Envelope, TransactionSet, write_interchange
from chartwell.domain.claims import (
    Address,
    Admission,
    Claim,
    ClaimDiagnosis,
    ClaimKind,
    ClaimProcedure,
    CodeWithDate,
    DiagnosisRole,
    Drug,
    EntityKind,
    Frequency,
    Payer,
    Person,
    Provider,
    ProviderRole,
    ServiceLine,
    Subscriber,
)
from chartwell.errors import InvalidInput, Position

IMPLEMENTATION = {ClaimKind.PROFESSIONAL: "005010X222A1", ClaimKind.INSTITUTIONAL: "005010X223A2"}
KIND_OF_IMPLEMENTATION = {value: key for key, value in IMPLEMENTATION.items()}
CLAIMS_PER_TRANSACTION = 5000

# 2310x provider loops: the entity identifier (NM101) and the order the TR3 puts them in.
PROVIDER_LOOPS = {
    ClaimKind.PROFESSIONAL: ((ProviderRole.REFERRING, "DN"), (ProviderRole.RENDERING, "82"),
                             (ProviderRole.SERVICE_FACILITY, "77")),
    ClaimKind.INSTITUTIONAL: ((ProviderRole.ATTENDING, "71"), (ProviderRole.OPERATING, "72"),
                              (ProviderRole.RENDERING, "82"), (ProviderRole.SERVICE_FACILITY, "77"),
                              (ProviderRole.REFERRING, "DN")),
}
PRV_QUALIFIER = {ProviderRole.RENDERING: "PE", ProviderRole.ATTENDING: "AT",
                 ProviderRole.OPERATING: None, ProviderRole.REFERRING: None,
                 ProviderRole.SERVICE_FACILITY: None}
ROLE_OF_ENTITY = {"DN": ProviderRole.REFERRING, "82": ProviderRole.RENDERING,
                  "77": ProviderRole.SERVICE_FACILITY, "71": ProviderRole.ATTENDING,
                  "72": ProviderRole.OPERATING}


def provider_order(kind: ClaimKind, providers: Iterable[Provider]) -> tuple[Provider, ...]:
    """The claim's providers in the order the 2310 loops come (what the reader gives back)."""
    rank = {role: index for index, (role, _) in enumerate(PROVIDER_LOOPS[kind])}
    return tuple(sorted(providers, key=lambda each: rank.get(each.role, len(rank))))


@dataclass(frozen=True, slots=True)
class Submission:
    """Who sends the batch and who receives it (loops 1000A and 1000B)."""

    submitter_name: str
    submitter_id: str  # NM109 of 1000A (46: electronic transmitter id)
    contact_name: str
    contact_phone: str  # PER04 with TE: digits only
    receiver_name: str
    receiver_id: str  # NM109 of 1000B
    reference: str  # BHT03: the originator's id of this batch
    created: datetime


# --------------------------------------------------------------------------------- values

_UNSAFE = str.maketrans({"*": " ", ":": " ", "^": " ", "~": " ", "\n": " ", "\r": " "})


def text(value: str | None) -> str:
    """A value as an element: no delimiter can hide inside it."""
    return value.translate(_UNSAFE).strip() if value else ""


def ymd(day: date) -> str:
    return day.isoformat().replace("-", "")


def amount(value: Decimal) -> str:
    """An X12 decimal (R): no exponent, no trailing zeros after the point."""
    written = format(value, "f")
    if "." in written:
        written = written.rstrip("0").rstrip(".")
    return written if written not in ("", "-0") else "0"


def icd(code: str) -> str:
    return code.replace(".", "")


def _date_element(start: date, end: date | None) -> tuple[str, str]:
    if end is not None and end != start:
        return "RD8", f"{ymd(start)}-{ymd(end)}"
    return "D8", ymd(start)


# --------------------------------------------------------------------------------- writing


def write_837(claims: Sequence[Claim], *, kind: ClaimKind, submission: Submission,
              envelope: Envelope, interchange_control: int, group_control: int,
              line_break: bool = True) -> str:
    """An interchange holding ``claims`` (all of ``kind``) in as many transaction sets as the
    per-ST limit needs, each ST02 numbered 0001, 0002, ... within the group."""
    for index, claim in enumerate(claims):
        if claim.kind is not kind:
            raise InvalidInput(f"claim {index + 1} is {claim.kind}, the batch is {kind}",
                               Position(resource=f"claim {index + 1}", field="kind"))
    sets = []
    for number, start in enumerate(range(0, len(claims), CLAIMS_PER_TRANSACTION), start=1):
        chunk = claims[start:start + CLAIMS_PER_TRANSACTION]
        sets.append(TransactionSet(f"{number:04d}", transaction_body(chunk, kind, submission,
                                                                    f"{number:04d}"),
                                   IMPLEMENTATION[kind]))
    return write_interchange(envelope, interchange_control, group_control, sets,
                             line_break=line_break)


def transaction_body(claims: Sequence[Claim], kind: ClaimKind, submission: Submission,
                     st_control: str) -> list[str]:
    """The segments between ST and SE: header, 1000A/B, then each billing provider's claims."""
    e = DELIMITERS.element
    created = submission.created
    out = [f"BHT*0019*00*{text(submission.reference)}{st_control}*{created:%Y%m%d}*{created:%H%M}*CH",
           f"NM1*41*2*{text(submission.submitter_name)}*****46*{text(submission.submitter_id)}",
           f"PER*IC*{text(submission.contact_name)}*TE*{text(submission.contact_phone)}",
           f"NM1*40*2*{text(submission.receiver_name)}*****46*{text(submission.receiver_id)}"]
    assert e == "*"  # the f-strings above and below write DELIMITERS
    by_billing: dict[tuple, list[Claim]] = {}
    for claim in claims:
        billing = claim.billing
        by_billing.setdefault((billing.npi, billing.name, billing.tax_id, billing.address,
                               billing.taxonomy_code), []).append(claim)
    hl = 0
    write_claim = _professional_claim if kind is ClaimKind.PROFESSIONAL else _institutional_claim
    for group in by_billing.values():
        hl += 1
        parent = hl
        out.append(f"HL*{parent}**20*1")
        _billing_provider(out, group[0].billing)
        for claim in group:
            hl = _subscriber_and_patient(out, claim, hl + 1, parent)
            write_claim(out, claim)
    return out


def _nm1(entity: str, provider: Provider) -> str:
    npi = f"*XX*{provider.npi}" if provider.npi else ""
    if provider.entity is EntityKind.ORGANIZATION:
        head = f"NM1*{entity}*2*{text(provider.name)}****"
    else:
        head = f"NM1*{entity}*1*{text(provider.name)}*{text(provider.given_name)}***"
    return head + npi if npi else head.rstrip("*")


def _address(out: list[str], address: Address | None) -> None:
    if address is None:
        return
    line2 = f"*{text(address.line2)}" if address.line2 else ""
    out.append(f"N3*{text(address.line1)}{line2}")
    out.append(f"N4*{text(address.city)}*{text(address.state)}*{text(address.postal_code)}")


def _billing_provider(out: list[str], billing: Provider) -> None:
    if billing.taxonomy_code:
        out.append(f"PRV*BI*PXC*{text(billing.taxonomy_code)}")
    out.append(_nm1("85", billing))
    _address(out, billing.address)
    if billing.tax_id:
        out.append(f"REF*EI*{text(billing.tax_id).replace('-', '')}")


def _person(out: list[str], entity: str, person: Person, identifier: str | None,
            demographics: bool) -> None:
    ident = f"****MI*{text(identifier)}" if identifier else ""
    out.append(f"NM1*{entity}*1*{text(person.family_name)}*{text(person.given_name)}{ident}")
    _address(out, person.address)
    if demographics and person.birth_date is not None:
        out.append(f"DMG*D8*{ymd(person.birth_date)}*{person.sex}")


def _subscriber_and_patient(out: list[str], claim: Claim, hl: int, parent: int) -> int:
    """2000B (+2010BA, 2010BB) and, when the patient is not the subscriber, 2000C (+2010CA).
    Returns the last HL number used."""
    subscriber = claim.subscriber
    patient_is_subscriber = claim.patient is None
    out.append(f"HL*{hl}*{parent}*22*{0 if patient_is_subscriber else 1}")
    relationship = "18" if patient_is_subscriber else ""
    out.append(f"SBR*{subscriber.payer_responsibility}*{relationship}*"
               f"{text(subscriber.group_number)}******{claim.payer.claim_filing_indicator}")
    _person(out, "IL", subscriber.person, subscriber.member_id, patient_is_subscriber)
    out.append(f"NM1*PR*2*{text(claim.payer.name)}*****PI*{text(claim.payer.payer_id)}")
    if patient_is_subscriber:
        return hl
    out.append(f"HL*{hl + 1}*{hl}*23*0")
    out.append(f"PAT*{claim.patient_relationship}")
    _person(out, "QC", claim.patient, None, True)
    return hl + 1


def _claim_references(out: list[str], claim: Claim) -> None:
    """2300 REF in TR3 order: referral (9F), prior authorization (G1), payer claim control
    number (F8, required on a replacement or void)."""
    if claim.referral_number:
        out.append(f"REF*9F*{text(claim.referral_number)}")
    if claim.prior_authorization:
        out.append(f"REF*G1*{text(claim.prior_authorization)}")
    if claim.payer_claim_number:
        out.append(f"REF*F8*{text(claim.payer_claim_number)}")


def _providers(out: list[str], claim: Claim) -> None:
    for role, entity in PROVIDER_LOOPS[claim.kind]:
        provider = claim.provider(role)
        if provider is None:
            continue
        out.append(_nm1(entity, provider))
        qualifier = PRV_QUALIFIER[role]
        if qualifier and provider.taxonomy_code:
            out.append(f"PRV*{qualifier}*PXC*{text(provider.taxonomy_code)}")
        if role is ProviderRole.SERVICE_FACILITY:
            _address(out, provider.address)


def _drug(out: list[str], drug: Drug | None) -> None:
    if drug is not None:
        out.append(f"LIN**N4*{text(drug.ndc).replace('-', '')}")
        out.append(f"CTP****{amount(drug.quantity)}*{drug.unit}")


def _procedure(line: ServiceLine) -> str:
    return ":".join(("HC", text(line.procedure_code), *map(text, line.modifiers)))


# -- 837P ------------------------------------------------------------------------------------


def _professional_claim(out: list[str], claim: Claim) -> None:
    out.append(f"CLM*{text(claim.patient_control_number)}*{amount(claim.total_charge)}***"
               f"{claim.place_of_service}:B:{claim.frequency.value}*{claim.provider_signature}*"
               f"{claim.accept_assignment}*{claim.benefits_assigned}*{claim.release_of_information}")
    if claim.onset_date:
        out.append(f"DTP*431*D8*{ymd(claim.onset_date)}")
    _claim_references(out, claim)
    if claim.diagnoses:
        codes = [f"{'ABK' if index == 0 else 'ABF'}:{icd(dx.code)}"
                 for index, dx in enumerate(claim.diagnoses)]
        out.append("HI*" + "*".join(codes))
    _providers(out, claim)
    for line in claim.lines:
        out.append(f"LX*{line.number}")
        pointers = ":".join(map(str, line.diagnosis_pointers))
        out.append(f"SV1*{_procedure(line)}*{amount(line.charge)}*{line.unit_type}*"
                   f"{amount(line.units)}*{line.place_of_service or ''}**{pointers}")
        if line.service_date:
            qualifier, value = _date_element(line.service_date, line.service_date_end)
            out.append(f"DTP*472*{qualifier}*{value}")
        _drug(out, line.drug)


# -- 837I ------------------------------------------------------------------------------------


def _hi(out: list[str], composites: list[str], per_segment: int = 12) -> None:
    for start in range(0, len(composites), per_segment):
        out.append("HI*" + "*".join(composites[start:start + per_segment]))


def _dx(qualifier: str, dx: ClaimDiagnosis) -> str:
    return f"{qualifier}:{icd(dx.code)}:::::::{dx.poa}" if dx.poa else f"{qualifier}:{icd(dx.code)}"


_INSTITUTIONAL_DX = {DiagnosisRole.PRINCIPAL: "ABK", DiagnosisRole.ADMITTING: "ABJ",
                     DiagnosisRole.REASON_FOR_VISIT: "APR", DiagnosisRole.EXTERNAL_CAUSE: "ABN",
                     DiagnosisRole.OTHER: "ABF"}
ROLE_OF_QUALIFIER = {value: key for key, value in _INSTITUTIONAL_DX.items()}


def _institutional_codes(out: list[str], claim: Claim) -> None:
    """The 2300 HI segments in TR3 order: principal, admitting, reasons for visit, external
    causes, DRG, other diagnoses, principal and other procedures, occurrence, value and
    condition codes."""
    by_role: dict[DiagnosisRole, list[str]] = {role: [] for role in _INSTITUTIONAL_DX}
    for dx in claim.diagnoses:
        by_role[dx.role].append(_dx(_INSTITUTIONAL_DX[dx.role], dx))
    for role in (DiagnosisRole.PRINCIPAL, DiagnosisRole.ADMITTING):
        _hi(out, by_role[role][:1])
    _hi(out, by_role[DiagnosisRole.REASON_FOR_VISIT][:3])
    _hi(out, by_role[DiagnosisRole.EXTERNAL_CAUSE])
    if claim.drg:
        out.append(f"HI*DR:{text(claim.drg)}")
    _hi(out, by_role[DiagnosisRole.OTHER])
    principal = [p for p in claim.procedures if p.principal][:1]
    _hi(out, [f"BBR:{p.code}:D8:{ymd(p.date)}" for p in principal])
    _hi(out, [f"BBQ:{p.code}:D8:{ymd(p.date)}" for p in claim.procedures if not p.principal])
    _hi(out, [f"BH:{text(o.code)}:D8:{ymd(o.date)}" for o in claim.occurrence_codes if o.date])
    _hi(out, [f"BE:{text(v.code)}:::{amount(v.amount)}" for v in claim.value_codes
              if v.amount is not None])
    _hi(out, [f"BG:{text(code)}" for code in claim.condition_codes])


def _institutional_claim(out: list[str], claim: Claim) -> None:
    out.append(f"CLM*{text(claim.patient_control_number)}*{amount(claim.total_charge)}***"
               f"{claim.facility_type}:A:{claim.frequency.value}**{claim.accept_assignment}*"
               f"{claim.benefits_assigned}*{claim.release_of_information}")
    admission = claim.admission
    if admission is not None and admission.discharge_hour:
        out.append(f"DTP*096*TM*{admission.discharge_hour}")
    if claim.statement_from:
        qualifier, value = _date_element(claim.statement_from, claim.statement_to)
        out.append(f"DTP*434*RD8*{value if qualifier == 'RD8' else value + '-' + value}")
    if admission is not None:
        if admission.hour:
            out.append(f"DTP*435*DT*{ymd(admission.date)}{admission.hour}")
        else:
            out.append(f"DTP*435*D8*{ymd(admission.date)}")
        out.append(f"CL1*{admission.type}*{admission.source}*{admission.discharge_status}")
    _claim_references(out, claim)
    _institutional_codes(out, claim)
    _providers(out, claim)
    for line in claim.lines:
        out.append(f"LX*{line.number}")
        procedure = _procedure(line) if line.procedure_code else ""
        out.append(f"SV2*{line.revenue_code}*{procedure}*{amount(line.charge)}*{line.unit_type}*"
                   f"{amount(line.units)}")
        if line.service_date:
            qualifier, value = _date_element(line.service_date, line.service_date_end)
            out.append(f"DTP*472*{qualifier}*{value}")
        _drug(out, line.drug)


# --------------------------------------------------------------------------------- reading


class _ClaimBuilder:
    """The parts of one claim as its segments arrive (2300 and its 2400 lines)."""

    def __init__(self, kind: ClaimKind, billing: Provider, subscriber: Subscriber, payer: Payer,
                 patient: Person | None, relationship: str, clm: Segment, delimiters: Delimiters):
        self.kind = kind
        self.values: dict = {"billing": billing, "subscriber": subscriber, "payer": payer,
                             "patient": patient, "patient_relationship": relationship}
        c = delimiters.component
        location = clm.element(5).split(c)
        self.values.update(patient_control_number=clm.element(1),
                           total_charge=_decimal(clm.element(2), clm, "CLM02"),
                           frequency=Frequency(_part(location, 3)),
                           accept_assignment=clm.element(7), benefits_assigned=clm.element(8),
                           release_of_information=clm.element(9))
        if kind is ClaimKind.PROFESSIONAL:
            self.values.update(place_of_service=location[0], provider_signature=clm.element(6))
        else:
            self.values["facility_type"] = location[0]
        self.diagnoses: list[ClaimDiagnosis] = []
        self.procedures: list[ClaimProcedure] = []
        self.occurrences: list[CodeWithDate] = []
        self.value_codes: list[CodeWithDate] = []
        self.conditions: list[str] = []
        self.providers: list[Provider] = []
        self.lines: list[dict] = []
        self.admission: dict = {}

    def build(self) -> Claim:
        lines = tuple(ServiceLine(**line) for line in self.lines)
        admission = Admission(**self.admission) if "date" in self.admission else None
        return Claim(kind=self.kind, diagnoses=tuple(self.diagnoses), lines=lines,
                     procedures=tuple(self.procedures), occurrence_codes=tuple(self.occurrences),
                     value_codes=tuple(self.value_codes), condition_codes=tuple(self.conditions),
                     providers=tuple(self.providers), admission=admission, **self.values)


def _part(parts: list[str], position: int) -> str:
    return parts[position - 1] if position <= len(parts) else ""


def _decimal(value: str, segment: Segment, where: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise InvalidInput("not a number", Position(segment=segment.index, field=where)) from None


def _date(value: str, segment: Segment, where: str) -> date:
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise InvalidInput("not a date (CCYYMMDD)", Position(segment=segment.index,
                                                             field=where)) from None


def _date_range(qualifier: str, value: str, segment: Segment, where: str
                ) -> tuple[date, date | None]:
    if qualifier == "RD8":
        first, _, last = value.partition("-")
        return _date(first, segment, where), _date(last, segment, where)
    return _date(value[:8], segment, where), None


def _address_of(n3: Segment, n4: Segment) -> Address:
    return Address(line1=n3.element(1), line2=n3.element(2) or None, city=n4.element(1),
                   state=n4.element(2), postal_code=n4.element(3))


class _Reader:
    """Walks the segments of one 837 interchange, keeping what the current HL and NM1 set."""

    def __init__(self, delimiters: Delimiters, source: str | None):
        self.d = delimiters
        self.source = source
        self.kind: ClaimKind | None = None
        self.claims: list[Claim] = []
        self.claim: _ClaimBuilder | None = None
        self.entity: str | None = None  # NM101 of the last NM1
        self.pending: dict = {}  # the entity being read: its NM1, N3, N4, DMG, PRV, REF*EI
        self.billing: Provider | None = None
        self.subscriber: dict = {}
        self.patient: Person | None = None
        self.relationship = "18"
        self.payer: Payer | None = None
        self.line: dict | None = None
        self.pending_prv: Segment | None = None  # PRV*BI comes before its NM1*85

    # each entity (NM1 + N3/N4/DMG/PRV/REF) is closed when the next NM1, HL, CLM or LX comes
    def close_entity(self) -> None:
        entity, pending, self.entity, self.pending = self.entity, self.pending, None, {}
        if entity is None:
            return
        nm1 = pending["NM1"]
        address = _address_of(pending["N3"], pending["N4"]) if "N3" in pending and "N4" in pending else None
        if entity == "85":
            self.billing = self._provider(ProviderRole.BILLING, nm1, pending, address)
        elif entity == "IL":
            self.subscriber["person"] = self._person(nm1, pending, address)
            self.subscriber["member_id"] = nm1.element(9)
        elif entity == "PR":
            self.payer = Payer(name=nm1.element(3), payer_id=nm1.element(9),
                               claim_filing_indicator=self.subscriber.pop("filing", "CI"))
        elif entity == "QC":
            self.patient = self._person(nm1, pending, address)
        elif entity in ROLE_OF_ENTITY and self.claim is not None:
            role = ROLE_OF_ENTITY[entity]
            self.claim.providers.append(self._provider(role, nm1, pending, address))

    def _provider(self, role: ProviderRole, nm1: Segment, pending: dict,
                  address: Address | None) -> Provider:
        organization = nm1.element(2) == "2"
        prv = pending.get("PRV")
        ein = pending.get("REF*EI")
        return Provider(role=role, name=nm1.element(3), npi=nm1.element(9) or None,
                        entity=EntityKind.ORGANIZATION if organization else EntityKind.PERSON,
                        given_name=None if organization else (nm1.element(4) or None),
                        tax_id=ein.element(2) if ein else None,
                        taxonomy_code=prv.element(3) if prv else None, address=address)

    @staticmethod
    def _person(nm1: Segment, pending: dict, address: Address | None) -> Person:
        dmg = pending.get("DMG")
        born = _date(dmg.element(2), dmg, "DMG02") if dmg else None
        return Person(family_name=nm1.element(3), given_name=nm1.element(4), birth_date=born,
                      sex=dmg.element(3) if dmg else "U", address=address)

    def close_line(self) -> None:
        if self.line is not None and self.claim is not None:
            self.claim.lines.append(self.line)
        self.line = None

    def close_claim(self) -> None:
        self.close_entity()
        self.close_line()
        if self.claim is not None:
            self.claims.append(self.claim.build())
        self.claim = None

    def read(self, segments: list[Segment]) -> list[Claim]:
        for segment in segments:
            handler = getattr(self, f"on_{segment.id}", None)
            if handler is not None:
                handler(segment)
            elif self.entity is not None and segment.id in ("N3", "N4", "DMG"):
                self.pending[segment.id] = segment
        self.close_claim()
        return self.claims

    def on_GS(self, segment: Segment) -> None:
        kind = KIND_OF_IMPLEMENTATION.get(segment.element(8))
        if kind is None:
            raise InvalidInput("not an 837P (005010X222A1) or 837I (005010X223A2) group",
                               Position(file=self.source, segment=segment.index, field="GS08"))
        self.kind = kind

    def on_HL(self, segment: Segment) -> None:
        self.close_claim()
        level = segment.element(3)
        if level == "22":
            self.subscriber, self.patient, self.relationship = {}, None, "18"

    def on_PRV(self, segment: Segment) -> None:
        if self.entity is not None:
            self.pending["PRV"] = segment
        else:
            self.pending_prv = segment

    def on_NM1(self, segment: Segment) -> None:
        self.close_entity()
        entity = segment.element(1)
        if entity in ("41", "40") or self.line is not None:
            return  # the submitter and receiver, or a 2420 line provider (not written by us)
        self.entity = entity
        self.pending = {"NM1": segment}
        if entity == "85" and self.pending_prv is not None:
            self.pending["PRV"], self.pending_prv = self.pending_prv, None

    def on_SBR(self, segment: Segment) -> None:
        self.subscriber.update(payer_responsibility=segment.element(1),
                               group_number=segment.element(3) or None,
                               filing=segment.element(9))

    def on_PAT(self, segment: Segment) -> None:
        self.close_entity()
        self.relationship = segment.element(1)

    def on_CLM(self, segment: Segment) -> None:
        self.close_claim()
        if self.kind is None or self.billing is None or self.payer is None \
                or "person" not in self.subscriber:
            raise InvalidInput("CLM before its billing provider, subscriber and payer loops",
                               Position(file=self.source, segment=segment.index))
        relationship = self.relationship
        subscriber = Subscriber(person=self.subscriber["person"],
                                member_id=self.subscriber["member_id"],
                                group_number=self.subscriber.get("group_number"),
                                payer_responsibility=self.subscriber.get("payer_responsibility", "P"),
                                relationship=relationship)
        self.claim = _ClaimBuilder(self.kind, self.billing, subscriber, self.payer, self.patient,
                                   relationship, segment, self.d)

    def on_REF(self, segment: Segment) -> None:
        qualifier = segment.element(1)
        if self.entity == "85" and qualifier == "EI":
            self.pending["REF*EI"] = segment
            return
        if self.claim is None or self.line is not None:
            return
        field = {"9F": "referral_number", "G1": "prior_authorization",
                 "F8": "payer_claim_number"}.get(qualifier)
        if field:
            self.claim.values[field] = segment.element(2)

    def on_DTP(self, segment: Segment) -> None:
        if self.claim is None:
            return
        qualifier, form, value = segment.element(1), segment.element(2), segment.element(3)
        where = "DTP03"
        if self.line is not None and qualifier == "472":
            first, last = _date_range(form, value, segment, where)
            self.line["service_date"], self.line["service_date_end"] = first, last
        elif qualifier == "431":
            self.claim.values["onset_date"] = _date(value, segment, where)
        elif qualifier == "434":
            first, last = _date_range(form, value, segment, where)
            self.claim.values["statement_from"] = first
            self.claim.values["statement_to"] = last or first
        elif qualifier == "435":
            self.claim.admission["date"] = _date(value, segment, where)
            if form == "DT":
                self.claim.admission["hour"] = value[8:12]
        elif qualifier == "096":
            self.claim.admission["discharge_hour"] = value

    def on_CL1(self, segment: Segment) -> None:
        if self.claim is not None:
            self.claim.admission.update(type=segment.element(1), source=segment.element(2),
                                        discharge_status=segment.element(3))

    def on_HI(self, segment: Segment) -> None:
        if self.claim is None:
            return
        c = self.d.component
        for position, composite in enumerate(segment.elements, start=1):
            if composite:
                self._hi_code(composite.split(c), segment, f"HI{position:02d}")

    def _hi_code(self, parts: list[str], segment: Segment, where: str) -> None:
        qualifier, code = parts[0], _part(parts, 2)
        claim = self.claim
        if qualifier in ("ABK", "ABF", "ABJ", "APR", "ABN"):
            if claim.kind is ClaimKind.PROFESSIONAL:
                role = DiagnosisRole.PRINCIPAL if qualifier == "ABK" else DiagnosisRole.OTHER
            else:
                role = ROLE_OF_QUALIFIER[qualifier]
            claim.diagnoses.append(ClaimDiagnosis(_with_dot(code), role, _part(parts, 9) or None))
        elif qualifier == "DR":
            claim.values["drg"] = code
        elif qualifier in ("BBR", "BBQ"):
            claim.procedures.append(ClaimProcedure(code, _date(_part(parts, 4), segment, where),
                                                   principal=qualifier == "BBR"))
        elif qualifier == "BH":
            claim.occurrences.append(CodeWithDate(code, _date(_part(parts, 4), segment, where)))
        elif qualifier == "BE":
            claim.value_codes.append(CodeWithDate(code, amount=_decimal(_part(parts, 5), segment,
                                                                        where)))
        elif qualifier == "BG":
            claim.conditions.append(code)

    def on_LX(self, segment: Segment) -> None:
        self.close_entity()
        self.close_line()
        self.line = {"number": int(segment.element(1))}

    def _service(self, composite: str) -> None:
        parts = composite.split(self.d.component)
        code = _part(parts, 2)
        self.line["procedure_code"] = code
        self.line["modifiers"] = tuple(part for part in parts[2:6] if part)
        self.line["code_system"] = "hcpcs" if code[:1].isalpha() else "cpt"

    def on_SV1(self, segment: Segment) -> None:
        if self.line is None:
            return
        self._service(segment.element(1))
        self.line.update(charge=_decimal(segment.element(2), segment, "SV102"),
                         unit_type=segment.element(3),
                         units=_decimal(segment.element(4), segment, "SV104"),
                         place_of_service=segment.element(5) or None,
                         diagnosis_pointers=tuple(int(p) for p in segment.element(7).split(
                             self.d.component) if p))

    def on_SV2(self, segment: Segment) -> None:
        if self.line is None:
            return
        self.line["revenue_code"] = segment.element(1)
        if segment.element(2):
            self._service(segment.element(2))
        else:
            self.line["procedure_code"] = None
        self.line.update(charge=_decimal(segment.element(3), segment, "SV203"),
                         unit_type=segment.element(4),
                         units=_decimal(segment.element(5), segment, "SV205"))

    def on_LIN(self, segment: Segment) -> None:
        if self.line is not None:
            self.line["_ndc"] = segment.element(3)

    def on_CTP(self, segment: Segment) -> None:
        if self.line is not None and "_ndc" in self.line:
            unit = segment.element(5).split(self.d.component)[0]
            self.line["drug"] = Drug(self.line.pop("_ndc"),
                                     _decimal(segment.element(4), segment, "CTP04"), unit)


def _with_dot(code: str) -> str:
    """ICD-10-CM codes travel without their dot; the claim keeps it after the category."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def read_837(data: bytes | str, source: str | None = None) -> list[Claim]:
    """The claims of an 837P or 837I interchange, in order. Errors name the segment."""
    delimiters, segments = read_segments(data, source)
    return _Reader(delimiters, source).read(segments)


def iter_segments(text_: str) -> Iterator[str]:
    """The segments of a written interchange, one per line (tests and the page show them)."""
    for raw in text_.split(DELIMITERS.segment):
        if raw.strip():
            yield raw.strip()

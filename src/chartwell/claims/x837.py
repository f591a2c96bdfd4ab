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

from chartwell.claims.x12.lexer import Segment
from chartwell.claims.x12.walker import LoopNode
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
#
# Reading walks the loop tree the X12 engine builds (chartwell.claims.x12.reader): each 2300
# claim under its 2000B subscriber (or 2000C patient) under its 2000A billing provider. The
# engine checks the envelope and the loops; what is checked here is what a claim needs to be
# read at all (amounts that are numbers, dates that exist), naming the segment and element.


def read_837(data: bytes | str, source: str | None = None) -> list[Claim]:
    """The claims of an 837P or 837I interchange, in order. A file the engine finds
    structurally broken is refused (see :func:`chartwell.claims.x12.reader.read_checked`);
    errors name the segment."""
    from chartwell.claims.x12.reader import read_checked

    claims: list[Claim] = []
    parsed = read_checked(data, source, "837", lambda transaction: transaction.id == "837")
    for interchange in parsed.interchanges:
        for group in interchange.groups:
            kind = KIND_OF_IMPLEMENTATION.get(group.version)
            if kind is None:
                raise InvalidInput("not an 837P (005010X222A1) or 837I (005010X223A2) group",
                                   Position(file=source, segment=group.segment_index,
                                            field="GS08"))
            reader = _ClaimReader(kind, interchange.delimiters.component, source)
            for transaction in group.transactions:
                claims += reader.transaction(transaction.root)
    return claims


class _ClaimReader:
    """Claims of one functional group (one kind: 837P or 837I), loop by loop."""

    def __init__(self, kind: ClaimKind, component: str, source: str | None):
        self.kind = kind
        self.component = component
        self.source = source

    def error(self, segment: Segment, message: str, element: str) -> InvalidInput:
        return InvalidInput(message, Position(file=self.source, segment=segment.index,
                                              field=element))

    def transaction(self, root: LoopNode) -> Iterator[Claim]:
        for billing_level in root.children("2000A"):
            billing = self.billing_provider(billing_level)
            for subscriber_level in billing_level.children("2000B"):
                yield from self.subscriber_claims(billing, subscriber_level)

    # -- 2000A, 2000B, 2000C

    def billing_provider(self, level: LoopNode) -> Provider:
        """2010AA; the billing provider's PRV*BI is in 2000A itself, before the name loop."""
        name = level.child("2010AA")
        if name is None:
            raise self.error(level.segments[0], "the billing provider level (2000A) has no "
                                                "billing provider name (2010AA)", "NM1")
        return self.provider(ProviderRole.BILLING, name, level.first("PRV", "BI"))

    def subscriber_claims(self, billing: Provider, level: LoopNode) -> Iterator[Claim]:
        sbr = level.first("SBR")
        name, payer_name = level.child("2010BA"), level.child("2010BB")
        if name is None or payer_name is None:
            raise self.error(level.segments[0], "the subscriber level (2000B) lacks its "
                                                "subscriber (2010BA) or payer (2010BB) name", "NM1")
        nm1 = name.segments[0]
        subscriber = {"person": self.person(name), "member_id": nm1.element(9),
                      "group_number": (sbr.element(3) or None) if sbr else None,
                      "payer_responsibility": sbr.element(1) if sbr else "P"}
        payer_nm1 = payer_name.segments[0]
        payer = Payer(name=payer_nm1.element(3), payer_id=payer_nm1.element(9),
                      claim_filing_indicator=sbr.element(9) if sbr else "CI")
        for claim in level.children("2300"):  # the subscriber is the patient
            yield self.claim(claim, billing, Subscriber(**subscriber), payer, None, "18")
        for patient_level in level.children("2000C"):
            pat = patient_level.first("PAT")
            relationship = pat.element(1) if pat else "18"
            patient_name = patient_level.child("2010CA")
            patient = self.person(patient_name) if patient_name is not None else None
            insured = Subscriber(**subscriber, relationship=relationship)
            for claim in patient_level.children("2300"):
                yield self.claim(claim, billing, insured, payer, patient, relationship)

    # -- names: NM1 with its address, demographics, specialty and tax id

    def person(self, loop: LoopNode) -> Person:
        nm1, dmg = loop.segments[0], loop.first("DMG")
        born = self.date(dmg.element(2), dmg, "DMG02") if dmg else None
        return Person(family_name=nm1.element(3), given_name=nm1.element(4), birth_date=born,
                      sex=dmg.element(3) if dmg else "U", address=_address_of(loop))

    def provider(self, role: ProviderRole, loop: LoopNode, prv: Segment | None = None) -> Provider:
        nm1 = loop.segments[0]
        organization = nm1.element(2) == "2"
        prv = prv or loop.first("PRV")
        ein = loop.first("REF", "EI")
        return Provider(role=role, name=nm1.element(3), npi=nm1.element(9) or None,
                        entity=EntityKind.ORGANIZATION if organization else EntityKind.PERSON,
                        given_name=None if organization else (nm1.element(4) or None),
                        tax_id=ein.element(2) if ein else None,
                        taxonomy_code=prv.element(3) if prv else None,
                        address=_address_of(loop))

    # -- 2300 claim

    def claim(self, loop: LoopNode, billing: Provider, subscriber: Subscriber, payer: Payer,
              patient: Person | None, relationship: str) -> Claim:
        clm = loop.segments[0]
        location = clm.element(5).split(self.component)
        values: dict = dict(
            kind=self.kind, billing=billing, subscriber=subscriber, payer=payer, patient=patient,
            patient_relationship=relationship, patient_control_number=clm.element(1),
            total_charge=self.decimal(clm.element(2), clm, "CLM02"),
            frequency=self.frequency(_part(location, 3), clm),
            accept_assignment=clm.element(7), benefits_assigned=clm.element(8),
            release_of_information=clm.element(9))
        if self.kind is ClaimKind.PROFESSIONAL:
            values.update(place_of_service=location[0], provider_signature=clm.element(6))
        else:
            values["facility_type"] = location[0]
        for qualifier, field in _CLAIM_REFERENCES.items():
            if ref := loop.first("REF", qualifier):
                values[field] = ref.element(2)
        values.update(self.claim_dates(loop))
        values["admission"] = self.admission(loop)
        values.update(self.health_care_codes(loop))
        values["providers"] = tuple(
            self.provider(ROLE_OF_ENTITY[entity], node) for node in loop.loops
            if node.id.startswith("2310")
            and (entity := node.segments[0].element(1)) in ROLE_OF_ENTITY)
        values["lines"] = tuple(self.line(node) for node in loop.children("2400"))
        return Claim(**values)

    def frequency(self, code: str, clm: Segment) -> Frequency:
        try:
            return Frequency(code)
        except ValueError:
            raise self.error(clm, "CLM05-3 is not a claim frequency code", "CLM05-3") from None

    def claim_dates(self, loop: LoopNode) -> dict:
        """DTP*431 onset (837P), DTP*434 statement period (837I)."""
        values: dict = {}
        if onset := loop.first("DTP", "431"):
            values["onset_date"] = self.date(onset.element(3), onset, "DTP03")
        if statement := loop.first("DTP", "434"):
            first, last = self.date_range(statement)
            values.update(statement_from=first, statement_to=last or first)
        return values

    def admission(self, loop: LoopNode) -> Admission | None:
        """837I: DTP*435 admission date (and hour), CL1, DTP*096 discharge hour."""
        admitted = loop.first("DTP", "435")
        if admitted is None:
            return None
        value = admitted.element(3)
        found: dict = {"date": self.date(value, admitted, "DTP03")}
        if admitted.element(2) == "DT":
            found["hour"] = value[8:12]
        if cl1 := loop.first("CL1"):
            found.update(type=cl1.element(1), source=cl1.element(2),
                         discharge_status=cl1.element(3))
        if discharged := loop.first("DTP", "096"):
            found["discharge_hour"] = discharged.element(3)
        return Admission(**found)

    def health_care_codes(self, loop: LoopNode) -> dict:
        """Every HI composite of the claim, by its qualifier (HIxx-1)."""
        diagnoses: list[ClaimDiagnosis] = []
        procedures: list[ClaimProcedure] = []
        occurrences: list[CodeWithDate] = []
        value_codes: list[CodeWithDate] = []
        conditions: list[str] = []
        values: dict = {}
        for hi in loop.all("HI"):
            for position, composite in enumerate(hi.elements, start=1):
                if not composite:
                    continue
                parts = composite.split(self.component)
                qualifier, code, where = parts[0], _part(parts, 2), f"HI{position:02d}"
                if qualifier in ROLE_OF_QUALIFIER:
                    diagnoses.append(ClaimDiagnosis(_with_dot(code), self.diagnosis_role(qualifier),
                                                    _part(parts, 9) or None))
                elif qualifier == "DR":
                    values["drg"] = code
                elif qualifier in ("BBR", "BBQ"):
                    procedures.append(ClaimProcedure(code, self.date(_part(parts, 4), hi, where),
                                                     principal=qualifier == "BBR"))
                elif qualifier == "BH":
                    occurrences.append(CodeWithDate(code, self.date(_part(parts, 4), hi, where)))
                elif qualifier == "BE":
                    value_codes.append(CodeWithDate(
                        code, amount=self.decimal(_part(parts, 5), hi, where)))
                elif qualifier == "BG":
                    conditions.append(code)
        return dict(values, diagnoses=tuple(diagnoses), procedures=tuple(procedures),
                    occurrence_codes=tuple(occurrences), value_codes=tuple(value_codes),
                    condition_codes=tuple(conditions))

    def diagnosis_role(self, qualifier: str) -> DiagnosisRole:
        """837P: ABK principal, ABF other; 837I: every qualifier its own role."""
        if self.kind is ClaimKind.PROFESSIONAL:
            return DiagnosisRole.PRINCIPAL if qualifier == "ABK" else DiagnosisRole.OTHER
        return ROLE_OF_QUALIFIER[qualifier]

    # -- 2400 service line

    def line(self, loop: LoopNode) -> ServiceLine:
        lx = loop.segments[0]
        number = lx.element(1)
        if not number.isdigit():
            raise self.error(lx, "LX01 is not a line number", "LX01")
        values: dict = {"number": int(number)}
        if sv1 := loop.first("SV1"):
            values.update(self.procedure(sv1.element(1)))
            values.update(charge=self.decimal(sv1.element(2), sv1, "SV102"),
                          unit_type=sv1.element(3),
                          units=self.decimal(sv1.element(4), sv1, "SV104"),
                          place_of_service=sv1.element(5) or None,
                          diagnosis_pointers=self.pointers(sv1))
        elif sv2 := loop.first("SV2"):
            values["revenue_code"] = sv2.element(1)
            if sv2.element(2):
                values.update(self.procedure(sv2.element(2)))
            else:
                values["procedure_code"] = None
            values.update(charge=self.decimal(sv2.element(3), sv2, "SV203"),
                          unit_type=sv2.element(4),
                          units=self.decimal(sv2.element(5), sv2, "SV205"))
        else:
            raise self.error(lx, "the service line (2400) has no SV1 or SV2", "SV1")
        if served := loop.first("DTP", "472"):
            values["service_date"], values["service_date_end"] = self.date_range(served)
        if drug := loop.child("2410"):
            values["drug"] = self.drug(drug)
        return ServiceLine(**values)

    def procedure(self, composite: str) -> dict:
        parts = composite.split(self.component)
        code = _part(parts, 2)
        return {"procedure_code": code, "modifiers": tuple(part for part in parts[2:6] if part),
                "code_system": "hcpcs" if code[:1].isalpha() else "cpt"}

    def pointers(self, sv1: Segment) -> tuple[int, ...]:
        pointers = [pointer for pointer in sv1.element(7).split(self.component) if pointer]
        if not all(pointer.isdigit() for pointer in pointers):
            raise self.error(sv1, "SV107 is not a list of diagnosis pointers", "SV107")
        return tuple(int(pointer) for pointer in pointers)

    def drug(self, loop: LoopNode) -> Drug | None:
        """2410: LIN03 the NDC, CTP04 the quantity, CTP05-1 its unit."""
        lin, ctp = loop.segments[0], loop.first("CTP")
        if ctp is None:
            return None
        unit = ctp.element(5).split(self.component)[0]
        return Drug(lin.element(3), self.decimal(ctp.element(4), ctp, "CTP04"), unit)

    # -- values

    def decimal(self, value: str, segment: Segment, where: str) -> Decimal:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self.error(segment, f"{where} is not a number", where) from None
        if not number.is_finite():
            raise self.error(segment, f"{where} is not a number", where)
        return number

    def date(self, value: str, segment: Segment, where: str) -> date:
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        except ValueError:
            raise self.error(segment, f"{where} is not a date (CCYYMMDD)", where) from None

    def date_range(self, dtp: Segment) -> tuple[date, date | None]:
        """DTP03 as D8 (one day) or RD8 (first-last)."""
        value = dtp.element(3)
        if dtp.element(2) == "RD8":
            first, _, last = value.partition("-")
            return self.date(first, dtp, "DTP03"), self.date(last, dtp, "DTP03")
        return self.date(value[:8], dtp, "DTP03"), None


_CLAIM_REFERENCES = {"9F": "referral_number", "G1": "prior_authorization",
                     "F8": "payer_claim_number"}


def _part(parts: list[str], position: int) -> str:
    return parts[position - 1] if position <= len(parts) else ""


def _address_of(loop: LoopNode) -> Address | None:
    n3, n4 = loop.first("N3"), loop.first("N4")
    if n3 is None or n4 is None:
        return None
    return Address(line1=n3.element(1), line2=n3.element(2) or None, city=n4.element(1),
                   state=n4.element(2), postal_code=n4.element(3))


def _with_dot(code: str) -> str:
    """ICD-10-CM codes travel without their dot; the claim keeps it after the category."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def iter_segments(text_: str) -> Iterator[str]:
    """The segments of a written interchange, one per line (tests and the page show them)."""
    for raw in text_.split(DELIMITERS.segment):
        if raw.strip():
            yield raw.strip()

"""Segment builders that every 5010 TR3 shares: the ST/SE pair, the HL hierarchy, the party
(NM1, N3, N4, PER, PRV, DMG), the reference, date, amount and quantity segments, the claim
adjustment (CAS), the procedure composite (C003) and the claim status pieces (BHT, TRN, SVC,
STC) of the 276/277/277CA/270/271 family.

Written by hand from ASC X12's segment definitions as the TR3s restate them on their segment
pages. A TR3 picks, for its loop, the qualifier codes, the usages, the names and the repeat; the
builders take exactly those as parameters, so a guide reads like its TR3's segment pages
(``reference("Payer Claim Control Number", "1K")``). Where two TR3s print the same segment
differently (an element named "Date Time Qualifier" in one, "Date/Time Qualifier" in another;
REF04 listed as not used, or left off the page), the difference is a parameter with the most
common presentation as its default.
"""

from __future__ import annotations

from chartwell.claims.x12.guide import AN, DT, ID, N0, RN, TM, N, R, S, UNBOUNDED, comp, el, seg

__all__ = ["transaction_set_header", "transaction_set_trailer", "beginning_of_transaction",
           "hierarchical_level", "name", "address", "city_state_zip", "contact",
           "provider_taxonomy", "demographics", "reference", "date", "amount", "quantity",
           "note", "adjustment", "procedure_identifier", "outpatient_adjudication",
           "inpatient_adjudication", "party_name", "status_reference", "date_or_period", "trace",
           "service_line", "status_composite", "status"]

# 365 Communication Number Qualifier, as most PER segments allow it
COMMUNICATION_NUMBERS = "EM FX TE"  # PER03: email, fax, telephone
MORE_COMMUNICATION_NUMBERS = "EM EX FX TE"  # PER05/PER07 may add a telephone extension


# -- the transaction set ---------------------------------------------------------------------

def transaction_set_header(transaction: str, *, convention_usage: str = R):
    """ST: the transaction (ST01) and its control number; ST03 names the guide (situational
    only in the 835, where the TR3 keeps it optional)."""
    return seg("ST", "Transaction Set Header", R, 1,
               el("Transaction Set Identifier Code", R, ID, 3, 3, transaction),
               el("Transaction Set Control Number", R, AN, 4, 9),
               el("Implementation Convention Reference", convention_usage, AN, 1, 35))


def transaction_set_trailer():
    """SE: the segment count and ST02's control number again."""
    return seg("SE", "Transaction Set Trailer", R, 1,
               el("Number of Included Segments", R, N0, 1, 10),
               el("Transaction Set Control Number", R, AN, 4, 9))


def beginning_of_transaction(purpose: str, transaction_type: str | None, *,
                             structure: str = "0010", transaction_type_usage: str = R,
                             reference_usage: str = R):
    """BHT of the claim status and eligibility TR3s: the hierarchy (0010 source-receiver-
    provider-subscriber-dependent), the purpose (13 request, 08 status, 11 response), the
    originator's id (echoed back in the response)."""
    transaction_type_element = (
        el("Transaction Type Code", transaction_type_usage, ID, 2, 2, transaction_type)
        if transaction_type else el("Transaction Type Code", N, ID, 2, 2))
    return seg("BHT", "Beginning of Hierarchical Transaction", R, 1,
               el("Hierarchical Structure Code", R, ID, 4, 4, structure),
               el("Transaction Set Purpose Code", R, ID, 2, 2, purpose),
               el("Reference Identification", reference_usage, AN, 1, 50),
               el("Date", R, DT, 8, 8),
               el("Time", R, TM, 4, 8),
               transaction_type_element)


def hierarchical_level(segment_name: str, level: str, child_codes: str | None):
    """HL: HL03 tells the levels apart (20 is the top, with no parent); a level the TR3 gives
    no children (``child_codes`` None) does not use HL04."""
    child = (el("Hierarchical Child Code", R, ID, 1, 1, child_codes) if child_codes
             else el("Hierarchical Child Code", N, ID, 1, 1))
    return seg("HL", segment_name, R, 1,
               el("Hierarchical ID Number", R, AN, 1, 12),
               el("Hierarchical Parent ID Number", N if level == "20" else R, AN, 1, 12),
               el("Hierarchical Level Code", R, ID, 1, 2, level),
               child,
               qualifier=(3, level))


# -- parties ---------------------------------------------------------------------------------

def name(segment_name: str, entity: str, entity_types: str, id_qualifiers: str | None, *,
         person: bool = True, usage: str = R, last: str = R,
         suffix: str | None = None, id_usage: str = S, relationship_codes: str | None = None):
    """NM1 for one party, told apart by NM101. A person's first and middle name and suffix are
    situational, an organisation's not used; ``id_qualifiers`` None for a party the TR3 gives
    no NM108/NM109; ``relationship_codes`` for the 271's benefit-related entities (NM110)."""
    person_usage = S if person else N
    suffix = person_usage if suffix is None else suffix
    id_usage = N if id_qualifiers is None else id_usage
    relationship = (el("Entity Relationship Code", S, ID, 2, 2, relationship_codes)
                    if relationship_codes else el("Entity Relationship Code", N, ID, 2, 2))
    return seg("NM1", segment_name, usage, 1,
               el("Entity Identifier Code", R, ID, 2, 3, entity),
               el("Entity Type Qualifier", R, ID, 1, 1, entity_types),
               el("Name Last or Organization Name", last, AN, 1, 60),
               el("Name First", person_usage, AN, 1, 35),
               el("Name Middle", person_usage, AN, 1, 25),
               el("Name Prefix", N, AN, 1, 10),
               el("Name Suffix", suffix, AN, 1, 10),
               el("Identification Code Qualifier", id_usage, ID, 1, 2, id_qualifiers),
               el("Identification Code", id_usage, AN, 2, 80),
               relationship,
               el("Entity Identifier Code", N, ID, 2, 3),
               el("Name Last or Organization Name", N, AN, 1, 60),
               qualifier=(1, entity),
               syntax=(("P", (8, 9)),))


def address(usage: str = R, segment_name: str = "Address Information"):
    """N3 Party Location: one or two address lines."""
    return seg("N3", segment_name, usage, 1,
               el("Address Information", R, AN, 1, 55),
               el("Address Information", S, AN, 1, 55))


def city_state_zip(usage: str = R, segment_name: str = "Geographic Location", *,
                   states: str | None = None, postal_min: int = 3,
                   state_or_subdivision: bool = True, location_pair: bool = True):
    """N4 Geographic Location (state and ZIP for US addresses, country code otherwise).
    ``states`` lists the state codes where a TR3 spells them out; ``postal_min`` 9 where the
    full ZIP+4 is required (837I billing provider). The syntax notes each TR3 prints: E0207
    (``state_or_subdivision``), C0605 (``location_pair``) and C0704."""
    syntax = ((("E", (2, 7)),) if state_or_subdivision else ())
    syntax += ((("C", (6, 5)),) if location_pair else ())
    syntax += (("C", (7, 4)),)
    return seg("N4", segment_name, usage, 1,
               el("City Name", R, AN, 2, 30),
               el("State or Province Code", S, ID, 2, 2, states),
               el("Postal Code", S, ID, postal_min, 15),
               el("Country Code", S, ID, 2, 3),
               el("Location Qualifier", N, ID, 1, 2),
               el("Location Identifier", N, AN, 1, 30),
               el("Country Subdivision Code", S, ID, 1, 3),
               syntax=syntax)


def contact(segment_name: str, usage: str, max_use: int, *, function: str = "IC",
            media: str = COMMUNICATION_NUMBERS, more_media: str = MORE_COMMUNICATION_NUMBERS,
            last_media: str | None = None, media_usage: str = R, name_usage: str = S,
            identified: bool = False):
    """PER Administrative Communications Contact: a function (IC information contact), a name,
    up to three numbers, each a qualifier and a number. ``identified`` where a loop holds
    several PERs told apart by PER01 (the 835's payer contacts)."""
    last_media = more_media if last_media is None else last_media
    return seg("PER", segment_name, usage, max_use,
               el("Contact Function Code", R, ID, 2, 2, function),
               el("Name", name_usage, AN, 1, 60),
               el("Communication Number Qualifier", media_usage, ID, 2, 2, media),
               el("Communication Number", media_usage, AN, 1, 256),
               el("Communication Number Qualifier", S, ID, 2, 2, more_media),
               el("Communication Number", S, AN, 1, 256),
               el("Communication Number Qualifier", S, ID, 2, 2, last_media),
               el("Communication Number", S, AN, 1, 256),
               el("Contact Inquiry Reference", N, AN, 1, 20),
               qualifier=(1, function) if identified else None,
               syntax=(("P", (3, 4)), ("P", (5, 6)), ("P", (7, 8))))


def provider_taxonomy(segment_name: str, provider_codes: str, *,
                      taxonomy_name: str = "Reference Identification", identified: bool = True):
    """PRV Provider Information: the provider's role (PRV01) and its taxonomy code (PXC, Health
    Care Provider Taxonomy); ``identified`` where PRV01 tells a loop's PRVs apart."""
    return seg("PRV", segment_name, S, 1,
               el("Provider Code", R, ID, 1, 3, provider_codes),
               el("Reference Identification Qualifier", R, ID, 2, 3, "PXC"),
               el(taxonomy_name, R, AN, 1, 50),
               el("State or Province Code", N, ID, 2, 2),
               comp("Provider Specialty Information", N,
                    el("Provider Specialty Code", N, AN, 1, 3)),
               el("Provider Organization Code", N, ID, 3, 3),
               qualifier=(1, provider_codes) if identified else None)


def demographics(usage: str, segment_name: str = "Demographic Information", *,
                 claim: bool = True):
    """DMG: birth date (D8) and gender. The claim TR3s (``claim``) print all eleven elements
    with the birth date typed and gender required; the claim status and eligibility TR3s print
    only DMG01-DMG03, gender situational."""
    if not claim:
        return seg("DMG", segment_name, usage, 1,
                   el("Date Time Period Format Qualifier", R, ID, 2, 3, "D8"),
                   el("Date of Birth", R, AN, 1, 35),
                   el("Gender Code", S, ID, 1, 1, "F M U"))
    return seg("DMG", segment_name, usage, 1,
               el("Date Time Period Format Qualifier", R, ID, 2, 3, "D8"),
               el("Birth Date", R, DT, 8, 8),
               el("Gender Code", R, ID, 1, 1, "F M U"),
               el("Marital Status Code", N, ID, 1, 1),
               comp("Composite Race or Ethnicity Information", N,
                    el("Race or Ethnicity Code", N, ID, 1, 1)),
               el("Citizenship Status Code", N, ID, 1, 2),
               el("Country Code", N, ID, 2, 3),
               el("Basis of Verification Code", N, ID, 1, 2),
               el("Quantity", N, RN, 1, 15),
               el("Code List Qualifier Code", N, ID, 1, 3),
               el("Industry Code", N, AN, 1, 30))


# -- references, dates, amounts, quantities, notes -------------------------------------------

def reference(segment_name: str, qualifiers: str, usage: str = S, max_use: int = 1, *,
              description: str = N, identifier: bool = True):
    """REF Reference Information, told apart from its siblings by REF01 (which identifier REF02
    carries). ``identifier`` False where the TR3 leaves REF04 off its page."""
    reference_identifier = ((comp("Reference Identifier", N,
                                  el("Reference Identification Qualifier", N, ID, 2, 3)),)
                            if identifier else ())
    return seg("REF", segment_name, usage, max_use,
               el("Reference Identification Qualifier", R, ID, 2, 3, qualifiers),
               el("Reference Identification", R, AN, 1, 50),
               el("Description", description, AN, 1, 80),
               *reference_identifier,
               qualifier=(1, qualifiers))


def date(segment_name: str, qualifiers: str, formats: str = "D8", usage: str = S,
         max_use: int = 1, *, qualifier_name: str = "Date Time Qualifier", typed: bool = False):
    """DTP Date or Time or Period: DTP01 says which date, DTP02 its format (D8 a date, RD8 a
    range, DT date and time, TM a time). ``typed`` where the TR3 gives DTP03 the format's own
    type and length (D8: a date of 8, TM: a time of 4) rather than AN 1-35."""
    value = el("Date Time Period", R, AN, 1, 35)
    if typed and formats == "D8":
        value = el("Date Time Period", R, DT, 8, 8)
    elif typed and formats == "TM":
        value = el("Date Time Period", R, TM, 4, 4)
    return seg("DTP", segment_name, usage, max_use,
               el(qualifier_name, R, ID, 3, 3, qualifiers),
               el("Date Time Period Format Qualifier", R, ID, 2, 3, formats),
               value,
               qualifier=(1, qualifiers))


def amount(segment_name: str, qualifiers: str, usage: str = S, max_use: int = 1, *,
           amount_name: str = "Monetary Amount"):
    """AMT Monetary Amount Information, told apart by AMT01."""
    return seg("AMT", segment_name, usage, max_use,
               el("Amount Qualifier Code", R, ID, 1, 3, qualifiers),
               el(amount_name, R, RN, 1, 18),
               el("Credit/Debit Flag Code", N, ID, 1, 1),
               qualifier=(1, qualifiers))


def quantity(segment_name: str, qualifiers: str, usage: str = S, max_use: int = 1, *,
             unit: bool = True):
    """QTY Quantity Information, told apart by QTY01; ``unit`` False where the TR3 leaves the
    unused QTY03/QTY04 off its page."""
    unused_tail = ((comp("Composite Unit of Measure", N,
                         el("Unit or Basis for Measurement Code", N, ID, 2, 2)),
                    el("Free-form Information", N, AN, 1, 30)) if unit else ())
    return seg("QTY", segment_name, usage, max_use,
               el("Quantity Qualifier", R, ID, 2, 2, qualifiers),
               el("Quantity", R, RN, 1, 15),
               *unused_tail,
               qualifier=(1, qualifiers))


def note(segment_name: str, codes: str, max_use: int = 1):
    """NTE Note/Special Instruction, told apart by NTE01."""
    return seg("NTE", segment_name, S, max_use,
               el("Note Reference Code", R, ID, 3, 3, codes),
               el("Description", R, AN, 1, 80),
               qualifier=(1, codes))


# -- adjudication ----------------------------------------------------------------------------

def adjustment(segment_name: str, groups: str, max_use: int, *,
               reason_name: str = "Claim Adjustment Reason Code",
               amount_name: str = "Monetary Amount", quantity_name: str = "Quantity",
               notes_by_triplet: bool = True):
    """CAS Claims Adjustment: a group code (CAS01), then up to six reason/amount/quantity
    triplets (CARC reason codes, an external list); the syntax notes tie each triplet's amount
    and quantity to its reason (L, C, C per triplet after the first; ``notes_by_triplet`` False
    lists them note kind by note kind, as the 837P page does)."""
    triplets = []
    for number in range(6):
        usage = R if number == 0 else S
        triplets += [el(reason_name, usage, ID, 1, 5),
                     el(amount_name, usage, RN, 1, 18),
                     el(quantity_name, S, RN, 1, 15)]
    firsts = (5, 8, 11, 14, 17)
    if notes_by_triplet:
        syntax = tuple(note for first in firsts for note in (
            ("L", (first, first + 1, first + 2)), ("C", (first + 1, first)),
            ("C", (first + 2, first))))
    else:
        syntax = tuple(("L", (first, first + 1, first + 2)) for first in firsts)
        syntax += tuple(("C", (first + 1, first)) for first in firsts)
        syntax += tuple(("C", (first + 2, first)) for first in firsts)
    return seg("CAS", segment_name, S, max_use,
               el("Claim Adjustment Group Code", R, ID, 1, 2, groups),
               *triplets, syntax=syntax)


def procedure_identifier(usage: str, qualifiers: str, *, description: str = S,
                         qualifier_name: str = "Product/Service ID Qualifier",
                         code_name: str = "Procedure Code", description_name: str = "Description"):
    """C003 Composite Medical Procedure Identifier: qualifier, code, up to four modifiers, a
    description (for not-otherwise-classified codes); C003-8 is never used."""
    return comp("Composite Medical Procedure Identifier", usage,
                el(qualifier_name, R, ID, 2, 2, qualifiers),
                el(code_name, R, AN, 1, 48),
                el("Procedure Modifier", S, AN, 2, 2),
                el("Procedure Modifier", S, AN, 2, 2),
                el("Procedure Modifier", S, AN, 2, 2),
                el("Procedure Modifier", S, AN, 2, 2),
                el(description_name, description, AN, 1, 80),
                el("Product/Service ID", N, AN, 1, 48))


def _remark_codes(count: int):
    return [el("Claim Payment Remark Code", S, AN, 1, 50) for _ in range(count)]


def outpatient_adjudication(*, professional_component_name: str =
                            "Nonpayable Professional Component Amount"):
    """MOA Outpatient Adjudication Information (835 2100, and the 837's 2320 echo of it): the
    rate, HCPCS payable amount, up to five remark codes (RARCs), ESRD payment."""
    return seg("MOA", "Outpatient Adjudication Information", S, 1,
               el("Reimbursement Rate", S, RN, 1, 10),
               el("HCPCS Payable Amount", S, RN, 1, 18),
               *_remark_codes(5),
               el("End Stage Renal Disease Payment Amount", S, RN, 1, 18),
               el(professional_component_name, S, RN, 1, 18))


def inpatient_adjudication(*, outlier_usage: str = S):
    """MIA Inpatient Adjudication Information (835 2100, and the 837I's 2320 echo of it):
    covered days, the PPS amounts and the remark codes (RARCs)."""
    return seg("MIA", "Inpatient Adjudication Information", S, 1,
               el("Covered Days or Visits Count", R, RN, 1, 15),
               el("PPS Operating Outlier Amount", outlier_usage, RN, 1, 18),
               el("Lifetime Psychiatric Days Count", S, RN, 1, 15),
               el("Claim DRG Amount", S, RN, 1, 18),
               *_remark_codes(1),
               *[el(label, S, RN, 1, 18) for label in (
                   "Claim Disproportionate Share Amount", "Claim MSP Pass-through Amount",
                   "Claim PPS Capital Amount", "PPS-Capital FSP DRG Amount",
                   "PPS-Capital HSP DRG Amount", "PPS-Capital DSH DRG Amount",
                   "Old Capital Amount", "PPS-Capital IME Amount",
                   "PPS-Operating Hospital Specific DRG Amount")],
               el("Cost Report Day Count", S, RN, 1, 15),
               *[el(label, S, RN, 1, 18) for label in (
                   "PPS-Operating Federal Specific DRG Amount",
                   "Claim PPS Capital Outlier Amount", "Claim Indirect Teaching Amount",
                   "Nonpayable Professional Component Amount")],
               *_remark_codes(4),
               el("PPS-Capital Exception Amount", S, RN, 1, 18))


# -- claim status and eligibility (276/277/277CA, 270/271) -----------------------------------

# SVC01-1 product/service ID qualifiers (ADA, jurisdiction, HCPCS, HIPPS, HIEC, NDC, NUBC
# revenue code, ABC codes)
STATUS_SERVICE_QUALIFIERS = "AD ER HC HP IV N4 NU WK"


def party_name(segment_name: str, entity: str, entity_types: str, id_qualifiers: str | None,
               *, person: bool, id_usage: str = R, **usages):
    """NM1 as the claim status and eligibility TR3s print it (NM108/NM109 mostly required)."""
    return name(segment_name, entity, entity_types, id_qualifiers, person=person,
                id_usage=id_usage, **usages)


def status_reference(segment_name: str, qualifiers: str, *, max_use: int = 1,
                     description: str = N):
    """REF as the claim status and eligibility TR3s print it: REF01-REF03 (no REF04)."""
    return reference(segment_name, qualifiers, S, max_use, description=description,
                     identifier=False)


def date_or_period(segment_name: str, qualifiers: str, formats: str, *, usage: str = S,
                   max_use: int = 1):
    """DTP as the claim status and eligibility TR3s print it (DTP01 "Date/Time Qualifier")."""
    return date(segment_name, qualifiers, formats, usage, max_use,
                qualifier_name="Date/Time Qualifier")


def trace(segment_name: str, trace_type: str):
    """TRN: 1 current transaction trace number (assigned by the sender), 2 referenced (echoed
    back from the request or the claim)."""
    return seg("TRN", segment_name, R, 1,
               el("Trace Type Code", R, ID, 1, 2, trace_type),
               el("Reference Identification", R, AN, 1, 50),
               el("Originating Company Identifier", N, AN, 10, 10),
               el("Reference Identification", N, AN, 1, 50))


def service_line(paid_usage: str):
    """SVC: the procedure or revenue code billed, its charge, (in a response) what was paid,
    the revenue code when SVC01 is a procedure, and the units."""
    return seg("SVC", "Service Line Information", R, 1,
               procedure_identifier(R, STATUS_SERVICE_QUALIFIERS, description=N,
                                    code_name="Product/Service ID"),
               el("Line Item Charge Amount", R, RN, 1, 18),
               el("Line Item Provider Payment Amount", paid_usage, RN, 1, 18),
               el("Revenue Code", S, AN, 1, 48),
               el("Quantity", N, RN, 1, 15),
               comp("Composite Medical Procedure Identifier", N,
                    el("Product/Service ID Qualifier", N, ID, 2, 2)),
               el("Original Units of Service Count", S, RN, 1, 15))


def status_composite(usage: str, *, code_list: str = S):
    """C043 Health Care Claim Status: category (507), status (508), the entity the status is
    about (98), and RX when the status code is an NCPDP reject/payment code (``code_list`` N
    in the 277CA, which does not use it)."""
    return comp("Health Care Claim Status", usage,
                el("Health Care Claim Status Category Code", R, AN, 1, 30),
                el("Status Code", R, AN, 1, 30),
                el("Entity Identifier Code", S, ID, 2, 3),
                el("Code List Qualifier Code", code_list, ID, 1, 3,
                   "RX" if code_list != N else None))


def status(segment_name: str, *, effective_date: str = R, action: tuple[str, str | None] =
           (N, None), charge: str = N, message: str = N, code_list: str = S):
    """STC without payment details: the status (STC01, up to two more in STC10/STC11), its
    effective date, the action (277CA: WQ accepted, U rejected), the charge it concerns and a
    free-form message; the payment elements (STC05-STC09) not used."""
    action_usage, action_codes = action
    return seg("STC", segment_name, R, UNBOUNDED,
               status_composite(R, code_list=code_list),
               el("Status Information Effective Date", effective_date, DT, 8, 8),
               el("Action Code", action_usage, ID, 1, 2, action_codes),
               el("Monetary Amount", charge, RN, 1, 18),
               el("Monetary Amount", N, RN, 1, 18),
               el("Date", N, DT, 8, 8),
               el("Payment Method Code", N, ID, 3, 3),
               el("Date", N, DT, 8, 8),
               el("Check Number", N, AN, 1, 16),
               status_composite(S, code_list=code_list),
               status_composite(S, code_list=code_list),
               el("Free-form Message Text", message, AN, 1, 264))

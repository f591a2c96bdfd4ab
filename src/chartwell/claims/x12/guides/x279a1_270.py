"""270 Health Care Eligibility Benefit Inquiry, 005010X279A1.

Written by hand from the structure of the ASC X12 TR3 005010X279 with its A1 addenda: a
provider asks a payer whether a person is covered and for what. The hierarchy is information
source (HL 20: the payer asked), information receiver (HL 21: the provider asking), subscriber
(HL 22) and, when the patient is a dependent without an id of their own, dependent (HL 23).
Each person level carries the search data (name, ids, address, birth date) and one or more
EQ inquiries (2110C/D) naming the service types or procedures asked about.

The HL loops nest as the TR3 draws them. Service type codes (EQ01, element 1365) are left open;
the qualifiers the TR3 enumerates are listed. The 270-only builders shared with the 271 live
here; the rest are in ``common``.
"""

from __future__ import annotations

from chartwell.claims.x12.guide import AN, ID, N0, N, R, S, UNBOUNDED, Guide, comp, el, loop, seg
from chartwell.claims.x12.guides import common
from chartwell.claims.x12.guides.common import (amount, beginning_of_transaction, date_or_period,
                                                demographics, hierarchical_level, party_name,
                                                procedure_identifier, provider_taxonomy,
                                                transaction_set_header, transaction_set_trailer)
from chartwell.claims.x12.guides.common import status_reference as reference

__all__ = ["GUIDE"]

# third-party administrator, employer, gateway, plan sponsor, payer
SOURCE_ENTITIES = "2B 36 GP P5 PR"
SOURCE_ID_QUALIFIERS = "24 46 FI NI PI XV XX"
RECEIVER_ENTITIES = "1P 2B 36 80 FA GP P5 PR"
RECEIVER_ID_QUALIFIERS = "24 34 FI NI PI PP SV XV XX"
PROVIDER_CODES = "AD AT BI CO CV H HH LA OT P1 P2 PC PE R RF SB SK SU"
DEPENDENT_RELATIONSHIPS = "01 19 20 21 39 40 53 G8"
PROCEDURE_QUALIFIERS = "AD CJ HC ID IV N4 ZZ"
COVERAGE_LEVELS = "CHD DEP ECH EMP ESP FAM IND SPC SPO"


def address():
    """N3/N4: a person's or provider's address."""
    return (common.address(S, "Address"),
            common.city_state_zip(S, "City, State, ZIP Code", state_or_subdivision=False,
                                  location_pair=False))


def provider_information(segment_name: str):
    """PRV: the provider's role in the inquiry and its taxonomy code (PXC)."""
    return provider_taxonomy(segment_name, PROVIDER_CODES, identified=False)


def person_trace(name: str, trace_types: str):
    """TRN: the inquirer's trace for this person (TRN01 1), echoed back in the 271 (TRN01 2)
    beside the source's own; TRN03 identifies the company that assigned it."""
    return seg("TRN", name, S, 3 if "2" in trace_types.split() else 2,
               el("Trace Type Code", R, ID, 1, 2, trace_types),
               el("Reference Identification", R, AN, 1, 50),
               el("Originating Company Identifier", R, AN, 10, 10),
               el("Reference Identification", S, AN, 1, 50))


def multiple_birth(name: str, subscriber: bool):
    """INS: the birth order of twins and triplets (INS17) -- on the subscriber, INS01 Y and
    INS02 18 (self); on a dependent, INS01 N and the relationship to the subscriber."""
    return seg("INS", name, S, 1,
               el("Yes/No Condition or Response Code", R, ID, 1, 1, "Y" if subscriber else "N"),
               el("Individual Relationship Code", R, ID, 2, 2,
                  "18" if subscriber else DEPENDENT_RELATIONSHIPS),
               el("Maintenance Type Code", S, ID, 3, 3, "001"),
               el("Maintenance Reason Code", S, ID, 2, 3, "25"),
               *(el("Not Used", N, AN, 1, 1) for _position in range(5, 17)),
               el("Birth Sequence Number", S, N0, 1, 9))


def diagnosis_codes(name: str):
    """HI: up to eight ICD-10-CM (ABK/ABF) or ICD-9-CM (BK/BF) codes, the first principal."""
    def code(usage: str, qualifiers: str):
        return comp("Health Care Code Information", usage,
                    el("Code List Qualifier Code", R, ID, 1, 3, qualifiers),
                    el("Industry Code", R, AN, 1, 30),
                    *(el("Not Used", N, AN, 1, 1) for _component in range(3, 10)))
    return seg("HI", name, S, 1,
               code(R, "ABK BK"),
               *(code(S, "ABF BF") for _position in range(2, 9)))


def person_name_loop(loop_id: str, subscriber: bool, *extra):
    """2100C/D: who the inquiry is about and what identifies them."""
    who = "Subscriber" if subscriber else "Dependent"
    return loop(
        loop_id, f"{who} Name", R, 1,
        party_name(f"{who} Name", "IL" if subscriber else "03", "1",
                   "II MI" if subscriber else None, person=True, id_usage=S,
                   last=S),
        reference(f"{who} Additional Identification",
                  "18 1L 1W 3H 6P CT EA EJ F6 GH HJ IG N6 NQ SY Y4" if subscriber
                  else "18 1L 1W 6P CT EA EJ F6 GH HJ IG N6 NQ SY Y4",
                  max_use=9),
        *address(),
        provider_information("Provider Information"),
        demographics(S, f"{who} Demographic Information", claim=False),
        multiple_birth("Multiple Birth Sequence Number" if subscriber
                       else "Dependent Relationship", subscriber),
        diagnosis_codes(f"{who} Health Care Diagnosis Code"),
        date_or_period(f"{who} Date", "102 291", "D8 RD8", max_use=2),
        *extra)


def inquiry_loop(loop_id: str, who: str):
    """2110C/D: one eligibility or benefit inquiry -- service types (EQ01, repeating) or a
    procedure (EQ02), optionally for a place of service, a date, a spend-down amount."""
    return loop(
        loop_id, f"{who} Eligibility or Benefit Inquiry", S, 99,
        seg("EQ", f"{who} Eligibility or Benefit Inquiry", R, 1,
            el("Service Type Code", S, ID, 1, 2, repeat=99),
            procedure_identifier(S, PROCEDURE_QUALIFIERS, description=N),
            el("Coverage Level Code", S, ID, 3, 3, COVERAGE_LEVELS),
            el("Insurance Type Code", N, ID, 1, 3),
            comp("Composite Diagnosis Code Pointer", S,
                 el("Diagnosis Code Pointer", R, N0, 1, 2),
                 el("Diagnosis Code Pointer", S, N0, 1, 2),
                 el("Diagnosis Code Pointer", S, N0, 1, 2),
                 el("Diagnosis Code Pointer", S, N0, 1, 2)),
            syntax=(("R", (1, 2)),)),
        amount(f"{who} Spend Down Amount", "R"),
        amount(f"{who} Spend Down Total Billed Amount", "PB"),
        seg("III", f"{who} Eligibility or Benefit Additional Inquiry Information", S, 10,
            el("Code List Qualifier Code", R, ID, 1, 3, "ZZ"),
            el("Industry Code", R, AN, 1, 30),
            *(el("Not Used", N, AN, 1, 1) for _position in range(3, 10))),
        reference(f"{who} Additional Information", "9F G1"),
        date_or_period(f"{who} Eligibility/Benefit Date", "291", "D8 RD8"))


DEPENDENT_LEVEL = loop(
    "2000D", "Dependent Level", S, UNBOUNDED,
    hierarchical_level("Dependent Level", "23", "0"),
    person_trace("Dependent Trace Number", "1"),
    person_name_loop("2100D", False, inquiry_loop("2110D", "Dependent")))

SUBSCRIBER_LEVEL = loop(
    "2000C", "Subscriber Level", R, UNBOUNDED,
    hierarchical_level("Subscriber Level", "22", "0 1"),
    person_trace("Subscriber Trace Number", "1"),
    person_name_loop("2100C", True, inquiry_loop("2110C", "Subscriber")),
    DEPENDENT_LEVEL)

INFORMATION_RECEIVER_LEVEL = loop(
    "2000B", "Information Receiver Level", R, UNBOUNDED,
    hierarchical_level("Information Receiver Level", "21", "1"),
    loop("2100B", "Information Receiver Name", R, 1,
         party_name("Information Receiver Name", RECEIVER_ENTITIES, "1 2", RECEIVER_ID_QUALIFIERS,
                    person=True),
         reference("Information Receiver Additional Identification",
                   "0B 1C 1D 1J 4A CT EL EO HPI JD N5 N7 Q4 SY TJ", max_use=9, description=S),
         *address(),
         provider_information("Information Receiver Provider Information")),
    SUBSCRIBER_LEVEL)

INFORMATION_SOURCE_LEVEL = loop(
    "2000A", "Information Source Level", R, UNBOUNDED,
    hierarchical_level("Information Source Level", "20", "1"),
    loop("2100A", "Information Source Name", R, 1,
         party_name("Information Source Name", SOURCE_ENTITIES, "1 2", SOURCE_ID_QUALIFIERS,
                    person=True)),
    INFORMATION_RECEIVER_LEVEL)

GUIDE = Guide(
    transaction="270",
    version="005010X279A1",
    functional_id="HS",
    name="Health Care Eligibility Benefit Inquiry",
    transaction_set=loop("ST_LOOP", "Transaction Set", R, 1,
                         transaction_set_header("270"),
                         beginning_of_transaction("01 13", "RT", structure="0022",
                                                  transaction_type_usage=S),
                         INFORMATION_SOURCE_LEVEL,
                         transaction_set_trailer()))

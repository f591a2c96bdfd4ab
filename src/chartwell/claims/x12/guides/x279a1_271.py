"""271 Health Care Eligibility Benefit Response, 005010X279A1.

Written by hand from the structure of the ASC X12 TR3 005010X279 with its A1 addenda: the
payer's answer to a 270, with the same hierarchy (information source HL 20, receiver HL 21,
subscriber HL 22, dependent HL 23). Where a request could not be answered, AAA segments say why
at the level that failed; otherwise each person carries EB benefit segments (2110C/D) -- active
coverage, co-payments, deductibles, limitations -- with their dates, messages, additional
information (2115) and the related entities (2120, between LS and LE: primary care provider,
other payer).

The HL loops nest as the TR3 draws them. Service type codes (EB03, element 1365) are left open;
the qualifiers and codes the TR3 enumerates are listed.
"""

from __future__ import annotations

from chartwell.claims.x12.guide import (AN, ID, N0, RN, N, R, S, UNBOUNDED, Guide, comp, el, loop,
                                        seg)
from chartwell.claims.x12.guides import common
from chartwell.claims.x12.guides.common import (beginning_of_transaction, date_or_period,
                                                demographics, hierarchical_level, party_name,
                                                procedure_identifier, transaction_set_header,
                                                transaction_set_trailer)
from chartwell.claims.x12.guides.common import status_reference as reference
from chartwell.claims.x12.guides.x279a1_270 import (COVERAGE_LEVELS, PROCEDURE_QUALIFIERS,
                                                    RECEIVER_ENTITIES, RECEIVER_ID_QUALIFIERS,
                                                    SOURCE_ENTITIES, SOURCE_ID_QUALIFIERS, address,
                                                    diagnosis_codes, multiple_birth, person_trace,
                                                    provider_information)

__all__ = ["GUIDE"]

# AAA03 Reject Reason Code (901), the values each level of the TR3 allows.
SOURCE_REJECTIONS = "04 41 42 79 80 T4"
RECEIVER_REJECTIONS = "15 41 43 44 45 46 47 48 50 51 79 97 T4"
SUBSCRIBER_REJECTIONS = ("15 35 42 43 45 47 48 49 51 52 56 57 58 60 61 62 63 71 72 73 74 75 76 "
                         "78")
DEPENDENT_REJECTIONS = ("15 35 42 43 45 47 48 49 51 52 56 57 58 60 61 62 63 64 65 66 67 68 71 "
                        "77")
BENEFIT_REJECTIONS = "15 33 52 53 54 55 56 57 60 61 62 63 69 70 98 AA AE AF AG AO CI E8 IA MA"

# EB01 Eligibility or Benefit Information Code (1390).
BENEFIT_INFORMATION = ("1 2 3 4 5 6 7 8 A B C CB D E F G H I J K L M MC N O P Q R S T U V W X "
                       "Y")
# EB04 Insurance Type Code (1336).
INSURANCE_TYPES = ("12 13 14 15 16 41 42 43 47 AP C1 CO CP D DB EP FF GP HM HN HS IN IP LC LD "
                   "LI LT MA MB MC MH MI MP OT PE PL PP PR PS QM RP SP TF WC WU")
TIME_PERIODS = "6 7 13 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36"
QUANTITY_QUALIFIERS = "8H 99 CA CE D3 DB DY HS LA LE M2 MN P6 QA S7 S8 VS YY"
BENEFIT_RELATED_ENTITIES = ("13 1I 1P 2B 36 73 FA GP GW I3 IL LR P3 P4 P5 PR PRP SEP TTP VER "
                            "VN VY X3 Y2")


def request_validation(name: str, rejections: str):
    """AAA: why the request could not be answered here, and what the inquirer should do."""
    return seg("AAA", name, S, 9,
               el("Yes/No Condition or Response Code", R, ID, 1, 1, "N Y"),
               el("Agency Qualifier Code", N, ID, 2, 2),
               el("Reject Reason Code", R, ID, 2, 2, rejections),
               el("Follow-up Action Code", R, ID, 1, 1, "C N P R S W X Y"))


def contact(segment_name: str):
    """PER: whom to call, and on which numbers (paired qualifier and number)."""
    return common.contact(segment_name, S, 3, media="ED EM FX TE UR",
                          more_media="ED EM EX FX TE UR", media_usage=S)


def military_personnel(name: str):
    return seg("MPI", name, S, 1,
               el("Information Status Code", R, ID, 1, 1, "A C L O P R U"),
               el("Employment Status Code", R, ID, 2, 2),
               el("Government Service Affiliation Code", R, ID, 1, 1),
               el("Description", S, AN, 1, 80),
               el("Military Service Rank Code", S, ID, 2, 2),
               el("Date Time Period Format Qualifier", S, ID, 2, 3, "D8 RD8"),
               el("Date Time Period", S, AN, 1, 35),
               syntax=(("P", (6, 7)),))


def benefit(who: str):
    """EB: one benefit -- what kind (active coverage, co-insurance, deductible...), for whom,
    which service types, which plan, for what period, how much."""
    return seg("EB", f"{who} Eligibility or Benefit Information", R, 1,
               el("Eligibility or Benefit Information Code", R, ID, 1, 2, BENEFIT_INFORMATION),
               el("Coverage Level Code", S, ID, 3, 3, COVERAGE_LEVELS),
               el("Service Type Code", S, ID, 1, 2, repeat=99),
               el("Insurance Type Code", S, ID, 1, 3, INSURANCE_TYPES),
               el("Plan Coverage Description", S, AN, 1, 50),
               el("Time Period Qualifier", S, ID, 1, 2, TIME_PERIODS),
               el("Monetary Amount", S, RN, 1, 18),
               el("Percentage as Decimal", S, RN, 1, 10),
               el("Quantity Qualifier", S, ID, 2, 2, QUANTITY_QUALIFIERS),
               el("Quantity", S, RN, 1, 15),
               el("Authorization or Certification Indicator", S, ID, 1, 1, "N U Y"),
               el("In Plan Network Indicator", S, ID, 1, 1, "N U W Y"),
               procedure_identifier(S, PROCEDURE_QUALIFIERS, description=N),
               comp("Composite Diagnosis Code Pointer", S,
                    el("Diagnosis Code Pointer", R, N0, 1, 2),
                    el("Diagnosis Code Pointer", S, N0, 1, 2),
                    el("Diagnosis Code Pointer", S, N0, 1, 2),
                    el("Diagnosis Code Pointer", S, N0, 1, 2)),
               syntax=(("P", (9, 10)),))


def services_delivery(who: str):
    """HSD: how often a benefit may be used (visits per period, delivery pattern)."""
    return seg("HSD", "Health Care Services Delivery", S, 9,
               el("Quantity Qualifier", S, ID, 2, 2, "DY FL HS MN VS"),
               el("Quantity", S, RN, 1, 15),
               el("Unit or Basis for Measurement Code", S, ID, 2, 2, "DA MO VS WK YR"),
               el("Sample Selection Modulus", S, RN, 1, 6),
               el("Time Period Qualifier", S, ID, 1, 2, TIME_PERIODS),
               el("Number of Periods", S, N0, 1, 3),
               el("Ship/Delivery or Calendar Pattern Code", S, ID, 1, 2),
               el("Ship/Delivery Pattern Time Code", S, ID, 1, 1, "A B C D E F Y"),
               syntax=(("P", (1, 2)), ("C", (3, 4)), ("P", (5, 6))))


def benefit_loop(suffix: str, who: str):
    """2110C/D with its 2115 additional information and, between LS and LE, the 2120
    benefit-related entities."""
    return loop(
        f"2110{suffix}", f"{who} Eligibility or Benefit Information", S, UNBOUNDED,
        benefit(who),
        services_delivery(who),
        reference(f"{who} Additional Identification",
                  "18 1L 1W 49 6P 9F ALS CLI F6 FO G1 IG M7 N6 NQ PID", max_use=9,
                  description=S),
        date_or_period(f"{who} Eligibility/Benefit Date",
                       "096 193 194 198 290 291 292 295 304 307 318 346 347 348 349 356 357 "
                       "435 472 636 771", "D8 RD8", max_use=20),
        request_validation(f"{who} Request Validation", BENEFIT_REJECTIONS),
        seg("MSG", "Message Text", S, 10,
            el("Free-form Message Text", R, AN, 1, 264),
            el("Printer Carriage Control Code", N, ID, 2, 2),
            el("Number", N, N0, 1, 9)),
        loop(f"2115{suffix}", f"{who} Eligibility or Benefit Additional Information", S, 10,
             seg("III", f"{who} Eligibility or Benefit Additional Information", R, 1,
                 el("Code List Qualifier Code", S, ID, 1, 3, "GR NI ZZ"),
                 el("Industry Code", S, AN, 1, 30),
                 el("Code Category", S, ID, 2, 2, "44"),
                 el("Free-form Message Text", S, AN, 1, 264),
                 *(el("Not Used", N, AN, 1, 1) for _position in range(5, 10)),
                 syntax=(("P", (1, 2)),))),
        seg("LS", "Loop Header", S, 1,
            el("Loop Identifier Code", R, AN, 1, 4, "2120")),
        loop(f"2120{suffix}", f"{who} Benefit Related Entity", S, 23,
             party_name(f"{who} Benefit Related Entity Name", BENEFIT_RELATED_ENTITIES, "1 2",
                        "24 34 46 FA FI II MI NI PI PP SV XV XX", person=True, id_usage=S,
                        last=S, relationship_codes="01 02 27 41 48 65 72"),
             *address(),
             contact(f"{who} Benefit Related Entity Contact Information"),
             provider_information(f"{who} Benefit Related Provider Information")),
        seg("LE", "Loop Trailer", S, 1,
            el("Loop Identifier Code", R, AN, 1, 4, "2120")))


def person_name_loop(suffix: str, subscriber: bool):
    """2100C/D: who the answer is about, as the payer knows them."""
    who = "Subscriber" if subscriber else "Dependent"
    return loop(
        f"2100{suffix}", f"{who} Name", R, 1,
        party_name(f"{who} Name", "IL" if subscriber else "03", "1",
                   "II MI" if subscriber else None, person=True, id_usage=S,
                   last=S),
        reference(f"{who} Additional Identification",
                  "18 1L 1W 3H 49 6P CE CT EA EJ F6 GH HJ IF IG MRC N6 NQ Q4 SY Y4",
                  max_use=9, description=S),
        *address(),
        request_validation(f"{who} Request Validation",
                           SUBSCRIBER_REJECTIONS if subscriber else DEPENDENT_REJECTIONS),
        provider_information("Provider Information"),
        demographics(S, f"{who} Demographic Information", claim=False),
        multiple_birth(f"{who} Relationship", subscriber),
        diagnosis_codes(f"{who} Health Care Diagnosis Code"),
        date_or_period(f"{who} Date",
                       "102 152 291 307 318 340 341 342 343 346 347 356 357 382 435 442 458 "
                       "472 539 540 636 771", "D8 RD8", max_use=9),
        military_personnel(f"{who} Military Personnel Information"),
        benefit_loop(suffix, who))


DEPENDENT_LEVEL = loop(
    "2000D", "Dependent Level", S, UNBOUNDED,
    hierarchical_level("Dependent Level", "23", "0"),
    person_trace("Dependent Trace Number", "1 2"),
    person_name_loop("D", False))

SUBSCRIBER_LEVEL = loop(
    "2000C", "Subscriber Level", S, UNBOUNDED,
    hierarchical_level("Subscriber Level", "22", "0 1"),
    person_trace("Subscriber Trace Number", "1 2"),
    person_name_loop("C", True),
    DEPENDENT_LEVEL)

INFORMATION_RECEIVER_LEVEL = loop(
    "2000B", "Information Receiver Level", S, UNBOUNDED,
    hierarchical_level("Information Receiver Level", "21", "0 1"),
    loop("2100B", "Information Receiver Name", R, 1,
         party_name("Information Receiver Name", RECEIVER_ENTITIES, "1 2", RECEIVER_ID_QUALIFIERS,
                    person=True),
         reference("Information Receiver Additional Identification",
                   "0B 1C 1D 1J 4A CT EL EO HPI JD N5 N7 Q4 SY TJ", max_use=9, description=S),
         request_validation("Information Receiver Request Validation", RECEIVER_REJECTIONS),
         provider_information("Information Receiver Provider Information")),
    SUBSCRIBER_LEVEL)

INFORMATION_SOURCE_LEVEL = loop(
    "2000A", "Information Source Level", R, UNBOUNDED,
    hierarchical_level("Information Source Level", "20", "0 1"),
    request_validation("Request Validation", SOURCE_REJECTIONS),
    loop("2100A", "Information Source Name", R, 1,
         party_name("Information Source Name", SOURCE_ENTITIES, "1 2", SOURCE_ID_QUALIFIERS,
                    person=True),
         contact("Information Source Contact Information"),
         request_validation("Information Source Request Validation", SOURCE_REJECTIONS)),
    INFORMATION_RECEIVER_LEVEL)

GUIDE = Guide(
    transaction="271",
    version="005010X279A1",
    functional_id="HB",
    name="Health Care Eligibility Benefit Response",
    transaction_set=loop("ST_LOOP", "Transaction Set", R, 1,
                         transaction_set_header("271"),
                         beginning_of_transaction("06 11", None, structure="0022",
                                                  reference_usage=S),
                         INFORMATION_SOURCE_LEVEL,
                         transaction_set_trailer()))

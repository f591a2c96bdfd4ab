"""276 Health Care Claim Status Request, 005010X212.

Written by hand from the structure of the ASC X12 TR3 005010X212: a provider (or its
clearinghouse) asks a payer where a claim stands. The hierarchy is information source (HL 20:
the payer asked), information receiver (HL 21: who asks), service provider (HL 19), subscriber
(HL 22) and, when the patient is not the subscriber, dependent (HL 23); the claim being asked
about (2200D/E, keyed by TRN02 trace number, with the patient control number, bill type,
charges and service dates) and optionally its service lines (2210D/E).

The HL loops nest as the TR3 draws them. The segment builders below are shared with the 277
response and the 277CA (same segment shapes, different qualifiers and usages).
"""

from __future__ import annotations

from chartwell.claims.x12.guide import (AN, DT, ID, N0, RN, TM, N, R, S, UNBOUNDED, Guide, comp,
                                        el, loop, seg)

__all__ = ["GUIDE"]

# Product/service ID qualifiers for SVC01-1 (ADA, jurisdiction, HCPCS, HIPPS, HIEC, NDC, NUBC
# revenue code, ABC codes).
PRODUCT_SERVICE_QUALIFIERS = "AD ER HC HP IV N4 NU WK"


def transaction_set_header(transaction: str):
    return seg("ST", "Transaction Set Header", R, 1,
               el("Transaction Set Identifier Code", R, ID, 3, 3, transaction),
               el("Transaction Set Control Number", R, AN, 4, 9),
               el("Implementation Convention Reference", R, AN, 1, 35))


def transaction_set_trailer():
    return seg("SE", "Transaction Set Trailer", R, 1,
               el("Number of Included Segments", R, N0, 1, 10),
               el("Transaction Set Control Number", R, AN, 4, 9))


def beginning_of_transaction(purpose: str, transaction_type: str | None, *,
                             structure: str = "0010", transaction_type_usage: str = R,
                             reference_usage: str = R):
    """BHT: the hierarchy (0010 source-receiver-provider-subscriber-dependent), the purpose
    (13 request, 08 status, 11 response), the originator's id (echoed back in the response)."""
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


def hierarchical_level(name: str, level: str, child_codes: str | None):
    """HL: HL03 tells the levels apart; the top level has no parent, the lowest level (or one
    the TR3 gives no children) no HL04."""
    child = (el("Hierarchical Child Code", R, ID, 1, 1, child_codes) if child_codes
             else el("Hierarchical Child Code", N, ID, 1, 1))
    return seg("HL", name, R, 1,
               el("Hierarchical ID Number", R, AN, 1, 12),
               el("Hierarchical Parent ID Number", N if level == "20" else R, AN, 1, 12),
               el("Hierarchical Level Code", R, ID, 1, 2, level),
               child,
               qualifier=(3, level))


def party_name(name: str, entity: str, entity_types: str, id_qualifiers: str | None, *,
               person: bool, id_usage: str = R, usage: str = R, max_use: int = 1,
               last_name_usage: str = R, relationship_codes: str | None = None,
               suffix_usage: str | None = None):
    """NM1 for one party: a person's first and middle name and suffix are situational, an
    organisation's not used; ``id_qualifiers`` None for a party the TR3 gives no id;
    ``relationship_codes`` for the 271's benefit-related entities (NM110)."""
    person_usage = S if person else N
    if suffix_usage is None:
        suffix_usage = person_usage
    if id_qualifiers is None:
        id_usage = N
    relationship = (el("Entity Relationship Code", S, ID, 2, 2, relationship_codes)
                    if relationship_codes else el("Entity Relationship Code", N, ID, 2, 2))
    return seg("NM1", name, usage, max_use,
               el("Entity Identifier Code", R, ID, 2, 3, entity),
               el("Entity Type Qualifier", R, ID, 1, 1, entity_types),
               el("Name Last or Organization Name", last_name_usage, AN, 1, 60),
               el("Name First", person_usage, AN, 1, 35),
               el("Name Middle", person_usage, AN, 1, 25),
               el("Name Prefix", N, AN, 1, 10),
               el("Name Suffix", suffix_usage, AN, 1, 10),
               el("Identification Code Qualifier", id_usage, ID, 1, 2, id_qualifiers),
               el("Identification Code", id_usage, AN, 2, 80),
               relationship,
               el("Entity Identifier Code", N, ID, 2, 3),
               el("Name Last or Organization Name", N, AN, 1, 60),
               qualifier=(1, entity),
               syntax=(("P", (8, 9)),))


def trace(name: str, trace_type: str, *, usage: str = R):
    """TRN: 1 current transaction trace number (assigned by the sender), 2 referenced (echoed
    back from the request or the claim)."""
    return seg("TRN", name, usage, 1,
               el("Trace Type Code", R, ID, 1, 2, trace_type),
               el("Reference Identification", R, AN, 1, 50),
               el("Originating Company Identifier", N, AN, 10, 10),
               el("Reference Identification", N, AN, 1, 50))


def reference(name: str, qualifier: str, *, usage: str = S, max_use: int = 1,
              description: str = N):
    return seg("REF", name, usage, max_use,
               el("Reference Identification Qualifier", R, ID, 2, 3, qualifier),
               el("Reference Identification", R, AN, 1, 50),
               el("Description", description, AN, 1, 80),
               qualifier=(1, qualifier))


def amount(name: str, qualifier: str, *, usage: str = S):
    return seg("AMT", name, usage, 1,
               el("Amount Qualifier Code", R, ID, 1, 3, qualifier),
               el("Monetary Amount", R, RN, 1, 18),
               el("Credit/Debit Flag Code", N, ID, 1, 1),
               qualifier=(1, qualifier))


def quantity(name: str, qualifier: str, *, usage: str = S):
    return seg("QTY", name, usage, 1,
               el("Quantity Qualifier", R, ID, 2, 2, qualifier),
               el("Quantity", R, RN, 1, 15),
               qualifier=(1, qualifier))


def date_or_period(name: str, qualifier: str, formats: str, *, usage: str = S,
                   max_use: int = 1):
    return seg("DTP", name, usage, max_use,
               el("Date/Time Qualifier", R, ID, 3, 3, qualifier),
               el("Date Time Period Format Qualifier", R, ID, 2, 3, formats),
               el("Date Time Period", R, AN, 1, 35),
               qualifier=(1, qualifier))


def demographics(name: str):
    return seg("DMG", name, S, 1,
               el("Date Time Period Format Qualifier", R, ID, 2, 3, "D8"),
               el("Date of Birth", R, AN, 1, 35),
               el("Gender Code", S, ID, 1, 1, "F M U"))


def service_line(paid_usage: str):
    """SVC: the procedure or revenue code billed, its charge, (in a response) what was paid,
    the revenue code when SVC01 is a procedure, and the units."""
    return seg("SVC", "Service Line Information", R, 1,
               comp("Composite Medical Procedure Identifier", R,
                    el("Product/Service ID Qualifier", R, ID, 2, 2, PRODUCT_SERVICE_QUALIFIERS),
                    el("Product/Service ID", R, AN, 1, 48),
                    el("Procedure Modifier", S, AN, 2, 2),
                    el("Procedure Modifier", S, AN, 2, 2),
                    el("Procedure Modifier", S, AN, 2, 2),
                    el("Procedure Modifier", S, AN, 2, 2),
                    el("Description", N, AN, 1, 80),
                    el("Product/Service ID", N, AN, 1, 48)),
               el("Line Item Charge Amount", R, RN, 1, 18),
               el("Line Item Provider Payment Amount", paid_usage, RN, 1, 18),
               el("Revenue Code", S, AN, 1, 48),
               el("Quantity", N, RN, 1, 15),
               comp("Composite Medical Procedure Identifier", N,
                    el("Product/Service ID Qualifier", N, ID, 2, 2)),
               el("Original Units of Service Count", S, RN, 1, 15))


def claim_status_tracking(level: str):
    """2200D/E: the claim asked about, then its service lines (2210D/E)."""
    return loop(
        f"2200{level}", "Claim Status Tracking Number", S, UNBOUNDED,
        trace("Claim Status Tracking Number", "1"),
        reference("Payer Claim Control Number", "1K"),
        reference("Institutional Bill Type Identification", "BLT"),
        reference("Application or Location System Identifier", "LU"),
        reference("Group Number", "6P"),
        reference("Patient Control Number", "EJ"),
        reference("Pharmacy Prescription Number", "XZ"),
        reference("Claim Identification Number for Clearinghouses and Other Transmission "
                  "Intermediaries", "D9"),
        amount("Claim Submitted Charges", "T3"),
        date_or_period("Claim Service Date", "472", "D8 RD8"),
        loop(f"2210{level}", "Service Line Information", S, UNBOUNDED,
             service_line(N),
             reference("Service Line Item Identification", "FJ"),
             date_or_period("Service Line Date", "472", "D8 RD8", usage=R)))


DEPENDENT_LEVEL = loop(
    "2000E", "Dependent Level", S, UNBOUNDED,
    hierarchical_level("Dependent Level", "23", None),
    demographics("Dependent Demographic Information"),
    loop("2100E", "Dependent Name", R, 1,
         party_name("Dependent Name", "QC", "1", None, person=True)),
    claim_status_tracking("E"))

SUBSCRIBER_LEVEL = loop(
    "2000D", "Subscriber Level", R, UNBOUNDED,
    hierarchical_level("Subscriber Level", "22", "0 1"),
    demographics("Subscriber Demographic Information"),
    loop("2100D", "Subscriber Name", R, 1,
         party_name("Subscriber Name", "IL", "1 2", "24 II MI", person=True)),
    claim_status_tracking("D"),
    DEPENDENT_LEVEL)

SERVICE_PROVIDER_LEVEL = loop(
    "2000C", "Service Provider Level", R, UNBOUNDED,
    hierarchical_level("Service Provider Level", "19", "1"),
    loop("2100C", "Provider Name", R, 1,
         party_name("Provider Name", "1P", "1 2", "FI SV XX", person=True)),
    SUBSCRIBER_LEVEL)

INFORMATION_RECEIVER_LEVEL = loop(
    "2000B", "Information Receiver Level", R, UNBOUNDED,
    hierarchical_level("Information Receiver Level", "21", "1"),
    loop("2100B", "Information Receiver Name", R, 1,
         party_name("Information Receiver Name", "41", "1 2", "46 FI XX", person=True)),
    SERVICE_PROVIDER_LEVEL)

INFORMATION_SOURCE_LEVEL = loop(
    "2000A", "Information Source Level", R, UNBOUNDED,
    hierarchical_level("Information Source Level", "20", "1"),
    loop("2100A", "Payer Name", R, 1,
         party_name("Payer Name", "PR", "2", "46 FI PI XV", person=False)),
    INFORMATION_RECEIVER_LEVEL)

GUIDE = Guide(
    transaction="276",
    version="005010X212",
    functional_id="HR",
    name="Health Care Claim Status Request",
    transaction_set=loop("ST_LOOP", "Transaction Set", R, 1,
                         transaction_set_header("276"),
                         beginning_of_transaction("13", None),
                         INFORMATION_SOURCE_LEVEL,
                         transaction_set_trailer()))

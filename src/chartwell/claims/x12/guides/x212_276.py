"""276 Health Care Claim Status Request, 005010X212.

Written by hand from the structure of the ASC X12 TR3 005010X212: a provider (or its
clearinghouse) asks a payer where a claim stands. The hierarchy is information source (HL 20:
the payer asked), information receiver (HL 21: who asks), service provider (HL 19), subscriber
(HL 22) and, when the patient is not the subscriber, dependent (HL 23); the claim being asked
about (2200D/E, keyed by TRN02 trace number, with the patient control number, bill type,
charges and service dates) and optionally its service lines (2210D/E).

The HL loops nest as the TR3 draws them. Its segment builders (``common``) are shared with the
277, the 277CA, the 270 and the 271 (same segment shapes, different qualifiers and usages).
"""

from __future__ import annotations

from chartwell.claims.x12.guide import N, R, S, UNBOUNDED, Guide, loop
from chartwell.claims.x12.guides.common import (amount, beginning_of_transaction, date_or_period,
                                                demographics, hierarchical_level, party_name,
                                                service_line, status_reference, trace,
                                                transaction_set_header, transaction_set_trailer)

__all__ = ["GUIDE"]


def claim_status_tracking(level: str):
    """2200D/E: the claim asked about, then its service lines (2210D/E)."""
    return loop(
        f"2200{level}", "Claim Status Tracking Number", S, UNBOUNDED,
        trace("Claim Status Tracking Number", "1"),
        status_reference("Payer Claim Control Number", "1K"),
        status_reference("Institutional Bill Type Identification", "BLT"),
        status_reference("Application or Location System Identifier", "LU"),
        status_reference("Group Number", "6P"),
        status_reference("Patient Control Number", "EJ"),
        status_reference("Pharmacy Prescription Number", "XZ"),
        status_reference("Claim Identification Number for Clearinghouses and Other "
                         "Transmission Intermediaries", "D9"),
        amount("Claim Submitted Charges", "T3"),
        date_or_period("Claim Service Date", "472", "D8 RD8"),
        loop(f"2210{level}", "Service Line Information", S, UNBOUNDED,
             service_line(N),
             status_reference("Service Line Item Identification", "FJ"),
             date_or_period("Service Line Date", "472", "D8 RD8", usage=R)))


DEPENDENT_LEVEL = loop(
    "2000E", "Dependent Level", S, UNBOUNDED,
    hierarchical_level("Dependent Level", "23", None),
    demographics(S, "Dependent Demographic Information", claim=False),
    loop("2100E", "Dependent Name", R, 1,
         party_name("Dependent Name", "QC", "1", None, person=True)),
    claim_status_tracking("E"))

SUBSCRIBER_LEVEL = loop(
    "2000D", "Subscriber Level", R, UNBOUNDED,
    hierarchical_level("Subscriber Level", "22", "0 1"),
    demographics(S, "Subscriber Demographic Information", claim=False),
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

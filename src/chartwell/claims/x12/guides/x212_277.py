"""277 Health Care Claim Status Response, 005010X212.

Written by hand from the structure of the ASC X12 TR3 005010X212: the payer's answer to a 276,
with the same hierarchy (information source HL 20, receiver HL 21, provider HL 19, subscriber
HL 22, dependent HL 23). Each claim (2200D/E) echoes the request's trace number (TRN01 2) and
carries one or more STC statuses with what was billed and paid, the check or EFT and its date;
service lines (2220D/E) carry their own STC. A receiver or provider level may carry a status of
its own (2200B/2200C) when the request could not be answered below it.

Claim status category and status codes (STC01-1/-2, external code lists 507/508) are left open.
"""

from __future__ import annotations

from chartwell.claims.x12.guide import AN, DT, ID, RN, N, R, S, UNBOUNDED, Guide, el, loop, seg
from chartwell.claims.x12.guides.common import (beginning_of_transaction, contact, date_or_period,
                                                hierarchical_level, party_name, service_line,
                                                status, status_composite, status_reference,
                                                trace, transaction_set_header,
                                                transaction_set_trailer)

__all__ = ["GUIDE"]


def claim_status(segment_name: str, *, payment: bool):
    """STC: the status and its effective date; on a claim (``payment``) also the charge, what
    was paid, when it was finalised and by which check or EFT."""
    money = S if payment else N
    return seg("STC", segment_name, R, UNBOUNDED,
               status_composite(R),
               el("Status Information Effective Date", R, DT, 8, 8),
               el("Action Code", N, ID, 1, 2),
               el("Total Claim Charge Amount", money, RN, 1, 18),
               el("Claim Payment Amount", money, RN, 1, 18),
               el("Adjudication or Payment Date", money, DT, 8, 8),
               el("Payment Method Code", money, ID, 3, 3, "ACH BOP CHK FWT NON"),
               el("Check Issue or EFT Effective Date", money, DT, 8, 8),
               el("Check or EFT Trace Number", money, AN, 1, 16),
               status_composite(S),
               status_composite(S),
               el("Free-form Message Text", money, AN, 1, 264))


PAYER_CONTACT = contact("Payer Contact Information", S, 1, media="ED EM FX TE UR",
                        more_media="EM EX FX TE UR", last_media="EM EX FX UR")


def claim_status_tracking(level: str):
    """2200D/E: one claim's status, then its service lines (2220D/E)."""
    return loop(
        f"2200{level}", "Claim Status Tracking Number", S, UNBOUNDED,
        trace("Claim Status Tracking Number", "2"),
        claim_status("Claim Level Status Information", payment=True),
        status_reference("Payer Claim Control Number", "1K"),
        status_reference("Institutional Bill Type Identification", "BLT"),
        status_reference("Patient Control Number", "EJ"),
        status_reference("Pharmacy Prescription Number", "XZ"),
        status_reference("Voucher Identifier", "VV"),
        status_reference("Claim Identification Number for Clearinghouses and Other "
                         "Transmission Intermediaries", "D9"),
        date_or_period("Claim Service Date", "472", "D8 RD8"),
        loop(f"2220{level}", "Service Line Information", S, UNBOUNDED,
             service_line(R),
             status("Service Line Status Information"),
             status_reference("Service Line Item Identification", "FJ"),
             date_or_period("Service Line Date", "472", "D8 RD8")))


DEPENDENT_LEVEL = loop(
    "2000E", "Dependent Level", S, UNBOUNDED,
    hierarchical_level("Dependent Level", "23", None),
    loop("2100E", "Dependent Name", R, 1,
         party_name("Dependent Name", "QC", "1", None, person=True)),
    claim_status_tracking("E"))

SUBSCRIBER_LEVEL = loop(
    "2000D", "Subscriber Level", S, UNBOUNDED,
    hierarchical_level("Subscriber Level", "22", "0 1"),
    loop("2100D", "Subscriber Name", R, 1,
         party_name("Subscriber Name", "IL", "1 2", "24 II MI", person=True)),
    claim_status_tracking("D"),
    DEPENDENT_LEVEL)

SERVICE_PROVIDER_LEVEL = loop(
    "2000C", "Service Provider Level", S, UNBOUNDED,
    hierarchical_level("Service Provider Level", "19", "0 1"),
    loop("2100C", "Provider Name", R, 1,
         party_name("Provider Name", "1P", "1 2", "FI SV XX", person=True)),
    loop("2200C", "Provider of Service Information Trace Identifier", S, 1,
         trace("Provider of Service Information Trace Identifier", "1"),
         claim_status("Provider Status Information", payment=False)),
    SUBSCRIBER_LEVEL)

INFORMATION_RECEIVER_LEVEL = loop(
    "2000B", "Information Receiver Level", R, UNBOUNDED,
    hierarchical_level("Information Receiver Level", "21", "0 1"),
    loop("2100B", "Information Receiver Name", R, 1,
         party_name("Information Receiver Name", "41", "1 2", "46 FI XX", person=True)),
    loop("2200B", "Information Receiver Application Trace Identifier", S, 1,
         trace("Information Receiver Application Trace Identifier", "2"),
         claim_status("Information Receiver Status Information", payment=False)),
    SERVICE_PROVIDER_LEVEL)

INFORMATION_SOURCE_LEVEL = loop(
    "2000A", "Information Source Level", R, UNBOUNDED,
    hierarchical_level("Information Source Level", "20", "1"),
    loop("2100A", "Payer Name", R, 1,
         party_name("Payer Name", "PR", "2", "46 FI PI XV", person=False),
         PAYER_CONTACT),
    INFORMATION_RECEIVER_LEVEL)

GUIDE = Guide(
    transaction="277",
    version="005010X212",
    functional_id="HN",
    name="Health Care Claim Status Response",
    transaction_set=loop("ST_LOOP", "Transaction Set", R, 1,
                         transaction_set_header("277"),
                         beginning_of_transaction("08", "DG"),
                         INFORMATION_SOURCE_LEVEL,
                         transaction_set_trailer()))

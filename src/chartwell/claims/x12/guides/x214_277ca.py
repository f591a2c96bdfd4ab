"""277CA Health Care Claim Acknowledgment, 005010X214.

Written by hand from the structure of the ASC X12 TR3 005010X214: the front-end answer to an
837, claim by claim, before adjudication. Its hierarchy is information source (HL 20: the payer
or clearinghouse that received the batch), information receiver (HL 21: the submitter, with the
batch totals accepted and rejected), billing provider (HL 19) and patient (HL PT), each claim
carrying its patient control number (TRN02 = CLM01) and one or more STC statuses; 2220D repeats
the status per service line.

The HL loops nest as the TR3 draws them (2000B inside 2000A, and so on); a receiver whose whole
batch was rejected has no provider level below it (2000C is situational, the TR3's business
scenario 2). Claim status category
and status codes (STC01-1/-2) are external code lists (507/508) and are left open.
"""

from __future__ import annotations

from chartwell.claims.x12.guide import N, R, S, UNBOUNDED, Guide, loop
from chartwell.claims.x12.guides.common import (amount, beginning_of_transaction, date_or_period,
                                                hierarchical_level, party_name, quantity,
                                                service_line, status, status_reference, trace,
                                                transaction_set_header, transaction_set_trailer)

__all__ = ["GUIDE"]

ACCEPTED_OR_REJECTED = (R, "WQ U")  # STC03 Action Code: WQ accepted, U rejected


def _stc(segment_name: str, *, effective_date: str, charge: str):
    """STC: the status (the 277CA does not use C043-4), its date, the action and the charges
    it concerns."""
    return status(segment_name, effective_date=effective_date, action=ACCEPTED_OR_REJECTED,
                  charge=charge, message=S, code_list=N)


def _batch_totals(accepted_quantity: str, rejected_quantity: str):
    """The accepted/rejected claim counts and charges a receiver or provider level reports."""
    return (quantity("Total Accepted Quantity", accepted_quantity, unit=False),
            quantity("Total Rejected Quantity", rejected_quantity, unit=False),
            amount("Total Accepted Amount", "YU"),
            amount("Total Rejected Amount", "YY"))


PATIENT_LEVEL = loop(
    "2000D", "Patient Level", S, UNBOUNDED,
    hierarchical_level("Patient Level", "PT", None),
    loop("2100D", "Patient Name", R, 1,
         party_name("Patient Name", "QC", "1", "II MI", person=True, id_usage=S)),
    loop("2200D", "Claim Status Tracking Number", R, 1,
         trace("Claim Status Tracking Number", "2"),
         _stc("Claim Level Status Information", effective_date=R, charge=R),
         status_reference("Payer Claim Control Number", "1K"),
         status_reference("Clearinghouse Trace Number", "D9"),
         status_reference("Billing Type", "BLT"),
         date_or_period("Claim Level Service Date", "472", "D8 RD8", usage=S),
         loop("2220D", "Service Line Information", S, UNBOUNDED,
              service_line(S),
              _stc("Service Line Level Status Information", effective_date=S, charge=N),
              status_reference("Service Line Item Identification", "FJ"),
              date_or_period("Service Line Date", "472", "D8 RD8", usage=S))))

BILLING_PROVIDER_LEVEL = loop(
    "2000C", "Billing Provider of Service Level", S, UNBOUNDED,
    hierarchical_level("Billing Provider of Service Level", "19", "0 1"),
    loop("2100C", "Billing Provider Name", R, 1,
         party_name("Billing Provider Name", "85", "1 2", "FI SV XX", person=True)),
    loop("2200C", "Provider of Service Information Trace Identifier", S, 1,
         trace("Provider of Service Information Trace Identifier", "1"),
         _stc("Billing Provider Status Information", effective_date=N, charge=R),
         *_batch_totals("QA", "QC")),
    PATIENT_LEVEL)

INFORMATION_RECEIVER_LEVEL = loop(
    "2000B", "Information Receiver Level", R, UNBOUNDED,
    hierarchical_level("Information Receiver Level", "21", "0 1"),
    loop("2100B", "Information Receiver Name", R, 1,
         party_name("Information Receiver Name", "41", "1 2", "46", person=True,
                    suffix=N)),
    loop("2200B", "Information Receiver Application Trace Identifier", S, 1,
         trace("Information Receiver Application Trace Identifier", "2"),
         _stc("Information Receiver Status Information", effective_date=R, charge=R),
         *_batch_totals("90", "AA")),
    BILLING_PROVIDER_LEVEL)

INFORMATION_SOURCE_LEVEL = loop(
    "2000A", "Information Source Level", R, UNBOUNDED,
    hierarchical_level("Information Source Level", "20", "1"),
    loop("2100A", "Information Source Name", R, 1,
         party_name("Information Source Name", "AY PR", "2", "46 FI PI XV", person=False)),
    loop("2200A", "Transmission Receipt Control Identifier", R, 1,
         trace("Transmission Receipt Control Identifier", "1"),
         date_or_period("Information Source Receipt Date", "050", "D8", usage=R),
         date_or_period("Information Source Process Date", "009", "D8", usage=R)),
    INFORMATION_RECEIVER_LEVEL)

GUIDE = Guide(
    transaction="277",
    version="005010X214",
    functional_id="HN",
    name="Health Care Claim Acknowledgment",
    transaction_set=loop("ST_LOOP", "Transaction Set", R, 1,
                         transaction_set_header("277"),
                         beginning_of_transaction("08", "TH", structure="0085"),
                         INFORMATION_SOURCE_LEVEL,
                         transaction_set_trailer()))

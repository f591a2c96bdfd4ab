"""835 Health Care Claim Payment/Advice, 005010X221A1.

Written by hand from the structure of the ASC X12 TR3 005010X221A1: a payer tells a provider what
it paid and why, and (BPR) moves or announces the money. The header carries the payment itself
(BPR: amount, method, the banks), the trace number that reassociates the money with this advice
(TRN), the payer (1000A) and the payee (1000B). The detail groups claims under optional header
numbers (2000, with the Medicare facility summaries TS3/TS2); each claim (2100, keyed by CLP01 the
patient control number) carries its status, charge and payment, its adjustments (CAS group codes
and CARCs), the people (patient, insured, corrected names, rendering provider, crossover payer)
and the inpatient/outpatient remarks (MIA/MOA with RARCs); each service line (2110, SVC) repeats
that per procedure. PLB closes with the provider-level adjustments (interest, recoupments,
forwarding balances) that are not tied to a claim.

There are no HL loops in the 835; CLP starts a claim, SVC a service line, LX a header number.
"""

from __future__ import annotations

from chartwell.claims.x12.guide import (AN, DT, ID, N0, RN, UNBOUNDED, Guide, N, R, S, comp, el,
                                        loop, seg)
from chartwell.claims.x12.guides import common
from chartwell.claims.x12.guides.common import (address, city_state_zip, inpatient_adjudication,
                                                name, outpatient_adjudication,
                                                procedure_identifier, reference,
                                                transaction_set_header, transaction_set_trailer)

__all__ = ["GUIDE"]

VERSION = "005010X221A1"

# CAS01 claim adjustment group codes in the 835 (5010 dropped CR, correction and reversal).
ADJUSTMENT_GROUPS = "CO OA PI PR"
# CLP02 claim status: processed as primary/secondary/tertiary, denied, pended, received not in
# process, processed as primary/secondary/tertiary and forwarded, not our claim, reversal.
CLAIM_STATUS = "1 2 3 4 19 20 21 22 23 25"
# CLP06 claim filing indicator in the 835.
CLAIM_FILING_INDICATORS = "12 13 14 15 16 17 AM CH DS HM LM MA MB MC OF TV VA WC ZZ"
# SVC01-1 / SVC06-1 product or service ID qualifiers.
ADJUDICATED_SERVICE_QUALIFIERS = "AD ER HC HP IV N4 N6 NU UI WK"
SUBMITTED_SERVICE_QUALIFIERS = "AD ER HC HP IV N4 NU WK"
# PLB03-1 provider adjustment reason codes.
PROVIDER_ADJUSTMENT_REASONS = ("50 51 72 90 AH AM AP B2 B3 BD BN C5 CR CS CT CV CW DM E3 FB FC GO "
                               "HM IP IR IS J1 L3 L6 LE LS OA OB PI PL RA RE SL TL WO WU")
# Bank routing qualifiers (01 ABA transit routing number, 04 Canadian bank branch) and account
# qualifiers (DA demand deposit, SG savings).
ROUTING_QUALIFIERS = "01 04"


def date_time(dtm_name: str, codes: str, usage: str = S, max_use: int = 1):
    """DTM: DTM01 says which date; the 835 sends dates only (CCYYMMDD)."""
    return seg("DTM", dtm_name, usage, max_use,
               el("Date/Time Qualifier", R, ID, 3, 3, codes),
               el("Date", R, DT, 8, 8),
               el("Time", N, AN, 4, 8),
               el("Time Code", N, ID, 2, 2),
               el("Date Time Period Format Qualifier", N, ID, 2, 3),
               el("Date Time Period", N, AN, 1, 35),
               qualifier=(1, codes))


def contact(segment_name: str, function: str, usage: str, max_use: int, *, first_numbers: str,
            other_numbers: str, number_usage: str = S, name_usage: str = S):
    """PER: the 835's payer contacts are told apart by PER01 (CX business, BL technical, IC
    web site)."""
    return common.contact(segment_name, usage, max_use, function=function, media=first_numbers,
                          more_media=other_numbers, media_usage=number_usage,
                          name_usage=name_usage, identified=True)


def party(n1_name: str, entity: str, id_usage: str, id_qualifiers: str):
    return seg("N1", n1_name, R, 1,
               el("Entity Identifier Code", R, ID, 2, 3, entity),
               el("Name", R, AN, 1, 60),
               el("Identification Code Qualifier", id_usage, ID, 1, 2, id_qualifiers),
               el("Identification Code", id_usage, AN, 2, 80),
               el("Entity Relationship Code", N, ID, 2, 2),
               el("Entity Identifier Code", N, ID, 2, 3),
               qualifier=(1, entity), syntax=(("P", (3, 4)),))


def person_name(segment_name: str, entity: str, entity_types: str, id_qualifiers: str, *,
                usage: str = S, last: str = S, **usages):
    """NM1 in the claim: who the payer adjudicated for (situational, as most of them are)."""
    return name(segment_name, entity, entity_types, id_qualifiers, usage=usage, last=last,
                **usages)


def adjustment(segment_name: str):
    """CAS as the 835 prints it (up to 99, CR not a group code in the 835)."""
    return common.adjustment(segment_name, ADJUSTMENT_GROUPS, 99,
                             reason_name="Adjustment Reason Code",
                             amount_name="Adjustment Amount",
                             quantity_name="Adjustment Quantity")


def amount(segment_name: str, codes: str, max_use: int):
    return common.amount(segment_name, codes, S, max_use, amount_name="Amount")


def quantity(segment_name: str, codes: str, max_use: int):
    return common.quantity(segment_name, codes, S, max_use)


def service_identifier(usage: str, qualifiers: str, *, description_usage: str = N):
    """C003: the procedure as adjudicated (SVC01) or as submitted when it differs (SVC06)."""
    return procedure_identifier(usage, qualifiers, description=description_usage,
                                qualifier_name="Product or Service ID Qualifier",
                                description_name="Procedure Code Description")


# -- header ------------------------------------------------------------------------------------

FINANCIAL_INFORMATION = seg(
    "BPR", "Financial Information", R, 1,
    # C payment accompanies remittance, D make payment only, H notification only, I remittance
    # information only, P pre-notification of future transfers, X handling party's option.
    el("Transaction Handling Code", R, ID, 1, 2, "C D H I P X"),
    el("Total Actual Provider Payment Amount", R, RN, 1, 18),
    el("Credit or Debit Flag Code", R, ID, 1, 1, "C D"),
    el("Payment Method Code", R, ID, 3, 3, "ACH BOP CHK FWT NON"),
    el("Payment Format Code", S, ID, 1, 10, "CCP CTX"),
    el("Sender DFI Identification Number Qualifier", S, ID, 2, 2, ROUTING_QUALIFIERS),
    el("Sender DFI Identifier", S, AN, 3, 12),
    el("Sender Account Number Qualifier", S, ID, 1, 3, "DA"),
    el("Sender Bank Account Number", S, AN, 1, 35),
    el("Payer Identifier", S, AN, 10, 10),
    el("Originating Company Supplemental Code", S, AN, 9, 9),
    el("Receiver DFI Identification Number Qualifier", S, ID, 2, 2, ROUTING_QUALIFIERS),
    el("Receiver or Provider Bank ID Number", S, AN, 3, 12),
    el("Receiver Account Number Qualifier", S, ID, 1, 3, "DA SG"),
    el("Receiver or Provider Account Number", S, AN, 1, 35),
    el("Check Issue or EFT Effective Date", R, DT, 8, 8),
    el("Business Function Code", N, ID, 1, 3),
    el("DFI ID Number Qualifier", N, ID, 2, 2),
    el("DFI Identification Number", N, AN, 3, 12),
    el("Account Number Qualifier", N, ID, 1, 3),
    el("Account Number", N, AN, 1, 35),
    syntax=(("P", (6, 7)), ("C", (8, 9)), ("P", (12, 13)), ("C", (14, 15))))

REASSOCIATION_TRACE = seg(
    "TRN", "Reassociation Trace Number", R, 1,
    el("Trace Type Code", R, ID, 1, 2, "1"),  # current transaction trace numbers
    el("Check or EFT Trace Number", R, AN, 1, 50),
    el("Payer Identifier", R, AN, 10, 10),
    el("Originating Company Supplemental Code", S, AN, 1, 50))

FOREIGN_CURRENCY = seg(
    "CUR", "Foreign Currency Information", S, 1,
    el("Entity Identifier Code", R, ID, 2, 3, "PR"),
    el("Currency Code", R, ID, 3, 3),
    el("Exchange Rate", N, RN, 4, 10))

PAYER_IDENTIFICATION = loop(
    "1000A", "Payer Identification", R, 1,
    party("Payer Identification", "PR", S, "XV"),
    address(R),
    city_state_zip(R),
    reference("Additional Payer Identification", "2U EO HI NF", S, 4),
    contact("Payer Business Contact Information", "CX", S, 1,
            first_numbers="EM FX TE", other_numbers="EM EX FX TE"),
    contact("Payer Technical Contact Information", "BL", R, UNBOUNDED,
            first_numbers="EM FX TE UR", other_numbers="EM EX FX TE UR"),
    contact("Payer WEB Site", "IC", S, 1, first_numbers="UR", other_numbers="UR",
            number_usage=R, name_usage=N))

PAYEE_IDENTIFICATION = loop(
    "1000B", "Payee Identification", R, 1,
    party("Payee Identification", "PE", R, "FI XV XX"),
    address(S),
    city_state_zip(S),
    reference("Payee Additional Identification", "0B D3 PQ TJ", S, UNBOUNDED),
    seg("RDM", "Remittance Delivery Method", S, 1,
        el("Report Transmission Code", R, ID, 1, 2, "BM EM FT OL"),
        el("Name", S, AN, 1, 60),
        el("Communication Number", S, AN, 1, 256),
        comp("Reference Identifier", N,
                    el("Reference Identification Qualifier", N, ID, 2, 3)),
        comp("Reference Identifier", N, el("Reference Identification Qualifier", N, ID, 2, 3))))


# -- 2000 header number and facility summaries -----------------------------------------------

def _summary(label: str, usage: str, quantity_of: bool = False):
    return el(label, usage, RN, 1, 15 if quantity_of else 18)


PROVIDER_SUMMARY = seg(
    "TS3", "Provider Summary Information", S, 1,
    el("Provider Identifier", R, AN, 1, 50),
    el("Facility Type Code", R, ID, 1, 2),  # place of service or bill type, external
    el("Fiscal Period Date", R, DT, 8, 8),
    _summary("Total Claim Count", R, True),
    _summary("Total Claim Charge Amount", R),
    *[_summary("Monetary Amount", N) for _ in range(7)],  # TS306-TS312
    _summary("Total MSP Payer Amount", S),
    _summary("Monetary Amount", N),
    _summary("Total Non-Lab Charge Amount", S),
    _summary("Monetary Amount", N),
    _summary("Total HCPCS Reported Charge Amount", S),
    _summary("Total HCPCS Payable Amount", S),
    _summary("Monetary Amount", N),
    _summary("Total Professional Component Amount", S),
    _summary("Total MSP Patient Liability Met Amount", S),
    _summary("Total Patient Reimbursement Amount", S),
    _summary("Total PIP Claim Count", S, True),
    _summary("Total PIP Adjustment Amount", S))

PROVIDER_SUPPLEMENTAL_SUMMARY = seg(
    "TS2", "Provider Supplemental Summary Information", S, 1,
    _summary("Total DRG Amount", S),
    _summary("Total Federal Specific Amount", S),
    _summary("Total Hospital Specific Amount", S),
    _summary("Total Disproportionate Share Amount", S),
    _summary("Total Capital Amount", S),
    _summary("Total Indirect Medical Education Amount", S),
    _summary("Total Outlier Day Count", S, True),
    _summary("Total Day Outlier Amount", S),
    _summary("Total Cost Outlier Amount", S),
    _summary("Average DRG Length of Stay", S, True),
    _summary("Total Discharge Count", S, True),
    _summary("Total Cost Report Day Count", S, True),
    _summary("Total Covered Day Count", S, True),
    _summary("Total Noncovered Day Count", S, True),
    _summary("Total MSP Pass-Through Amount", S),
    _summary("Average DRG Weight", S, True),
    _summary("Total PPS Capital FSP DRG Amount", S),
    _summary("Total PPS Capital HSP DRG Amount", S),
    _summary("Total PPS DSH DRG Amount", S))


# -- 2100 claim payment ----------------------------------------------------------------------

CLAIM_PAYMENT = seg(
    "CLP", "Claim Payment Information", R, 1,
    el("Patient Control Number", R, AN, 1, 38),
    el("Claim Status Code", R, ID, 1, 2, CLAIM_STATUS),
    el("Total Claim Charge Amount", R, RN, 1, 18),
    el("Claim Payment Amount", R, RN, 1, 18),
    el("Patient Responsibility Amount", S, RN, 1, 18),
    el("Claim Filing Indicator Code", R, ID, 1, 2, CLAIM_FILING_INDICATORS),
    el("Payer Claim Control Number", R, AN, 1, 50),
    el("Facility Type Code", S, ID, 1, 2),  # place of service or bill type, external
    el("Claim Frequency Type Code", S, ID, 1, 1),  # NUBC, external
    el("Patient Status Code", N, ID, 1, 2),
    el("Diagnosis Related Group (DRG) Code", S, ID, 1, 4),
    el("Diagnosis Related Group (DRG) Weight", S, RN, 1, 15),
    el("Discharge Fraction", S, RN, 1, 10),
    el("Yes/No Condition or Response Code", N, ID, 1, 1))


INPATIENT_ADJUDICATION = inpatient_adjudication()

OUTPATIENT_ADJUDICATION = outpatient_adjudication()

PROVIDER_IDS = "0B 1A 1B 1C 1D 1G 1H 1J D3 G2 LU"

SERVICE_PAYMENT = loop(
    "2110", "Service Payment Information", S, 999,
    seg("SVC", "Service Payment Information", R, 1,
        service_identifier(R, ADJUDICATED_SERVICE_QUALIFIERS),
        el("Line Item Charge Amount", R, RN, 1, 18),
        el("Line Item Provider Payment Amount", R, RN, 1, 18),
        el("National Uniform Billing Committee Revenue Code", S, AN, 1, 48),
        el("Units of Service Paid Count", S, RN, 1, 15),
        service_identifier(S, SUBMITTED_SERVICE_QUALIFIERS, description_usage=S),
        el("Original Units of Service Count", S, RN, 1, 15)),
    date_time("Service Date", "150 151 472", S, 2),
    adjustment("Service Adjustment"),
    reference("Service Identification", "1S APC BB E9 G1 G3 LU RB", S, 8),
    reference("Line Item Control Number", "6R"),
    reference("Rendering Provider Information", "0B 1A 1B 1C 1D 1G 1H 1J D3 G2 HPI SY TJ",
              S, 10),
    reference("HealthCare Policy Identification", "0K", S, 5),
    amount("Service Supplemental Amount", "B6 KH T T2 ZK ZL ZM ZN ZO", 9),
    quantity("Service Supplemental Quantity", "ZK ZL ZM ZN ZO", 6),
    seg("LQ", "Health Care Remark Codes", S, 99,
        el("Code List Qualifier Code", R, ID, 1, 3, "HE RX"),  # RARC, NCPDP reject code
        el("Remark Code", R, AN, 1, 30)))

CLAIM_PAYMENT_INFORMATION = loop(
    "2100", "Claim Payment Information", R, UNBOUNDED,
    CLAIM_PAYMENT,
    adjustment("Claim Adjustment"),
    person_name("Patient Name", "QC", "1", "34 HN II MI MR", usage=R),
    person_name("Insured Name", "IL", "1 2", "FI II MI", id_usage=R),
    person_name("Corrected Patient/Insured Name", "74", "1", "C"),
    person_name("Service Provider Name", "82", "1 2", "BD BS FI MC PC SL UP XX", id_usage=R),
    person_name("Crossover Carrier Name", "TT", "2", "AD FI NI PI PP XV", last=R,
                id_usage=R, person=False),
    person_name("Corrected Priority Payer Name", "PR", "2", "AD FI NI PI PP XV", last=R,
                id_usage=R, person=False),
    person_name("Other Subscriber Name", "GB", "1 2", "FI II MI"),
    INPATIENT_ADJUDICATION,
    OUTPATIENT_ADJUDICATION,
    reference("Other Claim Related Identification",
              "1L 1W 28 6P 9A 9C BB CE EA F8 G1 G3 IG SY", S, 5),
    reference("Rendering Provider Identification", PROVIDER_IDS, S, 10),
    date_time("Statement From or To Date", "232 233", S, 2),
    date_time("Coverage Expiration Date", "036"),
    date_time("Claim Received Date", "050"),
    contact("Claim Contact Information", "CX", S, 2,
            first_numbers="EM FX TE", other_numbers="EM EX FX TE"),
    amount("Claim Supplemental Information", "AU D8 DY F5 I NL T T2 ZK ZL ZM ZN ZO", 13),
    quantity("Claim Supplemental Information Quantity",
             "CA CD LA LE NE NR OU PS VS ZK ZL ZM ZN ZO", 14),
    SERVICE_PAYMENT)

HEADER_NUMBER = loop(
    "2000", "Header Number", S, UNBOUNDED,
    seg("LX", "Header Number", R, 1,
        el("Assigned Number", R, N0, 1, 6)),
    PROVIDER_SUMMARY,
    PROVIDER_SUPPLEMENTAL_SUMMARY,
    CLAIM_PAYMENT_INFORMATION)


# -- summary ---------------------------------------------------------------------------------

def _adjustment_pair(usage: str):
    return [comp("Adjustment Identifier", usage,
                 el("Adjustment Reason Code", R, ID, 2, 2, PROVIDER_ADJUSTMENT_REASONS),
                 el("Provider Adjustment Identifier", S, AN, 1, 50)),
            el("Provider Adjustment Amount", usage, RN, 1, 18)]


PROVIDER_ADJUSTMENT = seg(
    "PLB", "Provider Adjustment", S, UNBOUNDED,
    el("Provider Identifier", R, AN, 1, 50),
    el("Fiscal Period Date", R, DT, 8, 8),
    *_adjustment_pair(R),
    *[element for _ in range(5) for element in _adjustment_pair(S)],
    syntax=(("P", (5, 6)), ("P", (7, 8)), ("P", (9, 10)), ("P", (11, 12)), ("P", (13, 14))))

GUIDE = Guide(
    transaction="835",
    version=VERSION,
    functional_id="HP",
    name="Health Care Claim Payment/Advice",
    transaction_set=loop(
        "ST_LOOP", "Transaction Set", R, 1,
        transaction_set_header("835", convention_usage=S),
        FINANCIAL_INFORMATION,
        REASSOCIATION_TRACE,
        FOREIGN_CURRENCY,
        reference("Receiver Identification", "EV"),
        reference("Version Identification", "F2"),
        date_time("Production Date", "405"),
        PAYER_IDENTIFICATION,
        PAYEE_IDENTIFICATION,
        HEADER_NUMBER,
        PROVIDER_ADJUSTMENT,
        transaction_set_trailer()),
)

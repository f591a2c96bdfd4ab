"""837 Health Care Claim: Institutional, 005010X223A2.

Written by hand from the structure of the ASC X12 TR3 005010X223A2 (with its A1 and A2 errata):
a hospital, skilled nursing facility, home health agency or other facility bills a payer on the
UB-04's electronic twin. The hierarchy is billing provider (HL 20), subscriber (HL 22) and, when
the patient is not the subscriber, patient (HL 23); the claim (2300) hangs under the lowest level
present, with its dates, institutional codes (CL1), the HI segments that carry every UB-04 code
family (diagnoses, procedures, occurrence, occurrence span, value and condition codes), the
claim-level providers (2310A-F), the other payers for coordination of benefits (2320/2330A-I) and
the service lines (2400: revenue code, HCPCS, units; with drug, line providers and the other
payers' line adjudication).

Differences from the professional 837 (X222) that a reader should expect here: CLM05-2 is always
"A" (the facility type is a UB-04 bill type position), CLM11 related causes is not used (auto
accident state goes in REF*LU), the statement period (DTP*434) is required, PRV appears only for
the billing and attending providers, and service lines are SV2 (revenue code first).

The HL loops nest as the TR3 draws them: 2000B inside 2000A, 2000C inside 2000B, and the claim
loop under the subscriber (when the subscriber is the patient) or under the patient.
"""

from __future__ import annotations

from chartwell.claims.x12.guide import AN, ID, N0, RN, N, R, S, comp, el, loop, seg
from chartwell.claims.x12.guides import claim837, common
from chartwell.claims.x12.guides.common import (address, amount, city_state_zip, demographics,
                                                inpatient_adjudication, name, note,
                                                outpatient_adjudication, reference)

__all__ = ["GUIDE"]

VERSION = "005010X223A2"

# Individual relationship codes (PAT01, 2320 SBR02).
RELATIONSHIPS = "01 18 19 20 21 39 40 53 G8"
# CAS01 claim adjustment group codes in the 837's COB loops (CR stays in the 837 5010).
ADJUSTMENT_GROUPS = "CO CR OA PI PR"
# Product/service ID qualifiers on institutional service lines (SV202-1, SVD03-1, HCP09).
INSTITUTIONAL_SERVICE_QUALIFIERS = "ER HC HP IV WK"
# PWK01 attachment report type codes (TR3 2300/2400 PWK).
REPORT_TYPES = ("03 04 05 06 07 08 09 10 11 13 15 21 A3 A4 AM AS B2 B3 B4 BR BS BT CB CK CT D2 "
                "DA DB DG DJ DS EB HC HR I5 IR LA M1 MT NN OB OC OD OE OX OZ P4 P5 PE PN PO PQ "
                "PY PZ RB RR RT RX SG V5 XP")
# Provider secondary identifiers: 0B state license, 1G UPIN, G2 provider commercial number,
# LU location number.
PROVIDER_SECONDARY_IDS = "0B 1G G2 LU"


# -- segments shared by many loops -------------------------------------------------------------

def other_payer_provider(loop_name: str, entity: str, entity_types: str):
    """NM1 of the 2330C-I loops: only who the provider is (entity and type); the other payer's
    own identifier for that provider follows in REF."""
    return seg("NM1", loop_name, R, 1,
               el("Entity Identifier Code", R, ID, 2, 3, entity),
               el("Entity Type Qualifier", R, ID, 1, 1, entity_types),
               qualifier=(1, entity))


def contact(segment_name: str, usage: str, max_use: int):
    """PER: information contact (IC) with up to three numbers (telephone, fax, email; extension
    only after a telephone)."""
    return common.contact(segment_name, usage, max_use, identified=True)


def date(segment_name: str, qualifier: str, formats: str, usage: str = S, max_use: int = 1):
    """DTP with DTP03 typed by its format (a D8 date, a TM time)."""
    return common.date(segment_name, qualifier, formats, usage, max_use,
                       qualifier_name="Date/Time Qualifier", typed=True)


def supplemental_information():
    """PWK: paperwork (attachments) sent separately, with the control number that ties them."""
    return seg("PWK", "Claim Supplemental Information", S, 10,
               el("Attachment Report Type Code", R, ID, 2, 2, REPORT_TYPES),
               el("Attachment Transmission Code", R, ID, 1, 2, "AA BM EL EM FT FX"),
               el("Report Copies Needed", N, N0, 1, 2),
               el("Entity Identifier Code", N, ID, 2, 3),
               el("Identification Code Qualifier", S, ID, 1, 2, "AC"),
               el("Attachment Control Number", S, AN, 2, 80),
               el("Actions Indicated", N, AN, 0, 0),
               el("Request Category Code", N, ID, 1, 2),
               el("Yes/No Condition or Response Code", N, ID, 1, 1),
               syntax=(("P", (5, 6)),))


def repricing(line: bool):
    """HCP: what a repricer (PPO network, TPA) priced the claim or line at."""
    line_usage = S if line else N
    return seg("HCP", "Line Pricing/Repricing Information" if line
               else "Claim Pricing/Repricing Information", S, 1,
               el("Pricing Methodology", R, ID, 2, 2,
                  "00 01 02 03 04 05 06 07 08 09 10 11 12 13 14"),
               el("Repriced Allowed Amount", R, RN, 1, 18),
               el("Repriced Saving Amount", S, RN, 1, 18),
               el("Repricing Organization Identifier", S, AN, 1, 50),
               el("Repricing Per Diem or Flat Rate Amount", S, RN, 1, 9),
               el("Repriced Approved DRG or Ambulatory Patient Group Code", S, AN, 1, 50),
               el("Repriced Approved DRG or Ambulatory Patient Group Amount", S, RN, 1, 18),
               el("Repriced Approved Revenue Code", S, AN, 1, 48),
               el("Product/Service ID Qualifier", line_usage, ID, 2, 2,
                  INSTITUTIONAL_SERVICE_QUALIFIERS),
               el("Repriced Approved HCPCS Code", line_usage, AN, 1, 48),
               el("Unit or Basis for Measurement Code", S, ID, 2, 2, "DA UN"),
               el("Repriced Approved Service Unit Count", S, RN, 1, 15),
               el("Reject Reason Code", S, ID, 2, 2, "T1 T2 T3 T4 T5 T6"),
               el("Policy Compliance Code", S, ID, 1, 2, "1 2 3 4 5"),
               el("Exception Code", S, ID, 1, 2, "1 2 3 4 5 6"),
               syntax=(("R", (1, 2)), ("P", (9, 10)), ("P", (11, 12))))


# -- HI: every UB-04 code family in one segment shape ---------------------------------------

def health_care_code(element_name: str, usage: str, qualifiers: str, *, dated: str = "",
                     amount_required: bool = False, present_on_admission: bool = False):
    """C022: code list qualifier, code, then (by family) a date or range, an amount (value
    codes) or the present-on-admission indicator (diagnoses; blank when exempt)."""
    return comp(element_name, usage,
                el("Code List Qualifier Code", R, ID, 1, 3, qualifiers),
                el("Industry Code", R, AN, 1, 30),
                el("Date Time Period Format Qualifier", R if dated else N, ID, 2, 3,
                   dated or None),
                el("Date Time Period", R if dated else N, AN, 1, 35),
                el("Monetary Amount", R if amount_required else N, RN, 1, 18),
                el("Quantity", N, RN, 1, 15),
                el("Version Identifier", N, AN, 1, 30),
                el("Industry Code", N, AN, 1, 30),
                el("Present on Admission Indicator", S if present_on_admission else N, ID, 1, 1,
                   "N U W Y" if present_on_admission else None))


def health_care_codes(hi_name: str, usage: str, max_use: int, qualifiers: str, count: int, **kind):
    """HI with ``count`` codes of one family (HI01 required, the rest situational, the others
    not used), told apart from its siblings by HI01-1."""
    elements = [health_care_code("Health Care Code Information", R if position == 0 else S,
                                 qualifiers, **kind) for position in range(count)]
    elements += [comp("Health Care Code Information", N,
                      el("Code List Qualifier Code", N, ID, 1, 3))
                 for _ in range(12 - count)]
    return seg("HI", hi_name, usage, max_use, *elements, qualifier=(1, qualifiers))


CLAIM_CODES = (
    health_care_codes("Principal Diagnosis", R, 1, "ABK BK", 1, present_on_admission=True),
    health_care_codes("Admitting Diagnosis", S, 1, "ABJ BJ", 1),
    health_care_codes("Patient's Reason For Visit", S, 1, "APR PR", 3),
    health_care_codes("External Cause of Injury", S, 1, "ABN BN", 12, present_on_admission=True),
    health_care_codes("Diagnosis Related Group (DRG) Information", S, 1, "DR", 1),
    health_care_codes("Other Diagnosis Information", S, 2, "ABF BF", 12,
                      present_on_admission=True),
    health_care_codes("Principal Procedure Information", S, 1, "BBR BR CAH", 1, dated="D8"),
    health_care_codes("Other Procedure Information", S, 2, "BBQ BQ", 12, dated="D8"),
    health_care_codes("Occurrence Span Information", S, 2, "BI", 12, dated="RD8"),
    health_care_codes("Occurrence Information", S, 2, "BH", 12, dated="D8"),
    health_care_codes("Value Information", S, 2, "BE", 12, amount_required=True),
    health_care_codes("Condition Information", S, 2, "BG", 12),
    health_care_codes("Treatment Code Information", S, 2, "TC", 12),
)


# -- 2000A billing provider ------------------------------------------------------------------

def provider_specialty(segment_name: str, provider_code: str):
    """PRV: the provider's taxonomy code (PXC: Health Care Provider Taxonomy)."""
    return common.provider_taxonomy(segment_name, provider_code,
                                    taxonomy_name="Provider Taxonomy Code")


BILLING_PROVIDER_NAME = loop(
    "2010AA", "Billing Provider Name", R, 1,
    name("Billing Provider Name", "85", "2", "XX", person=False),
    address(),
    city_state_zip(postal_min=9),
    reference("Billing Provider Tax Identification", "EI", R),
    contact("Billing Provider Contact Information", S, 2))

PAY_TO_ADDRESS = loop(
    "2010AB", "Pay-to Address Name", S, 1,
    name("Pay-to Address Name", "87", "2", None, person=False, last=N),
    address(),
    city_state_zip())

PAY_TO_PLAN = claim837.pay_to_plan(city_state_zip)


# -- 2000B subscriber, 2000C patient --------------------------------------------------------

SUBSCRIBER_INFORMATION = claim837.subscriber_information(
    "Subscriber Information", S, "18", "Subscriber Group or Policy Number",
    "Subscriber Group Name", insurance_types=None)


SUBSCRIBER_NAME = loop(
    "2010BA", "Subscriber Name", R, 1,
    name("Subscriber Name", "IL", "1 2", "II MI", person=True),
    address(S),
    city_state_zip(S),
    demographics(S),
    reference("Subscriber Secondary Identification", "SY"),
    reference("Property and Casualty Claim Number", "Y4"))

PAYER_NAME = claim837.payer_name(city_state_zip, billing_provider_ids=1)

PATIENT_INFORMATION = seg(
    "PAT", "Patient Information", R, 1,
    el("Individual Relationship Code", R, ID, 2, 2, "01 19 20 21 39 40 53 G8"),
    el("Patient Location Code", N, ID, 1, 1),
    el("Employment Status Code", N, ID, 2, 2),
    el("Student Status Code", N, ID, 1, 1),
    el("Date Time Period Format Qualifier", N, ID, 2, 3),
    el("Date Time Period", N, AN, 1, 35),
    el("Unit or Basis for Measurement Code", N, ID, 2, 2),
    el("Weight", N, RN, 1, 10),
    el("Yes/No Condition or Response Code", N, ID, 1, 1))

PATIENT_NAME = loop(
    "2010CA", "Patient Name", R, 1,
    name("Patient Name", "QC", "1", None, person=True),
    address(),
    city_state_zip(),
    demographics(R),
    reference("Property and Casualty Claim Number", "Y4"),
    reference("Property and Casualty Patient Identifier", "1W SY"))


# -- 2300 claim ------------------------------------------------------------------------------

CLAIM_INFORMATION = seg(
    "CLM", "Claim Information", R, 1,
    el("Patient Control Number", R, AN, 1, 38),
    el("Total Claim Charge Amount", R, RN, 1, 18),
    el("Claim Filing Indicator Code", N, ID, 1, 2),
    el("Non-Institutional Claim Type Code", N, ID, 1, 2),
    comp("Health Care Service Location Information", R,
         el("Facility Type Code", R, AN, 1, 2),  # UB-04 bill type positions 2-3
         el("Facility Code Qualifier", R, ID, 1, 2, "A"),
         el("Claim Frequency Type Code", R, ID, 1, 1)),  # NUBC bill type position 4 (external)
    el("Yes/No Condition or Response Code", N, ID, 1, 1),
    el("Assignment or Plan Participation Code", R, ID, 1, 1, "A B C"),
    el("Benefits Assignment Certification Indicator", R, ID, 1, 1, "N W Y"),
    el("Release of Information Code", R, ID, 1, 1, "I Y"),
    el("Patient Signature Source Code", N, ID, 1, 1),
    comp("Related Causes Information", N, el("Related Causes Code", N, ID, 2, 3)),
    el("Special Program Code", N, ID, 2, 3),
    el("Yes/No Condition or Response Code", N, ID, 1, 1),
    el("Level of Service Code", N, ID, 1, 3),
    el("Yes/No Condition or Response Code", N, ID, 1, 1),
    el("Provider Agreement Code", N, ID, 1, 1),
    el("Claim Status Code", N, ID, 1, 2),
    el("Yes/No Condition or Response Code", N, ID, 1, 1),
    el("Claim Submission Reason Code", N, ID, 2, 2),
    el("Delay Reason Code", S, ID, 1, 2, "1 2 3 4 5 6 7 8 9 10 11 15"),
    el("Not Used", N, ID, 1, 1))

INSTITUTIONAL_CLAIM_CODE = seg(
    "CL1", "Institutional Claim Code", R, 1,
    el("Priority (Type) of Admission or Visit", S, ID, 1, 1),  # NUBC, external
    el("Point of Origin for Admission or Visit", S, ID, 1, 1),  # NUBC, external
    el("Patient Status Code", R, ID, 1, 2),  # NUBC discharge status, external
    el("Nursing Home Residential Status Code", N, ID, 1, 1))


EPSDT_REFERRAL = seg(
    "CRC", "EPSDT Referral", S, 1,
    el("Code Category", R, ID, 2, 2, "ZZ"),
    el("Certification Condition Indicator", R, ID, 1, 1, "N Y"),
    el("Condition Code", R, ID, 2, 3, "AV NU S2 ST"),
    el("Condition Code", S, ID, 2, 3, "AV NU S2 ST"),
    el("Condition Code", S, ID, 2, 3, "AV NU S2 ST"),
    el("Condition Code", N, ID, 2, 3),
    el("Condition Code", N, ID, 2, 3))


# 2310A-D and F, 2420A-D: a person on the claim or line (attending, operating, rendering,
# referring), NM102 always 1
ATTENDING_PROVIDER = claim837.provider_loop(
    "2310A", "Attending Provider Name", "71", "1", PROVIDER_SECONDARY_IDS, 4,
    provider_specialty("Attending Provider Specialty Information", "AT"))
OPERATING_PHYSICIAN = claim837.provider_loop(
    "2310B", "Operating Physician Name", "72", "1", PROVIDER_SECONDARY_IDS, 4)
OTHER_OPERATING_PHYSICIAN = claim837.provider_loop(
    "2310C", "Other Operating Physician Name", "ZZ", "1", PROVIDER_SECONDARY_IDS, 4)
RENDERING_PROVIDER = claim837.provider_loop(
    "2310D", "Rendering Provider Name", "82", "1", PROVIDER_SECONDARY_IDS, 4)
SERVICE_FACILITY = loop(
    "2310E", "Service Facility Location Name", S, 1,
    name("Service Facility Location Name", "77", "2", "XX", person=False),
    address(),
    city_state_zip(),
    reference("Service Facility Location Secondary Identification", "0B G2 LU", S, 3))
REFERRING_PROVIDER = claim837.provider_loop(
    "2310F", "Referring Provider Name", "DN", "1", "0B 1G G2", 3)


# -- 2320 / 2330 other payers ----------------------------------------------------------------

OTHER_SUBSCRIBER_INFORMATION = claim837.subscriber_information(
    "Other Subscriber Information", R, RELATIONSHIPS, "Insured Group or Policy Number",
    "Other Insured Group Name", insurance_types=None)

OTHER_INSURANCE_COVERAGE = seg(
    "OI", "Other Insurance Coverage Information", R, 1,
    el("Claim Filing Indicator Code", N, ID, 1, 2),
    el("Claim Submission Reason Code", N, ID, 2, 2),
    el("Benefits Assignment Certification Indicator", R, ID, 1, 1, "N W Y"),
    el("Patient Signature Source Code", N, ID, 1, 1),
    el("Provider Agreement Code", N, ID, 1, 1),
    el("Release of Information Code", R, ID, 1, 1, "I Y"))


INPATIENT_ADJUDICATION = inpatient_adjudication(outlier_usage=N)

OUTPATIENT_ADJUDICATION = outpatient_adjudication()

OTHER_SUBSCRIBER_NAME = loop(
    "2330A", "Other Subscriber Name", R, 1,
    name("Other Subscriber Name", "IL", "1 2", "II MI", person=True, id_usage=R),
    address(S),
    city_state_zip(S),
    reference("Other Subscriber Secondary Identification", "SY", S, 2))

OTHER_PAYER_NAME = claim837.other_payer_name(
    city_state_zip, date("Claim Check or Remittance Date", "573", "D8"))


def other_payer_provider_loop(loop_id: str, loop_name: str, entity: str, entity_types: str,
                              secondary_ids: str, max_ids: int):
    return loop(loop_id, loop_name, S, 1,
                other_payer_provider(loop_name, entity, entity_types),
                reference(f"{loop_name} Secondary Identification", secondary_ids, R, max_ids))


OTHER_SUBSCRIBER = loop(
    "2320", "Other Subscriber Information", S, 10,
    OTHER_SUBSCRIBER_INFORMATION,
    common.adjustment("Claim Level Adjustments", ADJUSTMENT_GROUPS, 5),
    amount("Payer Prior Payment", "D"),
    amount("Remaining Patient Liability", "EAF"),
    amount("Non-Covered Charge Amount", "A8"),
    OTHER_INSURANCE_COVERAGE,
    INPATIENT_ADJUDICATION,
    OUTPATIENT_ADJUDICATION,
    OTHER_SUBSCRIBER_NAME,
    OTHER_PAYER_NAME,
    other_payer_provider_loop("2330C", "Other Payer Attending Provider", "71", "1",
                              PROVIDER_SECONDARY_IDS, 4),
    other_payer_provider_loop("2330D", "Other Payer Operating Physician", "72", "1",
                              PROVIDER_SECONDARY_IDS, 4),
    other_payer_provider_loop("2330E", "Other Payer Other Operating Physician", "ZZ", "1",
                              PROVIDER_SECONDARY_IDS, 4),
    other_payer_provider_loop("2330F", "Other Payer Service Facility Location", "77", "2",
                              "0B G2 LU", 3),
    other_payer_provider_loop("2330G", "Other Payer Rendering Provider Name", "82", "1",
                              PROVIDER_SECONDARY_IDS, 4),
    other_payer_provider_loop("2330H", "Other Payer Referring Provider", "DN", "1",
                              "0B 1G G2", 3),
    other_payer_provider_loop("2330I", "Other Payer Billing Provider", "85", "2", "G2 LU", 2))


# -- 2400 service lines ----------------------------------------------------------------------

INSTITUTIONAL_SERVICE_LINE = seg(
    "SV2", "Institutional Service Line", R, 1,
    el("Service Line Revenue Code", R, AN, 1, 48),  # NUBC revenue code, external
    common.procedure_identifier(S, INSTITUTIONAL_SERVICE_QUALIFIERS),
    el("Line Item Charge Amount", R, RN, 1, 18),
    el("Unit or Basis for Measurement Code", R, ID, 2, 2, "DA UN"),
    el("Service Unit Count", R, RN, 1, 15),
    el("Unit Rate", N, RN, 1, 10),
    el("Line Item Denied Charge or Non-Covered Charge Amount", S, RN, 1, 18),
    el("Yes/No Condition or Response Code", N, ID, 1, 1),
    el("Nursing Home Residential Status Code", N, ID, 1, 1),
    el("Level of Care Code", N, ID, 1, 1))

DRUG_IDENTIFICATION = loop(
    "2410", "Drug Identification", S, 1,
    seg("LIN", "Drug Identification", R, 1,
        el("Assigned Identification", N, AN, 1, 20),
        el("Product or Service ID Qualifier", R, ID, 2, 2, "N4"),
        el("National Drug Code", R, AN, 1, 48)),
    seg("CTP", "Drug Quantity", R, 1,
        el("Class of Trade Code", N, ID, 2, 2),
        el("Price Identifier Code", N, ID, 3, 3),
        el("Unit Price", N, RN, 1, 17),
        el("National Drug Unit Count", R, RN, 1, 15),
        comp("Composite Unit of Measure", R,
             el("Unit or Basis for Measurement Code", R, ID, 2, 2, "F2 GR ME ML UN"))),
    reference("Prescription or Compound Drug Association Number", "VY XZ"))


LINE_ADJUDICATION = loop(
    "2430", "Line Adjudication Information", S, 15,
    seg("SVD", "Line Adjudication Information", R, 1,
        el("Other Payer Primary Identifier", R, AN, 2, 80),
        el("Service Line Paid Amount", R, RN, 1, 18),
        common.procedure_identifier(S, INSTITUTIONAL_SERVICE_QUALIFIERS),
        el("Service Line Revenue Code", R, AN, 1, 48),
        el("Paid Service Unit Count", R, RN, 1, 15),
        el("Bundled or Unbundled Line Number", S, N0, 1, 6)),
    common.adjustment("Line Adjustment", ADJUSTMENT_GROUPS, 5),
    date("Line Check or Remittance Date", "573", "D8", R),
    amount("Remaining Patient Liability", "EAF"))

SERVICE_LINE = loop(
    "2400", "Service Line Number", R, 999,
    seg("LX", "Service Line Number", R, 1,
        el("Assigned Number", R, N0, 1, 6)),
    INSTITUTIONAL_SERVICE_LINE,
    supplemental_information(),
    date("Date - Service Date", "472", "D8 RD8"),
    reference("Line Item Control Number", "6R"),
    reference("Repriced Line Item Reference Number", "9B"),
    reference("Adjusted Repriced Line Item Reference Number", "9D"),
    amount("Service Tax Amount", "GT"),
    amount("Facility Tax Amount", "N8"),
    note("Third Party Organization Notes", "TPO", 1),
    repricing(line=True),
    DRUG_IDENTIFICATION,
    claim837.provider_loop("2420A", "Operating Physician Name", "72", "1",
                           PROVIDER_SECONDARY_IDS, 20),
    claim837.provider_loop("2420B", "Other Operating Physician Name", "ZZ", "1",
                           PROVIDER_SECONDARY_IDS, 20),
    claim837.provider_loop("2420C", "Rendering Provider Name", "82", "1",
                           PROVIDER_SECONDARY_IDS, 20),
    claim837.provider_loop("2420D", "Referring Provider Name", "DN", "1", "0B 1G G2", 20),
    LINE_ADJUDICATION)

CLAIM = loop(
    "2300", "Claim Information", R, 100,
    CLAIM_INFORMATION,
    date("Discharge Hour", "096", "TM"),
    date("Statement Dates", "434", "RD8", R),
    date("Admission Date/Hour", "435", "D8 DT"),
    date("Date - Repricer Received Date", "050", "D8"),
    INSTITUTIONAL_CLAIM_CODE,
    supplemental_information(),
    claim837.CONTRACT_INFORMATION,
    amount("Patient Estimated Amount Due", "F3"),
    reference("Service Authorization Exception Code", "4N"),
    reference("Referral Number", "9F"),
    reference("Prior Authorization", "G1"),
    reference("Payer Claim Control Number", "F8"),
    reference("Repriced Claim Number", "9A"),
    reference("Adjusted Repriced Claim Number", "9C"),
    reference("Investigational Device Exemption Number", "LX", S, 5),
    reference("Claim Identifier for Transmission Intermediaries", "D9"),
    reference("Auto Accident State", "LU"),
    reference("Medical Record Number", "EA"),
    reference("Demonstration Project Identifier", "P4"),
    reference("Peer Review Organization (PRO) Approval Number", "G4"),
    claim837.FILE_INFORMATION,
    note("Claim Note", "ALG DCP DGN DME MED NTR ODT RHB RLH RNH SET SFM SPT UPI", 10),
    note("Billing Note", "ADD", 1),
    EPSDT_REFERRAL,
    *CLAIM_CODES,
    repricing(line=False),
    ATTENDING_PROVIDER,
    OPERATING_PHYSICIAN,
    OTHER_OPERATING_PHYSICIAN,
    RENDERING_PROVIDER,
    SERVICE_FACILITY,
    REFERRING_PROVIDER,
    OTHER_SUBSCRIBER,
    SERVICE_LINE)


# -- the hierarchy ---------------------------------------------------------------------------

GUIDE = claim837.claim_guide(
    version=VERSION,
    name_of_guide="Health Care Claim: Institutional",
    edi_contact=contact("Submitter EDI Contact Information", R, 2),
    billing_provider=(provider_specialty("Billing Provider Specialty Information", "BI"),
                      claim837.FOREIGN_CURRENCY,
                      BILLING_PROVIDER_NAME,
                      PAY_TO_ADDRESS,
                      PAY_TO_PLAN),
    subscriber=(SUBSCRIBER_INFORMATION,
                SUBSCRIBER_NAME,
                PAYER_NAME),
    patient=(PATIENT_INFORMATION,
             PATIENT_NAME),
    claim=CLAIM)

"""837 Health Care Claim: Professional, 005010X222A1.

Written by hand from the structure of the ASC X12 TR3 005010X222 with its A1 addenda (section
2.4, the transaction set listing and segment pages): header (BHT, 1000A submitter, 1000B
receiver), then the HL hierarchy 2000A billing provider (HL03 20) > 2000B subscriber (22) >
2000C patient (23), each claim a 2300 loop under the subscriber (when the subscriber is the
patient) or the patient, each service line a 2400 loop under its claim, with the provider,
other-payer (2320/2330x) and line adjudication (2430) loops.

Loops nest as the hierarchy reads (2000B inside 2000A, 2000C inside 2000B), which is how a claim
reader wants to walk them. Where one segment id has several uses in a loop (REF, DTP, NM1,
HI...), each use is its own rule, told apart by its qualifier (the element the TR3 uses to
identify it), in the TR3's order. Code lists the TR3 enumerates are given for ID elements;
external code lists (CARC, place of service, taxonomy, state codes) are left open.
"""

from __future__ import annotations

from chartwell.claims.x12.guide import (AN, DT, ID, N0, RN, N, R, S, UNBOUNDED, comp,
                                        el, loop, seg)
from chartwell.claims.x12.guides import claim837, common
from chartwell.claims.x12.guides.common import (address, amount, contact, date, demographics,
                                                name, note, outpatient_adjudication,
                                                provider_taxonomy, quantity, reference)

__all__ = ["GUIDE"]

VERSION = "005010X222A1"

# 1138 Payer Responsibility Sequence Number Code (SBR01)
# 1336 Insurance Type Code, as the 837P allows it in SBR05 (Medicare secondary types)
INSURANCE_TYPES = "12 13 14 15 16 41 42 43 47"
# 1032 Claim Filing Indicator Code (SBR09)
# 1069 Individual Relationship Code: patient to insured (PAT01) and other subscriber (2320 SBR02)
PATIENT_RELATIONSHIP = "01 19 20 21 39 40 53 G8"
OTHER_SUBSCRIBER_RELATIONSHIP = "01 18 19 20 21 39 40 53 G8"
# 755 Report Type Code (PWK01, claim and line supplemental information)
REPORT_TYPES = ("03 04 05 06 07 08 09 10 11 12 13 15 21 A3 A4 AM AS B2 B3 B4 BR BS BT CB CK CT "
                "D2 DA DB DG DJ DS EB HC HR I5 IR LA M1 MT NN OB OC OD OE OX OZ P4 P5 PE PN PO "
                "PQ PY PZ RB RR RT RX SG V5 XP")
# Code source 22, States and Provinces (N402, CLM11-4): the US Postal Service's state, territory
# and military codes, and Canada Post's province codes
STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
          "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS FM GU MH MP PR PW "
          "VI AA AE AP AB BC MB NB NL NS NT NU ON PE QC SK YT")
# 756 Report Transmission Code (PWK02)
REPORT_TRANSMISSION = "AA BM EL EM FT FX"
# 1271 Condition codes the CRC segments allow
AMBULANCE_CONDITIONS = "01 04 05 06 07 08 09 12"
VISION_CONDITIONS = "L1 L2 L3 L4 L5"
EPSDT_CONDITIONS = "AV NU S2 ST"
# 235 Product/Service ID Qualifier (SV101-1, SVD03-1)
PRODUCT_QUALIFIERS = "ER HC IV WK"
# 1473 Pricing Methodology (HCP01)
PRICING_METHODS = "00 01 02 03 04 05 07 08 09 10 11 12 13 14"
# 901 Reject Reason Code (HCP13), 1527 Policy Compliance Code (HCP14), 1526 Exception Code (HCP15)
REJECT_REASONS = "T1 T2 T3 T4 T5 T6"
POLICY_COMPLIANCE = "1 2 3 4 5"
EXCEPTIONS = "1 2 3 4 5 6"
# 1033 Claim Adjustment Group Code (CAS01)
ADJUSTMENT_GROUPS = "CO CR OA PI PR"
# 1073 Yes/No; 1363 Release of Information; 1351 Benefits Assignment; 1359 Provider Accept Assignment
YES_NO = "N Y"


# -- segment builders shared by many loops --------------------------------------------------------

def city_state_zip(usage: str, segment_name: str):
    """N4 with the state codes spelled out (code source 22) and no E0207 note on the page."""
    return common.city_state_zip(usage, segment_name, states=STATES, state_or_subdivision=False)


def supplemental_information(segment_name: str, report_types: str = REPORT_TYPES):
    """PWK Claim or Line Supplemental Information (attachments: the report type and how it is
    sent; AC attachment control number when sent separately)."""
    return seg("PWK", segment_name, S, 10,
               el("Report Type Code", R, ID, 2, 2, report_types),
               el("Report Transmission Code", R, ID, 1, 2, REPORT_TRANSMISSION),
               el("Report Copies Needed", N, N0, 1, 2),
               el("Entity Identifier Code", N, ID, 2, 3),
               el("Identification Code Qualifier", S, ID, 1, 2, "AC"),
               el("Identification Code", S, AN, 2, 80),
               el("Description", N, AN, 1, 80),
               comp("Actions Indicated", N, el("Paperwork/Report Action Code", N, ID, 1, 2)),
               el("Request Category Code", N, ID, 1, 2),
               qualifier=(1, report_types),
               syntax=(("P", (5, 6)),))


def ambulance_transport():
    """CR1 Ambulance Transport Information (weight, reason, distance, purpose)."""
    return seg("CR1", "Ambulance Transport Information", S, 1,
               el("Unit or Basis for Measurement Code", S, ID, 2, 2, "LB"),
               el("Weight", S, RN, 1, 10),
               el("Ambulance Transport Code", N, ID, 1, 1),
               el("Ambulance Transport Reason Code", R, ID, 1, 1, "A B C D E"),
               el("Unit or Basis for Measurement Code", R, ID, 2, 2, "DH"),
               el("Quantity", R, RN, 1, 15),
               el("Address Information", N, AN, 1, 55),
               el("Address Information", N, AN, 1, 55),
               el("Description", S, AN, 1, 80),
               el("Description", S, AN, 1, 80),
               syntax=(("P", (1, 2)), ("P", (5, 6))))


def condition(segment_name: str, category: str, certification: str, codes: str, max_use: int,
              more: int):
    """CRC Conditions Indicator: CRC01 the category, CRC02 yes/no, CRC03.. the conditions."""
    extra = tuple(el("Condition Indicator", S, ID, 2, 3, codes) for _ in range(more))
    extra += tuple(el("Condition Indicator", N, ID, 2, 3) for _ in range(4 - more))
    return seg("CRC", segment_name, S, max_use,
               el("Code Category", R, ID, 2, 2, category),
               el("Yes/No Condition or Response Code", R, ID, 1, 1, certification),
               el("Condition Indicator", R, ID, 2, 3, codes),
               *extra,
               qualifier=(1, category))


# CRC Ambulance Certification (condition indicators 1321), on the claim and on a line
AMBULANCE_CERTIFICATION = condition("Ambulance Certification", "07", YES_NO, AMBULANCE_CONDITIONS,
                                    3, 4)


def repricing(segment_name: str):
    """HCP Claim or Line Pricing/Repricing Information (from a repricing organization)."""
    return seg("HCP", segment_name, S, 1,
               el("Pricing Methodology", R, ID, 2, 2, PRICING_METHODS),
               el("Monetary Amount", R, RN, 1, 18),
               el("Monetary Amount", S, RN, 1, 18),
               el("Reference Identification", S, AN, 1, 50),
               el("Rate", S, RN, 1, 9),
               el("Reference Identification", S, AN, 1, 50),
               el("Monetary Amount", S, RN, 1, 18),
               el("Product/Service ID", N, AN, 1, 48),
               el("Product/Service ID Qualifier", N, ID, 2, 2),
               el("Product/Service ID", N, AN, 1, 48),
               el("Unit or Basis for Measurement Code", N, ID, 2, 2),
               el("Quantity", N, RN, 1, 15),
               el("Reject Reason Code", S, ID, 2, 2, REJECT_REASONS),
               el("Policy Compliance Code", S, ID, 1, 2, POLICY_COMPLIANCE),
               el("Exception Code", S, ID, 1, 2, EXCEPTIONS))


def procedure(usage: str = R):
    """C003 Composite Medical Procedure Identifier: qualifier, code, up to four modifiers, a
    description (for not-otherwise-classified codes)."""
    return common.procedure_identifier(usage, PRODUCT_QUALIFIERS, code_name="Product/Service ID")


def claim_adjustment(segment_name: str):
    """CAS Claim or Service Adjustment (CARC reason codes are an external list)."""
    return common.adjustment(segment_name, ADJUSTMENT_GROUPS, 5, notes_by_triplet=False)


def health_care_codes(segment_name: str, usage: str, max_use: int, first_codes: str,
                      other_codes: str, count: int = 12):
    """HI Health Care Information Codes: up to twelve C022 composites, each a code list
    qualifier and a code (HI01 identifies the segment's use)."""

    def code(qualifiers: str, code_usage: str):
        return comp("Health Care Code Information", code_usage,
                    el("Code List Qualifier Code", R, ID, 1, 3, qualifiers),
                    el("Industry Code", R, AN, 1, 30),
                    el("Date Time Period Format Qualifier", N, ID, 2, 3),
                    el("Date Time Period", N, AN, 1, 35),
                    el("Monetary Amount", N, RN, 1, 18),
                    el("Quantity", N, RN, 1, 15),
                    el("Version Identifier", N, AN, 1, 30),
                    el("Industry Code", N, AN, 1, 30),
                    el("Yes/No Condition or Response Code", N, ID, 1, 1))

    composites = [code(first_codes, R)]
    composites += [code(other_codes, S) for _ in range(count - 1)]
    composites += [comp("Health Care Code Information", N, el("Code List Qualifier Code", N, ID, 1, 3))
                   for _ in range(12 - count)]
    return seg("HI", segment_name, usage, max_use, *composites)


# -- header ---------------------------------------------------------------------------------------

BILLING_PROVIDER_NAME = loop(
    "2010AA", "Billing Provider Name", R, 1,
    name("Billing Provider Name", "85", "1 2", "XX"),
    address(R, "Billing Provider Address"),
    city_state_zip(R, "Billing Provider City, State, ZIP Code"),
    reference("Billing Provider Tax Identification", "EI SY", R),
    reference("Billing Provider UPIN/License Information", "0B 1G", S, 2),
    contact("Billing Provider Contact Information", S, 2))

PAY_TO_ADDRESS = loop(
    "2010AB", "Pay-to Address Name", S, 1,
    name("Pay-to Address Name", "87", "1 2", None, last=N, person=False),
    address(R, "Pay-to Address - ADDRESS"),
    city_state_zip(R, "Pay-To Address City, State, ZIP Code"))

PAY_TO_PLAN = claim837.pay_to_plan(city_state_zip)


# -- 2000B subscriber, 2000C patient --------------------------------------------------------------

SUBSCRIBER_INFORMATION = claim837.subscriber_information(
    "Subscriber Information", S, "18", "Subscriber Group or Policy Number",
    "Subscriber Group Name", INSURANCE_TYPES)


def patient_information(usage: str, relationship: str | None):
    """PAT Patient Information: relationship to the insured (2000C), date of death, weight and
    pregnancy indicator."""
    return seg("PAT", "Patient Information", usage, 1,
               el("Individual Relationship Code", R if relationship else N, ID, 2, 2, relationship),
               el("Patient Location Code", N, ID, 1, 1),
               el("Employment Status Code", N, ID, 2, 2),
               el("Student Status Code", N, ID, 1, 1),
               el("Date Time Period Format Qualifier", S, ID, 2, 3, "D8"),
               el("Patient Death Date", S, AN, 1, 35),
               el("Unit or Basis for Measurement Code", S, ID, 2, 2, "01"),
               el("Patient Weight", S, RN, 1, 10),
               el("Pregnancy Indicator", S, ID, 1, 1, "Y"),
               syntax=(("P", (5, 6)), ("P", (7, 8))))


def casualty_contact(segment_name: str):
    """PER Property and Casualty contact: a telephone number and its extension."""
    return contact(segment_name, S, 1, media="TE", more_media="EX")


SUBSCRIBER_NAME = loop(
    "2010BA", "Subscriber Name", R, 1,
    name("Subscriber Name", "IL", "1 2", "II MI"),
    address(S, "Subscriber Address"),
    city_state_zip(S, "Subscriber City, State, ZIP Code"),
    demographics(S),
    reference("Subscriber Secondary Identification", "SY"),
    reference("Property and Casualty Claim Number", "Y4"),
    casualty_contact("Property and Casualty Subscriber Contact Information"))

PAYER_NAME = claim837.payer_name(city_state_zip, billing_provider_ids=2)

PATIENT_NAME = loop(
    "2010CA", "Patient Name", R, 1,
    name("Patient Name", "QC", "1", None),
    address(R, "Patient Address"),
    city_state_zip(R, "Patient City, State, ZIP Code"),
    demographics(R),
    reference("Property and Casualty Claim Number", "Y4"),
    reference("Property and Casualty Patient Identifier", "1W SY"),
    casualty_contact("Property and Casualty Patient Contact Information"))


# -- 2300 claim ---------------------------------------------------------------------------------

CLAIM_INFORMATION = seg(
    "CLM", "Claim Information", R, 1,
    el("Patient Control Number", R, AN, 1, 38),
    el("Total Claim Charge Amount", R, RN, 1, 18),
    el("Claim Filing Indicator Code", N, ID, 1, 2),
    el("Non-Institutional Claim Type Code", N, ID, 1, 2),
    comp("Health Care Service Location Information", R,
         el("Place of Service Code", R, AN, 1, 2),
         el("Facility Code Qualifier", R, ID, 1, 2, "B"),
         el("Claim Frequency Type Code", R, ID, 1, 1)),
    el("Provider or Supplier Signature Indicator", R, ID, 1, 1, YES_NO),
    el("Assignment or Plan Participation Code", R, ID, 1, 1, "A B C"),
    el("Benefits Assignment Certification Indicator", R, ID, 1, 1, "N W Y"),
    el("Release of Information Code", R, ID, 1, 1, "I Y"),
    el("Patient Signature Source Code", S, ID, 1, 1, "P"),
    comp("Related Causes Information", S,
         el("Related-Causes Code", R, ID, 2, 3, "AA EM OA"),
         el("Related-Causes Code", S, ID, 2, 3, "AA EM OA"),
         el("Related-Causes Code", N, ID, 2, 3),
         el("State or Province Code", S, ID, 2, 2, STATES),
         el("Country Code", S, ID, 2, 3)),
    el("Special Program Indicator", S, ID, 2, 3, "02 03 05 09"),
    el("Yes/No Condition or Response Code", N, ID, 1, 1),
    el("Level of Service Code", N, ID, 1, 3),
    el("Yes/No Condition or Response Code", N, ID, 1, 1),
    el("Provider Agreement Code", N, ID, 1, 1),
    el("Claim Status Code", N, ID, 1, 2),
    el("Yes/No Condition or Response Code", N, ID, 1, 1),
    el("Claim Submission Reason Code", N, ID, 2, 2),
    el("Delay Reason Code", S, ID, 1, 2, "1 2 3 4 5 6 7 8 9 10 11 15"))

CLAIM_DATES = (
    date("Date - Onset of Current Illness or Symptom", "431"),
    date("Date - Initial Treatment Date", "454"),
    date("Date - Last Seen Date", "304"),
    date("Date - Acute Manifestation", "453"),
    date("Date - Accident", "439"),
    date("Date - Last Menstrual Period", "484"),
    date("Date - Last X-ray Date", "455"),
    date("Date - Hearing and Vision Prescription Date", "471"),
    date("Date - Disability Dates", "314 360 361", "D8 RD8"),
    date("Date - Last Worked", "297"),
    date("Date - Authorized Return to Work", "296"),
    date("Date - Admission", "435"),
    date("Date - Discharge", "096"),
    date("Date - Assumed and Relinquished Care Dates", "090 091", max_use=2),
    date("Date - Property and Casualty Date of First Contact", "444"),
    date("Date - Repricer Received Date", "050"),
)

CLAIM_REFERENCES = (
    reference("Service Authorization Exception Code", "4N"),
    reference("Mandatory Medicare (Section 4081) Crossover Indicator", "F5"),
    reference("Mammography Certification Number", "EW"),
    reference("Referral Number", "9F"),
    reference("Prior Authorization", "G1"),
    reference("Payer Claim Control Number", "F8"),
    reference("Clinical Laboratory Improvement Amendment (CLIA) Number", "X4"),
    reference("Repriced Claim Number", "9A"),
    reference("Adjusted Repriced Claim Number", "9C"),
    reference("Investigational Device Exemption Number", "LX"),
    reference("Claim Identifier For Transmission Intermediaries", "D9"),
    reference("Medical Record Number", "EA"),
    reference("Demonstration Project Identifier", "P4"),
    reference("Care Plan Oversight", "1J"),
)

SPINAL_MANIPULATION = seg(
    "CR2", "Spinal Manipulation Service Information", S, 1,
    *(el("Not Used", N, AN, 1, 15) for _ in range(7)),
    el("Patient Condition Code", R, ID, 1, 1, "A C D E F G M"),
    el("Not Used", N, ID, 1, 1),
    el("Patient Condition Description", S, AN, 1, 80),
    el("Patient Condition Description", S, AN, 1, 80),
    el("Not Used", N, ID, 1, 1))

CLAIM_CONDITIONS = (
    AMBULANCE_CERTIFICATION,
    condition("Patient Condition Information: Vision", "E1 E2 E3", YES_NO, VISION_CONDITIONS, 3, 4),
    condition("Homebound Indicator", "75", "Y", "IH", 1, 0),
    condition("EPSDT Referral", "ZZ", YES_NO, EPSDT_CONDITIONS, 1, 2),
)

CLAIM_CODES = (
    health_care_codes("Health Care Diagnosis Code", R, 1, "ABK BK", "ABF BF"),
    health_care_codes("Anesthesia Related Procedure", S, 1, "BP", "BO", 2),
    health_care_codes("Condition Information", S, 2, "BG", "BG"),
)


REFERRING_PROVIDER = claim837.provider_loop(
    "2310A", "Referring Provider Name", "DN P3", "1", "0B 1G G2", 3, max_repeat=2)
RENDERING_PROVIDER = claim837.provider_loop(
    "2310B", "Rendering Provider Name", "82", "1 2", "0B 1G G2 LU", 4,
    provider_taxonomy("Rendering Provider Specialty Information", "PE"))
SERVICE_FACILITY = loop(
    "2310C", "Service Facility Location Name", S, 1,
    name("Service Facility Location Name", "77", "2", "XX", person=False),
    address(R, "Service Facility Location Address"),
    city_state_zip(R, "Service Facility Location City, State, ZIP Code"),
    reference("Service Facility Location Secondary Identification", "G2 LU", S, 3),
    casualty_contact("Service Facility Contact Information"))
SUPERVISING_PROVIDER = claim837.provider_loop(
    "2310D", "Supervising Provider Name", "DQ", "1", "0B 1G G2 LU", 4)
AMBULANCE_PICK_UP = loop(
    "2310E", "Ambulance Pick-up Location", S, 1,
    name("Ambulance Pick-up Location", "PW", "2", None, last=N, person=False),
    address(R, "Ambulance Pick-up Location Address"),
    city_state_zip(R, "Ambulance Pick-up Location City, State, ZIP Code"))
AMBULANCE_DROP_OFF = loop(
    "2310F", "Ambulance Drop-off Location", S, 1,
    name("Ambulance Drop-off Location", "45", "2", None, last=S, person=False),
    address(R, "Ambulance Drop-off Location Address"),
    city_state_zip(R, "Ambulance Drop-off Location City, State, ZIP Code"))


# -- 2320 / 2330x other subscriber and other payer ------------------------------------------------

OTHER_SUBSCRIBER_INFORMATION = claim837.subscriber_information(
    "Other Subscriber Information", R, OTHER_SUBSCRIBER_RELATIONSHIP,
    "Insured Group or Policy Number", "Other Insured Group Name", INSURANCE_TYPES)

OTHER_INSURANCE_COVERAGE = seg(
    "OI", "Other Insurance Coverage Information", R, 1,
    el("Claim Filing Indicator Code", N, ID, 1, 2),
    el("Claim Submission Reason Code", N, ID, 2, 2),
    el("Benefits Assignment Certification Indicator", R, ID, 1, 1, "N W Y"),
    el("Patient Signature Source Code", S, ID, 1, 1, "P"),
    el("Provider Agreement Code", N, ID, 1, 1),
    el("Release of Information Code", R, ID, 1, 1, "I Y"))

OUTPATIENT_ADJUDICATION = outpatient_adjudication(
    professional_component_name="Non-Payable Professional Component Billed Amount")

OTHER_SUBSCRIBER_NAME = loop(
    "2330A", "Other Subscriber Name", R, 1,
    name("Other Subscriber Name", "IL", "1 2", "II MI", id_usage=R),
    address(S, "Other Subscriber Address"),
    city_state_zip(S, "Other Subscriber City, State, ZIP Code"),
    reference("Other Subscriber Secondary Identification", "SY"))

OTHER_PAYER_NAME = claim837.other_payer_name(
    city_state_zip, date("Claim Check or Remittance Date", "573"))


def other_payer_provider(loop_id: str, loop_name: str, entity: str, entity_types: str,
                         secondary: str, secondary_max: int, max_repeat: int = 1):
    """2330C-G: a provider as the other payer knows it: the entity, and the other payer's
    identifiers for it (no name, no NPI)."""
    return loop(loop_id, loop_name, S, max_repeat,
                name(loop_name, entity, entity_types, None, last=N, person=False),
                reference(f"{loop_name} Secondary Identification", secondary, R, secondary_max))


OTHER_SUBSCRIBER = loop(
    "2320", "Other Subscriber Information", S, 10,
    OTHER_SUBSCRIBER_INFORMATION,
    claim_adjustment("Claim Level Adjustments"),
    amount("Coordination of Benefits (COB) Payer Paid Amount", "D"),
    amount("Coordination of Benefits (COB) Total Non-Covered Amount", "A8"),
    amount("Remaining Patient Liability", "EAF"),
    OTHER_INSURANCE_COVERAGE,
    OUTPATIENT_ADJUDICATION,
    OTHER_SUBSCRIBER_NAME,
    OTHER_PAYER_NAME,
    other_payer_provider("2330C", "Other Payer Referring Provider", "DN P3", "1", "0B 1G G2", 3, 2),
    other_payer_provider("2330D", "Other Payer Rendering Provider", "82", "1 2", "0B 1G G2 LU", 3),
    other_payer_provider("2330E", "Other Payer Service Facility Location", "77", "2", "0B G2 LU", 3),
    other_payer_provider("2330F", "Other Payer Supervising Provider", "DQ", "1", "0B 1G G2 LU", 3),
    other_payer_provider("2330G", "Other Payer Billing Provider", "85", "1 2", "G2 LU", 2))


# -- 2400 service line --------------------------------------------------------------------------

PROFESSIONAL_SERVICE = seg(
    "SV1", "Professional Service", R, 1,
    procedure(R),
    el("Line Item Charge Amount", R, RN, 1, 18),
    el("Unit or Basis for Measurement Code", R, ID, 2, 2, "MJ UN"),
    el("Service Unit Count", R, RN, 1, 15),
    el("Place of Service Code", S, AN, 1, 2),
    el("Service Type Code", N, ID, 1, 2),
    comp("Composite Diagnosis Code Pointer", R,
         el("Diagnosis Code Pointer", R, N0, 1, 2),
         el("Diagnosis Code Pointer", S, N0, 1, 2),
         el("Diagnosis Code Pointer", S, N0, 1, 2),
         el("Diagnosis Code Pointer", S, N0, 1, 2)),
    el("Monetary Amount", N, RN, 1, 18),
    el("Emergency Indicator", S, ID, 1, 1, "Y"),
    el("Multiple Procedure Code", N, AN, 1, 2),
    el("EPSDT Indicator", S, ID, 1, 1, "Y"),
    el("Family Planning Indicator", S, ID, 1, 1, "Y"),
    el("Review Code", N, ID, 1, 2),
    el("National or Local Assigned Review Value", N, AN, 1, 2),
    el("Copay Status Code", S, ID, 1, 1, "0"),
    el("Health Care Professional Shortage Area Code", N, ID, 1, 1),
    el("Reference Identification", N, AN, 1, 50),
    el("Postal Code", N, ID, 3, 15),
    el("Monetary Amount", N, RN, 1, 18),
    el("Level of Care Code", N, ID, 1, 1),
    el("Provider Agreement Code", N, ID, 1, 1))

DURABLE_MEDICAL_EQUIPMENT = seg(
    "SV5", "Durable Medical Equipment Service", S, 1,
    comp("Composite Medical Procedure Identifier", R,
         el("Product/Service ID Qualifier", R, ID, 2, 2, "HC"),
         el("Procedure Code", R, AN, 1, 48),
         *(el("Not Used", N, AN, 1, 80) for _ in range(6))),
    el("Unit or Basis for Measurement Code", R, ID, 2, 2, "DA"),
    el("Length of Medical Necessity", R, RN, 1, 15),
    el("DME Rental Price", S, RN, 1, 18),
    el("DME Purchase Price", S, RN, 1, 18),
    el("Rental Unit Price Indicator", R, ID, 1, 1, "1 4 6"),
    el("Prognosis Code", N, ID, 1, 1))

CERTIFICATE_OF_MEDICAL_NECESSITY = seg(
    "PWK", "Durable Medical Equipment Certificate of Medical Necessity Indicator", S, 1,
    el("Attachment Report Type Code", R, ID, 2, 2, "CT"),
    el("Attachment Transmission Code", R, ID, 1, 2, "AB AD AF AG NS"),
    *(el("Not Used", N, AN, 1, 80) for _ in range(7)),
    qualifier=(1, "CT"))

DME_CERTIFICATION = seg(
    "CR3", "Durable Medical Equipment Certification", S, 1,
    el("Certification Type Code", R, ID, 1, 1, "I R S"),
    el("Unit or Basis for Measurement Code", R, ID, 2, 2, "MO"),
    el("Durable Medical Equipment Duration", R, RN, 1, 15),
    el("Insulin Dependent Code", N, ID, 1, 1),
    el("Description", N, AN, 1, 80))

LINE_CONDITIONS = (
    AMBULANCE_CERTIFICATION,
    condition("Hospice Employee Indicator", "70", YES_NO, "65", 1, 0),
    condition("Condition Indicator/Durable Medical Equipment", "09", YES_NO, "38 ZV", 2, 1),
)

LINE_DATES = (
    date("Date - Service Date", "472", "D8 RD8", R),
    date("Date - Prescription Date", "471"),
    date("DATE - Certification Revision/Recertification Date", "607"),
    date("Date - Begin Therapy Date", "463"),
    date("Date - Last Certification Date", "461"),
    date("Date - Last Seen Date", "304"),
    date("Date - Test Date", "738 739", max_use=2),
    date("Date - Shipped Date", "011"),
    date("Date - Last X-ray Date", "455"),
    date("Date - Initial Treatment Date", "454"),
)

TEST_RESULT = seg(
    "MEA", "Test Result", S, 5,
    el("Measurement Reference ID Code", R, ID, 2, 2, "OG TR"),
    el("Measurement Qualifier", R, ID, 1, 3, "HT R1 R2 R3 R4"),
    el("Test Results", R, RN, 1, 20),
    *(el("Not Used", N, AN, 1, 20) for _ in range(7)))

LINE_REFERENCES = (
    reference("Repriced Line Item Reference Number", "9B"),
    reference("Adjusted Repriced Line Item Reference Number", "9D"),
    reference("Prior Authorization", "G1", S, 5),
    reference("Line Item Control Number", "6R"),
    reference("Mammography Certification Number", "EW"),
    reference("Clinical Laboratory Improvement Amendment (CLIA) Number", "X4"),
    reference("Referring Clinical Laboratory Improvement Amendment (CLIA) Facility Identification", "F4"),
    reference("Immunization Batch Number", "BT"),
    reference("Referral Number", "9F", S, 5),
)

PURCHASED_SERVICE = seg(
    "PS1", "Purchased Service Information", S, 1,
    el("Purchased Service Provider Identifier", R, AN, 1, 50),
    el("Purchased Service Charge Amount", R, RN, 1, 18),
    el("State or Province Code", N, ID, 2, 2))

DRUG_IDENTIFICATION = loop(
    "2410", "Drug Identification", S, 1,
    seg("LIN", "Drug Identification", R, 1,
        el("Assigned Identification", N, AN, 1, 20),
        el("Product/Service ID Qualifier", R, ID, 2, 2, "EN EO HI N4 ON UK UP"),
        el("National Drug Code or Universal Product Number", R, AN, 1, 48),
        *(el("Not Used", N, AN, 1, 48) for _ in range(28))),
    seg("CTP", "Drug Quantity", R, 1,
        el("Class of Trade Code", N, ID, 2, 2),
        el("Price Identifier Code", N, ID, 3, 3),
        el("Unit Price", N, RN, 1, 17),
        el("National Drug Unit Count", R, RN, 1, 15),
        comp("Composite Unit of Measure", R,
             el("Unit or Basis for Measurement Code", R, ID, 2, 2, "F2 GR ME ML UN"),
             *(el("Not Used", N, AN, 1, 15) for _ in range(14)))),
    reference("Prescription or Compound Drug Association Number", "VY XZ"))

LINE_ADJUDICATION = loop(
    "2430", "Line Adjudication Information", S, 15,
    seg("SVD", "Line Adjudication Information", R, 1,
        el("Other Payer Primary Identifier", R, AN, 2, 80),
        el("Service Line Paid Amount", R, RN, 1, 18),
        procedure(R),
        el("Product/Service ID", N, AN, 1, 48),
        el("Paid Service Unit Count", R, RN, 1, 15),
        el("Bundled or Unbundled Line Number", S, N0, 1, 6)),
    claim_adjustment("Line Adjustment"),
    date("Line Check or Remittance Date", "573", usage=R),
    amount("Remaining Patient Liability", "EAF"))

FORM_IDENTIFICATION = loop(
    "2440", "Form Identification Code", S, UNBOUNDED,
    seg("LQ", "Form Identification Code", R, 1,
        el("Code List Qualifier Code", R, ID, 1, 3, "AS UT"),
        el("Form Identifier", R, AN, 1, 30)),
    seg("FRM", "Supporting Documentation", R, 99,
        el("Question Number/Letter", R, AN, 1, 20),
        el("Question Response", S, ID, 1, 1, "N W Y"),
        el("Question Response", S, AN, 1, 50),
        el("Question Response", S, DT, 8, 8),
        el("Question Response", S, RN, 1, 6),
        syntax=(("R", (2, 3, 4, 5)), ("E", (2, 3, 4, 5)))))

SERVICE_LINE = loop(
    "2400", "Service Line Number", R, 50,
    seg("LX", "Service Line Number", R, 1,
        el("Assigned Number", R, N0, 1, 6)),
    PROFESSIONAL_SERVICE,
    DURABLE_MEDICAL_EQUIPMENT,
    # CT on a line is the DME certificate of medical necessity (next PWK), not an attachment
    supplemental_information("Line Supplemental Information",
                             " ".join(code for code in REPORT_TYPES.split() if code != "CT")),
    CERTIFICATE_OF_MEDICAL_NECESSITY,
    ambulance_transport(),
    DME_CERTIFICATION,
    *LINE_CONDITIONS,
    *LINE_DATES,
    quantity("Ambulance Patient Count", "PT"),
    quantity("Obstetric Anesthesia Additional Units", "FL"),
    TEST_RESULT,
    claim837.CONTRACT_INFORMATION,
    *LINE_REFERENCES,
    amount("Sales Tax Amount", "T"),
    amount("Postage Claimed Amount", "F4"),
    claim837.FILE_INFORMATION,
    note("Line Note", "ADD DCP"),
    note("Third Party Organization Notes", "TPO"),
    PURCHASED_SERVICE,
    repricing("Line Pricing/Repricing Information"),
    DRUG_IDENTIFICATION,
    claim837.provider_loop("2420A", "Rendering Provider Name", "82", "1 2", "0B 1G G2 LU", 20,
                           provider_taxonomy("Rendering Provider Specialty Information", "PE")),
    claim837.provider_loop("2420B", "Purchased Service Provider Name", "QB", "1 2", "0B 1G G2",
                           20, last=S),
    loop("2420C", "Service Facility Location Name", S, 1,
         name("Service Facility Location Name", "77", "2", "XX", person=False),
         address(R, "Service Facility Location Address"),
         city_state_zip(R, "Service Facility Location City, State, ZIP Code"),
         reference("Service Facility Location Secondary Identification", "0B G2 LU", S, 3)),
    claim837.provider_loop("2420D", "Supervising Provider Name", "DQ", "1", "0B 1G G2 LU", 20),
    loop("2420E", "Ordering Provider Name", S, 1,
         name("Ordering Provider Name", "DK", "1", "XX"),
         address(S, "Ordering Provider Address"),
         city_state_zip(S, "Ordering Provider City, State, ZIP Code"),
         reference("Ordering Provider Secondary Identification", "0B 1G G2", S, 20),
         contact("Ordering Provider Contact Information", S, 1)),
    claim837.provider_loop("2420F", "Referring Provider Name", "DN P3", "1", "0B 1G G2", 20,
                           max_repeat=2),
    loop("2420G", "Ambulance Pick-up Location", S, 1,
         name("Ambulance Pick-up Location", "PW", "2", None, last=N, person=False),
         address(R, "Ambulance Pick-up Location Address"),
         city_state_zip(R, "Ambulance Pick-up Location City, State, ZIP Code")),
    loop("2420H", "Ambulance Drop-off Location", S, 1,
         name("Ambulance Drop-off Location", "45", "2", None, last=S, person=False),
         address(R, "Ambulance Drop-off Location Address"),
         city_state_zip(R, "Ambulance Drop-off Location City, State, ZIP Code")),
    LINE_ADJUDICATION,
    FORM_IDENTIFICATION)

CLAIM = loop(
    "2300", "Claim Information", R, 100,
    CLAIM_INFORMATION,
    *CLAIM_DATES,
    supplemental_information("Claim Supplemental Information"),
    claim837.CONTRACT_INFORMATION,
    amount("Patient Amount Paid", "F5"),
    *CLAIM_REFERENCES,
    claim837.FILE_INFORMATION,
    note("Claim Note", "ADD CER DCP DGN TPO"),
    ambulance_transport(),
    SPINAL_MANIPULATION,
    *CLAIM_CONDITIONS,
    *CLAIM_CODES,
    repricing("Claim Pricing/Repricing Information"),
    REFERRING_PROVIDER,
    RENDERING_PROVIDER,
    SERVICE_FACILITY,
    SUPERVISING_PROVIDER,
    AMBULANCE_PICK_UP,
    AMBULANCE_DROP_OFF,
    OTHER_SUBSCRIBER,
    SERVICE_LINE)


# -- the hierarchy ---------------------------------------------------------------------------------

GUIDE = claim837.claim_guide(
    version=VERSION,
    name_of_guide="Health Care Claim: Professional",
    edi_contact=contact("Submitter EDI Contact Information", R, 2),
    billing_provider=(provider_taxonomy("Billing Provider Specialty Information", "BI"),
                      claim837.FOREIGN_CURRENCY,
                      BILLING_PROVIDER_NAME,
                      PAY_TO_ADDRESS,
                      PAY_TO_PLAN),
    subscriber=(SUBSCRIBER_INFORMATION,
                patient_information(S, None),
                SUBSCRIBER_NAME,
                PAYER_NAME),
    patient=(patient_information(R, PATIENT_RELATIONSHIP),
             PATIENT_NAME),
    claim=CLAIM)

"""What the professional (005010X222A1) and institutional (005010X223A2) 837s share, written
once: the header (BHT, 1000A submitter, 1000B receiver), the billing provider's currency, the
pay-to plan, the subscriber's and other subscriber's SBR, the payer and other payer names, the
claim's contract and file information (CN1, K3), the provider name loops (2310x, 2420x), and
the HL hierarchy the claim loop hangs in (2000A > 2000B > 2000C, the claim under the subscriber
when the subscriber is the patient, else under the patient).

Where the two TR3s print a segment differently, the guide passes its own: the N4 builder (the
professional guide spells out the state codes), the PER of its contact loops, SBR05 (insurance
type, used only on professional claims) and the repeats of a payer's secondary identifiers.
"""

from __future__ import annotations

from collections.abc import Callable

from chartwell.claims.x12.guide import (AN, DT, ID, RN, TM, UNBOUNDED, Guide, LoopRule, N, R,
                                        S, SegmentRule, comp, el, loop, seg)
from chartwell.claims.x12.guides.common import (address, hierarchical_level, name, reference,
                                                transaction_set_header, transaction_set_trailer)

CityStateZip = Callable[[str, str], SegmentRule]
"""A guide's N4 builder: (usage, segment name) -> the N4 rule."""

# SBR01 payer responsibility sequence: primary..eleventh, secondary, tertiary, unknown.
PAYER_RESPONSIBILITY = "A B C D E F G H P S T U"
# SBR09 claim filing indicator (2000B and 2320 SBR09).
CLAIM_FILING_INDICATORS = ("11 12 13 14 15 16 17 AM BL CH CI DS FI HM LM MA MB MC OF TV VA WC "
                           "ZZ")


# -- header ---------------------------------------------------------------------------------------

BEGINNING_OF_TRANSACTION = seg(
    "BHT", "Beginning of Hierarchical Transaction", R, 1,
    el("Hierarchical Structure Code", R, ID, 4, 4, "0019"),
    el("Transaction Set Purpose Code", R, ID, 2, 2, "00 18"),  # original, reissue
    el("Originator Application Transaction Identifier", R, AN, 1, 50),
    el("Transaction Set Creation Date", R, DT, 8, 8),
    el("Transaction Set Creation Time", R, TM, 4, 8),
    # element 640; 31 subrogation demand, CH chargeable, RP reporting (encounter)
    el("Claim or Encounter Identifier", R, ID, 2, 2, "31 CH RP"))


def submitter(edi_contact: SegmentRule) -> LoopRule:
    """1000A: who sends the file, with the guide's PER for its EDI contact."""
    return loop("1000A", "Submitter Name", R, 1,
                name("Submitter Name", "41", "1 2", "46", id_usage=R),
                edi_contact)


RECEIVER = loop(
    "1000B", "Receiver Name", R, 1,
    name("Receiver Name", "40", "2", "46", person=False, id_usage=R))


# -- 2000A billing provider ---------------------------------------------------------------------

FOREIGN_CURRENCY = seg(
    "CUR", "Foreign Currency Information", S, 1,
    el("Entity Identifier Code", R, ID, 2, 3, "85"),  # CUR03-CUR21 are not used
    el("Currency Code", R, ID, 3, 3))


def pay_to_plan(city_state_zip: CityStateZip) -> LoopRule:
    """2010AC: the plan paid in subrogation (the pay-to plan's payer id and tax id)."""
    return loop("2010AC", "Pay-to Plan Name", S, 1,
                name("Pay-to Plan Name", "PE", "2", "PI XV", person=False, id_usage=R),
                address(R, "Pay-to Plan Address"),
                city_state_zip(R, "Pay-to Plan City, State, ZIP Code"),
                reference("Pay-to Plan Secondary Identification", "2U FY NF"),
                reference("Pay-to Plan Tax Identification Number", "EI", R))


# -- 2000B subscriber, 2320 other subscriber ------------------------------------------------------

def subscriber_information(segment_name: str, relationship_usage: str, relationships: str,
                           group_number: str, group_name: str,
                           insurance_types: str | None) -> SegmentRule:
    """SBR: the payer's place in the sequence, the relationship to the insured, the group, and
    the claim filing indicator; SBR05 (insurance type: Medicare secondary payer) only where the
    guide uses it (``insurance_types`` None: not used)."""
    return seg("SBR", segment_name, R, 1,
               el("Payer Responsibility Sequence Number Code", R, ID, 1, 1,
                  PAYER_RESPONSIBILITY),
               el("Individual Relationship Code", relationship_usage, ID, 2, 2, relationships),
               el(group_number, S, AN, 1, 50),
               el(group_name, S, AN, 1, 60),
               el("Insurance Type Code", S if insurance_types else N, ID, 1, 3, insurance_types),
               el("Coordination of Benefits Code", N, ID, 1, 1),
               el("Yes/No Condition or Response Code", N, ID, 1, 1),
               el("Employment Status Code", N, ID, 2, 2),
               el("Claim Filing Indicator Code", S, ID, 1, 2, CLAIM_FILING_INDICATORS))


def payer_name(city_state_zip: CityStateZip, billing_provider_ids: int) -> LoopRule:
    """2010BB: the payer the claim goes to, and the billing provider's id with that payer
    (repeats as the guide allows)."""
    return loop("2010BB", "Payer Name", R, 1,
                name("Payer Name", "PR", "2", "PI XV", person=False, id_usage=R),
                address(S, "Payer Address"),
                city_state_zip(S, "Payer City, State, ZIP Code"),
                reference("Payer Secondary Identification", "2U EI FY NF", S, 3),
                reference("Billing Provider Secondary Identification", "G2 LU", S,
                          billing_provider_ids))


def other_payer_name(city_state_zip: CityStateZip, remittance_date: SegmentRule) -> LoopRule:
    """2330B: a payer already billed, with its remittance date and its own numbers for the
    claim (prior authorization, referral, adjustment indicator, claim control number)."""
    return loop("2330B", "Other Payer Name", R, 1,
                name("Other Payer Name", "PR", "2", "PI XV", person=False, id_usage=R),
                address(S, "Other Payer Address"),
                city_state_zip(S, "Other Payer City, State, ZIP Code"),
                remittance_date,
                reference("Other Payer Secondary Identifier", "2U EI FY NF", S, 2),
                reference("Other Payer Prior Authorization Number", "G1"),
                reference("Other Payer Referral Number", "9F"),
                reference("Other Payer Claim Adjustment Indicator", "T4"),
                reference("Other Payer Claim Control Number", "F8"))


# -- 2300 claim, 2400 service line -----------------------------------------------------------------

CONTRACT_INFORMATION = seg(
    "CN1", "Contract Information", S, 1,  # the provider's contract with the payer
    el("Contract Type Code", R, ID, 2, 2, "01 02 03 04 05 06 09"),
    el("Contract Amount", S, RN, 1, 18),
    el("Contract Percentage", S, RN, 1, 6),
    el("Contract Code", S, AN, 1, 50),
    el("Terms Discount Percentage", S, RN, 1, 6),
    el("Contract Version Identifier", S, AN, 1, 30))

FILE_INFORMATION = seg(
    "K3", "File Information", S, 10,
    el("Fixed Format Information", R, AN, 1, 80),  # data a regulation requires, no other element
    el("Record Format Code", N, ID, 1, 2),
    comp("Composite Unit of Measure", N, el("Unit or Basis for Measurement Code", N, ID, 2, 2)))


def provider_loop(loop_id: str, loop_name: str, entity: str, entity_types: str,
                  secondary_ids: str, max_ids: int, *specialty: SegmentRule,
                  max_repeat: int = 1, last: str = R) -> LoopRule:
    """A provider on the claim or line (2310x, 2420x): its NM1 with the NPI (XX), its specialty
    (PRV) where the loop has one, then its secondary identifiers (REF)."""
    return loop(loop_id, loop_name, S, max_repeat,
                name(loop_name, entity, entity_types, "XX", last=last),
                *specialty,
                reference(f"{loop_name} Secondary Identification", secondary_ids, S, max_ids))


# -- the hierarchy and the guide ----------------------------------------------------------------

def claim_guide(*, version: str, name_of_guide: str, edi_contact: SegmentRule,
                billing_provider: tuple, subscriber: tuple, patient: tuple,
                claim: LoopRule) -> Guide:
    """The 837 of one TR3: its header, then 2000A (``billing_provider``: the segments and loops
    after its HL) > 2000B (``subscriber``) > 2000C (``patient``), the claim loop under the
    subscriber (situational there: the subscriber is the patient) and under the patient."""
    patient_level = loop(
        "2000C", "Patient Hierarchical Level", S, UNBOUNDED,
        hierarchical_level("Patient Hierarchical Level", "23", "0"),
        *patient,
        claim)
    subscriber_level = loop(
        "2000B", "Subscriber Hierarchical Level", R, UNBOUNDED,
        hierarchical_level("Subscriber Hierarchical Level", "22", "0 1"),
        *subscriber,
        loop(claim.id, claim.name, S, claim.max_repeat, *claim.children),
        patient_level)
    billing_provider_level = loop(
        "2000A", "Billing Provider Hierarchical Level", R, UNBOUNDED,
        hierarchical_level("Billing Provider Hierarchical Level", "20", "1"),
        *billing_provider,
        subscriber_level)
    return Guide(
        transaction="837",
        version=version,
        functional_id="HC",
        name=name_of_guide,
        transaction_set=loop(
            "ST_LOOP", "Transaction Set", R, 1,
            transaction_set_header("837"),
            BEGINNING_OF_TRANSACTION,
            submitter(edi_contact),
            RECEIVER,
            billing_provider_level,
            transaction_set_trailer()))

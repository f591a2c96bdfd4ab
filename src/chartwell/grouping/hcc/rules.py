"""The parts of the CMS-HCC models that CMS writes in its SAS software rather than in tables:
the diagnostic groups, the interaction terms built from them, the payment-HCC count variables and
the V28 rule for HCC 223. Declared as data; ``scoring.py`` evaluates them.

Sources: CMS-HCC model software, V24 (``V2419P1M`` score macro, 2020 CMS-HCC model) and V28
(``V2824T?M`` score macros, 2024 CMS-HCC model), as published on the CMS "Risk Adjustment" page.
A term of an interaction is a group name, ``HCC<n>`` (one HCC), or a beneficiary flag:
``DISABLED`` (under 65 and OREC not 0, SAS ``DISABL``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    hccs: frozenset[str]
    description: str


@dataclass(frozen=True, slots=True)
class Interaction:
    name: str
    terms: tuple[str, ...]
    description: str
    aliases: tuple[str, ...] = ()  # other spellings of the variable in coefficient files


@dataclass(frozen=True, slots=True)
class CompanionRule:
    """An HCC that pays only alongside one of some others (set to 0 before the hierarchy)."""

    hcc: str
    needs_any_of: frozenset[str]
    description: str
    source: str


@dataclass(frozen=True, slots=True)
class ModelRules:
    model: str
    groups: Mapping[str, Group]
    interactions: tuple[Interaction, ...]
    companions: tuple[CompanionRule, ...]
    source: str


DISABLED = "DISABLED"


def count_variable(payment_hccs: int) -> str | None:
    """The payment HCC count variable (both models): D1 ... D9 for exactly n payment HCCs after
    the hierarchy, D10P for ten or more, none for zero."""
    if payment_hccs < 1:
        return None
    return "D10P" if payment_hccs >= 10 else f"D{payment_hccs}"


def _hccs(*numbers: int) -> frozenset[str]:
    return frozenset(str(number) for number in numbers)


def _groups(*groups: Group) -> dict[str, Group]:
    return {group.name: group for group in groups}


V28_SOURCE = "CMS-HCC V28 software (2024 CMS-HCC model), score macro interaction definitions"

V28 = ModelRules(
    model="V28",
    groups=_groups(
        Group("CANCER_V28", _hccs(17, 18, 19, 20, 21, 22, 23), "cancer HCCs 17-23"),
        Group("DIABETES_V28", _hccs(35, 36, 37, 38), "diabetes HCCs 35-38"),
        Group("CARD_RESP_FAIL_V28", _hccs(211, 212, 213), "cardio-respiratory failure HCCs 211-213"),
        Group("HF_V28", _hccs(221, 222, 223, 224, 225, 226), "heart failure HCCs 221-226"),
        Group("CHR_LUNG_V28", _hccs(276, 277, 278, 279, 280), "chronic lung disorder HCCs 276-280"),
        Group("KIDNEY_V28", _hccs(326, 327, 328, 329), "chronic kidney disease HCCs 326-329"),
        Group("gSubUseDisorder_V28", _hccs(135, 136, 137, 138, 139), "substance use disorder HCCs 135-139"),
        Group("gPsychiatric_V28", _hccs(151, 152, 153, 154, 155), "psychiatric HCCs 151-155"),
        Group("NEURO_V28", _hccs(180, 181, 182, 190, 191, 192, 195, 196, 198, 199),
              "neurological HCCs 180-182, 190-192, 195, 196, 198, 199"),
        Group("ULCER_V28", _hccs(379, 380, 381, 382), "pressure ulcer HCCs 379-382"),
    ),
    interactions=(
        Interaction("DIABETES_HF_V28", ("DIABETES_V28", "HF_V28"), "diabetes x heart failure",
                    ("DIABETES_HF",)),
        Interaction("HF_CHR_LUNG_V28", ("HF_V28", "CHR_LUNG_V28"), "heart failure x chronic lung disorder",
                    ("HF_CHR_LUNG",)),
        Interaction("HF_KIDNEY_V28", ("HF_V28", "KIDNEY_V28"), "heart failure x chronic kidney disease",
                    ("HF_KIDNEY",)),
        Interaction("CHR_LUNG_CARD_RESP_FAIL_V28", ("CHR_LUNG_V28", "CARD_RESP_FAIL_V28"),
                    "chronic lung disorder x cardio-respiratory failure", ("CHR_LUNG_CARD_RESP_FAIL",)),
        Interaction("HF_HCC238_V28", ("HF_V28", "HCC238"), "heart failure x specified heart arrhythmias",
                    ("HF_HCC238",)),
        Interaction("gSubUseDisorder_gPsych_V28", ("gSubUseDisorder_V28", "gPsychiatric_V28"),
                    "substance use disorder x psychiatric", ("gSubUseDisorder_gPsych",)),
        Interaction("DISABLED_CANCER_V28", (DISABLED, "CANCER_V28"), "disabled x cancer",
                    ("DISABLED_CANCER",)),
        Interaction("DISABLED_NEURO_V28", (DISABLED, "NEURO_V28"), "disabled x neurological",
                    ("DISABLED_NEURO",)),
        Interaction("DISABLED_HF_V28", (DISABLED, "HF_V28"), "disabled x heart failure", ("DISABLED_HF",)),
        Interaction("DISABLED_CHR_LUNG_V28", (DISABLED, "CHR_LUNG_V28"), "disabled x chronic lung disorder",
                    ("DISABLED_CHR_LUNG",)),
        Interaction("DISABLED_ULCER_V28", (DISABLED, "ULCER_V28"), "disabled x pressure ulcer",
                    ("DISABLED_ULCER",)),
    ),
    companions=(
        CompanionRule(
            hcc="223", needs_any_of=_hccs(221, 222, 224, 225, 226),
            description="HCC 223 (heart failure with heart assist device/artificial heart) counts "
                        "only with another heart failure HCC (221, 222, 224, 225 or 226)",
            source="CMS-HCC V28 software: HCC223 is set to 0 before the hierarchy when none of "
                   "HCC221, 222, 224, 225, 226 is present"),
    ),
    source=V28_SOURCE,
)

V24 = ModelRules(
    model="V24",
    groups=_groups(
        Group("CANCER", _hccs(8, 9, 10, 11, 12), "cancer HCCs 8-12"),
        Group("DIABETES", _hccs(17, 18, 19), "diabetes HCCs 17-19"),
        Group("CARD_RESP_FAIL", _hccs(82, 83, 84), "cardio-respiratory failure HCCs 82-84"),
        Group("CHF", _hccs(85), "congestive heart failure HCC 85"),
        Group("gCopdCF", _hccs(110, 111, 112), "COPD / cystic fibrosis HCCs 110-112"),
        Group("RENAL_V24", _hccs(134, 135, 136, 137, 138), "renal HCCs 134-138"),
        Group("SEPSIS", _hccs(2), "sepsis HCC 2"),
        Group("PRESSURE_ULCER", _hccs(157, 158, 159), "pressure ulcer HCCs 157-159"),
        Group("gSubstanceUseDisorder_V24", _hccs(54, 55, 56), "substance use disorder HCCs 54-56"),
        Group("gPsychiatric_V24", _hccs(57, 58, 59, 60), "psychiatric HCCs 57-60"),
    ),
    interactions=(
        Interaction("HCC47_gCancer", ("HCC47", "CANCER"), "disorders of immunity x cancer"),
        Interaction("DIABETES_CHF", ("DIABETES", "CHF"), "diabetes x congestive heart failure"),
        Interaction("CHF_gCopdCF", ("CHF", "gCopdCF"), "congestive heart failure x COPD"),
        Interaction("HCC85_gRenal_V24", ("HCC85", "RENAL_V24"), "congestive heart failure x renal"),
        Interaction("gCopdCF_CARD_RESP_FAIL", ("gCopdCF", "CARD_RESP_FAIL"),
                    "COPD x cardio-respiratory failure"),
        Interaction("HCC85_HCC96", ("HCC85", "HCC96"),
                    "congestive heart failure x specified heart arrhythmias"),
        Interaction("gSubstanceUseDisorder_gPsych", ("gSubstanceUseDisorder_V24", "gPsychiatric_V24"),
                    "substance use disorder x psychiatric"),
        Interaction("SEPSIS_PRESSURE_ULCER", ("SEPSIS", "PRESSURE_ULCER"), "sepsis x pressure ulcer"),
        Interaction("SEPSIS_ARTIF_OPENINGS", ("SEPSIS", "HCC188"), "sepsis x artificial openings"),
        Interaction("ART_OPENINGS_PRESS_ULCER", ("HCC188", "PRESSURE_ULCER"),
                    "artificial openings x pressure ulcer"),
        Interaction("gCopdCF_ASP_SPEC_B_PNEUM", ("gCopdCF", "HCC114"),
                    "COPD x aspiration and specified bacterial pneumonias"),
        Interaction("ASP_SPEC_B_PNEUM_PRES_ULC", ("HCC114", "PRESSURE_ULCER"),
                    "aspiration and specified bacterial pneumonias x pressure ulcer"),
        Interaction("SEPSIS_ASP_SPEC_BACT_PNEUM", ("SEPSIS", "HCC114"),
                    "sepsis x aspiration and specified bacterial pneumonias"),
        Interaction("SCHIZOPHRENIA_gCopdCF", ("HCC57", "gCopdCF"), "schizophrenia x COPD"),
        Interaction("SCHIZOPHRENIA_CHF", ("HCC57", "CHF"), "schizophrenia x congestive heart failure"),
        Interaction("SCHIZOPHRENIA_SEIZURES", ("HCC57", "HCC79"), "schizophrenia x seizure disorders"),
        Interaction("DISABLED_HCC85", (DISABLED, "HCC85"), "disabled x congestive heart failure"),
        Interaction("DISABLED_PRESSURE_ULCER", (DISABLED, "PRESSURE_ULCER"), "disabled x pressure ulcer"),
        Interaction("DISABLED_HCC161", (DISABLED, "HCC161"), "disabled x chronic ulcer of skin"),
        Interaction("DISABLED_HCC39", (DISABLED, "HCC39"), "disabled x bone/joint/muscle infections"),
        Interaction("DISABLED_HCC77", (DISABLED, "HCC77"), "disabled x multiple sclerosis"),
        Interaction("DISABLED_HCC6", (DISABLED, "HCC6"), "disabled x opportunistic infections"),
    ),
    companions=(),
    source="CMS-HCC V24 software (2020 CMS-HCC model, V2419P1M), score macro interaction definitions",
)

RULES: Mapping[str, ModelRules] = {"V24": V24, "V28": V28}

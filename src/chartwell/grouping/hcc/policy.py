"""Payment-year policy for Medicare Advantage (non-PACE) risk scores: which CMS-HCC models are
blended, with what weights, the FFS normalization factor of each model and the MA coding pattern
adjustment. These come from CMS's yearly Advance Notice / Rate Announcement, not from the model
files, so they are declared here, each with its source.

How CMS applies them (Rate Announcement, "Normalization" and "MA Coding Pattern Adjustment"):
each model's raw score is divided by that model's normalization factor (rounded to 3 places),
the normalized model scores are blended with the year's weights, and the blend is multiplied by
(1 - the MA coding pattern adjustment), rounded to 3 places.

A value we could not check against the published document is left out (``None``) rather than
guessed: pass it explicitly (``--normalization-factor``) from the Rate Announcement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Social Security Act s.1853(a)(1)(C)(ii)(III): at least 5.9% from 2019 on; CMS has applied the
# statutory minimum every year since (the Rate Announcements' fact sheets show a 0.00% year-over-year
# change in the "MA Coding Pattern Adjustment" line for CY2024, CY2025, CY2026 and the CY2027
# Advance Notice).
STATUTORY_MINIMUM_CODING_ADJUSTMENT = 0.059


@dataclass(frozen=True, slots=True)
class PaymentYearPolicy:
    payment_year: int
    weights: Mapping[str, float]  # model version -> blend weight, primary model first
    blend_source: str
    normalization: Mapping[str, float | None]  # model version -> FFS normalization factor
    normalization_source: str
    coding_adjustment: float
    coding_adjustment_source: str
    status: str = "final"  # "proposed" while only the Advance Notice is out


_CODING_SOURCE = ("MA coding pattern adjustment 5.9%: the statutory minimum "
                  "(SSA s.1853(a)(1)(C)(ii)(III)), applied by the CY{year} {document}")

POLICIES: Mapping[int, PaymentYearPolicy] = {
    2024: PaymentYearPolicy(
        payment_year=2024,
        weights={"V28": 0.33, "V24": 0.67},
        blend_source="CY2024 Rate Announcement (March 31, 2023): 33% 2024 CMS-HCC model (V28) "
                     "+ 67% 2020 CMS-HCC model (V24), the first year of a three-year phase-in",
        normalization={"V28": 1.015, "V24": 1.146},
        normalization_source="CY2024 Rate Announcement, normalization factors: 2024 CMS-HCC model "
                             "1.015, 2020 CMS-HCC model 1.146",
        coding_adjustment=STATUTORY_MINIMUM_CODING_ADJUSTMENT,
        coding_adjustment_source=_CODING_SOURCE.format(year=2024, document="Rate Announcement")),
    2025: PaymentYearPolicy(
        payment_year=2025,
        weights={"V28": 0.67, "V24": 0.33},
        blend_source="CY2025 Rate Announcement (April 1, 2024): 67% 2024 CMS-HCC model (V28) "
                     "+ 33% 2020 CMS-HCC model (V24), the second year of the phase-in",
        normalization={"V28": 1.045, "V24": 1.153},
        normalization_source="CY2025 Rate Announcement, normalization factors: 2024 CMS-HCC model "
                             "1.045, 2020 CMS-HCC model 1.153",
        coding_adjustment=STATUTORY_MINIMUM_CODING_ADJUSTMENT,
        coding_adjustment_source=_CODING_SOURCE.format(year=2025, document="Rate Announcement")),
    2026: PaymentYearPolicy(
        payment_year=2026,
        weights={"V28": 1.0},
        blend_source="CY2026 Rate Announcement (April 7, 2025): the phase-in is complete, 100% "
                     "2024 CMS-HCC model (V28) for MA organizations other than PACE",
        normalization={"V28": None},
        normalization_source="CY2026 Rate Announcement: the factor could not be read in the "
                             "published document for this build (only secondary sources were "
                             "found), so none is assumed; pass --normalization-factor",
        coding_adjustment=STATUTORY_MINIMUM_CODING_ADJUSTMENT,
        coding_adjustment_source=_CODING_SOURCE.format(year=2026, document="Rate Announcement")),
    2027: PaymentYearPolicy(
        payment_year=2027,
        weights={"V28": 1.0},
        blend_source="CY2027 Advance Notice (January 26, 2026), PROPOSED: 100% CMS-HCC V28 "
                     "structure with recalibrated (proposed) relative factors",
        normalization={"V28": None},
        normalization_source="CY2027: only the Advance Notice is out and its factor could not be "
                             "read in the document for this build; pass --normalization-factor",
        coding_adjustment=STATUTORY_MINIMUM_CODING_ADJUSTMENT,
        coding_adjustment_source=_CODING_SOURCE.format(year=2027, document="Advance Notice"),
        status="proposed"),
}


def policy_for(payment_year: int) -> PaymentYearPolicy | None:
    return POLICIES.get(payment_year)

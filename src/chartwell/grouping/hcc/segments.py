"""Which CMS-HCC segment scores a beneficiary, and which demographic variables are 1 for them.

The segments and the demographic variables are those of the CMS-HCC software (V24 and V28 share
them): community (non-dual / full-benefit dual / partial-benefit dual, each aged or disabled),
long-term institutional, new enrollee and C-SNP new enrollee. Which segment CMS pays is the
MARx "RA factor type" (C, I, E, SE): a new enrollee has no diagnosis year, so new-enrollee
factors apply whether or not the person lives in an institution.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chartwell.grouping.hcc.model import Beneficiary, DualStatus, Segment, Sex

AgeBand = tuple[int, int | None, str]

AGE_BANDS: tuple[AgeBand, ...] = (
    (0, 34, "0_34"), (35, 44, "35_44"), (45, 54, "45_54"), (55, 59, "55_59"), (60, 64, "60_64"),
    (65, 69, "65_69"), (70, 74, "70_74"), (75, 79, "75_79"), (80, 84, "80_84"), (85, 89, "85_89"),
    (90, 94, "90_94"), (95, None, "95_GT"),
)

# New enrollees have single-year cells from 65 to 69 (the age-in year matters most).
NEW_ENROLLEE_AGE_BANDS: tuple[AgeBand, ...] = (
    (0, 34, "0_34"), (35, 44, "35_44"), (45, 54, "45_54"), (55, 59, "55_59"), (60, 64, "60_64"),
    (65, 65, "65"), (66, 66, "66"), (67, 67, "67"), (68, 68, "68"), (69, 69, "69"),
    (70, 74, "70_74"), (75, 79, "75_79"), (80, 84, "80_84"), (85, 89, "85_89"), (90, 94, "90_94"),
    (95, None, "95_GT"),
)

COMMUNITY_SEGMENTS: Mapping[tuple[DualStatus, bool], Segment] = {
    (DualStatus.NON, True): Segment("CNA", "Community, non-dual, aged"),
    (DualStatus.NON, False): Segment("CND", "Community, non-dual, disabled"),
    (DualStatus.FULL, True): Segment("CFA", "Community, full benefit dual, aged"),
    (DualStatus.FULL, False): Segment("CFD", "Community, full benefit dual, disabled"),
    (DualStatus.PARTIAL, True): Segment("CPA", "Community, partial benefit dual, aged"),
    (DualStatus.PARTIAL, False): Segment("CPD", "Community, partial benefit dual, disabled"),
}
INSTITUTIONAL = Segment("INS", "Long-term institutional")
NEW_ENROLLEE = Segment("NE", "New enrollee")
SNP_NEW_ENROLLEE = Segment("SNPNE", "New enrollee in a chronic condition special needs plan")

SEX_WORDS = {Sex.FEMALE: "Female", Sex.MALE: "Male"}


@dataclass(frozen=True, slots=True)
class Status:
    """The beneficiary flags of the CMS software, computed once."""

    age: int
    aged: bool  # 65 or over
    disabled: bool  # SAS DISABL: under 65 and OREC not 0
    originally_disabled: bool  # SAS ORIGDS: OREC 1 and no longer disabled (aged in)
    medicaid: bool  # any dual status (SAS MCAID)


def status_of(beneficiary: Beneficiary, age: int) -> Status:
    disabled = age < 65 and beneficiary.orec != "0"
    return Status(age=age, aged=age >= 65, disabled=disabled,
                  originally_disabled=beneficiary.orec == "1" and not disabled,
                  medicaid=beneficiary.dual_status is not DualStatus.NON)


def segment_of(beneficiary: Beneficiary, status: Status) -> Segment:
    if beneficiary.new_enrollee:
        return SNP_NEW_ENROLLEE if beneficiary.snp else NEW_ENROLLEE
    if beneficiary.institutional:
        return INSTITUTIONAL
    return COMMUNITY_SEGMENTS[(beneficiary.dual_status, status.aged)]


def band_of(age: int, bands: tuple[AgeBand, ...]) -> str:
    for low, high, name in bands:
        if age >= low and (high is None or age <= high):
            return name
    raise ValueError(f"no age band for {age}")


def demographic_variables(beneficiary: Beneficiary, status: Status, segment: Segment
                          ) -> list[tuple[str, str]]:
    """(variable name without the segment prefix, description) for each variable that is 1."""
    if segment in (NEW_ENROLLEE, SNP_NEW_ENROLLEE):
        return [_new_enrollee_cell(beneficiary, status)]
    sex = beneficiary.sex
    band = band_of(status.age, AGE_BANDS)
    variables = [(f"{sex.value}{band}", f"{SEX_WORDS[sex]} {band.replace('_GT', '+').replace('_', '-')}")]
    if status.originally_disabled and segment is INSTITUTIONAL:
        variables.append(("ORIGDS", "originally disabled (entitled by disability, now 65+)"))
    elif status.originally_disabled:
        variables.append((f"OriginallyDisabled_{SEX_WORDS[sex]}",
                          f"originally disabled, {SEX_WORDS[sex].lower()}"))
    if segment is INSTITUTIONAL and status.medicaid:
        variables.append(("LTIMCAID", "Medicaid while long-term institutional"))
    return variables


def _new_enrollee_cell(beneficiary: Beneficiary, status: Status) -> tuple[str, str]:
    # CMS: a 64-year-old entitled by age (OREC 0) is about to age in and takes the 65 cell.
    age = 65 if status.age == 64 and beneficiary.orec == "0" else status.age
    band = band_of(age, NEW_ENROLLEE_AGE_BANDS)
    origds = status.aged and beneficiary.orec == "1"
    medicaid = "MCAID" if status.medicaid else "NMCAID"
    origdis = "ORIGDIS" if origds else "NORIGDIS"
    sex = beneficiary.sex
    description = (f"new enrollee, {SEX_WORDS[sex].lower()} {band.replace('_GT', '+').replace('_', '-')}, "
                   f"{'Medicaid' if status.medicaid else 'no Medicaid'}, "
                   f"{'originally disabled' if origds else 'not originally disabled'}")
    return f"{medicaid}_{origdis}_NE{sex.value}{band}", description

"""The plain types of CMS-HCC risk adjustment: the beneficiary and diagnoses going in, the risk
score with its explanation coming out. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"


class DualStatus(StrEnum):
    """Medicare-Medicaid dual eligibility as the CMS-HCC segments use it."""

    NON = "non"
    FULL = "full"  # full benefit dual (QMB+, SLMB+, other full benefit)
    PARTIAL = "partial"  # partial benefit dual (QMB only, SLMB only, QI, QDWI)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


OREC_MEANINGS = {
    "0": "old age and survivors insurance (OASI)",
    "1": "disability insurance benefits (DIB)",
    "2": "end-stage renal disease (ESRD)",
    "3": "both DIB and ESRD",
}


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """An ICD-10-CM code reported for the beneficiary, with its date of service when known."""

    code: str
    date_of_service: date | None = None
    position: int = 0  # index in the input list, so findings can name the field

    @property
    def normalized(self) -> str:
        return normalize_code(self.code)


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """What CMS knows of the enrollee for the payment year (the MMR/enrollment side)."""

    sex: Sex
    birth_date: date
    dual_status: DualStatus = DualStatus.NON
    orec: str = "0"  # original reason for entitlement code
    institutional: bool = False  # long-term institutional (90+ days) for the payment year
    new_enrollee: bool = False  # fewer than 12 months of Part B in the data collection year
    snp: bool = False  # enrolled in a chronic condition SNP (new-enrollee C-SNP factors)


@dataclass(frozen=True, slots=True)
class ScoringRequest:
    beneficiary: Beneficiary
    payment_year: int
    diagnoses: tuple[Diagnosis, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """Something the scorer noticed about the input: it never stops the score by itself."""

    rule: str
    severity: Severity
    message: str
    codes: tuple[str, ...] = ()
    field: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    code: str  # CNA, CND, CFA, CFD, CPA, CPD, INS, NE, SNPNE
    label: str


@dataclass(frozen=True, slots=True)
class Factor:
    """One relative factor that entered the score: the CMS variable name and its coefficient."""

    variable: str  # e.g. CNA_F70_74
    name: str  # e.g. F70_74
    coefficient: float
    description: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """The diagnosis behind an HCC, and the CMS edit that routed it there if one did."""

    code: str
    date_of_service: date | None
    edit: str | None = None


@dataclass(frozen=True, slots=True)
class Dropped:
    """Why an HCC found in the diagnoses does not pay."""

    rule: str
    by_hcc: str | None
    source: str


@dataclass(frozen=True, slots=True)
class HccResult:
    hcc: str
    label: str | None
    coefficient: float | None  # None when dropped or when the segment has no factor for it
    variable: str | None
    diagnoses: tuple[Evidence, ...]
    dropped: Dropped | None = None


@dataclass(frozen=True, slots=True)
class InteractionResult:
    name: str
    variable: str
    coefficient: float
    because: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ModelScore:
    """The score of one CMS-HCC model version (V24 or V28) for one beneficiary."""

    model: str  # "V28"
    title: str  # "CMS-HCC V28 (2024 CMS-HCC model)"
    segment: Segment
    raf: float  # sum of the relative factors, before normalization
    demographic: tuple[Factor, ...]
    hccs: tuple[HccResult, ...]
    interactions: tuple[InteractionResult, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BlendPart:
    weight: float
    score: ModelScore


@dataclass(frozen=True, slots=True)
class Adjustment:
    value: float | None
    source: str
    applied: bool


@dataclass(frozen=True, slots=True)
class RiskScore:
    payment_year: int
    age: int  # as of February 1 of the payment year
    blend: tuple[BlendPart, ...]  # one part (weight 1.0) when the year is not blended
    blend_source: str
    raf: float  # the weighted sum of the model scores, before normalization
    normalization: dict[str, Adjustment]  # by model
    coding_adjustment: Adjustment
    payment_raf: float | None  # when normalization and/or the coding adjustment were applied
    findings: tuple[Finding, ...]
    status: str  # "final" or "proposed" (the payment year's factors are an Advance Notice's)

    @property
    def primary(self) -> ModelScore:
        return self.blend[0].score


def normalize_code(code: str) -> str:
    """ICD-10-CM as the CMS tables key it: upper case, no dot, no spaces."""
    return code.strip().upper().replace(".", "")


def dotted(code: str) -> str:
    normalized = normalize_code(code)
    return normalized if len(normalized) <= 3 else f"{normalized[:3]}.{normalized[3:]}"

"""A coded encounter as the edits, the groupers and the claim see it: the setting, the dates,
the patient's sex and age, the discharge status, and the codes in their order (principal or
first-listed diagnosis first). Plain data, no I/O; :mod:`chartwell.domain.encounter_json` reads
the ENCOUNTER.json documents of the command line and the API into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Setting(StrEnum):
    """Where the service was given, which decides the edits that apply: MCE and MS-DRG for an
    inpatient stay (837I, type of bill 11x), NCCI hospital-outpatient tables for an outpatient
    hospital claim (13x), NCCI practitioner tables for a professional claim (837P)."""

    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient"
    PROFESSIONAL = "professional"


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


@dataclass(frozen=True, slots=True)
class CodedDiagnosis:
    code: str  # as the coder wrote it, normalised to upper case with its dot: "I50.23"
    poa: str | None = None  # Y, N, U, W, 1 (exempt) or None (not reported)


@dataclass(frozen=True, slots=True)
class CodedProcedure:
    code: str  # "02703DZ" (ICD-10-PCS), "99213" (CPT), "J3301" (HCPCS)
    system: str  # icd10pcs, cpt, hcpcs
    date: date | None = None
    modifiers: tuple[str, ...] = ()
    units: float = 1


@dataclass(frozen=True, slots=True)
class CodedEncounter:
    setting: Setting
    sex: Sex
    birth_date: date | None
    diagnoses: tuple[CodedDiagnosis, ...]
    procedures: tuple[CodedProcedure, ...] = ()
    admit_date: date | None = None
    discharge_date: date | None = None
    date_of_service: date | None = None
    discharge_status: str | None = None  # UB-04 FL17 patient discharge status, "01"
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def service_date(self) -> date:
        """The date the code sets and tables are chosen by: the discharge date of an inpatient
        stay (ICD-10-CM Official Guidelines: codes in effect at discharge), else the date of
        service."""
        chosen = self.discharge_date if self.setting is Setting.INPATIENT else self.date_of_service
        return chosen or self.discharge_date or self.date_of_service or self.admit_date

    @property
    def age(self) -> int | None:
        """Age in whole years on the admission date (the MCE and grouper convention), else on
        the date of service."""
        if self.birth_date is None:
            return None
        on = self.admit_date or self.service_date
        years = on.year - self.birth_date.year
        return years - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def principal(self) -> CodedDiagnosis | None:
        return self.diagnoses[0] if self.diagnoses else None

    @property
    def secondary(self) -> tuple[CodedDiagnosis, ...]:
        return self.diagnoses[1:]

    def procedure_date(self, procedure: CodedProcedure) -> date:
        return procedure.date or self.service_date

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


def _slot_setters(cls: type) -> tuple:
    return tuple(getattr(cls, name).__set__ for name in cls.__dataclass_fields__)


_DIAGNOSIS_SLOTS = _slot_setters(CodedDiagnosis)
_PROCEDURE_SLOTS = _slot_setters(CodedProcedure)
_ENCOUNTER_SLOTS = _slot_setters(CodedEncounter)
_new = object.__new__


def new_diagnosis(code: str, poa: str | None) -> CodedDiagnosis:
    """``CodedDiagnosis(code, poa)`` for bulk readers: the same frozen object, its slots filled
    directly (a frozen dataclass's ``__init__`` pays a generic attribute call per field, the
    better part of reading a code in a file of 100,000 encounters)."""
    made = _new(CodedDiagnosis)
    set_code, set_poa = _DIAGNOSIS_SLOTS
    set_code(made, code)
    set_poa(made, poa)
    return made


def new_procedure(code: str, system: str, on: date | None, modifiers: tuple[str, ...],
                  units: float) -> CodedProcedure:
    """``CodedProcedure(code, system, on, modifiers, units)`` for bulk readers (see
    :func:`new_diagnosis`)."""
    made = _new(CodedProcedure)
    set_code, set_system, set_date, set_modifiers, set_units = _PROCEDURE_SLOTS
    set_code(made, code)
    set_system(made, system)
    set_date(made, on)
    set_modifiers(made, modifiers)
    set_units(made, units)
    return made


def new_encounter(setting: Setting, sex: Sex, birth_date: date | None,
                  diagnoses: tuple[CodedDiagnosis, ...], procedures: tuple[CodedProcedure, ...],
                  admit_date: date | None, discharge_date: date | None,
                  date_of_service: date | None, discharge_status: str | None,
                  extra: dict) -> CodedEncounter:
    """``CodedEncounter(...)`` with every field given, for bulk readers (see
    :func:`new_diagnosis`)."""
    made = _new(CodedEncounter)
    (set_setting, set_sex, set_birth_date, set_diagnoses, set_procedures, set_admit_date,
     set_discharge_date, set_date_of_service, set_discharge_status, set_extra) = _ENCOUNTER_SLOTS
    set_setting(made, setting)
    set_sex(made, sex)
    set_birth_date(made, birth_date)
    set_diagnoses(made, diagnoses)
    set_procedures(made, procedures)
    set_admit_date(made, admit_date)
    set_discharge_date(made, discharge_date)
    set_date_of_service(made, date_of_service)
    set_discharge_status(made, discharge_status)
    set_extra(made, extra)
    return made

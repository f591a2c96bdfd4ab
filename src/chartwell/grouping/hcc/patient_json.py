"""The PATIENT.json document of ``chartwell hcc score`` -> a :class:`ScoringRequest`.

    {"sex": "F", "birth_date": "1950-02-01", "payment_year": 2026,
     "dual_status": "non" | "full" | "partial",        (default "non")
     "orec": "0",                                       (default "0"; 0-3)
     "institutional": false, "new_enrollee": false, "snp": false,   (defaults false)
     "diagnoses": [{"code": "E11.22", "date": "2025-03-04"}, ...]}  (date optional)

Extra fields are allowed. Every problem is collected and named by its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chartwell.errors import InvalidInput, Position
from chartwell.grouping.hcc.model import (
    OREC_MEANINGS, Beneficiary, Diagnosis, DualStatus, ScoringRequest, Sex,
)

SEXES = {"F": Sex.FEMALE, "FEMALE": Sex.FEMALE, "2": Sex.FEMALE,
         "M": Sex.MALE, "MALE": Sex.MALE, "1": Sex.MALE}


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class InvalidPatient(InvalidInput):
    """A patient document that cannot be scored, with every field that is wrong."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{error.field}: {error.message}" for error in errors),
                         Position(field=errors[0].field))
        self.errors = errors


def parse_request(document: object) -> ScoringRequest:
    if not isinstance(document, dict):
        raise InvalidPatient([FieldError("(patient)", "expected a JSON object")])
    errors: list[FieldError] = []
    sex = _sex(document, errors)
    birth_date = _date(document.get("birth_date"), "birth_date", errors, required=True)
    payment_year = _payment_year(document, errors)
    dual_status = _dual_status(document, errors)
    orec = _orec(document, errors)
    flags = {name: _flag(document, name, errors) for name in ("institutional", "new_enrollee", "snp")}
    diagnoses = _diagnoses(document, errors)
    if errors:
        raise InvalidPatient(errors)
    beneficiary = Beneficiary(sex=sex, birth_date=birth_date, dual_status=dual_status, orec=orec,
                              **flags)
    return ScoringRequest(beneficiary=beneficiary, payment_year=payment_year, diagnoses=diagnoses)


def _sex(document: dict, errors: list[FieldError]) -> Sex | None:
    value = document.get("sex")
    if value is None:
        errors.append(FieldError("sex", "required (F or M)"))
        return None
    sex = SEXES.get(str(value).strip().upper())
    if sex is None:
        errors.append(FieldError("sex", f"{value!r}: CMS-HCC factors exist for F and M only"))
    return sex


def _date(value: object, field: str, errors: list[FieldError], *, required: bool) -> date | None:
    if value is None:
        if required:
            errors.append(FieldError(field, "required (YYYY-MM-DD)"))
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else _not_text(value)
    except ValueError:
        errors.append(FieldError(field, f"{value!r} is not a date (YYYY-MM-DD)"))
        return None


def _not_text(value: object) -> date:
    raise ValueError(value)


def _payment_year(document: dict, errors: list[FieldError]) -> int | None:
    value = document.get("payment_year")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 2000 <= value <= 2100:
        errors.append(FieldError("payment_year", "required, a year such as 2026" if value is None
                                 else f"{value!r} is not a payment year"))
        return None
    return value


def _dual_status(document: dict, errors: list[FieldError]) -> DualStatus:
    value = document.get("dual_status", "non")
    try:
        return DualStatus(str(value).strip().lower())
    except ValueError:
        errors.append(FieldError("dual_status", f"{value!r}: expected non, full or partial"))
        return DualStatus.NON


def _orec(document: dict, errors: list[FieldError]) -> str:
    value = str(document.get("orec", "0")).strip()
    if value not in OREC_MEANINGS:
        errors.append(FieldError("orec", f"{value!r}: expected 0 (age), 1 (disability), 2 (ESRD) "
                                         "or 3 (disability and ESRD)"))
    return value


def _flag(document: dict, name: str, errors: list[FieldError]) -> bool:
    value = document.get(name, False)
    if not isinstance(value, bool):
        errors.append(FieldError(name, f"{value!r}: expected true or false"))
        return False
    return value


def _diagnoses(document: dict, errors: list[FieldError]) -> tuple[Diagnosis, ...]:
    items = document.get("diagnoses")
    if not isinstance(items, list):
        errors.append(FieldError("diagnoses", "required, a list of {\"code\", \"date\"}"
                                 if items is None else "expected a list"))
        return ()
    return tuple(diagnosis for position, item in enumerate(items)
                 if (diagnosis := _diagnosis(item, position, errors)))


def _diagnosis(item: object, position: int, errors: list[FieldError]) -> Diagnosis | None:
    field = f"diagnoses[{position}]"
    if isinstance(item, str):
        item = {"code": item}
    if not isinstance(item, dict):
        errors.append(FieldError(field, "expected {\"code\": ..., \"date\": ...}"))
        return None
    code = item.get("code")
    if not isinstance(code, str) or not code.strip():
        errors.append(FieldError(f"{field}.code", "required, an ICD-10-CM code"))
        return None
    when = _date(item.get("date"), f"{field}.date", errors, required=False)
    return Diagnosis(code=code.strip(), date_of_service=when, position=position)

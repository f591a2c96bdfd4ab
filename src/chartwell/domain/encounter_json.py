"""The ENCOUNTER.json document (DESIGN.md, command-line contract) -> :class:`CodedEncounter`.

    {"setting": "inpatient" | "outpatient" | "professional",
     "admit_date": "2026-10-03", "discharge_date": "2026-10-07",   (inpatient)
     "date_of_service": "2026-10-03",                               (others)
     "patient": {"sex": "F" | "M" | "U", "birth_date": "1950-02-01"},
     "discharge_status": "01",
     "diagnoses": [{"code": "I50.23", "poa": "Y"}, ...],           principal first
     "procedures": [{"code": "02703DZ", "system": "icd10pcs", "date": "2026-10-04",
                     "modifiers": [], "units": 1}, ...]}

Extra fields are allowed and kept. What makes the document unreadable (a missing or impossible
date, a diagnosis that is not text, units that are not a positive number) is an error naming
every field that is wrong; what a coder fixes in the codes (an unknown code, a bad POA value, an
invalid discharge status) is left to the edits, which answer with findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from chartwell.codesets.icd10cm._codes import dotted, undotted
from chartwell.codesets.lookup import infer_system
from chartwell.domain.coded import (
    CodedDiagnosis,
    CodedEncounter,
    CodedProcedure,
    Setting,
    Sex,
    new_diagnosis,
    new_encounter,
    new_procedure,
)
from chartwell.errors import InvalidInput, Position

_KNOWN = {"setting", "admit_date", "discharge_date", "date_of_service", "patient",
          "discharge_status", "diagnoses", "procedures"}
_SEXES = {"F": Sex.FEMALE, "FEMALE": Sex.FEMALE, "M": Sex.MALE, "MALE": Sex.MALE,
          "U": Sex.UNKNOWN, "UNKNOWN": Sex.UNKNOWN}
_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")
_PROCEDURE_SYSTEMS = {"icd10pcs", "cpt", "hcpcs"}
OLDEST_AGE = 124  # the MCE's upper age limit
_THREE_DAYS = timedelta(days=3)  # the payment window: services up to 3 days before admission


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class InvalidEncounter(InvalidInput):
    """An encounter document that cannot be edited or grouped, with every field that is wrong."""

    def __init__(self, errors: list[FieldError], where: str | None = None):
        prefix = f"{where}: " if where else ""
        super().__init__(prefix + "; ".join(f"{error.field}: {error.message}" for error in errors),
                         Position(field=errors[0].field))
        self.errors = errors


def error_answer(error: InvalidInput) -> dict:
    """How an encounter that could not be read is answered in place in a list (the CLI, the
    API): its message and, field by field, what is wrong."""
    answer = {"type": type(error).__name__, "message": error.message,
              "field": error.position.field if error.position else None}
    if isinstance(error, InvalidEncounter):
        answer["fields"] = [{"field": item.field, "message": item.message}
                            for item in error.errors]
    return {"error": answer}


def parse_encounters(document: object) -> tuple[list[CodedEncounter | InvalidEncounter], bool]:
    """One encounter or a list of them: each parsed, or the error that stops it (a list goes on
    past a bad entry). Answers the results in order and whether the document was a list."""
    if isinstance(document, list):
        fast = _fast_encounter
        return [fast(item) or _parse_or_error(item, f"[{index}]")
                for index, item in enumerate(document)], True
    return [_fast_encounter(document) or _parse_or_error(document, None)], False


def _parse_or_error(document: object, where: str | None) -> CodedEncounter | InvalidEncounter:
    try:
        return parse_encounter(document, where)
    except InvalidEncounter as error:
        return error


def parse_encounter(document: object, where: str | None = None) -> CodedEncounter:
    return _fast_encounter(document) or _parse_encounter(document, where)


def _parse_encounter(document: object, where: str | None = None) -> CodedEncounter:
    """The careful reading: every field checked, every problem named."""
    if not isinstance(document, dict):
        raise InvalidEncounter([FieldError("(encounter)", "expected a JSON object")], where)
    errors: list[FieldError] = []
    setting = _setting(document, errors)
    dates = {name: _date(document, name, errors)
             for name in ("admit_date", "discharge_date", "date_of_service")}
    sex, birth_date = _patient(document.get("patient"), errors)
    diagnoses = _diagnoses(document.get("diagnoses"), errors)
    procedures = _procedures(document.get("procedures", []), errors)
    status = _discharge_status(document.get("discharge_status"), errors)
    if setting is not None:
        _check_dates(setting, dates, birth_date, procedures, errors)
    if errors:
        raise InvalidEncounter(errors, where)
    extra = {key: value for key, value in document.items() if key not in _KNOWN}
    return CodedEncounter(setting=setting, sex=sex, birth_date=birth_date, diagnoses=diagnoses,
                          procedures=procedures, discharge_status=status, extra=extra, **dates)


def _setting(document: dict, errors: list[FieldError]) -> Setting | None:
    value = document.get("setting")
    try:
        return Setting(str(value).strip().lower())
    except ValueError:
        errors.append(FieldError("setting", f"{value!r}: expected inpatient, outpatient or "
                                            "professional"))
        return None


def _date(container: dict, name: str, errors: list[FieldError], field: str | None = None
          ) -> date | None:
    value = container.get(name)
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.append(FieldError(field or name, f"{value!r} is not a date (YYYY-MM-DD)"))
        return None


def _patient(patient: object, errors: list[FieldError]) -> tuple[Sex, date | None]:
    if patient is None:
        errors.append(FieldError("patient", "required: {\"sex\": ..., \"birth_date\": ...}"))
        return Sex.UNKNOWN, None
    if not isinstance(patient, dict):
        errors.append(FieldError("patient", "expected an object with sex and birth_date"))
        return Sex.UNKNOWN, None
    raw = patient.get("sex")
    sex = Sex.UNKNOWN if raw in (None, "") else _SEXES.get(str(raw).strip().upper())
    if sex is None:
        errors.append(FieldError("patient.sex", f"{raw!r}: expected F, M or U"))
        sex = Sex.UNKNOWN
    birth_date = _date(patient, "birth_date", errors, "patient.birth_date")
    if birth_date is None and "patient.birth_date" not in {error.field for error in errors}:
        errors.append(FieldError("patient.birth_date", "required (YYYY-MM-DD): age decides "
                                                       "the age edits and the grouping"))
    return sex, birth_date


def _code(value: object, field: str, errors: list[FieldError]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldError(field, "required: the code as text"))
        return None
    return value.strip().upper()


def _coded_items(items: list, name: str, shape: str, errors: list[FieldError]
                 ) -> Iterator[tuple[str, dict, str]]:
    """(field, item, code) of each entry of a list of codes that has one; an entry may be the
    code alone. A malformed entry is named and left out."""
    for index, item in enumerate(items):
        field = f"{name}[{index}]"
        if isinstance(item, str):
            item = {"code": item}
        if not isinstance(item, dict):
            errors.append(FieldError(field, f"expected {shape}"))
            continue
        code = _code(item.get("code"), f"{field}.code", errors)
        if code is not None:
            yield field, item, code


def _diagnoses(items: object, errors: list[FieldError]) -> tuple[CodedDiagnosis, ...]:
    if not isinstance(items, list) or not items:
        errors.append(FieldError("diagnoses", "required: a list, principal or first-listed "
                                              "diagnosis first"))
        return ()
    diagnoses = []
    for _field, item, code in _coded_items(items, "diagnoses", '{"code": ..., "poa": ...}',
                                           errors):
        poa = item.get("poa")
        poa = None if poa in (None, "") else str(poa).strip().upper()
        diagnoses.append(CodedDiagnosis(dotted(undotted(code.replace(" ", ""))), poa))
    return tuple(diagnoses)


def _procedures(items: object, errors: list[FieldError]) -> tuple[CodedProcedure, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        errors.append(FieldError("procedures", "expected a list"))
        return ()
    procedures = []
    for field, item, code in _coded_items(items, "procedures", '{"code": ..., "system": ...}',
                                          errors):
        system = str(item.get("system") or infer_system(code)).strip().lower()
        if system not in _PROCEDURE_SYSTEMS:
            errors.append(FieldError(f"{field}.system", f"{system!r}: expected icd10pcs, cpt or "
                                                        "hcpcs"))
        modifiers = _modifiers(item.get("modifiers", []), f"{field}.modifiers", errors)
        units = _units(item.get("units", 1), f"{field}.units", errors)
        on = _date(item, "date", errors, f"{field}.date")
        procedures.append(CodedProcedure(code, system, on, modifiers, units))
    return tuple(procedures)


def _modifiers(value: object, field: str, errors: list[FieldError]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        errors.append(FieldError(field, "expected a list of two-character modifiers"))
        return ()
    modifiers = []
    for position, modifier in enumerate(value):
        text = str(modifier).strip().upper()
        if not _MODIFIER.match(text):
            errors.append(FieldError(f"{field}[{position}]", f"{modifier!r} is not a modifier "
                                                             "(two letters or digits)"))
        else:
            modifiers.append(text)
    return tuple(modifiers)


def _units(value: object, field: str, errors: list[FieldError]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1e6:
        errors.append(FieldError(field, f"{value!r}: expected a positive number of units"))
        return 1
    return value


def _discharge_status(value: object, errors: list[FieldError]) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors.append(FieldError("discharge_status", f"{value!r}: expected a two-digit code"))
        return None
    text = str(value).strip()
    return text.zfill(2) if text.isdigit() and len(text) < 2 else text


def _check_dates(setting: Setting, dates: dict[str, date | None], birth_date: date | None,
                 procedures: tuple[CodedProcedure, ...], errors: list[FieldError]) -> None:
    admit, discharge, service = dates["admit_date"], dates["discharge_date"], dates["date_of_service"]
    if setting is Setting.INPATIENT:
        for name in ("admit_date", "discharge_date"):
            if dates[name] is None and not _named(errors, name):
                errors.append(FieldError(name, "required for an inpatient stay (YYYY-MM-DD)"))
    elif service is None and discharge is None and not _named(errors, "date_of_service"):
        errors.append(FieldError("date_of_service", "required (YYYY-MM-DD)"))
    if admit and discharge and discharge < admit:
        errors.append(FieldError("discharge_date", f"{discharge} is before the admit date {admit}"))
    first = min((day for day in (admit, service, discharge) if day), default=None)
    if birth_date and first:
        if birth_date > first:
            errors.append(FieldError("patient.birth_date", f"{birth_date} is after the "
                                                           f"encounter ({first})"))
        elif first.year - birth_date.year > OLDEST_AGE + 1:
            errors.append(FieldError("patient.birth_date", f"{birth_date}: an age over "
                                                           f"{OLDEST_AGE} years is not possible"))
    for index, procedure in enumerate(procedures):
        if procedure.date and admit and procedure.date < admit - _THREE_DAYS:
            errors.append(FieldError(f"procedures[{index}].date", f"{procedure.date} is before "
                                                                  f"the admission ({admit})"))
        if procedure.date and discharge and procedure.date > discharge:
            errors.append(FieldError(f"procedures[{index}].date", f"{procedure.date} is after "
                                                                  f"the discharge ({discharge})"))


def _named(errors: list[FieldError], field: str) -> bool:
    return any(error.field == field for error in errors)



# -- the fast path ---------------------------------------------------------------------------------
#
# A bulk file is tens of thousands of well-formed entries written by a program. The careful
# reading above is the reference: it names every problem. The reading below knows only the common
# shape (the setting and sex as the contract writes them, ISO dates, codes and POA as text, units
# as numbers), remembers how each code, date and modifier it met reads, and gives up (None) at the
# first thing it does not expect, so that the careful reading runs and answers exactly as before.

_MEMO_LIMIT = 200_000  # values remembered per kind (a stream of made-up codes must not grow them)
_FAST_SETTINGS = {"inpatient": Setting.INPATIENT, "outpatient": Setting.OUTPATIENT,
                  "professional": Setting.PROFESSIONAL}
_FAST_SEXES = {"F": Sex.FEMALE, "M": Sex.MALE, "U": Sex.UNKNOWN, None: Sex.UNKNOWN,
               "": Sex.UNKNOWN}
_FAST_SYSTEMS = {system: system for system in _PROCEDURE_SYSTEMS}
_DATES: dict[str, date] = {}
_DIAGNOSES: dict[str | None, dict[str, CodedDiagnosis]] = {}  # POA as written -> code as written
_DIAGNOSIS_CODES: dict[str, str] = {}  # a diagnosis code as written -> as read
_PROCEDURE_CODES: dict[str, tuple[str, str]] = {}  # as written -> (code, system its shape says)
_MODIFIERS: dict[str, str] = {}
_ONE_MODIFIER: dict[str, tuple[str]] = {}  # a list of one modifier as written -> its tuple
_STATUSES: dict[str, str] = {}
# an unknown value, an unhashable one, an odd type: the careful reading decides
_NOT_READ = (KeyError, TypeError, ValueError, AttributeError)


class _Unusual(Exception):
    """Something the fast reading does not know: the careful one reads the entry."""


def _kept(memo: dict, key: object, value: object) -> object:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value
    return value


def _fast_encounter(document: object) -> CodedEncounter | None:
    """The entry read by the fast path, or None where the careful reading must decide."""
    if type(document) is not dict:
        return None
    try:
        return _fast(document)
    except (_Unusual, *_NOT_READ):
        return None


def _fast_date(value: object) -> date | None:
    """An optional date: None when absent or empty."""
    if value is None or value == "":
        return None
    found = _DATES.get(value)
    if found is None:
        if type(value) is not str:
            raise _Unusual
        found = _kept(_DATES, value, date.fromisoformat(value.strip()))
    return found


def _fast(document: dict) -> CodedEncounter:
    get = document.get
    setting = _FAST_SETTINGS[get("setting")]
    dates = _DATES
    admit, discharge, service = (get("admit_date"), get("discharge_date"),
                                 get("date_of_service"))
    admit = None if admit is None else (dates.get(admit) or _fast_date(admit))
    discharge = None if discharge is None else (dates.get(discharge) or _fast_date(discharge))
    service = None if service is None else (dates.get(service) or _fast_date(service))
    patient = get("patient")
    if type(patient) is not dict:
        raise _Unusual
    sex = _FAST_SEXES[patient.get("sex")]
    birth_date = patient.get("birth_date")
    birth_date = None if birth_date is None else (dates.get(birth_date) or _fast_date(birth_date))
    diagnoses = _fast_diagnoses(get("diagnoses"))
    procedures = _fast_procedures(get("procedures", []))
    status = _fast_status(get("discharge_status"))
    if setting is Setting.INPATIENT:
        if admit is None or discharge is None:
            raise _Unusual
    elif service is None and discharge is None:
        raise _Unusual
    if birth_date is None or (admit and discharge and discharge < admit):
        raise _Unusual
    first = admit or service or discharge
    if service and service < first:
        first = service
    if discharge and discharge < first:
        first = discharge
    if birth_date > first or first.year - birth_date.year > OLDEST_AGE + 1:
        raise _Unusual
    for procedure in procedures:
        on = procedure.date
        if on and ((admit and on < admit - _THREE_DAYS) or (discharge and on > discharge)):
            raise _Unusual
    extra = {} if _KNOWN.issuperset(document) else \
        {key: value for key, value in document.items() if key not in _KNOWN}
    return new_encounter(setting, sex, birth_date, diagnoses, procedures, admit, discharge,
                         service, status, extra)


def _fast_diagnoses(items: object) -> tuple[CodedDiagnosis, ...]:
    if type(items) is not list or not items:
        raise _Unusual
    found = []
    add = found.append
    memo = _DIAGNOSES
    for item in items:
        if type(item) is dict:
            code, poa = item.get("code"), item.get("poa")
        elif type(item) is str:
            code, poa = item, None
        else:
            raise _Unusual
        by_code = memo.get(poa)
        if by_code is None:
            if poa is not None and type(poa) is not str:
                raise _Unusual
            by_code = _kept(memo, poa, {})
        diagnosis = by_code.get(code)
        if diagnosis is None:
            if type(code) is not str or not code.strip():
                raise _Unusual
            normal = _DIAGNOSIS_CODES.get(code)
            if normal is None:
                normal = _kept(_DIAGNOSIS_CODES, code,
                               dotted(undotted(code.strip().upper().replace(" ", ""))))
            diagnosis = _kept(by_code, code, new_diagnosis(
                normal, None if poa in (None, "") else poa.strip().upper()))
        add(diagnosis)
    return tuple(found)


def _fast_procedures(items: object) -> tuple[CodedProcedure, ...]:
    if items is None:
        return ()
    if type(items) is not list:
        raise _Unusual
    found = []
    add = found.append
    codes, dates, systems = _PROCEDURE_CODES, _DATES, _FAST_SYSTEMS
    for item in items:
        if type(item) is dict:
            get = item.get
            written, system, modifiers, units, on = (get("code"), get("system"),
                                                     get("modifiers"), get("units", 1),
                                                     get("date"))
        elif type(item) is str:
            written, system, modifiers, units, on = item, None, None, 1, None
        else:
            raise _Unusual
        known = codes.get(written)
        if known is None:
            if type(written) is not str or not written.strip():
                raise _Unusual
            code = written.strip().upper()
            known = _kept(codes, written, (code, str(infer_system(code)).lower()))
        if (type(units) is not int and type(units) is not float) or not 0 < units < 1e6:
            raise _Unusual
        if modifiers is not None and (type(modifiers) is not list or modifiers):
            modifiers = _fast_modifiers(modifiers)
        else:
            modifiers = ()
        add(new_procedure(known[0], systems[system or known[1]],
                          None if on is None else (dates.get(on) or _fast_date(on)),
                          modifiers, units))
    return tuple(found)


def _fast_modifiers(value: object) -> tuple[str, ...]:
    if type(value) is list and len(value) == 1:
        found = _ONE_MODIFIER.get(value[0])
        if found is not None:
            return found
    elif type(value) is str:
        value = [value]
    elif type(value) is not list:
        raise _Unusual
    found = []
    for written in value:
        modifier = _MODIFIERS.get(written)
        if modifier is None:
            if type(written) is not str or not _MODIFIER.match(text := written.strip().upper()):
                raise _Unusual
            modifier = _kept(_MODIFIERS, written, text)
        found.append(modifier)
    if len(found) == 1:
        _kept(_ONE_MODIFIER, value[0], (found[0],))
    return tuple(found)


def _fast_status(value: object) -> str | None:
    if value is None or value == "":
        return None
    found = _STATUSES.get(value)
    if found is None:
        if type(value) is not str and type(value) is not int:
            raise _Unusual
        text = str(value).strip()
        found = _kept(_STATUSES, value, text.zfill(2) if text.isdigit() and len(text) < 2
                      else text)
    return found

"""ENCOUNTER.json -> CodedEncounter: what is read, and every unreadable field named."""

from __future__ import annotations

from datetime import date

import pytest

from chartwell.domain.coded import Setting, Sex
from chartwell.domain.encounter_json import InvalidEncounter, parse_encounter, parse_encounters

INPATIENT = {"setting": "inpatient", "admit_date": "2026-10-03", "discharge_date": "2026-10-07",
             "patient": {"sex": "F", "birth_date": "1950-10-05"}, "discharge_status": 1,
             "diagnoses": [{"code": "i5023", "poa": "y"}, "E11.9"],
             "procedures": [{"code": "02703DZ", "date": "2026-10-04"},
                            {"code": "99213", "modifiers": ["25"], "units": 2}],
             "attending_npi": "1234567893"}


def test_an_inpatient_stay_is_read_with_codes_as_coders_write_them():
    encounter = parse_encounter(INPATIENT)
    assert encounter.setting is Setting.INPATIENT and encounter.sex is Sex.FEMALE
    assert [(dx.code, dx.poa) for dx in encounter.diagnoses] == [("I50.23", "Y"), ("E11.9", None)]
    assert encounter.principal.code == "I50.23" and len(encounter.secondary) == 1
    assert [(px.code, px.system) for px in encounter.procedures] == [("02703DZ", "icd10pcs"),
                                                                     ("99213", "cpt")]
    assert encounter.procedures[1].modifiers == ("25",) and encounter.procedures[1].units == 2
    assert encounter.discharge_status == "01"
    assert encounter.service_date == date(2026, 10, 7)  # the discharge date decides the code sets
    assert encounter.age == 75  # on the admission date, a day before the 76th birthday
    assert encounter.extra == {"attending_npi": "1234567893"}


def test_an_outpatient_visit_is_dated_by_its_date_of_service():
    encounter = parse_encounter({"setting": "professional", "date_of_service": "2026-02-01",
                                 "patient": {"birth_date": "2000-02-01"}, "diagnoses": ["J02.9"]})
    assert encounter.service_date == date(2026, 2, 1) and encounter.age == 26
    assert encounter.sex is Sex.UNKNOWN and encounter.procedures == ()


@pytest.mark.parametrize(("change", "field"), [
    ({"setting": "hospice"}, "setting"),
    ({"admit_date": None}, "admit_date"),
    ({"discharge_date": "2026-13-01"}, "discharge_date"),
    ({"discharge_date": "2026-10-01"}, "discharge_date"),  # before the admission
    ({"patient": {"sex": "X", "birth_date": "1950-10-05"}}, "patient.sex"),
    ({"patient": {"sex": "F", "birth_date": "2027-01-01"}}, "patient.birth_date"),
    ({"patient": {"sex": "F", "birth_date": "1850-01-01"}}, "patient.birth_date"),
    ({"patient": {"sex": "F"}}, "patient.birth_date"),
    ({"diagnoses": []}, "diagnoses"),
    ({"diagnoses": [{"poa": "Y"}]}, "diagnoses[0].code"),
    ({"procedures": [{"code": "99213", "units": 0}]}, "procedures[0].units"),
    ({"procedures": [{"code": "99213", "modifiers": ["5"]}]}, "procedures[0].modifiers[0]"),
    ({"procedures": [{"code": "02703DZ", "date": "2026-10-09"}]}, "procedures[0].date"),
    ({"procedures": [{"code": "X", "system": "snomed"}]}, "procedures[0].system"),
])
def test_each_unreadable_field_is_named(change, field):
    with pytest.raises(InvalidEncounter) as caught:
        parse_encounter({**INPATIENT, **change})
    assert field in {error.field for error in caught.value.errors}
    assert field in caught.value.message


def test_a_list_goes_on_past_a_bad_entry():
    results, is_list = parse_encounters([INPATIENT, "nonsense", INPATIENT])
    assert is_list and isinstance(results[1], InvalidEncounter)
    assert results[1].message.startswith("[1]: ")
    assert results[0] == results[2]
    single, is_list = parse_encounters(INPATIENT)
    assert not is_list and len(single) == 1

"""PATIENT.json -> scoring request: defaults, and every problem named by its field."""

from __future__ import annotations

from datetime import date

import pytest

from chartwell.grouping.hcc import DualStatus, InvalidPatient, Sex, parse_request

GOOD = {"sex": "F", "birth_date": "1950-02-01", "payment_year": 2026,
        "diagnoses": [{"code": "E11.22", "date": "2025-03-04"}, {"code": "I10"}]}


def test_a_minimal_patient_takes_the_defaults():
    request = parse_request(GOOD)
    who = request.beneficiary
    assert (who.sex, who.birth_date, who.dual_status, who.orec, who.institutional, who.new_enrollee) == (
        Sex.FEMALE, date(1950, 2, 1), DualStatus.NON, "0", False, False)
    assert [(item.code, item.date_of_service, item.position) for item in request.diagnoses] == [
        ("E11.22", date(2025, 3, 4), 0), ("I10", None, 1)]


@pytest.mark.parametrize(("change", "fields"), [
    ({"sex": None}, ["sex"]),
    ({"sex": "U"}, ["sex"]),
    ({"birth_date": "1950-02-30"}, ["birth_date"]),
    ({"payment_year": "soon"}, ["payment_year"]),
    ({"payment_year": True}, ["payment_year"]),
    ({"dual_status": "qmb"}, ["dual_status"]),
    ({"orec": "7"}, ["orec"]),
    ({"institutional": "yes"}, ["institutional"]),
    ({"diagnoses": None}, ["diagnoses"]),
    ({"diagnoses": [{"code": ""}, {"code": "I10", "date": "2025-13-01"}, 5]},
     ["diagnoses[0].code", "diagnoses[1].date", "diagnoses[2]"]),
    ({"sex": "X", "payment_year": None}, ["sex", "payment_year"]),
])
def test_each_bad_field_is_named(change, fields):
    document = {**GOOD, **change}
    document = {key: value for key, value in document.items() if value is not None}
    with pytest.raises(InvalidPatient) as raised:
        parse_request(document)
    assert [error.field for error in raised.value.errors] == fields
    assert raised.value.exit_code == 1


def test_not_an_object():
    with pytest.raises(InvalidPatient):
        parse_request(["F", "1950-02-01"])

"""The fast reading of ENCOUNTER.json answers what the careful one answers: the same encounter
for every entry it reads, and the careful reading (same errors, same fields) for any it does
not know. Checked over well-formed entries and over entries with one to three fields changed to
odd values (wrong types, padded text, impossible dates)."""

from __future__ import annotations

import copy
import random

from chartwell.domain import encounter_json
from chartwell.domain.encounter_json import InvalidEncounter, error_answer, parse_encounters

BASE = [
    {"setting": "inpatient", "admit_date": "2026-01-08", "discharge_date": "2026-02-07",
     "patient": {"sex": "M", "birth_date": "1945-12-26"}, "discharge_status": "64",
     "diagnoses": [{"code": "T21.33XD", "poa": "N"}, {"code": "S09.312S"}, "n44.1"],
     "procedures": [{"code": "0WJ63ZZ", "system": "icd10pcs", "date": "2026-01-29"},
                    {"code": "05BV3ZZ", "date": "2026-02-01"}]},
    {"setting": "outpatient", "date_of_service": "2025-10-06",
     "patient": {"sex": "F", "birth_date": "1959-11-23"}, "npi": "1234567893",
     "diagnoses": [{"code": "O10.411"}, {"code": "H02.736", "poa": ""}],
     "procedures": [{"code": "L0861", "date": "2025-10-06", "units": 3, "modifiers": ["25"]},
                    {"code": "54512", "units": 2.5, "modifiers": ["59", "rt"]}, "99213"]},
    {"setting": "professional", "date_of_service": "2026-02-01",
     "patient": {"birth_date": "2000-02-01"}, "diagnoses": ["J02.9"]},
]
ODD = [None, "", " ", 0, 1, 2.5, -1, True, False, "x", "2026-13-01", "2026-02-30",
       " 2026-01-05 ", "20260105", [], {}, ["25"], "25", [1], ["abc"], [" lt "], "F", "m",
       "female", "U", " 1", "01", 7, "99213", "i50.23", " e11 .9 ", "icd10pcs", "CPT", "hcpcs",
       "foo", 1e7, float("nan"), "1800-01-01", "2030-01-01", {"code": "A00.0"}, ["A00.0"],
       [{"code": 5}], [None], ("25",)]
TOP = ("setting", "admit_date", "discharge_date", "date_of_service", "patient",
       "discharge_status", "diagnoses", "procedures", "extra")
PROCEDURE = ("code", "system", "date", "modifiers", "units", "other")


def changed(rng: random.Random, document: dict) -> dict:
    document = copy.deepcopy(document)
    for _ in range(rng.randint(1, 3)):
        where = rng.randrange(4)
        if where == 0:
            _set(rng, document, rng.choice(TOP))
        elif where == 1 and isinstance(document.get("patient"), dict):
            _set(rng, document["patient"], rng.choice(("sex", "birth_date")))
        elif where == 2 and isinstance(document.get("diagnoses"), list) and document["diagnoses"]:
            _item(rng, document["diagnoses"], ("code", "poa", "other"))
        elif isinstance(document.get("procedures"), list) and document["procedures"]:
            _item(rng, document["procedures"], PROCEDURE)
    return document


def _set(rng: random.Random, container: dict, key: str) -> None:
    if rng.random() < 0.3:
        container.pop(key, None)
    else:
        container[key] = rng.choice(ODD)


def _item(rng: random.Random, items: list, keys: tuple[str, ...]) -> None:
    index = rng.randrange(len(items))
    if rng.random() < 0.2 or not isinstance(items[index], dict):
        items[index] = rng.choice(ODD)
    else:
        _set(rng, items[index], rng.choice(keys))


def careful(document: object, where: str) -> object:
    try:
        return encounter_json._parse_encounter(document, where)
    except InvalidEncounter as error:
        return error


def shown(result: object) -> object:
    if isinstance(result, InvalidEncounter):
        return error_answer(result)
    return (result, result.extra, [(type(p.units), p.units) for p in result.procedures])


def test_the_fast_reading_answers_as_the_careful_one():
    rng = random.Random(7)
    entries = [document for _ in range(300) for document in BASE]
    entries += [changed(rng, document) for _ in range(1500) for document in BASE]
    entries += [5, "x", None, [], {}]
    results, is_list = parse_encounters(entries)
    assert is_list
    expected = [careful(entry, f"[{index}]") for index, entry in enumerate(entries)]
    assert [shown(result) for result in results] == [shown(result) for result in expected]
    read = sum(1 for result in results if not isinstance(result, InvalidEncounter))
    assert 1000 < read < len(entries) - 1000  # both readings were exercised
    assert sum(1 for entry in entries if encounter_json._fast_encounter(entry)) > 900

"""Vital signs and laboratory results of a planned visit.

Values are drawn from the normal band for the patient's age and moved into the range a coded
condition implies (fever and tachypnea in pneumonia, creatinine in CKD), so the numbers in the
notes, the observations and the codes tell one story.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from chartwell.domain.records import EncounterSetting
from chartwell.synth.catalog import Catalog

if TYPE_CHECKING:
    from chartwell.synth.people import Person
    from chartwell.synth.planning import Visit

HOSPITAL = (EncounterSetting.INPATIENT, EncounterSetting.EMERGENCY)


def _band(age: int, catalog: Catalog) -> dict[str, tuple[float, float]]:
    for max_age, ranges in catalog.vital_normals:
        if age <= max_age:
            return dict(ranges)
    return dict(catalog.vital_normals[-1][1])


def _draw(rng: random.Random, bounds: tuple[float, float], decimals: int) -> float:
    value = round(rng.uniform(*bounds), decimals)
    return float(int(value)) if decimals == 0 else value


def _height(person: Person, age: int, rng: random.Random) -> float:
    if age >= 18:
        return person.adult_height_cm
    grown = 50 + 25 * min(age, 1) + 6.3 * max(age - 1, 0)
    return round(min(person.adult_height_cm, grown + rng.uniform(-4, 4)), 1)


def measure_vitals(rng: random.Random, visit: Visit, person: Person, catalog: Catalog) -> None:
    """Vital signs in the normal band for age, moved where the current problem says so (fever in
    pneumonia, tachycardia in sepsis; the principal wins); stable chronic problems only set body
    size (BMI in obesity)."""
    if visit.kind == "imaging":
        return
    ranges = _band(visit.age, catalog)
    for condition in reversed(visit.conditions("principal", "companion")):
        ranges.update(condition.vitals)
    body = [c.vitals["bmi"] for c in visit.conditions() if "bmi" in c.vitals]
    if body:  # the highest floor wins, so coded obesity always means a BMI of 30 or more
        ranges["bmi"] = max(body)
    vitals = {name: _draw(rng, ranges[name], catalog.vitals[name].decimals) for name in ranges}
    vitals["diastolic"] = min(vitals["diastolic"], vitals["systolic"] - 25)
    height = _height(person, visit.age, rng)
    weight = round(vitals.pop("bmi") * (height / 100) ** 2, 1)
    vitals.update(height_cm=height, weight_kg=weight, bmi=round(weight / (height / 100) ** 2, 1))
    visit.vitals = vitals


def _lab_keys(visit: Visit, catalog: Catalog) -> list[str]:
    """The basic panel in the hospital, plus the tests the current problem calls for. Chronic
    problems change results (creatinine in CKD) but do not order tests of their own."""
    drawn = visit.setting in HOSPITAL and visit.principal.basic_labs
    keys = list(catalog.basic_panel) if drawn else []
    for condition in visit.conditions("principal", "companion"):
        keys += [key for key in condition.labs if key not in keys]
    return keys


def measure_labs(rng: random.Random, visit: Visit, catalog: Catalog) -> None:
    """Results drawn from the range of the first coded condition that sets one, else normal."""
    if visit.kind in ("imaging", "day_surgery"):
        return
    ordered = visit.conditions("principal", "companion", "chronic")
    for key in _lab_keys(visit, catalog):
        bounds = next(
            (c.labs[key] for c in ordered if key in c.labs), catalog.labs[key].normal_for(visit.age)
        )
        visit.labs[key] = _draw(rng, bounds, catalog.labs[key].decimals)

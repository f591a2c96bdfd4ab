"""Synthetic patients: demographics and insurance coverage.

Everything is plainly fictional (names from short lists of common names, street numbers chosen at
random, 555-01xx phone numbers, example.com e-mail) yet shaped like real registration data, so
record linkage, eligibility and claim code has something realistic to work on.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta

from chartwell.domain.records import Address, Coverage, Patient, Provider, Sex
from chartwell.synth.catalog import load_reference_data
from chartwell.synth.ids import Key
from chartwell.synth.reference import Reference

MEDICARE_AGE = 65
MBI_LETTERS = "".join(c for c in string.ascii_uppercase if c not in "SLOIBZ")
MBI_FORMAT = "CAXNAXNAANN"


@dataclass(slots=True)
class Person:
    """A patient with what the rest of the generator needs to know about them."""

    number: int
    key: Key
    patient: Patient
    pcp: Provider
    payer_key: str  # primary payer (self_pay when uninsured)
    coverages: list[Coverage] = field(default_factory=list)
    adult_height_cm: float = 170.0

    @property
    def sex(self) -> Sex:
        return self.patient.sex

    def age_on(self, day: date) -> int:
        return age_on(self.patient.birth_date, day)

    @property
    def primary_coverage(self) -> Coverage | None:
        return self.coverages[0] if self.coverages else None


def age_on(birth: date | None, day: date) -> int:
    """Completed years of age on ``day``."""
    if birth is None:
        return 0
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def weighted(rng: random.Random, pairs: list[list]) -> str:
    """Pick a value from ``[[value, weight], ...]`` lists as stored in reference.json."""
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def _sex(rng: random.Random) -> Sex:
    return rng.choices([Sex.FEMALE, Sex.MALE, Sex.UNKNOWN], weights=[50, 48, 2])[0]


def _birth_date(rng: random.Random, start: date) -> date:
    """Ages 0 to 95 on the first day of the period, evenly spread."""
    years = rng.randint(0, 95)
    return start - timedelta(days=years * 365 + years // 4 + rng.randint(0, 364))


def _given_names(rng: random.Random, sex: Sex) -> str:
    names = load_reference_data()["given_names"][sex.value]
    first = rng.choice(names)
    if rng.random() < 0.3:
        return f"{first} {rng.choice([n for n in names if n != first])}"
    return first


def _address(rng: random.Random) -> tuple[Address, str]:
    data = load_reference_data()
    place = rng.choice(data["cities"])
    line2 = f"Apt {rng.randint(1, 40)}{rng.choice('ABCD')}" if rng.random() < 0.2 else None
    address = Address(
        line1=f"{rng.randint(100, 9899)} {rng.choice(data['streets'])}",
        line2=line2,
        city=place["city"],
        state=place["state"],
        postal_code=place["postal_code"],
        country="US",
    )
    return address, place["area_code"]


def _demographics(rng: random.Random, key: Key, start: date) -> Patient:
    data = load_reference_data()
    sex = _sex(rng)
    birth = _birth_date(rng, start)
    adult = age_on(birth, start) >= 18
    given, family = _given_names(rng, sex), rng.choice(data["family_names"])
    address, area_code = _address(rng)
    email = f"{given.split()[0]}.{family}{rng.randint(1, 999)}@example.com".lower()
    return Patient(
        id=key.id,
        family_name=family,
        given_names=given,
        birth_date=birth,
        sex=sex,
        source_key=key.source_key,
        marital_status=weighted(rng, data["marital_statuses"]) if adult else None,
        race=weighted(rng, data["races"]),
        ethnicity=weighted(rng, data["ethnicities"]),
        language=weighted(rng, data["languages"]),
        address=address,
        phone=f"({area_code}) 555-01{rng.randint(0, 99):02d}",
        email=email if adult and rng.random() < 0.6 else None,
    )


def medicare_beneficiary_identifier(rng: random.Random) -> str:
    """An 11-character MBI in CMS's published format (C = digit 1-9, A = a letter other than
    S, L, O, I, B, Z, N = digit, X = either); random, so it belongs to nobody."""
    alphabet = {"C": "123456789", "A": MBI_LETTERS, "N": "0123456789", "X": MBI_LETTERS + "0123456789"}
    return "".join(rng.choice(alphabet[slot]) for slot in MBI_FORMAT)


def _primary_payer(rng: random.Random, age: int) -> str:
    if age >= MEDICARE_AGE:
        return "medicare"
    if age < 18:
        return rng.choices(["medicaid", "evergreen", "summit", "self_pay"], weights=[45, 28, 25, 2])[0]
    return rng.choices(["medicaid", "evergreen", "summit", "self_pay"], weights=[16, 40, 38, 6])[0]


def _member_id(rng: random.Random, payer_key: str) -> str:
    if payer_key == "medicare":
        return medicare_beneficiary_identifier(rng)
    prefix = {"medicaid": "MCD", "evergreen": "EVG", "summit": "SMT", "lakeside": "LKS"}[payer_key]
    return prefix + "".join(rng.choice("0123456789") for _ in range(9))


def _coverage(
    rng: random.Random, person: Person, ref: Reference, payer_key: str, priority: int, start: date
) -> Coverage:
    patient = person.patient
    age = age_on(patient.birth_date, start)
    child_on_parent_plan = age < 18 and ref.payer_category(payer_key) == "commercial"
    subscriber = f"{rng.choice(load_reference_data()['given_names']['F'])} {patient.family_name}"
    if payer_key == "medicare":
        began = patient.birth_date.replace(year=patient.birth_date.year + MEDICARE_AGE, day=1)
    else:
        began = max(patient.birth_date, start - timedelta(days=rng.randint(30, 5 * 365)))
    key = person.key.child("coverage", priority)
    return Coverage(
        id=key.id,
        patient_id=patient.id,
        payer_id=ref.payers[payer_key].id,
        source_key=key.source_key,
        member_id=_member_id(rng, payer_key),
        group_number=f"GRP{rng.randint(10000, 99999)}"
        if ref.payer_category(payer_key) == "commercial"
        else None,
        plan_name=ref.plan_names[payer_key],
        relationship="child" if child_on_parent_plan else "self",
        subscriber_name=subscriber
        if child_on_parent_plan
        else f"{patient.given_names} {patient.family_name}",
        priority=priority,
        start_date=began,
    )


def _primary_care(rng: random.Random, ref: Reference, age: int) -> Provider:
    if age < 18:
        return rng.choice(ref.staff["pediatrics"])
    return rng.choice(ref.staff["family_medicine"] + ref.staff["internal_medicine"])


def _adult_height(rng: random.Random, sex: Sex) -> float:
    low, high = {Sex.FEMALE: (152, 175), Sex.MALE: (163, 191)}.get(sex, (155, 185))
    return round(rng.uniform(low, high), 1)


def make_person(rng: random.Random, key: Key, number: int, ref: Reference, start: date) -> Person:
    """A patient, their primary care physician and their coverages (none when self-pay;
    a Medigap supplement as secondary for some Medicare patients)."""
    patient = _demographics(rng, key, start)
    age = age_on(patient.birth_date, start)
    payer_key = _primary_payer(rng, age)
    person = Person(number, key, patient, _primary_care(rng, ref, age), payer_key)
    person.adult_height_cm = _adult_height(rng, patient.sex)
    if payer_key != "self_pay":
        person.coverages.append(_coverage(rng, person, ref, payer_key, 1, start))
        if payer_key == "medicare" and rng.random() < 0.4:
            person.coverages.append(_coverage(rng, person, ref, "lakeside", 2, start))
    return person

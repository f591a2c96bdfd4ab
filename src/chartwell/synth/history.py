"""What the patient tells every clinician the same way, and what a note denies.

Patient-level history (home medications, past and family history, habits, allergies) is chosen
once and screened against the codes of all the patient's visits; the pertinent negatives and
outpatient 'possible ...' of one visit are screened against that visit. Either way no distractor
ever names a condition the patient is coded with.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chartwell.domain.records import EncounterSetting
from chartwell.synth.catalog import Catalog, Condition, Distractor

if TYPE_CHECKING:
    from chartwell.synth.people import Person
    from chartwell.synth.planning import Visit

ROS_SYSTEMS_EXTRA = frozenset({"results"})  # negated results, written with the labs


@dataclass(slots=True)
class History:
    """What the patient tells every clinician the same way: problem list, home medications,
    past and family history, habits and allergies."""

    chronic: list[Condition]
    home_meds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    past_history: list[str] = field(default_factory=list)
    family_history: list[str] = field(default_factory=list)
    tobacco: str | None = None
    alcohol: str | None = None
    living: str = ""
    allergies: list[str] = field(default_factory=list)


def _present_text(visit: Visit) -> str:
    texts = [visit.complaint] + [s.text for c in visit.conditions() for s in c.symptoms]
    return " ".join(texts).lower()


def choose_negatives(rng: random.Random, visit: Visit, person: Person, catalog: Catalog) -> None:
    """Pertinent negatives for the review of systems and results, never about anything coded
    or reported as present on this visit, plus at times an outpatient 'possible ...'."""
    if visit.kind == "imaging":
        return
    codes = visit.diagnosis_codes() | visit.procedure_codes()
    present = _present_text(visit)
    allowed = set(catalog.narrative["ros_systems"]) | ROS_SYSTEMS_EXTRA
    systems = {s.system for c in visit.conditions("principal", "companion") for s in c.symptoms}
    options = [
        d
        for d in catalog.distractors
        if d.kind == "negated"
        and d.system in allowed
        and d.fits(visit.age, person.sex)
        and not d.contradicted_by(codes)
        and d.finding not in present
        and (d.context is None or d.context in systems)
    ]
    for distractor in rng.sample(options, min(len(options), rng.randint(2, 4))):
        visit.negatives.append((distractor, rng.choice(distractor.texts)))
    if visit.setting is not EncounterSetting.INPATIENT and rng.random() < 0.3:
        uncertain = [
            d
            for d in catalog.distractors
            if d.kind == "uncertain" and d.fits(visit.age, person.sex) and not d.contradicted_by(codes)
        ]
        if uncertain:
            choice = rng.choice(uncertain)
            visit.uncertain = (choice, rng.choice(choice.texts))


def _pick_texts(rng: random.Random, options: list[Distractor], most: int) -> list[str]:
    chosen = rng.sample(options, min(len(options), rng.randint(0, most)))
    return [rng.choice(d.texts) for d in chosen]


def patient_history(
    rng: random.Random, person: Person, chronic: list[Condition], visits: list[Visit], catalog: Catalog
) -> History:
    """Patient-level history, chosen once and checked against every visit's codes so no visit
    contradicts it (no 'history of appendectomy' for the patient whose appendix comes out)."""
    age, sex = person.age_on(visits[0].start.date()), person.sex
    codes = set().union(*(v.diagnosis_codes() | v.procedure_codes() for v in visits))
    usable = [d for d in catalog.distractors if d.fits(age, sex) and not d.contradicted_by(codes)]

    def by_kind(kind: str, finding: str | None = None) -> list[Distractor]:
        return [d for d in usable if d.kind == kind and (finding is None or d.finding == finding)]

    history = History(chronic=chronic)
    history.home_meds = _home_medications(rng, chronic)
    history.past_history = _pick_texts(rng, by_kind("history"), 2)
    history.family_history = _pick_texts(rng, by_kind("family_history"), 2)
    history.tobacco = _tobacco(rng, chronic, by_kind("negated", "tobacco"))
    history.alcohol = _alcohol(rng, age, visits, by_kind("negated", "alcohol"), catalog)
    allergy_lines = [rng.choice(c.allergy) for c in chronic if c.documented_in == "allergies"]
    history.allergies = allergy_lines or [rng.choice(by_kind("negated", "drug allergies")[0].texts)]
    pool = "living_child" if age < 18 else "living" if age < 65 else "living_older"
    history.living = rng.choice(catalog.narrative[pool])
    return history


def _home_medications(rng: random.Random, chronic: list[Condition]) -> dict[str, tuple[str, ...]]:
    """The mainstay drug of each problem, sometimes the next one listed; never the same drug
    twice (a statin for both hyperlipidemia and CAD is one statin)."""
    taken: set[str] = set()
    found = {}
    for condition in chronic:
        wanted = condition.meds[: 2 if rng.random() < 0.5 else 1]
        kept = tuple(m for m in wanted if m.split()[0] not in taken)
        taken.update(m.split()[0] for m in kept)
        if kept:
            found[condition.key] = kept
    return found


def _tobacco(rng: random.Random, chronic: list[Condition], never: list[Distractor]) -> str | None:
    habit = next((c for c in chronic if c.documented_in == "social_history"), None)
    if habit:
        return rng.choice(habit.social).format(years=rng.randint(2, 30))
    return rng.choice(never[0].texts) if never else None


def _alcohol(
    rng: random.Random, age: int, visits: list[Visit], never: list[Distractor], catalog: Catalog
) -> str | None:
    drinker = next((v.principal for v in visits if v.principal.social), None)
    if drinker:
        return rng.choice(drinker.social)
    if not never:
        return None
    if age >= 21 and rng.random() < 0.5:
        return rng.choice(catalog.narrative["alcohol"])
    return rng.choice(never[0].texts)

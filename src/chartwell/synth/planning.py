"""The clinical story of one synthetic patient: problem list, visits, what was wrong at each
visit, what was done, and by whom.

Planning comes before any record or note is written, so the notes, the codes and the charges
of a visit are all rendered from the same plan and cannot disagree. The rules here are the ones
a coder would check: one code per condition group, combination codes instead of their parts,
POA only on inpatient diagnoses, E/M levels by complexity, sex- and age-appropriate conditions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from chartwell.domain.records import EncounterSetting, Provider, Sex
from chartwell.synth.catalog import Catalog, Condition, Distractor, ProcedureSpec, load_catalog
from chartwell.synth.history import History, choose_negatives, patient_history
from chartwell.synth.measures import measure_labs, measure_vitals
from chartwell.synth.people import Person
from chartwell.synth.reference import Reference

INPATIENT = EncounterSetting.INPATIENT
OUTPATIENT = EncounterSetting.OUTPATIENT
EMERGENCY = EncounterSetting.EMERGENCY
PROFESSIONAL = EncounterSetting.PROFESSIONAL

SETTING_CYCLE = (INPATIENT, OUTPATIENT, EMERGENCY, PROFESSIONAL)
SETTING_WEIGHTS = {PROFESSIONAL: 45, EMERGENCY: 20, OUTPATIENT: 20, INPATIENT: 15}
VISIT_COUNTS = ([1, 2, 3, 4], [30, 35, 22, 13])
MIN_SLOT_DAYS = 14  # room for the longest stay (10 days) inside one visit's slot
MAX_STAY_DAYS = 10
SURGICAL_KINDS = frozenset({"surgery", "endoscopy", "cardiac"})


@dataclass(slots=True)
class CodedCondition:
    """A condition as coded on one encounter."""

    condition: Condition
    role: str  # principal, companion (of the principal), chronic (with its companions), acquired
    poa: str | None = None  # inpatient only; None also for POA-exempt codes
    day: int = 0  # hospital day it was first documented


@dataclass(slots=True)
class PlannedProcedure:
    """A procedure as done on a visit: by whom, when, for which condition."""

    spec: ProcedureSpec
    condition: Condition
    at: datetime
    provider: Provider

    @property
    def side(self) -> str | None:
        """RT / LT when the procedure is done on one side."""
        if self.spec.side:
            return self.spec.side
        return self.condition.laterality if self.spec.lateral else None


@dataclass(slots=True)
class Visit:
    """One encounter as planned: everything its records and notes are rendered from."""

    number: int
    setting: EncounterSetting
    kind: str  # admission, day_surgery, imaging, emergency, office
    start: datetime
    end: datetime
    age: int
    principal: Condition
    complaint: str
    duration: str
    diagnoses: list[CodedCondition] = field(default_factory=list)
    procedures: list[PlannedProcedure] = field(default_factory=list)
    providers: list[tuple[str, Provider]] = field(default_factory=list)  # first one writes
    vitals: dict[str, float] = field(default_factory=dict)
    labs: dict[str, float] = field(default_factory=dict)
    negatives: list[tuple[Distractor, str]] = field(default_factory=list)
    uncertain: tuple[Distractor, str] | None = None
    admit_type: str | None = None
    admit_source: str | None = None
    disposition: str | None = None
    new_patient: bool = False

    @property
    def author(self) -> Provider:
        return self.providers[0][1]

    @property
    def stay_days(self) -> int:
        return (self.end.date() - self.start.date()).days

    def diagnosis_codes(self) -> set[str]:
        return {coded.condition.icd10cm for coded in self.diagnoses}

    def procedure_codes(self) -> set[str]:
        return {code for p in self.procedures for code in (p.spec.icd10pcs, p.spec.cpt) if code}

    def provider(self, role: str) -> Provider | None:
        return next((p for r, p in self.providers if r == role), None)

    def conditions(self, *roles: str) -> list[Condition]:
        return [c.condition for c in self.diagnoses if not roles or c.role in roles]


@dataclass(slots=True)
class Plan:
    """One patient's story: who they are, their history, their visits, and whether they died."""

    person: Person
    history: History
    visits: list[Visit]
    deceased_at: datetime | None = None


# ----------------------------------------------------------------------------- condition rules


def expand(condition: Condition, catalog: Catalog) -> list[Condition]:
    """The condition followed by the companions that must be coded with it."""
    return [condition] + [catalog.by_key[key] for key in condition.companions]


def compatible(candidate: Condition, coded: list[Condition], catalog: Catalog) -> bool:
    """Whether a condition (with its companions) can be coded beside those already coded."""
    return not any(
        new.conflicts_with(old) for new in expand(candidate, catalog) for old in coded if new is not old
    )


def _pick_weighted(rng: random.Random, options: list[Condition]) -> Condition:
    return rng.choices(options, weights=[c.prevalence for c in options])[0]


def chronic_problems(rng: random.Random, age: int, sex: Sex, catalog: Catalog) -> list[Condition]:
    """A problem list that fits the patient's age and sex and could all be coded together."""
    pool = [
        c for c in catalog.conditions if c.chronic and c.documented_in == "assessment" and c.fits(age, sex)
    ]
    chosen: list[Condition] = []
    for _ in range(_problem_count(rng, age)):
        options = [c for c in pool if c not in chosen and compatible(c, _expanded(chosen, catalog), catalog)]
        if not options:
            break
        chosen.append(_pick_weighted(rng, options))
    chosen += _habits_and_allergies(rng, age, sex, catalog)
    return chosen


def _problem_count(rng: random.Random, age: int) -> int:
    if age < 18:
        return rng.choices([0, 1], weights=[78, 22])[0]
    if age < 40:
        return rng.choices([0, 1, 2], weights=[45, 35, 20])[0]
    if age < 65:
        return rng.randint(1, 4)
    return rng.randint(2, 5)


def _habits_and_allergies(rng: random.Random, age: int, sex: Sex, catalog: Catalog) -> list[Condition]:
    by_key = catalog.by_key
    found = []
    roll = rng.random()
    if roll < 0.15 and by_key["smoker"].fits(age, sex):
        found.append(by_key["smoker"])
    elif roll < 0.37 and by_key["former_smoker"].fits(age, sex):
        found.append(by_key["former_smoker"])
    for key, chance in (("pcn_allergy", 0.09), ("sulfa_allergy", 0.04), ("opioid_allergy", 0.03)):
        if rng.random() < chance:
            found.append(by_key[key])
    return found


def _expanded(conditions: list[Condition], catalog: Catalog) -> list[Condition]:
    return [member for c in conditions for member in expand(c, catalog)]


# ----------------------------------------------------------------------------- scheduling


def schedule(
    rng: random.Random, number: int, start: date, end: date
) -> list[tuple[EncounterSetting, date, int]]:
    """(setting, day, longest stay that fits) for each visit, in date order. The first visit's
    setting rotates with the patient number so any four consecutive patients cover all four
    settings; the others are drawn by how common each setting is."""
    span = (end - start).days
    count = min(rng.choices(*VISIT_COUNTS)[0], max(1, span // (2 * MIN_SLOT_DAYS)))
    slot = span // count
    settings = [SETTING_CYCLE[number % len(SETTING_CYCLE)]]
    settings += rng.choices(list(SETTING_WEIGHTS), weights=list(SETTING_WEIGHTS.values()), k=count - 1)
    visits = []
    for index, setting in enumerate(settings):
        offset = rng.randint(0, slot - MIN_SLOT_DAYS + 1)
        day = start + timedelta(days=index * slot + offset)
        room = min(MAX_STAY_DAYS, slot - offset - 1)
        visits.append((setting, day, room))
    return visits


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _visit_times(
    rng: random.Random, setting: EncounterSetting, day: date, principal: Condition, room: int
) -> tuple[datetime, datetime]:
    """Arrival and departure: inpatient stays of 1-10 days, same-day for the rest."""
    if setting is INPATIENT:
        low, high = principal.stay
        days = max(1, min(rng.randint(low, high), room))
        hour = rng.randint(6, 8) if principal.admission == "elective" else rng.randint(0, 23)
        admit = _at(day, hour, rng.randint(0, 59))
        return admit, _at(day + timedelta(days=days), rng.randint(10, 16), rng.randint(0, 59))
    if setting is EMERGENCY:
        arrival = _at(day, rng.randint(0, 21), rng.randint(0, 59))
        return arrival, arrival + timedelta(minutes=rng.randint(110, 360))
    if setting is OUTPATIENT:
        arrival = _at(day, rng.randint(6, 14), rng.choice((0, 15, 30, 45)))
        return arrival, arrival + timedelta(minutes=rng.randint(60, 330))
    arrival = _at(day, rng.randint(8, 16), rng.choice((0, 15, 30, 45)))
    return arrival, arrival + timedelta(minutes=rng.randint(15, 40))


# ----------------------------------------------------------------------------- one visit


def choose_principal(
    rng: random.Random,
    setting: EncounterSetting,
    age: int,
    sex: Sex,
    chronic: list[Condition],
    catalog: Catalog,
) -> Condition:
    """The reason for the visit. Half of office visits follow up a known chronic problem."""
    eligible = [c for c in catalog.conditions if setting in c.settings and c.fits(age, sex)]
    if not eligible:
        raise LookupError(f"catalog has no {setting.value} condition for age {age}, sex {sex.value}")
    if setting is PROFESSIONAL and rng.random() < 0.5:
        follow_ups = [c for c in chronic if c in eligible]
        if follow_ups:
            return rng.choice(follow_ups)
    return rng.choice(eligible)


def _code_conditions(visit: Visit, chronic: list[Condition], catalog: Catalog) -> None:
    """Principal, its companions, then each chronic problem that can be coded beside them.
    A diagnostic-imaging visit codes only its indication, as the radiology report supports."""
    coded = [CodedCondition(visit.principal, "principal")]
    coded += [CodedCondition(c, "companion") for c in expand(visit.principal, catalog)[1:]]
    if visit.kind != "imaging":
        for problem in chronic:
            present = [c.condition for c in coded]
            if problem in present or not compatible(problem, present, catalog):
                continue
            coded += [CodedCondition(c, "chronic") for c in expand(problem, catalog) if c not in present]
    visit.diagnoses = _without_repeats(coded)


def _without_repeats(coded: list[CodedCondition]) -> list[CodedCondition]:
    seen: set[str] = set()
    kept = []
    for item in coded:
        if item.condition.icd10cm not in seen:
            seen.add(item.condition.icd10cm)
            kept.append(item)
    return kept


def _add_acquired(rng: random.Random, visit: Visit, age: int, sex: Sex, catalog: Catalog) -> None:
    """Now and then an inpatient stay brings a new problem: coded with POA N, or W / U when
    the notes leave the timing open."""
    if visit.setting is not INPATIENT or visit.stay_days < 2 or rng.random() >= 0.2:
        return
    had_surgery = any(p.spec.kind in SURGICAL_KINDS for p in visit.procedures)
    present = visit.conditions()
    options = [
        c
        for c in catalog.conditions
        if c.acquired
        and c.fits(age, sex)
        and (had_surgery or not c.after_surgery)
        and c not in present
        and compatible(c, present, catalog)
    ]
    if options:
        poa = rng.choices(["N", "W", "U"], weights=[70, 15, 15])[0]
        visit.diagnoses.append(
            CodedCondition(rng.choice(options), "acquired", poa, rng.randint(1, visit.stay_days - 1))
        )


def _assign_poa(visit: Visit) -> None:
    """POA Y for what the patient came in with; blank for codes on the POA-exempt list."""
    if visit.setting is not INPATIENT:
        return
    for coded in visit.diagnoses:
        if coded.condition.poa_exempt:
            coded.poa = None
        elif coded.role != "acquired":
            coded.poa = "Y"


def _kind(setting: EncounterSetting, principal: Condition, catalog: Catalog) -> str:
    if setting is OUTPATIENT:
        uses = principal.procedures.get(OUTPATIENT, ())
        imaging = all(catalog.procedures[u.procedure].kind == "imaging" for u in uses)
        return "imaging" if imaging else "day_surgery"
    return {INPATIENT: "admission", EMERGENCY: "emergency", PROFESSIONAL: "office"}[setting]


# ----------------------------------------------------------------------------- who and what


def _member(rng: random.Random, ref: Reference, specialty: str, already: list[Provider]) -> Provider:
    """A physician of the specialty, reusing one already on the visit when there is one."""
    for provider in already:
        if ref.specialty_of[provider.id] == specialty:
            return provider
    return rng.choice(ref.staff[specialty])


def _lead_specialty(visit: Visit, person: Person, ref: Reference, catalog: Catalog) -> str:
    service = visit.principal.service
    if visit.setting is EMERGENCY:
        return "emergency_medicine"
    if visit.setting is OUTPATIENT:
        first = visit.principal.procedures[OUTPATIENT][0].procedure
        return catalog.procedures[first].specialty
    if service and service in ref.staff:
        return service
    if visit.setting is INPATIENT:
        return "pediatrics" if visit.age < 18 else "hospital_medicine"
    return ref.specialty_of[person.pcp.id]


def _assign_providers(
    rng: random.Random, visit: Visit, person: Person, ref: Reference, catalog: Catalog
) -> None:
    """Attending / rendering first (the author of the main note), then the others by role."""
    lead_specialty = _lead_specialty(visit, person, ref, catalog)
    lead = (
        person.pcp
        if lead_specialty == ref.specialty_of[person.pcp.id]
        else rng.choice(ref.staff[lead_specialty])
    )
    roles = {
        "admission": ["attending", "admitting"],
        "day_surgery": ["attending"],
        "imaging": ["rendering"],
        "emergency": ["attending", "rendering"],
        "office": ["rendering"],
    }[visit.kind]
    visit.providers = [(role, lead) for role in roles]
    if visit.kind in ("day_surgery", "imaging") or (visit.kind == "office" and lead is not person.pcp):
        visit.providers.append(("referring", person.pcp))
    if visit.kind == "admission" and visit.principal.consult:
        visit.providers.append(("consulting", _member(rng, ref, visit.principal.consult, [])))


def _procedure_time(rng: random.Random, visit: Visit, spec: ProcedureSpec) -> datetime:
    if visit.setting is INPATIENT:
        day = min(spec.day, visit.stay_days - 1)
        planned = _at(visit.start.date() + timedelta(days=day), rng.randint(8, 15), rng.randint(0, 59))
        return max(planned, visit.start + timedelta(minutes=rng.randint(90, 180)))
    minutes = {OUTPATIENT: (45, 90), EMERGENCY: (40, 100), PROFESSIONAL: (8, 14)}[visit.setting]
    return visit.start + timedelta(minutes=rng.randint(*minutes))


def _plan_procedures(rng: random.Random, visit: Visit, ref: Reference, catalog: Catalog) -> None:
    """The procedures the principal condition leads to in this setting; the physician doing
    them joins the visit as operating provider where they operate."""
    on_visit = [p for _, p in visit.providers]
    for use in visit.principal.procedures.get(visit.setting, ()):
        if use.chance < 1 and rng.random() >= use.chance:
            continue
        spec = catalog.procedures[use.procedure]
        if visit.setting in (EMERGENCY, PROFESSIONAL):
            performer = visit.author
        else:
            performer = _member(rng, ref, spec.specialty, on_visit)
        at = _procedure_time(rng, visit, spec)
        visit.procedures.append(PlannedProcedure(spec, visit.principal, at, performer))
        if visit.setting is not INPATIENT:  # same-day visits last until recovery is over
            recovery = (60, 150) if spec.kind in SURGICAL_KINDS else (15, 40)
            visit.end = max(visit.end, at + timedelta(minutes=rng.randint(*recovery)))
        operates = spec.kind in SURGICAL_KINDS or spec.has_report
        if operates and all(p is not performer for r, p in visit.providers if r == "operating"):
            visit.providers.append(("operating", performer))


def _admission_details(rng: random.Random, visit: Visit) -> None:
    """UB-04 priority (FL 14), point of origin (FL 15) and discharge status (FL 17)."""
    if visit.principal.admission == "elective":
        visit.admit_type, visit.admit_source = "3", rng.choice(["1", "2"])
    else:
        visit.admit_type = rng.choices(["1", "2"], weights=[85, 15])[0]
        sources = ["1", "2", "4", "5"] if visit.age >= 65 else ["1", "2", "4"]
        visit.admit_source = rng.choices(sources, weights=[80, 8, 6, 6][: len(sources)])[0]
    visit.disposition = rng.choice(visit.principal.dispositions)


# ----------------------------------------------------------------------------- the patient


def _plan_visit(
    rng: random.Random,
    number: int,
    slot: tuple[EncounterSetting, date, int],
    person: Person,
    chronic: list[Condition],
    ref: Reference,
    catalog: Catalog,
) -> Visit:
    setting, day, room = slot
    age = person.age_on(day)
    principal = choose_principal(rng, setting, age, person.sex, chronic, catalog)
    start, end = _visit_times(rng, setting, day, principal, room)
    complaint = rng.choice(principal.complaint) if principal.complaint else principal.phrasings[0]
    duration = rng.choice(principal.onset or catalog.narrative["durations"])
    visit = Visit(
        number, setting, _kind(setting, principal, catalog), start, end, age, principal, complaint, duration
    )
    _code_conditions(visit, chronic, catalog)
    _assign_providers(rng, visit, person, ref, catalog)
    _plan_procedures(rng, visit, ref, catalog)
    _add_acquired(rng, visit, age, person.sex, catalog)
    _assign_poa(visit)
    if setting is INPATIENT:
        _admission_details(rng, visit)
    measure_vitals(rng, visit, person, catalog)
    measure_labs(rng, visit, catalog)
    choose_negatives(rng, visit, person, catalog)
    return visit


def _maybe_death(rng: random.Random, visits: list[Visit]) -> datetime | None:
    """A few elderly patients die at the end of their last stay (discharge status 20)."""
    last = visits[-1]
    if last.setting is INPATIENT and last.principal.mortality and last.age >= 60 and rng.random() < 0.06:
        last.disposition = "20"
        return last.end
    return None


def plan_person(rng: random.Random, person: Person, ref: Reference, start: date, end: date) -> Plan:
    """Everything that happens to one patient between ``start`` and ``end``."""
    catalog = load_catalog()
    chronic = chronic_problems(rng, person.age_on(start), person.sex, catalog)
    visits = [
        _plan_visit(rng, index + 1, slot, person, chronic, ref, catalog)
        for index, slot in enumerate(schedule(rng, person.number, start, end))
    ]
    first_office = next((v for v in visits if v.kind == "office"), None)
    if first_office:
        first_office.new_patient = True
    deceased_at = _maybe_death(rng, visits)
    return Plan(person, patient_history(rng, person, chronic, visits, catalog), visits, deceased_at)

"""The clinical catalog and the reference lists, read once from the JSON files packaged here.

Conditions, procedures, lab tests, distractor phrases and note wording are data, not code, so a
coder can review what the generator may say and code without reading Python. This module only
turns the JSON into small frozen types and answers the two questions every caller asks of a
condition: does it fit this patient, and may it be coded beside that other condition?
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from chartwell.domain.records import EncounterSetting, Sex

NO_LIMIT_AGE = 200


@dataclass(frozen=True, slots=True)
class Symptom:
    system: str  # review-of-systems heading it is reported under
    text: str


@dataclass(frozen=True, slots=True)
class ProcedureUse:
    """A procedure a condition leads to in one setting; ``chance`` < 1 for optional ones."""

    procedure: str
    chance: float = 1.0


@dataclass(frozen=True, slots=True, eq=False)
class Condition:
    """One codable condition: its ICD-10-CM code, how clinicians write it, and how it presents.

    Several entries may share a code (a right and a left inguinal hernia are both K40.90) because
    the documentation, laterality or companions differ. Identity, not value, makes two equal.
    """

    key: str
    icd10cm: str
    display: str
    phrasings: tuple[str, ...]
    group: str  # at most one condition of a group is coded on an encounter
    excludes: frozenset[str]  # groups that may not be coded beside this one
    companions: tuple[str, ...]  # keys coded right after this one ("use additional code")
    settings: frozenset[EncounterSetting]  # where it may be the principal / first-listed reason
    prevalence: float
    chronic: bool
    acquired: bool  # may arise during an inpatient stay (POA N, W or U)
    after_surgery: bool
    sex: Sex | None
    min_age: int
    max_age: int
    laterality: str | None  # RT / LT for the modifier of a procedure on the affected side
    service: str | None  # specialty that treats it as attending / rendering provider
    consult: str | None
    admission: str  # emergency or elective
    documented_in: str  # assessment, social_history or allergies
    poa_exempt: bool
    complaint: tuple[str, ...]
    onset: tuple[str, ...]  # how long ago it started, when not the usual 'for 3 days'
    symptoms: tuple[Symptom, ...]
    exam: dict[str, tuple[str, ...]]
    vitals: dict[str, tuple[float, float]]
    labs: dict[str, tuple[float, float]]
    basic_labs: bool
    meds: tuple[str, ...]
    plan: tuple[str, ...]
    admission_plan: tuple[str, ...]  # plan as the principal of an inpatient stay, when different
    chronic_plan: tuple[str, ...]
    inpatient_plan: tuple[str, ...]  # chronic-problem plan while hospitalized
    course: tuple[str, ...]
    social: tuple[str, ...]
    allergy: tuple[str, ...]
    procedures: dict[EncounterSetting, tuple[ProcedureUse, ...]]
    dispositions: tuple[str, ...]
    stay: tuple[int, int]
    mortality: bool
    em_level: int
    ed_level: int

    def fits(self, age: int, sex: Sex) -> bool:
        """Whether a patient of this age and sex can have the condition (MCE age/sex edits)."""
        if not self.min_age <= age <= self.max_age:
            return False
        return self.sex is None or self.sex == sex

    def conflicts_with(self, other: Condition) -> bool:
        """Whether coding both on one encounter would be wrong (same group, or an exclusion
        such as I10 beside heart failure, where a combination code is required instead)."""
        if other is self:
            return False
        return self.group == other.group or other.group in self.excludes or self.group in other.excludes


@dataclass(frozen=True, slots=True)
class Supply:
    hcpcs: str
    title: str
    units: int
    charge: float
    revenue_code: str | None


@dataclass(frozen=True, slots=True, eq=False)
class ProcedureSpec:
    key: str
    name: str  # our own plain words; never a CPT descriptor
    kind: str  # surgery, endoscopy, cardiac, bedside, imaging, minor, test
    icd10pcs: str | None
    pcs_title: str | None
    cpt: str | None
    medicare_hcpcs: str | None  # Medicare's own code for the service (G0121 screening colonoscopy)
    payer_modifiers: dict[str, tuple[str, ...]]
    side: str | None  # RT / LT fixed by the procedure itself
    lateral: bool  # takes RT / LT from the condition
    em_modifier_25: bool  # an E/M billed with it needs modifier 25
    specialty: str
    revenue_code: str | None
    charge: float
    day: int  # hospital day it is done on (inpatient)
    anesthesia: str | None
    report_title: str | None
    technique: tuple[str, ...]
    findings: tuple[str, ...]
    impression: tuple[str, ...]
    specimens: str | None
    ebl_ml: tuple[int, int]
    supplies: tuple[Supply, ...]

    @property
    def has_report(self) -> bool:
        """Procedures with a written description get their own operative/procedure report."""
        return bool(self.technique) and self.kind != "imaging"


@dataclass(frozen=True, slots=True)
class Distractor:
    """Wording that mentions a condition the patient does not have now: a negated finding,
    a relative's disease, a resolved history, or an outpatient 'possible'. ``contradicts``
    lists code prefixes that must not be coded on an encounter whose notes use it."""

    kind: str  # negated, family_history, history, uncertain
    texts: tuple[str, ...]
    contradicts: tuple[str, ...]
    system: str | None
    finding: str | None
    context: str | None  # a result only mentioned when symptoms of this system are present
    sex: Sex | None
    min_age: int

    def contradicted_by(self, codes: set[str]) -> bool:
        """Whether any of ``codes`` starts with one of the contradicted prefixes (one regex
        search: the generator screens every distractor against every visit)."""
        return _prefix_pattern(self.contradicts).search("\n".join(codes)) is not None

    def fits(self, age: int, sex: Sex) -> bool:
        return age >= self.min_age and (self.sex is None or self.sex == sex)


@dataclass(frozen=True, slots=True)
class Measure:
    """A lab test or vital sign: LOINC code, UCUM unit, how it is shown in a note."""

    key: str
    name: str
    loinc: str
    unit: str
    shown: str
    normal: tuple[float, float]
    child_normal: tuple[float, float] | None  # under 12, where it differs from adults
    decimals: int

    def normal_for(self, age: int) -> tuple[float, float]:
        return self.child_normal if self.child_normal and age < 12 else self.normal


@dataclass(frozen=True, slots=True)
class Catalog:
    conditions: tuple[Condition, ...]
    by_key: dict[str, Condition]
    procedures: dict[str, ProcedureSpec]
    labs: dict[str, Measure]
    basic_panel: tuple[str, ...]
    vitals: dict[str, Measure]
    vital_normals: tuple[tuple[int, dict[str, tuple[float, float]]], ...]
    distractors: tuple[Distractor, ...]
    narrative: dict[str, Any]
    billing: dict[str, Any]


@cache
def _prefix_pattern(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("^(?:" + "|".join(re.escape(p) for p in prefixes) + ")", re.MULTILINE)


def _pair(values: list | None, default: tuple) -> tuple:
    return tuple(values) if values else default


def _condition(raw: dict[str, Any]) -> Condition:
    uses = {
        EncounterSetting(setting): tuple(
            ProcedureUse(item) if isinstance(item, str) else ProcedureUse(**item) for item in items
        )
        for setting, items in raw.get("procedures", {}).items()
    }
    return Condition(
        key=raw["key"],
        icd10cm=raw["icd10cm"],
        display=raw["display"],
        phrasings=tuple(raw["phrasings"]),
        group=raw["group"],
        excludes=frozenset(raw.get("excludes", ())),
        companions=tuple(raw.get("companions", ())),
        settings=frozenset(EncounterSetting(s) for s in raw.get("settings", ())),
        prevalence=float(raw.get("prevalence", 1)),
        chronic=raw.get("chronic", False),
        acquired=raw.get("acquired", False),
        after_surgery=raw.get("after_surgery", False),
        sex=Sex(raw["sex"]) if raw.get("sex") else None,
        min_age=raw.get("min_age", 0),
        max_age=raw.get("max_age", NO_LIMIT_AGE),
        laterality=raw.get("laterality"),
        service=raw.get("service"),
        consult=raw.get("consult"),
        admission=raw.get("admission", "emergency"),
        documented_in=raw.get("documented_in", "assessment"),
        poa_exempt=raw.get("poa_exempt", False),
        complaint=tuple(raw.get("complaint", ())),
        onset=tuple(raw.get("onset", ())),
        symptoms=tuple(Symptom(system, text) for system, text in raw.get("symptoms", ())),
        exam={system: tuple(lines) for system, lines in raw.get("exam", {}).items()},
        vitals={name: tuple(bounds) for name, bounds in raw.get("vitals", {}).items()},
        labs={name: tuple(bounds) for name, bounds in raw.get("labs", {}).items()},
        basic_labs=raw.get("basic_labs", True),
        meds=tuple(raw.get("meds", ())),
        plan=tuple(raw.get("plan", ())),
        admission_plan=tuple(raw.get("admission_plan", ())),
        chronic_plan=tuple(raw.get("chronic_plan", ())),
        inpatient_plan=tuple(raw.get("inpatient_plan", ())),
        course=tuple(raw.get("course", ())),
        social=tuple(raw.get("social", ())),
        allergy=tuple(raw.get("allergy", ())),
        procedures=uses,
        dispositions=_pair(raw.get("dispositions"), ("01",)),
        stay=_pair(raw.get("stay"), (2, 5)),
        mortality=raw.get("mortality", False),
        em_level=raw.get("em_level", 3),
        ed_level=raw.get("ed_level", 4),
    )


def _procedure(key: str, raw: dict[str, Any]) -> ProcedureSpec:
    return ProcedureSpec(
        key=key,
        name=raw["name"],
        kind=raw["kind"],
        icd10pcs=raw.get("icd10pcs"),
        pcs_title=raw.get("pcs_title"),
        cpt=raw.get("cpt"),
        medicare_hcpcs=raw.get("medicare_hcpcs"),
        payer_modifiers={k: tuple(v) for k, v in raw.get("payer_modifiers", {}).items()},
        side=raw.get("side"),
        lateral=raw.get("lateral", False),
        em_modifier_25=raw.get("em_modifier_25", False),
        specialty=raw["specialty"],
        revenue_code=raw.get("revenue_code"),
        charge=float(raw["charge"]),
        day=raw.get("day", 0),
        anesthesia=raw.get("anesthesia"),
        report_title=raw.get("report_title"),
        technique=tuple(raw.get("technique", ())),
        findings=tuple(raw.get("findings", ())),
        impression=tuple(raw.get("impression", ())),
        specimens=raw.get("specimens"),
        ebl_ml=_pair(raw.get("ebl_ml"), (0, 0)),
        supplies=tuple(Supply(**{"revenue_code": None, **s}) for s in raw.get("supplies", ())),
    )


def _distractor(raw: dict[str, Any]) -> Distractor:
    return Distractor(
        kind=raw["kind"],
        texts=tuple(raw["texts"]),
        contradicts=tuple(raw["contradicts"]),
        system=raw.get("system"),
        finding=raw.get("finding"),
        context=raw.get("context"),
        sex=Sex(raw["sex"]) if raw.get("sex") else None,
        min_age=raw.get("min_age", 0),
    )


def _measure(key: str, raw: dict[str, Any]) -> Measure:
    return Measure(
        key=key,
        name=raw["name"],
        loinc=raw["loinc"],
        unit=raw["unit"],
        shown=raw.get("shown", raw["unit"]),
        normal=_pair(raw.get("normal"), (0.0, 0.0)),
        child_normal=tuple(raw["child_normal"]) if raw.get("child_normal") else None,
        decimals=raw["decimals"],
    )


def _read(name: str) -> dict[str, Any]:
    return json.loads(files("chartwell.synth").joinpath(name).read_text(encoding="utf-8"))


def _check_references(catalog: Catalog) -> None:
    """Fail at load time, naming the entry, when the catalog points at something missing."""
    for condition in catalog.conditions:
        for companion in condition.companions:
            if companion not in catalog.by_key:
                raise ValueError(f"catalog: {condition.key} names unknown companion {companion}")
        for uses in condition.procedures.values():
            for use in uses:
                if use.procedure not in catalog.procedures:
                    raise ValueError(f"catalog: {condition.key} names unknown procedure {use.procedure}")
        for lab in condition.labs:
            if lab not in catalog.labs:
                raise ValueError(f"catalog: {condition.key} names unknown lab {lab}")


@cache
def load_catalog() -> Catalog:
    """The packaged clinical catalog (read on first use, then shared)."""
    raw = _read("catalog.json")
    conditions = tuple(_condition(item) for item in raw["conditions"])
    by_key = {condition.key: condition for condition in conditions}
    if len(by_key) != len(conditions):
        raise ValueError("catalog: condition keys must be unique")
    catalog = Catalog(
        conditions=conditions,
        by_key=by_key,
        procedures={key: _procedure(key, item) for key, item in raw["procedures"].items()},
        labs={key: _measure(key, item) for key, item in raw["labs"].items()},
        basic_panel=tuple(raw["basic_panel"]),
        vitals={key: _measure(key, {"shown": item["unit"], **item}) for key, item in raw["vitals"].items()},
        vital_normals=tuple(
            (max_age, {k: tuple(v) for k, v in ranges.items()}) for max_age, ranges in raw["vital_normals"]
        ),
        distractors=tuple(_distractor(item) for item in raw["distractors"]),
        narrative=raw["narrative"],
        billing=raw["billing"],
    )
    _check_references(catalog)
    return catalog


@cache
def load_reference_data() -> dict[str, Any]:
    """Names, places, payers and specialties used to make people and organizations."""
    return _read("reference.json")

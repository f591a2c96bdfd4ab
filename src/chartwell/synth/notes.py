"""Clinical notes for a planned visit, in the section layout clinicians and coders know.

Each note is rendered from the visit plan, so its content matches the codes: every coded
condition appears in an assessment-type section in one of the catalog's phrasings, procedures
are described where they were done, and the distractors a coding engine must not code (negated
findings, family history, resolved history, outpatient 'possible ...') only ever name
conditions the visit does not code. Wording varies with the random generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chartwell.domain.records import DocumentType, Provider, Sex
from chartwell.synth.catalog import Catalog, Condition
from chartwell.synth.planning import INPATIENT, CodedCondition, Plan, PlannedProcedure, Visit

LOINC = {
    DocumentType.HISTORY_AND_PHYSICAL: "34117-2",
    DocumentType.PROGRESS_NOTE: "11506-3",
    DocumentType.DISCHARGE_SUMMARY: "18842-5",
    DocumentType.OPERATIVE_REPORT: "11504-8",
    DocumentType.EMERGENCY_NOTE: "34111-1",
    DocumentType.OFFICE_VISIT: "34108-1",
    DocumentType.DIAGNOSTIC_REPORT: "18748-4",
}
SEX_WORDS = {
    Sex.FEMALE: ("woman", "girl", "F"),
    Sex.MALE: ("man", "boy", "M"),
    Sex.UNKNOWN: ("patient", "child", "U"),
}
ASSESSED = "assessment"


@dataclass(frozen=True, slots=True)
class NoteDraft:
    document_type: DocumentType
    title: str
    text: str
    author: Provider
    authored_at: datetime


@dataclass(slots=True)
class Writer:
    """What every section needs: the plan, the visit, the catalog wording and the dice."""

    rng: random.Random
    plan: Plan
    visit: Visit
    catalog: Catalog
    facility: str

    def pick(self, name: str) -> str:
        return self.rng.choice(self.catalog.narrative[name])

    def phrase(self, condition: Condition) -> str:
        return self.rng.choice(condition.phrasings)


# ----------------------------------------------------------------------------- small helpers


def cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def sentence(text: str) -> str:
    text = cap(text.strip())
    return text if text.endswith((".", "!", "?")) else text + "."


def day_text(moment: date | datetime) -> str:
    return moment.strftime("%m/%d/%Y")


def time_text(moment: datetime) -> str:
    return moment.strftime("%m/%d/%Y %H:%M")


def doctor(provider: Provider) -> str:
    return f"{provider.given_name} {provider.family_name}, {provider.credentials}"


def section(heading: str, body: str) -> str:
    return f"{heading}:\n{body.strip()}\n"


def bullets(lines: list[str], empty: str) -> str:
    return "\n".join(f"- {line}" for line in lines) if lines else empty


def joined(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


def numbered(lines: list[str]) -> str:
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))


def patient_words(age: int, sex: Sex, months: int) -> str:
    """'67-year-old woman', '4-year-old boy', '7-month-old infant'."""
    adult, child, _ = SEX_WORDS[sex]
    if age == 0:
        return f"{max(months, 1)}-month-old {'infant' if sex is Sex.UNKNOWN else child}"
    return f"{age}-year-old {adult if age >= 18 else child}"


def _months_old(w: Writer) -> int:
    birth = w.plan.person.patient.birth_date
    start = w.visit.start.date()
    return (start.year - birth.year) * 12 + start.month - birth.month - (start.day < birth.day)


def header(w: Writer, title: str, *details: str) -> str:
    patient = w.plan.person.patient
    lines = [
        title.upper(),
        w.facility,
        f"Patient: {patient.family_name}, {patient.given_names}"
        f"    DOB: {day_text(patient.birth_date)}    Sex: {patient.sex.value}",
    ]
    return "\n".join(lines + [d for d in details if d]) + "\n"


# ----------------------------------------------------------------------------- history sections


def coded(w: Writer, *roles: str) -> list[CodedCondition]:
    return [c for c in w.visit.diagnoses if c.role in roles and c.condition.documented_in == ASSESSED]


def past_medical_history(w: Writer) -> str:
    return bullets(
        [cap(w.phrase(c.condition)) for c in coded(w, "chronic")], "No significant past medical history."
    )


def past_surgical_history(w: Writer) -> str:
    history = w.plan.history.past_history
    return "\n".join(f"- {line}" for line in history) if history else w.pick("no_surgical_history")


def medications(w: Writer) -> str:
    meds = list(w.visit.principal.meds[:2]) if not w.visit.principal.chronic else []
    for c in coded(w, "chronic", "principal"):
        meds += [m for m in w.plan.history.home_meds.get(c.condition.key, ()) if m not in meds]
    return bullets(meds, "None.")


def allergies(w: Writer) -> str:
    return "\n".join(w.plan.history.allergies)


def social_history(w: Writer) -> str:
    history = w.plan.history
    return " ".join(part for part in (history.tobacco, history.alcohol, history.living) if part)


def family_history(w: Writer) -> str:
    return " ".join(w.plan.history.family_history) or w.pick("no_family_history")


def history_of_present_illness(w: Writer, opener_pool: str = "hpi_openers") -> str:
    """Who the patient is, why they came, what they report, and one pertinent negative."""
    visit, person = w.visit, w.plan.person
    months = _months_old(w)
    words = patient_words(visit.age, person.sex, months)
    chronic = [w.phrase(c.condition) for c in coded(w, "chronic")]
    if chronic:
        clause = w.pick("history_clause").format(history=joined(chronic))
    else:
        clause = w.pick("no_history")
    age = f"{visit.age} yo" if visit.age else f"{max(months, 1)} mo"
    short = f"{age} {SEX_WORDS[person.sex][2]}"
    opener = w.pick(opener_pool).format(
        patient=f"{cap(words)} {clause}",
        patient_short=f"{short} {clause}",
        complaint=visit.complaint,
        duration=visit.duration,
        procedure=" and ".join(p.spec.name for p in visit.procedures),
        reason=w.phrase(visit.principal),
    )
    parts = [opener, *_reported_symptoms(w)]
    parts += [text for d, text in visit.negatives[:1] if d.system != "results"]
    return " ".join(parts)


def _reported_symptoms(w: Writer) -> list[str]:
    symptoms = [s.text for c in w.visit.conditions("principal", "companion") for s in c.symptoms]
    if not symptoms:
        return []
    return [sentence("Reports " + joined(symptoms))]


def review_of_systems(w: Writer) -> str:
    """Positives from the current problem, negatives from the visit's chosen negations."""
    labels = w.catalog.narrative["ros_labels"]
    found: dict[str, list[str]] = {}
    for condition in w.visit.conditions("principal", "companion"):
        for symptom in condition.symptoms:
            found.setdefault(symptom.system, []).append(sentence(symptom.text))
    for distractor, text in w.visit.negatives:
        if distractor.system in labels:
            found.setdefault(distractor.system, []).append(text)
    lines = [f"{labels[s]}: {' '.join(found[s])}" for s in w.catalog.narrative["ros_systems"] if s in found]
    return "\n".join([*lines, "All other systems reviewed and negative."])


# ----------------------------------------------------------------------------- examination, data


def vitals_line(vitals: dict[str, float]) -> str:
    if not vitals:
        return ""
    fahrenheit = vitals["temp_c"] * 9 / 5 + 32
    return (
        f"Vitals: BP {vitals['systolic']:.0f}/{vitals['diastolic']:.0f} | HR {vitals['heart_rate']:.0f} | "
        f"RR {vitals['resp_rate']:.0f} | T {vitals['temp_c']:.1f} C ({fahrenheit:.1f} F) | "
        f"SpO2 {vitals['spo2']:.0f}% on room air | Ht {vitals['height_cm']:.1f} cm | "
        f"Wt {vitals['weight_kg']:.1f} kg | BMI {vitals['bmi']:.1f}"
    )


def physical_examination(w: Writer) -> str:
    """Normal findings by system, replaced where a coded condition has its own finding."""
    narrative = w.catalog.narrative
    findings: dict[str, list[str]] = {}
    for condition in w.visit.conditions("principal", "companion"):
        for system, lines in condition.exam.items():
            findings.setdefault(system, []).append(sentence(w.rng.choice(lines)))
    for condition in w.visit.conditions("chronic"):  # only where the current problem is silent
        for system, lines in condition.exam.items():
            findings.setdefault(system, [sentence(w.rng.choice(lines))])
    systems = [s for s in narrative["exam_systems"] if s in narrative["exam_core"] or s in findings]
    normal = narrative["exam_normal_child"] if w.visit.age < 12 else {}
    lines = [vitals_line(w.visit.vitals)]
    for system in systems:
        text = (
            " ".join(findings[system])
            if system in findings
            else w.rng.choice(normal.get(system) or narrative["exam_normal"][system])
        )
        lines.append(f"{narrative['exam_labels'][system]}: {text}")
    return "\n".join(line for line in lines if line)


def results(w: Writer) -> str:
    labs = w.catalog.labs
    shown = [
        f"{labs[key].name} {value:.{labs[key].decimals}f} {labs[key].shown}".rstrip()
        for key, value in w.visit.labs.items()
    ]
    parts = [", ".join(shown) + "." if shown else ""]
    parts += [text for d, text in w.visit.negatives if d.system == "results"]
    return " ".join(p for p in parts if p)


def procedure_notes(w: Writer) -> str:
    """Office and ED procedures documented inside the visit note."""
    return "\n".join(
        f"{cap(p.spec.name)}: {w.rng.choice(p.spec.findings)}" if p.spec.findings else cap(p.spec.name)
        for p in w.visit.procedures
    )


# ----------------------------------------------------------------------------- assessment


def _item(
    w: Writer, coded_condition: CodedCondition, principal_plan: str | None, through_day: int = -1
) -> str:
    condition = coded_condition.condition
    phrase = cap(w.phrase(condition))
    if coded_condition.role == "principal":
        return f"{phrase}: {principal_plan}" if principal_plan else sentence(phrase)
    if coded_condition.role == "acquired":
        if coded_condition.day == through_day:
            return acquired_text(w, coded_condition)
        return f"{phrase}: {w.pick('improving')}"
    if coded_condition.role == "companion":
        return f"{phrase}: {w.pick('companion_default')}"
    plans = (
        condition.inpatient_plan
        if w.visit.setting is INPATIENT and condition.inpatient_plan
        else condition.chronic_plan
    )
    plan = w.rng.choice(plans) if plans else w.pick("chronic_default")
    return f"{phrase}: {plan}"


def acquired_label(w: Writer, coded_condition: CodedCondition) -> str:
    """A problem that arose during the stay, as listed among the discharge diagnoses."""
    pool = {"N": "acquired_n_label", "W": "acquired_w_label", "U": "acquired_u_label"}[
        coded_condition.poa or "N"
    ]
    return w.pick(pool).format(Phrasing=cap(w.phrase(coded_condition.condition)), day=coded_condition.day + 1)


def acquired_text(w: Writer, coded_condition: CodedCondition) -> str:
    """How a problem that arose during the stay is written, which decides its POA value."""
    pool = {"N": "acquired_n", "W": "acquired_w", "U": "acquired_u"}[coded_condition.poa or "N"]
    phrase = w.phrase(coded_condition.condition)
    plan = w.rng.choice(coded_condition.condition.plan) if coded_condition.condition.plan else ""
    return (
        w.pick(pool)
        .format(Phrasing=cap(phrase), phrasing=phrase, day=coded_condition.day + 1, plan=plan)
        .strip()
    )


def assessment_and_plan(
    w: Writer,
    principal_plan: str | None,
    *,
    through_day: int = -1,
    extra: tuple[str, ...] = (),
    companions: bool = True,
) -> str:
    """Numbered problems: principal first, then its companions, chronic problems, problems that
    arose by ``through_day``; an outpatient 'possible ...' may close the list."""
    roles = ("principal", "companion", "chronic", "acquired") if companions else ("principal", "chronic")
    items = [
        _item(w, c, principal_plan, through_day)
        for c in coded(w, *roles)
        if c.role != "acquired" or c.day <= through_day
    ]
    if w.visit.uncertain and w.visit.setting is not INPATIENT:
        items.append(w.visit.uncertain[1])
    return numbered(items) + ("\n" + "\n".join(extra) if extra else "")


def _principal_plan(w: Writer) -> str:
    principal = w.visit.principal
    plans = principal.plan
    if w.visit.setting is INPATIENT and principal.admission_plan:
        plans = principal.admission_plan
    return w.rng.choice(plans) if plans else w.pick("improving")


# ----------------------------------------------------------------------------- note bodies


def _history_sections(w: Writer) -> list[str]:
    return [
        section("PAST MEDICAL HISTORY", past_medical_history(w)),
        section("PAST SURGICAL HISTORY", past_surgical_history(w)),
        section("MEDICATIONS", medications(w)),
        section("ALLERGIES", allergies(w)),
        section("SOCIAL HISTORY", social_history(w) or "Noncontributory."),
        section("FAMILY HISTORY", family_history(w)),
        section("REVIEW OF SYSTEMS", review_of_systems(w)),
        section("PHYSICAL EXAMINATION", physical_examination(w)),
    ]


def _opener_pool(visit: Visit) -> str:
    """A known problem brings an established patient back and a new one in to establish care;
    a new problem 'presents with' symptoms 'for' some days."""
    if not visit.principal.chronic:
        return "hpi_openers"
    return "new_patient_openers" if visit.new_patient else "followup_openers"


def office_visit(w: Writer) -> NoteDraft:
    visit = w.visit
    kind = "New patient" if visit.new_patient else "Established patient"
    parts = [
        header(
            w,
            "Office Visit",
            f"Date of service: {day_text(visit.start)}    Visit type: {kind}",
            f"Provider: {doctor(visit.author)}",
        ),
        section("CHIEF COMPLAINT", cap(visit.complaint)),
        section("HISTORY OF PRESENT ILLNESS", history_of_present_illness(w, _opener_pool(visit))),
        *_history_sections(w),
    ]
    if visit.labs:
        parts.append(section("RESULTS", results(w)))
    if visit.procedures:
        parts.append(section("PROCEDURE NOTE", procedure_notes(w)))
    parts += [
        section("ASSESSMENT AND PLAN", assessment_and_plan(w, _principal_plan(w))),
        section("FOLLOW-UP", w.pick("follow_up")),
    ]
    at = visit.end + timedelta(minutes=w.rng.randint(0, 120))
    return NoteDraft(DocumentType.OFFICE_VISIT, "Office Visit Note", "\n".join(parts), visit.author, at)


def emergency_note(w: Writer) -> NoteDraft:
    visit = w.visit
    parts = [
        header(
            w,
            "Emergency Department Note",
            f"Arrival: {time_text(visit.start)}",
            f"Emergency physician: {doctor(visit.author)}",
        ),
        section("CHIEF COMPLAINT", cap(visit.complaint)),
        section("HISTORY OF PRESENT ILLNESS", history_of_present_illness(w)),
        *_history_sections(w),
    ]
    if visit.labs or any(d.system == "results" for d, _ in visit.negatives):
        parts.append(section("RESULTS", results(w)))
    if visit.procedures:
        parts.append(section("PROCEDURES", procedure_notes(w)))
    parts += [
        section("ED COURSE AND MEDICAL DECISION MAKING", _principal_plan(w)),
        section("ASSESSMENT AND PLAN", assessment_and_plan(w, None)),
        section("DISPOSITION", w.pick("ed_disposition")),
    ]
    at = max(visit.start + timedelta(minutes=30), visit.end - timedelta(minutes=w.rng.randint(0, 30)))
    return NoteDraft(
        DocumentType.EMERGENCY_NOTE, "Emergency Department Note", "\n".join(parts), visit.author, at
    )


def history_and_physical(w: Writer) -> NoteDraft:
    visit = w.visit
    parts = [
        header(
            w,
            "History and Physical",
            f"Admission date: {time_text(visit.start)}",
            f"Attending: {doctor(visit.author)}",
        ),
        section("CHIEF COMPLAINT", cap(visit.complaint)),
        section("HISTORY OF PRESENT ILLNESS", history_of_present_illness(w)),
        *_history_sections(w),
    ]
    if visit.labs:
        parts.append(section("LABORATORY DATA", results(w)))
    extra = (
        (w.pick("prophylaxis"), w.pick("code_status")) if visit.age >= 18 else ("Code status: Full code.",)
    )
    parts.append(
        section("ASSESSMENT AND PLAN", assessment_and_plan(w, _principal_plan(w), through_day=0, extra=extra))
    )
    at = visit.start + timedelta(minutes=w.rng.randint(45, 240))
    return NoteDraft(
        DocumentType.HISTORY_AND_PHYSICAL, "History and Physical", "\n".join(parts), visit.author, at
    )


def progress_note(w: Writer, day: int) -> NoteDraft:
    visit = w.visit
    moment = visit.start.replace(hour=9, minute=0) + timedelta(days=day)
    at = min(moment + timedelta(minutes=w.rng.randint(0, 180)), visit.end - timedelta(minutes=5))
    parts = [
        header(
            w,
            "Progress Note",
            f"Date: {day_text(at)}    Hospital day {day + 1}",
            f"Attending: {doctor(visit.author)}",
        ),
        section("SUBJECTIVE", w.pick("progress_subjective")),
        section("OBJECTIVE", w.pick("progress_objective")),
        section("ASSESSMENT AND PLAN", assessment_and_plan(w, w.pick("improving"), through_day=day)),
    ]
    return NoteDraft(DocumentType.PROGRESS_NOTE, "Progress Note", "\n".join(parts), visit.author, at)


def progress_days(visit: Visit) -> list[int]:
    """A note on each of the first hospital days after admission, and on the day any new
    problem appeared, so every acquired condition is written where it happened."""
    days = set(range(1, min(visit.stay_days, 3)))
    days |= {c.day for c in visit.diagnoses if c.role == "acquired"}
    return sorted(d for d in days if 0 < d < max(visit.stay_days, 1))


def hospital_course(w: Writer, expired: bool) -> str:
    """The stay in a few sentences; a patient who died is not described as improving."""
    visit = w.visit
    if expired:
        opening = f"Treated for {w.phrase(visit.principal)}."
    elif visit.principal.course:
        opening = w.rng.choice(visit.principal.course)
    else:
        opening = sentence(w.pick("improving"))
    course = [opening] + [acquired_text(w, c) for c in visit.diagnoses if c.role == "acquired"]
    course += [text for d, text in visit.negatives if d.system == "results"]
    if expired:
        course.append(f"Despite treatment the patient declined and expired on {time_text(visit.end)}.")
    return " ".join(course)


def discharge_summary(w: Writer) -> NoteDraft:
    visit = w.visit
    expired = visit.disposition == "20"
    secondary = [
        acquired_label(w, c) if c.role == "acquired" else cap(w.phrase(c.condition))
        for c in coded(w, "companion", "acquired", "chronic")
    ]
    procedures = [f"{cap(p.spec.name)} ({day_text(p.at)})" for p in visit.procedures]
    consult = visit.provider("consulting")
    course = hospital_course(w, expired)
    parts = [
        header(
            w,
            "Discharge Summary",
            f"Admission date: {time_text(visit.start)}    Discharge date: {time_text(visit.end)}",
            f"Attending: {doctor(visit.author)}",
        ),
        section("ADMITTING DIAGNOSIS", cap(w.phrase(visit.principal))),
        section(
            "DISCHARGE DIAGNOSES",
            f"Principal diagnosis: {cap(w.phrase(visit.principal))}\nSecondary diagnoses:\n"
            + bullets(secondary, "None."),
        ),
        section("PROCEDURES", bullets(procedures, "None.")),
        section("CONSULTATIONS", f"{consult.specialty}: {doctor(consult)}" if consult else "None."),
        section("HOSPITAL COURSE", course),
        section("CONDITION AT DISCHARGE", "Expired." if expired else w.pick("discharge_condition")),
        section("DISCHARGE DISPOSITION", w.catalog.narrative["disposition_text"][visit.disposition]),
    ]
    if not expired:
        parts += [section("DISCHARGE MEDICATIONS", medications(w)), section("FOLLOW-UP", w.pick("follow_up"))]
    at = max(visit.start + timedelta(hours=1), visit.end - timedelta(minutes=w.rng.randint(0, 90)))
    return NoteDraft(DocumentType.DISCHARGE_SUMMARY, "Discharge Summary", "\n".join(parts), visit.author, at)


def operative_report(w: Writer, planned: PlannedProcedure) -> NoteDraft:
    """Pre- and postoperative diagnoses, procedure, anesthesia, findings, blood loss."""
    visit, spec = w.visit, planned.spec
    preop = cap(w.phrase(visit.principal))
    found = [cap(w.phrase(c.condition)) for c in coded(w, "companion")] if visit.kind == "day_surgery" else []
    postop = "; ".join([preop, *found]) if found else w.rng.choice(["Same.", preop])
    low, high = spec.ebl_ml
    blood = w.rng.randint(low, high) if high else 0
    parts = [
        header(
            w,
            spec.report_title or "Operative Report",
            f"Date of procedure: {day_text(planned.at)}",
            f"{'Surgeon' if spec.kind == 'surgery' else 'Performed by'}: {doctor(planned.provider)}",
        ),
        section("PREOPERATIVE DIAGNOSIS", preop),
        section("POSTOPERATIVE DIAGNOSIS", postop),
        section("PROCEDURE", cap(spec.name)),
        section("ANESTHESIA", cap(spec.anesthesia or "local")),
        section(
            "INDICATIONS",
            f"{cap(patient_words(visit.age, w.plan.person.sex, _months_old(w)))} with "
            f"{w.phrase(visit.principal)}.",
        ),
        section(
            "DESCRIPTION OF PROCEDURE",
            " ".join([w.pick("op_opening"), *spec.technique, w.pick("op_closing")]),
        ),
        section("FINDINGS", w.rng.choice(spec.findings)),
        section("ESTIMATED BLOOD LOSS", f"{blood} mL" if blood else "Minimal."),
        section("SPECIMENS", spec.specimens or "None."),
        section("COMPLICATIONS", "None."),
    ]
    at = planned.at + timedelta(minutes=w.rng.randint(30, 90))
    return NoteDraft(
        DocumentType.OPERATIVE_REPORT,
        spec.report_title or "Operative Report",
        "\n".join(parts),
        planned.provider,
        at,
    )


def preoperative_note(w: Writer) -> NoteDraft:
    visit = w.visit
    names = " and ".join(p.spec.name for p in visit.procedures)
    plan = w.pick("preop_plan").format(procedure=names)
    parts = [
        header(
            w,
            "Preoperative History and Physical",
            f"Date of service: {day_text(visit.start)}",
            f"Surgeon: {doctor(visit.author)}",
        ),
        section("CHIEF COMPLAINT", cap(visit.complaint)),
        section("HISTORY OF PRESENT ILLNESS", history_of_present_illness(w, "preop_openers")),
        *_history_sections(w),
        section("ASSESSMENT AND PLAN", assessment_and_plan(w, plan, companions=False)),
    ]
    at = visit.start + timedelta(minutes=w.rng.randint(15, 40))
    return NoteDraft(
        DocumentType.OFFICE_VISIT, "Preoperative History and Physical", "\n".join(parts), visit.author, at
    )


def imaging_report(w: Writer) -> NoteDraft:
    visit = w.visit
    planned = visit.procedures[0]
    spec = planned.spec
    referring = visit.provider("referring")
    parts = [
        header(
            w,
            spec.name,
            f"Exam date: {time_text(planned.at)}",
            f"Referring physician: {doctor(referring)}" if referring else "",
        ),
        section("EXAMINATION", cap(spec.name)),
        section("CLINICAL INDICATION", sentence(w.phrase(visit.principal))),
        section("TECHNIQUE", " ".join(spec.technique)),
        section("COMPARISON", w.rng.choice(["None.", "None available."])),
        section("FINDINGS", w.rng.choice(spec.findings)),
        section("IMPRESSION", w.rng.choice(spec.impression)),
        f"Interpreted by: {doctor(visit.author)}\n",
    ]
    at = planned.at + timedelta(minutes=w.rng.randint(30, 600))
    return NoteDraft(
        DocumentType.DIAGNOSTIC_REPORT, cap(spec.name), "\n".join(p for p in parts if p), visit.author, at
    )


def write_notes(
    rng: random.Random, plan: Plan, visit: Visit, catalog: Catalog, facility: str
) -> list[NoteDraft]:
    """The notes of one visit, in the order they were written."""
    w = Writer(rng, plan, visit, catalog, facility)
    reports = [operative_report(w, p) for p in visit.procedures if p.spec.has_report]
    if visit.kind == "admission":
        notes = [
            history_and_physical(w),
            *(progress_note(w, d) for d in progress_days(visit)),
            *reports,
            discharge_summary(w),
        ]
    elif visit.kind == "day_surgery":
        notes = [preoperative_note(w), *reports]
    elif visit.kind == "imaging":
        notes = [imaging_report(w)]
    elif visit.kind == "emergency":
        notes = [emergency_note(w)]
    else:
        notes = [office_visit(w)]
    return sorted(notes, key=lambda note: note.authored_at)

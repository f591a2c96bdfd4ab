"""chartwell.synth: determinism, valid reference data, and notes that agree with their codes.

The generated records are the gold standard later work (computer-assisted coding, edits,
completeness review, claims) is measured against, so these tests check the coder's rules, not
just shapes: every coded condition is written in the notes, no distractor contradicts a code,
POA only where it belongs, E/M and modifiers where a biller expects them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import zipfile
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from chartwell.domain.npi import is_valid_npi, npi_check_digit
from chartwell.domain.records import DocumentType, EncounterSetting, RecordBatch, Sex
from chartwell.synth import SyntheticRecords, generate
from chartwell.synth.catalog import Distractor, load_catalog
from chartwell.synth.people import age_on
from support import shared_data

SEED = 20260101
CATALOG = load_catalog()
SETTINGS = set(EncounterSetting)
ASSESSMENT_SECTIONS = (
    "ASSESSMENT AND PLAN",
    "DISCHARGE DIAGNOSES",
    "POSTOPERATIVE DIAGNOSIS",
    "CLINICAL INDICATION",
)
NUCC_CODES = {
    "207R00000X",
    "207Q00000X",
    "208000000X",
    "207P00000X",
    "208600000X",
    "207X00000X",
    "207RC0000X",
    "207RG0100X",
    "2084N0400X",
    "207W00000X",
    "2085R0202X",
}


@pytest.fixture(scope="module")
def records() -> SyntheticRecords:
    return generate(seed=SEED, patients=300)


@pytest.fixture(scope="module")
def fifty() -> SyntheticRecords:
    return generate(seed=SEED, patients=50)


@pytest.fixture(scope="module")
def thousand() -> tuple[SyntheticRecords, float]:
    """A thousand patients and the seconds they took: for rare events and the speed check."""
    started = time.perf_counter()
    result = generate(seed=1, patients=1000)
    return result, time.perf_counter() - started


# ----------------------------------------------------------------------------- helpers


def mentions(text: str, phrase: str) -> bool:
    """Whole-word match; case-sensitive for all-capital abbreviations (PE, AF, CAP), so 'pe'
    inside 'pertinent' or 'cap' inside 'capillary' never counts."""
    flags = 0 if phrase.isupper() else re.IGNORECASE
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(phrase)}(?![A-Za-z0-9])", text, flags) is not None


def phrasings_of(code: str) -> set[str]:
    return {p for c in CATALOG.conditions if c.icd10cm == code for p in c.phrasings}


def encounters(records: SyntheticRecords):
    """(batch, encounter, its diagnoses, procedures, documents, note text) for every encounter."""
    for batch in records.patients:
        for encounter in batch.encounters:
            dx = sorted(
                (d for d in batch.diagnoses if d.encounter_id == encounter.id), key=lambda d: d.sequence
            )
            px = sorted(
                (p for p in batch.procedures if p.encounter_id == encounter.id), key=lambda p: p.sequence
            )
            docs = [d for d in batch.documents if d.encounter_id == encounter.id]
            text = "\n".join(v.text for d in docs for v in d.versions)
            yield batch, encounter, dx, px, docs, text


def sections(text: str, headings: tuple[str, ...]) -> str:
    """The bodies of the named sections (heading line up to the next blank line)."""
    found = []
    for heading in headings:
        found += re.findall(rf"^{heading}:\n(.*?)(?:\n\n|\Z)", text, re.MULTILINE | re.DOTALL)
    return "\n".join(found)


def all_ids(records: SyntheticRecords) -> list:
    batches = [records.reference, *records.patients]
    groups = (
        "organizations",
        "providers",
        "payers",
        "patients",
        "coverages",
        "encounters",
        "documents",
        "diagnoses",
        "procedures",
        "observations",
        "charges",
    )
    return [item.id for batch in batches for group in groups for item in getattr(batch, group)]


# ----------------------------------------------------------------------------- determinism, identity


def test_same_seed_gives_identical_records():
    assert generate(seed=7, patients=25) == generate(seed=7, patients=25)


def test_same_seed_is_identical_across_processes_and_hash_seeds():
    """String hashing differs per process; nothing generated may depend on it."""
    script = (
        "import hashlib; from chartwell.synth import generate; "
        "print(hashlib.sha256(repr(generate(seed=5, patients=15)).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(digests) == 1


@pytest.mark.parametrize("other_seed", [8, 70, 123456])
def test_different_seed_gives_different_records(other_seed):
    base, other = generate(seed=7, patients=10), generate(seed=other_seed, patients=10)
    assert [b.patients[0].id for b in base.patients] != [b.patients[0].id for b in other.patients]
    assert [b.patients[0].family_name for b in base.patients] != [
        b.patients[0].family_name for b in other.patients
    ]
    assert {p.npi for p in base.reference.providers}.isdisjoint({p.npi for p in other.reference.providers})


def test_a_patient_does_not_depend_on_how_many_are_generated():
    assert generate(seed=7, patients=5).patients == generate(seed=7, patients=12).patients[:5]


def test_ids_are_unique_and_source_keys_name_the_seed(records):
    ids = all_ids(records)
    assert len(ids) == len(set(ids))
    for number, batch in enumerate(records.patients, start=1):
        assert batch.patients[0].source_key == f"synth:{SEED}:patient:{number}"
        assert all(
            e.source_key.startswith(f"synth:{SEED}:patient:{number}:encounter:") for e in batch.encounters
        )
    assert all(p.source_key.startswith(f"synth:{SEED}:provider:") for p in records.reference.providers)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"seed": 1, "patients": -1}, ValueError),
        ({"seed": 1, "patients": 2, "start": date(2025, 1, 1), "end": date(2025, 1, 5)}, ValueError),
        ({"seed": 1, "patients": 2, "start": date(2025, 2, 1), "end": date(2025, 1, 1)}, ValueError),
        ({"seed": "1", "patients": 2}, TypeError),
    ],
)
def test_bad_arguments_are_refused(arguments, error):
    with pytest.raises(error):
        generate(**arguments)


def test_zero_patients_still_gives_the_reference():
    result = generate(seed=3, patients=0)
    assert result.patients == [] and result.reference.providers


# ----------------------------------------------------------------------------- reference data


def test_every_provider_and_organization_npi_is_valid(records):
    npis = [p.npi for p in records.reference.providers] + [o.npi for o in records.reference.organizations]
    assert len(npis) == len(set(npis)) >= 14
    assert all(is_valid_npi(npi) for npi in npis)
    assert {npi[0] for npi in npis} == {"1", "2"}


@pytest.mark.parametrize("npi", ["1234567893", "2000000002"])
def test_npi_check_is_a_real_check(npi, records):
    """Near miss: a valid NPI, or any generated one, with its check digit changed must fail."""
    generated = [p.npi for p in records.reference.providers[:3]]
    for valid in [npi, *generated]:
        assert is_valid_npi(valid) and npi_check_digit(valid[:9]) == int(valid[9])
        assert not is_valid_npi(valid[:9] + str((int(valid[9]) + 1) % 10))


def test_reference_has_a_hospital_a_clinic_and_the_payer_mix(records):
    reference = records.reference
    assert len(reference.organizations) == 2
    assert {p.taxonomy_code for p in reference.providers} <= NUCC_CODES
    categories = Counter(p.category for p in reference.payers)
    assert categories == Counter({"commercial": 3, "medicare": 1, "medicaid": 1, "self-pay": 1})
    assert all(p.payer_identifier for p in reference.payers)


def test_patients_are_plainly_synthetic(records):
    ages = []
    for batch in records.patients:
        patient = batch.patients[0]
        assert re.fullmatch(r"\(\d{3}\) 555-01\d\d", patient.phone)
        assert patient.email is None or patient.email.endswith("@example.com")
        ages.append(age_on(patient.birth_date, date(2025, 1, 1)))
    assert min(ages) <= 5 and max(ages) >= 85
    assert {b.patients[0].sex for b in records.patients} == set(Sex)


# ----------------------------------------------------------------------------- encounters


def test_fifty_patients_cover_every_setting_and_visit_kind(fifty):
    found = {e.setting for b in fifty.patients for e in b.encounters}
    assert found == SETTINGS
    kinds = {e.encounter_type for b in fifty.patients for e in b.encounters}
    assert kinds == {
        "Inpatient admission",
        "Outpatient surgery",
        "Outpatient imaging",
        "Emergency department visit",
        "Office visit",
    }


def test_encounters_fall_inside_the_period_and_end_after_they_start(records):
    for _, encounter, *_ in encounters(records):
        assert (
            date(2025, 1, 1)
            <= encounter.admit_at.date()
            <= encounter.discharge_at.date()
            <= date(2026, 10, 31)
        )
        assert encounter.discharge_at > encounter.admit_at
        assert encounter.providers and encounter.payer_id


UB04_DISPOSITIONS = {"01", "03", "06", "20", "62"}


def test_inpatient_stays_carry_ub04_codes_and_last_1_to_10_days(records):
    stays = [e for _, e, *_ in encounters(records) if e.setting is EncounterSetting.INPATIENT]
    assert stays
    for stay in stays:
        assert 1 <= (stay.discharge_at.date() - stay.admit_at.date()).days <= 10
        assert stay.admit_type in {"1", "2", "3"} and stay.admit_source in {"1", "2", "4", "5"}
        assert stay.discharge_disposition in UB04_DISPOSITIONS
        assert {"attending", "admitting"} <= {p.role for p in stay.providers}
    others = [e for _, e, *_ in encounters(records) if e.setting is not EncounterSetting.INPATIENT]
    assert all(e.discharge_disposition is None and e.admit_type is None for e in others)


def test_expired_patients_die_at_the_end_of_their_last_stay(thousand):
    deaths = 0
    for batch in thousand[0].patients:
        patient = batch.patients[0]
        expired = [e for e in batch.encounters if e.discharge_disposition == "20"]
        if patient.deceased_at is None:
            assert not expired
            continue
        deaths += 1
        assert len(expired) == 1 and expired[0].discharge_at == patient.deceased_at
        assert max(e.admit_at for e in batch.encounters) == expired[0].admit_at
    assert deaths >= 1


def test_coded_conditions_fit_the_patients_age_and_sex(records):
    for batch, encounter, dx, *_ in encounters(records):
        patient = batch.patients[0]
        age = age_on(patient.birth_date, encounter.admit_at.date())
        for diagnosis in dx:
            candidates = [c for c in CATALOG.conditions if c.icd10cm == diagnosis.code]
            assert any(c.fits(age, patient.sex) for c in candidates), (diagnosis.code, age, patient.sex)


# ----------------------------------------------------------------------------- diagnoses


def test_diagnoses_are_sequenced_with_poa_only_on_inpatient(records):
    exempt = {c.icd10cm for c in CATALOG.conditions if c.poa_exempt}
    for _, encounter, dx, *_ in encounters(records):
        assert [d.sequence for d in dx] == list(range(1, len(dx) + 1))
        assert len({d.code for d in dx}) == len(dx)
        assert all(d.code_system == "icd10cm" for d in dx)
        for diagnosis in dx:
            if encounter.setting is not EncounterSetting.INPATIENT or diagnosis.code in exempt:
                assert diagnosis.poa is None
            else:
                assert diagnosis.poa in {"Y", "N", "U", "W"}
        if encounter.setting is EncounterSetting.INPATIENT:
            assert dx[0].poa == "Y"


def test_some_inpatient_conditions_arise_during_the_stay(records):
    poa = Counter(
        d.poa for _, e, dx, *_ in encounters(records) for d in dx if e.setting is EncounterSetting.INPATIENT
    )
    assert poa["Y"] and poa["N"] and (poa["W"] or poa["U"])


@pytest.mark.parametrize(
    ("codes", "coded_together"),
    [
        ({"I10", "E78.5"}, True),
        ({"I11.0", "I50.23"}, True),
        ({"E11.22", "N18.31", "I12.9"}, True),
        ({"I10", "I50.9"}, False),  # hypertension with heart failure is I11.0
        ({"I10", "N18.4"}, False),  # hypertension with CKD is I12.9
        ({"E11.9", "E11.40"}, False),  # one diabetes code per encounter here
        ({"J44.9", "J44.1"}, False),
        ({"M17.11", "M17.12"}, False),  # both knees is M17.0
        ({"J18.9", "J44.9"}, False),  # COPD with pneumonia is J44.0
    ],
)
def test_combination_code_rules_hold_on_every_encounter(thousand, codes, coded_together):
    together = any(codes <= {d.code for d in dx} for _, _, dx, *_ in encounters(thousand[0]))
    if coded_together:
        assert together, f"expected {codes} coded together on some encounter"
    else:
        assert not together, f"{codes} must never be coded together"


def test_every_coded_diagnosis_is_written_in_the_notes(records):
    for _, encounter, dx, _, _, text in encounters(records):
        for diagnosis in dx:
            assert any(mentions(text, p) for p in phrasings_of(diagnosis.code)), (
                encounter.source_key,
                diagnosis.code,
            )


def test_conditions_are_documented_in_an_assessment_type_section(records):
    """Problems are in the assessment, discharge diagnoses, postoperative diagnosis or the
    imaging indication; habits and allergies in their own sections."""
    home = {"social_history": ("SOCIAL HISTORY",), "allergies": ("ALLERGIES",)}
    for _, encounter, dx, _, _, text in encounters(records):
        for diagnosis in dx:
            condition = next(c for c in CATALOG.conditions if c.icd10cm == diagnosis.code)
            body = sections(text, home.get(condition.documented_in, ASSESSMENT_SECTIONS))
            assert any(mentions(body, p) for p in phrasings_of(diagnosis.code)), (
                encounter.source_key,
                diagnosis.code,
            )


def test_principal_diagnosis_is_the_reason_for_the_visit(records):
    for _, encounter, dx, _, _, text in encounters(records):
        principal = sections(text, ("ASSESSMENT AND PLAN", "CLINICAL INDICATION", "PREOPERATIVE DIAGNOSIS"))
        first_item = principal.split("\n")[0]
        if encounter.setting is EncounterSetting.INPATIENT:
            first_item = sections(text, ("DISCHARGE DIAGNOSES",)).split("\n")[0]
        assert any(mentions(first_item, p) for p in phrasings_of(dx[0].code)), (
            encounter.source_key,
            first_item,
        )


# ----------------------------------------------------------------------------- distractors


def test_distractors_never_name_a_coded_condition_as_present(records):
    used = Counter()
    for _, encounter, dx, px, _, text in encounters(records):
        codes = {d.code for d in dx} | {p.code for p in px}
        for distractor in CATALOG.distractors:
            for wording in distractor.texts:
                if wording in text:
                    used[distractor.kind] += 1
                    assert not distractor.contradicted_by(codes), (encounter.source_key, wording, codes)
    assert used["negated"] and used["family_history"] and used["history"] and used["uncertain"]


def test_uncertain_diagnoses_stay_out_of_inpatient_notes(records):
    uncertain = [t for d in CATALOG.distractors if d.kind == "uncertain" for t in d.texts]
    for _, encounter, *_, text in encounters(records):
        if encounter.setting is EncounterSetting.INPATIENT:
            assert not any(t in text for t in uncertain)


@pytest.mark.parametrize(
    ("codes", "contradicted"),
    [({"R07.9"}, True), ({"I21.4", "E78.5"}, True), ({"R05.9"}, False), (set(), False), ({"R0"}, False)],
)
def test_distractor_contradiction_is_by_code_prefix(codes, contradicted):
    denies_chest_pain = Distractor(
        "negated",
        ("Denies chest pain.",),
        ("R07", "I20", "I21"),
        "cardiovascular",
        "chest pain",
        None,
        None,
        0,
    )
    assert denies_chest_pain.contradicted_by(codes) is contradicted


def test_distractor_wording_names_no_condition_it_does_not_exclude():
    """'Mother with hypertension' must exclude I10: a distractor that names a catalog condition
    must list that condition's code among those it contradicts."""
    for distractor in CATALOG.distractors:
        for wording in distractor.texts:
            for condition in CATALOG.conditions:
                if any(mentions(wording, p) for p in condition.phrasings):
                    assert distractor.contradicted_by({condition.icd10cm}), (wording, condition.key)


# ----------------------------------------------------------------------------- procedures, charges


def test_procedure_code_systems_follow_the_setting(records):
    for _, encounter, _, px, *_ in encounters(records):
        systems = {p.code_system for p in px}
        if encounter.setting is EncounterSetting.INPATIENT:
            assert systems <= {"icd10pcs"}
        else:
            assert systems <= {"cpt", "hcpcs"}
        for procedure in px:
            assert procedure.performed_at and procedure.units >= 1 and procedure.performing_provider_id
            if procedure.code_system == "cpt":
                assert re.fullmatch(r"\d{5}", procedure.code) and procedure.display is None  # no AMA text
            if procedure.code_system == "icd10pcs":
                assert re.fullmatch(r"[0-9A-HJ-NP-Z]{7}", procedure.code) and procedure.display


@pytest.mark.parametrize(
    ("setting", "pattern"),
    [(EncounterSetting.PROFESSIONAL, r"992(0[2-5]|1[2-5])"), (EncounterSetting.EMERGENCY, r"9928[1-5]")],
)
def test_visits_are_coded_with_an_em_code_first(records, setting, pattern):
    seen = 0
    for _, encounter, _, px, *_ in encounters(records):
        if encounter.setting is setting:
            seen += 1
            assert re.fullmatch(pattern, px[0].code)
            assert not any(re.fullmatch(pattern, p.code) for p in px[1:])
    assert seen


def test_em_takes_modifier_25_exactly_when_a_minor_procedure_is_billed(records):
    minor = {s.cpt for s in CATALOG.procedures.values() if s.em_modifier_25}
    with_25 = 0
    for _, encounter, _, px, *_ in encounters(records):
        if encounter.setting in (EncounterSetting.PROFESSIONAL, EncounterSetting.EMERGENCY):
            has_minor = any(p.code in minor for p in px[1:])
            assert ("25" in px[0].modifiers) is has_minor
            with_25 += has_minor
    assert with_25


SIDE_OF = {
    "H25.11": "RT",
    "H25.12": "LT",
    "G56.01": "RT",
    "G56.02": "LT",
    "S52.501A": "RT",
    "S83.241A": "RT",
    "M25.561": "RT",
    "H61.21": "RT",
    "M17.11": "RT",
}


def test_one_sided_procedures_carry_the_side_of_the_diagnosis(records):
    checked = 0
    for _, _, dx, px, *_ in encounters(records):
        side = SIDE_OF.get(dx[0].code)
        sided = [p for p in px if {"RT", "LT"} & set(p.modifiers)]
        for procedure in sided:
            assert side is None or side in procedure.modifiers, (
                dx[0].code,
                procedure.code,
                procedure.modifiers,
            )
            assert not {"RT", "LT"} <= set(procedure.modifiers)
            checked += 1
    assert checked


def test_screening_colonoscopy_is_coded_by_payer(records):
    """Medicare: G0121 for a screening, 45385-PT when a polyp is removed; others: 45378-33 / 45385-33."""
    seen = Counter()
    for batch, encounter, dx, px, *_ in encounters(records):
        if dx[0].code != "Z12.11":
            continue
        medicare = (
            any(c.payer_id == encounter.payer_id for c in batch.coverages)
            and next(p for p in records.reference.payers if p.id == encounter.payer_id).category == "medicare"
        )
        line = px[0]
        if line.code == "45385":
            assert "K63.5" in {d.code for d in dx}
            assert line.modifiers == (["PT"] if medicare else ["33"])
        else:
            assert line.code == ("G0121" if medicare else "45378")
            assert line.modifiers == ([] if medicare else ["33"])
        seen[line.code] += 1
    assert seen


def test_every_outpatient_service_line_has_a_charge(records):
    for batch, encounter, _, px, *_ in encounters(records):
        charges = [c for c in batch.charges if c.encounter_id == encounter.id]
        assert all(
            isinstance(c.amount, Decimal) and c.amount > 0 and c.amount == c.amount.quantize(Decimal("0.01"))
            for c in charges
        )
        if encounter.setting is EncounterSetting.INPATIENT:
            room = [c for c in charges if c.revenue_code == "0120"]
            days = (encounter.discharge_at.date() - encounter.admit_at.date()).days
            assert len(room) == 1 and room[0].units == days
            assert all(c.code is None for c in charges)
        else:
            assert [(c.code, c.units) for c in charges] == [(p.code, p.units) for p in px]


# ----------------------------------------------------------------------------- documents


EXPECTED_DOCUMENTS = {
    "Inpatient admission": {DocumentType.HISTORY_AND_PHYSICAL, DocumentType.DISCHARGE_SUMMARY},
    "Outpatient surgery": {DocumentType.OFFICE_VISIT, DocumentType.OPERATIVE_REPORT},
    "Outpatient imaging": {DocumentType.DIAGNOSTIC_REPORT},
    "Emergency department visit": {DocumentType.EMERGENCY_NOTE},
    "Office visit": {DocumentType.OFFICE_VISIT},
}


def test_each_visit_kind_gets_its_notes(records):
    for _, encounter, _, px, docs, _ in encounters(records):
        types = {d.document_type for d in docs}
        assert EXPECTED_DOCUMENTS[encounter.encounter_type] <= types
        if (
            encounter.setting is EncounterSetting.INPATIENT
            and (encounter.discharge_at.date() - encounter.admit_at.date()).days >= 2
        ):
            assert DocumentType.PROGRESS_NOTE in types
        surgical = {s.icd10pcs for s in CATALOG.procedures.values() if s.has_report}
        if any(p.code in surgical for p in px):
            assert DocumentType.OPERATIVE_REPORT in types


def test_documents_have_a_signed_or_pending_original_version(records):
    signed = unsigned = 0
    for batch in records.patients:
        provider_ids = {p.id for p in records.reference.providers}
        for document in batch.documents:
            assert document.versions and document.loinc_code and document.encounter_id
            version = document.versions[0]
            assert version.text.strip() and version.author_provider_id in provider_ids
            if version.signed_at is None:
                unsigned += 1
                assert version.signed_by_provider_id is None
            else:
                signed += 1
                assert version.signed_at > version.authored_at
                assert version.signed_by_provider_id == version.author_provider_id
    assert signed > 5 * unsigned > 0


def test_operative_reports_have_the_conventional_sections(records):
    headings = (
        "PREOPERATIVE DIAGNOSIS:",
        "POSTOPERATIVE DIAGNOSIS:",
        "PROCEDURE:",
        "ANESTHESIA:",
        "FINDINGS:",
        "ESTIMATED BLOOD LOSS:",
    )
    reports = [
        d.versions[0].text
        for b in records.patients
        for d in b.documents
        if d.document_type is DocumentType.OPERATIVE_REPORT
    ]
    assert reports and all(all(h in r for h in headings) for r in reports)


def test_notes_vary(records):
    office = [
        d.versions[0].text
        for b in records.patients
        for d in b.documents
        if d.document_type is DocumentType.OFFICE_VISIT
    ]
    hpis = {sections(t, ("HISTORY OF PRESENT ILLNESS",)) for t in office}
    assert len(hpis) == len(office)


@pytest.mark.parametrize(
    ("code", "loinc", "low", "high"),
    [
        ("E66.9", "39156-5", 30.0, 60.0),  # obesity: BMI of 30 or more
        ("J18.9", "8310-5", 38.0, 42.0),  # pneumonia: febrile
        ("N18.4", "2160-0", 2.0, 4.0),  # CKD 4: creatinine raised, where drawn
        ("I21.4", "10839-9", 0.04, 100.0),  # NSTEMI: troponin raised
        ("R07.9", "10839-9", 0.0, 0.03),  # near miss: chest pain sent home, troponin normal
    ],
)
def test_measurements_agree_with_the_coded_conditions(records, code, loinc, low, high):
    checked = 0
    for batch, encounter, dx, *_ in encounters(records):
        if code not in {d.code for d in dx}:
            continue
        values = [
            o.value_number for o in batch.observations if o.encounter_id == encounter.id and o.code == loinc
        ]
        checked += len(values)
        assert all(low <= v <= high for v in values), (encounter.source_key, code, values)
    assert checked


def test_vital_signs_are_recorded_in_loinc_with_ucum_units(records):
    vitals = [o for b in records.patients for o in b.observations if o.category == "vital-signs"]
    by_code = {o.code: o.unit for o in vitals}
    assert by_code["8480-6"] == "mm[Hg]" and by_code["8310-5"] == "Cel" and by_code["59408-5"] == "%"
    assert all(o.value_number is not None and o.code_system == "loinc" for o in vitals)


# ----------------------------------------------------------------------------- catalog


def test_catalog_size_and_shape():
    conditions = CATALOG.conditions
    assert len({c.icd10cm for c in conditions}) >= 60
    for condition in conditions:
        assert condition.phrasings and re.fullmatch(
            r"[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?", condition.icd10cm
        )
        for setting, uses in condition.procedures.items():
            for use in uses:
                spec = CATALOG.procedures[use.procedure]
                assert spec.icd10pcs if setting is EncounterSetting.INPATIENT else spec.cpt
        if EncounterSetting.OUTPATIENT in condition.settings:
            assert condition.procedures.get(EncounterSetting.OUTPATIENT), condition.key


@pytest.mark.parametrize("age", [0, 1, 5, 12, 17, 18, 40, 64, 65, 80, 97])
@pytest.mark.parametrize("sex", list(Sex))
def test_every_patient_has_a_reason_for_every_kind_of_visit(age, sex):
    for setting in EncounterSetting:
        assert any(setting in c.settings and c.fits(age, sex) for c in CATALOG.conditions), (
            setting,
            age,
            sex,
        )


def test_generating_a_thousand_patients_takes_seconds(thousand):
    result, seconds = thousand
    assert len(result.patients) == 1000
    assert seconds < 20  # about 3 s on a developer laptop; generous for a loaded CI runner


# ----------------------------------------------------------------------------- against the code sets


def _order_file(relative: str, member: str) -> dict[str, tuple[bool, str]]:
    """code -> (billable / valid, long title) from a CMS fixed-width order file inside a zip."""
    with zipfile.ZipFile(shared_data(relative)) as archive:
        text = archive.read(member).decode("latin-1")
    return {
        line[6:13].strip(): (line[14] == "1", line[77:].strip()) for line in text.splitlines() if line.strip()
    }


@pytest.mark.shared_data
def test_catalog_icd10cm_codes_are_billable_in_fy2026_with_their_titles():
    order = _order_file(
        "codesets/icd10cm/2026/2026-code-descriptions-tabular-order.zip", "icd10cm_order_2026.txt"
    )
    for condition in CATALOG.conditions:
        billable, title = order.get(condition.icd10cm.replace(".", ""), (False, None))
        assert billable, f"{condition.icd10cm} ({condition.key}) is not a billable FY2026 code"
        assert condition.display == title, condition.key


@pytest.mark.shared_data
def test_catalog_icd10cm_codes_survive_into_fy2027():
    """The default period runs into FY2027 (2026-10-01 on): no catalog code may be deleted there."""
    text = shared_data("codesets/icd10cm/2027/icd10cm_codes_addenda_2027.txt").read_text(encoding="latin-1")
    deleted = {line.split()[1] for line in text.splitlines() if line.startswith("Delete:")}
    assert not deleted & {c.icd10cm.replace(".", "") for c in CATALOG.conditions}


@pytest.mark.shared_data
def test_catalog_icd10pcs_codes_are_valid_in_fy2026_with_their_titles():
    order = _order_file(
        "codesets/icd10pcs/2026/2026-icd-10-pcs-order-file-long-and-abbreviated-titles.zip",
        "icd10pcs_order_2026.txt",
    )
    specs = [s for s in CATALOG.procedures.values() if s.icd10pcs]
    assert specs
    for spec in specs:
        valid, title = order.get(spec.icd10pcs, (False, None))
        assert valid, f"{spec.icd10pcs} ({spec.key}) is not a valid FY2026 PCS code"
        assert spec.pcs_title == title


@pytest.mark.shared_data
def test_catalog_poa_exempt_flags_match_the_fy2026_exempt_list():
    with zipfile.ZipFile(shared_data("codesets/poa/2026/POAexemptCodesFY26.zip")) as archive:
        rows = archive.read("POAexemptCodesFY26.txt").decode("latin-1").splitlines()[1:]
    exempt = {row.split("\t")[1] for row in rows if row.strip()}
    for condition in CATALOG.conditions:
        assert condition.poa_exempt == (condition.icd10cm in exempt), condition.key


@pytest.mark.shared_data
def test_catalog_cpt_and_hcpcs_codes_are_active_services():
    """CPT has no public code file; a code with a practitioner MUE is an active code number."""
    text = shared_data("codesets/mue/2024q3/reformatted/ncci_mue_prac.csv").read_text(encoding="utf-8")
    active = {line.split(",")[0].strip('"') for line in text.splitlines()[1:]}
    billing = CATALOG.billing
    codes = {
        code
        for table in ("office_new", "office_established", "emergency")
        for code, _ in billing[table].values()
    }
    for spec in CATALOG.procedures.values():
        codes |= {c for c in (spec.cpt, spec.medicare_hcpcs) if c} | {s.hcpcs for s in spec.supplies}
    missing = sorted(codes - active)
    assert not missing, f"not active codes: {missing}"


@pytest.mark.shared_data
def test_reference_taxonomy_codes_are_in_the_nucc_list():
    text = shared_data("codesets/misc/nucc_taxonomy_251.csv").read_text(encoding="utf-8")
    nucc = {line.split(",")[0] for line in text.splitlines()[1:]}
    assert nucc >= NUCC_CODES


def test_records_are_plain_record_batches(records):
    assert isinstance(records.reference, RecordBatch)
    assert all(isinstance(b, RecordBatch) and len(b.patients) == 1 for b in records.patients)

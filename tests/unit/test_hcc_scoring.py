"""CMS-HCC scoring rules, table-driven on the real PY2025/PY2026 tables: each rule with a case
that fires and a near miss that must not. Expected factors are read from the CMS relative
factors by variable name, so a test states the rule, not a copy of the table."""

from __future__ import annotations

import re
from datetime import date

import pytest

from chartwell.errors import InvalidInput
from chartwell.grouping.hcc import (
    Beneficiary, Diagnosis, DualStatus, ScoreOptions, ScoringRequest, Sex, age_on_february_first,
    load_hcc_model_files, score,
)
from chartwell.grouping.hcc.rules import count_variable
from support import shared_data

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def tables():
    return load_hcc_model_files(shared_data("codesets/hcc"))


def beneficiary(*, age: int = 75, sex: str = "F", dual: str = "non", orec: str = "0",
                institutional: bool = False, new_enrollee: bool = False, snp: bool = False,
                payment_year: int = 2026) -> Beneficiary:
    # born in mid-January: exactly ``age`` on February 1 of the payment year
    born = date(payment_year - age, 1, 15)
    return Beneficiary(sex=Sex(sex), birth_date=born, dual_status=DualStatus(dual), orec=orec,
                       institutional=institutional, new_enrollee=new_enrollee, snp=snp)


def run(tables, codes, payment_year=2026, options=ScoreOptions(), **who):
    request = ScoringRequest(
        beneficiary=beneficiary(payment_year=payment_year, **who), payment_year=payment_year,
        diagnoses=tuple(Diagnosis(code, date(payment_year - 1, 6, 1), position)
                        for position, code in enumerate(codes)))
    return score(request, tables, options)


def paying(result) -> dict[str, float]:
    return {hcc.hcc: hcc.coefficient for hcc in result.primary.hccs if hcc.dropped is None}


def factor(tables, variable, payment_year=2026, model="V28") -> float:
    return tables.for_model(model, payment_year).coefficient(variable)


# -- age ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("born", "payment_year", "age"), [
    (date(1950, 2, 1), 2026, 76),  # birthday on Feb 1 counts
    (date(1950, 2, 2), 2026, 75),  # one day later does not
    (date(1961, 1, 31), 2026, 65),
])
def test_age_is_taken_on_february_first_of_the_payment_year(born, payment_year, age):
    assert age_on_february_first(born, payment_year) == age


# -- segments and demographic factors ------------------------------------------------------------


@pytest.mark.parametrize(("who", "segment", "demographic"), [
    (dict(age=75), "CNA", ["CNA_F75_79"]),
    (dict(age=50, orec="1"), "CND", ["CND_F45_54"]),
    (dict(age=70, dual="full"), "CFA", ["CFA_F70_74"]),
    (dict(age=40, dual="full", orec="1"), "CFD", ["CFD_F35_44"]),
    (dict(age=80, dual="partial", sex="M"), "CPA", ["CPA_M80_84"]),
    (dict(age=30, dual="partial", orec="1"), "CPD", ["CPD_F0_34"]),
    (dict(age=85, institutional=True), "INS", ["INS_F85_89"]),
    (dict(age=85, institutional=True, dual="full"), "INS", ["INS_F85_89", "INS_LTIMCAID"]),
    # originally disabled: OREC 1 and now 65 or over; a near miss at 64 is simply disabled
    (dict(age=66, orec="1"), "CNA", ["CNA_F65_69", "CNA_OriginallyDisabled_Female"]),
    (dict(age=64, orec="1"), "CND", ["CND_F60_64"]),
    (dict(age=66, orec="1", sex="M", institutional=True), "INS", ["INS_M65_69", "INS_ORIGDS"]),
    # new enrollees: single-year cells 65-69; a 64-year-old entitled by age takes the 65 cell
    (dict(age=67, new_enrollee=True), "NE", ["NE_NMCAID_NORIGDIS_NEF67"]),
    (dict(age=64, new_enrollee=True), "NE", ["NE_NMCAID_NORIGDIS_NEF65"]),
    (dict(age=64, orec="1", new_enrollee=True), "NE", ["NE_NMCAID_NORIGDIS_NEF60_64"]),
    (dict(age=70, orec="1", dual="partial", new_enrollee=True), "NE", ["NE_MCAID_ORIGDIS_NEF70_74"]),
    (dict(age=70, new_enrollee=True, snp=True), "SNPNE", ["SNPNE_NMCAID_NORIGDIS_NEF70_74"]),
    # new-enrollee factors apply whether or not the person is institutional (MARx factor type E)
    (dict(age=70, new_enrollee=True, institutional=True), "NE", ["NE_NMCAID_NORIGDIS_NEF70_74"]),
])
def test_segment_and_demographic_factors(tables, who, segment, demographic):
    result = run(tables, [], **who)
    assert result.primary.segment.code == segment
    assert [item.variable for item in result.primary.demographic] == demographic
    assert result.raf == pytest.approx(sum(factor(tables, name) for name in demographic))


def test_new_enrollees_are_scored_on_demographics_only(tables):
    result = run(tables, ["E11.22", "I50.22"], age=70, new_enrollee=True)
    assert result.raf == pytest.approx(factor(tables, "NE_NMCAID_NORIGDIS_NEF70_74"))
    assert all(hcc.coefficient is None for hcc in result.primary.hccs)
    assert result.primary.interactions == ()


# -- diagnoses -> HCCs, with the diagnosis behind each ------------------------------------------


def test_each_hcc_names_the_diagnosis_and_date_behind_it(tables):
    result = run(tables, ["E11.22", "I50.22"])
    evidence = {hcc.hcc: [(item.code, item.date_of_service) for item in hcc.diagnoses]
                for hcc in result.primary.hccs}
    assert evidence == {"37": [("E11.22", date(2025, 6, 1))], "226": [("I50.22", date(2025, 6, 1))]}


# -- hierarchies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("codes", "pays", "dropped"), [
    # fires: HCC 37 (E11.22, diabetes with chronic complications) drops HCC 38 (E11.9)
    (["E11.22", "E11.9"], {"37"}, {"38": "37"}),
    # near miss: HCC 38 alone pays
    (["E11.9"], {"38"}, {}),
    # fires: HCC 222 (end-stage heart failure, I50.84) drops HCC 226 (I50.22)
    (["I50.84", "I50.22"], {"222"}, {"226": "222"}),
    # near miss: two HCCs in different families both pay (diabetes, heart failure)
    (["E11.9", "I50.22"], {"38", "226"}, {}),
    # one parent, two children: 17 (secondary lung cancer) drops 20 (diffuse large B-cell
    # lymphoma) and 23 (breast cancer)
    (["C78.00", "C83.30", "C50.911"], {"17"}, {"20": "17", "23": "17"}),
])
def test_hierarchy(tables, codes, pays, dropped):
    result = run(tables, codes)
    assert set(paying(result)) == pays
    assert {hcc.hcc: hcc.dropped.by_hcc for hcc in result.primary.hccs if hcc.dropped} == dropped


def test_the_v28_hierarchy_is_the_complete_v28115h1_table_in_payment_year_2025(tables):
    # ra_hierarchies_2025.csv lacks the V28115H1 rows of parents 191, 192, 221, 222 (the table's
    # multi-line %SET0 entries); the model's table is the same every year, so the newest is used.
    model = tables.for_model("V28", 2025)
    assert model.hierarchy["221"] == ("222", "223", "224", "225", "226", "227")
    assert "ra_hierarchies_2026.csv" in model.sources
    result = run(tables, ["Z94.1", "I50.22"], payment_year=2025)  # heart transplant status + HF
    assert {hcc.hcc: hcc.dropped.by_hcc for hcc in result.primary.hccs if hcc.dropped} == {"226": "221"}


@pytest.mark.parametrize(("codes", "pays"), [
    # HCC 223 (heart assist device, Z95.811) counts only with another heart failure HCC
    (["Z95.811"], set()),
    (["Z95.811", "I50.22"], {"223"}),  # 223 pays and, being higher, drops 226
])
def test_v28_hcc_223_needs_another_heart_failure_hcc(tables, codes, pays):
    result = run(tables, codes)
    assert set(paying(result)) == pays
    if not pays:
        assert result.primary.hccs[0].dropped.rule.startswith("HCC 223")


# -- interactions --------------------------------------------------------------------------------


@pytest.mark.parametrize(("codes", "who", "interaction", "variable"), [
    (["E11.9", "I50.22"], {}, "DIABETES_HF_V28", "CNA_DIABETES_HF_V28"),
    (["I50.22", "J44.9"], {}, "HF_CHR_LUNG_V28", "CNA_HF_CHR_LUNG_V28"),
    (["I50.22", "N18.4"], {}, "HF_KIDNEY_V28", "CNA_HF_KIDNEY_V28"),
    (["I50.22", "I48.0"], {}, "HF_HCC238_V28", "CNA_HF_HCC238_V28"),
    (["J44.9", "J96.11"], {}, "CHR_LUNG_CARD_RESP_FAIL_V28", "CNA_CHR_LUNG_CARD_RESP_FAIL_V28"),
    (["F20.9", "F10.20"], dict(age=50, orec="1"), "gSubUseDisorder_gPsych_V28",
     "CND_gSubUseDisorder_gPsych_V28"),
    (["I50.22"], dict(age=50, orec="1", institutional=True), "DISABLED_HF_V28", "INS_DISABLED_HF_V28"),
])
def test_interaction_fires(tables, codes, who, interaction, variable):
    result = run(tables, codes, **who)
    found = {item.name: item for item in result.primary.interactions}
    assert found[interaction].variable == variable
    assert found[interaction].coefficient == factor(tables, variable)


@pytest.mark.parametrize(("codes", "who", "interaction"), [
    (["E11.9", "I25.10"], {}, "DIABETES_HF_V28"),  # coronary disease is not heart failure
    (["I50.22", "J45.909"], {}, "HF_CHR_LUNG_V28"),  # asthma (unspecified) maps to no HCC in V28
    # the community segments have no disabled x condition factors
    (["I50.22"], dict(age=50, orec="1"), "DISABLED_HF_V28"),
    # aged in an institution: not disabled
    (["I50.22"], dict(age=70, orec="1", institutional=True), "DISABLED_HF_V28"),
])
def test_interaction_near_miss(tables, codes, who, interaction):
    result = run(tables, codes, **who)
    assert interaction not in {item.name for item in result.primary.interactions}


@pytest.mark.parametrize(("count", "variable"), [(0, None), (1, "D1"), (9, "D9"), (10, "D10P"), (14, "D10P")])
def test_payment_hcc_count_variable(count, variable):
    assert count_variable(count) == variable


def test_payment_hcc_count_counts_after_the_hierarchy(tables):
    codes = ["E11.22", "E11.9", "I50.22", "J44.9", "N18.4", "F20.9", "I48.0"]  # 38 is dropped by 37
    result = run(tables, codes)
    counts = [item for item in result.primary.interactions if re.fullmatch(r"D(\d|10P)", item.name)]
    assert [item.variable for item in counts] == ["CNA_D6"]
    assert counts[0].coefficient == factor(tables, "CNA_D6")


# -- the CMS age/sex edits -----------------------------------------------------------------------


@pytest.mark.parametrize(("code", "who", "hccs", "edited"), [
    # breast cancer under 50 -> HCC 22 instead of HCC 23; near miss at 50
    ("C50.911", dict(age=45, orec="1"), {"22"}, True),
    ("C50.911", dict(age=50, orec="1"), {"23"}, False),
    # hemophilia (D66) in a female -> HCC 112 instead of HCC 111 (hemophilia, male)
    ("D66", dict(sex="F"), {"112"}, True),
    ("D66", dict(sex="M"), {"111"}, False),
    # COPD under 18 does not count in V28; near miss at 18
    ("J44.9", dict(age=17, orec="1"), set(), True),
    ("J44.9", dict(age=18, orec="1"), {"280"}, False),
])
def test_age_sex_edit(tables, code, who, hccs, edited):
    result = run(tables, [code], **who)
    assert set(paying(result)) == hccs
    edits = [finding for finding in result.findings if finding.rule.endswith("_edit")]
    assert bool(edits) == edited
    if edited:
        assert edits[0].field == "diagnoses[0].code" and "V28I0ED" in edits[0].source


def test_medicare_code_editor_age_edits_can_be_switched_off(tables):
    # I70.231 (atherosclerosis with ulceration) maps to HCCs 263 and 383; MCE: valid from age 15
    young = dict(age=12, orec="1")
    assert paying(run(tables, ["I70.231"], **young)) == {}
    switched_off = run(tables, ["I70.231"], options=ScoreOptions(mce_edits=False), **young)
    assert {hcc.hcc for hcc in switched_off.primary.hccs} == {"263", "383"}  # 263 then drops 383


# -- the payment year: blend, normalization, coding adjustment ----------------------------------


def test_payment_year_2026_is_100_percent_v28(tables):
    result = run(tables, ["E11.22"])
    assert [(part.score.model, part.weight) for part in result.blend] == [("V28", 1.0)]
    assert "100%" in result.blend_source


def test_payment_year_2025_blends_67_percent_v28_and_33_percent_v24(tables):
    result = run(tables, ["E11.22", "I50.22"], payment_year=2025)
    v28, v24 = result.blend
    assert (v28.score.model, v28.weight, v24.score.model, v24.weight) == ("V28", 0.67, "V24", 0.33)
    # V28: F75-79, HCC 37, HCC 226, diabetes x HF, D2; V24: F75-79, HCC 18, HCC 85, diabetes x CHF, D2
    expected_v28 = sum(factor(tables, name, 2025) for name in (
        "CNA_F75_79", "CNA_HCC37", "CNA_HCC226", "CNA_DIABETES_HF_V28", "CNA_D2"))
    expected_v24 = sum(factor(tables, name, 2025, "V24") for name in (
        "CNA_F75_79", "CNA_HCC18", "CNA_HCC85", "CNA_DIABETES_CHF", "CNA_D2"))
    assert v28.score.raf == pytest.approx(expected_v28)
    assert v24.score.raf == pytest.approx(expected_v24)
    assert result.raf == pytest.approx(0.67 * expected_v28 + 0.33 * expected_v24)
    assert result.payment_raf is None  # shown, not applied, unless asked


def test_normalization_and_coding_adjustment_are_applied_when_asked(tables):
    options = ScoreOptions(normalize=True, coding_adjustment=True)
    result = run(tables, ["E11.22", "I50.22"], payment_year=2025, options=options)
    v28, v24 = (part.score.raf for part in result.blend)
    blended = 0.67 * round(v28 / 1.045, 3) + 0.33 * round(v24 / 1.153, 3)
    assert result.payment_raf == round(blended * (1 - 0.059), 3)
    assert result.normalization["V28"].value == 1.045 and result.coding_adjustment.value == 0.059


def test_a_normalization_factor_not_on_record_must_be_given(tables):
    with pytest.raises(InvalidInput) as raised:
        run(tables, ["E11.22"], options=ScoreOptions(normalize=True))
    assert raised.value.position.field == "normalization_factor"
    given = run(tables, ["E11.22"], options=ScoreOptions(normalize=True, normalization_factors={"V28": 1.1}))
    assert given.payment_raf == round(given.raf / 1.1, 3)


def test_payment_year_2027_uses_the_proposed_factors_and_says_so(tables):
    result = run(tables, ["E11.22"], payment_year=2027)
    assert result.status == "proposed"
    assert "ra_proposed_coefficients_2027.csv" in result.primary.sources


# -- bad input -----------------------------------------------------------------------------------


def test_unknown_codes_are_reported_not_fatal(tables):
    options = ScoreOptions(known_code=lambda code: code != "E1199")
    result = run(tables, ["E11.22", "ABC", "E11.99"], options=options)
    unknown = [finding for finding in result.findings if finding.rule == "hcc.unknown_code"]
    assert [(finding.codes, finding.field) for finding in unknown] == [
        (("ABC",), "diagnoses[1].code"), (("E11.99",), "diagnoses[2].code")]
    assert set(paying(result)) == {"37"}


def test_diagnoses_outside_the_data_collection_year_do_not_count(tables):
    request = ScoringRequest(beneficiary=beneficiary(), payment_year=2026, diagnoses=(
        Diagnosis("E11.22", date(2024, 12, 31), 0), Diagnosis("I50.22", date(2025, 1, 1), 1)))
    result = score(request, tables)
    assert set(paying(result)) == {"226"}
    assert [finding.field for finding in result.findings] == ["diagnoses[0].date"]
    assert set(paying(score(request, tables, ScoreOptions(collection_year_only=False)))) == {"37", "226"}


@pytest.mark.parametrize(("orec", "noted"), [("2", True), ("3", True), ("1", False)])
def test_esrd_entitlement_is_noted_as_out_of_this_model(tables, orec, noted):
    result = run(tables, ["E11.22"], age=50, orec=orec)
    assert ("hcc.esrd_entitlement" in {finding.rule for finding in result.findings}) == noted


@pytest.mark.parametrize(("payment_year", "born", "field"), [
    (2031, date(1950, 1, 1), "payment_year"),  # no tables, no policy
    (2026, date(2026, 3, 1), "birth_date"),  # born after February 1 of the payment year
])
def test_impossible_requests_name_the_field(tables, payment_year, born, field):
    request = ScoringRequest(beneficiary=Beneficiary(sex=Sex.FEMALE, birth_date=born),
                             payment_year=payment_year)
    with pytest.raises(InvalidInput) as raised:
        score(request, tables)
    assert raised.value.position.field == field

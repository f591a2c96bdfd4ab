"""The NCCI (PTP, add-on code) and MUE edits on the real 2024 Q3 tables, installed once for the
module by ``chartwell codesets install`` into a fresh store: for each rule a claim that fires and
a near miss that must not, with real code pairs and MUE values; then what the findings say.

The rules run as the engine runs them (the rules of the claim's setting, over an EditContext
holding the readers of the releases in force on the date of service)."""

from __future__ import annotations

from datetime import date

import pytest

from chartwell.codesets.model import TableSet
from chartwell.codesets.mue import MueTables
from chartwell.codesets.ncci import NcciTables
from chartwell.domain.encounter_json import parse_encounter
from chartwell.edits import mue as mue_rules
from chartwell.edits import ncci as ncci_rules
from chartwell.edits.model import RULES, EditContext, Family, Finding
from chartwell.services.codesets import open_release
from chartwell.store.db import transaction
from cli_runner import chartwell
from release_store import installed_store
from support import shared_data

pytestmark = pytest.mark.shared_data

ON = "2024-07-15"  # a date of service in 2024 Q3


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A store with the NCCI and MUE 2024 Q3 releases installed through the CLI."""
    root = shared_data("codesets")
    with installed_store(tmp_path_factory.mktemp("ncci-mue-data"), root / "ncci" / "2024q3",
                         root / "mue" / "2024q3") as installed:
        yield installed


@pytest.fixture(scope="module")
def tables(installed) -> tuple[NcciTables, MueTables]:
    """The readers of the releases in force on :data:`ON`, chosen as the edit service does."""
    engine, _document = installed
    with transaction(engine) as session:
        ncci = open_release(session=session, system=TableSet.NCCI, on=date.fromisoformat(ON))
        mue = open_release(session=session, system=TableSet.MUE, on=date.fromisoformat(ON))
    return NcciTables(ncci.artifact), MueTables(mue.artifact)


def claim(*lines, setting: str = "professional", on: str = ON) -> dict:
    """An ENCOUNTER.json document; a line is a code or ``(code, modifiers, units[, date])``."""
    procedures = []
    for line in lines:
        code, modifiers, units, *day = (line, [], 1) if isinstance(line, str) else line
        procedures.append({"code": code, "system": "hcpcs" if code[0].isalpha() else "cpt",
                           "modifiers": list(modifiers), "units": units,
                           **({"date": day[0]} if day else {})})
    return {"setting": setting, "date_of_service": on,
            "patient": {"sex": "F", "birth_date": "1950-02-01"},
            "diagnoses": [{"code": "Z00.00"}], "procedures": procedures}


def check(tables, document: dict, rule: str | None = None) -> list[Finding]:
    """The NCCI and MUE findings on a claim (those of ``rule`` only, if given)."""
    context = context_of(tables, document)
    found = []
    for declared in RULES:
        if declared.family in (Family.NCCI, Family.MUE) and \
                context.encounter.setting in declared.settings:
            found.extend(declared.check(declared, context))
    return [finding for finding in found if rule is None or finding.rule == rule]


def context_of(tables, document: dict) -> EditContext:
    ncci, mue = tables
    return EditContext(encounter=parse_encounter(document), ncci=ncci, mue=mue)


CASES = [
    # rule, fires, near miss
    # 45380/45378: modifier indicator 0 (CPT separate procedure): 59 does not bypass it
    ("NCCI-PTP", claim("45380", ("45378", ["59"], 1)),
     claim("45380", ("45378", [], 1, "2024-07-16"))),
    # either order of the lines
    ("NCCI-PTP", claim("45378", "45380"), claim("45378", ("45380", [], 1, "2024-07-16"))),
    # 11042/97597: modifier indicator 1, bypassed by XS on either code
    ("NCCI-PTP", claim("11042", "97597"), claim("11042", ("97597", ["XS"], 1))),
    ("NCCI-PTP", claim(("11042", ["22"], 1), ("97597", ["76"], 1)),
     claim(("11042", ["RT"], 1), "97597")),
    # 74710/36591 (indicator 0) was deleted 2023-12-31: not in force on the date of service
    ("NCCI-PTP", claim("99213", "36591"), claim("74710", "36591")),
    # outpatient hospital claims use the outpatient table, which has no 99213/36591 edit
    ("NCCI-PTP", claim("45380", "45378", setting="outpatient"),
     claim("99213", "36591", setting="outpatient")),
    # 99292 (type 1) needs 99291 on the same date
    ("NCCI-AOC-PRIMARY", claim("99292"), claim("99291", "99292")),
    ("NCCI-AOC-PRIMARY", claim(("99291", [], 1, "2024-07-14"), "99292"), claim("11042", "11045")),
    ("NCCI-AOC-PRIMARY", claim("11043", "11045"), claim("11042", "11045", "11043")),
    # type 2 (0054T, no CMS primaries) alone; type 3 (20701) without a primary CMS lists
    ("NCCI-AOC-CONTRACTOR", claim("0054T"), claim("27447", "0054T")),
    ("NCCI-AOC-CONTRACTOR", claim("99213", "20701"), claim("11010", "20701")),
    # 99213: MUE 2, MAI 3 (date of service, clinical): units of all lines of the date add up
    ("MUE-DATE-OF-SERVICE", claim("99213", ("99213", [], 2)), claim("99213", "99213")),
    ("MUE-DATE-OF-SERVICE", claim(("99213", [], 3)),
     claim(("99213", [], 2), ("99213", [], 2, "2024-07-16"))),
    # G0008: MUE 1, MAI 2 (date of service, policy)
    ("MUE-DATE-OF-SERVICE", claim(("G0008", [], 2)), claim("G0008")),
    # 97110: MUE 6 for practitioners, 8 for outpatient hospitals
    ("MUE-DATE-OF-SERVICE", claim(("97110", [], 7)), claim(("97110", [], 7), setting="outpatient")),
    # A6460: MUE 1, MAI 1 (line edit): each line on its own
    ("MUE-LINE", claim(("A6460", [], 2)), claim("A6460", "A6460")),
]


@pytest.mark.parametrize(("rule", "fires", "near_miss"), CASES,
                         ids=[f"{case[0]}-{index}" for index, case in enumerate(CASES)])
def test_rule_fires_and_its_near_miss_does_not(tables, rule, fires, near_miss):
    fired = check(tables, fires, rule)
    assert len(fired) == 1, f"{rule} on {fires['procedures']}: {fired}"
    assert fired[0].message and fired[0].codes and "2024Q3" in fired[0].source
    assert not check(tables, near_miss, rule), f"{rule} fired on the near miss"


def test_a_ptp_finding_names_the_denied_code_the_rationale_and_the_table_row(tables):
    [finding] = check(tables, claim("45380", ("45378", ["59"], 1)))
    assert finding.rule == "NCCI-PTP" and finding.severity == "error"
    assert finding.codes == ("45380", "45378")
    assert finding.message.startswith("45378 (column 2) is not paid when reported with 45380 "
                                      "(column 1) on 2024-07-15: CPT Separate procedure "
                                      "definition.")
    assert "Modifier indicator 0" in finding.message and "59 on 45378" in finding.message
    assert finding.source.endswith("NCCI PTP practitioner 2024Q3, column 1 45380 / column 2 "
                                   "45378, modifier indicator 0")
    assert "Chapter I, Section E" in finding.source


def test_an_indicator_1_finding_says_which_modifiers_would_bypass_it(tables):
    [finding] = check(tables, claim("11042", "97597"))
    assert "Modifier indicator 1" in finding.message
    assert "XE, XS, XP, XU or 59" in finding.message and "remove 97597" in finding.message
    [outpatient] = check(tables, claim("45380", "45378", setting="outpatient"))
    assert "NCCI PTP hospital outpatient 2024Q3" in outpatient.source


def test_the_edit_in_force_on_the_date_of_service_decides(tables):
    """74710/36591 (deleted 2023-12-31) still applies to a claim of that date; 0001A/90473 was
    deleted retroactively (indicator 9) and never applies. (The 2024 Q3 tables are the only ones
    here; they carry every edit's deletion date, so older dates are checked with them.)"""
    ncci, _mue = tables
    edit = ncci.ptp("36591", "74710", "professional", date(2023, 12, 31))
    assert (edit.column_1, edit.deletion_date, edit.modifier_indicator) == (
        "74710", date(2023, 12, 31), 0)
    assert ncci.ptp("36591", "74710", "professional", date(2024, 1, 1)) is None
    assert check(tables, claim("74710", "36591", on="2023-12-31"), "NCCI-PTP")
    assert ncci.ptp("0001A", "90473", "professional", date(2022, 1, 1)).modifier_indicator == 9
    assert not check(tables, claim("0001A", "90473", on="2022-01-01"), "NCCI-PTP")


def test_an_edit_pair_repeated_on_several_lines_is_one_finding(tables):
    found = check(tables, claim("45380", "45378", "45378"), "NCCI-PTP")
    assert len(found) == 1
    # one of the two 97597 lines carries no bypassing modifier: the edit still applies to it
    assert check(tables, claim("11042", ("97597", ["XS"], 1), "97597"), "NCCI-PTP")


def test_an_mue_finding_gives_the_value_the_mai_and_the_rationale(tables):
    [finding] = check(tables, claim("99213", ("99213", [], 2)), "MUE-DATE-OF-SERVICE")
    assert finding.codes == ("99213",)
    assert "3 units in all (lines 1, 2) exceed the MUE of 2 units per date of service" in \
        finding.message
    assert "MAI 3, date of service edit: clinical; rationale: Clinical: Data" in finding.message
    assert finding.source.endswith("MUE practitioner services 2024Q3, 99213: MUE value 2, MAI 3 "
                                   "(date of service edit: clinical), rationale 'Clinical: Data'")
    [policy] = check(tables, claim(("G0008", [], 2)), "MUE-DATE-OF-SERVICE")
    assert "MAI 2, date of service edit: policy" in policy.message
    assert "not raised on appeal" in policy.message
    [line] = check(tables, claim("99213", ("A6460", [], 2)), "MUE-LINE")
    assert "A6460 on line 2" in line.message and "per line (MAI 1, line edit" in line.message


def test_an_mue_of_zero_says_the_code_is_not_payable_there(tables):
    """88291: MUE 0 in the outpatient hospital table, 1 in the practitioner table."""
    [finding] = check(tables, claim("88291", setting="outpatient"), "MUE-DATE-OF-SERVICE")
    assert "MUE of 0 units" in finding.message and "not payable" in finding.message
    assert not check(tables, claim("88291"), "MUE-DATE-OF-SERVICE")


def test_the_dme_table_is_kept_but_no_claim_setting_uses_it(tables):
    """E0114: MUE 1 (MAI 2) for DME suppliers, 0 for practitioners and outpatient hospitals."""
    _ncci, mue = tables
    assert (mue.mue("E0114", "dme").units, mue.mue("E0114", "dme").mai) == (1, 2)
    assert mue.mue("E0114", "professional").units == 0
    assert check(tables, claim("E0114"), "MUE-DATE-OF-SERVICE")


def test_add_on_findings_name_the_primary_codes_and_their_type(tables):
    [primary] = check(tables, claim("99292"), "NCCI-AOC-PRIMARY")
    assert primary.severity == "error" and primary.codes == ("99292",)
    assert "without any of its primary codes (99291)" in primary.message
    assert "type 1" in primary.source
    [contractor] = check(tables, claim("99213", "20701"), "NCCI-AOC-CONTRACTOR")
    assert contractor.severity == "warning"
    assert "11010, 11011, 11012" in contractor.message and "more" in contractor.message
    assert "accepts 99213" in contractor.message


def test_inpatient_claims_and_icd10pcs_lines_are_not_ncci_or_mue_edited(tables):
    inpatient = claim("45380", "45378", ("99213", [], 5))
    inpatient.update(setting="inpatient", admit_date=ON, discharge_date=ON, discharge_status="01")
    assert not check(tables, inpatient)
    pcs = claim("99292")
    pcs["procedures"] = [{"code": "0DTJ4ZZ", "system": "icd10pcs"}, *pcs["procedures"]]
    assert [finding.rule for finding in check(tables, pcs)] == ["NCCI-AOC-PRIMARY"]


def test_a_clean_claim_has_no_findings(tables):
    assert not check(tables, claim(("99214", ["25"], 1), "11042", "11045", ("J3301", [], 4),
                                   ("97110", [], 2)))


def test_the_rules_are_declared_with_their_sources():
    declared = {rule.id: rule for rule in RULES if rule.family in (Family.NCCI, Family.MUE)}
    assert set(declared) == {"NCCI-PTP", "NCCI-AOC-PRIMARY", "NCCI-AOC-CONTRACTOR", "MUE-LINE",
                             "MUE-DATE-OF-SERVICE"}
    for rule in declared.values():
        assert rule.needs in (("ncci",), ("mue",)) and rule.source and rule.title
        assert {str(setting) for setting in rule.settings} == {"professional", "outpatient"}
    assert ncci_rules.NCCI_ASSOCIATED_MODIFIERS >= {"59", "XE", "XS", "XP", "XU", "LT", "RT",
                                                    "25", "91", "27", "F9", "T9", "RI"}
    assert mue_rules.CLAIM_SETTINGS == ncci_rules.CLAIM_SETTINGS


def test_the_install_reports_the_tables_and_their_counts(installed):
    _engine, document = installed
    releases = {item["system"]: item for item in document}
    ncci, mue = releases["ncci"], releases["mue"]
    assert ncci["version"] == mue["version"] == "2024Q3"
    assert ncci["counts"] == {"ptp_practitioner_edits": 2546017, "ptp_outpatient_edits": 1775818,
                              "aoc_pairs": 7465, "aoc_add_on_codes": 668}
    assert mue["counts"] == {"mue_practitioner_codes": 14677, "mue_outpatient_codes": 14628,
                             "mue_dme_codes": 2928}
    assert "without effective dates" in ncci["note"]
    assert ncci["artifact_bytes"] < 25_000_000


def test_the_command_line_answers_a_list_of_claims_with_these_findings(installed, tmp_path):
    """``chartwell edits check`` on a file of two claims: a list of answers, in order."""
    import json

    path = tmp_path / "claims.json"
    path.write_text(json.dumps([claim("45380", ("45378", ["59"], 1), ("99213", ["25"], 3)),
                                claim("11042", ("97597", ["XS"], 1))]))
    code, document, output = chartwell("edits", "check", str(path), "--json")
    assert document is not None, output
    rules = [[finding["rule"] for finding in answer["findings"]
              if finding["family"] in ("ncci", "mue")] for answer in document]
    assert rules == [["NCCI-PTP", "MUE-DATE-OF-SERVICE"], []]
    assert document[0]["releases"]["ncci"] == document[0]["releases"]["mue"] == "2024Q3"
    assert code == 1  # the first claim fails a check

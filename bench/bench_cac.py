"""Computer-assisted coding: notes per second on the MTSamples notes, ours side by side with
medspaCy's pipeline on the same notes in the same run; and, on the CodiEsp English clinical
cases, our code-level F1 beside a plain dictionary lookup of the index terms.

Ours is the whole path of ``chartwell cac``: a note's text -> sections, sentences, ConText-style
assertions, index matching, the guideline rules -> suggestions with their evidence (one process,
the coder loaded once, every note coded in the inpatient setting, so ICD-10-PCS too).

The peer is medspaCy (sectionizer + target matcher over the same index terms + ConText), run in
its own virtual environment (``bench/.venv-medspacy``, made on first use with ``python -m venv``
and ``pip install medspacy``: medspaCy pins an old numpy that our environment must not have), as
a subprocess over the same note files; it times itself after loading and reports back in JSON.

The dictionary baseline is what a coder's tool does without language: every index main term
(its head word) and every first-level subterm in both word orders ("acute appendicitis",
"appendicitis acute") mapped to its code, matched as exact lower-case word sequences, longest
first, with no sections, no negation, no rules. The issue asks ours to be well above it.

Rates are notes per second of CPU time (``time.process_time``, each side in its own process):
the machines this runs on are shared, and the clock counts the other jobs' time too; the clock's
figure is printed beside it.

``CHARTWELL_BENCH_CAC_NOTES`` sets how many MTSamples notes are timed (default the first 1,000,
``all`` for every one). Targets: >= 100 notes/s and >= 3x medspaCy; CodiEsp diagnoses code-level micro-F1 >= 0.45 and
category-level >= 0.60.
"""

from __future__ import annotations

import csv
import json
import lzma
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import reference_store

HERE = Path(__file__).resolve().parent
PEER_VENV = HERE / ".venv-medspacy"
NOTES = reference_store.DATA / "samples/notes/mtsamples/mtsamples.csv.xz"
CODIESP = reference_store.DATA / "samples/notes/codiesp"
ON = date(2026, 3, 16)
# the first 1,000 notes by default (medspaCy's side takes minutes); "all" for all 3,261
_NOTES = os.environ.get("CHARTWELL_BENCH_CAC_NOTES", "1000")
LIMIT = None if _NOTES == "all" else int(_NOTES)
TARGET_RATE, TARGET_RATIO = 100, 3.0
TARGET_CODE_F1, TARGET_CATEGORY_F1 = 0.45, 0.60
_WORD = re.compile(r"[a-z0-9]+")

# The medspaCy side, run by the peer's interpreter: argv = notes folder, phrases JSON.
PEER = r"""
import json, sys, time
from pathlib import Path
try:  # PyRuSH logs every sentence split at DEBUG through loguru: silence it, as a user would
    from loguru import logger
    logger.remove()
    logger.add(sys.stderr, level="WARNING")
except ImportError:
    pass
import medspacy
from medspacy.target_matcher import TargetRule
notes = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
phrases = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
started = time.perf_counter()
nlp = medspacy.load(medspacy_enable=["medspacy_pyrush", "medspacy_target_matcher",
                                     "medspacy_context"])
nlp.add_pipe("medspacy_sectionizer", before="medspacy_context")
nlp.get_pipe("medspacy_target_matcher").add(
    [TargetRule(phrase, "DIAGNOSIS") for phrase in phrases])
loaded = time.perf_counter() - started
list(nlp.pipe(notes[:20]))  # warm
started, cpu_started = time.perf_counter(), time.process_time()
entities = negated = 0
for doc in nlp.pipe(notes):
    for ent in doc.ents:
        entities += 1
        negated += bool(ent._.is_negated)
seconds = time.perf_counter() - started
cpu_seconds = time.process_time() - cpu_started
print(json.dumps({"notes": len(notes), "seconds": seconds, "cpu_seconds": cpu_seconds,
                  "load_seconds": loaded,
                  "entities": entities, "negated": negated, "rules": len(phrases),
                  "pipeline": nlp.pipe_names}))
"""


def mtsamples_notes() -> list[tuple[str, str]]:
    csv.field_size_limit(1 << 28)
    with lzma.open(NOTES, "rt", encoding="utf-8", newline="") as stream:
        rows = [(f"mts-{int(row['note_id']):05d}" if row["note_id"].isdigit() else row["note_id"],
                 row["transcription"]) for row in csv.DictReader(stream)]
    notes = [(name, text) for name, text in rows if text and text.strip()]
    return notes[:LIMIT] if LIMIT else notes


# -- the dictionary baseline -----------------------------------------------------------------


def index_phrases(artifact) -> dict[tuple[str, ...], str]:
    """Lower-case word sequences of the index's main terms and first-level subterms -> code."""
    phrases: dict[tuple[str, ...], str] = {}

    def add(text: str, code: str | None) -> None:
        words = tuple(_WORD.findall(text.lower()))
        if code and words and words not in phrases:
            phrases[words] = code.rstrip("-").rstrip(".")

    for term in artifact.index_terms("index"):
        head = term.title.split(",")[0].strip()
        add(head, term.code)
        for sub in term.subterms:
            if sub.code and len(sub.title.split()) <= 4 and sub.title.lower() not in ("with", "without"):
                add(f"{sub.title} {head}", sub.code)
                add(f"{head} {sub.title}", sub.code)
    return phrases


def dictionary_codes(text: str, phrases: dict[tuple[str, ...], str], longest: int) -> set[str]:
    """Every phrase found, longest match first at each word, no context at all."""
    words = _WORD.findall(text.lower())
    found, at = set(), 0
    while at < len(words):
        for size in range(min(longest, len(words) - at), 0, -1):
            code = phrases.get(tuple(words[at:at + size]))
            if code:
                found.add(code)
                at += size
                break
        else:
            at += 1
    return found


# -- the peer --------------------------------------------------------------------------------


def peer_python() -> Path | None:
    """The medspaCy environment's interpreter, made on first use; None if it cannot be."""
    python = PEER_VENV / "bin" / "python"
    if python.exists() and subprocess.run([str(python), "-c", "import medspacy"],
                                          capture_output=True).returncode == 0:
        return python
    print(f"making the medspaCy environment in {PEER_VENV} (once) ...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "medspacy"], check=True,
                       capture_output=True, timeout=1800)
    except (subprocess.SubprocessError, OSError) as error:
        print(f"note: medspaCy could not be installed ({type(error).__name__}); no peer figure")
        return None
    return python


def run_peer(notes: list[tuple[str, str]], phrases: list[str]) -> dict | None:
    python = peer_python()
    if python is None:
        return None
    with tempfile.TemporaryDirectory(prefix="chartwell-bench-cac-") as folder:
        root = Path(folder)
        (root / "notes").mkdir()
        for name, text in notes:
            (root / "notes" / f"{name}.txt").write_text(text, encoding="utf-8")
        (root / "phrases.json").write_text(json.dumps(phrases), encoding="utf-8")
        done = subprocess.run([str(python), "-c", PEER, str(root / "notes"), str(root / "phrases.json")],
                              capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        print(f"note: the medspaCy run failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- main ------------------------------------------------------------------------------------


def main() -> int:
    if not (reference_store.available() and NOTES.exists()):
        print("shared data absent: set CHARTWELL_TEST_DATA; nothing measured")
        return 0
    reference_store.use(reference_store.reference_store())
    from chartwell.cac import codiesp
    from chartwell.cac.evaluation import evaluate
    from chartwell.cac.pipeline import Coder
    from chartwell.services.cac import release_of

    notes = mtsamples_notes()
    started = time.perf_counter()
    coder = Coder.open(on=ON)
    loaded = time.perf_counter() - started
    for _, text in notes[:20]:  # warm
        coder.code(text, setting="inpatient")
    started, cpu_started = time.perf_counter(), time.process_time()
    suggestions = sum(len(coder.code(text, setting="inpatient").suggestions) for _, text in notes)
    ours, ours_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rate = len(notes) / ours_cpu
    print(f"ours: {len(notes):,} MTSamples notes in {ours_cpu:.1f} s of CPU = {rate:,.0f} notes/s "
          f"({len(notes) / ours:,.0f} notes/s by the clock on this machine; inpatient setting, "
          f"{suggestions:,} suggestions; coder loaded in {loaded:.1f} s; load average "
          f"{os.getloadavg()[0]:.2f})")

    phrases = index_phrases(coder.cm)
    longest = max(len(words) for words in phrases)
    peer = run_peer(notes, sorted({" ".join(words) for words in phrases}))
    if peer:
        peer_rate = peer["notes"] / peer["cpu_seconds"]
        print(f"medspaCy {'+'.join(peer['pipeline'])} with {peer['rules']:,} index-term rules: "
              f"{peer['notes']:,} notes in {peer['cpu_seconds']:.1f} s of CPU = "
              f"{peer_rate:,.1f} notes/s ({peer['notes'] / peer['seconds']:,.1f} by the clock; "
              f"{peer['entities']:,} entities, {peer['negated']:,} negated)")
        print(f"ours / medspaCy = {rate / peer_rate:.1f}x (CPU time)")
    ratio_met = peer is None or rate / (peer["notes"] / peer["cpu_seconds"]) >= TARGET_RATIO
    print(f"target >= {TARGET_RATE}/s and >= {TARGET_RATIO:.0f}x medspaCy: "
          f"{'met' if rate >= TARGET_RATE and ratio_met else 'NOT met'}")

    if CODIESP.exists():
        labelled = codiesp.read_labelled(CODIESP)
        settings = {note.doc_id: "inpatient" for note in labelled.notes}
        gold = codiesp.us_gold(labelled, release_of(coder.cm))
        texts = {note.doc_id: note.text() for note in labelled.notes}
        ours_dx = {d: [s.code for s in coder.code(t, setting="inpatient").suggestions
                       if s.system == "icd10cm"] for d, t in texts.items()}
        plain = {d: dictionary_codes(t, phrases, longest) for d, t in texts.items()}
        for label, predicted in (("ours", ours_dx), ("dictionary lookup", plain)):
            scores = evaluate(gold, {"diagnoses": predicted}, settings)["diagnoses"].scores["all"]
            code, category = scores["code"], scores["category"]
            print(f"CodiEsp diagnoses, {len(texts)} English cases, {label}: code-level micro "
                  f"P {code.micro_precision:.3f} R {code.micro_recall:.3f} F1 {code.micro_f1:.3f}; "
                  f"category-level F1 {category.micro_f1:.3f}")
            if label == "ours":
                ours_f1 = (code.micro_f1, category.micro_f1)
        met = ours_f1[0] >= TARGET_CODE_F1 and ours_f1[1] >= TARGET_CATEGORY_F1
        print(f"target CodiEsp F1 >= {TARGET_CODE_F1} code / {TARGET_CATEGORY_F1} category: "
              f"{'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())

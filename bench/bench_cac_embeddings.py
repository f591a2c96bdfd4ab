"""Computer-assisted coding with and without the optional embedding re-ranking
(:mod:`chartwell.cac.rerank`, issue 6 item 5): diagnoses' code-level and category-level
micro-F1 on the development set (``tests/data/cac_dev``) and on the CodiEsp English clinical
cases, and notes per CPU-second each way.

Each run is what ``chartwell eval cac`` does (:func:`chartwell.cac.codiesp.run`: every note in
its own setting, else inpatient), with a coder of its own (no answer remembered from another
run). The re-ranked runs share one embedding model and one in-memory cache of title vectors:
the first of them (the default weight) starts with it empty and is the one timed, so its rate
includes computing every title's vector once; no file cache is used.

BLAS runs on one thread (``OPENBLAS_NUM_THREADS=1`` unless set): on a shared machine, threads
waiting on one another are counted as CPU time and the batches here are small.

``CHARTWELL_BENCH_RERANK_WEIGHTS`` (comma-separated, default the module's ``WEIGHT``) adds
weights to compare; ``CHARTWELL_BENCH_RERANK_POOL`` how many answers are asked of the search
and re-ranked (default the module's ``POOL``, 5: what the coder asks for);
``CHARTWELL_BENCH_RERANK_LIMIT`` codes only the first N notes of each set.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import reference_store  # noqa: E402

HERE = Path(__file__).resolve().parent
DEV = HERE.parent / "tests" / "data" / "cac_dev"
CODIESP = reference_store.DATA / "samples/notes/codiesp"
ON = date(2026, 3, 16)
_LIMIT = os.environ.get("CHARTWELL_BENCH_RERANK_LIMIT")
LIMIT = int(_LIMIT) if _LIMIT else None
_POOL = os.environ.get("CHARTWELL_BENCH_RERANK_POOL")


def evaluate(coder, labelled) -> dict:
    """The ``eval cac`` answer for one coder, with the CPU seconds spent coding."""
    from chartwell.cac import codiesp
    from chartwell.services.cac import DEFAULT_SETTING, release_of
    spent = 0.0

    def code_note(text: str, setting: str):
        nonlocal spent
        started = time.process_time()
        result = coder.code(text, setting=setting)
        spent += time.process_time() - started
        return ([s.code for s in result.suggestions if s.system == "icd10cm"],
                [s.code for s in result.suggestions if s.system == "icd10pcs"])

    predicted: dict[str, set[str]] = {}

    def remembered(text: str, setting: str):
        diagnoses, procedures = code_note(text, setting)
        predicted[f"{len(predicted)}"] = set(diagnoses)
        return diagnoses, procedures

    answer = codiesp.run(labelled, remembered, default_setting=DEFAULT_SETTING,
                         release=release_of(coder.cm), listed=False)
    gold = codiesp.us_gold(labelled, release_of(coder.cm))["diagnoses"]
    answer["cpu_seconds"] = spent
    answer["by_note"] = [(predicted[f"{n}"], set(gold.get(note.doc_id, ())))
                         for n, note in enumerate(labelled.notes)]
    return answer


def changes(plain: dict, reranked: dict) -> str:
    """What the re-ranking changed in the suggestions: codes gained and lost, right or
    wrong by the gold."""
    gained_right = gained_wrong = lost_right = lost_wrong = 0
    for (before, gold), (after, _) in zip(plain["by_note"], reranked["by_note"], strict=True):
        gained_right += len((after - before) & gold)
        gained_wrong += len((after - before) - gold)
        lost_right += len((before - after) & gold)
        lost_wrong += len((before - after) - gold)
    return (f"suggestions gained {gained_right} right + {gained_wrong} wrong, lost "
            f"{lost_right} right + {lost_wrong} wrong")


def line(label: str, answer: dict) -> str:
    scores = answer["diagnoses"]["all"]
    code, category = scores["code"], scores["category"]
    rate = answer["documents"] / answer["cpu_seconds"]
    return (f"  {label:28} code P {code['micro_precision']:.3f} R {code['micro_recall']:.3f} "
            f"F1 {code['micro_f1']:.4f} | category F1 {category['micro_f1']:.4f} | "
            f"{answer['documents']} notes in {answer['cpu_seconds']:.1f} s CPU = "
            f"{rate:.1f} notes/s")


def main() -> int:
    if not reference_store.available():
        print("shared data absent: set CHARTWELL_TEST_DATA; nothing measured")
        return 0
    from chartwell.cac import codiesp, embeddings, rerank
    global POOL
    POOL = int(_POOL) if _POOL else rerank.POOL
    if not embeddings.model_installed():
        print(f"the embedding model is not installed ({embeddings.INSTALL_HINT}); nothing "
              f"measured")
        return 0
    reference_store.use(reference_store.reference_store())
    from chartwell.cac.pipeline import Coder

    weights = [float(w) for w in os.environ.get("CHARTWELL_BENCH_RERANK_WEIGHTS",
                                                str(rerank.WEIGHT)).split(",")]
    plain = Coder.open(on=ON)
    started = time.process_time()
    encoder = embeddings.load_encoder("cpu")
    titles = rerank.TitleVectors(encoder)
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), model loaded in "
          f"{time.process_time() - started:.2f} s CPU (memory-mapped weights); BLAS threads "
          f"{os.environ['OPENBLAS_NUM_THREADS']}; {POOL} answers re-ranked a query")
    sets = [("development set", DEV)] + ([("CodiEsp", CODIESP)] if CODIESP.exists() else [])
    for name, folder in sets:
        labelled = codiesp.read_labelled(folder, LIMIT)
        print(f"{name} ({len(labelled.notes)} notes), diagnoses, all settings:")
        alone = evaluate(_fresh(plain, plain.search), labelled)
        print(line("search alone", alone), flush=True)
        for weight in weights:
            search = rerank.EmbeddingRerankedSearch(plain.search, titles, weight=weight,
                                                    pool=POOL)
            answer = evaluate(_fresh(plain, search), labelled)
            print(line(f"re-ranked, weight {weight:g}", answer) +
                  f"\n      first answer changed in {search.changed} of {search.reranked} "
                  f"re-ranked queries; {changes(alone, answer)}", flush=True)
        print(f"  (title vectors computed so far: {len(titles)}; load now "
              f"{os.getloadavg()[0]:.2f})")
    return 0


def _fresh(coder, search):
    """A coder on the same releases with ``search``, remembering no answers yet."""
    from chartwell.cac.pipeline import Coder
    return Coder(coder.cm, search, pcs_artifact=coder.pcs_artifact,
                 pcs_search=coder.pcs_search, release=coder.release)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())

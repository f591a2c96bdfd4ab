"""CMS-HCC scoring throughput beside hccinfhir's and hccpy's, on the same generated patients.

    python bench/bench_hcc.py          (``make bench`` runs it too)

20,000 seeded patients (codes drawn from the PY2026 V28 map), one process. Ours is the whole
domain path of ``chartwell hcc score``: parse the PATIENT.json document, score V28 PY2026 with
findings and explanations, and build the JSON answer. hccinfhir: ``calculate_raf`` with the same
tables; hccpy: ``HCCEngine("28").profile`` (its own PY2023 tables). Tables are loaded before the
clock starts, for all three.

Before that, what reading the tables costs (CPU seconds, ``time.process_time``): the folder
(``--data``) against the installed PY2026 release's tables read back from its artifact (what
``chartwell hcc score`` does once per payment year when no folder is given; the artifact is built
in memory here, so no store is needed).
"""

from __future__ import annotations

import os
import random
import sys
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PATIENTS = 20_000
DUAL_CODES = {"non": "00", "full": "02", "partial": "01"}


def data_folder() -> Path:
    root = Path(os.environ.get("CHARTWELL_TEST_DATA", REPO.parent / "shared" / "data"))
    return root / "codesets" / "hcc"


def patients(codes: list[str], count: int) -> list[dict]:
    rng = random.Random(2026)
    documents = []
    for _ in range(count):
        born = date(2026, 2, 1) - timedelta(days=rng.randint(40 * 365, 95 * 365))
        documents.append({
            "sex": rng.choice("FM"), "birth_date": born.isoformat(), "payment_year": 2026,
            "dual_status": rng.choice(list(DUAL_CODES)), "orec": rng.choice("0001"),
            "institutional": rng.random() < 0.1,
            "diagnoses": [{"code": code, "date": "2025-06-15"} for code in rng.sample(codes, rng.randint(0, 12))]})
    return documents


def rate(label: str, run, documents: list[dict]) -> float:
    start = time.perf_counter()
    for document in documents:
        run(document)
    per_second = len(documents) / (time.perf_counter() - start)
    print(f"  {label:<44} {per_second:>10,.0f} patients/s")
    return per_second


def installed_read_seconds(folder: Path) -> float:
    import sqlite3

    from chartwell.codesets import hcc
    from chartwell.codesets.install import scan

    plan = next(plan for plan in scan([folder]).plans if plan.version == "2026")
    connection = sqlite3.connect(":memory:")
    hcc.load(plan, lambda _message: None).tables(connection)
    started = time.process_time()
    hcc.read_tables(connection, "PY2026").for_model("V28", 2026)
    return time.process_time() - started


def main() -> int:
    folder = data_folder()
    if not folder.is_dir():
        print(f"skipped: no CMS-HCC tables at {folder}")
        return 0
    from chartwell.grouping.hcc import (
        age_on_february_first, load_hcc_model_files, parse_request, risk_score_json, score,
    )
    started = time.process_time()
    tables = load_hcc_model_files(folder)
    print(f"  read the tables from the folder (all years)      {time.process_time() - started:6.2f} s CPU")
    print(f"  read the PY2026 release back from its artifact   {installed_read_seconds(folder):6.2f} s CPU")
    model = tables.for_model("V28", 2026)
    documents = patients(sorted(model.dx_to_cc), PATIENTS)
    print(f"{PATIENTS:,} patients, V28 PY2026, one process")
    ours = rate("chartwell (parse, score, explain, JSON)",
                lambda document: risk_score_json(score(parse_request(document), tables)), documents)

    def age(document: dict) -> int:
        return age_on_february_first(date.fromisoformat(document["birth_date"]), 2026)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from hccinfhir.model_calculate import calculate_raf
        except ImportError:
            calculate_raf = None
        try:
            from hccpy.hcc import HCCEngine
            engine = HCCEngine(version="28")
        except ImportError:
            engine = None
    if calculate_raf:
        peer = rate("hccinfhir 0.4 calculate_raf", lambda document: calculate_raf(
            [item["code"] for item in document["diagnoses"]], model_name="CMS-HCC Model V28",
            age=age(document), sex=document["sex"], dual_elgbl_cd=DUAL_CODES[document["dual_status"]],
            orec=document["orec"], lti=document["institutional"]), documents)
        print(f"  ratio chartwell / hccinfhir: {ours / peer:.2f}")
    if engine:
        peer = rate("hccpy 0.1.9 HCCEngine.profile", lambda document: engine.profile(
            [item["code"] for item in document["diagnoses"]], age=age(document), sex=document["sex"],
            elig="INS" if document["institutional"] else "CNA", orec=document["orec"]), documents)
        print(f"  ratio chartwell / hccpy: {ours / peer:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

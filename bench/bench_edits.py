"""Edits over 100,000 coded encounters, one process, every edit family on (ICD-10-CM conventions
and validity, MCE, NCCI PTP and add-on, MUE), against the releases in force on each date; side by
side with the peer that does part of the same work: msdrg's Medicare Code Editor (the MCE alone)
on the inpatient share.

Ours is the whole path: ENCOUNTER.json documents -> parse -> choose the releases by date -> every
rule -> findings (to JSON). Encounters: a third each inpatient (random FY2026 ICD-10-CM and PCS
codes, as the MS-DRG agreement test draws them), outpatient and professional (CPT/HCPCS codes of
the MUE practitioner table, 1-6 lines, random modifiers and units). Target: >= 20,000 encounter
checks per second.

Before timing, the bench loads what a long-running service loads as it starts: the code tables
of each combination of releases in force over the year made whole
(:func:`chartwell.services.edits.make_tables_whole`: every billable ICD-10-CM code's row, each
MUE/HCPCS code's NCCI and MUE row), its time printed apart; then a warm-up of 2,000 encounters
(also untimed). The first pass still makes as the codes come what no table holds whole (an NCCI
edit's rows for a pair found on a claim, the messages written once per table row). Later rounds (``CHARTWELL_BENCH_ROUNDS``, default 2) check the same documents again, as a
long-running process (the API) does with its tables read; each round times the peer too, the
machine being shared.
"""

from __future__ import annotations

import csv
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import reference_store

COUNT = int(os.environ.get("CHARTWELL_BENCH_EDITS", "100000"))
ROUNDS = int(os.environ.get("CHARTWELL_BENCH_ROUNDS", "2"))  # the first pass, then passes again
TARGET = 20_000
FIRST, LAST = date(2025, 10, 1), date(2026, 9, 30)
MODIFIERS = ("", "", "", "", "25", "59", "XS", "LT", "RT", "26", "TC", "76")


def claim_codes() -> list[str]:
    path = reference_store.DATA / "codesets/mue/2024q3/reformatted/ncci_mue_prac.csv"
    with path.open(newline="") as stream:
        return sorted({row["hcpcs_code"] for row in csv.DictReader(stream)})


def claims(rng: random.Random, count: int, setting: str, codes: list[str], diagnoses: list[str]):
    for _ in range(count):
        day = FIRST + timedelta(days=rng.randint(0, (LAST - FIRST).days))
        lines = []
        for code in rng.sample(codes, rng.randint(1, 6)):
            modifier = rng.choice(MODIFIERS)
            lines.append({"code": code, "date": day.isoformat(), "units": rng.choice((1, 1, 1, 2, 3, 8)),
                          "modifiers": [modifier] if modifier else []})
        yield {"setting": setting, "date_of_service": day.isoformat(),
               "patient": {"sex": rng.choice("FM"),
                           "birth_date": (day - timedelta(days=rng.randint(0, 95 * 365))).isoformat()},
               "diagnoses": [{"code": code} for code in rng.sample(diagnoses, rng.randint(1, 6))],
               "procedures": lines}


def main() -> int:
    if not reference_store.available():
        print("shared data absent: set CHARTWELL_TEST_DATA; nothing measured")
        return 0
    reference_store.use(reference_store.reference_store())
    from chartwell.codesets.model import CodeSystem
    from chartwell.services import edits
    from chartwell.services.actor import local_operator
    from chartwell.services.codesets import open_release
    from chartwell.store.db import get_engine, transaction
    from chartwell.synth.coded_encounters import inpatient_encounters

    with transaction(get_engine()) as session:
        cm = [t.code for t in open_release(session=session, system=CodeSystem.ICD10CM,
                                           on=date(2026, 3, 1)).artifact.titles() if t.billable]
        pcs = [t.code for t in open_release(session=session, system=CodeSystem.ICD10PCS,
                                            on=date(2026, 3, 1)).artifact.titles() if t.billable]
    rng = random.Random(20261124)
    third = COUNT // 3
    documents = list(inpatient_encounters(7, COUNT - 2 * third, diagnoses=cm, procedures=pcs,
                                          first_discharge=FIRST, last_discharge=LAST))
    inpatient = len(documents)
    codes = claim_codes()
    documents += list(claims(rng, third, "outpatient", codes, cm))
    documents += list(claims(rng, third, "professional", codes, cm))
    rng.shuffle(documents)

    with transaction(get_engine()) as session:  # load: the code tables made whole
        started, cpu = time.perf_counter(), time.process_time()
        edits.make_tables_whole(session=session, actor=local_operator(),
                                days=[FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)])
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"load, not timed below: the releases in force on every date of the year opened and the "
          f"code tables of each combination made whole: {cpu:.2f} s CPU ({elapsed:.2f} s clock) "
          "(every billable ICD-10-CM code's row with its notes and its MCE and POA answers, the "
          "MCE's answer for each ICD-10-PCS code, each MUE/HCPCS code's row with its NCCI column "
          "2 codes; what a long-running service does as it starts)")
    with transaction(get_engine()) as session:  # warm: the rest of what the first checks read
        started, cpu = time.perf_counter(), time.process_time()
        edits.check_document(session=session, actor=local_operator(), document=documents[:2000])
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"warm-up, not timed below: 2,000 encounters checked: {cpu:.2f} s CPU ({elapsed:.2f} s "
          "clock)")
    inpatient_share = [doc for doc in documents if doc["setting"] == "inpatient"]
    for round_number in range(1, ROUNDS + 1):
        first = round_number == 1
        (rate, cpu_rate), found, errors = check_all(documents)
        label = "first pass (after the warm-up)" if first else \
            "again (tables already read)"
        print(f"round {round_number}, ours, every family, {label}: {len(documents):,} encounters "
              f"({inpatient:,} inpatient) = {rate:,.0f} encounters/s ({cpu_rate:,.0f} per CPU "
              f"second; {found:,} findings, {errors} unreadable)")
        peer = mce_peer(inpatient_share)
        if peer:
            print(f"round {round_number}, msdrg MceEditor, MCE only, inpatient share: "
                  f"{peer[0]:,.0f} encounters/s ({peer[1]:,.0f} per CPU second); ours / peer = "
                  f"{rate / peer[0]:.2f} ({cpu_rate / peer[1]:.2f} per CPU second; ours runs "
                  "every family)")
        if first:
            print(f"target >= {TARGET:,}/s (first pass): {'met' if rate >= TARGET else 'NOT met'}")
    return 0


def check_all(documents: list[dict]) -> tuple[tuple[float, float], int, int]:
    """The whole path over the documents, timed: ((encounters per second of the clock, per
    second of this process's CPU time: the machine may be shared), findings, unreadable)."""
    from chartwell.services import edits
    from chartwell.services.actor import local_operator
    from chartwell.store.db import get_engine, transaction

    with transaction(get_engine()) as session:
        started, cpu = time.perf_counter(), time.process_time()
        results, _ = edits.check_document(session=session, actor=local_operator(),
                                          document=documents)
        answers = edits.answers(results)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    errors = sum(1 for answer in answers if "error" in answer)
    found = sum(len(answer.get("findings", ())) for answer in answers)
    return (len(documents) / elapsed, len(documents) / cpu), found, errors


def mce_peer(documents: list[dict]) -> tuple[float, float] | None:
    """msdrg's MCE over the stays: (per second of the clock, per CPU second)."""
    try:
        import msdrg
    except ImportError:
        print("note: msdrg is not installed; no peer figure")
        return None
    claims = []
    for doc in documents:
        discharge = date.fromisoformat(doc["discharge_date"])
        birth = date.fromisoformat(doc["patient"]["birth_date"])
        age = discharge.year - birth.year - ((discharge.month, discharge.day) < (birth.month, birth.day))
        codes = [dx["code"].replace(".", "") for dx in doc["diagnoses"]]
        claims.append({"discharge_date": int(discharge.strftime("%Y%m%d")), "age": max(age, 0),
                       "sex": {"M": 0, "F": 1}.get(doc["patient"]["sex"], 2),
                       "discharge_status": int(doc["discharge_status"]) if doc["discharge_status"].isdigit() else 0,
                       "pdx": {"code": codes[0]}, "sdx": [{"code": code} for code in codes[1:]],
                       "procedures": [{"code": px["code"]} for px in doc["procedures"]]})
    with msdrg.MceEditor() as editor:
        started, cpu = time.perf_counter(), time.process_time()
        for claim in claims:
            editor.edit(claim)
        return (len(claims) / (time.perf_counter() - started),
                len(claims) / (time.process_time() - cpu))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())

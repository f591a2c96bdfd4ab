"""Fixtures: a fresh, migrated store per test on SQLite and, by marker, on a throwaway
PostgreSQL cluster the suite starts itself (initdb into a temp dir, a free loopback port)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from chartwell.settings import get_settings
from chartwell.store import migrate
from chartwell.store.db import engine_for, make_engine
sys.path.insert(0, str(Path(__file__).parent / "integration"))  # release_store, cli_runner

from pgcluster import PostgresCluster, PostgresUnavailable
from support import unavailable

@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    # not under pytest's tmp dir: that is private to root, and the server runs as nobody
    root = Path(tempfile.mkdtemp(prefix="chartwell-pg-"))
    cluster = PostgresCluster(root)
    try:
        cluster.start()
    except PostgresUnavailable as missing:
        unavailable(str(missing))
    template_url = cluster.create_database("chartwell_template")
    engine = make_engine(template_url)
    migrate.upgrade(engine)
    engine.dispose()
    yield cluster
    cluster.stop()
    shutil.rmtree(root, ignore_errors=True)


def _use_store(monkeypatch, data_dir: Path, url: str) -> None:
    monkeypatch.setenv("CHARTWELL_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CHARTWELL_DATABASE_URL", url)
    get_settings.cache_clear()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path, monkeypatch) -> Iterator[Engine]:
    """A fresh migrated store, settings pointing at it; parametrised over both back ends."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if request.param == "sqlite":
        url = f"sqlite:///{data_dir / 'chartwell.sqlite'}"
        _use_store(monkeypatch, data_dir, url)
        engine = engine_for(url)
        migrate.upgrade(engine)
    else:
        cluster = request.getfixturevalue("postgres")
        url = cluster.create_database(f"t_{uuid.uuid4().hex[:12]}", template="chartwell_template")
        _use_store(monkeypatch, data_dir, url)
        engine = engine_for(url)
    yield engine
    engine.dispose()
    engine_for.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def sqlite_store(tmp_path, monkeypatch) -> Iterator[Engine]:
    """SQLite only, for tests whose subject is not the back end."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    url = f"sqlite:///{data_dir / 'chartwell.sqlite'}"
    _use_store(monkeypatch, data_dir, url)
    engine = engine_for(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    engine_for.cache_clear()
    get_settings.cache_clear()


# -- a store with the reference releases the edits and groupers read ---------------------------

REFERENCE_RELEASES = ("icd10cm/2025", "icd10cm/2026", "icd10cm/2027", "icd10pcs/2026", "icd10pcs/2025",
                      "hcpcs/2024q3", "ncci/2024q3", "mue/2024q3", "poa", "msdrg/v43")
"""Folders of ../shared/data/codesets installed once per session by ``codesets install``
(ICD-10-CM FY2025-2027, PCS FY2026, HCPCS 2024Q3, NCCI and MUE 2024Q3, POA-exempt FY2025-2026,
MS-DRG v43 tables), without the search engine's tables (nothing here searches)."""


@pytest.fixture(scope="session")
def reference_data(tmp_path_factory) -> Iterator[Path]:
    """The data dir of a SQLite store with :data:`REFERENCE_RELEASES` installed."""
    from release_store import installed_store
    from support import shared_data

    root = shared_data("codesets")
    data_dir = tmp_path_factory.mktemp("reference-data")
    with installed_store(data_dir, *(root / folder for folder in REFERENCE_RELEASES)):
        pass
    yield data_dir


@pytest.fixture
def references(reference_data, monkeypatch) -> Iterator[Engine]:
    """Settings pointing at the session's reference store (read it; do not install into it)."""
    url = f"sqlite:///{reference_data / 'chartwell.sqlite'}"
    _use_store(monkeypatch, reference_data, url)
    engine = engine_for(url)
    yield engine
    engine_for.cache_clear()
    get_settings.cache_clear()

"""Fixtures: a fresh, migrated store per test on SQLite and, by marker, on a throwaway
PostgreSQL cluster the suite starts itself (initdb into a temp dir, a free loopback port)."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from chartwell.settings import get_settings
from chartwell.store import migrate
from chartwell.store.db import engine_for, make_engine
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

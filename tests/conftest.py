"""Fixtures: a fresh, migrated store per test on SQLite and, by marker, on a throwaway
PostgreSQL cluster the suite starts itself (initdb into a temp dir, a free loopback port)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from chartwell.settings import get_settings
from chartwell.store import migrate
from chartwell.store.db import engine_for, make_engine
from support import unavailable

PG_DIRS = ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"]


def _pg_bin(name: str) -> str | None:
    for folder in PG_DIRS:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresCluster:
    """A private PostgreSQL server for the test session; a template database holds the migrated
    schema so each test gets a fresh copy with one CREATE DATABASE."""

    def __init__(self, root: Path):
        self.root, self.port = root, _free_port()
        self.data = root / "pgdata"
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            unavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        user_args = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root; run it as nobody
            shutil.chown(self.root, "nobody")
            user_args = ["runuser", "-u", "nobody", "--"]
        subprocess.run([*user_args, initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust",
                        "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
        subprocess.run([*user_args, pg_ctl, "-D", str(self.data), "-w", "-l", str(self.root / "log"),
                        "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                        "-c synchronous_commit=off -c full_page_writes=off", "start"],
                       check=True, capture_output=True)
        self._pg_ctl, self._user_args = pg_ctl, user_args

    def stop(self) -> None:
        subprocess.run([*self._user_args, self._pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True)

    def create_database(self, name: str, template: str | None = None) -> str:
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            clause = f" TEMPLATE {template}" if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        admin.dispose()
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    # not under pytest's tmp dir: that is private to root, and the server runs as nobody
    root = Path(tempfile.mkdtemp(prefix="chartwell-pg-"))
    cluster = PostgresCluster(root)
    cluster.start()
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

"""A throwaway PostgreSQL server (initdb into a folder, a free loopback port), shared by the
test suite's fixtures and the benchmarks. Test support only: never imported by the product."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


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
    """A private PostgreSQL server; a template database can hold the migrated schema so each
    test gets a fresh copy with one CREATE DATABASE."""

    def __init__(self, root: Path):
        self.root, self.port = root, _free_port()
        self.data = root / "pgdata"
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
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

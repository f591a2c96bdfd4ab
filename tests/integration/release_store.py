"""A throwaway SQLite store with releases installed by the real ``chartwell codesets install``
(the search engine's tables left out: nothing that uses this searches), for module- or
session-scoped fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from chartwell.codesets import build
from chartwell.services.codesets import forget_open_artifacts
from chartwell.settings import get_settings
from chartwell.store import migrate
from chartwell.store.db import engine_for
from cli_runner import chartwell


@contextmanager
def installed_store(data_dir: Path, *paths: Path) -> Iterator[tuple[Engine, object]]:
    """(engine, the install's JSON answer), the settings pointing at the store meanwhile."""
    url = f"sqlite:///{data_dir / 'chartwell.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHARTWELL_DATA_DIR", str(data_dir))
        patch.setenv("CHARTWELL_DATABASE_URL", url)
        patch.setattr(build, "add_search_tables", lambda *args, **kwargs: False)
        get_settings.cache_clear()
        engine = engine_for(url)
        migrate.upgrade(engine)
        code, document, output = chartwell("codesets", "install", *map(str, paths), "--json")
        assert code == 0, output
        try:
            yield engine, document
        finally:
            forget_open_artifacts()
            engine.dispose()
            engine_for.cache_clear()
            get_settings.cache_clear()

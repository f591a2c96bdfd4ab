"""Helpers shared by the test modules (imported as ``support``; pytest puts tests/ on sys.path).

An environment gap (no ../shared/data, no PostgreSQL binaries, no Chromium) skips a test with a
reason on a developer's machine; under CI (``CHARTWELL_CI=1``) the same gap fails it, so CI can
never pass by skipping.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent


def in_ci() -> bool:
    return os.environ.get("CHARTWELL_CI") == "1"


def unavailable(reason: str) -> None:
    """Skip because something the machine lacks is needed; fail instead under CI."""
    if in_ci():
        pytest.fail(f"CHARTWELL_CI=1 and {reason}", pytrace=False)
    pytest.skip(reason)


def test_data_root() -> Path:
    return Path(os.environ.get("CHARTWELL_TEST_DATA", REPO.parent / "shared" / "data"))


def shared_data(relative: str) -> Path:
    """A path inside the shared test data, or skip (fail under CI) when it is absent."""
    path = test_data_root() / relative
    if not path.exists():
        unavailable(f"test data {path} is absent (set CHARTWELL_TEST_DATA to ../shared/data)")
    return path


def load_test_module(relative: str) -> ModuleType:
    """Another test module of this suite (``"unit/test_cac_pipeline.py"``), loaded for the
    builders its fixtures use (a fresh module object each time, under a name of its own)."""
    name = "chartwell_tests_" + relative.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, REPO / "tests" / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def coded(coder, text: str, setting: str = "inpatient") -> dict[str, object]:
    """A note's CAC suggestions by code, each checked to have an evidence span that lies in the
    note and says its words, and an index path (the CAC rule tests' common reading)."""
    result = coder.code(text, setting=setting)
    for item in result.suggestions:
        assert item.spans and item.path
        for span in item.spans:
            assert text[span.start:span.end] == span.text and span.text.strip()
    return {item.code: item for item in result.suggestions}


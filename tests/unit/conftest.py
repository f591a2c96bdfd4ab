"""Fixtures shared by the unit tests of one family."""

from __future__ import annotations

import pytest
from support import load_test_module


@pytest.fixture(scope="module")
def coder(request, reference_data):
    """The CAC coder of the pipeline tests (the session's FY2026 reference store and the
    encoder's cached FY2026 search index), for the rule tests of each round; a module that
    builds its own coder defines its own ``coder``."""
    return load_test_module("unit/test_cac_pipeline.py").build_coder(request, reference_data)

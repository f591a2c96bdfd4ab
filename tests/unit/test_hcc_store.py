"""The CMS-HCC tables as an installed release: what ``codesets install`` writes into a payment
year's artifact reads back as the very tables the folder loader gives, for every model and year."""

from __future__ import annotations

import sqlite3

import pytest

from chartwell.codesets import hcc
from chartwell.codesets.install import scan
from chartwell.errors import InvalidInput
from chartwell.grouping.hcc import load_hcc_model_files
from support import shared_data

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def folder_tables():
    return load_hcc_model_files(shared_data("codesets/hcc"))


@pytest.fixture(scope="module")
def installed():
    """Payment year -> the tables read back from its release's artifact (in memory)."""
    found = {}
    for plan in scan([shared_data("codesets/hcc")]).plans:
        loaded = hcc.load(plan, lambda _message: None)
        connection = sqlite3.connect(":memory:")
        counts = loaded.tables(connection)
        assert counts["dx_to_cc"] > 7000 and counts["relative_factors"] > 2000
        found[plan.year] = (hcc.read_tables(connection, f"release {plan.version}"), loaded.notes)
        connection.close()
    return found


def test_each_payment_year_reads_back_as_the_folder_gives_it(folder_tables, installed):
    assert sorted(installed) == [2022, 2023, 2024, 2025, 2026, 2027]
    compared = 0
    for year, (tables, _notes) in installed.items():
        for model in ("V24", "V28"):
            if (model, year) not in folder_tables.maps:
                assert (model, year) not in tables.maps
                continue
            assert tables.for_model(model, year) == folder_tables.for_model(model, year)
            compared += 1
    assert compared == 8  # V24: 2022, 2025, 2026; V28: 2023-2027


def test_a_release_says_what_each_model_scores_with(installed):
    _tables, notes = installed[2027]
    assert notes == ["V28: ra_dx_to_cc_2027.csv, ra_proposed_coefficients_2027.csv, "
                     "ra_hierarchies_2026.csv, ra_labels_2026.csv, ra_dx_edits.csv "
                     "(PROPOSED relative factors)"]
    _tables, notes = installed[2025]
    assert [note.split(":")[0] for note in notes] == ["V24", "V28"]


def test_a_year_whose_model_has_no_hierarchy_is_refused(tmp_path):
    source = shared_data("codesets/hcc/cms-software-format")
    for name in ("F2824T1N.TXT", "V28hcccoefn.csv"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    plan = scan([tmp_path]).plans[0]
    with pytest.raises(InvalidInput, match="no CMS-HCC V28 hierarchy"):
        hcc.load(plan, lambda _message: None)

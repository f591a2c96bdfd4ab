"""Release versions, effective periods and the release in force on a date (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from chartwell.codesets.model import CodeSystem
from chartwell.codesets.releases import (
    NoReleaseInForce,
    Release,
    effective_periods,
    in_force,
    later_releases,
    newest_before,
    previous_release,
    published_period,
)
from chartwell.errors import InvalidInput

CM, PCS, HCPCS, CPT = CodeSystem.ICD10CM, CodeSystem.ICD10PCS, CodeSystem.HCPCS, CodeSystem.CPT


@pytest.mark.parametrize(("system", "version", "start", "end"), [
    (CM, "FY2026", date(2025, 10, 1), date(2026, 9, 30)),
    (CM, "FY2025", date(2024, 10, 1), date(2025, 9, 30)),
    (PCS, "FY2027", date(2026, 10, 1), date(2027, 9, 30)),
    (HCPCS, "2024Q3", date(2024, 7, 1), date(2024, 9, 30)),
    (HCPCS, "2024Q1", date(2024, 1, 1), date(2024, 3, 31)),
    (HCPCS, "2024Q4", date(2024, 10, 1), date(2024, 12, 31)),
    (CPT, "2025", date(2025, 1, 1), date(2025, 12, 31)),
])
def test_published_periods(system, version, start, end):
    assert published_period(system, version) == (start, end)


@pytest.mark.parametrize(("system", "version"), [
    (CM, "2026"), (CM, "FY26"), (HCPCS, "FY2026"), (HCPCS, "2024Q5"), (CPT, "FY2025"),
])
def test_a_version_of_the_wrong_form_is_refused(system, version):
    with pytest.raises(InvalidInput, match="version"):
        published_period(system, version)


def test_the_newest_hcpcs_release_is_open_ended_and_older_ones_close():
    periods = effective_periods(HCPCS, ["2024Q3"])
    assert periods == {"2024Q3": (date(2024, 7, 1), None)}
    periods = effective_periods(HCPCS, ["2024Q3", "2024Q4"])
    assert periods["2024Q3"] == (date(2024, 7, 1), date(2024, 9, 30))
    assert periods["2024Q4"] == (date(2024, 10, 1), None)


def test_fiscal_year_releases_keep_their_september_end():
    assert effective_periods(CM, ["FY2026"]) == {"FY2026": (date(2025, 10, 1), date(2026, 9, 30))}


def _release(system, version) -> Release:
    start, end = effective_periods(system, [version])[version]
    return Release(system=system, version=version, effective_start=start, effective_end=end)


RELEASES = [_release(CM, "FY2025"), _release(CM, "FY2026"), _release(HCPCS, "2024Q3")]


@pytest.mark.parametrize(("on", "version"), [
    (date(2025, 9, 30), "FY2025"), (date(2025, 10, 1), "FY2026"), (date(2024, 10, 1), "FY2025"),
    (date(2026, 9, 30), "FY2026"),
])
def test_the_release_in_force_switches_on_october_first(on, version):
    assert in_force(RELEASES, CM, on).version == version


def test_a_date_no_release_covers_says_what_is_installed():
    with pytest.raises(NoReleaseInForce) as error:
        in_force(RELEASES, CM, date(2019, 3, 1))
    assert error.value.message == ("no ICD-10-CM release installed for 2019-03-01; installed: "
                                   "FY2025 (2024-10-01..2025-09-30), FY2026 (2025-10-01..2026-09-30)")
    with pytest.raises(NoReleaseInForce, match="2026-10-01"):
        in_force(RELEASES, CM, date(2026, 10, 1))
    with pytest.raises(NoReleaseInForce, match="none is installed"):
        in_force(RELEASES, PCS, date(2026, 1, 1))


def test_an_open_ended_release_covers_every_later_date():
    assert in_force(RELEASES, HCPCS, date(2030, 1, 1)).version == "2024Q3"
    with pytest.raises(NoReleaseInForce, match=r"2024Q3 \(2024-07-01\.\.\)"):
        in_force(RELEASES, HCPCS, date(2024, 6, 30))


def test_neighbours():
    fy25, fy26 = RELEASES[0], RELEASES[1]
    assert previous_release(RELEASES, fy26) == fy25
    assert previous_release(RELEASES, fy25) is None
    assert later_releases(RELEASES, fy25) == [fy26]
    assert newest_before(RELEASES, CM, date(2026, 11, 24)) == fy26
    assert newest_before(RELEASES, CM, date(2025, 1, 1)) is None
    assert newest_before(RELEASES, HCPCS, date(2030, 1, 1)) is None  # open-ended: never "ended"

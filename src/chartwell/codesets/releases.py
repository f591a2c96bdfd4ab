"""Releases of a code system, versioned by date: labels, effective periods and the release in
force on a date of service. Pure: no I/O.

* **ICD-10-CM and ICD-10-PCS** are published per federal fiscal year, October 1 to September 30:
  ``FY2026`` is in force 2025-10-01..2026-09-30. A mid-year update (the April 1 ICD-10-CM update)
  is part of its fiscal year's release, not a release of its own. A fiscal-year release ends on
  its September 30 whatever else is installed: on October 1 the codes change, and a claim for
  that day must not be coded with last year's set.
* **HCPCS Level II** is published quarterly (``2024Q3`` = 2024-07-01..2024-09-30) and **CPT**
  yearly (``2025`` = 2025-01-01..2025-12-31). Each file is cumulative and every HCPCS code
  carries its own added and termination dates, so the newest release of these systems stays in
  force **until a newer release is installed**: it is recorded open-ended (no end date) and
  ``codesets list`` shows it so; installing a newer one closes it at its published end.

A date that no installed release covers is an error that says what is installed
(:class:`NoReleaseInForce`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from chartwell.codesets.model import CodeSystem, ReleaseSystem, TableSet, release_system
from chartwell.errors import InvalidInput, NotFound

SYSTEM_NAMES = {
    CodeSystem.ICD10CM: "ICD-10-CM",
    CodeSystem.ICD10PCS: "ICD-10-PCS",
    CodeSystem.HCPCS: "HCPCS Level II",
    CodeSystem.CPT: "CPT",
    TableSet.NCCI: "NCCI PTP/add-on edits",
    TableSet.MUE: "MUE tables",
    TableSet.POA: "POA-exempt list",
    TableSet.MSDRG: "MS-DRG tables",
    TableSet.CARC: "Claim adjustment reason codes (CARC)",
    TableSet.RARC: "Remittance advice remark codes (RARC)",
    TableSet.HCC: "CMS-HCC risk adjustment tables",
}
FISCAL_YEAR_SYSTEMS = frozenset({CodeSystem.ICD10CM, CodeSystem.ICD10PCS, TableSet.POA,
                                 TableSet.MSDRG})
QUARTERLY_SYSTEMS = frozenset({CodeSystem.HCPCS, TableSet.NCCI, TableSet.MUE})
OPEN_ENDED_SYSTEMS = frozenset({CodeSystem.HCPCS, CodeSystem.CPT, TableSet.NCCI, TableSet.MUE,
                                TableSet.CARC, TableSet.RARC})
"""Newest release in force until superseded: cumulative files whose rows carry their own dates
(HCPCS added/terminated, NCCI deletion dates, CARC/RARC start and stop dates), or CPT's yearly
licence file."""

_FISCAL_YEAR = re.compile(r"FY(\d{4})")
_QUARTER = re.compile(r"(\d{4})Q([1-4])")
_YEAR = re.compile(r"(\d{4})")


class NoReleaseInForce(NotFound):
    """No installed release of the system covers the date asked about."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file a release was built from, as it was read: name, role, size and SHA-256."""

    name: str
    role: str  # "order file", "tabular", "alphabetic index", ...
    sha256: str
    bytes: int
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Release:
    """An installed release: what it is, when it is in force, what it was built from."""

    system: ReleaseSystem
    version: str  # FY2026, 2024Q3, 2025
    effective_start: date
    effective_end: date | None  # None: in force until a newer release is installed
    sources: tuple[SourceFile, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    artifact_sha256: str = ""
    artifact_bytes: int = 0
    installed_at: datetime | None = None
    installed_by: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        """``FY2026 (2025-10-01..2026-09-30)``; an open end reads ``2024-07-01..``."""
        end = self.effective_end.isoformat() if self.effective_end else ""
        return f"{self.version} ({self.effective_start.isoformat()}..{end})"

    def covers(self, on: date) -> bool:
        return self.effective_start <= on and (self.effective_end is None or on <= self.effective_end)


# -- versions and periods ------------------------------------------------------------------


def fiscal_year_version(year: int) -> str:
    return f"FY{year}"


def quarter_version(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def published_period(system: ReleaseSystem, version: str) -> tuple[date, date]:
    """The period a release is published for: FY2026 -> 2025-10-01..2026-09-30, 2024Q3 ->
    2024-07-01..2024-09-30, CPT 2025 -> 2025-01-01..2025-12-31."""
    system = release_system(system)
    if system in FISCAL_YEAR_SYSTEMS:
        match = _FISCAL_YEAR.fullmatch(version)
        if match:
            year = int(match.group(1))
            return date(year - 1, 10, 1), date(year, 9, 30)
    elif system in QUARTERLY_SYSTEMS:
        match = _QUARTER.fullmatch(version)
        if match:
            year, quarter = int(match.group(1)), int(match.group(2))
            start = date(year, 3 * quarter - 2, 1)
            end = date(year, 12, 31) if quarter == 4 else _day_before(date(year, 3 * quarter + 1, 1))
            return start, end
    elif _YEAR.fullmatch(version):
        return date(int(version), 1, 1), date(int(version), 12, 31)
    expected = {**dict.fromkeys(QUARTERLY_SYSTEMS, "a quarter such as 2024Q3"),
                CodeSystem.CPT: "a year such as 2025"}
    raise InvalidInput(f"{version!r} is not a {SYSTEM_NAMES[system]} version: expected "
                       f"{expected.get(system, 'a fiscal year such as FY2026')}")


def _day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


def effective_periods(system: ReleaseSystem, versions: Iterable[str]) -> dict[str, tuple[date, date | None]]:
    """The period each installed version of ``system`` is in force: as published, except that
    the newest release of a quarterly or yearly system is open-ended (see the module notes)."""
    periods = {version: published_period(system, version) for version in versions}
    result: dict[str, tuple[date, date | None]] = dict(periods)
    if release_system(system) in OPEN_ENDED_SYSTEMS and periods:
        newest = max(periods, key=lambda version: periods[version][0])
        result[newest] = (periods[newest][0], None)
    return result


# -- the release in force --------------------------------------------------------------------


def in_force(releases: Sequence[Release], system: ReleaseSystem, on: date) -> Release:
    """The installed release of ``system`` in force on ``on``, or :class:`NoReleaseInForce`
    naming what is installed."""
    mine = sorted((release for release in releases if release.system == system),
                  key=lambda release: release.effective_start)
    for release in reversed(mine):
        if release.covers(on):
            return release
    raise NoReleaseInForce(no_release_message(system, on, mine))


def no_release_message(system: ReleaseSystem, on: date, installed: Sequence[Release]) -> str:
    name = SYSTEM_NAMES[release_system(system)]
    if not installed:
        return (f"no {name} release installed for {on.isoformat()}; none is installed "
                "(chartwell codesets install PATH, or --defaults)")
    listed = ", ".join(release.label for release in installed)
    return f"no {name} release installed for {on.isoformat()}; installed: {listed}"


def newest_before(releases: Sequence[Release], system: ReleaseSystem, on: date) -> Release | None:
    """The newest release of ``system`` that ended before ``on`` (used when no date was given
    and today is past every installed release)."""
    ended = [release for release in releases if release.system == system
             and release.effective_end is not None and release.effective_end < on]
    return max(ended, key=lambda release: release.effective_start, default=None)


def previous_release(releases: Sequence[Release], release: Release) -> Release | None:
    """The installed release of the same system in force just before ``release``."""
    earlier = [other for other in releases if other.system == release.system
               and other.effective_start < release.effective_start]
    return max(earlier, key=lambda other: other.effective_start, default=None)


def later_releases(releases: Sequence[Release], release: Release) -> list[Release]:
    """Installed releases of the same system that start after ``release``, oldest first."""
    return sorted((other for other in releases if other.system == release.system
                   and other.effective_start > release.effective_start),
                  key=lambda other: other.effective_start)

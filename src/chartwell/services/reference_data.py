"""The reference data in force on a date, for bulk work: a code set or edit table release is
chosen once per release period (its effective dates) and read once per artifact for the process
(the readers memoise their look-ups), so a file of 100,000 encounters pays for each table once.
Used by the edits and the groupers alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from chartwell.codesets.model import CodeSystem, ReleaseSystem
from chartwell.codesets.releases import NoReleaseInForce
from chartwell.edits.references import CodeFacts
from chartwell.services.codesets import (
    OpenRelease,
    installed_releases,
    open_release,
    release_neighbourhood,
)

Reader = Callable[[Session, OpenRelease], Any]
_KEPT: dict[tuple[str, Path], Any] = {}  # (reader name, artifact path) -> what it read


def code_facts(session: Session, opened: OpenRelease) -> CodeFacts:
    """A code system's release with its installed neighbours, as the edits and groupers ask it."""
    return CodeFacts(release_neighbourhood(session, installed_releases(session), opened.release))


def code_facts_by_date(session: Session, system: CodeSystem) -> ByDate:
    """The :class:`CodeFacts` of ``system`` by date: one per release for the process, shared by
    every use case that asks."""
    return ByDate(session, system, code_facts, f"code_facts.{system}")


class ByDate:
    """What the release of ``system`` in force on a date gives through ``read``; None where no
    release covers the date."""

    def __init__(self, session: Session, system: ReleaseSystem, read: Reader, name: str):
        self.session, self.system, self.read, self.name = session, system, read, name
        self._periods: list[tuple[date, date | None, Any, str]] = []
        self._missing: set[date] = set()

    def on(self, day: date) -> Any:
        return self.release_on(day)[0]

    def release_on(self, day: date) -> tuple[Any, str | None]:
        """(what the release gives, its version), or (None, None)."""
        for start, end, kept, version in self._periods:
            if start <= day and (end is None or day <= end):
                return kept, version
        if day in self._missing:
            return None, None
        try:
            opened = open_release(session=self.session, system=self.system, on=day)
        except NoReleaseInForce:
            self._missing.add(day)
            return None, None
        key = (self.name, opened.artifact.path)
        if key not in _KEPT:
            _KEPT[key] = self.read(self.session, opened)
        release = opened.release
        self._periods.append((release.effective_start, release.effective_end, _KEPT[key],
                              release.version))
        return _KEPT[key], release.version

"""The grouper itself: ``msdrg``, a port of CMS's MS-DRG grouper validated against CMS's Java one,
opened once per process, and a typed view of what it answers.

``msdrg`` maps its data file and answers one claim in about a tenth of a millisecond. The claims
built here are well-formed by construction (:mod:`chartwell.grouping.drg.claim`), so they go to
its documented C entry point (``msdrg_group_json``) directly, without the Python wrapper's
re-validation: grouping is the whole cost of a bulk run. The handle is closed when the process
exits (an open one warns when collected).
"""

from __future__ import annotations

import atexit
import ctypes
import threading
from collections.abc import Iterator
from typing import NamedTuple

import orjson

NO_DRG = "999"
RETURNED = frozenset({"998", "999"})  # principal diagnosis invalid as discharge dx; ungroupable
LEVELS = ("NONE", "CC", "MCC")  # in rising order
MARKED_FOR_FINAL = frozenset({"BOTH", "FINAL"})


class DrgGrouper:
    """One ``msdrg.MsdrgGrouper``; thread-safe (its native context is immutable)."""

    def __init__(self):
        import msdrg  # imported here: loading the native library is not an import-time cost

        self._grouper = msdrg.MsdrgGrouper()
        self._context = self._grouper.ctx
        self._group_json = self._grouper.lib.msdrg_group_json
        self._free = self._grouper.lib.msdrg_string_free

    def answer(self, claim: dict) -> dict:
        """msdrg's answer to a claim, as a dict (ctypes lets go of the GIL while it groups)."""
        pointer = self._group_json(self._context, orjson.dumps(claim))
        if not pointer:
            raise RuntimeError(f"msdrg could not group a claim (version {claim.get('version')})")
        try:
            return orjson.loads(ctypes.string_at(pointer))
        finally:
            self._free(pointer)

    def group(self, claim: dict) -> Grouping:
        return Grouping(self.answer(claim))

    def final_drg(self, claim: dict) -> tuple[str, str | None]:
        """Only the final DRG and its title (for regrouping with one more diagnosis)."""
        answer = self.answer(claim)
        return _number(answer.get("final_drg")), answer.get("final_drg_description") or None

    def close(self) -> None:
        self._grouper.close()


_shared: DrgGrouper | None = None
_lock = threading.Lock()


def shared_grouper() -> DrgGrouper:
    """The process's grouper, opened on first use and closed at exit."""
    global _shared
    if _shared is None:
        with _lock:
            if _shared is None:
                _shared = DrgGrouper()
                atexit.register(_shared.close)
    return _shared


class SecondaryOutcome(NamedTuple):
    """What the grouper did with one secondary diagnosis (a tuple: made for most secondary
    diagnoses of every stay)."""

    code: str  # undotted, as the grouper has it
    severity: str  # NONE, CC, MCC: the code's level in this version
    drg_impact: str  # NONE, INITIAL, FINAL, BOTH
    flags: tuple[str, ...]  # VALID, EXCLUDED, DEATH_EXCLUSION, MARKED_FOR_FINAL ...
    hacs: tuple[dict, ...]  # the hospital-acquired condition categories it belongs to
    hac_met: tuple[dict, ...]  # those whose criteria it meets (not POA, and their procedures)

    @property
    def valid(self) -> bool:
        return "VALID" in self.flags

    @property
    def counted(self) -> bool:
        """Whether it counts for the final DRG: marked for it, and not a hospital-acquired
        condition (the grouper leaves a HAC's mark on and takes it out of the final severity)."""
        return self.drg_impact in MARKED_FOR_FINAL and not self.hac_met


class Grouping:
    """A grouper answer, kept small: the final DRG (after the HAC step) and the initial one, the
    MDC, the return code, and each secondary diagnosis's outcome."""

    __slots__ = ("drg", "title", "initial_drg", "initial_title", "mdc", "mdc_title",
                 "return_code", "severity", "hac_status", "principal_valid", "_sdx",
                 "_secondaries")

    def __init__(self, answer: dict):
        get = answer.get
        self.drg = _number(get("final_drg"))
        self.title: str | None = get("final_drg_description") or None
        self.initial_drg = _number(get("initial_drg"))
        self.initial_title: str | None = get("initial_drg_description") or None
        mdc = get("final_mdc")
        self.mdc = f"{mdc:02d}" if isinstance(mdc, int) and mdc > 0 else None
        self.mdc_title: str | None = get("final_mdc_description") or None
        self.return_code: str = get("return_code") or "OK"
        self.severity: str = get("final_severity") or "NONE"  # highest level that counts
        self.hac_status: str = (get("grouper_flags") or {}).get("hac_status_value") \
            or "NOT_APPLICABLE"
        self.principal_valid = "VALID" in ((get("pdx_output") or {}).get("flags") or ())
        self._sdx: list[dict] = get("sdx_output") or []
        self._secondaries: tuple[SecondaryOutcome, ...] | None = None

    @property
    def secondaries(self) -> tuple[SecondaryOutcome, ...]:
        """The secondary diagnoses with something to say: a CC/MCC, a code the grouper does not
        know, or one it used (the others are neither kept nor shown)."""
        if self._secondaries is None:
            self._secondaries = tuple(_secondaries(self._sdx))
            self._sdx = []
        return self._secondaries

    @property
    def grouped(self) -> bool:
        """Whether the stay has a payable DRG (not 998 or 999)."""
        return self.return_code == "OK" and self.drg not in RETURNED


def _secondaries(items: list[dict]) -> Iterator[SecondaryOutcome]:
    for item in items:
        severity, impact, flags = item.get("severity") or "NONE", \
            item.get("drg_impact") or "NONE", item.get("flags") or ()
        if severity == "NONE" and impact == "NONE" and "VALID" in flags:
            continue  # nothing to say
        hacs = tuple(item.get("hacs") or ())
        yield SecondaryOutcome(str(item.get("code", "")), severity, impact, tuple(flags), hacs,
                               tuple(hac for hac in hacs
                                     if hac.get("hac_status") == "HAC_CRITERIA_MET")
                               if hacs else ())


def _number(value: object) -> str:
    return f"{value:03d}" if isinstance(value, int) else NO_DRG

"""The grouper itself: ``msdrg``, a port of CMS's MS-DRG grouper validated against CMS's Java one,
opened once per process, and a typed view of what it answers.

``msdrg`` maps its data file and answers one claim in about a tenth of a millisecond. The claims
built here are well-formed by construction (:mod:`chartwell.grouping.drg.claim`), so they go to
its documented C entry point (``msdrg_group_json``) directly, without the Python wrapper's
re-validation: grouping is the whole cost of a bulk run. The handle is closed when the process
exits (an open one warns when collected). A process forked from this one (the worker processes of
a long list) forgets the handle it inherited and opens its own: the grouper's data file is an
LMDB environment, which belongs to the process that opened it.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import threading
from collections.abc import Iterator
from typing import NamedTuple

import msgspec
import orjson

NO_DRG = "999"
RETURNED = frozenset({"998", "999"})  # principal diagnosis invalid as discharge dx; ungroupable
LEVELS = ("NONE", "CC", "MCC")  # in rising order
MARKED_FOR_FINAL = frozenset({"BOTH", "FINAL"})


class _Principal(msgspec.Struct):
    flags: object = None


class _Secondary(msgspec.Struct):
    code: object = ""
    severity: object = None
    drg_impact: object = None
    flags: object = None
    hacs: object = None


class _GrouperFlags(msgspec.Struct):
    hac_status_value: object = None


class _Answer(msgspec.Struct):
    """The part of msdrg's answer a :class:`Grouping` reads (the rest, the procedures' outcomes
    and the initial MDC among it, is skipped as the text is read, not made into objects)."""

    final_drg: object = None
    final_drg_description: object = None
    initial_drg: object = None
    initial_drg_description: object = None
    final_mdc: object = None
    final_mdc_description: object = None
    return_code: object = None
    final_severity: object = None
    grouper_flags: _GrouperFlags | None = None
    pdx_output: _Principal | None = None
    sdx_output: list[_Secondary] | None = None


class _Final(msgspec.Struct):
    final_drg: object = None
    final_drg_description: object = None


_ANSWER = msgspec.json.Decoder(_Answer)
_FINAL = msgspec.json.Decoder(_Final)


class DrgGrouper:
    """One ``msdrg.MsdrgGrouper``; thread-safe (its native context is immutable)."""

    def __init__(self):
        import msdrg  # imported here: loading the native library is not an import-time cost

        self._grouper = msdrg.MsdrgGrouper()
        self._context = self._grouper.ctx
        self._group_json = self._grouper.lib.msdrg_group_json
        self._free = self._grouper.lib.msdrg_string_free

    def answer(self, claim: dict) -> dict:
        """msdrg's whole answer to a claim, as a dict."""
        return orjson.loads(self._call(claim))

    def _call(self, claim: dict) -> bytes:
        """msdrg's answer as JSON text (ctypes lets go of the GIL while it groups)."""
        pointer = self._group_json(self._context, orjson.dumps(claim))
        if not pointer:
            raise RuntimeError(f"msdrg could not group a claim (version {claim.get('version')})")
        try:
            return ctypes.string_at(pointer)
        finally:
            self._free(pointer)

    def group(self, claim: dict) -> Grouping:
        return Grouping(_ANSWER.decode(self._call(claim)))

    def group_all(self, claims: list[dict]) -> list[Grouping]:
        """Many claims: the grouper runs through them all, then its answers are read."""
        answers = [self._call(claim) for claim in claims]
        return [Grouping(_ANSWER.decode(answer)) for answer in answers]

    def final_drg(self, claim: dict) -> tuple[str, str | None]:
        """Only the final DRG and its title (for regrouping with one more diagnosis)."""
        answer = _FINAL.decode(self._call(claim))
        return _number(answer.final_drg), answer.final_drg_description or None

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


def _forget_after_fork() -> None:
    """In a forked child: the parent's handle is left alone (never used nor closed here)."""
    global _shared, _lock
    _shared, _lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


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

    def __init__(self, answer: _Answer):
        self.drg = _number(answer.final_drg)
        self.title: str | None = answer.final_drg_description or None
        self.initial_drg = _number(answer.initial_drg)
        self.initial_title: str | None = answer.initial_drg_description or None
        mdc = answer.final_mdc
        self.mdc = f"{mdc:02d}" if isinstance(mdc, int) and mdc > 0 else None
        self.mdc_title: str | None = answer.final_mdc_description or None
        self.return_code: str = answer.return_code or "OK"
        self.severity: str = answer.final_severity or "NONE"  # highest level that counts
        flags, principal = answer.grouper_flags, answer.pdx_output
        self.hac_status: str = (flags.hac_status_value if flags else None) or "NOT_APPLICABLE"
        self.principal_valid = "VALID" in ((principal.flags if principal else None) or ())
        self._sdx: list[_Secondary] | tuple[tuple, ...] = answer.sdx_output or []
        self._secondaries: tuple[SecondaryOutcome, ...] | None = None

    @property
    def secondaries(self) -> tuple[SecondaryOutcome, ...]:
        """The secondary diagnoses with something to say: a CC/MCC, a code the grouper does not
        know, or one it used (the others are neither kept nor shown)."""
        if self._secondaries is None:
            sdx = self._sdx  # msdrg's answers, or the values of a restored grouping
            self._secondaries = tuple(map(SecondaryOutcome._make, sdx)) \
                if isinstance(sdx, tuple) else tuple(_secondaries(sdx))
            self._sdx = []
        return self._secondaries

    @property
    def grouped(self) -> bool:
        """Whether the stay has a payable DRG (not 998 or 999)."""
        return self.return_code == "OK" and self.drg not in RETURNED

    def values(self) -> tuple:
        """The grouping as plain values (a grouping made in a worker process goes back to the
        parent so), the secondary diagnoses read first; :meth:`restored` makes it again."""
        return (self.drg, self.title, self.initial_drg, self.initial_title, self.mdc,
                self.mdc_title, self.return_code, self.severity, self.hac_status,
                self.principal_valid, tuple(map(tuple, self.secondaries)))

    @classmethod
    def restored(cls, values: tuple) -> Grouping:
        grouping = cls.__new__(cls)
        (grouping.drg, grouping.title, grouping.initial_drg, grouping.initial_title,
         grouping.mdc, grouping.mdc_title, grouping.return_code, grouping.severity,
         grouping.hac_status, grouping.principal_valid, secondaries) = values
        grouping._sdx, grouping._secondaries = secondaries, None  # made again when asked
        return grouping


def _secondaries(items: list[_Secondary]) -> Iterator[SecondaryOutcome]:
    for item in items:
        severity, impact, flags = item.severity or "NONE", item.drg_impact or "NONE", \
            item.flags or ()
        if severity == "NONE" and impact == "NONE" and "VALID" in flags:
            continue  # nothing to say
        hacs = tuple(item.hacs or ())
        yield SecondaryOutcome(str(item.code), severity, impact, tuple(flags), hacs,
                               tuple(hac for hac in hacs
                                     if hac.get("hac_status") == "HAC_CRITERIA_MET")
                               if hacs else ())


def _number(value: object) -> str:
    return f"{value:03d}" if isinstance(value, int) else NO_DRG

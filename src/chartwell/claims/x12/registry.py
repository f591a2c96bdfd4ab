"""Which implementation guide reads a transaction set: (ST01, GS08) -> a guide module.

The version in GS08 names the TR3 and its addenda. Where we have a neighbouring version's guide
we use it and say so: the base 5010 guides and their addenda differ in a handful of code values
and situational rules, far less than they share (005010X222 and X222A2 read with the X222A1
guide; X223, X223A1 and X223A3 with X223A2; X221 with X221A1; X231 with X231A1; X279 with
X279A1). pyx12, the reference validator, also decides by GS08, but has maps only for the exact
versions 005010X222A1, X223A2, X221A1, X231, X231A1, X214 (and 834/820, which we do not read).

Guide modules are imported lazily (a module another helper has not written yet is simply
absent: the transaction is then checked for its envelope only, with a note saying so), and each
guide is compiled once.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from chartwell.claims.x12.walker import CompiledGuide, compile_guide

# (ST01, GS08) -> (module under chartwell.claims.x12.guides, the version that module describes)
_GUIDES: dict[tuple[str, str], tuple[str, str]] = {}


def _register(transaction: str, module: str, version: str, *versions: str) -> None:
    for each in (version, *versions):
        _GUIDES[(transaction, each)] = (module, version)


_register("837", "x222a1_837p", "005010X222A1", "005010X222", "005010X222A2")
_register("837", "x223a2_837i", "005010X223A2", "005010X223", "005010X223A1", "005010X223A3")
_register("835", "x221a1_835", "005010X221A1", "005010X221")
_register("999", "x231a1_999", "005010X231A1", "005010X231")
_register("277", "x214_277ca", "005010X214")
_register("277", "x212_277", "005010X212")
_register("276", "x212_276", "005010X212")
_register("270", "x279a1_270", "005010X279A1", "005010X279")
_register("271", "x279a1_271", "005010X279A1", "005010X279")

_COMPILED: dict[str, CompiledGuide | None] = {}


@dataclass(frozen=True, slots=True)
class GuideChoice:
    compiled: CompiledGuide | None
    version: str | None  # the version of the guide used (may differ from GS08: see note)
    note: str | None

    @property
    def name(self) -> str | None:
        return self.compiled.guide.version if self.compiled else None


def _load(module: str) -> CompiledGuide | None:
    if module not in _COMPILED:
        try:
            loaded = importlib.import_module(f"chartwell.claims.x12.guides.{module}")
        except ModuleNotFoundError as error:
            if error.name != f"chartwell.claims.x12.guides.{module}":
                raise
            _COMPILED[module] = None
        else:
            _COMPILED[module] = compile_guide(loaded.GUIDE)
    return _COMPILED[module]


def guide_for(transaction: str, version: str) -> GuideChoice:
    """The guide for a transaction set of type ``transaction`` (ST01) in a group of ``version``
    (GS08), or none with a note saying why."""
    entry = _GUIDES.get((transaction, version))
    if entry is None:
        return GuideChoice(None, None,
                           f"no implementation guide for {transaction} {version or '(no GS08)'} "
                           f"here: envelope checked only")
    module, guide_version = entry
    compiled = _load(module)
    if compiled is None:
        return GuideChoice(None, None, f"no implementation guide for {transaction} {guide_version} "
                                       f"here yet: envelope checked only")
    note = None
    if guide_version != version:
        note = f"read with the {guide_version} guide (the file says {version})"
    return GuideChoice(compiled, guide_version, note)


def known_versions() -> dict[tuple[str, str], str]:
    """(ST01, GS08) -> the guide version used, for documentation and tests."""
    return {key: value[1] for key, value in _GUIDES.items()}

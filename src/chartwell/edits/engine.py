"""Running the declared rules over an encounter: the rules of its setting whose reference
tables are in force on its date, in declaration order (conventions, MCE, NCCI, MUE). A family
left out for want of its table is said once in the context's notes, never silently."""

from __future__ import annotations

import importlib
from functools import cache

from chartwell.domain.coded import Setting
from chartwell.edits.model import RULES, EditContext, Finding, Rule

FAMILY_MODULES = ("chartwell.edits.conventions", "chartwell.edits.mce", "chartwell.edits.ncci",
                  "chartwell.edits.mue")
TABLE_NAMES = {"cm": "ICD-10-CM release", "pcs": "ICD-10-PCS release",
               "hcpcs": "HCPCS Level II release",
               "ncci": "NCCI PTP/add-on edit tables", "mue": "MUE tables",
               "poa": "POA-exempt list", "mce": "Medicare Code Editor tables"}


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every declared rule (importing the family modules registers them)."""
    for name in FAMILY_MODULES:
        importlib.import_module(name)
    return tuple(RULES)


@cache
def rules_for(setting: Setting) -> tuple[Rule, ...]:
    return tuple(rule for rule in all_rules() if setting in rule.settings)


@cache
def _needs() -> tuple[str, ...]:
    return tuple(sorted({need for rule in all_rules() for need in rule.needs}))


@cache
def _plan(setting: Setting, present: tuple[bool, ...]) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """The rules to run for a setting given which tables are present, and the tables missing
    that some rule of the setting needed."""
    have = {need for need, there in zip(_needs(), present) if there}
    runnable = tuple(rule for rule in rules_for(setting) if have.issuperset(rule.needs))
    missing = sorted({need for rule in rules_for(setting) for need in rule.needs} - have)
    return runnable, tuple(missing)


def check(context: EditContext) -> list[Finding]:
    """Every finding of every applicable rule; errors first, then warnings, each in rule order."""
    present = tuple(getattr(context, need) is not None for need in _needs())
    runnable, missing = _plan(context.encounter.setting, present)
    findings: list[Finding] = []
    for rule in runnable:
        findings.extend(rule.check(rule, context))
    for need in missing:
        context.notes.append(f"no {TABLE_NAMES[need]} installed for "
                             f"{context.encounter.service_date.isoformat()}: the rules that need "
                             "it were not run")
    findings.sort(key=lambda finding: finding.severity != "error")
    return findings

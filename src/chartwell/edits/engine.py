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


def check(context: EditContext) -> list[Finding]:
    """Every finding of every applicable rule; errors first, then warnings, each in rule order."""
    findings: list[Finding] = []
    missing: set[str] = set()
    for rule in rules_for(context.encounter.setting):
        absent = [need for need in rule.needs if getattr(context, need) is None]
        if absent:
            missing.update(absent)
            continue
        findings.extend(rule.check(rule, context))
    for need in sorted(missing):
        context.notes.append(f"no {TABLE_NAMES[need]} installed for "
                             f"{context.encounter.service_date.isoformat()}: the rules that need "
                             "it were not run")
    findings.sort(key=lambda finding: finding.severity != "error")
    return findings

"""Running the declared rules over an encounter: the rules of its setting whose reference
tables are in force on its date, in declaration order (conventions, MCE, NCCI, MUE). A family
left out for want of its table is said once in the context's notes, never silently.

Each family may declare a screen (:class:`~chartwell.edits.model.FamilyScreen`): a quick look at
the encounter that says which of its rules may find something. Only those run; the findings are
the same as running every rule (``screened=False`` runs every rule, as the tests do to compare).
"""

from __future__ import annotations

import importlib
from functools import cache

from chartwell.domain.coded import Setting
from chartwell.edits.model import RULES, SCREENS, EditContext, FamilyScreen, Finding, Rule

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
def all_screens() -> tuple[FamilyScreen, ...]:
    all_rules()
    return tuple(SCREENS)


@cache
def rules_for(setting: Setting) -> tuple[Rule, ...]:
    return tuple(rule for rule in all_rules() if setting in rule.settings)


@cache
def _needs() -> tuple[str, ...]:
    return tuple(sorted({need for rule in all_rules() for need in rule.needs}))


class Plan:
    """The rules to run for a setting given which tables are present, the tables missing that
    some rule of the setting needed, and the screens of the families among the rules."""

    __slots__ = ("rules", "missing", "screens", "_chosen", "_chosen_from")

    def __init__(self, rules: tuple[Rule, ...], missing: tuple[str, ...]):
        self.rules, self.missing = rules, missing
        ids = {rule.id for rule in rules}
        self.screens = tuple(screen.look for screen in all_screens() if screen.covers & ids)
        self._chosen: dict[frozenset[str], tuple[Rule, ...]] = {}
        covered = frozenset().union(*(screen.covers for screen in all_screens()
                                      if screen.covers & ids))
        self._chosen_from = tuple((rule, rule.id in covered) for rule in rules)

    def chosen(self, context: EditContext) -> tuple[Rule, ...]:
        """The rules the screens say may find something on the encounter, in plan order."""
        if not self.screens:
            return self.rules
        may: list[str] = []
        for look in self.screens:
            may += look(context)
        key = frozenset(may)
        rules = self._chosen.get(key)
        if rules is None:
            rules = self._chosen[key] = tuple(rule for rule, covered in self._chosen_from
                                              if not covered or rule.id in key)
        return rules


@cache
def plan(setting: Setting, present: tuple[bool, ...]) -> Plan:
    """The plan of a setting given which tables are present (in the order of :func:`needs`)."""
    have = {need for need, there in zip(_needs(), present) if there}
    runnable = tuple(rule for rule in rules_for(setting) if have.issuperset(rule.needs))
    missing = sorted({need for rule in rules_for(setting) for need in rule.needs} - have)
    return Plan(runnable, tuple(missing))


def needs() -> tuple[str, ...]:
    """The EditContext fields some rule needs, in the order a plan's ``present`` flags follow."""
    return _needs()


def plan_of(context: EditContext) -> Plan:
    return plan(context.encounter.setting,
                tuple(getattr(context, need) is not None for need in _needs()))


def check(context: EditContext, screened: bool = True) -> list[Finding]:
    """Every finding of every applicable rule; errors first, then warnings, each in rule order."""
    return run(plan_of(context), context, screened)


def run(chosen: Plan, context: EditContext, screened: bool = True) -> list[Finding]:
    """:func:`check` with the plan already chosen (a bulk caller keeps one per date and
    setting)."""
    findings: list[Finding] = []
    for rule in chosen.chosen(context) if screened else chosen.rules:
        findings.extend(rule.check(rule, context))
    if chosen.missing:
        day = context.encounter.service_date.isoformat()
        context.notes.extend(f"no {TABLE_NAMES[need]} installed for {day}: the rules that "
                             "need it were not run" for need in chosen.missing)
    if len(findings) > 1:
        findings.sort(key=_warning)
    return findings


def _warning(finding: Finding) -> bool:
    return finding.severity != "error"

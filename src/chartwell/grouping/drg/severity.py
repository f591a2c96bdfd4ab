"""The CC/MCC view of a grouped stay: the secondary diagnoses that set the DRG's severity level,
and each CC or MCC that did not count, with the reason and the table that gives it.

Why a CC/MCC does not count, in the order they are checked:

* ``pdx_exclusion``: the principal diagnosis is on the code's PDX exclusion list (Table 6K Part 1);
* ``drg_exclusion``: the DRG is one where the code loses its severity (Table 6K Part 3);
* ``died``: a CC/MCC only when the patient is discharged alive (Table 6K Part 2);
* ``hac``: a hospital-acquired condition not present on admission: it counts for the initial DRG
  but not the final one (the HAC-POA provision, section 1886(d)(4)(D) of the Social Security Act);
* ``already_counted``: another code of the same or a higher level already sets the severity;
* ``no_split``: the DRG's family has no member for that level (Table 5 titles);
* ``not_counted``: the grouper did not count it and none of the above says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from chartwell.domain.coded import CodedEncounter
from chartwell.grouping.drg.claim import Claim, is_expired
from chartwell.grouping.drg.grouper import LEVELS, Grouping, SecondaryOutcome

if TYPE_CHECKING:
    from chartwell.codesets.msdrg import MsdrgTables


class CountedCode(NamedTuple):
    """A CC or MCC that set the final DRG's severity (tuples: one or more for most stays)."""

    code: str  # as the coder wrote it: J96.01
    level: str  # CC or MCC
    field: str  # diagnoses[3]


class UncountedCode(NamedTuple):
    code: str
    level: str
    field: str
    reason: str  # pdx_exclusion, drg_exclusion, died, hac, already_counted, no_split, not_counted
    message: str
    source: str


@dataclass(slots=True)
class CcMcc:
    """``severity``: the level the final DRG was grouped at (NONE, CC or MCC)."""

    severity: str
    drove: list[CountedCode] = field(default_factory=list)
    not_counted: list[UncountedCode] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"severity": self.severity,
                "drove": [{"code": item.code, "level": item.level, "field": item.field}
                          for item in self.drove],
                "not_counted": [{"code": item.code, "level": item.level, "field": item.field,
                                 "reason": item.reason, "message": item.message,
                                 "source": item.source} for item in self.not_counted]}


@dataclass(slots=True)
class Context:
    """What the reasons are worked out from, and the coder's spelling and order of the codes."""

    encounter: CodedEncounter
    claim: Claim
    grouping: Grouping
    tables: MsdrgTables | None
    spelling: dict[str, tuple[int, str]] = field(default_factory=dict)  # E1165 -> (1, E11.65)

    @property
    def table_label(self) -> str:
        return f"MS-DRG tables {self.tables.version}" if self.tables else "msdrg"


def cc_mcc(encounter: CodedEncounter, claim: Claim, grouping: Grouping,
           tables: MsdrgTables | None) -> CcMcc:
    secondaries = [item for item in grouping.secondaries if item.severity in LEVELS_SHOWN]
    if not secondaries:
        return CcMcc("NONE")
    context = Context(encounter, claim, grouping, tables, claim.spelling)
    drove = [item for item in secondaries if item.counted]
    view = CcMcc(max((item.severity for item in drove), key=LEVELS.index, default="NONE"))
    view.drove = [CountedCode(_dotted(context, item.code), item.severity, _field(context, item))
                  for item in _in_coded_order(context, drove)]
    view.not_counted = [_uncounted(context, item, drove)
                        for item in _in_coded_order(context, secondaries) if not item.counted]
    return view


LEVELS_SHOWN = frozenset({"CC", "MCC"})


def _in_coded_order(context: Context, items: list[SecondaryOutcome]) -> list[SecondaryOutcome]:
    """Diagnoses in the order they were coded (the grouper answers them by severity)."""
    if len(items) < 2:
        return items
    spelling = context.spelling
    return sorted(items, key=lambda item: spelling.get(item.code, (0,))[0]
                  if item.code in context.claim.diagnosis_fields else 0)


def _uncounted(context: Context, item: SecondaryOutcome, drove: list[SecondaryOutcome]
               ) -> UncountedCode:
    for reason in REASONS:
        found = reason(context, item, drove)
        if found is not None:
            message, source = found
            return UncountedCode(_dotted(context, item.code), item.severity,
                                 _field(context, item), reason.__name__.lstrip("_"), message,
                                 source)
    return UncountedCode(_dotted(context, item.code), item.severity, _field(context, item),
                         "not_counted", "the grouper did not count it as "
                         f"{_a(item.severity)} for MS-DRG {context.grouping.drg}", "msdrg")


def _pdx_exclusion(context: Context, item: SecondaryOutcome, _drove) -> tuple[str, str] | None:
    if "EXCLUDED" not in item.flags:
        return None
    principal = context.encounter.principal.code
    tables = context.tables
    if tables is None:
        return (f"{_dotted(context, item.code)} is excluded as {_a(item.severity)} with this "
                f"principal diagnosis or DRG (CC exclusion)", "msdrg CC exclusion")
    if not tables.excluded_with_principal(item.code, principal):
        return None
    collection = tables.pdx_collection(item.code)
    return (f"{_dotted(context, item.code)} is {_a(item.severity)}, but not with principal "
            f"diagnosis {principal}: it is on PDX exclusion list {collection}",
            f"{context.table_label}, Table 6K Part 1 (PDX collection {collection})")


def _drg_exclusion(context: Context, item: SecondaryOutcome, _drove) -> tuple[str, str] | None:
    tables = context.tables
    if tables is None:
        return None
    exclusion = tables.drg_exclusion(context.grouping.drg, item.code)
    if exclusion is None:
        return None
    return (f"{_dotted(context, item.code)} is not {_a(item.severity)} in MS-DRGs "
            f"{exclusion.drgs} ({exclusion.heading})",
            f"{context.table_label}, Table 6K Part 3")


def _died(context: Context, item: SecondaryOutcome, _drove) -> tuple[str, str] | None:
    if "DEATH_EXCLUSION" not in item.flags and not (
            is_expired(context.encounter) and context.tables is not None
            and context.tables.alive_only(item.code)):
        return None
    return (f"{_dotted(context, item.code)} is {_a(item.severity)} only when the patient is "
            f"discharged alive (discharge status {context.encounter.discharge_status})",
            f"{context.table_label}, Table 6K Part 2")


def _hac(context: Context, item: SecondaryOutcome, _drove) -> tuple[str, str] | None:
    met = item.hac_met
    if not met:
        return None
    names = "; ".join(f"{hac.get('hac_list')} {hac.get('description')}" for hac in met)
    return (f"{_dotted(context, item.code)} is a hospital-acquired condition ({names}) not "
            f"present on admission: it counts for the initial DRG "
            f"{context.grouping.initial_drg} but not for the final DRG",
            "CMS HAC-POA provision, as applied by the grouper")


def _already_counted(_context: Context, item: SecondaryOutcome, drove: list[SecondaryOutcome]
                     ) -> tuple[str, str] | None:
    higher = [other for other in drove
              if LEVELS.index(other.severity) >= LEVELS.index(item.severity)]
    if not higher:
        return None
    other = higher[0]
    return (f"{_dotted(_context, other.code)} ({other.severity}) already sets the severity",
            "MS-DRG severity logic: one CC or MCC is enough")


def _no_split(context: Context, item: SecondaryOutcome, _drove) -> tuple[str, str] | None:
    tables = context.tables
    if tables is None:
        return None
    drg = context.grouping.drg
    split = tables.split(drg)
    if split and split.get(item.severity) != split.get("NONE"):
        return None
    family = tables.family(drg)
    span = f"MS-DRG {family[0]}" if len(family) == 1 else f"MS-DRGs {family[0]}-{family[-1]}"
    what = f"{span} split only on an MCC" if split else f"{span} has no CC/MCC split"
    return what, f"{context.table_label}, Table 5 titles"


def _a(level: str) -> str:
    """``a CC``, ``an MCC``."""
    return f"an {level}" if level == "MCC" else f"a {level}"


def _dotted(context: Context, raw: str) -> str:
    """The code as the coder wrote it (the encounter's own spelling)."""
    found = context.spelling.get(raw)
    if found is not None:
        return found[1]
    return raw if len(raw) <= 3 else f"{raw[:3]}.{raw[3:]}"


def _field(context: Context, item: SecondaryOutcome) -> str:
    return context.claim.diagnosis_fields.get(item.code, "diagnoses")


REASONS = (_pdx_exclusion, _drg_exclusion, _died, _hac, _already_counted, _no_split)

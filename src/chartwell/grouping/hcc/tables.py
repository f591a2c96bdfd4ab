"""The CMS-HCC tables of a payment year, as plain data: ICD-10-CM -> CC map, relative factors,
hierarchy, labels and the age/sex edits. ``load.py`` fills them from files; nothing here reads one.

A model's tables for a payment year are assembled from what was loaded:

* map: the payment year's ICD-10-CM -> CC map (``ra_dx_to_cc_YYYY.csv`` or a CMS software
  ``F28YY...TXT`` / ``F24YY...TXT`` file, the CMS original preferred when both exist);
* relative factors: the payment year's (``ra_coefficients_YYYY.csv``), else the year's proposed
  ones (``ra_proposed_coefficients_YYYY.csv``, marked proposed), else the model's CMS software
  coefficient export (``V28hcccoefn.csv``);
* hierarchy and labels: named by model (``V28115H1``, ``V28115L3``), not by year, so the newest
  file that carries the model's table is used;
* edits: the CMS edit macros (``ra_dx_edits.csv``) for the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chartwell.errors import InvalidInput, Position
from chartwell.grouping.hcc.model import Sex


@dataclass(frozen=True, slots=True)
class CmsHccModel:
    version: str  # "V28"
    title: str
    map_name: str  # the model's name in ra_dx_to_cc / ra_dx_edits ("CMS-HCC Model V28")
    coefficient_version: str  # the model's name in ra_coefficients ("C28")


MODELS: Mapping[str, CmsHccModel] = {
    "V24": CmsHccModel("V24", "CMS-HCC V24 (2020 CMS-HCC model)", "CMS-HCC Model V24", "C24"),
    "V28": CmsHccModel("V28", "CMS-HCC V28 (2024 CMS-HCC model)", "CMS-HCC Model V28", "C28"),
}


@dataclass(frozen=True, slots=True)
class DxEdit:
    """One CMS age/sex edit (SAS macros V28I0ED / V24I0ED): when it fires, the diagnosis maps
    to ``cc_override`` instead of its usual CCs ("override") or to none ("invalid")."""

    code: str
    kind: str  # "sex", "age", or "mce_age" (Medicare Code Editor age validity; switchable)
    sex: Sex | None
    age_min: int | None  # fires when age >= age_min
    age_max: int | None  # fires when age <= age_max
    action: str  # "invalid" or "override"
    cc_override: str | None
    description: str

    def fires(self, age: int, sex: Sex) -> bool:
        if self.kind == "sex":
            return self.sex == sex
        return ((self.age_max is not None and age <= self.age_max)
                or (self.age_min is not None and age >= self.age_min))


@dataclass(frozen=True, slots=True)
class DxMap:
    codes: Mapping[str, tuple[str, ...]]  # normalized ICD-10-CM -> CCs
    source: str


@dataclass(frozen=True, slots=True)
class Coefficients:
    values: Mapping[str, float]  # upper-case variable name -> relative factor
    source: str
    proposed: bool = False


@dataclass(frozen=True, slots=True)
class Hierarchy:
    name: str  # V28115H1
    payment_year: int
    parents: Mapping[str, tuple[str, ...]]  # parent HCC -> the HCCs it drops
    source: str


@dataclass(frozen=True, slots=True)
class Labels:
    name: str  # V28115L3
    payment_year: int
    labels: Mapping[str, str]
    source: str


@dataclass(frozen=True, slots=True)
class EditTable:
    edits: Mapping[str, tuple[DxEdit, ...]]  # normalized code -> edits
    source: str


@dataclass(frozen=True, slots=True)
class ModelTables:
    """Everything one model needs to score one payment year."""

    model: CmsHccModel
    payment_year: int
    dx_to_cc: Mapping[str, tuple[str, ...]]
    coefficients: Mapping[str, float]
    hierarchy: Mapping[str, tuple[str, ...]]
    hierarchy_name: str
    labels: Mapping[str, str]
    edits: Mapping[str, tuple[DxEdit, ...]]
    sources: tuple[str, ...]
    proposed: bool = False

    def coefficient(self, variable: str) -> float | None:
        return self.coefficients.get(variable.upper())

    def label(self, hcc: str) -> str | None:
        return self.labels.get(hcc)


@dataclass
class HccTables:
    """What ``load_hcc_model_files`` found in a folder; ``for_model`` assembles a model-year."""

    folder: str
    maps: dict[tuple[str, int], list[DxMap]] = field(default_factory=dict)
    coefficients: dict[tuple[str, int], list[Coefficients]] = field(default_factory=dict)
    model_coefficients: dict[str, list[Coefficients]] = field(default_factory=dict)
    hierarchies: dict[str, list[Hierarchy]] = field(default_factory=dict)
    labels: dict[str, list[Labels]] = field(default_factory=dict)
    edits: dict[str, EditTable] = field(default_factory=dict)
    _assembled: dict[tuple[str, int], ModelTables] = field(default_factory=dict, repr=False)

    def payment_years(self, model: str) -> list[int]:
        return sorted(year for (version, year) in self.maps if version == model)

    def for_model(self, model: str, payment_year: int) -> ModelTables:
        key = (model, payment_year)
        if key not in self._assembled:
            self._assembled[key] = self._assemble(MODELS[model], payment_year)
        return self._assembled[key]

    def _assemble(self, model: CmsHccModel, payment_year: int) -> ModelTables:
        dx_map = self._dx_map(model, payment_year)
        coefficients = self._coefficients(model, payment_year)
        hierarchy = _newest(self.hierarchies.get(model.version, []))
        labels = _newest(self.labels.get(model.version, []))
        edits = self.edits.get(model.version, EditTable({}, "(no edit table found)"))
        if hierarchy is None:
            raise self._missing(model, payment_year, "hierarchy (ra_hierarchies_YYYY.csv)")
        return ModelTables(
            model=model, payment_year=payment_year, dx_to_cc=dx_map.codes,
            coefficients=coefficients.values, hierarchy=hierarchy.parents,
            hierarchy_name=hierarchy.name, labels=labels.labels if labels else {},
            edits=edits.edits, proposed=coefficients.proposed,
            sources=tuple(source for source in (dx_map.source, coefficients.source,
                                                 hierarchy.source, labels.source if labels else None,
                                                 edits.source) if source))

    def _dx_map(self, model: CmsHccModel, payment_year: int) -> DxMap:
        found = self.maps.get((model.version, payment_year))
        if not found:
            raise self._missing(model, payment_year, "ICD-10-CM to CC map")
        cms_original = [dx_map for dx_map in found if dx_map.source.upper().startswith("F")]
        return (cms_original or found)[0]

    def _coefficients(self, model: CmsHccModel, payment_year: int) -> Coefficients:
        found = self.coefficients.get((model.version, payment_year), [])
        final = [item for item in found if not item.proposed]
        chosen = final or found or self.model_coefficients.get(model.version, [])
        if not chosen:
            raise self._missing(model, payment_year, "relative factors (coefficients)")
        return chosen[0]

    def _missing(self, model: CmsHccModel, payment_year: int, what: str) -> InvalidInput:
        years = ", ".join(str(year) for year in self.payment_years(model.version)) or "none"
        return InvalidInput(
            f"no CMS-HCC {model.version} {what} for payment year {payment_year} in {self.folder} "
            f"(payment years with a {model.version} map here: {years})",
            Position(field="payment_year"))


def _newest(items: list[Hierarchy] | list[Labels]):
    return max(items, key=lambda item: item.payment_year) if items else None

"""FHIR R4 resources -> domain record batches.

Three steps, each a plain function:

1. :func:`prepare_resources` (and :func:`prepare_file`, which reads the file first) gives every
   resource its identity, skips the ones the store already holds unchanged, validates the rest
   with fhir.resources (its R4B models read R4 data such as Synthea's) and maps each to domain
   objects (:mod:`chartwell.intake.fhir_mappers`). One invalid resource rejects the whole file:
   the answer is then a :class:`Problem` naming the file, the entry and the field.
2. :func:`link` puts the mapped resources of one file together into a :class:`RecordBatch`.
   References were already turned into ids (``uuid5(NAMESPACE, "Patient/123")``), so nothing is
   looked up but the references that point outside the file: an optional one (practitioner,
   organization, encounter, payer) to a record neither in the batch nor in the store becomes
   None; a resource whose patient is unknown is kept as received only, *unlinked*, and tried
   again when a later import brings the patient.
3. The intake service writes the batch and the received resources in one transaction.

Identity: a resource's key is ``Type/id``; a bundle entry without an id but with a
``urn:uuid:`` fullUrl takes the uuid; a contained resource is ``Owner/id#local``. Every domain
row made from a resource has the id ``uuid5(NAMESPACE, key)`` and ``source_key`` key, so an
import run twice finds every row already there.

Nothing here reads the store or writes anything; errors and warnings carry places (file,
entry, resource key, field) and never values from the resource.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from chartwell.domain import records as d
from chartwell.errors import InvalidInput, Position
from chartwell.intake.fhir_context import (
    NAMESPACE,
    RESOURCE_TYPE,
    BundleIndex,
    MapContext,
    Problem,
    relative_key,
    row_id,
)
from chartwell.intake.fhir_mappers import CONTAINED_MAPPERS, MAPPERS, map_unmapped
from chartwell.intake.sources import RawResource, read_resources

__all__ = [
    "NAMESPACE", "BundleIndex", "ExistingIds", "Linked", "MapContext", "MappedResource", "PreparedFile", "Problem",
    "StateLookup",
    "link", "prepare_file", "prepare_resources", "row_id", "validate",
]

# source resource ids -> (stored content hash, linked) for those the store holds.
StateLookup = Callable[[list[uuid.UUID]], dict[uuid.UUID, tuple[str, bool]]]
# (table name, ids) -> the ids that are rows of that table in the store.
ExistingIds = Callable[[str, set[uuid.UUID]], set[uuid.UUID]]

_MODELS: dict[str, type[Resource]] = {}


@dataclass(slots=True)
class MappedResource:
    """One received resource and the domain objects made from it.

    ``needs_patient``: the objects belong to a patient's record (``patient_id``, None when the
    resource names none), so they are written only once that patient is known.
    """

    source: d.SourceResource
    place: str
    items: list = field(default_factory=list)
    needs_patient: bool = False
    patient_id: uuid.UUID | None = None
    patient_key: str | None = None
    warnings: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class PreparedFile:
    """What one file gives: its mapped resources, or the one problem that rejected it."""

    file: str
    resources: list[MappedResource] = field(default_factory=list)
    skipped_unchanged: int = 0
    error: Problem | None = None


# ---------------------------------------------------------------- identity and references


def content_of(resource: dict) -> tuple[bytes, str]:
    """(JSON as kept, its sha256)."""
    content = orjson.dumps(resource)
    return content, hashlib.sha256(content).hexdigest()


def resource_key(raw: RawResource, digest: str) -> str:
    """``Type/id``; without an id the fullUrl's uuid (or the URL's own Type/id), and as a last
    resort the content hash, so that the key never depends on chance."""
    if raw.key:
        return raw.key
    resource_type, resource_id = raw.resource["resourceType"], raw.resource.get("id")
    if isinstance(resource_id, str) and resource_id:
        return f"{resource_type}/{resource_id}"
    url = raw.full_url or ""
    if url.startswith("urn:uuid:"):
        return f"{resource_type}/{url[len('urn:uuid:'):]}"
    tail = relative_key(url) if url else None
    if tail and tail.startswith(f"{resource_type}/"):
        return tail
    return f"{resource_type}/sha256-{digest[:40]}"


# ---------------------------------------------------------------- validation


def model_for(resource_type: object) -> type[Resource] | None:
    """The fhir.resources R4B model of a resource type, or None when there is none."""
    model = _MODELS.get(resource_type) if isinstance(resource_type, str) else None
    if model is None:
        if not isinstance(resource_type, str) or not RESOURCE_TYPE.match(resource_type):
            return None
        try:
            model = get_fhir_model_class(resource_type)
        except ValueError:
            return None
        if not isinstance(model, type) or not issubclass(model, Resource):
            return None
        _MODELS[resource_type] = model
    return model


def _location(loc: tuple) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif "[" in str(part) or "(" in str(part):  # pydantic's names of union branches
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or "(resource)"


def _safe_message(error: dict) -> str:
    """pydantic's message with the offending value (patient data) cut out."""
    message = str(error.get("msg", "invalid"))
    value = error.get("input")
    if isinstance(value, str | int | float) and not isinstance(value, bool) and len(str(value)) > 0:
        message = message.replace(str(value), "…")
    return message


def validation_message(error: ValidationError, limit: int = 3) -> str:
    found = error.errors(include_url=False, include_input=True, include_context=False)
    parts = [f"field {_location(e['loc'])}: {_safe_message(e)}" for e in found[:limit]]
    if len(found) > limit:
        parts.append(f"and {len(found) - limit} more")
    return "; ".join(parts)


def validate(resource_type: str, content: bytes, place: str, file: str) -> None:
    """Raise :class:`InvalidInput` naming the place and field unless fhir.resources accepts
    the resource (its JSON, validated in pydantic's JSON mode: the same rules as
    ``model_validate`` of the parsed dict, and faster)."""
    model = model_for(resource_type)
    if model is None:
        raise InvalidInput("unknown resourceType", Position(file=file, resource=place))
    try:
        model.model_validate_json(content)
    except ValidationError as error:
        raise InvalidInput(validation_message(error), Position(file=file, resource=place)) from None
    except (ValueError, TypeError) as error:  # a validator that fails outside pydantic's frame
        raise InvalidInput(f"invalid ({type(error).__name__})", Position(file=file, resource=place)) from None


# ---------------------------------------------------------------- preparing a file


def _identified(raws: list[RawResource]) -> list[tuple[RawResource, str, d.SourceResource, bytes]]:
    """Each resource with its key, SourceResource and JSON; a key met twice keeps its last."""
    entries: dict[str, tuple[RawResource, str, d.SourceResource, bytes]] = {}
    for raw in raws:
        content, digest = content_of(raw.resource)
        key = resource_key(raw, digest)
        resource_type, _, resource_id = key.partition("/")
        source = d.SourceResource(id=row_id(key), resource_type=resource_type, resource_id=resource_id,
                                  content_hash=digest, content=content.decode("utf-8"))
        entries.pop(key, None)
        entries[key] = (raw, key, source, content)
    return list(entries.values())


def map_resource(raw: RawResource, key: str, source: d.SourceResource, index: BundleIndex, file: str,
                 place: str) -> MappedResource:
    """The domain objects of one (validated) resource, its contained ones included. A resource
    a mapper cannot read (a shape valid FHIR allows and the mapper did not expect) is kept as
    received, with a warning, rather than stopping the import."""
    context = MapContext(key=key, resource=raw.resource, index=index, file=file, place=place)
    try:
        for local_id, contained in context.contained.items():
            mapper = CONTAINED_MAPPERS.get(contained.get("resourceType"))
            if mapper:
                mapper(context.child(local_id, contained))
        MAPPERS.get(source.resource_type, map_unmapped)(context)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError, ArithmeticError) as error:
        context = MapContext(key=key, resource=raw.resource, index=index, file=file, place=place)
        map_unmapped(context)
        context.warn(f"not mapped ({type(error).__name__}): kept as received only")
    patient_id = row_id(context.patient_key) if context.patient_key else None
    return MappedResource(source=source, place=place, items=context.items, needs_patient=context.needs_patient,
                          patient_id=patient_id, patient_key=context.patient_key, warnings=context.warnings)


def prepare_resources(file: str, raws: list[RawResource], states: StateLookup | None = None) -> PreparedFile:
    """Identify, skip the unchanged, validate and map the resources of one file.

    ``states`` tells which resources the store holds (hash, linked); one held with the same
    hash and linked is skipped before validation. An invalid resource rejects the file.
    """
    entries = _identified(raws)
    index = BundleIndex((raw, key) for raw, key, _, _ in entries)
    stored = states([source.id for _, _, source, _ in entries]) if states and entries else {}
    prepared = PreparedFile(file=file)
    try:
        for raw, key, source, content in entries:
            if stored.get(source.id) == (source.content_hash, True):
                prepared.skipped_unchanged += 1
                continue
            place = f"{raw.position} ({key})"
            validate(raw.resource["resourceType"], content, place, file)
            prepared.resources.append(map_resource(raw, key, source, index, file, place))
    except InvalidInput as error:
        return PreparedFile(file=file, error=_problem(error, file))
    return prepared


def _problem(error: InvalidInput, file: str) -> Problem:
    position = error.position or Position(file=file)
    return Problem(position.file or file, position.resource, error.message)


def prepare_file(path: Path | str, states: StateLookup | None = None) -> PreparedFile:
    """Read, validate and map one file; a problem reading it is its error."""
    try:
        raws = read_resources(Path(path))
    except InvalidInput as error:
        return PreparedFile(file=str(path), error=_problem(error, str(path)))
    return prepare_resources(str(path), raws, states)


# ---------------------------------------------------------------- linking


BATCH_LISTS: dict[type, str] = {
    d.Organization: "organizations",
    d.Provider: "providers",
    d.Payer: "payers",
    d.Patient: "patients",
    d.Coverage: "coverages",
    d.Encounter: "encounters",
    d.Document: "documents",
    d.Diagnosis: "diagnoses",
    d.Procedure: "procedures",
    d.Observation: "observations",
    d.MedicationOrder: "medication_orders",
    d.Claim: "claims",
    d.Adjudication: "adjudications",
    d.Charge: "charges",
}

# Optional references: (attribute, table of the referenced row). One to a row neither in the
# batch nor in the store becomes None.
OPTIONAL_REFERENCES: dict[type, tuple[tuple[str, str], ...]] = {
    d.Provider: (("organization_id", "organizations"),),
    d.Encounter: (("facility_id", "organizations"), ("payer_id", "payers"), ("coverage_id", "coverages")),
    d.Document: (("encounter_id", "encounters"),),
    d.Diagnosis: (("encounter_id", "encounters"),),
    d.Procedure: (("encounter_id", "encounters"), ("performing_provider_id", "providers")),
    d.Observation: (("encounter_id", "encounters"),),
    d.MedicationOrder: (("encounter_id", "encounters"), ("prescriber_id", "providers")),
    d.Claim: (("encounter_id", "encounters"), ("provider_id", "providers"),
              ("organization_id", "organizations"), ("payer_id", "payers")),
    d.Adjudication: (("claim_id", "claims"), ("payer_id", "payers")),
    d.Charge: (("encounter_id", "encounters"),),
}
_VERSION_REFERENCES = ("author_provider_id", "signed_by_provider_id")


@dataclass(slots=True)
class Linked:
    """One file's batch, its received resources, and which of them are linked."""

    batch: d.RecordBatch
    sources: list[d.SourceResource]
    linked: set[uuid.UUID]
    unlinked: list[MappedResource]


def _patients_known(resources: list[MappedResource], existing: ExistingIds) -> set[uuid.UUID]:
    here = {item.id for r in resources for item in r.items if isinstance(item, d.Patient)}
    wanted = {r.patient_id for r in resources if r.needs_patient and r.patient_id} - here
    return here | (existing("patients", wanted) if wanted else set())


def _batch_of(resources: list[MappedResource]) -> d.RecordBatch:
    batch = d.RecordBatch()
    seen: set[tuple[str, uuid.UUID]] = set()
    for resource in resources:
        for item in resource.items:
            name = BATCH_LISTS[type(item)]
            if (name, item.id) not in seen:
                seen.add((name, item.id))
                getattr(batch, name).append(item)
    return batch


def _drop_dangling(batch: d.RecordBatch, existing: ExistingIds) -> None:
    """Set optional references to rows that exist nowhere to None."""
    present = {name: {item.id for item in getattr(batch, name)} for name in set(BATCH_LISTS.values())}
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
    for item, attribute, table in _references(batch):
        value = getattr(item, attribute)
        if value is not None and value not in present[table]:
            wanted[table].add(value)
    for table, ids in wanted.items():
        present[table] |= existing(table, ids)
    for item, attribute, table in _references(batch):
        if getattr(item, attribute) not in present[table]:
            setattr(item, attribute, None)
    for encounter in batch.encounters:
        encounter.providers = [p for p in encounter.providers if p.provider_id in present["providers"]]


def _references(batch: d.RecordBatch) -> Iterable[tuple[object, str, str]]:
    for kind, name in BATCH_LISTS.items():
        for item in getattr(batch, name):
            for attribute, table in OPTIONAL_REFERENCES.get(kind, ()):
                yield item, attribute, table
    for document in batch.documents:
        for version in document.versions:
            for attribute in _VERSION_REFERENCES:
                yield version, attribute, "providers"
    for encounter in batch.encounters:
        for provider in encounter.providers:
            yield provider, "provider_id", "providers"


def link(resources: list[MappedResource], existing: ExistingIds) -> Linked:
    """The batch of one file: resources whose patient is known (in this file or, through
    ``existing``, in the store) with dangling optional references set to None; the others
    are kept as received only."""
    known = _patients_known(resources, existing)
    linked_resources, unlinked, linked_ids = [], [], set()
    for resource in resources:
        source = resource.source
        if resource.needs_patient and resource.patient_id not in known:
            source.patient_id = None
            unlinked.append(resource)
            continue
        linked_ids.add(source.id)
        source.patient_id = resource.patient_id if resource.patient_id in known else None
        if source.resource_type == "Patient":
            source.patient_id = source.id
        linked_resources.append(resource)
    batch = _batch_of(linked_resources)
    _drop_dangling(batch, existing)
    return Linked(batch=batch, sources=[r.source for r in resources], linked=linked_ids, unlinked=unlinked)

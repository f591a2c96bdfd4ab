"""What a FHIR mapper works with: identities, references and the place to put results.

Kept apart from :mod:`chartwell.intake.fhir` so that the mappers and the pipeline both import
it without importing each other.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from chartwell.intake.sources import RawResource

NAMESPACE = uuid.UUID("3f5b8f0e-6c1d-5a43-9a7e-2f1c9d4e8b17")

RESOURCE_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,60}$")


@lru_cache(maxsize=65536)
def row_id(key: str) -> uuid.UUID:
    """The id of the domain row made from the resource (or part of one) named ``key``."""
    return uuid.uuid5(NAMESPACE, key)


@dataclass(frozen=True, slots=True)
class Problem:
    """An error or warning: the file, the resource's place ("Bundle entry 12
    (Observation/abc)") and what is wrong, without values from the resource."""

    file: str
    resource: str | None
    message: str


def relative_key(reference: str) -> str | None:
    """``Type/id`` from a relative or absolute literal reference (a version suffix dropped)."""
    parts = [p for p in reference.split("?", 1)[0].split("/") if p]
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2 and RESOURCE_TYPE.match(parts[-2]):
        return f"{parts[-2]}/{parts[-1]}"
    return None


class BundleIndex:
    """The resources of one file by key and by fullUrl, for resolving references."""

    def __init__(self, entries: Iterable[tuple[RawResource, str]]):
        self.by_key: dict[str, dict] = {}
        self.by_full_url: dict[str, str] = {}
        for raw, key in entries:
            self.by_key[key] = raw.resource
            if raw.full_url:
                self.by_full_url[raw.full_url] = key


@dataclass(slots=True)
class MapContext:
    """What a mapper works with: the resource, its key, the bundle, and where to put results."""

    key: str
    resource: dict
    index: BundleIndex
    file: str
    place: str
    owner_key: str = ""
    contained: dict[str, dict] = field(default_factory=dict)
    items: list = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    needs_patient: bool = False
    patient_key: str | None = None

    def __post_init__(self) -> None:
        if not self.owner_key:
            self.owner_key = self.key
            self.contained = {
                c["id"]: c for c in self.resource.get("contained") or [] if isinstance(c, dict) and c.get("id")
            }

    @property
    def id(self) -> uuid.UUID:
        return row_id(self.key)

    def child(self, local_id: str, resource: dict) -> MapContext:
        """A context for a contained resource; results go to the owner's lists."""
        return MapContext(
            key=f"{self.owner_key}#{local_id}", resource=resource, index=self.index, file=self.file,
            place=self.place, owner_key=self.owner_key, contained=self.contained, items=self.items,
            warnings=self.warnings,
        )

    def warn(self, message: str) -> None:
        self.warnings.append(Problem(self.file, self.place, message))

    def add(self, *items: object) -> None:
        self.items.extend(item for item in items if item is not None)

    def ref(self, reference: object, *types: str) -> str | None:
        """The key a Reference points to, when it is a literal reference to one of ``types``.

        ``#x`` is a contained resource, ``urn:uuid:`` a bundle entry's fullUrl (an unmatched
        one, where one type is expected, is taken as ``Type/uuid``: Synthea's convention), and
        ``Type/id`` or an absolute URL is taken as it is.
        """
        if not isinstance(reference, dict):
            return None
        text = reference.get("reference")
        if not isinstance(text, str) or not text:
            return None
        if text.startswith("#"):
            target = self.contained.get(text[1:])
            if target is None:
                return None
            key, found_type = f"{self.owner_key}#{text[1:]}", target.get("resourceType")
        else:
            key = self.index.by_full_url.get(text)
            if key is None and text.startswith("urn:uuid:") and len(types) == 1:
                key = f"{types[0]}/{text[len('urn:uuid:'):]}"
            elif key is None and not text.startswith("urn:"):
                key = relative_key(text)
            if key is None:
                return None
            found_type = key.split("/", 1)[0]
        if types and found_type not in types:
            return self._through_role(key, found_type, types)
        return key

    def _through_role(self, key: str, found_type: str, types: tuple[str, ...]) -> str | None:
        """A PractitionerRole in the bundle stands for its practitioner."""
        if found_type == "PractitionerRole" and "Practitioner" in types:
            role = self.lookup(key)
            if role:
                return self.ref(role.get("practitioner"), "Practitioner")
        return None

    def type_of(self, key: str | None) -> str | None:
        """The resource type a key names (a contained one's from its content)."""
        if key is None:
            return None
        if "#" in key:
            return (self.lookup(key) or {}).get("resourceType")
        return key.split("/", 1)[0]

    def ref_id(self, reference: object, *types: str) -> uuid.UUID | None:
        key = self.ref(reference, *types)
        return row_id(key) if key else None

    def lookup(self, key: str | None) -> dict | None:
        """The content of a resource of this file (or a contained one), when it is here."""
        if key is None:
            return None
        owner, _, local = key.partition("#")
        if local:
            return self.contained.get(local) if owner == self.owner_key else None
        return self.index.by_key.get(key)

    def subject(self, reference: object) -> uuid.UUID | None:
        """Name the patient whose record this resource belongs to (required)."""
        self.needs_patient = True
        self.patient_key = self.ref(reference, "Patient")
        return row_id(self.patient_key) if self.patient_key else None

    def patient_id(self) -> uuid.UUID:
        """The subject's id; mappers use it after :meth:`subject` (a placeholder when there is
        none: such a resource is never linked, so the placeholder is never written)."""
        return row_id(self.patient_key or f"{self.key}#no-patient")

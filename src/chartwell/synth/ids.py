"""Stable identities for synthetic records.

Every record gets a ``source_key`` such as ``synth:42:patient:7:encounter:2`` and an id derived
from it with uuid5, so generating the same seed twice yields the same ids and loading the output
twice into the store changes nothing. uuid4 would make every run a new set of patients.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://chartwell.invalid/synth")
_HASHED_NAMESPACE = hashlib.sha1(NAMESPACE.bytes, usedforsecurity=False)


@dataclass(frozen=True, slots=True)
class Key:
    """A position in the synthetic record tree: its source key and the id derived from it."""

    source_key: str

    @classmethod
    def root(cls, seed: int) -> Key:
        return cls(f"synth:{seed}")

    def child(self, kind: str, name: object) -> Key:
        return Key(f"{self.source_key}:{kind}:{name}")

    @property
    def id(self) -> uuid.UUID:
        """uuid5(NAMESPACE, source_key), with the namespace hashed once (ids are most of the
        generator's hashing work)."""
        digest = _HASHED_NAMESPACE.copy()
        digest.update(self.source_key.encode("utf-8"))
        return uuid.UUID(bytes=digest.digest()[:16], version=5)

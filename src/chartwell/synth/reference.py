"""The shared reference records of a synthetic data set: a hospital and a clinic, their
physicians, and the payers patients are covered by.

They live in one batch of their own so each patient batch only points at them, the way a real
feed carries practitioner and payer masters apart from clinical records.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, replace

from chartwell.domain.npi import npi_check_digit
from chartwell.domain.records import Address, Organization, Payer, Provider, RecordBatch
from chartwell.synth.catalog import load_reference_data
from chartwell.synth.ids import Key


@dataclass(frozen=True, slots=True)
class Reference:
    batch: RecordBatch
    organizations: dict[str, Organization]  # hospital, clinic
    payers: dict[str, Payer]  # by catalog key: medicare, medicaid, ..., self_pay
    plan_names: dict[str, str | None]
    staff: dict[str, tuple[Provider, ...]]  # providers by specialty key
    specialty_of: dict[uuid.UUID, str]  # provider id -> specialty key

    def payer_category(self, payer_key: str) -> str:
        return self.payers[payer_key].category or "commercial"


def random_npi(rng: random.Random, first_digit: str, taken: set[str]) -> str:
    """A valid, unused NPI: 1 for individuals, 2 for organizations, Luhn check digit last."""
    while True:
        body = first_digit + "".join(rng.choice("0123456789") for _ in range(8))
        npi = body + str(npi_check_digit(body))
        if npi not in taken:
            taken.add(npi)
            return npi


def _address(raw: dict) -> Address:
    return Address(**{"line2": None, **raw})


def _organizations(root: Key, rng: random.Random, taken: set[str]) -> dict[str, Organization]:
    made = {}
    for raw in load_reference_data()["organizations"]:
        key = root.child("organization", raw["key"])
        made[raw["key"]] = Organization(
            id=key.id,
            name=raw["name"],
            source_key=key.source_key,
            npi=random_npi(rng, raw["npi_prefix"], taken),
            tax_id=raw["tax_id"],
            kind=raw["kind"],
            address=_address(raw["address"]),
            phone=raw["phone"],
        )
    return made


def _payers(root: Key) -> dict[str, Payer]:
    made = {}
    for raw in load_reference_data()["payers"]:
        key = root.child("payer", raw["key"])
        made[raw["key"]] = Payer(
            id=key.id,
            name=raw["name"],
            source_key=key.source_key,
            payer_identifier=raw["payer_identifier"],
            category=raw["category"],
        )
    return made


def _unique_name(rng: random.Random, used: set[tuple[str, str]]) -> tuple[str, str]:
    data = load_reference_data()
    while True:
        given = rng.choice(data["given_names"][rng.choice("FM")])
        family = rng.choice(data["family_names"])
        if (given, family) not in used:
            used.add((given, family))
            return given, family


def _staff(
    root: Key, rng: random.Random, organizations: dict[str, Organization], taken: set[str]
) -> dict[str, tuple[Provider, ...]]:
    """Physicians by specialty, each with a valid NPI and a real NUCC taxonomy code."""
    data = load_reference_data()
    used: set[tuple[str, str]] = set()
    staff: dict[str, tuple[Provider, ...]] = {}
    number = 0
    for specialty, spec in data["specialties"].items():
        members = []
        for _ in range(spec["count"]):
            number += 1
            given, family = _unique_name(rng, used)
            org = organizations[spec["organization"]]
            key = root.child("provider", number)
            members.append(
                Provider(
                    id=key.id,
                    family_name=family,
                    given_name=given,
                    source_key=key.source_key,
                    npi=random_npi(rng, "1", taken),
                    taxonomy_code=spec["taxonomy"],
                    specialty=spec["display"],
                    credentials=rng.choice(data["credentials"]),
                    organization_id=org.id,
                    address=replace(org.address),
                    phone=f"{org.phone[:-2]}{number + 10:02d}",
                )
            )
        staff[specialty] = tuple(members)
    return staff


def build_reference(root: Key, rng: random.Random) -> Reference:
    """Organizations, providers and payers for one seed."""
    taken: set[str] = set()
    organizations = _organizations(root, rng, taken)
    payers = _payers(root)
    staff = _staff(root, rng, organizations, taken)
    batch = RecordBatch(
        organizations=list(organizations.values()),
        providers=[provider for members in staff.values() for provider in members],
        payers=list(payers.values()),
    )
    plan_names = {raw["key"]: raw["plan_name"] for raw in load_reference_data()["payers"]}
    specialty_of = {p.id: specialty for specialty, members in staff.items() for p in members}
    return Reference(batch, organizations, payers, plan_names, staff, specialty_of)

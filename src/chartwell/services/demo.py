"""Setting up a demonstration store: schema, synthetic patients and one login per role.

Used by ``chartwell demo`` (and so ``make demo``); everything here is synthetic.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from chartwell.compliance.roles import Permission, Role
from chartwell.services import accounts, audit, codesets
from chartwell.services.actor import Actor
from chartwell.store import migrate, tables as t
from chartwell.store.db import transaction
from chartwell.store.records import write_batch

DEMO_USERS = {
    "director": Role.HIM_DIRECTOR,
    "coder": Role.CODER,
    "clerk": Role.RECORDS_CLERK,
    "biller": Role.BILLING_SPECIALIST,
    "auditor": Role.AUDITOR,
    "admin": Role.ADMIN,
}


@dataclass
class DemoSetup:
    patients: int
    encounters: int
    documents: int
    password: str
    users: dict[str, str] = field(default_factory=dict)


def load_synthetic(*, engine: Engine, actor: Actor, seed: int, patients: int, progress=None) -> tuple[int, int, int]:
    """Write the generator's patients, each in its own transaction with its audit event."""
    from chartwell.synth import generate

    with transaction(engine) as session:
        audit.authorize(session, actor, Permission.RECORDS_IMPORT)
    records = generate(seed=seed, patients=patients)
    with transaction(engine) as session:
        write_batch(session, records.reference, recorded_by=actor.username)
    encounters = documents = 0
    for batch in records.patients:
        with transaction(engine) as session:
            write_batch(session, batch, recorded_by=actor.username)
            for patient in batch.patients:
                audit.record(session, actor, "records.import", resource_type="Patient", resource_id=patient.id,
                             patient_id=patient.id, details={"source": "synthetic", "seed": seed})
        encounters += len(batch.encounters)
        documents += len(batch.documents)
        if progress:
            progress()
    return len(records.patients), encounters, documents


def ensure_demo_users(*, engine: Engine, actor: Actor) -> tuple[str, dict[str, str]]:
    """One user per role with a fresh random password, printed once by the CLI."""
    password = "-".join(secrets.token_urlsafe(4) for _ in range(3))
    with transaction(engine) as session:
        existing = set(session.scalars(select(t.UserRow.username)))
        for username, role in DEMO_USERS.items():
            if username in existing:
                accounts.set_password(session=session, actor=actor, username=username, password=password)
            else:
                accounts.add_user(session=session, actor=actor, username=username, role=role,
                                  password=password, full_name=f"Demo {role.value.replace('_', ' ')}")
    return password, {name: role.value for name, role in DEMO_USERS.items()}


def set_up(*, engine: Engine, actor: Actor, seed: int = 20261124, patients: int = 60, progress=None) -> DemoSetup:
    migrate.upgrade(engine)
    loaded, encounters, documents = load_synthetic(engine=engine, actor=actor, seed=seed, patients=patients,
                                                   progress=progress)
    password, users = ensure_demo_users(engine=engine, actor=actor)
    codesets.install_defaults(engine=engine, actor=actor)  # the encoder, offline: packaged code sets
    return DemoSetup(loaded, encounters, documents, password, users)

"""Setting up a demonstration store: schema, synthetic patients, one login per role, a billing
configuration for the synthetic organizations and payers, and the claims of the coded
encounters (so a billing specialist finds a worklist, held claims with their reasons included).

Used by ``chartwell demo`` (and so ``make demo``); everything here is synthetic.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from chartwell.claims.config import FILE_NAME, parse_config
from chartwell.compliance.roles import Permission, Role
from chartwell.domain import records as d
from chartwell.errors import ChartwellError
from chartwell.services import accounts, audit, claims, codesets
from chartwell.services.actor import Actor
from chartwell.settings import get_settings
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
    billing_config: str | None = None  # the billing.toml the claims were built with
    claims: dict[str, int] = field(default_factory=dict)  # by status: held, queued, ...
    notes: list[str] = field(default_factory=list)


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


# -- billing ---------------------------------------------------------------------------------

DEMO_FEE_SCHEDULE = {
    # office / outpatient E/M, new (99202-99205) and established (99212-99215) patients
    "99202": "95.00", "99203": "145.00", "99204": "220.00", "99205": "290.00",
    "99212": "80.00", "99213": "125.00", "99214": "185.00", "99215": "250.00",
    "36415": "15.00", "81002": "12.00", "87880": "32.00", "93000": "55.00",  # common office lines
    "G0439": "175.00",  # HCPCS: annual wellness visit, subsequent
}
"""Codes by number only (CPT descriptors are the AMA's); other codes fall to the encounter's
chargemaster price, then to the payer's default charge."""
DEMO_DEFAULT_CHARGE = "100.00"
FILING_INDICATORS = {"medicare": "MB", "medicaid": "MC", "commercial": "CI"}
"""SBR09 by payer category; assembly turns Medicare's MB into MA on an 837I (Part A)."""
TIMELY_FILING_DAYS = 365
"""Medicare's limit (42 CFR 424.44: one calendar year after the date of service), used for every
demo payer: older synthetic visits are held for timely filing, as they would be."""
ZIP_PLUS_FOUR = "0001"
"""2010AA N403 needs nine digits; the synthetic addresses have five, so a fixed +4 is added."""
BILLED_SETTINGS = ("professional", "outpatient", "emergency", "inpatient")
BILLED_DAYS = 365
"""The demo bills the visits of the year before the latest one."""


def _toml(value: object) -> str:
    """A TOML value: strings as basic strings (JSON's escapes are TOML's), tables inline."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


def _table(name: str, values: dict[str, object]) -> list[str]:
    return [f"[{name}]", *(f"{key} = {_toml(value)}" for key, value in values.items()
                          if value is not None), ""]


def _provider(organization: d.Organization, taxonomy: str) -> dict[str, object]:
    a = organization.address
    return {"name": organization.name, "npi": organization.npi, "ein": organization.tax_id,
            "taxonomy": taxonomy,
            "address": {"line1": a.line1, **({"line2": a.line2} if a.line2 else {}), "city": a.city,
                        "state": a.state, "postal_code": (a.postal_code or "")[:5] + ZIP_PLUS_FOUR}}


def billing_config_text(reference: d.RecordBatch, *,
                        timely_filing_days: int | None = TIMELY_FILING_DAYS) -> str:
    """billing.toml for a synthetic data set: the clinic bills the 837P, the hospital the 837I,
    and each payer but self-pay is configured under its own name and payer id."""
    by_name = {org.name: org for org in reference.organizations}
    clinic = next(org for name, org in by_name.items() if "Clinic" in name)
    hospital = next(org for name, org in by_name.items() if "Hospital" in name)
    lines = ["# Chartwell demo billing configuration: synthetic organizations and payers.",
             'usage = "T"', ""]
    lines += _table("submitter", {"name": "Riverside Billing Office (synthetic)", "id": "RIVERSIDE01",
                                  "contact_name": "Billing Office", "contact_phone": "2175550100"})
    lines += _table("receiver", {"name": "Synthetic Clearinghouse", "id": "CLEARINGHSE"})
    lines += _table("billing_provider", _provider(clinic, "261QP2300X"))
    lines += _table("institutional_billing_provider", _provider(hospital, "282N00000X"))
    for payer in reference.payers:
        if payer.category not in FILING_INDICATORS or not payer.payer_identifier:
            continue  # self-pay: the patient gets a statement, no 837
        lines += ["[[payers]]", *(f"{key} = {_toml(value)}" for key, value in {
            "name": payer.name, "payer_id": payer.payer_identifier,
            "claim_filing_indicator": FILING_INDICATORS[payer.category],
            "default_charge": DEMO_DEFAULT_CHARGE, "fee_schedule": DEMO_FEE_SCHEDULE}.items()), ""]
        if timely_filing_days is not None:
            lines += _table("payers.rules", {"timely_filing_days": timely_filing_days})
    return "\n".join(lines)


def write_billing_config(data_dir: Path, reference: d.RecordBatch) -> tuple[Path, bool]:
    """Write billing.toml unless one is there (a user's own is never overwritten); checked as
    ``claims`` would read it before it is written."""
    path = data_dir / FILE_NAME
    if path.exists():
        return path, False
    text = billing_config_text(reference)
    parse_config(text, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, True


def billable_encounters(engine: Engine) -> list[uuid.UUID]:
    """Encounters with at least one ICD-10-CM diagnosis and a payer that is billed on an 837,
    from the last year of visits (older ones would have been billed long ago)."""
    coded = select(t.DiagnosisRow.encounter_id).where(t.DiagnosisRow.code_system == "icd10cm")
    query = (select(t.EncounterRow.id, t.EncounterRow.admit_at)
             .join(t.PayerRow, t.PayerRow.id == t.EncounterRow.payer_id)
             .where(t.EncounterRow.id.in_(coded), t.EncounterRow.setting.in_(BILLED_SETTINGS),
                    t.EncounterRow.admit_at.is_not(None),
                    t.PayerRow.category.in_(tuple(FILING_INDICATORS)))
             .order_by(t.EncounterRow.admit_at, t.EncounterRow.id))
    with transaction(engine) as session:
        rows = session.execute(query).all()
    if not rows:
        return []
    since = rows[-1].admit_at - timedelta(days=BILLED_DAYS)
    return [row.id for row in rows if row.admit_at >= since]


def build_demo_claims(*, engine: Engine, actor: Actor, progress=None) -> tuple[Counter, list[str]]:
    """Build and scrub the claim of every billable encounter, each in its own transaction; a
    claim already exported (a second ``demo`` run) is left as it is."""
    statuses: Counter = Counter()
    problems: Counter = Counter()
    for encounter_id in billable_encounters(engine):
        try:
            with transaction(engine) as session:
                built = claims.build_claim(session=session, actor=actor, encounter_id=encounter_id)
            statuses[str(built.status)] += 1
        except ChartwellError as error:
            problems[type(error).__name__] += 1
        if progress:
            progress()
    notes = [f"{count} encounter(s) not billed ({name})" for name, count in problems.items()]
    return statuses, notes


def set_up(*, engine: Engine, actor: Actor, seed: int = 20261124, patients: int = 60, progress=None) -> DemoSetup:
    migrate.upgrade(engine)
    loaded, encounters, documents = load_synthetic(engine=engine, actor=actor, seed=seed, patients=patients,
                                                   progress=progress)
    password, users = ensure_demo_users(engine=engine, actor=actor)
    codesets.install_defaults(engine=engine, actor=actor)  # the encoder, offline: packaged code sets
    setup = DemoSetup(loaded, encounters, documents, password, users)
    set_up_billing(setup, engine=engine, actor=actor, seed=seed)
    return setup


def set_up_billing(setup: DemoSetup, *, engine: Engine, actor: Actor, seed: int) -> None:
    """billing.toml for the seed's organizations and payers, then the claims; a billing.toml
    of the user's that does not load is reported, not fatal (the rest of the demo works)."""
    path, written = write_billing_config(get_settings().data_dir, generate_reference(seed))
    setup.billing_config = str(path)
    if not written:
        setup.notes.append(f"{path} was there already: the claims use it as it is")
    try:
        claims.billing_config()
    except ChartwellError as error:
        setup.notes.append(f"no claims built: {error}")
        return
    statuses, notes = build_demo_claims(engine=engine, actor=actor)
    setup.claims, setup.notes = dict(statuses), setup.notes + notes


def generate_reference(seed: int) -> d.RecordBatch:
    """The seed's organizations, providers and payers (no patients: cheap)."""
    from chartwell.synth import generate

    return generate(seed=seed, patients=0).reference

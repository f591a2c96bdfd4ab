"""The billing configuration: ``billing.toml`` in the data dir.

Who submits and receives the 837 batches, the billing provider the claims name, and per payer:
its electronic id, claim filing indicator, the names it goes by in the record store, its fee
schedule, and its own scrubber rules (as data: codes needing a prior authorization or a
referral, modifiers a code must carry, unit limits, timely filing). A wrong file is an error that
names the file and the key; a missing one says how to create it (``chartwell claims
config-example``).
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chartwell.domain.claims import Address, EntityKind, Payer, Provider, ProviderRole
from chartwell.domain.npi import npi_problem
from chartwell.errors import InvalidInput, Position, UnreadableInput

FILE_NAME = "billing.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddressConfig(_Strict):
    line1: str
    line2: str | None = None
    city: str
    state: str = Field(min_length=2, max_length=2)
    postal_code: str = Field(pattern=r"^\d{5}(\d{4})?$")


class SubmitterConfig(_Strict):
    name: str
    id: str = Field(min_length=2, max_length=15)
    contact_name: str
    contact_phone: str = Field(pattern=r"^\d{10}$")


class ReceiverConfig(_Strict):
    name: str
    id: str = Field(min_length=2, max_length=15)


class BillingProviderConfig(_Strict):
    name: str
    npi: str
    ein: str = Field(pattern=r"^\d{2}-?\d{7}$")
    taxonomy: str | None = Field(default=None, pattern=r"^[0-9A-Z]{9}X$")
    address: AddressConfig

    @field_validator("npi")
    @classmethod
    def _npi(cls, value: str) -> str:
        if problem := npi_problem(value):
            raise ValueError(problem)
        return value

    @field_validator("address")
    @classmethod
    def _zip9(cls, value: AddressConfig) -> AddressConfig:
        if len(value.postal_code) != 9:
            raise ValueError("the billing provider's ZIP code must have 9 digits "
                             "(005010X222A1 / X223A2 2010AA N403)")
        return value

    def provider(self) -> Provider:
        a = self.address
        return Provider(role=ProviderRole.BILLING, name=self.name, npi=self.npi,
                        entity=EntityKind.ORGANIZATION, tax_id=self.ein.replace("-", ""),
                        taxonomy_code=self.taxonomy,
                        address=Address(a.line1, a.city, a.state, a.postal_code, a.line2))


class PayerRules(_Strict):
    """A payer's own edits, as data: the scrubber reads them (claims/scrubber.py)."""

    prior_authorization_codes: tuple[str, ...] = ()
    referral_codes: tuple[str, ...] = ()
    required_modifiers: dict[str, tuple[str, ...]] = {}
    max_units: dict[str, Decimal] = {}
    timely_filing_days: int | None = Field(default=None, gt=0)


class PayerConfig(_Strict):
    name: str
    payer_id: str = Field(min_length=2, max_length=80)
    claim_filing_indicator: str = Field(default="CI", pattern=r"^[0-9A-Z]{2}$")
    aliases: tuple[str, ...] = ()  # store payer names or payer ids this entry stands for
    fee_schedule: dict[str, Decimal] = {}
    default_charge: Decimal | None = None
    rules: PayerRules = PayerRules()

    def payer(self) -> Payer:
        return Payer(self.name, self.payer_id, self.claim_filing_indicator)

    def matches(self, name: str | None, identifier: str | None) -> bool:
        keys = {self.name.lower(), self.payer_id.lower(), *(alias.lower() for alias in self.aliases)}
        return bool({(name or "").lower(), (identifier or "").lower()} & keys)

    def charge(self, code: str | None) -> Decimal | None:
        """The fee schedule's charge for one unit of ``code``, else the default charge."""
        if code is not None and code in self.fee_schedule:
            return self.fee_schedule[code]
        return self.default_charge


class BillingConfig(_Strict):
    submitter: SubmitterConfig
    receiver: ReceiverConfig
    billing_provider: BillingProviderConfig
    institutional_billing_provider: BillingProviderConfig | None = None
    usage: str = Field(default="P", pattern=r"^[PT]$")  # ISA15
    payers: tuple[PayerConfig, ...] = ()

    def billing_for(self, institutional: bool) -> Provider:
        chosen = self.institutional_billing_provider if institutional else None
        return (chosen or self.billing_provider).provider()

    def payer_for(self, name: str | None, identifier: str | None) -> PayerConfig | None:
        return next((payer for payer in self.payers if payer.matches(name, identifier)), None)


def _key(location: tuple) -> str:
    parts = []
    for item in location:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        else:
            parts.append(str(item))
    return ".".join(parts)


def parse_config(text: str, source: str) -> BillingConfig:
    """Read and check a billing configuration; errors name the file and the key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UnreadableInput(f"not TOML ({error})", Position(file=source)) from None
    try:
        return BillingConfig.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise InvalidInput(f"{first['msg']}{more}",
                           Position(file=source, field=_key(first["loc"]))) from None


def load_config(data_dir: Path) -> BillingConfig:
    path = data_dir / FILE_NAME
    if not path.exists():
        raise InvalidInput(f"no billing configuration: create {path} (`chartwell claims "
                           f"config-example > {path}` writes a template to edit)",
                           Position(file=str(path)))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UnreadableInput(f"cannot read ({error.strerror or error})",
                              Position(file=str(path))) from None
    return parse_config(text, str(path))


EXAMPLE = '''# Chartwell billing configuration (billing.toml in the data dir). Every value is an example.
usage = "T"                      # ISA15: T test, P production

[submitter]                      # 1000A
name = "Riverside Billing Office"
id = "RIVERSIDE01"               # your id at the receiver (ISA06 / GS02 / 1000A NM109)
contact_name = "Billing Office"
contact_phone = "2175550100"

[receiver]                       # 1000B
name = "Example Clearinghouse"
id = "CLEARINGHSE"

[billing_provider]               # 2010AA (837P; also 837I unless the next table is given)
name = "Riverside Family Clinic"
npi = "1234567893"
ein = "00-0000102"
taxonomy = "261QP2300X"
address = { line1 = "220 Main Street", city = "Springfield", state = "IL", postal_code = "627041234" }

# [institutional_billing_provider]   # 2010AA of 837I claims, same keys

[[payers]]
name = "Evergreen Health Plan"
payer_id = "SYN01"
claim_filing_indicator = "CI"    # SBR09: MA / MB Medicare, MC Medicaid, CI commercial
aliases = ["Evergreen Health Plan (synthetic)"]
default_charge = "100.00"
fee_schedule = { "99213" = "125.00", "99214" = "185.00" }

[payers.rules]
prior_authorization_codes = ["70553"]
referral_codes = []
required_modifiers = {}
max_units = { "36415" = "1" }
timely_filing_days = 365
'''


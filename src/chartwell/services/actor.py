"""Who is acting, from where and why: passed to every service call."""

from __future__ import annotations

import getpass
import uuid
from dataclasses import dataclass

from chartwell.compliance.roles import Role


@dataclass(frozen=True, slots=True)
class Actor:
    username: str
    role: Role
    user_id: uuid.UUID | None = None
    source_ip: str | None = None
    reason: str | None = None  # purpose of use: treatment, payment, operations, ...


def local_operator() -> Actor:
    """The person at the server's shell, acting through the CLI without ``--user``.

    Whoever can run the CLI can read the data directory, so they act as admin; the audit trail
    still names them by their operating-system account.
    """
    return Actor(username=f"cli:{getpass.getuser()}", role=Role.ADMIN, source_ip="local")

"""Roles and the permission behind every action.

Every service call names one :class:`Permission`; every API route and page declares the one it
needs. A role is granted a set of permissions, declared here as data so a compliance officer can
read who may do what (HIPAA minimum necessary, 45 CFR 164.502(b) and 164.514(d)).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    HIM_DIRECTOR = "him_director"
    CODER = "coder"
    CDI_SPECIALIST = "cdi_specialist"
    RECORDS_CLERK = "records_clerk"
    BILLING_SPECIALIST = "billing_specialist"
    AUDITOR = "auditor"
    PROVIDER = "provider"


class Permission(StrEnum):
    PATIENT_SEARCH = "patient.search"
    PATIENT_READ = "patient.read"
    PATIENT_WRITE = "patient.write"
    ENCOUNTER_READ = "encounter.read"
    ENCOUNTER_WRITE = "encounter.write"
    DOCUMENT_READ = "document.read"
    DOCUMENT_WRITE = "document.write"
    DOCUMENT_SIGN = "document.sign"
    CODING_READ = "coding.read"
    CODING_WRITE = "coding.write"
    QUERY_WRITE = "query.write"
    CLAIM_READ = "claim.read"
    CLAIM_WRITE = "claim.write"
    REMIT_POST = "remit.post"
    RECORDS_IMPORT = "records.import"
    RECORDS_EXPORT = "records.export"
    DISCLOSURE_WRITE = "disclosure.write"
    USER_MANAGE = "user.manage"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    CODESET_MANAGE = "codeset.manage"


_CHART_READ = {
    Permission.PATIENT_SEARCH,
    Permission.PATIENT_READ,
    Permission.ENCOUNTER_READ,
    Permission.DOCUMENT_READ,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.HIM_DIRECTOR: frozenset(
        _CHART_READ
        | {
            Permission.CODING_READ,
            Permission.CLAIM_READ,
            Permission.RECORDS_EXPORT,
            Permission.DISCLOSURE_WRITE,
            Permission.AUDIT_READ,
            Permission.AUDIT_VERIFY,
            Permission.USER_MANAGE,
            Permission.RECORDS_IMPORT,
            Permission.CODESET_MANAGE,
        }
    ),
    Role.CODER: frozenset(
        _CHART_READ | {Permission.CODING_READ, Permission.CODING_WRITE, Permission.QUERY_WRITE}
    ),
    Role.CDI_SPECIALIST: frozenset(_CHART_READ | {Permission.CODING_READ, Permission.QUERY_WRITE}),
    Role.RECORDS_CLERK: frozenset(
        _CHART_READ
        | {
            Permission.PATIENT_WRITE,
            Permission.ENCOUNTER_WRITE,
            Permission.DOCUMENT_WRITE,
            Permission.RECORDS_IMPORT,
            Permission.DISCLOSURE_WRITE,
        }
    ),
    Role.BILLING_SPECIALIST: frozenset(
        {
            Permission.PATIENT_SEARCH,
            Permission.PATIENT_READ,
            Permission.ENCOUNTER_READ,
            Permission.CODING_READ,
            Permission.CLAIM_READ,
            Permission.CLAIM_WRITE,
            Permission.REMIT_POST,
        }
    ),
    Role.AUDITOR: frozenset(
        _CHART_READ
        | {
            Permission.CODING_READ,
            Permission.CLAIM_READ,
            Permission.AUDIT_READ,
            Permission.AUDIT_VERIFY,
        }
    ),
    Role.PROVIDER: frozenset(
        _CHART_READ
        | {Permission.DOCUMENT_WRITE, Permission.DOCUMENT_SIGN, Permission.CODING_READ}
    ),
}


def has_permission(role: Role | str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(role)]

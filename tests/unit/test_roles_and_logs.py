import logging

import pytest

from chartwell.compliance.roles import ROLE_PERMISSIONS, Permission, Role, has_permission
from chartwell.logs import PhiFilter, mask_phi


def test_every_role_has_permissions_and_admin_has_all():
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    for role in Role:
        assert Permission.PATIENT_SEARCH in ROLE_PERMISSIONS[role] or role == Role.ADMIN


@pytest.mark.parametrize(
    "role, permission, allowed",
    [
        (Role.CODER, Permission.CODING_WRITE, True),
        (Role.CODER, Permission.USER_MANAGE, False),
        (Role.BILLING_SPECIALIST, Permission.REMIT_POST, True),
        (Role.BILLING_SPECIALIST, Permission.DOCUMENT_READ, False),  # minimum necessary
        (Role.AUDITOR, Permission.AUDIT_VERIFY, True),
        (Role.AUDITOR, Permission.DOCUMENT_WRITE, False),
        (Role.PROVIDER, Permission.DOCUMENT_SIGN, True),
        (Role.RECORDS_CLERK, Permission.CLAIM_WRITE, False),
    ],
)
def test_role_grants(role, permission, allowed):
    assert has_permission(role, permission) is allowed


@pytest.mark.parametrize(
    "text, leaked",
    [
        ("patient 123-45-6789 seen", "123-45-6789"),
        ("call (555) 010-1234", "010-1234"),
        ("born 1950-02-01", "1950-02-01"),
        ("mail jane.doe@example.org", "jane.doe@example.org"),
        ("MRN: 00100042", "00100042"),
    ],
)
def test_phi_is_masked_in_logs(text, leaked):
    assert leaked not in mask_phi(text)
    record = logging.LogRecord("chartwell.x", logging.INFO, __file__, 1, "%s", (text,), None)
    PhiFilter().filter(record)
    assert leaked not in record.getMessage()


def test_counts_and_ids_pass_unchanged():
    assert mask_phi("imported 128 patients in 3.2 s") == "imported 128 patients in 3.2 s"

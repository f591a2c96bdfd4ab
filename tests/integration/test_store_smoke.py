from sqlalchemy import select

from chartwell.compliance.roles import Role
from chartwell.services import accounts, audit
from chartwell.services.actor import Actor
from chartwell.store import tables as t
from chartwell.store.db import transaction

ADMIN = Actor(username="test-admin", role=Role.ADMIN)


def test_users_and_audit_chain(store):
    with transaction(store) as session:
        accounts.add_user(session=session, actor=ADMIN, username="coder1", role=Role.CODER,
                          password="correct horse battery")
    with transaction(store) as session:
        grant = accounts.login(session=session, username="coder1", password="correct horse battery", kind="api")
    with transaction(store) as session:
        opened = accounts.resume(session=session, secret=grant.secret, kind="api")
        assert opened.user.username == "coder1"
        verdict = audit.verify(session=session, actor=ADMIN)
        assert verdict.ok, verdict
        assert session.scalar(select(t.AuditHeadRow.sequence)) >= 2

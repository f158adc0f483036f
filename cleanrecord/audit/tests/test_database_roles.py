"""The application's PostgreSQL role as docs/deploy.md sets it up (docs/database-roles.sql): it writes the audit
trail but cannot delete, truncate or rewrite it, nor lift the trigger that guards it."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction

from cleanrecord.audit.models import AuditEntry
from cleanrecord.audit.services import record_event

from .test_verify_audit import verify

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's"),
]

SCRIPT = Path(settings.BASE_DIR) / "docs" / "database-roles.sql"


def statements(sql: str) -> list[str]:
    text = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


@pytest.fixture
def app_role(outsider):
    """Roles named for this run, made with the documented script inside the test's transaction: its rollback
    removes them again, whatever happens."""
    suffix = os.getpid()
    owner, app = f"cr_test_owner_{suffix}", f"cr_test_app_{suffix}"
    sql = SCRIPT.read_text().replace("cleanrecord_owner", owner).replace("cleanrecord_app", app)
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixtures' rows settled, as in a fresh transaction
        cur.execute(f"CREATE ROLE {owner} NOLOGIN")
        cur.execute(f"CREATE ROLE {app} NOLOGIN")
        for statement in statements(sql):
            cur.execute(statement)
        cur.execute(f"SET ROLE {app}")
    try:
        yield app
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET ROLE")


def refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
    return str(error.value)


def test_the_script_leaves_the_application_role_neither_owner_nor_superuser(app_role):
    with connection.cursor() as cur:
        cur.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cur.fetchone() == (app_role, False)
        cur.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_auditentry'")
        assert cur.fetchone()[0] != app_role


def test_the_application_role_appends_and_reads_the_trail(app_role, outsider):
    entry = record_event(user=outsider, action="test.as-app", target="thing:1", after={"n": 1})
    assert AuditEntry.objects.get(pk=entry.pk).target == "thing:1"
    code, output = verify()
    assert code == 0 and "审计日志完整" in output


def test_the_application_role_cannot_delete_truncate_or_rewrite_the_trail(app_role):
    entry = record_event(user=None, action="test.as-app", target="thing:1")
    assert "permission denied" in refused("DELETE FROM audit_auditentry WHERE id = %s", [entry.id])
    assert "permission denied" in refused("TRUNCATE audit_auditentry")
    assert "permission denied" in refused("UPDATE audit_auditentry SET target = 'x' WHERE id = %s", [entry.id])
    assert "permission denied" in refused("UPDATE audit_auditentry SET hash = 'x' WHERE id = %s", [entry.id])
    assert AuditEntry.objects.get(pk=entry.pk).target == "thing:1"
    assert verify()[0] == 0


def test_the_application_role_cannot_lift_the_trigger(app_role):
    for sql in ("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only",
                "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
                "DROP TRIGGER audit_auditentry_append_only ON audit_auditentry",
                "ALTER TABLE audit_auditentry OWNER TO CURRENT_USER",
                "DROP TABLE audit_auditentry"):
        assert "must be owner of" in refused(sql), sql
    with connection.cursor() as cur:
        cur.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_auditentry_append_only'")
        assert cur.fetchone() == ("O",)  # still on


def test_the_one_column_it_may_change_takes_only_a_deleted_users_null(app_role, outsider, clerk):
    entry = record_event(user=outsider, action="test.by-dave", target="thing:1")
    assert "append-only" in refused("UPDATE audit_auditentry SET user_id = %s WHERE id = %s", [clerk.pk, entry.id])
    # Deleting the user, as the admin does, unlinks their entries and keeps them.
    User.objects.filter(pk=outsider.pk).delete()
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert (kept.user_id, kept.user_ref, kept.actor) == (None, outsider.pk, "dave")
    assert verify()[0] == 0

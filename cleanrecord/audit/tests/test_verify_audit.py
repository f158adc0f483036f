import contextlib
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from cleanrecord.audit.models import AuditEntry
from cleanrecord.audit.services import record_event

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


def verify() -> tuple[int | str | None, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except SystemExit as e:
        return e.code, err.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def chain(db):
    return [record_event(user=None, action=f"test.step{i}", target=f"thing:{i}", after={"n": i}) for i in range(4)]


@contextlib.contextmanager
def tampering():
    """Raw SQL, as someone with database access would. On PostgreSQL the table's owner must disable the trigger
    first (the test's transaction rolls that back), after settling the deferred foreign-key checks that block it."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only")
        yield cur
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_auditentry_append_only")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


def test_an_intact_chain_passes_and_says_how_many_entries_it_checked(chain):
    code, output = verify()
    assert code == 0
    assert f"审计日志完整：共 {AuditEntry.objects.count()} 条" in output
    assert chain[-1].hash in output


def test_an_empty_trail_is_intact():
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM audit_auditentry")
        if cur.fetchone()[0]:
            pytest.skip("the session's reference data left entries")
    assert verify() == (0, "审计日志完整：共 0 条\n")


def test_a_row_changed_in_the_database_is_named(chain):
    with tampering() as cur:
        cur.execute("UPDATE audit_auditentry SET target = %s WHERE id = %s", ["thing:forged", chain[1].id])
    code, output = verify()
    assert code == 1
    assert f"第一条断裂的记录是 #{chain[1].id}" in output
    assert "操作 test.step1" in output and "内容与摘要不符" in output


def test_a_row_rewritten_with_a_fresh_hash_breaks_the_link_of_the_next(chain):
    forged = AuditEntry.objects.get(id=chain[1].id)
    forged.target = "thing:forged"
    forged.hash = forged.compute_hash()
    with tampering() as cur:
        cur.execute("UPDATE audit_auditentry SET target = %s, hash = %s WHERE id = %s",
                    [forged.target, forged.hash, forged.id])
    code, output = verify()
    assert code == 1
    assert f"第一条断裂的记录是 #{chain[2].id}" in output
    assert f"前一条摘要与 #{chain[1].id} 不符" in output


def test_a_deleted_row_is_named_by_the_entry_after_it(chain):
    with tampering() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [chain[2].id])
    code, output = verify()
    assert code == 1
    assert f"第一条断裂的记录是 #{chain[3].id}" in output and "被删除、插入或改动过" in output


def test_only_the_first_break_is_reported(chain):
    with tampering() as cur:
        cur.execute("UPDATE audit_auditentry SET actor = 'mallory' WHERE id IN (%s, %s)", [chain[1].id, chain[3].id])
    code, output = verify()
    assert code == 1
    assert f"#{chain[1].id}" in output and f"#{chain[3].id}" not in output


@on_postgresql
def test_postgresql_refuses_to_update_or_delete_an_entry(chain):
    for sql in ("UPDATE audit_auditentry SET target = 'x' WHERE id = %s", "DELETE FROM audit_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [chain[1].id])
    assert AuditEntry.objects.get(id=chain[1].id).target == "thing:1"
    assert verify()[0] == 0

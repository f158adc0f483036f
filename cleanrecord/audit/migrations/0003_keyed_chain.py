"""Entries get a keyed hash over every column (cleanrecord/audit/chain.py), and the existing ones
are re-chained with it, once.

The old hashes were plain SHA-256, which anyone able to write the table could recompute, and did not
cover the user. Re-chaining rewrites them, so it first checks the old chain: a broken one stops the
migration with nothing changed (look into it with the previous release's `verify_audit`). The old
head is kept in an `audit.rechained` entry, so a head printed or noted before still proves the
entries up to it. Runs as the table's owner, who alone may lift the append-only trigger meanwhile.
"""

from django.db import migrations, models
from django.utils import timezone

from cleanrecord.audit import chain

LOCK = 727274  # services.CHAIN_LOCK
TRIGGER = "audit_auditentry_append_only"

# Only the comment changes: the hash now covers the user through user_ref, and verify_audit checks a
# NULL user_id against it.
FUNCTION = """
CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    -- Deleting a user makes Django set user_id to NULL on their entries. The hash covers the
    -- user through user_ref, which never changes, so that one change is let through, and only it;
    -- verify_audit checks that the user user_ref names is gone.
    IF TG_OP = 'UPDATE' AND OLD.user_id IS NOT NULL AND NEW.user_id IS NULL
       AND to_jsonb(NEW) - 'user_id' = to_jsonb(OLD) - 'user_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_auditentry is append-only: % of entry % refused', TG_OP, OLD.id;
END;
$$ LANGUAGE plpgsql;
"""


def rechain(apps, schema_editor):
    entry_model = apps.get_model("audit", "AuditEntry")
    connection = schema_editor.connection
    pg = connection.vendor == "postgresql"
    table = entry_model._meta.db_table
    if pg:
        schema_editor.execute(FUNCTION, params=None)
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
    entries = list(entry_model.objects.using(connection.alias).order_by("id"))
    if not entries:
        return
    previous = chain.GENESIS
    for entry in entries:
        if entry.hash_version != chain.LEGACY:
            raise RuntimeError(f"audit entry #{entry.id} already has hash version {entry.hash_version}")
        if entry.prev_hash != previous or chain.legacy_hash(entry) != entry.hash:
            raise RuntimeError(
                f"The audit chain is broken at entry #{entry.id}: not re-chaining it with the key, which would "
                "hide the break. Nothing was changed. Run `manage.py verify_audit` of the previous release."
            )
        previous = entry.hash
    legacy_head = {"id": entries[-1].id, "hash": entries[-1].hash}

    version = chain.current_version()
    key = chain.audit_key()
    if pg:
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {TRIGGER}")
    previous = chain.GENESIS
    for entry in entries:
        entry.user_ref, entry.hash_version, entry.prev_hash = entry.user_id, version, previous
        entry.hash = chain.keyed_hash(entry, version, key)
        entry.save(update_fields=["user_ref", "hash_version", "prev_hash", "hash"])
        previous = entry.hash
    if pg:
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {TRIGGER}")
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            next_id = cur.fetchone()[0]
    else:
        next_id = entries[-1].id + 1
    note = entry_model(
        id=next_id, at=timezone.now(), actor="system", action="audit.rechained", target="audit:chain",
        before={"legacy_head": legacy_head}, after={"entries": len(entries), "hash_version": version,
                                                    "head": {"id": entries[-1].id, "hash": previous}},
        prev_hash=previous, hash_version=version,
    )
    note.hash = chain.keyed_hash(note, version, key)
    note.save(force_insert=True)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_trigger'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='hash_version',
            field=models.PositiveSmallIntegerField(default=1, editable=False, verbose_name='摘要版本'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='user_ref',
            field=models.BigIntegerField(blank=True, editable=False, null=True, verbose_name='操作人编号'),
        ),
        # Back to old code, the keyed hashes would read as broken: the way back is the backup.
        migrations.RunPython(rechain, migrations.RunPython.noop),
    ]

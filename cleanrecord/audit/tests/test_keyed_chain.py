"""The chain's keyed hash: made with a key kept outside the database, over every column, user included."""

import base64
import datetime as dt
import hashlib
import hmac
import importlib
import json
import os
import stat
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from cleanrecord.audit import chain
from cleanrecord.audit.models import AuditEntry
from cleanrecord.audit.services import next_id, record_event

from .test_verify_audit import tampering, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain_of_four(db):
    return [record_event(user=None, action=f"test.step{i}", target=f"thing:{i}", after={"n": i}) for i in range(4)]


@pytest.fixture
def own_key(settings):
    """A configured key, as production has; the key made for the test session is left alone."""
    key = os.urandom(32)
    settings.CLEANRECORD = {**settings.CLEANRECORD, "AUDIT_KEY": base64.b64encode(key).decode()}
    return key


def test_without_a_configured_key_one_is_made_in_the_data_directory_readable_by_the_owner_only(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    settings.CLEANRECORD = {**settings.CLEANRECORD, "AUDIT_KEY": ""}
    entry = record_event(user=None, action="test.first", target="thing:1")
    path = tmp_path / "audit_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = base64.b64decode(path.read_text())
    assert len(key) == 32
    assert entry.hash == hmac.new(key, chain.canonical(entry, 2), hashlib.sha256).hexdigest()
    assert record_event(user=None, action="test.second").hash_version == chain.HMAC_SHA256  # the same key, kept


def test_the_configured_key_makes_the_hash(own_key):
    entry = record_event(user=None, action="test.keyed", target="thing:1", after={"名称": "兰州"})
    assert entry.hash_version == chain.HMAC_SHA256
    assert entry.hash == hmac.new(own_key, chain.canonical(entry, 2), hashlib.sha256).hexdigest()
    assert entry.hash != hashlib.sha256(chain.canonical(entry, 2)).hexdigest()


def test_a_malformed_key_is_refused(settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "AUDIT_KEY": "too-short"}
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        record_event(user=None, action="test.never")
    assert not AuditEntry.objects.filter(action="test.never").exists()


def test_verifying_with_another_key_finds_every_hash_wrong(chain_of_four, own_key):
    code, output = verify()
    assert code == 1
    assert "内容与摘要不符" in output and "不持有审计密钥者重算" in output


def test_under_guomi_new_entries_use_hmac_sm3_and_the_older_ones_still_verify(chain_of_four, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "FIELD_CIPHER": "sm4-gcm"}
    entry = record_event(user=None, action="test.sm3", target="thing:sm3")
    assert entry.hash_version == chain.HMAC_SM3
    assert entry.prev_hash == chain_of_four[-1].hash
    assert entry.hash != chain.keyed_hash(entry, chain.HMAC_SHA256)
    assert verify()[0] == 0


def test_every_column_is_covered_by_the_hash(outsider):
    entry = record_event(user=outsider, action="test.cover", target="thing:1", before={"a": 1}, after={"b": 2})
    columns = {f.attname for f in AuditEntry._meta.concrete_fields}
    # A new column needs a new hash version (chain.py) and a line here.
    assert columns == {"id", "at", "user_id", "user_ref", "actor", "action", "target", "before", "after",
                       "prev_hash", "hash", "hash_version"}
    changes = {
        "id": entry.id + 1, "at": entry.at + dt.timedelta(microseconds=1), "user_ref": outsider.pk + 1,
        "actor": "mallory", "action": "test.other", "target": "thing:2", "before": {"a": 2}, "after": None,
        "prev_hash": "f" * 64, "hash_version": chain.HMAC_SM3,
    }
    # user_id is held to user_ref by verify_audit (it may only go to NULL, with the user gone); hash is the result.
    assert set(changes) == columns - {"user_id", "hash"}
    for column, value in changes.items():
        changed = AuditEntry.objects.get(pk=entry.pk)
        setattr(changed, column, value)
        assert changed.compute_hash() != entry.hash, column
    assert AuditEntry.objects.get(pk=entry.pk).compute_hash() == entry.hash


def test_the_user_of_an_entry_is_covered(chain_of_four, outsider, clerk):
    entry = record_event(user=outsider, action="test.by-dave", target="thing:9")
    assert (entry.user_id, entry.user_ref) == (outsider.pk, outsider.pk)
    with tampering() as cur:
        cur.execute("UPDATE audit_auditentry SET user_id = %s WHERE id = %s", [clerk.pk, entry.id])
    code, output = verify()
    assert code == 1
    assert f"第一条断裂的记录是 #{entry.id}" in output
    assert f"操作人被改为用户 #{clerk.pk}，摘要所覆盖的是用户 #{outsider.pk}" in output


def test_unlinking_the_user_of_an_entry_while_the_user_exists_is_caught(outsider):
    entry = record_event(user=outsider, action="test.by-dave", target="thing:9")
    with tampering() as cur:
        cur.execute("UPDATE audit_auditentry SET user_id = NULL WHERE id = %s", [entry.id])
    code, output = verify()
    assert code == 1
    assert f"操作人（用户 #{outsider.pk}）的关联被清除，但该用户仍然存在" in output


def _rehash_from(first_id: int, hasher, version: int) -> None:
    """Rewrite entry `first_id` and re-hash it and every later entry with `hasher`, as someone without the key."""
    with tampering() as cur:
        cur.execute("UPDATE audit_auditentry SET target = 'thing:forged' WHERE id = %s", [first_id])
        previous = AuditEntry.objects.filter(id__lt=first_id).order_by("-id").values_list("hash", flat=True).first()
        for entry in AuditEntry.objects.filter(id__gte=first_id).order_by("id"):
            entry.prev_hash, entry.hash_version = previous or chain.GENESIS, version
            previous = hasher(entry)
            cur.execute("UPDATE audit_auditentry SET prev_hash = %s, hash = %s, hash_version = %s WHERE id = %s",
                        [entry.prev_hash, previous, version, entry.id])


def test_rehashing_from_an_entry_on_with_plain_sha256_is_caught(chain_of_four):
    _rehash_from(chain_of_four[1].id, lambda e: hashlib.sha256(chain.canonical(e, 2)).hexdigest(), chain.HMAC_SHA256)
    code, output = verify()
    assert code == 1
    assert f"第一条断裂的记录是 #{chain_of_four[1].id}" in output and "内容与摘要不符" in output


def test_rehashing_from_an_entry_on_as_old_unkeyed_entries_is_caught(chain_of_four):
    _rehash_from(chain_of_four[1].id, chain.legacy_hash, chain.LEGACY)
    assert all(e.hash == e.compute_hash() for e in AuditEntry.objects.filter(id__gte=chain_of_four[1].id))
    code, output = verify()
    assert code == 1
    assert f"第一条断裂的记录是 #{chain_of_four[1].id}" in output
    assert "摘要版本为 1，不是以审计密钥计算的摘要" in output


# -- re-chaining the entries written before the key (migration 0003) ---------------------------------------------

rechain = importlib.import_module("cleanrecord.audit.migrations.0003_keyed_chain").rechain


@pytest.fixture
def legacy_trail(outsider):
    """The trail as the previous release left it: plain SHA-256 hashes, no user_ref."""
    with tampering() as cur:
        cur.execute("DELETE FROM audit_auditentry")
    previous, entries = chain.GENESIS, []
    at = dt.datetime(2026, 11, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)
    for i, user in enumerate([None, outsider, None]):
        entry = AuditEntry(id=next_id(AuditEntry, entries[-1].id if entries else 0), at=at + dt.timedelta(minutes=i),
                           user=user, actor=user.username if user else "system", action=f"old.step{i}",
                           target=f"thing:{i}", after={"n": i, "名": "旧"}, prev_hash=previous)
        entry.hash = previous = chain.legacy_hash(entry)
        entry.save(force_insert=True)
        entries.append(entry)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # as a migration runs: the foreign-key checks of these rows settled
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return entries


def _run_rechain():
    apps = MigrationLoader(connection).project_state(("audit", "0003_keyed_chain")).apps
    with connection.cursor() as cur:
        rechain(apps, SimpleNamespace(connection=connection, execute=lambda sql, params=(): cur.execute(sql, params)))


def test_the_migration_rechains_old_entries_once_and_keeps_the_old_head(legacy_trail, outsider):
    assert verify()[0] == 1  # old hashes are not accepted as they are
    _run_rechain()
    code, output = verify()
    assert code == 0, output
    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.hash_version for e in entries] == [chain.current_version()] * 4
    assert entries[1].user_ref == outsider.pk
    assert [e.target for e in entries[:3]] == ["thing:0", "thing:1", "thing:2"]
    note = entries[3]
    assert note.action == "audit.rechained"
    assert note.before == {"legacy_head": {"id": legacy_trail[-1].id, "hash": legacy_trail[-1].hash}}
    assert note.after["entries"] == 3 and note.after["head"] == {"id": entries[2].id, "hash": entries[2].hash}


def test_the_migration_refuses_to_rechain_a_broken_old_chain_and_changes_nothing(legacy_trail):
    with tampering() as cur:
        cur.execute("UPDATE audit_auditentry SET target = 'thing:forged' WHERE id = %s", [legacy_trail[1].id])
    before = list(AuditEntry.objects.order_by("id").values_list("id", "hash", "hash_version"))
    with pytest.raises(RuntimeError, match=f"broken at entry #{legacy_trail[1].id}"):
        _run_rechain()
    assert list(AuditEntry.objects.order_by("id").values_list("id", "hash", "hash_version")) == before


def test_the_canonical_form_is_plain_json_naming_its_version(chain_of_four):
    body = json.loads(chain.canonical(chain_of_four[0], 2))
    assert body["v"] == 2 and body["id"] == chain_of_four[0].id and body["after"] == {"n": 0}


def test_verifying_without_the_key_says_so_and_makes_none(chain_of_four, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    settings.CLEANRECORD = {**settings.CLEANRECORD, "AUDIT_KEY": ""}
    code, output = verify()
    assert code == 1
    assert "审计日志无法核验：找不到审计密钥（CLEANRECORD_AUDIT_KEY）" in output
    assert not (tmp_path / "audit_key").exists()

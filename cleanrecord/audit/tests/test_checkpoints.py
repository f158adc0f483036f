"""Signed checkpoints of the chain's head, outside the database: what the database's owner cannot undo unnoticed."""

import base64
import datetime as dt
import io
import json
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.db import connection

from cleanrecord.audit import chain, checkpoints
from cleanrecord.audit.models import AuditEntry
from cleanrecord.audit.services import record_event
from cleanrecord.reports import signing

from .test_verify_audit import tampering, verify

pytestmark = pytest.mark.django_db


def add(n: int, start: int = 0) -> list[AuditEntry]:
    return [record_event(user=None, action=f"test.step{i}", target=f"thing:{i}", after={"n": i})
            for i in range(start, start + n)]


def checkpoint() -> str:
    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    return out.getvalue()


@pytest.fixture
def checkpointed(db):
    """Entries, a checkpoint over them, and a few more entries after it."""
    covered = add(4)
    checkpoint()
    return covered, add(2, start=4)


def test_a_checkpoint_is_a_signed_file_only_its_owner_reads(checkpoint_dir):
    entries = add(3)
    output = checkpoint()
    (path,) = checkpoint_dir.glob("*.json")
    assert stat.S_IMODE(checkpoint_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"最后一条 #{entries[-1].id}" in output and str(path) in output
    document = json.loads(path.read_text())
    body = document["checkpoint"]
    assert (body["entry_id"], body["count"], body["hash"]) == (entries[-1].id, AuditEntry.objects.count(),
                                                               entries[-1].hash)
    # Signed with the platform's report signing key, over the canonical JSON of the checkpoint.
    certificate = x509.load_pem_x509_certificate(document["certificate"].encode())
    assert certificate == x509.load_der_x509_certificate(signing._keys().signer.signing_cert.dump())
    assert document["certificate_sha256"] == certificate.fingerprint(hashes.SHA256()).hex(":").upper()
    certificate.public_key().verify(base64.b64decode(document["signature"]["value"]),
                                    checkpoints.canonical_json(body), ec.ECDSA(hashes.SHA256()))
    code, output = verify()
    assert code == 0
    assert f"检查点：1 个，签名均有效，均与日志相符；最新 {path.name}" in output


def test_an_intact_trail_with_checkpoints_passes(checkpointed):
    checkpoint()
    assert verify()[0] == 0


def test_deleting_the_newest_entries_is_caught(checkpointed):
    covered, after = checkpointed
    total = AuditEntry.objects.count()
    with tampering() as cur:  # the newest three: one the checkpoint covers, and the two after it
        cur.execute("DELETE FROM audit_auditentry WHERE id >= %s", [covered[-1].id])
    code, output = verify()
    assert code == 1
    assert f"#{covered[-1].id} 已不在日志中，它和之后的记录被删除过" in output
    assert f"日志现只有 {total - 3} 条，少于检查点记录的 {total - 2} 条" in output


def test_truncating_the_table_is_caught(checkpointed):
    with tampering() as cur:
        cur.execute("TRUNCATE audit_auditentry" if connection.vendor == "postgresql" else "DELETE FROM audit_auditentry")
    assert AuditEntry.objects.count() == 0
    code, output = verify()
    assert code == 1
    assert "日志现只有 0 条" in output and "整表被清空（TRUNCATE）" in output


def test_rehashing_with_plain_sha256_from_an_entry_on_is_caught_by_chain_and_checkpoint(checkpointed):
    covered, _after = checkpointed
    with tampering() as cur:
        previous = covered[0].hash
        for entry in AuditEntry.objects.filter(id__gt=covered[0].id).order_by("id"):
            entry.target, entry.prev_hash = "thing:forged", previous
            previous = chain.legacy_hash(entry)  # SHA-256 over the entry, as one would without the key
            cur.execute("UPDATE audit_auditentry SET target = %s, prev_hash = %s, hash = %s WHERE id = %s",
                        [entry.target, entry.prev_hash, previous, entry.id])
    code, output = verify()
    assert code == 1
    assert f"第一条断裂的记录是 #{covered[1].id}" in output and "内容与摘要不符" in output
    assert f"最后一条 #{covered[-1].id}）：在断裂处之后，无法确认" in output


def test_rewriting_with_the_key_itself_is_still_caught_by_the_checkpoint(checkpointed):
    """Whoever holds both the database and the audit key can make a chain that verifies, but not one that
    matches what the platform key signed."""
    covered, _after = checkpointed
    with tampering() as cur:
        previous = covered[0].hash
        for entry in AuditEntry.objects.filter(id__gt=covered[0].id).order_by("id"):
            entry.target, entry.prev_hash = "thing:forged", previous
            previous = entry.compute_hash()
            cur.execute("UPDATE audit_auditentry SET target = %s, prev_hash = %s, hash = %s WHERE id = %s",
                        [entry.target, entry.prev_hash, previous, entry.id])
    code, output = verify()
    assert code == 1
    assert "第一条断裂" not in output
    assert f"#{covered[-1].id} 的摘要现为" in output and "它或它之前的记录被改写过" in output


def test_a_checkpoint_edited_after_signing_is_caught(checkpointed, checkpoint_dir):
    (path,) = checkpoint_dir.glob("*.json")
    document = json.loads(path.read_text())
    document["checkpoint"]["count"] -= 2  # as if fewer entries had been there
    path.write_text(json.dumps(document))
    code, output = verify()
    assert code == 1
    assert f"检查点 {path.name}：签名无效：检查点内容在签署后被改动过" in output


def test_a_checkpoint_signed_with_another_key_is_not_the_platforms(checkpointed, checkpoint_dir):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mallory")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
                   .sign(key, hashes.SHA256()))
    body = {"format": checkpoints.FORMAT, "version": 1, "at": now.isoformat(), "entry_id": 1, "count": 1,
            "hash": "a" * 64}
    document = {
        "checkpoint": body,
        "signature": {"algorithm": "ecdsa", "digest": "sha256", "value": base64.b64encode(
            key.sign(checkpoints.canonical_json(body), ec.ECDSA(hashes.SHA256()))).decode()},
        "certificate": certificate.public_bytes(serialization.Encoding.PEM).decode(),
        "certificate_sha256": certificate.fingerprint(hashes.SHA256()).hex(":").upper(),
    }
    (checkpoint_dir / f"{now:%Y%m%dT%H%M%S%f}Z-1.json").write_text(json.dumps(document))
    code, output = verify()
    assert code == 1
    assert "签名证书（CN=mallory）不是本平台的签名证书" in output


def test_a_file_that_is_no_checkpoint_is_named(checkpointed, checkpoint_dir):
    (checkpoint_dir / "20260101T000000000000Z-1.json").write_bytes(b"\x00" * 100)
    code, output = verify()
    assert code == 1
    assert "检查点 20260101T000000000000Z-1.json：文件无法读取或不是审计检查点" in output


def test_without_a_signing_key_the_checkpoint_is_refused_and_nothing_written(settings, checkpoint_dir):
    add(1)
    settings.CLEANRECORD = {**settings.CLEANRECORD, "SIGNING_KEY": "/nonexistent/key.pem",
                            "SIGNING_CERT": "/nonexistent/cert.pem"}
    signing.reset_signer()
    err = io.StringIO()
    try:
        with pytest.raises(SystemExit) as exit_:
            call_command("audit_checkpoint", stderr=err)
    finally:
        signing.reset_signer()
    assert exit_.value.code == 1
    assert "审计检查点未写入：无法使用平台签名密钥" in err.getvalue() and "/nonexistent/key.pem" in err.getvalue()
    assert not list(checkpoint_dir.glob("*"))


def test_a_checkpoint_is_taken_when_the_last_is_a_day_old(checkpoint_dir):
    add(1)
    assert checkpoints.latest_time() is None
    first = checkpoints.ensure_recent()
    assert first is not None and checkpoints.ensure_recent() == first  # within the day: none taken
    old = checkpoints.take(now=dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    for path in checkpoint_dir.glob("*.json"):
        if path.name != old.name:
            path.unlink()
    assert checkpoints.ensure_recent() > first
    assert len(list(checkpoint_dir.glob("*.json"))) == 2


def test_an_unreadable_checkpoint_directory_fails_the_check(checkpoint_dir):
    add(1)
    checkpoint_dir.write_text("a file where the directory should be")
    code, output = verify()
    assert code == 1
    assert f"无法读取审计检查点目录 {checkpoint_dir}" in output


def test_a_stale_newest_checkpoint_is_warned_about(checkpoint_dir):
    add(1)
    checkpoints.take(now=dt.datetime.now(dt.UTC) - dt.timedelta(days=5))
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit", stdout=out, stderr=err)
    assert "检查点：1 个，签名均有效" in out.getvalue()
    assert "警告：最新的审计检查点已是 5 天前" in err.getvalue()

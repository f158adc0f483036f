"""Backup → restore into a fresh database and data directory → the old report still verifies, by code and by file,
and the audit trail checks out; a tampered, incomplete or foreign backup is refused with nothing changed.

The restored platform runs in processes of its own (`manage.py restore`, then the verification pages through
Django's test client, then `manage.py verify_audit`), configured only by the environment as a deployment is.
On PostgreSQL the target is a database created for the test and dropped after it.
"""

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from cleanrecord.audit import chain
from cleanrecord.backup import archive
from cleanrecord.lib import fieldcrypt
from cleanrecord.objections import workflow
from cleanrecord.records.models import ImportBatch, Penalty
from cleanrecord.records.services import import_file
from cleanrecord.records.tests import helpers
from cleanrecord.reference.models import Department
from cleanrecord.reports.models import Report
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity
from cleanrecord.testing.actors import make_entity_user

ROOT = Path(django_settings.BASE_DIR)
PASSPHRASE = "兰州信用备份口令-2026"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000000"
                    "000500010d0a2db40000000049454e44ae426082")

# Runs in the restored platform: the public verification pages for the report, by code and by file, and the
# objection's evidence read back (decrypted with the restored field key).
CHECK_RESTORED = r"""
import json, os, re, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanrecord.settings")
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from cleanrecord.objections.models import Evidence
from cleanrecord.objections.workflow import read_evidence
from cleanrecord.records.models import ImportBatch
from cleanrecord.reports.models import Report

code, pdf = sys.argv[1], sys.argv[2]
client = Client()
by_code = client.get(f"/verify/{code}")
with open(pdf, "rb") as f:
    by_file = client.post("/verify/file", {"file": SimpleUploadedFile("报告.pdf", f.read(), content_type="application/pdf")})
report = Report.objects.get(verification_code=code)
batch = ImportBatch.objects.exclude(error_file="").get()
print(json.dumps({
    "code_status": by_code.status_code, "code_page": by_code.content.decode(),
    "file_status": by_file.status_code, "file_page": by_file.content.decode(),
    "pdf_path": report.pdf_path, "pdf_bytes_sha256": __import__("hashlib").sha256(report.pdf_bytes()).hexdigest(),
    "error_file": batch.error_file, "error_file_exists": os.path.exists(batch.error_file),
    "evidence": [read_evidence(e).hex() for e in Evidence.objects.all()],
}, ensure_ascii=False))
"""


# -- the platform to back up --------------------------------------------------------------------------------


@pytest.fixture
def own_data_dir(settings, tmp_path):
    """A data directory of this test's own, holding the session's keys (the signing root is recorded, the
    field and audit keys are cached by this process), so that the backup holds this test's files only."""
    session = Path(settings.DATA_DIR)
    fieldcrypt.encrypt("make sure the field key exists")
    chain.audit_key()
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    shutil.copytree(session / "signing", data / "signing")
    for name in ("field_key", "audit_key"):
        shutil.copy2(session / name, data / name)
    settings.DATA_DIR = data
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_DIR": str(data / "reports"),
                            "IMPORT_DIR": str(data / "imports"), "EVIDENCE_DIR": str(data / "evidence"),
                            "AUDIT_CHECKPOINT_DIR": "", "BACKUP_DIR": "", "BACKUP_PASSPHRASE": PASSPHRASE}
    return data


@pytest.fixture
def platform(transactional_db, own_data_dir, tmp_path):
    """Imported records (one file with a bad row: an error file), an objection with evidence, an issued report,
    an audit checkpoint. Returns the report and its PDF as the entity downloaded it."""
    if not Department.objects.exists():  # an earlier transactional test flushed what the session loaded
        call_command("load_reference", verbosity=0)
    company = entity(name="兰州备份恢复测试有限公司")
    subject = {"行政相对人名称": company.name, "行政相对人代码_1(统一社会信用代码)": company.credit_code}
    rows = [helpers.penalty(1, **subject), helpers.penalty(2, **subject),
            helpers.penalty(3, **subject, **{"处罚决定日期": "不是日期"})]
    result = import_file(path=helpers.penalty_csv(tmp_path / "amr.csv", rows), kind="penalty",
                         department=Department.objects.get(code="amr"))
    assert (result.batch.rows_created, result.batch.rows_rejected) == (2, 1)
    owner = make_entity_user("backup-owner", company)
    record = Penalty.objects.filter(subject_key=company.credit_code).order_by("pk").first()
    workflow.file_objection(user=owner, kind="penalty", subject_key=company.credit_code, record_id=record.pk,
                            reason="content_wrong", statement="罚款金额与决定书不一致",
                            files=[SimpleUploadedFile("决定书.png", PNG, content_type="image/png")])
    report = issue_report(credit_code=company.credit_code, domains="all", purpose="finance")
    call_command("audit_checkpoint", verbosity=0)
    pdf = tmp_path / "downloaded.pdf"
    pdf.write_bytes(report.pdf_bytes())
    return report, pdf


# -- the restored platform -----------------------------------------------------------------------------------


@pytest.fixture
def fresh_target(transactional_db, tmp_path):
    """(environment, database URL) of an empty installation: a new data directory and a new database."""
    data = tmp_path / "restored-data"
    params = connection.settings_dict
    if connection.vendor == "postgresql":
        name = f"h_backup_restore_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        auth = params["USER"] + (f":{params['PASSWORD']}" if params.get("PASSWORD") else "")
        url = f"postgresql://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    else:
        name, url = "", f"sqlite:///{data / 'cleanrecord.sqlite3'}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CLEANRECORD_", "DATABASE_URL", "SECRET_KEY", "PYTEST", "DJANGO_SETTINGS"))}
    env.update(CLEANRECORD_DATA_DIR=str(data), DATABASE_URL=url, CLEANRECORD_BACKUP_PASSPHRASE=PASSPHRASE,
               DJANGO_SETTINGS_MODULE="cleanrecord.settings")
    yield env, data
    if name:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def tables_in(env: dict) -> int:
    done = run(env, "-c", "import django; django.setup(); from django.db import connection; "
                          "print(len(connection.introspection.table_names()))")
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip())


def files_under(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# -- backup → restore → verify ---------------------------------------------------------------------------------


@pytest.mark.pdf
def test_a_restored_platform_verifies_the_old_report_by_code_and_by_file_and_its_audit_trail(platform, fresh_target,
                                                                                                tmp_path):
    report, pdf = platform
    env, data = fresh_target
    made = archive.make_backup(tmp_path / "backup", PASSPHRASE)

    # What was written, and how: private, listed with hashes, keys unreadable without the passphrase.
    folder = made.folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == (0o700 if p.is_dir() else 0o600) for p in folder.rglob("*"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    assert manifest["database"] == connection.vendor
    assert {"database.dump" if connection.vendor == "postgresql" else "database.sqlite3", "keys.enc"} <= set(listed)
    stored = Path(report.pdf_path).relative_to(Path(django_settings.DATA_DIR) / "reports").as_posix()
    assert listed[f"files/reports/{stored}"]["sha256"] == report.pdf_sha256
    assert any(name.startswith("files/evidence/") for name in listed)
    assert any(name.startswith("files/imports/batch-") for name in listed)
    assert any(name.startswith("files/audit-checkpoints/") for name in listed)
    assert not any(name.endswith(("signing-key.pem", "field_key", "audit_key")) for name in listed)
    keys_file = (folder / "keys.enc").read_bytes()
    assert b"PRIVATE KEY" not in keys_file and (Path(django_settings.DATA_DIR) / "field_key").read_bytes() not in keys_file

    restored = run(env, "manage.py", "restore", str(folder))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "已恢复" in restored.stdout
    assert run(env, "manage.py", "migrate", "--check").returncode == 0  # the schema is complete

    checked = run(env, "-c", CHECK_RESTORED, report.verification_code, str(pdf))
    assert checked.returncode == 0, checked.stderr
    seen = json.loads(checked.stdout)
    assert seen["code_status"] == 200 and 'id="verdict">真实有效<' in seen["code_page"]
    assert report.number in seen["code_page"] and "兰州备份恢复测试有限公司" in seen["code_page"]
    assert seen["file_status"] == 200 and 'id="verdict">真实有效<' in seen["file_page"]
    assert report.number in seen["file_page"]
    # The stored files moved with the data directory, and the database says where they are now.
    assert Path(seen["pdf_path"]).is_relative_to(data) and seen["pdf_bytes_sha256"] == report.pdf_sha256
    assert Path(seen["error_file"]).is_relative_to(data) and seen["error_file_exists"]
    assert seen["evidence"] == [PNG.hex()]

    audit = run(env, "manage.py", "verify_audit")
    assert audit.returncode == 0, audit.stderr
    assert "审计日志完整" in audit.stdout and "签名均有效，均与日志相符" in audit.stdout

    # Restoring again over what is now there is refused, as is a different passphrase.
    again = run(env, "manage.py", "restore", str(folder))
    assert again.returncode == 1 and "目标不是空的" in again.stderr and "--force" in again.stderr


# -- refusals ------------------------------------------------------------------------------------------------


@pytest.fixture
def backup(platform_without_report, tmp_path) -> Path:
    return archive.make_backup(tmp_path / "backup", PASSPHRASE).folder


@pytest.fixture
def platform_without_report(transactional_db, own_data_dir, tmp_path):
    # Committed, as a backup sees a platform: pg_dump reads committed rows, SQLite's backup waits for a writer.
    if not Department.objects.exists():
        call_command("load_reference", verbosity=0)
    company = entity(name="兰州备份篡改测试有限公司")
    subject = {"行政相对人名称": company.name, "行政相对人代码_1(统一社会信用代码)": company.credit_code}
    result = import_file(path=helpers.penalty_csv(tmp_path / "amr.csv", [helpers.penalty(1, **subject)]),
                         kind="penalty", department=Department.objects.get(code="amr"))
    assert result.batch.rows_created == 1
    (own_data_dir / "reports").mkdir(mode=0o700, exist_ok=True)
    (own_data_dir / "reports" / "old-report.pdf").write_bytes(b"%PDF-1.7 " + b"x" * 5000)


def test_a_tampered_backup_is_refused_and_the_fresh_target_stays_empty(backup, fresh_target):
    env, data = fresh_target
    stored = backup / "files" / "reports" / "old-report.pdf"
    stored.write_bytes(stored.read_bytes().replace(b"x", b"y", 1))
    assert tables_in(env) == 0  # the installation has started once: its data directory and Django secret exist
    before = files_under(data)

    refused = run(env, "manage.py", "restore", str(backup))
    assert refused.returncode == 1
    assert "备份不完整或已被篡改" in refused.stderr and "files/reports/old-report.pdf" in refused.stderr
    assert tables_in(env) == 0
    after = files_under(data)
    assert after == before and not {"field_key", "audit_key"} & set(after) and not any(
        name.startswith(("reports/", "signing/")) for name in after)


def _flip_database_byte(folder: Path) -> None:
    dump = next(folder.glob("database.*"))
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 1
    dump.write_bytes(bytes(data))


def _edit_manifest(folder: Path) -> None:
    # A consistent forgery: the file changed and its listed hash with it; only the manifest's MAC tells.
    stored = folder / "files" / "reports" / "old-report.pdf"
    stored.write_bytes(b"%PDF-1.7 forged")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] == "files/reports/old-report.pdf":
            entry.update(sha256=hashlib.sha256(b"%PDF-1.7 forged").hexdigest(), size=len(b"%PDF-1.7 forged"))
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(("damage", "passphrase", "message"), [
    (lambda f: (f / "manifest.json").unlink(), PASSPHRASE, "缺少 manifest.json"),
    (lambda f: (f / "files" / "reports" / "old-report.pdf").unlink(), PASSPHRASE, "缺少文件 files/reports/old-report.pdf"),
    (_flip_database_byte, PASSPHRASE, "的 SHA-256 或大小与清单不符"),
    (lambda f: (f / "files" / "reports" / "planted.pdf").write_bytes(b"x"), PASSPHRASE, "有清单之外的文件"),
    (_edit_manifest, PASSPHRASE, "manifest.json 被改动过"),
    (lambda f: None, "another-passphrase", "备份口令错误"),
    (lambda f: None, "short", "备份口令至少需要 8 个字符"),
], ids=["no-manifest", "file-missing", "database-changed", "file-added", "manifest-forged", "wrong-passphrase",
        "short-passphrase"])
def test_a_damaged_backup_or_a_wrong_passphrase_is_refused_with_nothing_changed(backup, damage, passphrase, message):
    damage(backup)
    data = Path(django_settings.DATA_DIR)
    before = (files_under(data), Penalty.objects.count(), ImportBatch.objects.count(), Report.objects.count())

    with pytest.raises(archive.Refused) as refused:
        archive.restore(backup, passphrase, force=True)
    assert message in str(refused.value)
    assert (files_under(data), Penalty.objects.count(), ImportBatch.objects.count(), Report.objects.count()) == before


def test_restoring_over_a_platform_that_is_not_empty_needs_force(backup, capsys):
    with pytest.raises(SystemExit) as ended:
        call_command("restore", str(backup))
    assert ended.value.code == 1
    assert "目标不是空的：数据库中已有" in capsys.readouterr().err


def test_a_backup_goes_only_into_a_new_or_empty_folder(backup):
    with pytest.raises(archive.Refused, match="已存在且不为空"):
        archive.make_backup(backup, PASSPHRASE)


def test_the_scheduled_backup_keeps_the_newest(platform_without_report, settings, tmp_path):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "BACKUP_DIR": str(tmp_path / "nightly"), "BACKUP_KEEP": 2,
                            "BACKUP_PASSPHRASE": PASSPHRASE}
    made = [archive.scheduled_backup() for _ in range(3)]
    kept = sorted(p.name for p in (tmp_path / "nightly").iterdir())
    assert kept == sorted(m.folder.name for m in made[1:])


def test_a_field_key_configured_here_that_differs_from_the_backups_is_refused(backup, settings):
    other = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="  # 32 bytes, base64, not the platform's key
    settings.CLEANRECORD = {**settings.CLEANRECORD, "FIELD_KEY": other}
    with pytest.raises(archive.Refused, match="CLEANRECORD_FIELD_KEY 与备份中的不同"):
        archive.restore(backup, PASSPHRASE, force=True)
    assert Penalty.objects.count() == 1


def test_the_nightly_backup_is_a_job_of_the_platforms_schedule(platform_without_report, settings, tmp_path, capsys):
    from cleanrecord.jobs import schedule

    job = schedule.JOBS["backup"]
    assert (job.command, job.argv(), job.when) == ("backup", ["--scheduled"], "off")  # no BACKUP_DIR here: 已停用

    with pytest.raises(SystemExit) as stopped:
        call_command("backup", "--scheduled")
    assert stopped.value.code == 1
    assert "未配置 CLEANRECORD_BACKUP_DIR，定时备份未执行" in capsys.readouterr().err

    settings.CLEANRECORD = {**settings.CLEANRECORD, "BACKUP_DIR": str(tmp_path / "nightly"), "BACKUP_KEEP": 7,
                            "BACKUP_PASSPHRASE": PASSPHRASE}
    call_command(job.command, *job.argv())
    [made] = (tmp_path / "nightly").iterdir()
    assert (made / "manifest.json").is_file() and (made / "keys.enc").is_file()

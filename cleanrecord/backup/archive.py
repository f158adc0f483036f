"""A backup of the whole platform, and its restore into a fresh database and data directory.

A backup is a folder (0700, files 0600):

    manifest.json         what is in it: version, time, database kind, every file with its SHA-256 and size,
                          where the source kept things, the migrations applied; authenticated (HMAC-SHA256)
                          with a key derived from the passphrase
    database.dump         PostgreSQL: `pg_dump --format=custom`
    database.sqlite3      SQLite: a copy made with SQLite's online backup API, consistent while the site runs
    keys.enc              the keys (Django secret, field key, audit key, the local signing CA or the configured
                          signing files and their passphrase) as JSON, AES-256-GCM with a key derived by scrypt
                          from the passphrase
    files/<area>/…        the stored files: reports, evidence (already encrypted), import error files, audit
                          checkpoints, and whatever else the data directory holds that is state

Nothing is read whole into memory but the manifest and the keys: files are copied and hashed in chunks,
the database is dumped and restored by PostgreSQL's own tools or SQLite's page-by-page backup.

`restore()` checks everything before it touches anything — the passphrase, the manifest's authentication,
every file's hash and size, no file outside the manifest, the database kind, the migrations, keys the target
configures itself, an empty target — and refuses with a Chinese reason (`Refused`) otherwise.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from cleanrecord import conf
from cleanrecord.audit import chain
from cleanrecord.records.models import ImportBatch
from cleanrecord.reports import signing
from cleanrecord.reports.models import Report

log = logging.getLogger("cleanrecord.backup")

FORMAT = "cleanrecord-backup"
VERSION = 1
MANIFEST = "manifest.json"
KEYS = "keys.enc"
FILES = "files"
DUMP = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024
MIN_PASSPHRASE = 8
# scrypt with 32 MB of memory: about 0.1 s here, per guess for whoever holds a stolen backup.
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
SQLITE_PAGES_PER_STEP = 4096  # the online backup copies this many pages, then lets writers in

# Key files the platform makes in the data directory when their setting is unset (settings.py, lib/fieldcrypt.py,
# audit/chain.py, reports/signing.py): they go into keys.enc, never into files/.
SECRET_FILE, FIELD_FILE = "secret_key", "field_key"
SIGNING_FOLDER = "signing"
KEY_FILES = (SECRET_FILE, FIELD_FILE, chain.KEY_FILE)
# Settings naming signing files kept outside the data directory.
SIGNING_FILES = ("SIGNING_KEY", "SIGNING_CERT", "SIGNING_CHAIN", "SIGNING_PKCS12")
RESTORED_KEYS = "restored-keys"


class Refused(Exception):
    """A backup cannot be made or restored; the message says why, in Chinese."""


# -- where the state is ---------------------------------------------------------------------------------------


def _areas() -> dict[str, Path]:
    """Each area of stored files and the folder it is in here. "data" is the data directory less the others."""
    checkpoints = conf.get("AUDIT_CHECKPOINT_DIR") or str(Path(settings.DATA_DIR) / "audit-checkpoints")
    return {
        "data": Path(settings.DATA_DIR),
        "reports": Path(conf.get("REPORT_DIR")),
        "evidence": Path(conf.get("EVIDENCE_DIR")),
        "imports": Path(conf.get("IMPORT_DIR")),
        "audit-checkpoints": Path(checkpoints),
    }


def _not_state(extra: tuple[Path, ...] = ()) -> set[Path]:
    """Folders and files under the data directory that are not state: temporary files, collected static
    files, the SQLite database (backed up through its API), the keys (in keys.enc), running imports' locks."""
    data = Path(settings.DATA_DIR)
    skipped = {Path(conf.get("TEMP_DIR")), Path(settings.STATIC_ROOT), Path(conf.get("IMPORT_DIR")) / "running",
               data / SIGNING_FOLDER, *(data / name for name in KEY_FILES), *extra}
    if conf.get("BACKUP_DIR"):
        skipped.add(Path(conf.get("BACKUP_DIR")))
    database = connections["default"].settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        name = Path(str(database["NAME"]))
        skipped |= {name, *(Path(f"{name}{suffix}") for suffix in ("-wal", "-shm", "-journal"))}
    return {p.resolve() for p in skipped}


def _walk(areas: dict[str, Path], skipped: set[Path]) -> Iterator[tuple[str, Path, PurePosixPath]]:
    """(area, file, its path inside the area) for every regular file of every area, in a stable order; an area
    inside another is walked as itself only."""
    roots = {name: folder.resolve() for name, folder in areas.items()}
    for name, root in roots.items():
        inner = {r for other, r in roots.items() if other != name and r != root and r.is_relative_to(root)}
        if not root.is_dir():
            continue
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if (here / d) not in skipped | inner and not (here / d).is_symlink())
            for file in sorted(files):
                path = here / file
                if path in skipped or path.is_symlink() or not path.is_file() or file.startswith(".readyz-"):
                    continue
                yield name, path, PurePosixPath(path.relative_to(root).as_posix())


def _database_kind(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in DUMP:
        raise Refused(_("不支持备份该类数据库：%(vendor)s") % {"vendor": vendor})
    return vendor


# -- the keys, and the passphrase that seals them ---------------------------------------------------------------


def _derive(passphrase: str, kdf: dict[str, Any]) -> tuple[bytes, bytes]:
    """(encryption key, manifest authentication key) from the passphrase."""
    material = Scrypt(salt=base64.b64decode(kdf["salt"]), length=64, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(
        passphrase.encode())
    return material[:32], material[32:]


def check_passphrase(passphrase: str | None) -> str:
    if not passphrase or len(passphrase) < MIN_PASSPHRASE:
        raise Refused(_("备份口令至少需要 %(n)d 个字符（CLEANRECORD_BACKUP_PASSPHRASE 或在提示时输入）")
                      % {"n": MIN_PASSPHRASE})
    return passphrase


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None


def _keys_in_use() -> dict[str, Any]:
    """Every key the platform runs with, wherever it comes from (the environment or the data directory)."""
    data = Path(settings.DATA_DIR)
    keys: dict[str, Any] = {"secret_key": settings.SECRET_KEY, "configured": {}, "signing": {}, "signing_files": {}}
    keys["field_key"] = conf.get("FIELD_KEY") or _read_text(data / FIELD_FILE)
    try:
        keys["audit_key"] = base64.b64encode(chain.audit_key(create=False)).decode()
    except chain.MissingKey:
        keys["audit_key"] = None
    for name in ("FIELD_KEY", "AUDIT_KEY", "SIGNING_PASSPHRASE"):
        if conf.get(name):
            keys["configured"][name] = conf.get(name)
    folder = signing.local_folder()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
            keys["signing"][path.relative_to(folder).as_posix()] = base64.b64encode(path.read_bytes()).decode()
    for name in SIGNING_FILES:
        if value := conf.get(name):
            keys["signing_files"][name] = {"name": Path(value).name,
                                           "data": base64.b64encode(Path(value).read_bytes()).decode()}
    return keys


def _seal(keys: dict[str, Any], key: bytes) -> bytes:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(keys).encode(), FORMAT.encode())
    return json.dumps({"cipher": "aes-256-gcm", "nonce": base64.b64encode(nonce).decode(),
                       "ciphertext": base64.b64encode(sealed).decode()}).encode()


def _unseal(blob: bytes, key: bytes) -> dict[str, Any]:
    try:
        sealed = json.loads(blob)
        return json.loads(AESGCM(key).decrypt(base64.b64decode(sealed["nonce"]), base64.b64decode(sealed["ciphertext"]),
                                              FORMAT.encode()))
    except (InvalidTag, ValueError, KeyError, TypeError):
        raise Refused(_("备份口令错误，无法解开备份中的密钥（或密钥文件已被改动）：未做任何改动")) from None


def _mac(manifest: dict[str, Any], key: bytes) -> str:
    body = {k: v for k, v in manifest.items() if k != "mac"}
    return hmac.new(key, json.dumps(body, sort_keys=True, ensure_ascii=False).encode(), hashlib.sha256).hexdigest()


# -- files -----------------------------------------------------------------------------------------------------


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def _copy(source: Path, target: Path) -> tuple[str, int]:
    """Copy in chunks into a new 0600 file; (SHA-256, size) of what was copied."""
    _private_dir(target.parent)
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as src, os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    target.chmod(0o600)
    return digest.hexdigest(), size


def _hash(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _write_private(path: Path, data: bytes) -> None:
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        f.write(data)
    path.chmod(0o600)


# -- the database ----------------------------------------------------------------------------------------------


def _pg_command(tool: str, database: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = [tool, "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            args.append(f"{flag}={database[key]}")
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if database.get("OPTIONS", {}).get(option):
            env[variable] = str(database["OPTIONS"][option])
    return args, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, check=False)
    except FileNotFoundError:
        raise Refused(_("找不到 %(tool)s：请安装与数据库服务器版本一致的 PostgreSQL 客户端") % {"tool": args[0]}) from None
    if done.returncode:
        detail = done.stderr.decode(errors="replace").strip()[-2000:]
        raise Refused(_("%(what)s失败（%(tool)s 退出码 %(code)d）：%(detail)s")
                      % {"what": what, "tool": args[0], "code": done.returncode, "detail": detail})


def _dump_database(kind: str, target: Path) -> None:
    connection = connections["default"]
    if kind == "postgresql":
        args, env = _pg_command("pg_dump", connection.settings_dict)
        _run([*args, "--format=custom", f"--file={target}", f"--dbname={connection.settings_dict['NAME']}"], env,
             _("导出数据库"))
        target.chmod(0o600)
        return
    connection.ensure_connection()
    _write_private(target, b"")
    copy = sqlite3.connect(target)
    try:
        # Page by page: writers get in between steps; pages they change are copied again.
        connection.connection.backup(copy, pages=SQLITE_PAGES_PER_STEP)
    finally:
        copy.close()


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections["default"]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# -- making a backup -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Made:
    folder: Path
    files: int
    bytes: int
    seconds: float


def make_backup(out_dir: str | os.PathLike, passphrase: str | None) -> Made:
    """Back up the platform into `out_dir` (new or empty); the keys are encrypted with `passphrase`.

    The plain function a scheduled job calls; raises Refused with a Chinese reason.
    """
    started = time.perf_counter()
    passphrase = check_passphrase(passphrase)
    out = Path(out_dir).resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise Refused(_("备份目录 %(dir)s 已存在且不为空，请指定一个新目录") % {"dir": out})
    kind = _database_kind()
    _private_dir(out)
    database_file = out / DUMP[kind]
    _dump_database(kind, database_file)
    listed = []
    sha, size = _hash(database_file)
    listed.append({"path": DUMP[kind], "sha256": sha, "size": size})
    for area, path, inside in _walk(_areas(), _not_state((out,))):
        name = f"{FILES}/{area}/{inside}"
        sha, size = _copy(path, out / name)
        listed.append({"path": name, "sha256": sha, "size": size})
    kdf = {"name": "scrypt", "salt": base64.b64encode(os.urandom(16)).decode(), **SCRYPT}
    encryption_key, mac_key = _derive(passphrase, kdf)
    _write_private(out / KEYS, _seal(_keys_in_use(), encryption_key))
    sha, size = _hash(out / KEYS)
    listed.append({"path": KEYS, "sha256": sha, "size": size})
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "database": kind,
        "migrations": _migrations(),
        "source": {area: str(folder.resolve()) for area, folder in _areas().items()},
        "kdf": kdf,
        "files": listed,
        "total_bytes": sum(f["size"] for f in listed),
    }
    manifest["mac"] = _mac(manifest, mac_key)
    # The manifest last, renamed into place: a backup without one was cut short and is refused.
    fd, temporary = tempfile.mkstemp(dir=out, prefix=".manifest-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, out / MANIFEST)
    made = Made(out, len(listed), manifest["total_bytes"], time.perf_counter() - started)
    log.info("backup written to %s: %d files, %d bytes, %.1f s", out, made.files, made.bytes, made.seconds)
    return made


def scheduled_backup() -> Made:
    """The nightly job: a new folder in CLEANRECORD_BACKUP_DIR, then only the newest BACKUP_KEEP kept."""
    root = conf.get("BACKUP_DIR")
    if not root:
        raise Refused(_("未配置 CLEANRECORD_BACKUP_DIR，定时备份未执行"))
    root_path = Path(root)
    _private_dir(root_path)
    made = make_backup(root_path / f"cleanrecord-{timezone.now():%Y%m%dT%H%M%S%fZ}", conf.get("BACKUP_PASSPHRASE"))
    kept = sorted((p for p in root_path.glob("cleanrecord-*") if (p / MANIFEST).is_file()), reverse=True)
    for old in kept[conf.get("BACKUP_KEEP"):]:
        shutil.rmtree(old)
    return made


# -- checking a backup -----------------------------------------------------------------------------------------


@dataclass
class Checked:
    folder: Path
    manifest: dict[str, Any]
    keys: dict[str, Any]


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return (not path.is_absolute() and ".." not in path.parts and name == path.as_posix()
            and (name in (KEYS, *DUMP.values()) or (path.parts[0] == FILES and len(path.parts) >= 3)))


def check_backup(folder: str | os.PathLike, passphrase: str | None,
                 progress: Callable[[str], None] = lambda _: None) -> Checked:
    """The backup's manifest and keys once every check passes; Refused naming the first that fails."""
    root = Path(folder).resolve()
    incomplete = _("备份不完整或已被篡改：")
    if not root.is_dir():
        raise Refused(_("备份目录 %(dir)s 不存在") % {"dir": root})
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        files, kdf = manifest["files"], manifest["kdf"]
        assert manifest["format"] == FORMAT and isinstance(files, list)
    except FileNotFoundError:
        raise Refused(incomplete + _("缺少 manifest.json（备份可能在写入时中断）")) from None
    except (ValueError, KeyError, TypeError, AssertionError):
        raise Refused(incomplete + _("manifest.json 无法读取")) from None
    if manifest.get("version") != VERSION:
        raise Refused(_("备份格式版本 %(v)s 不受支持（本程序支持 %(ours)d）") % {"v": manifest.get("version"), "ours": VERSION})
    passphrase = check_passphrase(passphrase)
    listed = {f.get("path"): f for f in files if isinstance(f, dict)}
    if len(listed) != len(files) or not all(isinstance(n, str) and _safe(n) for n in listed):
        raise Refused(incomplete + _("清单中有不合规的文件名"))
    if KEYS not in listed or DUMP.get(manifest.get("database", "")) not in listed:
        raise Refused(incomplete + _("清单中缺少数据库或密钥文件"))
    # Parameters beyond ours would only make scrypt eat memory and time: a forged manifest.
    if not (isinstance(kdf, dict) and kdf.get("name") == "scrypt"
            and all(isinstance(kdf.get(k), int) and 1 <= kdf[k] <= SCRYPT[k] for k in SCRYPT)):
        raise Refused(incomplete + _("manifest.json 中的密钥派生参数不合规"))
    encryption_key, mac_key = _derive(passphrase, kdf)
    _check_file(root, listed[KEYS], incomplete)
    keys = _unseal((root / KEYS).read_bytes(), encryption_key)
    if not hmac.compare_digest(str(manifest.get("mac", "")), _mac(manifest, mac_key)):
        raise Refused(incomplete + _("manifest.json 被改动过（其认证码与口令不符）"))
    progress(_("口令正确，清单完整；正在核对 %(n)d 个文件的 SHA-256……") % {"n": len(listed)})
    for entry in files:
        _check_file(root, entry, incomplete)
    found = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink()}
    extra = sorted(found - set(listed) - {MANIFEST})
    if extra:
        raise Refused(incomplete + _("有清单之外的文件：%(files)s") % {"files": "、".join(extra[:5])})
    return Checked(root, manifest, keys)


def _check_file(root: Path, entry: dict[str, Any], incomplete: str) -> None:
    path = root / entry["path"]
    if path.is_symlink() or not path.is_file():
        raise Refused(incomplete + _("缺少文件 %(file)s") % {"file": entry["path"]})
    sha, size = _hash(path)
    if size != entry.get("size") or sha != entry.get("sha256"):
        raise Refused(incomplete + _("文件 %(file)s 的 SHA-256 或大小与清单不符") % {"file": entry["path"]})


# -- restoring -------------------------------------------------------------------------------------------------


def _target_conflicts(keys: dict[str, Any]) -> list[str]:
    """Keys this installation configures itself that differ from the backup's: its data would not be readable."""
    problems = []
    field = conf.get("FIELD_KEY")
    if field and keys.get("field_key") and field != keys["field_key"]:
        problems.append(_("本机配置的 CLEANRECORD_FIELD_KEY 与备份中的不同：恢复后的身份证号和证明材料将无法解密"))
    audit = conf.get("AUDIT_KEY")
    if audit and keys.get("audit_key") and base64.b64decode(audit) != base64.b64decode(keys["audit_key"]):
        problems.append(_("本机配置的 CLEANRECORD_AUDIT_KEY 与备份中的不同：恢复后的审计日志将无法核验"))
    return problems


def _target_contents(skipped: set[Path]) -> list[str]:
    """What the target already holds: tables in its database, files in its data directory (the Django
    secret made at the first start of any process excepted)."""
    held = []
    tables = connections["default"].introspection.table_names()
    if tables:
        held.append(_("数据库中已有 %(n)d 张表") % {"n": len(tables)})
    files = [str(path) for _area, path, _inside in _walk(_areas(), skipped)]
    data = Path(settings.DATA_DIR)
    files += [str(data / name) for name in (FIELD_FILE, chain.KEY_FILE) if (data / name).exists()]
    if (data / SIGNING_FOLDER).is_dir() and any((data / SIGNING_FOLDER).iterdir()):
        files.append(str(data / SIGNING_FOLDER))
    if files:
        held.append(_("数据目录中已有 %(n)d 个文件（如 %(file)s）") % {"n": len(files), "file": files[0]})
    return held


def _restore_database(kind: str, dump: Path, force: bool) -> None:
    connection = connections["default"]
    connection.close()
    if kind == "postgresql":
        args, env = _pg_command("pg_restore", connection.settings_dict)
        clean = ["--clean", "--if-exists"] if force else []
        # Objects belong to whoever restores (the owner role); grants come from docs/database-roles.sql.
        _run([*args, "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", *clean,
              f"--dbname={connection.settings_dict['NAME']}", str(dump)], env, _("恢复数据库"))
        return
    name = Path(str(connection.settings_dict["NAME"]))
    _private_dir(name.parent)
    fd, temporary = tempfile.mkstemp(dir=name.parent, prefix=".restore-")
    os.close(fd)
    _copy(dump, Path(temporary))
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{name}{suffix}").unlink(missing_ok=True)
    os.replace(temporary, name)


def _restore_keys(keys: dict[str, Any], say: Callable[[str], None]) -> None:
    data = Path(settings.DATA_DIR)
    configured = keys.get("configured", {})
    # The secret in use came from the data directory unless SECRET_KEY is configured: only then is the file ours.
    secret_from_file = _read_text(data / SECRET_FILE) in (None, settings.SECRET_KEY)
    if secret_from_file and keys.get("secret_key"):
        _write_private(data / SECRET_FILE, keys["secret_key"].encode())
    elif keys.get("secret_key") and keys["secret_key"] != settings.SECRET_KEY:
        say(_("注意：本机的 SECRET_KEY 与备份中的不同，已登录的会话将失效（数据不受影响）"))
    if keys.get("field_key") and not conf.get("FIELD_KEY"):
        _write_private(data / FIELD_FILE, keys["field_key"].encode())
    if keys.get("audit_key") and not conf.get("AUDIT_KEY"):
        _write_private(data / chain.KEY_FILE, keys["audit_key"].encode())
    folder = signing.local_folder()
    for name, content in keys.get("signing", {}).items():
        target = folder / PurePosixPath(name)
        if not target.resolve().is_relative_to(folder.resolve()):
            continue
        _private_dir(target.parent)
        _write_private(target, base64.b64decode(content))
    kept = data / RESTORED_KEYS
    for setting, item in keys.get("signing_files", {}).items():
        here = conf.get(setting)
        content = base64.b64decode(item["data"])
        if here and Path(here).is_file() and Path(here).read_bytes() == content:
            continue
        _private_dir(kept)
        _write_private(kept / f"{setting.lower()}-{Path(item['name']).name}", content)
        say(_("签名文件已恢复到 %(file)s：请将 CLEANRECORD_%(setting)s 指向它")
            % {"file": kept / f"{setting.lower()}-{Path(item['name']).name}", "setting": setting})
    if "SIGNING_PASSPHRASE" in configured and conf.get("SIGNING_PASSPHRASE") != configured["SIGNING_PASSPHRASE"]:
        say(_("备份时签名密钥由 CLEANRECORD_SIGNING_PASSPHRASE 解锁：请为本机配置同一口令"))
    for name in ("FIELD_KEY", "AUDIT_KEY"):
        if name in configured and not conf.get(name):
            say(_("备份时 CLEANRECORD_%(name)s 由环境变量配置，现已写入数据目录；也可为本机配置同一值")
                % {"name": name})
    chain.forget_key()


def _rewrite_paths(source: dict[str, str], say: Callable[[str], None]) -> None:
    """Reports and error files are recorded by absolute path: move those under the source's folders to ours."""
    here = _areas()
    for model, column, area in ((Report, "pdf_path", "reports"), (ImportBatch, "error_file", "imports")):
        old, new = source.get(area), str(here[area].resolve())
        if not old or old == new:
            continue
        moved = model.objects.filter(**{f"{column}__startswith": old.rstrip("/") + "/"}).update(
            **{column: Concat(Value(new.rstrip("/")), Substr(F(column), len(old.rstrip("/")) + 1))})
        if moved:
            say(_("%(n)d 条记录的文件路径已由 %(old)s 改为 %(new)s") % {"n": moved, "old": old, "new": new})


def _unknown_migrations(applied: dict[str, list[str]]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, names in applied.items() for name in names if (app, name) not in known]


def restore(folder: str | os.PathLike, passphrase: str | None, *, force: bool = False,
            say: Callable[[str], None] = lambda _: None) -> Checked:
    """Restore a backup into this installation's database and data directory; Refused, with nothing changed,
    unless every check passes."""
    checked = check_backup(folder, passphrase, say)
    manifest = checked.manifest
    kind = _database_kind()
    if manifest["database"] != kind:
        raise Refused(_("备份的数据库为 %(theirs)s，本机配置的是 %(ours)s：不能跨数据库类型恢复")
                      % {"theirs": manifest["database"], "ours": kind})
    unknown = _unknown_migrations(manifest.get("migrations", {}))
    if unknown:
        raise Refused(_("备份来自较新的版本（本程序没有迁移 %(m)s）：请先升级程序再恢复") % {"m": "、".join(unknown[:3])})
    conflicts = _target_conflicts(checked.keys)
    if conflicts:
        raise Refused("；".join(conflicts) + _("。未做任何改动"))
    skipped = _not_state()
    held = _target_contents(skipped)
    if held and not force:
        raise Refused(_("目标不是空的：%(held)s。恢复只写入新建的数据库和数据目录；确需覆盖请加 --force")
                      % {"held": "；".join(held)})
    say(_("核对完毕，开始恢复数据库……"))
    _restore_database(kind, checked.folder / DUMP[kind], force)
    here = {area: folder.resolve() for area, folder in _areas().items()}
    count = 0
    for entry in manifest["files"]:
        parts = PurePosixPath(entry["path"]).parts
        if parts[0] != FILES or parts[1] not in here:
            continue
        target = here[parts[1]].joinpath(*parts[2:])
        sha, _size = _copy(checked.folder / entry["path"], target)
        if sha != entry["sha256"]:  # changed since it was checked a moment ago
            raise Refused(incomplete_during_restore(entry["path"]))
        count += 1
    say(_("已恢复 %(n)d 个文件") % {"n": count})
    _restore_keys(checked.keys, say)
    _rewrite_paths(manifest.get("source", {}), say)
    connections["default"].close()
    return checked


def incomplete_during_restore(name: str) -> str:
    return _("恢复中止：文件 %(file)s 在核对后被改动") % {"file": name}


def describe(made: Made) -> str:
    return _("备份已写入 %(dir)s：%(files)d 个文件，共 %(size).1f MB，用时 %(seconds).1f 秒") % {
        "dir": made.folder, "files": made.files, "size": made.bytes / 1048576, "seconds": made.seconds}


def created_at(manifest: dict[str, Any]) -> str:
    at = dt.datetime.fromisoformat(manifest["created_at"])
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M:%S}"

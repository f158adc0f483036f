"""Import profiles and the upload preview: services shared by the pages, the API and the admin.

An upload on the web page is first staged in TEMP_DIR/imports under an unguessable token and
previewed (the first rows as they will be stored); the clerk's 确认导入 imports that same file. A
staged file belongs to the user who sent it, is deleted by the import, and left there it goes with
the hour-old temporary files sweep_imports removes.
"""

import codecs
import datetime as dt
import itertools
import json
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from cleanrecord import conf
from cleanrecord.accounts.models import departments_for, is_office
from cleanrecord.audit.services import record_event
from cleanrecord.lib.refusals import Refused
from cleanrecord.reference.models import Department

from .importing.layouts import LAYOUTS, header_key, is_export_column
from .importing.profiles import ProfiledParser, ProfileError, row_parser
from .importing.readers import UnreadableFile, sniff_format
from .importing.rows import Issue, MappingError
from .importing.sandbox import HeaderTest, open_table_isolated
from .models import ImportBatch, ImportProfile, SubjectCategory
from .services import KIND_LABELS, MIN_RECOGNISED, UploadTooLarge, _context, limits, queue_import, temp_dir

PREVIEW_ROWS = 20
UNUSED = gettext_noop("未使用")  # translated where shown
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{40,64}$")
# Head of a CSV file decoded to tell its encoding in the preview: the import itself checks every byte.
ENCODING_SAMPLE = 1024 * 1024
ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": gettext_noop("UTF-8（带 BOM）"), "utf-16": "UTF-16",
                   "gb18030": "GB18030（GBK）"}  # translated where shown


# -- choosing and managing profiles --------------------------------------------------------------

def chosen_profile(*, department: Department | None, kind: str, name: str | None) -> ImportProfile | None:
    """The department's profile named `name` (None for no name), fit for files of `kind`."""
    name = (name or "").strip()
    if not name:
        return None
    if department is None:
        raise Refused(gettext("使用导入方案时须指定报送部门（导入方案按部门保存）"), field="profile")
    profile = ImportProfile.objects.filter(department=department, name=name[:100]).first()
    if profile is None:
        raise Refused(gettext("%(department_name)s没有名为“%(name_100)s”的导入方案")
                      % {"department_name": department.name, "name_100": name[:100]}, field="profile")
    if profile.kind != kind:
        raise Refused(gettext("导入方案“%(profile_name)s”用于%(KIND_LABELS_profile_kind)s，不能用于%(KIND_LABELS_get_kind_kind)s")
                      % {"profile_name": profile.name, "KIND_LABELS_profile_kind": KIND_LABELS[profile.kind], "KIND_LABELS_get_kind_kind": KIND_LABELS.get(kind, kind)}, field="profile")
    return profile


def profiles_for(user):
    """The profiles a user may see and use: the office all, a clerk their departments'."""
    qs = ImportProfile.objects.select_related("department", "updated_by")
    return qs if is_office(user) else qs.filter(department__in=departments_for(user))


def profile_for(user, profile_id: int) -> ImportProfile | None:
    return profiles_for(user).filter(pk=profile_id).first()


def _snapshot(profile: ImportProfile) -> dict:
    return {"department": profile.department.code, "kind": profile.kind, "name": profile.name, "spec": profile.spec}


def save_profile(*, user, profile: ImportProfile, department: Department, kind: str, name: str, spec: dict,
                 actor: str = "") -> ImportProfile:
    """Create or change a profile, audited; Refused says why it is not saved."""
    if department not in departments_for(user):
        raise Refused(gettext("无权为该部门保存导入方案"))
    stored = ImportProfile.objects.select_related("department").filter(pk=profile.pk).first() if profile.pk else None
    before = _snapshot(stored) if stored is not None else None
    clash = ImportProfile.objects.filter(department=department, name=name).exclude(pk=profile.pk)
    if clash.exists():
        raise Refused(gettext("%(department_name)s已有名为“%(name)s”的导入方案")
                      % {"department_name": department.name, "name": name})
    profile.department, profile.kind, profile.name, profile.spec = department, kind, name, spec
    profile.updated_by = user if user is not None and user.is_authenticated else None
    try:
        with transaction.atomic():
            profile.save()
            record_event(user=user, action="records.profile_update" if before else "records.profile_create",
                         target=f"import_profile:{profile.pk}", before=before, after=_snapshot(profile), actor=actor)
    except ProfileError as e:
        raise Refused(str(e)) from e
    return profile


def delete_profile(*, user, profile: ImportProfile) -> None:
    with transaction.atomic():
        before = _snapshot(profile)
        pk = profile.pk
        profile.delete()
        record_event(user=user, action="records.profile_delete", target=f"import_profile:{pk}", before=before)


# -- staging an upload for the preview ---------------------------------------------------------------

@dataclass
class Staged:
    token: str
    path: Path
    user_id: int
    kind: str
    department: str | None
    profile_id: int | None
    dry_run: bool
    file_name: str


def _meta_path(token: str) -> Path:
    return temp_dir("imports") / f"preview-{token}.json"


def stage_upload(*, user, upload, kind: str, department: Department | None, profile: ImportProfile | None,
                 dry_run: bool) -> Staged:
    """Keep an upload for its preview and later import; returns what the token stands for."""
    size_limit = conf.get("IMPORT_MAX_BYTES")
    if upload.size > size_limit:
        raise UploadTooLarge(gettext("文件过大：%(size)s MB，上限 %(limit)s MB") % {"size": f"{upload.size / 1048576:.1f}",
                                                                           "limit": size_limit // 1048576}, field="file")
    token = secrets.token_urlsafe(32)
    name = Path(upload.name or "upload").name[:200]
    path = temp_dir("imports") / f"preview-{token}{Path(name).suffix[:10]}"
    if hasattr(upload, "temporary_file_path"):  # already on disk (TEMP_DIR/uploads): moved, not copied
        shutil.move(upload.temporary_file_path(), path)
        upload.close()
    else:
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
        Path(tmp.name).replace(path)
    path.chmod(0o600)
    staged = Staged(token, path, user.pk, kind, department.code if department else None,
                    profile.pk if profile else None, dry_run, name)
    meta = {k: v for k, v in staged.__dict__.items() if k not in ("token", "path")} | {"path": path.name}
    _meta_path(token).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    _meta_path(token).chmod(0o600)
    return staged


def staged_upload(*, user, token: str) -> Staged | None:
    """The upload `token` names, if this user staged it and it is still there."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    try:
        meta = json.loads(_meta_path(token).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    path = temp_dir("imports") / Path(meta["path"]).name
    if meta.get("user_id") != user.pk or not path.is_file():
        return None
    return Staged(token, path, meta["user_id"], meta["kind"], meta["department"], meta["profile_id"],
                  meta["dry_run"], meta["file_name"])


def discard_staged(staged: Staged) -> None:
    staged.path.unlink(missing_ok=True)
    _meta_path(staged.token).unlink(missing_ok=True)


def import_staged(*, user, staged: Staged, department: Department | None, profile: ImportProfile | None) -> ImportBatch:
    """Queue the staged file the preview showed for the worker to import (its batch shows the progress)."""
    try:
        batch = queue_import(path=staged.path, user=user, kind=staged.kind, department=department, mapping=None,
                             dry_run=staged.dry_run, channel=ImportBatch.Channel.WEB, file_name=staged.file_name,
                             profile=profile)
    finally:
        discard_staged(staged)
    return batch


# -- the preview -------------------------------------------------------------------------------------

@dataclass
class Column:
    header: str
    bound: str  # the standard column's name, or UNUSED
    note: str = ""


@dataclass
class PreviewRow:
    row: int
    values: list[str]
    issues: list[Issue]

    @property
    def rejected(self) -> bool:
        return any(i.level == "error" for i in self.issues)


@dataclass
class Preview:
    file_format: str = ""
    encoding: str = ""
    header_row: int = 0
    columns: list[Column] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    field_labels: list[str] = field(default_factory=list)
    rows: list[PreviewRow] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    more_rows: bool = False
    error: str = ""

    @property
    def encoding_label(self) -> str:
        return gettext(ENCODING_LABELS.get(self.encoding, self.encoding)) if self.file_format == "csv" else gettext("—（表格文件）")


def _head_encoding(path: Path) -> str:
    """A CSV file's encoding told from its head only: the preview reads no more than it shows."""
    with path.open("rb") as f:
        head = f.read(ENCODING_SAMPLE)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)("strict").decode(head, final=len(head) < ENCODING_SAMPLE)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnreadableFile(gettext("无法识别文件编码：请使用 UTF-8 或 GB18030（GBK）编码的 CSV 文件"))


_CATEGORY_LABELS = dict(SubjectCategory.choices)
# Shown for every record, filled from the row or its context even when no column holds them.
_DERIVED = ("subject_category", "authority_name", "authority_code", "domain_id")
_DERIVED_LABELS = {"domain_id": gettext_noop("领域")}  # translated where shown


def _shown(name: str, parsed: dict) -> str:
    if name in ("subject_id", "legal_rep_id"):
        return parsed.get(f"{name}_masked", "")
    value = parsed.get(name)
    if value is None or value == "":
        return ""
    if name == "subject_category":
        return str(_CATEGORY_LABELS.get(value, value))
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def preview_file(*, path: Path, kind: str, department: Department | None, profile: ImportProfile | None,
                 rows: int = PREVIEW_ROWS) -> Preview:
    """What the import of `path` would do with its first `rows` rows; nothing is written.

    Only the head of the file is read (the reading process is stopped after the rows shown), under
    the import's limits.
    """
    preview = Preview()
    table = None
    try:
        spec = profile.parsed_spec() if profile is not None else None
        mapped = frozenset(header_key(k) for k in (spec.rename if spec else {}))
        encoding = _head_encoding(path) if sniff_format(path) == "csv" else None
        table = open_table_isolated(path, HeaderTest(kind, mapped, MIN_RECOGNISED), encoding, limits=limits(),
                                    memory_mb=conf.get("IMPORT_MEMORY_LIMIT_MB"))
        preview.file_format, preview.encoding, preview.header_row = table.file_format, table.encoding, table.header_row
        parser = row_parser(kind, table.header, _context(department), None, spec)
        _bind_columns(preview, kind, table.header, parser)
        head = list(itertools.islice(table.rows, rows + 1))
        preview.more_rows = len(head) > rows
        for row_no, cells in head[:rows]:
            parsed, issues = parser.parse(row_no, cells)
            shown = [_shown(name, parsed.values) for name in preview.fields] if parsed is not None else []
            preview.rows.append(PreviewRow(row_no, shown, issues))
    except (UnreadableFile, MappingError) as e:
        preview.error = str(e)
    finally:
        if table is not None:
            table.close()
    return preview


def _bind_columns(preview: Preview, kind: str, header: list, parser) -> None:
    layout = {f.name: f for f in LAYOUTS[kind]}
    applied = parser.applied if isinstance(parser, ProfiledParser) else None
    by_index = {b.index: b for b in parser.bindings}
    renamed = {header_key(k) for k in (applied.mapping if applied else {})}
    for i, h in enumerate(header):
        h = str(h or "").strip()
        if not h:
            continue
        b = by_index.get(i)
        if applied is not None and h in applied.ignored:
            preview.columns.append(Column(h, gettext(UNUSED), gettext("方案忽略")))
        elif b is not None:
            notes = [gettext("方案改名")] if header_key(h) in renamed else []
            if applied is not None and b.field.name in applied.spec.constants:
                notes.append(gettext("空白处由方案填入=%(value)s") % {"value": applied.spec.constants[b.field.name]})
            if applied is not None and b.field.name in applied.spec.translate:
                notes.append(gettext("取值由方案转换"))
            if applied is not None and b.field.name in applied.spec.split:
                notes.append(gettext("多值由方案拆分"))
            preview.columns.append(Column(h, b.field.label, "；".join(notes)))
        else:
            preview.columns.append(Column(h, gettext(UNUSED), gettext("导出序号，不导入") if is_export_column(h) else ""))
            if not is_export_column(h):
                preview.unused.append(h)
    names = list(dict.fromkeys(b.field.name for b in parser.bindings))
    if applied is not None:
        for b in parser.bindings:
            if b.index >= len(header):
                preview.columns.append(Column(gettext("（方案固定值）%(column)s") % {"column": b.header}, b.field.label,
                                              f"={applied.spec.constants[b.field.name]}"))
    if kind != "register":
        names += [n for n in _DERIVED if n not in names]
    preview.fields = names
    preview.field_labels = [gettext(_DERIVED_LABELS[n]) if n in _DERIVED_LABELS else layout[n].label if n in layout else n
                             for n in names]

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from cleanrecord.records.importing.rows import MappingError
from cleanrecord.records.models import ImportProfile
from cleanrecord.records.services import KIND_LABELS, KINDS, import_file, load_mapping
from cleanrecord.reference.models import Department


class Command(BaseCommand):
    help = (
        "Import a department file of penalties, licences, listings, compulsions, judgments or register entries. "
        "Exit status: 0 all rows accepted, 1 some rows rejected, 2 the file could not be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument("--department", help="department code or credit code; default: from 数据来源单位 per row")
        parser.add_argument("--mapping", type=Path, help="JSON file mapping this file's headers to standard ones")
        parser.add_argument("--profile", help="name of an import profile of --department (rename, constants, translations)")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, file: Path, kind: str, department: str | None, mapping: Path | None, dry_run: bool,
               profile: str | None = None, **opts):
        if not file.is_file():
            raise CommandError(gettext("文件不存在：%(file)s") % {"file": file}, returncode=2)
        dept = None
        if department:
            dept = Department.lookup(department)
            if dept is None:
                raise CommandError(gettext("未找到报送部门：%(department)s") % {"department": department}, returncode=2)
        chosen = None
        if profile:
            if dept is None:
                raise CommandError(gettext("使用 --profile 时须用 --department 指定报送部门（导入方案按部门保存）"), returncode=2)
            chosen = ImportProfile.objects.filter(department=dept, name=profile).first()
            if chosen is None:
                raise CommandError(gettext("%(department)s没有名为“%(profile)s”的导入方案") % {"department": dept.name, "profile": profile},
                                   returncode=2)
            if chosen.kind != kind:
                raise CommandError(gettext("导入方案“%(profile)s”用于%(its_kind)s，不能用于%(kind)s")
                                   % {"profile": profile, "its_kind": KIND_LABELS[chosen.kind], "kind": KIND_LABELS[kind]},
                                   returncode=2)
        try:
            mapping_dict = load_mapping(mapping) if mapping else None
        except MappingError as e:
            raise CommandError(str(e), returncode=2) from e
        result = import_file(path=file, kind=kind, department=dept, mapping=mapping_dict, dry_run=dry_run,
                             profile=chosen)
        b = result.batch
        w = self.stdout.write
        if b.status == b.Status.FAILED:
            self.stderr.write(gettext("导入失败：%(b_message)s") % {"b_message": b.message})
            sys.exit(2)
        for issue in result.issues():  # every one, streamed from the error file
            told = {"row": issue.row, "column": issue.column, "reason": issue.reason, "value": issue.value,
                    "level": gettext("拒收") if issue.level == "error" else gettext("提示")}
            w(gettext("第 %(row)s 行 [%(column)s] %(level)s：%(reason)s（值：%(value)s）") % told if issue.value
              else gettext("第 %(row)s 行 [%(column)s] %(level)s：%(reason)s") % told)
        counts = {"kind": KIND_LABELS[kind], "batch": b.pk, "read": b.rows_read, "created": b.rows_created,
                  "updated": b.rows_updated, "unchanged": b.rows_unchanged, "duplicate": b.rows_duplicate,
                  "rejected": b.rows_rejected, "warned": b.rows_warned}
        if dry_run:
            w(gettext("试运行（未写入）：%(kind)s 批次 #%(batch)s，读取 %(read)s 行，新增 %(created)s，更新 %(updated)s，"
                      "未变化 %(unchanged)s，文件内重复 %(duplicate)s，拒收 %(rejected)s，有提示 %(warned)s") % counts)
        else:
            w(gettext("导入完成：%(kind)s 批次 #%(batch)s，读取 %(read)s 行，新增 %(created)s，更新 %(updated)s，"
                      "未变化 %(unchanged)s，文件内重复 %(duplicate)s，拒收 %(rejected)s，有提示 %(warned)s") % counts)
        if b.error_file:
            w(gettext("错误文件：%(path)s") % {"path": b.error_file})
        if b.profile_note:
            w(gettext("导入方案“%(profile)s”：%(note)s") % {"profile": b.profile_name, "note": b.profile_note})
        if b.message:
            w(b.message)
        sys.exit(result.exit_code)

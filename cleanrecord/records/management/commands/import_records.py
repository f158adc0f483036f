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
            raise CommandError(f"文件不存在：{file}", returncode=2)
        dept = None
        if department:
            dept = Department.lookup(department)
            if dept is None:
                raise CommandError(f"未找到报送部门：{department}", returncode=2)
        chosen = None
        if profile:
            if dept is None:
                raise CommandError(gettext("使用 --profile 时须用 --department 指定报送部门（导入方案按部门保存）"), returncode=2)
            chosen = ImportProfile.objects.filter(department=dept, name=profile).first()
            if chosen is None:
                raise CommandError(f"{dept.name}没有名为“{profile}”的导入方案", returncode=2)
            if chosen.kind != kind:
                raise CommandError(f"导入方案“{profile}”用于{KIND_LABELS[chosen.kind]}，不能用于{KIND_LABELS[kind]}",
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
            level = "拒收" if issue.level == "error" else "提示"
            w(f"第 {issue.row} 行 [{issue.column}] {level}：{issue.reason}" + (f"（值：{issue.value}）" if issue.value else ""))
        w(
            f"{'试运行（未写入）' if dry_run else '导入完成'}：{KIND_LABELS[kind]} 批次 #{b.pk}，读取 {b.rows_read} 行，"
            f"新增 {b.rows_created}，更新 {b.rows_updated}，未变化 {b.rows_unchanged}，文件内重复 {b.rows_duplicate}，"
            f"拒收 {b.rows_rejected}，有提示 {b.rows_warned}"
        )
        if b.error_file:
            w(f"错误文件：{b.error_file}")
        if b.profile_note:
            w(f"导入方案“{b.profile_name}”：{b.profile_note}")
        if b.message:
            w(b.message)
        sys.exit(result.exit_code)

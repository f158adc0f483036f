from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext

from cleanrecord.demo.accounts import create_demo_accounts
from cleanrecord.demo.generate import Reference, write_demo_files
from cleanrecord.demo.matters import create_demo_matters
from cleanrecord.entities.models import Entity
from cleanrecord.freshness.models import SourceStatus
from cleanrecord.freshness.services import confirm_nothing_new
from cleanrecord.records.models import ImportBatch
from cleanrecord.records.services import KIND_LABELS, import_file
from cleanrecord.reference.models import Department


class Command(BaseCommand):
    help = (
        "Make a deterministic demo data set of the region (register, penalties, licences, listings, compulsions, "
        "judgments), write it as "
        "import files in the national layout and import them the way a department would."
    )

    def add_arguments(self, parser):
        parser.add_argument("--entities", type=int, default=200, help="number of entities (default 200)")
        parser.add_argument("--seed", type=int, default=1, help="same seed and day, same data (default 1)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the register has any entity")
        parser.add_argument("--export-dir", type=Path, default=None,
                            help="where the import files are written and kept (default DATA_DIR/demo)")

    def handle(self, *args, entities: int, seed: int, if_empty: bool, export_dir: Path | None, **options):
        if entities < 1:
            raise CommandError(gettext("--entities 应为正整数"))
        if if_empty and Entity.objects.exists():
            self.stdout.write(gettext("已有经营主体数据，未生成演示数据。"))
            return
        if not Department.objects.exists():
            raise CommandError(gettext("尚未加载参考数据：请先运行 python manage.py load_reference"))
        folder = export_dir or Path(settings.DATA_DIR) / "demo"
        files = write_demo_files(folder, entities=entities, seed=seed, reference=Reference.from_db(),
                                 today=timezone.localdate())
        accepted: dict[str, int] = {}
        # The register first, so that records find their entities already registered.
        for kind, path in files.paths.items():
            result = import_file(path=path, kind=kind, channel=ImportBatch.Channel.CLI)
            b = result.batch
            if b.status != ImportBatch.Status.DONE or b.rows_rejected or b.rows_read != files.rows[kind]:
                # Every generated row should pass: a refusal is a bug in the generator (or the importer).
                issues = "；".join(gettext("第 %(row)s 行 [%(column)s] %(reason)s")
                                  % {"row": i.row, "column": i.column, "reason": i.reason}
                                  for i in islice(result.issues(), 5))
                raise CommandError(gettext(
                    "演示数据未能全部导入：%(kind)s（%(path)s），批次 #%(batch)s，生成 %(made)s 行，读取 %(read)s 行，"
                    "拒收 %(rejected)s 行。%(issues)s") % {
                    "kind": KIND_LABELS[kind], "path": path, "batch": b.pk, "made": files.rows[kind],
                    "read": b.rows_read, "rejected": b.rows_rejected, "issues": issues or b.message})
            accepted[kind] = b.rows_read - b.rows_rejected
        self.stdout.write(gettext(
            "演示数据已导入：经营主体 %(register)s 户，行政处罚 %(penalty)s 条，行政许可 %(licence)s 条，"
            "严重失信主体名单 %(listing)s 条，行政强制 %(compulsion)s 条，刑事判决 %(judgment)s 条"
            "（种子 %(seed)s；导入文件保存在 %(folder)s）") % {**accepted, "seed": seed, "folder": folder})
        confirmed = confirm_quiet_departments(timezone.localdate())
        if confirmed:
            self.stdout.write(gettext("%(n)s 个未报送演示数据的部门已确认“本期无新增数据”") % {"n": confirmed})
        matters = create_demo_matters()
        if matters:
            self.stdout.write(gettext("应替尽替事项清单：%(n)s 个演示事项") % {"n": matters})
        accounts = create_demo_accounts(folder)
        self.stdout.write(gettext("演示账号（登录 http://127.0.0.1:8000/accounts/login/，密码仅显示这一次，另存于 "
                                  "%(file)s）：") % {"file": folder / "demo-accounts.txt"})
        for username, role, password in accounts:
            self.stdout.write(f"  {username:<14} {password:<14} {role}")



# The note a quiet department's confirmation keeps in the database (demo data).
QUIET_NOTE = "演示数据：本期无新增"


def confirm_quiet_departments(today) -> int:
    """Departments that sent no demo file confirm 无新增数据 as of today, as a working city's would, so that
    demo reports do not flag them as silent sources. Returns how many confirmed."""
    sent = set(SourceStatus.objects.exclude(last_import_on=None).values_list("department_id", flat=True))
    quiet = Department.objects.filter(is_active=True).exclude(pk__in=sent).order_by("code")
    for department in quiet:
        confirm_nothing_new(user=None, department=department, as_of=today, note=QUIET_NOTE)
    return len(quiet)

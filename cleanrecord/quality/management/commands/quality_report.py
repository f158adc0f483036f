import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from cleanrecord.quality.exports import write_xlsx
from cleanrecord.quality.services import recompute_all, recompute_for_department, summary
from cleanrecord.reference.models import Department


class Command(BaseCommand):
    help = (
        "Recompute the data quality measures (all departments, or one) and write them per department, "
        "with the departments below a threshold and what they should fix: JSON to standard output or a file, "
        "or an XLSX workbook. For scheduled (nightly) runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--department", help="department code or credit code; default: every department")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--out", type=Path, help="file to write; JSON goes to standard output without it")
        parser.add_argument("--no-recompute", action="store_true", help="report the stored scores as they are")

    def handle(self, *args, department: str | None, format: str, out: Path | None, no_recompute: bool, **opts):
        dept = None
        if department:
            dept = Department.lookup(department)
            if dept is None:
                raise CommandError(gettext("未找到部门：%(department)s") % {"department": department})
        if format == "xlsx" and out is None:
            raise CommandError(gettext("XLSX 格式须用 --out 指定输出文件"))
        if not no_recompute:
            started = time.perf_counter()
            scores = recompute_for_department(department=dept) if dept else recompute_all()
            self.stderr.write(gettext("已重新计算 %(len_scores)s 项数据质量指标，用时 %(seconds).1f 秒")
                              % {"len_scores": len(scores), "seconds": time.perf_counter() - started})
        data = summary(department=dept)
        if format == "xlsx":
            assert out is not None  # refused above
            write_xlsx(data, out)
        else:
            text = json.dumps(data, ensure_ascii=False, indent=2)
            if out is None:
                self.stdout.write(text)
            else:
                out.write_text(text + "\n", encoding="utf-8")
        if out is not None:
            self.stderr.write(gettext("已写入 %(out)s") % {"out": out})

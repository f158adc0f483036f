import datetime as dt
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from cleanrecord.lib.refusals import Refused
from cleanrecord.reports.models import Purpose, ReportLanguage
from cleanrecord.reports.services import issue_report


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "Issue a signed dedicated credit report for an entity and write the PDF."

    def add_arguments(self, parser):
        parser.add_argument("credit_code")
        parser.add_argument("--domains", default="all", help="all, or domain codes separated by commas")
        parser.add_argument("--from", dest="start", type=_date, help="period start, YYYY-MM-DD (default: 3 years back)")
        parser.add_argument("--to", dest="end", type=_date, help="period end, YYYY-MM-DD (default: today)")
        parser.add_argument("--purpose", default=Purpose.OTHER, choices=Purpose.values)
        parser.add_argument("--purpose-text", default="")
        parser.add_argument("--language", default=ReportLanguage.CHINESE, choices=ReportLanguage.values,
                            help="the report's language: zh-hans (default) or en")
        parser.add_argument("--out", type=Path, help="where to write the signed PDF")

    def handle(self, *args, credit_code, domains, start, end, purpose, purpose_text, language, out, **options):
        chosen = "all" if domains.strip() == "all" else [d for d in domains.split(",") if d.strip()]
        try:
            report = issue_report(credit_code=credit_code, domains=chosen, start=start, end=end, purpose=purpose,
                                  purpose_text=purpose_text, language=language, channel="cli")
        except Refused as e:
            raise CommandError(f"不能出具报告：{e}") from e
        if out:
            shutil.copyfile(report.pdf_path, out)
        s = report.snapshot
        self.stdout.write(
            f"已出具专用信用报告 {report.number}，核验码 {s['verification_code_display']}，"
            f"{len(report.domains)} 个领域，发现记录 {report.records_found} 条，{report.pdf_size // 1024} KB"
            + (f"，已写入 {out}" if out else f"（{report.pdf_path}）")
        )
        self.stdout.write(gettext("核验地址：%(s_verify_url)s") % {"s_verify_url": s['verify_url']})

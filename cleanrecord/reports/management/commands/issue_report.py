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
        raise CommandError(gettext("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": value}) from None


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
            raise CommandError(gettext("不能出具报告：%(reason)s") % {"reason": e}) from e
        if out:
            shutil.copyfile(report.pdf_path, out)
        s = report.snapshot
        facts = {"number": report.number, "code": s["verification_code_display"], "domains": len(report.domains),
                 "found": report.records_found, "kb": report.pdf_size // 1024}
        if out:
            self.stdout.write(gettext("已出具专用信用报告 %(number)s，核验码 %(code)s，%(domains)s 个领域，发现记录 "
                                      "%(found)s 条，%(kb)s KB，已写入 %(out)s") % {**facts, "out": out})
        else:
            self.stdout.write(gettext("已出具专用信用报告 %(number)s，核验码 %(code)s，%(domains)s 个领域，发现记录 "
                                      "%(found)s 条，%(kb)s KB（%(path)s）") % {**facts, "path": report.pdf_path})
        self.stdout.write(gettext("核验地址：%(s_verify_url)s") % {"s_verify_url": s['verify_url']})

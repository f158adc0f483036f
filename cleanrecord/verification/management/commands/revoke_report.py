from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from cleanrecord.lib.refusals import Refused
from cleanrecord.reports.models import Report
from cleanrecord.reports.services import revoke_report


class Command(BaseCommand):
    help = "Revoke an issued report (the credit office); its verification page then says it is revoked, and why."

    def add_arguments(self, parser):
        parser.add_argument("number")
        parser.add_argument("--reason", required=True)

    def handle(self, *args, number: str, reason: str, **options):
        report = Report.objects.filter(number=number.strip()).first()
        if report is None:
            raise CommandError(gettext("未找到报告：%(number)s") % {"number": number})
        try:
            revoke_report(report, reason=reason)
        except Refused as e:
            raise CommandError(str(e)) from e
        self.stdout.write(gettext("报告 %(report_number)s 已撤销：%(report_revoke_reason)s")
                          % {"report_number": report.number, "report_revoke_reason": report.revoke_reason})

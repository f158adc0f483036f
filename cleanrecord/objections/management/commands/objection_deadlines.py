from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from cleanrecord.objections.workflow import notify_overdue
from cleanrecord.workdays.services import calendar_warning


class Command(BaseCommand):
    help = "Tell the office and departments of objections and explanation requests that are past their deadline (nightly)."

    def handle(self, *args, **options):
        warning = calendar_warning()
        if warning:
            self.stderr.write(warning)
        told = notify_overdue()
        self.stdout.write(gettext("逾期提醒：%(told)s 件") % {"told": told})

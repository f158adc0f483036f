from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cleanrecord.acceptance.services import notify_overdue


class Command(BaseCommand):
    help = "Tell the office of refusal feedback past its deadline (nightly)."

    def handle(self, *args, **options):
        told = notify_overdue()
        self.stdout.write(_("逾期提醒：%(told)s 件") % {"told": told})

from django.core.management.base import BaseCommand

from cleanrecord.acceptance.services import notify_overdue


class Command(BaseCommand):
    help = "Tell the office of refusal feedback past its deadline (nightly)."

    def handle(self, *args, **options):
        told = notify_overdue()
        self.stdout.write(f"逾期提醒：{told} 件")

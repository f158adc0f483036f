import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from cleanrecord.audit import checkpoints


class Command(BaseCommand):
    help = ("Sign the audit chain's head (newest entry, count, hash) with the platform key and write it to the "
            "checkpoint directory. Run nightly; verify_audit then catches removed newest entries and truncation.")

    def handle(self, *args, **options):
        try:
            point = checkpoints.take()
        except checkpoints.CheckpointRefused as exc:
            self.stderr.write(gettext("审计检查点未写入：%(exc)s") % {"exc": exc})
            sys.exit(1)
        self.stdout.write(gettext("审计检查点已写入 %(path)s：共 %(point_count)s 条，最后一条 #%(point_entry_id)s，摘要 %(point_hash)s")
                          % {"path": checkpoints.directory() / point.name, "point_count": point.count, "point_entry_id": point.entry_id, "point_hash": point.hash})

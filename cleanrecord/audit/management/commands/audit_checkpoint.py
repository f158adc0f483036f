import sys

from django.core.management.base import BaseCommand

from cleanrecord.audit import checkpoints


class Command(BaseCommand):
    help = ("Sign the audit chain's head (newest entry, count, hash) with the platform key and write it to the "
            "checkpoint directory. Run nightly; verify_audit then catches removed newest entries and truncation.")

    def handle(self, *args, **options):
        try:
            point = checkpoints.take()
        except checkpoints.CheckpointRefused as exc:
            self.stderr.write(f"审计检查点未写入：{exc}")
            sys.exit(1)
        self.stdout.write(f"审计检查点已写入 {checkpoints.directory() / point.name}：共 {point.count} 条，"
                          f"最后一条 #{point.entry_id}，摘要 {point.hash}")

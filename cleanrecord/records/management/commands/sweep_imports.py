from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from cleanrecord.records.services import sweep_imports


class Command(BaseCommand):
    help = (
        "Mark imports left running by a process that died as interrupted, drop their staging tables and "
        "delete stale temporary upload copies. Run nightly; safe while imports run."
    )

    def handle(self, *args, **options):
        result = sweep_imports()
        for batch_id in result.interrupted:
            self.stdout.write(gettext("导入批次 #%(batch_id)s 已中断：已标记，该批次的数据均未写入") % {"batch_id": batch_id})
        self.stdout.write(gettext("清理完成：中断的导入批次 %(interrupted)s 个，删除临时上传文件 %(removed)s 个")
                          % {"interrupted": len(result.interrupted), "removed": result.files_removed})

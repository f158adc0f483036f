from django.core.management.base import BaseCommand

from cleanrecord.records.services import sweep_imports


class Command(BaseCommand):
    help = (
        "Mark imports left running by a process that died as interrupted, drop their staging tables and "
        "delete stale temporary upload copies. Run nightly; safe while imports run."
    )

    def handle(self, *args, **options):
        result = sweep_imports()
        for batch_id in result.interrupted:
            self.stdout.write(f"导入批次 #{batch_id} 已中断：已标记，该批次的数据均未写入")
        self.stdout.write(f"清理完成：中断的导入批次 {len(result.interrupted)} 个，删除临时上传文件 {result.files_removed} 个")

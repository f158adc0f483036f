from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cleanrecord import conf


class BackupConfig(AppConfig):
    name = "cleanrecord.backup"
    verbose_name = _("备份与恢复")

    def ready(self) -> None:
        # Imported once the app registry is ready: the schedule keeps its runs in a model.
        from cleanrecord.jobs import schedule

        # Nightly into CLEANRECORD_BACKUP_DIR when one is configured (the office's jobs page shows 已停用 otherwise).
        schedule.register("backup", _("数据库、文件与密钥备份"), "04:00" if conf.get("BACKUP_DIR") else "off", "backup",
                          ["--scheduled"])

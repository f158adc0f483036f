from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "cleanrecord.records"
    verbose_name = "信用记录"

    def ready(self) -> None:
        # Imported once the app registry is ready: the schedule keeps its runs in a model.
        from cleanrecord.jobs import schedule

        schedule.register("import_sweep", _("清理中断的导入和临时文件"), "03:15", "sweep_imports")

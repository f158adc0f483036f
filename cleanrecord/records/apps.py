from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "cleanrecord.records"
    verbose_name = _("信用记录")

    def ready(self) -> None:
        # Imported once the app registry is ready: the schedule keeps its runs in a model.
        from cleanrecord.jobs import schedule

        schedule.register("import_sweep", _("清理中断的导入和临时文件"), "03:15", "sweep_imports")

        # Imported once the app registry is ready: the versions are a model.
        from django.db.models.signals import post_delete, post_save

        from .models import RECORD_MODELS
        from .versions import bump_saved

        for model in RECORD_MODELS.values():  # revoke, correct, repair (records.changes), the admin
            post_save.connect(bump_saved, sender=model, dispatch_uid=f"subject_version_{model.KIND}")
            post_delete.connect(bump_saved, sender=model, dispatch_uid=f"subject_version_{model.KIND}_deleted")

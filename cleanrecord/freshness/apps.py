from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FreshnessConfig(AppConfig):
    name = "cleanrecord.freshness"
    verbose_name = _("数据时效")

    def ready(self) -> None:
        # Imported once the app registry is ready: services imports models (Django's AppConfig rule).
        from cleanrecord.records.signals import import_finished

        from .services import note_import

        import_finished.connect(note_import, dispatch_uid="freshness.note_import")

from django.apps import AppConfig


class FreshnessConfig(AppConfig):
    name = "cleanrecord.freshness"
    verbose_name = "数据时效"

    def ready(self) -> None:
        # Imported once the app registry is ready: services imports models (Django's AppConfig rule).
        from cleanrecord.records.signals import import_finished

        from .services import note_import

        import_finished.connect(note_import, dispatch_uid="freshness.note_import")

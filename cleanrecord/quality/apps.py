from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "cleanrecord.quality"
    verbose_name = "数据质量"

    def ready(self) -> None:
        # Connected once the app registry is ready: services imports models (Django's AppConfig rule).
        from cleanrecord.records.signals import import_finished

        from .services import import_applied

        # After freshness's receiver (INSTALLED_APPS order): the order the two ran in before the signal.
        import_finished.connect(import_applied, dispatch_uid="quality.import_applied")

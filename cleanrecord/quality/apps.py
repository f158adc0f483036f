from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def _report_arguments() -> list[str]:
    """The nightly report, as JSON in the data directory (the office's pages show the same scores)."""
    return ["--format", "json", "--out", str(Path(settings.DATA_DIR) / "quality-report.json")]


class QualityConfig(AppConfig):
    name = "cleanrecord.quality"
    verbose_name = _("数据质量")

    def ready(self) -> None:
        # Connected once the app registry is ready: services imports models (Django's AppConfig rule).
        from cleanrecord.records.signals import import_finished

        from .services import import_applied

        # After freshness's receiver (INSTALLED_APPS order): the order the two ran in before the signal.
        import_finished.connect(import_applied, dispatch_uid="quality.import_applied")

        # Imported once the app registry is ready: the schedule keeps its runs in a model.
        from cleanrecord.jobs import schedule

        schedule.register("quality_report", _("数据质量评分重算与报告"), "01:30", "quality_report", _report_arguments)

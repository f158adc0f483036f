from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcceptanceConfig(AppConfig):
    name = "cleanrecord.acceptance"
    verbose_name = _("不认可报告反馈")

    def ready(self) -> None:
        # Imported once the app registry is ready: the schedule keeps its runs in a model.
        from cleanrecord.jobs import schedule

        schedule.register("refusal_deadlines", _("不认可报告反馈逾期提醒"), "07:05", "refusal_deadlines")

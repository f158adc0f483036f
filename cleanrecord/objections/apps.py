from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectionsConfig(AppConfig):
    name = "cleanrecord.objections"
    verbose_name = "异议与情节说明"

    def ready(self) -> None:
        # Imported once the app registry is ready: the schedule keeps its runs in a model.
        from cleanrecord.jobs import schedule

        schedule.register("objection_deadlines", _("异议与情节说明逾期提醒"), "07:00", "objection_deadlines")

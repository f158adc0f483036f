from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectionsConfig(AppConfig):
    name = "cleanrecord.objections"
    verbose_name = _("异议与情节说明")

    def ready(self) -> None:
        # Imported once the app registry is ready: the schedule keeps its runs in a model.
        from cleanrecord.jobs import schedule

        schedule.register("objection_deadlines", _("异议与情节说明逾期提醒"), "07:00", "objection_deadlines")

        # Imported once the app registry is ready: the versions are a model.
        from django.db.models.signals import post_delete, post_save

        from cleanrecord.records.versions import bump_saved

        from .models import Objection, SeverityExplanation

        # An objection opened, answered or closed, an explanation written: verification's answer changes.
        for model in (Objection, SeverityExplanation):
            post_save.connect(bump_saved, sender=model, dispatch_uid=f"subject_version_{model.__name__}")
            post_delete.connect(bump_saved, sender=model, dispatch_uid=f"subject_version_{model.__name__}_deleted")

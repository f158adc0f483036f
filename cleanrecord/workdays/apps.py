from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "cleanrecord.workdays"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        # Imported once the app registry is ready: services imports models (Django's AppConfig rule).
        from cleanrecord.reference.signals import reference_loaded

        from .services import load_with_reference

        reference_loaded.connect(load_with_reference, dispatch_uid="workdays.load_with_reference")

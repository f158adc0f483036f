from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "cleanrecord.verification"
    verbose_name = _("报告核验")

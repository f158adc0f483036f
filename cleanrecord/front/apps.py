from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontConfig(AppConfig):
    name = "cleanrecord.front"
    verbose_name = _("门户")

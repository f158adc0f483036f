from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MattersConfig(AppConfig):
    name = "cleanrecord.matters"
    verbose_name = _("应替尽替事项清单")

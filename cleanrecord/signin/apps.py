from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "cleanrecord.signin"
    verbose_name = _("统一身份认证登录")

from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "cleanrecord.signin"
    verbose_name = "统一身份认证登录"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cleanrecord.accounts"
    verbose_name = "账户与权限"

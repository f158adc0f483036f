from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "cleanrecord.front"
    verbose_name = "门户"

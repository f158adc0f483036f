from django.apps import AppConfig


class ObjectionsConfig(AppConfig):
    name = "cleanrecord.objections"
    verbose_name = "异议与情节说明"

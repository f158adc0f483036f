from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "cleanrecord.records"
    verbose_name = "信用记录"

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cleanrecord.reports"
    verbose_name = "专用信用报告"

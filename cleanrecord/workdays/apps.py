from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "cleanrecord.workdays"
    verbose_name = "工作日历"

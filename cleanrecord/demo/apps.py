from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cleanrecord.demo"
    verbose_name = "演示数据"

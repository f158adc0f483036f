from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "cleanrecord.reference"
    verbose_name = "参考数据"

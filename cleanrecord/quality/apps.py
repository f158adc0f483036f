from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "cleanrecord.quality"
    verbose_name = "数据质量"

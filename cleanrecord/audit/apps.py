from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cleanrecord.audit"
    verbose_name = "审计日志"

from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "cleanrecord.verification"
    verbose_name = "报告核验"

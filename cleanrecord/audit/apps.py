from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cleanrecord.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth

        from . import signals

        auth.user_logged_in.connect(signals.login_succeeded, dispatch_uid="audit.login")
        auth.user_logged_out.connect(signals.logged_out, dispatch_uid="audit.logout")
        auth.user_login_failed.connect(signals.login_failed, dispatch_uid="audit.login_failed")

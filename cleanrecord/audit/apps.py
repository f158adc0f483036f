from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "cleanrecord.audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        # Imported once the app registry is ready: signals records events (a model).
        from django.contrib.auth import signals as auth

        from . import signals

        auth.user_logged_in.connect(signals.login_succeeded, dispatch_uid="audit.login")
        auth.user_logged_out.connect(signals.logged_out, dispatch_uid="audit.logout")
        auth.user_login_failed.connect(signals.login_failed, dispatch_uid="audit.login_failed")

        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, pre_save

        user_model = get_user_model()
        m2m_changed.connect(signals.permissions_changed, sender=user_model.user_permissions.through,
                            dispatch_uid="audit.user_permissions")
        m2m_changed.connect(signals.permissions_changed, sender=user_model.groups.through, dispatch_uid="audit.groups")
        pre_save.connect(signals.user_flags_changed, sender=user_model, dispatch_uid="audit.user_flags")

        # Imported once the app registry is ready: the schedule keeps its runs in a model.
        from cleanrecord.jobs import schedule

        schedule.register("audit_checkpoint", _("审计日志检查点签署"), "02:00", "audit_checkpoint")
        schedule.register("audit_check", _("审计日志完整性核验"), "02:30", "verify_audit")

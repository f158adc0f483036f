from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "cleanrecord.reports"
    verbose_name = _("专用信用报告")

    def ready(self) -> None:
        # Imported once the app registry is ready: audit_signer reads the signing roots (a model).
        from cleanrecord.audit import checkpoints

        from . import rules  # noqa: F401  (connects forget_office_rules to RuleSettings saves)
        from .audit_signer import PlatformSigner

        checkpoints.register_signer(PlatformSigner())

"""Make, rotate and record the report signing keys: the only way a signing key or root comes to be.

    signing_keys init              make the local CA (or adopt the configured key) and record its root
    signing_keys rotate            a new signing certificate under the same root (the local CA's root key)
    signing_keys rotate --new-root a new root (local CA), or adopt the root of a newly configured key
    signing_keys status            the recorded roots and whether the key in use matches

Every root ever recorded stays trusted for checking older reports.
"""

from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from cleanrecord.audit.services import record_event
from cleanrecord.reports import signing
from cleanrecord.reports.models import SigningRoot


class Command(BaseCommand):
    help = "Make, rotate and record the report signing keys"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("init", help="make the local CA, or adopt the configured key, and record its root")
        rotate = sub.add_parser("rotate", help="a new signing certificate under the same root")
        rotate.add_argument("--new-root", action="store_true",
                            help="a new root instead (older reports keep verifying against the old one)")
        sub.add_parser("status", help="the recorded roots and whether the key in use matches")

    def handle(self, *args, action: str, **options):
        self.verbosity = options["verbosity"]
        signing.reset_signer()
        if action == "init":
            self.init()
        elif action == "rotate":
            self.rotate(new_root=options["new_root"])
        else:
            self.status()

    # --- actions ---------------------------------------------------------------------------------

    def init(self) -> None:
        current = SigningRoot.objects.filter(current=True).first()
        folder = signing.local_folder()
        if signing.uses_local_ca() and current is None and signing.create_local_ca(folder):
            self.say(gettext("已创建本地根证书和签名证书：%(folder)s") % {"folder": folder})
        if current is not None:
            certificate, root = self.loaded(hint=gettext(
                "已登记的根证书为 %(fingerprint)s。请从备份恢复签名密钥；如确需更换根证书，运行 "
                "signing_keys rotate --new-root（此前出具的报告仍可核验）。") % {"fingerprint": current.fingerprint})
            if signing.fingerprint(root) != current.fingerprint:
                raise CommandError(gettext(
                    "签名密钥的根证书（%(found)s）与已登记的（%(recorded)s）不一致。请恢复原密钥，或运行 "
                    "signing_keys rotate --new-root 更换根证书。")
                    % {"found": signing.fingerprint(root), "recorded": current.fingerprint})
            self.record(root, certificate, action="signing.init")
            self.say(gettext("签名密钥与已登记的根证书一致：%(fingerprint)s") % {"fingerprint": current.fingerprint})
            return
        certificate, root = self.loaded()
        self.record(root, certificate, action="signing.init")
        self.say(gettext("已登记根证书：%(fingerprint)s") % {"fingerprint": signing.fingerprint(root)})

    def rotate(self, *, new_root: bool) -> None:
        current = SigningRoot.objects.filter(current=True).first()
        local = signing.uses_local_ca()
        folder = signing.local_folder()
        if new_root:
            if local:
                signing.replace_local_ca(folder)
            certificate, root = self.loaded()
            if current is not None and signing.fingerprint(root) == current.fingerprint:
                raise CommandError(gettext("配置的签名密钥仍属原根证书，无需更换根证书；更换签名证书请运行 signing_keys rotate。"))
            self.record(root, certificate, action="signing.rotate_root")
            self.say(gettext("已更换根证书：%(fingerprint)s（原根证书继续用于核验此前出具的报告）")
                     % {"fingerprint": signing.fingerprint(root)})
            return
        if current is None:
            raise CommandError(gettext("尚未登记根证书：请先运行 signing_keys init。"))
        certificate, root = self.loaded(hint=gettext("请从备份恢复签名密钥，或运行 signing_keys rotate --new-root。"))
        if signing.fingerprint(root) != current.fingerprint:
            raise CommandError(gettext("签名密钥的根证书与已登记的不一致：请恢复原密钥，或运行 signing_keys rotate --new-root。"))
        if local:
            try:
                signing.rotate_local_signing(folder)
            except ImproperlyConfigured as exc:
                raise CommandError(gettext("无法签发新的签名证书（根证书私钥不在 %(folder)s？）：%(error)s")
                                   % {"folder": folder, "error": exc}) from exc
            certificate, root = self.loaded()
        self.record(root, certificate, action="signing.rotate")
        self.say(gettext("新的签名证书：%(signing)s，根证书不变：%(root)s")
                 % {"signing": signing.fingerprint(certificate), "root": current.fingerprint})

    def status(self) -> None:
        for row in SigningRoot.objects.order_by("created_at"):
            created = f"{timezone.localtime(row.created_at):%Y-%m-%d %H:%M}"
            if row.current:
                line = gettext("%(fingerprint)s  当前  登记于 %(created)s")
            else:
                line = gettext("%(fingerprint)s  已停用 %(retired)s  登记于 %(created)s")
            self.stdout.write(line % {"fingerprint": row.fingerprint, "created": created,
                                      "retired": f"{timezone.localtime(row.retired_at):%Y-%m-%d %H:%M}"
                                      if row.retired_at else ""})
        try:
            signing.ensure_ready()
        except signing.SigningUnavailable as exc:
            raise CommandError(str(exc)) from exc
        self.say(gettext("签名密钥可用，与已登记的根证书一致。"))

    # --- helpers ---------------------------------------------------------------------------------

    def loaded(self, hint: str = ""):
        signing.reset_signer()
        try:
            return signing.loaded_certificates()
        except ImproperlyConfigured as exc:
            raise CommandError(gettext("无法读取签名密钥：%(error)s") % {"error": exc} + (f"\n{hint}" if hint else "")) from exc

    @transaction.atomic
    def record(self, root, certificate, *, action: str) -> None:
        """Make `root` the current recorded root (retiring the one before) with `certificate` in use under it."""
        fp, signing_fp = signing.fingerprint(root), signing.fingerprint(certificate)
        before = SigningRoot.objects.select_for_update().filter(current=True).first()
        if before is not None and (before.fingerprint, before.signing_fingerprint) == (fp, signing_fp):
            return
        if before is not None and before.fingerprint != fp:
            before.current, before.retired_at = False, timezone.now()
            before.save(update_fields=["current", "retired_at"])
        SigningRoot.objects.update_or_create(fingerprint=fp, defaults={
            "certificate": root.public_bytes(serialization.Encoding.PEM).decode(),
            "signing_fingerprint": signing_fp, "current": True, "retired_at": None,
        })
        record_event(user=None, action=action, target=f"signing-root:{fp}",
                     before={"root": before.fingerprint, "signing": before.signing_fingerprint} if before else None,
                     after={"root": fp, "signing": signing_fp})

    def say(self, message: str) -> None:
        if self.verbosity:
            self.stdout.write(self.style.SUCCESS(message))

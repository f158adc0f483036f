import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cleanrecord.backup import archive
from cleanrecord.backup.management.commands.backup import passphrase


class Command(BaseCommand):
    help = ("Restore a backup made by `manage.py backup` into this installation's (empty) database and data "
            "directory. Every file's SHA-256, the manifest and the passphrase are checked first; a tampered or "
            "incomplete backup, a wrong passphrase or a target that is not empty (without --force) is refused "
            "with nothing changed.")
    # The target database may be empty: no check may need its tables.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="the backup's folder")
        parser.add_argument("--force", action="store_true",
                            help="restore over a database and data directory that are not empty")

    def handle(self, *args, folder: Path, force: bool, **options):
        started = time.perf_counter()
        try:
            checked = archive.restore(folder, passphrase(confirm=False), force=force, say=self.stdout.write)
        except archive.Refused as refused:
            self.stderr.write(_("恢复被拒绝：%(reason)s") % {"reason": refused})
            sys.exit(1)
        seconds = time.perf_counter() - started
        self.stdout.write(_("已恢复 %(made)s 的备份，用时 %(seconds).1f 秒。"
                            "请以新版本运行 manage.py migrate（若程序较备份新），再运行 manage.py verify_audit "
                            "核验审计日志，然后启动服务。") % {"made": archive.created_at(checked.manifest), "seconds": seconds})

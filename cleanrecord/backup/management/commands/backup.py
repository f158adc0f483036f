import getpass
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cleanrecord import conf
from cleanrecord.backup import archive


def passphrase(*, confirm: bool) -> str | None:
    """CLEANRECORD_BACKUP_PASSPHRASE (or its _FILE), else asked for at the terminal; None when neither."""
    given = conf.get("BACKUP_PASSPHRASE")
    if given or not sys.stdin.isatty():
        return given or None
    first = getpass.getpass(_("备份口令："))
    if confirm and getpass.getpass(_("再次输入备份口令：")) != first:
        raise archive.Refused(_("两次输入的口令不一致"))
    return first


class Command(BaseCommand):
    help = ("Back up the database (pg_dump custom format, or SQLite's online backup), the stored files (reports, "
            "evidence, error files, audit checkpoints, the rest of the data directory's state) and the keys, "
            "encrypted with a passphrase (CLEANRECORD_BACKUP_PASSPHRASE or the prompt), into a new folder.")

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--out", type=Path, help="a new or empty folder for the backup")
        where.add_argument("--scheduled", action="store_true",
                           help="the nightly job: a new folder in CLEANRECORD_BACKUP_DIR, keeping the newest "
                                "CLEANRECORD_BACKUP_KEEP (the passphrase from CLEANRECORD_BACKUP_PASSPHRASE)")

    def handle(self, *args, out: Path | None, scheduled: bool, **options):
        try:
            if scheduled:
                made = archive.scheduled_backup()
            else:
                assert out is not None  # argparse: one of the two is required
                made = archive.make_backup(out, passphrase(confirm=True))
        except archive.Refused as refused:
            self.stderr.write(_("备份失败：%(reason)s") % {"reason": refused})
            sys.exit(1)
        self.stdout.write(archive.describe(made))

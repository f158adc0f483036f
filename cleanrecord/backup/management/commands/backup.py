import getpass
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from cleanrecord import conf
from cleanrecord.backup import archive


def passphrase(*, confirm: bool) -> str | None:
    """CLEANRECORD_BACKUP_PASSPHRASE (or its _FILE), else asked for at the terminal; None when neither."""
    given = conf.get("BACKUP_PASSPHRASE")
    if given or not sys.stdin.isatty():
        return given or None
    first = getpass.getpass("备份口令：")
    if confirm and getpass.getpass("再次输入备份口令：") != first:
        raise archive.Refused("两次输入的口令不一致")
    return first


class Command(BaseCommand):
    help = ("Back up the database (pg_dump custom format, or SQLite's online backup), the stored files (reports, "
            "evidence, error files, audit checkpoints, the rest of the data directory's state) and the keys, "
            "encrypted with a passphrase (CLEANRECORD_BACKUP_PASSPHRASE or the prompt), into a new folder.")

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="a new or empty folder for the backup")

    def handle(self, *args, out: Path, **options):
        try:
            made = archive.make_backup(out, passphrase(confirm=True))
        except archive.Refused as refused:
            self.stderr.write(f"备份失败：{refused}")
            sys.exit(1)
        self.stdout.write(archive.describe(made))

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from cleanrecord import conf
from cleanrecord.reference.loading import ReferenceDataError, load_reference
from cleanrecord.reference.signals import reference_loaded


class Command(BaseCommand):
    help = "Load the region, domains and departments from the reference data folder (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="folder with region.json, domains.csv, departments.csv")

    def handle(self, *args, dir: Path | None, **options):
        folder = dir or conf.reference_dir()
        try:
            loaded = load_reference(folder)
        except (ReferenceDataError, OSError, KeyError, ValueError) as e:
            raise CommandError(gettext("参考数据加载失败：%(error)s") % {"error": e}) from e
        # The working-day calendar listens: the years chinese-calendar knows come with the reference data.
        reference_loaded.send(self.__class__, folder=folder, stdout=self.stdout)
        self.stdout.write(
            gettext("参考数据已加载：区划 %(loaded_regions)s 个，领域 %(loaded_domains)s 个，部门 %(loaded_departments)s 个（%(folder)s）")
            % {"loaded_regions": loaded.regions, "loaded_domains": loaded.domains, "loaded_departments": loaded.departments, "folder": folder}
        )

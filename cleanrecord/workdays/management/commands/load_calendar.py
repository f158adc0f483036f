from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from cleanrecord.lib.refusals import Refused
from cleanrecord.workdays import services
from cleanrecord.workdays.models import CalendarDay, CalendarYear


class Command(BaseCommand):
    help = ("Enter one year's public holidays and make-up working days (CSV: 日期,类型,节日), or, without "
            "a file, load the years the chinese-calendar package knows and list the calendar's years.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="CSV, UTF-8: 日期,类型(放假/上班)[,节日]")
        parser.add_argument("--year", type=int, help="the year the file is for")
        parser.add_argument("--note", default="", help="the notice it follows, e.g. 国办发明电〔2026〕X号")

    def handle(self, *args, file: Path | None, year: int | None, note: str, **options):
        if file is None:
            loaded = services.sync_package()
            if loaded:
                self.stdout.write(gettext("已从 chinese-calendar 载入 %(len_loaded)s 个年度：%(loaded_0)s–%(loaded_1)s")
                                  % {"len_loaded": len(loaded), "loaded_0": loaded[0], "loaded_1": loaded[-1]})
            for row in CalendarYear.objects.all():
                days = CalendarDay.objects.filter(day__year=row.year)
                self.stdout.write(gettext("%(row_year)s  %(source)s  放假 %(holidays)s 天，调休上班 %(workdays)s 天  %(row_note)s")
                                  % {"row_year": row.year, "source": row.get_source_display(), "holidays": days.filter(working=False).count(), "workdays": days.filter(working=True).count(), "row_note": row.note})
            return
        if year is None:
            raise CommandError(gettext("请用 --year 指明文件对应的年度"))
        try:
            with file.open(encoding="utf-8-sig", newline="") as f:
                entries = services.read_entries(f, year)
            services.set_year(year, entries, note=note)
        except UnicodeDecodeError:
            raise CommandError(gettext("%(file)s：文件应为 UTF-8 编码") % {"file": file}) from None
        except OSError as e:
            raise CommandError(gettext("无法读取 %(file)s：%(error)s") % {"file": file, "error": e.strerror}) from None
        except Refused as e:
            raise CommandError(f"{file}：{e}") from None
        self.stdout.write(services.describe(year, entries))

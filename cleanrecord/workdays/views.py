"""The office's working-day calendar page: which years are known, and entering a new year."""

import io

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from cleanrecord.accounts.decorators import office_required
from cleanrecord.lib.refusals import Refused

from . import services
from .models import CalendarDay, CalendarYear

MAX_FILE_BYTES = 64 * 1024


@office_required
def calendar(request):
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            error = "请填写年度"
        else:
            if upload is None:
                error = "请选择日历文件（CSV）"
            elif upload.size > MAX_FILE_BYTES:
                error = f"文件过大：日历文件不应超过 {MAX_FILE_BYTES // 1024} KB"
            else:
                try:
                    text = upload.read().decode("utf-8-sig")
                    entries = services.read_entries(io.StringIO(text, newline=""), year)
                    services.set_year(year, entries, note=request.POST.get("note", ""), user=request.user)
                except UnicodeDecodeError:
                    error = "文件应为 UTF-8 编码的 CSV"
                except Refused as e:
                    error = str(e)
                else:
                    messages.success(request, services.describe(year, entries))
                    return redirect("workdays-calendar")
    years = list(CalendarYear.objects.order_by("-year")[:10])
    days = {}
    for d in CalendarDay.objects.filter(day__year__in=[y.year for y in years]).order_by("day"):
        days.setdefault(d.day.year, []).append(d)
    return render(request, "workdays/calendar.html", {
        "years": [{"year": y, "days": days.get(y.year, [])} for y in years],
        "warning": services.calendar_warning(), "error": error,
        "next_year": timezone.localdate().year + 1,
    }, status=400 if error else 200)

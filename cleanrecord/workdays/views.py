"""The office's working-day calendar page: which years are known, and entering a new year."""

import io

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from cleanrecord.accounts.decorators import office_required
from cleanrecord.lib.refusals import Refused

from . import services
from .forms import CalendarForm
from .models import CalendarDay, CalendarYear


@office_required
def calendar(request):
    form = CalendarForm(request.POST if request.method == "POST" else None, request.FILES or None,
                        initial={"year": timezone.localdate().year + 1})
    if form.is_valid():
        year = form.cleaned_data["year"]
        try:
            entries = services.read_entries(io.StringIO(form.cleaned_data["file"], newline=""), year)
            services.set_year(year, entries, note=form.cleaned_data["note"], user=request.user)
        except Refused as e:
            form.refuse(e)
        else:
            messages.success(request, services.describe(year, entries))
            return redirect("workdays-calendar")
    years = list(CalendarYear.objects.order_by("-year")[:10])
    days = {}
    for d in CalendarDay.objects.filter(day__year__in=[y.year for y in years]).order_by("day"):
        days.setdefault(d.day.year, []).append(d)
    return render(request, "workdays/calendar.html", {
        "years": [{"year": y, "days": days.get(y.year, [])} for y in years],
        "warning": services.calendar_warning(), "form": form,
    }, status=400 if form.errors else 200)

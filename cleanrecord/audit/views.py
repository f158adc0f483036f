import datetime as dt
import json

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from . import words
from .models import AuditEntry

PER_PAGE = 50


class AuditFilter(forms.Form):
    action = forms.ChoiceField(label=_("操作"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    target = forms.CharField(label=_("对象包含"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
        self.fields["action"].choices = [("", _("全部"))] + sorted(((a, words.action_words(a)) for a in actions),
                                                                key=lambda choice: choice[1])

    def apply(self, entries):
        """Narrow `entries` by the filters that were filled in; an invalid one is shown with its error and skipped."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("actor"):
            entries = entries.filter(actor=data["actor"].strip())
        if data.get("target"):
            entries = entries.filter(target__icontains=data["target"].strip())
        # Dates are days in the platform's time zone; "to" includes the whole of that day.
        if data.get("date_from"):
            entries = entries.filter(at__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            entries = entries.filter(at__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
        return entries


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _as_text(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


@require_GET
@login_required
@permission_required("audit.view_auditentry", raise_exception=True)
def audit_list(request):
    """The audit trail, newest first, for auditors: read-only, there is nothing here to change."""
    form = AuditFilter(request.GET or None)
    page = Paginator(form.apply(AuditEntry.objects.order_by("-id")), PER_PAGE).get_page(request.GET.get("page"))
    for entry in page:
        entry.action_words = words.action_words(entry.action)
        entry.changes = words.changes(entry.before, entry.after)
        entry.before_text, entry.after_text = _as_text(entry.before), _as_text(entry.after)
    return render(request, "audit/list.html", {"form": form, "page": page})

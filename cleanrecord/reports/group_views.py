"""The group's pages: apply for the authorised subsidiaries' reports at once, see the batch, download its ZIP."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from cleanrecord import conf
from cleanrecord.accounts.models import acts_for, is_office
from cleanrecord.entities.models import Entity
from cleanrecord.lib.refusals import Refused

from . import groups, rules
from .group_forms import GroupReportForm
from .models import GroupBatch, Purpose, ReportLanguage


@login_required
@require_http_methods(["GET", "POST"])
def new_group_batch(request, code: str):
    """The group's own users choose subsidiaries, domains, period and purpose; one report each, and a summary."""
    if not acts_for(request.user, code.upper()):
        raise Http404(gettext("未找到该经营主体"))  # another entity: not even its existence is told
    parent = Entity.objects.get(credit_code=code.upper())
    today = timezone.localdate()
    subsidiaries = groups.authorised(parent, today)
    start, end = rules.default_period(today)
    form = GroupReportForm(request.POST if request.method == "POST" else None, subsidiaries=subsidiaries,
                           initial={"scope": True, "start": start, "end": end, "purpose": Purpose.FINANCE,
                                    "language": ReportLanguage.CHINESE,
                                    "subsidiaries": [e.credit_code for e in subsidiaries]})
    if form.is_valid():  # with no subsidiaries authorised, issue_group says so
        data = form.cleaned_data
        try:
            batch = groups.issue_group(
                parent=parent, subsidiaries=list(data["subsidiaries"]), domains=form.service_domains(),
                start=data["start"], end=data["end"], purpose=data["purpose"], purpose_text=data["purpose_text"],
                language=data["language"], user=request.user, channel="web")
        except Refused as e:
            form.refuse(e)
        else:
            return redirect("group-batch", token=batch.token)
    return render(request, "reports/group_new.html", {
        "entity": parent, "form": form, "subsidiaries": subsidiaries,
        "most": conf.get("GROUP_REPORT_MAX_SUBSIDIARIES"),
    }, status=400 if form.errors else 200)


def _batch(request, token: str) -> GroupBatch:
    """A batch its group's users (and the office) may open; for anyone else, as if it did not exist."""
    batch = GroupBatch.objects.select_related("parent").filter(token=token).first()
    if batch is None or not (is_office(request.user) or acts_for(request.user, batch.parent_id)):
        raise Http404(gettext("未找到该批次"))
    return batch


@login_required
def group_batch(request, token: str):
    batch = _batch(request, token)
    return render(request, "reports/group_batch.html", {"batch": batch, "reports": groups.reports_of(batch)})


@login_required
def group_batch_zip(request, token: str):
    batch = _batch(request, token)
    response = StreamingHttpResponse(groups.zip_chunks(batch), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{groups.zip_name(batch)}"'
    return response

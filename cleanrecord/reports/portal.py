"""The entity portal: my entities, my reports and who verified them, and who may read them."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cleanrecord.accounts.models import ReportGrant, acts_for, entities_for
from cleanrecord.audit.services import record_event
from cleanrecord.entities.models import Entity

from .models import Report

MAX_GRANT_DAYS = 366


@login_required
def portal(request):
    mine = entities_for(request.user)
    granted = (ReportGrant.objects.active().filter(grantee=request.user).select_related("entity")
               .order_by("entity__name"))
    return render(request, "reports/portal.html", {
        "entities": [{
            "entity": e,
            "reports": list(Report.objects.for_entity(e.credit_code).prefetch_related("verifications")[:20]),
            "grants": list(ReportGrant.objects.filter(entity=e).select_related("grantee")[:20]),
        } for e in mine],
        "granted": [{"grant": g, "reports": list(Report.objects.for_entity(g.entity_id)[:20])} for g in granted],
        "today": timezone.localdate().isoformat(),
    })


def _own_entity(user, code: str) -> Entity:
    if not acts_for(user, code.upper()):
        raise Http404("未找到该经营主体")  # another entity: not even its existence is told
    return Entity.objects.get(credit_code=code.upper())


@login_required
@require_POST
def grant(request, code: str):
    entity = _own_entity(request.user, code)
    username = request.POST.get("grantee", "").strip()
    grantee = get_user_model().objects.filter(username=username, is_active=True).first()
    start: dt.date | None
    end: dt.date | None
    try:
        start = dt.date.fromisoformat(request.POST.get("valid_from", ""))
        end = dt.date.fromisoformat(request.POST.get("valid_until", ""))
    except ValueError:
        start = end = None
    today = timezone.localdate()
    if grantee is None:
        messages.error(request, f"未找到被授权方账号“{username}”")
    elif start is None or end is None or end < start or end < today:
        messages.error(request, "授权期限不正确：截止日期不能早于起始日期或今天")
    elif (end - start).days > MAX_GRANT_DAYS:
        messages.error(request, f"授权期限最长 {MAX_GRANT_DAYS} 天")
    else:
        with transaction.atomic():
            g = ReportGrant.objects.create(entity=entity, grantee=grantee, valid_from=start, valid_until=end,
                                           created_by=request.user)
            record_event(user=request.user, action="accounts.grant", target=f"grant:{g.pk}",
                         after={"entity": entity.credit_code, "grantee": grantee.get_username(),
                                "valid_from": start.isoformat(), "valid_until": end.isoformat()})
        messages.success(request, f"已授权 {grantee.get_username()} 查阅本主体报告至 {end}")
    return redirect("portal")


@login_required
@require_POST
def revoke_grant(request, code: str, grant_id: int):
    entity = _own_entity(request.user, code)
    g = ReportGrant.objects.filter(pk=grant_id, entity=entity, revoked_at__isnull=True).first()
    if g is None:
        raise Http404("未找到该授权")
    with transaction.atomic():
        g.revoked_at = timezone.now()
        g.save(update_fields=["revoked_at"])
        record_event(user=request.user, action="accounts.grant_revoke", target=f"grant:{g.pk}",
                     after={"entity": entity.credit_code, "grantee": g.grantee.get_username()})
    messages.success(request, "授权已撤销")
    return redirect("portal")

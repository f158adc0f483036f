"""The entity portal: my entities, my reports and who verified them, and who may read them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cleanrecord.accounts.models import ReportGrant, acts_for, entities_for
from cleanrecord.audit.services import record_event
from cleanrecord.entities.models import Entity
from cleanrecord.lib.refusals import Refused

from . import services
from .forms import GrantForm
from .models import Report


def _grant_form(entity: Entity, data=None) -> GrantForm:
    # One grant form per entity on the page: the entity's code keeps their ids apart.
    return GrantForm(data, auto_id=f"grant-{entity.credit_code}-%s",
                     initial={"valid_from": timezone.localdate()})


def _portal(request, *, bound: GrantForm | None = None, bound_for: str = ""):
    mine = entities_for(request.user)
    granted = (ReportGrant.objects.active().filter(grantee=request.user).select_related("entity")
               .order_by("entity__name"))
    return render(request, "reports/portal.html", {
        "entities": [{
            "entity": e,
            "reports": list(Report.objects.for_entity(e.credit_code).prefetch_related("verifications")[:20]),
            "grants": list(ReportGrant.objects.filter(entity=e).select_related("grantee")[:20]),
            "grant_form": bound if bound is not None and bound_for == e.credit_code else _grant_form(e),
        } for e in mine],
        "granted": [{"grant": g, "reports": list(Report.objects.for_entity(g.entity_id)[:20])} for g in granted],
        "today": timezone.localdate().isoformat(),
    }, status=400 if bound is not None else 200)


@login_required
def portal(request):
    return _portal(request)


def _own_entity(user, code: str) -> Entity:
    if not acts_for(user, code.upper()):
        raise Http404(gettext("未找到该经营主体"))  # another entity: not even its existence is told
    return Entity.objects.get(credit_code=code.upper())


@login_required
@require_POST
def grant(request, code: str):
    entity = _own_entity(request.user, code)
    form = _grant_form(entity, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.grant_access(entity=entity, grantee=data["grantee"], valid_from=data["valid_from"],
                                  valid_until=data["valid_until"], user=request.user)
        except Refused as e:
            form.refuse(e)
        else:
            messages.success(request, _("已授权 %(name)s 查阅本主体报告至 %(end)s") % {
                "name": data["grantee"].get_username(), "end": data["valid_until"]})
            return redirect("portal")
    return _portal(request, bound=form, bound_for=entity.credit_code)


@login_required
@require_POST
def revoke_grant(request, code: str, grant_id: int):
    entity = _own_entity(request.user, code)
    g = ReportGrant.objects.filter(pk=grant_id, entity=entity, revoked_at__isnull=True).first()
    if g is None:
        raise Http404(gettext("未找到该授权"))
    with transaction.atomic():
        g.revoked_at = timezone.now()
        g.save(update_fields=["revoked_at"])
        record_event(user=request.user, action="accounts.grant_revoke", target=f"grant:{g.pk}",
                     after={"entity": entity.credit_code, "grantee": g.grantee.get_username()})
    messages.success(request, _("授权已撤销"))
    return redirect("portal")

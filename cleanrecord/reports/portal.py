"""The entity portal: my entities, my reports and who verified them, and who may read them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cleanrecord.accounts.models import EntityUser, ReportGrant, acts_for, entities_for, organisation_of
from cleanrecord.entities.models import Entity
from cleanrecord.lib.refusals import Refused

from . import services
from .forms import GrantForm
from .models import GroupAuthorisation, Report


def _grant_form(entity: Entity, data=None) -> GrantForm:
    # One grant form per entity on the page: the entity's code keeps their ids apart.
    return GrantForm(data, auto_id=f"grant-{entity.credit_code}-%s",
                     initial={"valid_from": timezone.localdate()})


def _portal(request, *, bound: GrantForm | None = None, bound_for: str = ""):
    mine = entities_for(request.user)
    # What entities granted the user's organisation, asked afresh on every request: a revoked grant is gone at once.
    granted = ReportGrant.objects.readable_by(request.user).select_related("entity").order_by("entity__name")
    return render(request, "reports/portal.html", {
        "organisation": organisation_of(request.user),
        "entities": [{
            "entity": e,
            # Who verified: an organisation's member signed in is shown by the organisation's name.
            "reports": list(Report.objects.for_entity(e.credit_code)
                            .prefetch_related("verifications", "verifications__organisation")[:20]),
            "grants": list(ReportGrant.objects.filter(entity=e).select_related("organisation")[:20]),
            "grant_form": bound if bound is not None and bound_for == e.credit_code else _grant_form(e),
            "group": GroupAuthorisation.objects.active().filter(parent=e).exists(),
        } for e in mine],
        "granted": [{"grant": g, "reports": list(Report.objects.for_entity(g.entity_id)[:20])} for g in granted],
        "today": timezone.localdate().isoformat(),
        # The legal representative also authorises the entity's staff (cleanrecord/signin).
        "legal_rep_of": set(EntityUser.objects.filter(user=request.user, role=EntityUser.Role.LEGAL_REP)
                            .values_list("entity_id", flat=True)),
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
            services.grant_access(entity=entity, organisation=data["organisation"], valid_from=data["valid_from"],
                                  valid_until=data["valid_until"], user=request.user)
        except Refused as e:
            form.refuse(e)
        else:
            messages.success(request, _("已授权 %(name)s 查阅本主体报告至 %(end)s") % {
                "name": data["organisation"].name, "end": data["valid_until"]})
            return redirect("portal")
    return _portal(request, bound=form, bound_for=entity.credit_code)


@login_required
@require_POST
def revoke_grant(request, code: str, grant_id: int):
    entity = _own_entity(request.user, code)
    g = (ReportGrant.objects.filter(pk=grant_id, entity=entity, revoked_at__isnull=True)
         .select_related("organisation").first())
    if g is None:
        raise Http404(gettext("未找到该授权"))
    services.revoke_grant(g, user=request.user)
    messages.success(request, _("已撤销对 %(name)s 的授权：其成员即时不能再在平台和接口中查阅本主体的报告。") % {
        "name": g.organisation.name})
    return redirect("portal")

"""Signing in through the identity service, and the legal representative's page of authorised staff."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from cleanrecord.accounts import roles
from cleanrecord.entities.models import Entity
from cleanrecord.lib.refusals import Refused

from . import provider, services
from .backend import SERVICE_ERRORS
from .forms import StaffForm
from .models import StaffAuthorisation

log = logging.getLogger(__name__)


def _refused(request, message: str, status: int) -> HttpResponse:
    return render(request, "signin/refused.html", {"message": message}, status=status)


class Start(OIDCAuthenticationRequestView):
    """Off to the identity service, with a fresh state and nonce kept in the session."""

    def __init__(self, *args, **kwargs):
        # The library reads the endpoint when the view is made; ours is read in get(), once sign-in is known to be on.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr, *args):
        return provider.library_setting(attr, *args)

    def get(self, request):
        if not provider.enabled():
            raise Http404(_("未启用统一身份认证登录"))
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider.endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except provider.Unavailable:
            log.exception("identity service discovery failed")
            return _refused(request, _("身份认证服务暂时无法访问，请稍后再试，或联系信用办。"), 503)
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)


class Callback(OIDCAuthenticationCallbackView):
    """Back from the identity service: check everything, bind, sign in; or say in Chinese why not."""

    @staticmethod
    def get_settings(attr, *args):
        return provider.library_setting(attr, *args)

    @property
    def success_url(self):
        return self.request.session.get("oidc_login_next") or reverse(roles.landing(self.user))

    def login_failure(self):
        if self.request.GET.get("error"):
            return _refused(self.request, _("您已在身份认证服务取消登录，或认证未通过。"), 400)
        return _refused(self.request, _("登录未完成：身份认证结果无法核实（可能已过期、被篡改或重复提交），请重新登录。"), 400)

    def get(self, request):
        if not provider.enabled():
            raise Http404(_("未启用统一身份认证登录"))
        try:
            return super().get(request)
        except Refused as refusal:
            return _refused(request, str(refusal), refusal.status)
        except SuspiciousOperation as suspicious:
            log.warning("identity service sign-in refused: %s", suspicious)
            return self.login_failure()
        except IntegrityError:  # the same person's first sign-in twice at once: the other one made the account
            return _refused(request, _("登录请求重复提交，请重新登录。"), 409)
        except SERVICE_ERRORS:
            log.exception("identity service sign-in failed")
            return _refused(request, _("身份认证服务暂时无法访问，请稍后再试，或联系信用办。"), 503)


def _entity_of_legal_rep(user, code: str) -> Entity:
    entity = Entity.objects.filter(credit_code=code.upper()).first()
    if entity is None or not services.is_legal_rep(user, entity):
        raise Http404(_("未找到该经营主体"))  # staff and others: not even its existence is told
    return entity


@login_required
@require_http_methods(["GET", "POST"])
def staff(request, code: str):
    entity = _entity_of_legal_rep(request.user, code)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.authorise_staff(entity=entity, name=form.cleaned_data["name"],
                                     id_number=form.cleaned_data["id_number"], user=request.user)
        except Refused as refusal:
            form.refuse(refusal)
        else:
            messages.success(request, _("已授权 %(name)s 代表本主体办理。") % {"name": form.cleaned_data["name"]})
            return redirect("entity-staff", code=entity.credit_code)
    return render(request, "signin/staff.html", {
        "entity": entity, "form": form,
        "authorisations": StaffAuthorisation.objects.filter(entity=entity).select_related("user")[:200],
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def withdraw(request, code: str, pk: int):
    entity = _entity_of_legal_rep(request.user, code)
    authorisation = StaffAuthorisation.objects.active().filter(entity=entity, pk=pk).first()
    if authorisation is None:
        raise Http404(_("未找到该授权"))
    services.withdraw_staff(authorisation=authorisation, user=request.user)
    messages.success(request, _("已撤回 %(name)s 的授权，其账号即时失去代表本主体办理的权限。") % {"name": authorisation.name})
    return redirect("entity-staff", code=entity.credit_code)

"""The office's account console, in the site's frame: accounts for departments, banks and agencies (create,
deactivate, reset the password, bind a role) and the organisations entities grant their reports to.

Only the office (accounts.decorators.office_required); what it may change is decided in accounts.console."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cleanrecord.lib.refusals import Refused

from . import console
from .decorators import office_required
from .forms import AccountForm, OrganisationForm, RoleForm
from .models import Organisation

PAGE = 50


@office_required
@require_http_methods(["GET"])
def accounts(request):
    User = get_user_model()
    q = request.GET.get("q", "").strip()[:150]
    users = User.objects.order_by("username").select_related("clerk__department", "membership__organisation")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(email__icontains=q)
                             | Q(membership__organisation__name__icontains=q))
    page = Paginator(users, PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/office/accounts.html", {"page": page, "q": q})


def _account_new_page(request, form: AccountForm, status: int = 200):
    return render(request, "accounts/office/account_new.html", {"form": form}, status=status)


@office_required
@never_cache
@require_http_methods(["GET", "POST"])
def account_new(request):
    if request.method == "GET":
        return _account_new_page(request, AccountForm(initial={"role": console.MEMBER}))
    form = AccountForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user, password = console.create_account(
                by=request.user, username=data["username"], full_name=data["full_name"], email=data["email"],
                role=data["role"], department=data["department"], organisation=data["organisation"])
        except Refused as e:
            form.refuse(e)
        else:
            return _password_page(request, user, password, created=True)
    return _account_new_page(request, form, 400)


def _password_page(request, user, password: str, *, created: bool):
    # Shown once, in this answer only (never_cache on the views): it is not kept anywhere.
    return render(request, "accounts/office/password.html", {"account": user, "password": password,
                                                              "created": created})


def _account(user_id: int):
    return get_object_or_404(get_user_model().objects.select_related("clerk__department", "membership__organisation"),
                             pk=user_id)


def _account_page(request, account, form: RoleForm | None = None, status: int = 200):
    role, department, organisation = console.role_of(account)
    if form is None:
        form = RoleForm(initial={"role": role, "department": department, "organisation": organisation})
    return render(request, "accounts/office/account.html", {
        "account": account, "form": form, "privileged": console.privileged(account),
        "own": account.pk == request.user.pk, "entities": list(account.entity_bindings.select_related("entity")),
    }, status=status)


@office_required
@require_http_methods(["GET", "POST"])
def account(request, user_id: int):
    """The account, and its role (POST: bind another)."""
    target = _account(user_id)
    if request.method == "GET":
        return _account_page(request, target)
    try:
        console.manageable(target, by=request.user)
    except Refused as e:  # an administrator's account, or the office user's own: whatever was posted
        return _refused(request, e)
    form = RoleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            console.bind_role(by=request.user, user=target, role=data["role"], department=data["department"],
                              organisation=data["organisation"])
        except Refused as e:
            form.refuse(e)
        else:
            messages.success(request, _("已更新账号 %(name)s 的角色") % {"name": target.get_username()})
            return redirect("office-account", user_id=target.pk)
    return _account_page(request, target, form, 400)


def _refused(request, refusal: Refused):
    return render(request, "accounts/office/refused.html", {"message": str(refusal)}, status=403)


@office_required
@require_POST
def account_active(request, user_id: int):
    """POST active=1 to reactivate, anything else to deactivate."""
    target = _account(user_id)
    active = request.POST.get("active") == "1"
    try:
        console.set_active(by=request.user, user=target, active=active)
    except Refused as e:
        return _refused(request, e)
    messages.success(request, (_("账号 %(name)s 已启用") if active else _("账号 %(name)s 已停用，不能再登录或调用接口"))
                     % {"name": target.get_username()})
    return redirect("office-account", user_id=target.pk)


@office_required
@never_cache
@require_POST
def account_password(request, user_id: int):
    target = _account(user_id)
    try:
        password = console.reset_password(by=request.user, user=target)
    except Refused as e:
        return _refused(request, e)
    return _password_page(request, target, password, created=False)


@office_required
@require_http_methods(["GET", "POST"])
def organisations(request):
    """The organisations, and a new one (POST)."""
    form = OrganisationForm(request.POST if request.method == "POST" else None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = console.save_organisation(by=request.user, organisation=None, name=data["name"], kind=data["kind"],
                                            credit_code=data["credit_code"], active=data["active"])
        except Refused as e:
            form.refuse(e)
        else:
            messages.success(request, _("已新增机构 %(name)s") % {"name": org.name})
            return redirect("office-organisations")
    listed = Organisation.objects.order_by("kind", "name").prefetch_related("members__user")
    return render(request, "accounts/office/organisations.html", {"organisations": listed, "form": form},
                  status=400 if form.is_bound else 200)


@office_required
@require_http_methods(["GET", "POST"])
def organisation(request, org_id: int):
    org = get_object_or_404(Organisation, pk=org_id)
    initial = {"name": org.name, "kind": org.kind, "credit_code": org.credit_code, "active": org.active}
    form = OrganisationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            console.save_organisation(by=request.user, organisation=org, name=data["name"], kind=data["kind"],
                                      credit_code=data["credit_code"], active=data["active"])
        except Refused as e:
            form.refuse(e)
        else:
            messages.success(request, _("已保存机构 %(name)s") % {"name": org.name})
            return redirect("office-organisation", org_id=org.pk)
    return render(request, "accounts/office/organisation.html", {
        "organisation": org, "form": form, "members": list(org.members.select_related("user").order_by("user__username")),
        "grants": list(org.grants.select_related("entity")[:50]),
    }, status=400 if form.is_bound else 200)

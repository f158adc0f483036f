from django import forms
from django.contrib import admin, messages
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cleanrecord import conf
from cleanrecord.audit.admin import AuditedAdmin

from . import tokens
from .models import ApiToken, DepartmentClerk, EntityUser, Organisation, ReportGrant

# The console carries the platform's name, not "Django 管理" (read when a page is drawn: the setting may change).
admin.site.site_header = admin.site.site_title = lazy(lambda: str(conf.get("PLATFORM_NAME")), str)()
admin.site.index_title = _("平台管理")


@admin.register(DepartmentClerk)
class DepartmentClerkAdmin(AuditedAdmin):
    list_display = ["user", "department"]
    search_fields = ["user__username", "department__name"]
    autocomplete_fields = ["department"]


class ApiTokenAddForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("权限范围"), choices=list(tokens.SCOPES.items()),
                                       widget=forms.CheckboxSelectMultiple)
    days = forms.IntegerField(label=_("有效期（天）"), min_value=1)

    class Meta:
        model = ApiToken
        fields = ["name", "owner", "scopes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is made, so that a changed setting needs no restart of this module.
        self.fields["days"] = forms.IntegerField(label=_("有效期（天）"), min_value=1, max_value=tokens.max_days(),
                                                 initial=tokens.max_days())
        # The admin's autocomplete widget looks a posted owner up again to redraw the form, and a value
        # that is no user id at all (NaN, 1e30) crashed that look-up: such a value is dropped first.
        owner = self.data.get("owner") if self.is_bound else None
        if owner and not (owner.isascii() and owner.isdigit() and len(owner) <= 18):
            self.data = self.data.copy()
            self.data["owner"] = ""
            self.fields["owner"].error_messages = {**self.fields["owner"].error_messages,
                                                   "required": _("请选择有效的令牌所有人")}


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made here and revoked here; nothing else about them changes, and none is deleted."""

    list_display = ["name", "owner", "shown_prefix", "scope_list", "status", "expires_at", "last_used_at"]
    search_fields = ["name", "prefix", "owner__username"]
    autocomplete_fields = ["owner"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "owner", "scopes", "days"]
        return ["name", "owner", "shown_prefix", "scope_list", "status", "created_at", "expires_at", "revoked_at",
                "last_used_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [f for f in self.get_fields(request, obj) if f != "name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the token stays on record

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, text = tokens.create_token(owner=obj.owner, name=obj.name, scopes=obj.scopes,
                                          days=form.cleaned_data["days"], by=request.user)
        obj.pk = token.pk
        obj.refresh_from_db()
        messages.warning(request, format_html(
            "{}<br><code>{}</code>", _("令牌已创建。请立即复制并妥善保存，它只显示这一次，之后无法再查看："), text))

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request, queryset):
        n = sum(tokens.revoke_token(t, by=request.user) for t in queryset.select_related("owner"))
        self.message_user(request, _("已撤销 %(n)s 个令牌。") % {"n": n}, messages.SUCCESS)

    @admin.display(description=_("前缀"), ordering="prefix")
    def shown_prefix(self, obj: ApiToken) -> str:
        return f"{tokens.PREFIX}{obj.prefix}_…"

    @admin.display(description=_("权限范围"))
    def scope_list(self, obj: ApiToken) -> str:
        return "、".join(obj.scopes)

    @admin.display(description=_("状态"))
    def status(self, obj: ApiToken) -> str:
        return str(obj.status_label())


@admin.register(EntityUser)
class EntityUserAdmin(AuditedAdmin):
    """The office binds a person to an entity after checking identity."""

    list_display = ["user", "entity", "role", "created_at"]
    search_fields = ["user__username", "=entity__credit_code", "entity__name"]
    raw_id_fields = ["user", "entity"]


@admin.register(ReportGrant)
class ReportGrantAdmin(AuditedAdmin):
    list_display = ["entity", "organisation", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["organisation__kind"]
    search_fields = ["=entity__credit_code", "organisation__name"]
    raw_id_fields = ["entity", "created_by"]
    autocomplete_fields = ["organisation"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    """Also kept on the office's own pages (/office/organisations/), where its members are added and removed."""

    list_display = ["name", "kind", "credit_code", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "=credit_code"]

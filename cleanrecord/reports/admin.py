from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleanrecord.audit.admin import AuditedAdmin
from cleanrecord.audit.services import record_event
from cleanrecord.lib.admin import ReadOnlyAdmin
from cleanrecord.lib.refusals import Refused

from . import rules
from .models import GroupAuthorisation, GroupBatch, Report, RuleSettings
from .services import revoke_report


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("将显示在报告的核验页面上。"))


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["number", "entity", "period_start", "period_end", "purpose", "records_found", "issued_at",
                    "valid_until", "revoked_at"]
    list_filter = ["purpose", "channel"]
    search_fields = ["=number", "=verification_code", "=entity__credit_code", "entity__name"]
    exclude = ["snapshot"]
    actions = ["revoke"]

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("reports.revoke_report")

    @admin.action(description=_("撤销所选报告"), permissions=["revoke"])
    def revoke(self, request, queryset):
        """Ask for the reason on a page of its own, then revoke each report (audited by revoke_report)."""
        reports = list(queryset.filter(revoked_at__isnull=True).select_related("entity"))
        if not reports:
            self.message_user(request, _("所选报告均已撤销。"), messages.WARNING)
            return None
        form = RevokeForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done = 0
            for report in reports:
                try:
                    revoke_report(report, reason=form.cleaned_data["reason"], user=request.user)
                except Refused as e:  # revoked meanwhile, by another hand
                    self.message_user(request, str(e), messages.WARNING)
                else:
                    done += 1
            self.message_user(request, _("已撤销 %(n)s 份报告。") % {"n": done}, messages.SUCCESS)
            return None
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/reports/revoke.html", {
            **self.admin_site.each_context(request),
            "title": _("撤销专用信用报告"),
            "opts": self.model._meta,
            "reports": reports,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })


@admin.register(RuleSettings)
class RuleSettingsAdmin(admin.ModelAdmin):
    """The one row of report rules; saving it changes the next report and writes the audit trail."""

    list_display = ["__str__", "include_simple_procedure", "repaired_records", "default_years", "max_years",
                    "valid_days", "updated_at", "updated_by"]
    fields = ["include_simple_procedure", "repaired_records", "nothing_found_text", "default_years", "max_years",
              "valid_days", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not RuleSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_changeform_initial_data(self, request) -> dict:
        # The first save starts from the rules in force, i.e. the environment's.
        return rules.environment_rules()

    def save_model(self, request, obj, form, change):
        saved = RuleSettings.objects.filter(pk=RuleSettings.SINGLETON_PK).first()
        before = saved.values() if saved else rules.environment_rules()
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        record_event(user=request.user, action="settings.change", target="reports:rulesettings", before=before,
                     after=obj.values())


@admin.register(GroupAuthorisation)
class GroupAuthorisationAdmin(AuditedAdmin):
    """The office authorises a group for a subsidiary, after checking the group's letter; revoked by setting the
    revocation time (audited, as every change here). A revoked row is kept: a new authorisation is a new row."""

    list_display = ["parent", "subsidiary", "valid_from", "valid_until", "revoked_at", "created_by"]
    list_filter = ["revoked_at"]
    search_fields = ["=parent__credit_code", "parent__name", "=subsidiary__credit_code", "subsidiary__name"]
    raw_id_fields = ["parent", "subsidiary"]
    readonly_fields = ["created_by", "created_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked, never deleted: the trail of who was authorised stays

    @admin.action(description=_("撤销所选集团授权"), permissions=["change"])
    def revoke(self, request, queryset):
        done = 0
        for authorisation in queryset.filter(revoked_at__isnull=True):
            authorisation.revoked_at = timezone.now()
            authorisation.save(update_fields=["revoked_at"])
            record_event(user=request.user, action="reports.groupauthorisation_revoke",
                         target=f"groupauthorisation:{authorisation.pk}",
                         after={"parent": authorisation.parent_id, "subsidiary": authorisation.subsidiary_id})
            done += 1
        self.message_user(request, _("已撤销 %(n)s 项集团授权。") % {"n": done}, messages.SUCCESS)


@admin.register(GroupBatch)
class GroupBatchAdmin(ReadOnlyAdmin):
    list_display = ["number", "parent", "issued_at", "requested_by", "channel", "summary_size"]
    search_fields = ["=number", "=parent__credit_code", "parent__name"]
    exclude = ["token"]  # the download's secret: not shown even to the office

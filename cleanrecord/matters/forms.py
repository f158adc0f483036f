"""The office's form for one matter of the catalogue."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cleanrecord.lib.forms import SiteForm, text_field
from cleanrecord.reference.models import Department, Domain


class MatterForm(SiteForm):
    department = forms.ModelChoiceField(
        label=_("受理部门"), queryset=Department.objects.filter(is_active=True), empty_label=_("请选择"),
        error_messages={"required": _("请选择受理部门"), "invalid_choice": _("请从列表中选择受理部门")})
    name = text_field(_("事项名称"), max_length=200, required_message=_("请填写事项名称"))
    legal_basis = text_field(_("依据（文件名称及条款）"), max_length=2000, textarea=True,
                             required_message=_("请填写该事项以报告替代证明的依据"))
    all_domains = forms.BooleanField(label=_("需要全部领域（完整版）"), required=False)
    domains = forms.ModelMultipleChoiceField(
        label=_("所需领域"), queryset=Domain.objects.order_by("order"), required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("没有“%(value)s”这个领域，请从列表中选择")})
    is_active = forms.BooleanField(label=_("在用（公开列示）"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].widget.attrs["rows"] = 3

    def clean(self):
        data = super().clean()
        everything, chosen = data.get("all_domains"), data.get("domains")
        if everything and chosen:
            self.add_error("domains", _("“全部领域”与单个领域不能同时选择"))
        elif not everything and "domains" in data and not chosen:
            self.add_error("domains", _("请至少选择一个所需领域，或选择“全部领域”"))
        return data

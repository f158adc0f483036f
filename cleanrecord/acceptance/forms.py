"""The public refusal feedback form and the office's outcome form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cleanrecord.lib.forms import SiteForm, text_field
from cleanrecord.lib.identifiers import find_id_numbers
from cleanrecord.matters.models import Matter
from cleanrecord.reports.codes import as_report_number

from .models import Refusal


class RefusalForm(SiteForm):
    report_number = forms.CharField(
        label=_("报告编号"), max_length=40, help_text=_("印在报告首页，如 LZXY-20261126-000123"),
        error_messages={"required": _("请填写报告编号"), "max_length": _("报告编号最多 %(limit_value)d 个字符")})
    unit = text_field(_("不认可报告的单位"), max_length=200, required_message=_("请填写不认可报告的单位名称"))
    matter = forms.ModelChoiceField(
        label=_("办理事项（从清单选择）"), queryset=Matter.objects.none(), required=False, empty_label=_("请选择"),
        error_messages={"invalid_choice": _("请从清单中选择办理事项")})
    matter_text = text_field(_("清单中没有的事项，请填写事项名称"), max_length=200, required=False)
    description = text_field(_("情况说明（单位不认可的理由、要求提供的材料等）"), min_length=5, max_length=2000,
                             textarea=True, required_message=_("请填写情况说明（至少 5 个字）"))
    contact = text_field(_("联系方式（选填，便于信用办回复）"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        matter = self.fields["matter"]
        assert isinstance(matter, forms.ModelChoiceField)  # declared so above
        matter.queryset = Matter.objects.active().select_related("department").order_by("department__name", "name")
        matter.label_from_instance = lambda m: f"{m.department.name}：{m.name}"
        self.fields["description"].widget.attrs["rows"] = 4

    def clean_report_number(self) -> str:
        number = as_report_number(self.cleaned_data["report_number"])
        if not number:
            raise forms.ValidationError(_("报告编号格式不正确，应如 LZXY-20261126-000123（印在报告首页）"))
        return number

    def clean(self):
        data = super().clean()
        # The feedback needs no one's ID number: none is kept in its free text.
        for name in ("unit", "matter_text", "description", "contact"):
            if find_id_numbers(data.get(name) or ""):
                self.add_error(name, _("请勿填写居民身份证号码：反馈不需要个人身份信息"))
                data.pop(name, None)
        if "matter" in data and not data.get("matter") and not (data.get("matter_text") or "").strip() \
                and "matter_text" not in self.errors:
            self.add_error("matter", _("请从清单中选择办理事项，或填写事项名称"))
        return data


class HandleForm(SiteForm):
    outcome = forms.ChoiceField(label=_("处理结果"), choices=Refusal.Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("请选择处理结果"), "invalid_choice": _("请选择处理结果")})
    note = text_field(_("处理情况（与单位沟通的经过）"), min_length=2, max_length=2000, textarea=True,
                      required_message=_("请填写处理情况（与单位沟通的经过）"))

"""Forms of the department pages: every field bounded, so that no input reaches the database unchecked."""

from django import forms
from django.utils import timezone

from cleanrecord.records import changes
from cleanrecord.records.models import CreditRecord


class RevokeForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, error_messages={"required": "撤销记录必须填写原因"})


class RepairForm(forms.Form):
    decision = forms.CharField(label="修复决定文书号", max_length=200,
                               error_messages={"required": "信用修复必须填写修复决定文书号"})
    repaired_on = forms.DateField(label="修复日期", input_formats=["%Y-%m-%d"],
                                  error_messages={"invalid": "日期格式应为 YYYY-MM-DD（如 2024-03-01）",
                                                  "required": "请填写修复日期"})

    def clean_repaired_on(self):
        on = self.cleaned_data["repaired_on"]
        if on > timezone.localdate():
            raise forms.ValidationError("修复日期不能晚于今天")
        if on < changes.EARLIEST:
            raise forms.ValidationError(f"日期过早（不能早于 {changes.EARLIEST}），请核实")
        return on


class CorrectForm(forms.Form):
    field = forms.ChoiceField(label="字段", error_messages={"invalid_choice": "“%(value)s”不能更正，请选择要更正的字段",
                                                          "required": "请选择要更正的字段"})
    value = forms.CharField(label="更正后的值", required=False, strip=False, max_length=changes.TEXT_MAX)
    reason = forms.CharField(label="原因", max_length=500, error_messages={"required": "更正记录必须填写原因"})

    def __init__(self, record: CreditRecord, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["field"].choices = [(name, record._meta.get_field(name).verbose_name)
                                        for name in sorted(changes.CORRECTABLE[record.KIND])]

    def clean(self):
        data = super().clean()
        name = data.get("field")
        if name and "value" in data:
            try:
                data["parsed"] = changes.parse_value(self.record, name, data["value"])
            except ValueError as e:
                self.add_error("value", f"{self.record._meta.get_field(name).verbose_name}：{e}")
        return data

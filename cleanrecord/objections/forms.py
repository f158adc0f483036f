"""Forms of the objection workflow: the entity's objection, the department's answer and severity explanation."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core import validators
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleanrecord.lib.forms import MultipleFileField, SiteForm, date_field, text_field
from cleanrecord.lib.refusals import Refused
from cleanrecord.records import changes

from . import workflow
from .models import Objection, SeverityExplanation

LONG_COLUMNS = ("facts", "basis", "content", "reason", "remarks", "summary")


def _choices(choices) -> list:
    return [("", _("请选择")), *choices]


class ObjectionForm(SiteForm):
    reason = forms.ChoiceField(label=_("异议类型"), choices=_choices(Objection.Reason.choices),
                               error_messages={"required": _("请选择异议类型"),
                                               "invalid_choice": _("请选择异议类型")})
    statement = text_field(_("异议理由（说明哪里有误、应当如何）"), min_length=5, max_length=workflow.TEXT_MAX,
                           textarea=True, required_message=_("请填写异议理由（至少 5 个字），说明记录哪里有误"))
    evidence = MultipleFileField(label=_("证明材料"), required=False)
    report_number = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class ExplanationForm(SiteForm):
    category = forms.ChoiceField(label=_("严重程度认定"), choices=_choices(SeverityExplanation.Category.choices),
                                 error_messages={"required": _("请选择严重程度认定"),
                                                 "invalid_choice": _("请选择严重程度认定")})
    text = text_field(_("说明内容"), min_length=5, max_length=workflow.TEXT_MAX, textarea=True,
                      required_message=_("请填写说明内容（至少 5 个字）"))
    signer = text_field(_("出具单位"), max_length=200, required_message=_("请填写出具单位"))
    signed_on = date_field(_("出具日期"), required_message=_("请填写出具日期"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_signed_on(self) -> dt.date:
        on = self.cleaned_data["signed_on"]
        if on > timezone.localdate():
            raise forms.ValidationError(_("出具日期不能晚于今天"))
        return on


class AnswerForm(SiteForm):
    """The department's answer: its decision and note; for 更正, the corrected columns (only those changed) and
    a credit repair. The corrected values are read as their columns' types here, each error beside its column."""

    decision = forms.ChoiceField(label=_("答复结论"), choices=Objection.Decision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": _("请选择答复结论：维持、更正或撤销"),
                                                 "invalid_choice": _("请选择答复结论：维持、更正或撤销")})
    note = text_field(_("答复意见（核查情况与依据）"), min_length=2, max_length=workflow.TEXT_MAX, textarea=True,
                      required_message=_("请填写答复意见"))
    repair_decision = text_field(_("信用修复决定文书号"), max_length=200, required=False)
    repaired_on = date_field(_("修复日期"), required=False)

    def __init__(self, record, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["note"].widget.attrs["rows"] = 4
        self.columns: list[str] = sorted(changes.CORRECTABLE[record.KIND]) if record is not None else []
        for name in self.columns:
            widget = forms.Textarea(attrs={"rows": 2, "cols": 70}) if name in LONG_COLUMNS else \
                forms.TextInput(attrs={"size": 50})
            self.fields[f"field_{name}"] = forms.CharField(
                label=changes.column(record, name).verbose_name, required=False, strip=False, widget=widget,
                initial=workflow.display_value(getattr(record, name)))
        self.fields["repaired_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def correction_fields(self):
        return [self[f"field_{name}"] for name in self.columns]

    def clean(self):
        data = super().clean()
        data["values"], data["repair"] = {}, None
        if data.get("decision") != Objection.Decision.CORRECT:
            return data
        for name in self.columns:
            key = f"field_{name}"
            if key not in self.data or key not in data:  # a column not sent is not corrected
                continue
            raw = data[key].replace("\r\n", "\n")  # browsers send a textarea's line breaks as CRLF
            if raw.strip() == workflow.display_value(getattr(self.record, name)).strip():
                continue
            try:
                data["values"][name] = changes.parse_value(self.record, name, raw)
            except Refused as e:
                self.add_error(key, e.message)
        decision_no, on = (data.get("repair_decision") or "").strip(), data.get("repaired_on")
        if decision_no and on is None and "repaired_on" not in self.errors:
            self.add_error("repaired_on", _("填写了信用修复决定文书号时，请填写修复日期"))
        elif on is not None and not decision_no and "repair_decision" not in self.errors:
            self.add_error("repair_decision", _("填写了修复日期时，请填写信用修复决定文书号"))
        elif decision_no and on is not None:
            if on > timezone.localdate():
                self.add_error("repaired_on", _("修复日期不能晚于今天"))
            else:
                data["repair"] = (decision_no, on)
        return data


NOTE_LABELS = {
    "accept": _("受理意见（可选）"),
    "reject": _("不予受理理由"),
    "forward": _("转办意见（可选）"),
    "close": _("审核意见（可选）"),
    "withdraw": _("撤回说明（可选）"),
}
NOTE_MAX = 500


class StepForm(SiteForm):
    """The note that goes with the office's and the entity's steps; a rejection must say why."""

    note = text_field(_("意见"), max_length=NOTE_MAX, required=False)

    def __init__(self, action: str, *args, **kwargs) -> None:
        # Several steps' forms share one page: each one's ids carry its step.
        kwargs["auto_id"] = f"{action}-%s"
        super().__init__(*args, **kwargs)
        note = self.fields["note"]
        assert isinstance(note, forms.CharField)  # declared so above
        note.label = NOTE_LABELS[action]
        if action == "reject":
            note.required = True
            note.min_length = 2
            note.validators.append(validators.MinLengthValidator(2))
            note.error_messages["required"] = _("请填写不予受理的理由")
        note.widget.attrs["maxlength"] = NOTE_MAX

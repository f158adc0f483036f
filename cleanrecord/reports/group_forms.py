"""The group's request: the report request's fields, and which of the authorised subsidiaries."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cleanrecord.entities.models import Entity

from .forms import ReportRequestForm


class GroupReportForm(ReportRequestForm):
    subsidiaries = forms.MultipleChoiceField(
        label=_("子公司"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一家子公司"),
                        "invalid_choice": _("“%(value)s”不在信用办对本集团的授权范围内")})

    def __init__(self, *args, subsidiaries: list[Entity], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["subsidiaries"]
        assert isinstance(field, forms.MultipleChoiceField)  # declared so above
        field.choices = [(e.credit_code, f"{e.name}（{e.credit_code}）") for e in subsidiaries]
        field.required = bool(subsidiaries)  # none authorised: the service's refusal says why, not "required"

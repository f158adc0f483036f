"""The department's 无新增数据确认 form: every field bounded and checked before the service sees it."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleanrecord.records.changes import EARLIEST

from .models import NothingNew
from .services import NOTE_MAX


class NothingNewForm(forms.Form):
    as_of = forms.DateField(label=_("数据截至日期"), input_formats=["%Y-%m-%d"],
                            error_messages={"invalid": _("日期格式应为 YYYY-MM-DD（如 2026-11-30）"),
                                            "required": _("请填写数据截至日期")})
    kind = forms.ChoiceField(label=_("数据类别"), required=False, choices=NothingNew._meta.get_field("kind").choices or (),
                             error_messages={"invalid_choice": _("数据类别“%(value)s”无效，请从列表中选择")})
    note = forms.CharField(label=_("说明"), required=False, max_length=NOTE_MAX,
                           error_messages={"max_length": _("说明最多 %(limit_value)d 字（现为 %(show_value)d 字）")})

    def clean_as_of(self):
        on = self.cleaned_data["as_of"]
        today = timezone.localdate()
        if on > today:
            raise forms.ValidationError(_("数据截至日期不能晚于今天（%(today)s）"), params={"today": today})
        if on < EARLIEST:
            raise forms.ValidationError(_("日期过早（不能早于 %(earliest)s），请核实"), params={"earliest": EARLIEST})
        return on

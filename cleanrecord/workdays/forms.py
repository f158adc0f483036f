"""The office's calendar form: the year, where the dates come from, and the CSV file (read as UTF-8 text)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cleanrecord.lib.forms import SiteForm, text_field

MAX_FILE_BYTES = 64 * 1024


class CalendarForm(SiteForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100,
                              error_messages={"required": _("请填写年度"), "invalid": _("年度应为四位数字，如 2027"),
                                              "min_value": _("年度应在 2000 至 2100 之间"),
                                              "max_value": _("年度应在 2000 至 2100 之间")})
    note = text_field(_("依据"), max_length=200, required=False,
                      widget=forms.TextInput(attrs={"placeholder": _("国务院办公厅关于部分节假日安排的通知")}))
    file = forms.FileField(label=_("文件"), max_length=1000,
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
                           error_messages={"required": _("请选择日历文件（CSV）"), "invalid": _("请选择日历文件（CSV）"),
                                           "empty": _("日历文件是空的"),
                                           "max_length": _("文件名过长（最多 %(max)d 个字符）")})

    def clean_file(self) -> str:
        """The file's text: no larger than a calendar needs, and UTF-8."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件过大：日历文件不应超过 %(kb)d KB"), params={"kb": MAX_FILE_BYTES // 1024})
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("文件应为 UTF-8 编码的 CSV")) from None

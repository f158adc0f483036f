"""Forms of the department pages: every field bounded, so that no input reaches the database unchecked."""

from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cleanrecord.lib.forms import SiteForm, date_field
from cleanrecord.lib.refusals import Refused
from cleanrecord.lib.text import has_control
from cleanrecord.records import changes
from cleanrecord.records.importing.profiles import ProfileError, parse_spec
from cleanrecord.records.models import CreditRecord, ImportProfile
from cleanrecord.records.services import KIND_LABELS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=500, error_messages={"required": _("撤销记录必须填写原因")},
                             help_text=_("如：行政复议决定撤销、原处罚机关撤回、经核实确认无效"))


class RepairForm(forms.Form):
    decision = forms.CharField(label=_("修复决定文书号"), max_length=200,
                               error_messages={"required": _("信用修复必须填写修复决定文书号")})
    repaired_on = date_field(_("修复日期"), required_message=_("请填写修复日期"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["repaired_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_repaired_on(self):
        on = self.cleaned_data["repaired_on"]
        if on > timezone.localdate():
            raise forms.ValidationError(_("修复日期不能晚于今天"))
        if on < changes.EARLIEST:
            raise forms.ValidationError(_("日期过早（不能早于 %(day)s），请核实") % {"day": changes.EARLIEST.isoformat()})
        return on


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # declared so on the form's class
    return field


def correctable_choices(record: CreditRecord) -> list[tuple[str, "StrOrPromise"]]:
    """The columns a correction of `record` may change, with their labels, in the order the record page lists them."""
    allowed = changes.CORRECTABLE[record.KIND]
    return [(f.name, f.verbose_name) for f in record._meta.concrete_fields if f.name in allowed]


class CorrectForm(forms.Form):
    field = forms.ChoiceField(label=_("更正字段"),
                              error_messages={"invalid_choice": _("“%(value)s”不能更正，请选择要更正的字段"),
                                              "required": _("请选择要更正的字段")})
    value = forms.CharField(label=_("更正后的值"), required=False, strip=False, max_length=changes.TEXT_MAX,
                            help_text=_("日期写作 YYYY-MM-DD；金额可写“8700元”或“0.87万元”，只写数字时按万元计"))
    reason = forms.CharField(label=_("更正原因"), max_length=500, error_messages={"required": _("更正记录必须填写原因")})

    def __init__(self, record: CreditRecord, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        _choice_field(self, "field").choices = [("", _("请选择要更正的字段")), *correctable_choices(record)]

    def clean(self):
        data = super().clean()
        name = data.get("field")
        if name and "value" in data:
            try:
                data["parsed"] = changes.parse_value(self.record, name, data["value"])
            except Refused as e:
                self.add_error("value", f"{self.record._meta.get_field(name).verbose_name}：{e}")
        return data


SPEC_MAX = 100_000  # characters of JSON: a recipe, not a data file


class ImportProfileForm(forms.Form):
    """A department's import profile; the JSON is checked as the importer will read it, with the place of an error."""

    department = forms.ChoiceField(label=_("报送部门"), error_messages={"invalid_choice": _("只能为本部门保存导入方案")})
    kind = forms.ChoiceField(label=_("数据类别"), error_messages={"invalid_choice": _("请选择数据类别"),
                                                             "required": _("请选择数据类别")})
    name = forms.CharField(label=_("方案名称"), max_length=100, error_messages={"required": _("请填写方案名称"),
                                                                         "max_length": _("方案名称最多 100 字")})
    spec = forms.CharField(label=_("方案内容（JSON）"), widget=forms.Textarea(attrs={"rows": 14, "cols": 80}),
                           max_length=SPEC_MAX, error_messages={"required": _("请填写方案内容"),
                                                                "max_length": format_lazy(_("方案内容过长（最多 {} 字）"), SPEC_MAX)})

    def __init__(self, departments, office: bool, data=None, *, instance: ImportProfile):
        import json

        initial = {}
        if instance.pk:
            initial = {"department": instance.department.code, "kind": instance.kind, "name": instance.name,
                       "spec": json.dumps(instance.spec, ensure_ascii=False, indent=2)}
        super().__init__(data, initial=initial)
        self.departments = {d.code: d for d in departments}
        _choice_field(self, "department").choices = [(d.code, d.name) for d in departments]
        _choice_field(self, "kind").choices = [(k, v) for k, v in KIND_LABELS.items() if office or k != "register"]

    def clean_department(self):
        return self.departments[self.cleaned_data["department"]]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if has_control(name):
            raise forms.ValidationError(_("方案名称不能含控制字符"))
        return name

    def clean_spec(self):
        import json

        text = self.cleaned_data["spec"]
        try:
            spec = json.loads(text)
        except json.JSONDecodeError as e:
            raise forms.ValidationError(
                _("不是有效的 JSON：第 %(line)s 行第 %(column)s 列附近有误（常见原因：用了中文引号、冒号或逗号，最后一项后多了逗号）")
                % {"line": e.lineno, "column": e.colno}) from e
        except RecursionError as e:
            raise forms.ValidationError(_("不是有效的 JSON：嵌套层数过多")) from e
        return spec

    def clean(self):
        data = super().clean()
        if "spec" in data and data.get("kind"):
            try:
                parse_spec(data["kind"], data["spec"])
            except ProfileError as e:
                self.add_error("spec", str(e))
        return data


class UploadForm(SiteForm):
    """A file to import, with its kind, department and profile; the file's content is for the preview to judge."""

    kind = forms.ChoiceField(label=_("数据类别"), error_messages={"required": _("请选择数据类别"),
                                                               "invalid_choice": _("请选择数据类别")})
    # The department is checked by upload_department: another department's code is a 403, not a typing error.
    department = forms.CharField(label=_("报送部门"), required=False, max_length=50, widget=forms.Select)
    profile = forms.CharField(label=_("导入方案"), required=False, max_length=100, widget=forms.Select,
                              error_messages={"max_length": _("导入方案名称最多 %(limit_value)d 字")})
    file = forms.FileField(label=_("文件"), allow_empty_file=True, max_length=1000,
                           error_messages={"required": _("请选择要上传的文件"), "invalid": _("请选择要上传的文件"),
                                           "max_length": _("文件名过长（最多 %(max)d 个字符）")},
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xls,text/csv"}))
    dry_run = forms.BooleanField(label=_("仅检查，不写入（试运行）"), required=False)

    def __init__(self, *args, departments, office: bool, profiles, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "kind").choices = [(k, v) for k, v in KIND_LABELS.items() if office or k != "register"]
        blank = [("", _("按文件中的数据来源单位"))] if office else []
        self.fields["department"].widget.choices = blank + [(d.code, d.name) for d in departments]
        self.fields["profile"].widget.choices = [("", _("不使用（文件已符合标准格式）"))] + [
            (p.name, f"{p.name}（{p.get_kind_display()}{f'，{p.department.name}' if office else ''}）") for p in profiles]

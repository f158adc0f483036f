"""Forms of the office's account console."""

import re

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from cleanrecord.lib.forms import SiteForm, text_field
from cleanrecord.reference.models import Department

from . import console
from .models import Organisation

ROLE_CHOICES = [
    (console.CLERK, _("部门报送员")),
    (console.MEMBER, _("机构成员（银行、审批部门等）")),
    (console.NONE, _("暂不绑定")),
]
CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"


class RoleForm(SiteForm):
    """An account's role among those the office binds: a department's clerk or an organisation's member."""

    role = forms.ChoiceField(label=_("角色"), choices=ROLE_CHOICES, widget=forms.RadioSelect,
                             error_messages={"required": _("请选择角色"),
                                             "invalid_choice": _("角色应为：部门报送员、机构成员或暂不绑定")})
    department = forms.ModelChoiceField(label=_("所属部门（报送员）"), queryset=Department.objects.none(), required=False,
                                        empty_label=_("请选择部门"),
                                        error_messages={"invalid_choice": _("请从列表中选择部门")})
    organisation = forms.ModelChoiceField(label=_("所属机构（机构成员）"), queryset=Organisation.objects.none(),
                                          required=False, empty_label=_("请选择机构"),
                                          error_messages={"invalid_choice": _("请从列表中选择机构")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        department, organisation = self.fields["department"], self.fields["organisation"]
        assert isinstance(department, forms.ModelChoiceField) and isinstance(organisation, forms.ModelChoiceField)
        department.queryset = Department.objects.filter(is_active=True).order_by("name")
        organisation.queryset = Organisation.objects.filter(active=True).order_by("kind", "name")
        organisation.label_from_instance = lambda o: f"{o.name}（{o.get_kind_display()}）"

    def clean(self):
        data = super().clean()
        if data.get("role") == console.CLERK and not data.get("department") and "department" not in self.errors:
            self.add_error("department", _("请选择报送员所属部门"))
        if data.get("role") == console.MEMBER and not data.get("organisation") and "organisation" not in self.errors:
            self.add_error("organisation", _("请选择所属机构"))
        return data


class AccountForm(RoleForm):
    """A new account. It has no field for staff, superuser or permissions: the office cannot give them."""

    username = forms.CharField(label=_("用户名"), max_length=150, validators=[UnicodeUsernameValidator(
        message=_("用户名只能包含字母、数字和 @ . + - _"))],
        error_messages={"required": _("请填写用户名"), "max_length": _("用户名最多 %(limit_value)d 个字符")})
    full_name = text_field(_("姓名"), max_length=150, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False, max_length=254,
                             error_messages={"invalid": _("电子邮箱格式不正确")})

    field_order = ["username", "full_name", "email", "role", "department", "organisation"]


class OrganisationForm(SiteForm):
    name = text_field(_("机构名称"), max_length=200, required_message=_("请填写机构名称"))
    kind = forms.ChoiceField(label=_("机构类型"), choices=Organisation.Kind.choices,
                             error_messages={"required": _("请选择机构类型"),
                                             "invalid_choice": _("请从列表中选择机构类型")})
    credit_code = forms.CharField(label=_("统一社会信用代码"), required=False, max_length=18,
                                  error_messages={"max_length": _("统一社会信用代码应为 18 位（数字和大写字母）")})
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def clean_credit_code(self) -> str:
        code = self.cleaned_data["credit_code"].strip().upper()
        if code and not re.fullmatch(CREDIT_CODE, code):
            raise forms.ValidationError(_("统一社会信用代码应为 18 位（数字和大写字母）"))
        return code

"""Forms of the entity's pages: the report request and the grant of access to the entity's reports."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cleanrecord.accounts.models import Organisation
from cleanrecord.lib.forms import SiteForm, date_field
from cleanrecord.matters.models import Matter
from cleanrecord.reference.models import Domain

from .models import Purpose, ReportLanguage
from .rules import PURPOSE_TEXT_MAX

ALL = "all"


class AllDomainsInput(forms.CheckboxInput):
    """Ticked when it sends "all" (the older page's radio sent "some" for a choice of domains)."""

    def value_from_datadict(self, data, files, name) -> bool:
        return data.get(name) == ALL


class ReportRequestForm(SiteForm):
    """Which domains, the period and the purpose. "全部领域" and single domains exclude each other: a request with
    both ticked is refused rather than read as either."""

    scope = forms.BooleanField(label=_("全部领域（完整版）"), required=False, widget=AllDomainsInput(attrs={"value": ALL}))
    domains = forms.MultipleChoiceField(
        label=_("单个领域"), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("没有“%(value)s”这个领域，请从列表中选择")})
    start = date_field(_("查询期起"), required=False)
    end = date_field(_("查询期止"), required=False)
    purpose = forms.ChoiceField(label=_("用途"), choices=Purpose.choices,
                                error_messages={"required": _("请选择用途"),
                                                "invalid_choice": _("用途应为：金融、商务经营、行政管理或其他")})
    purpose_text = forms.CharField(label=_("用途说明"), required=False, max_length=PURPOSE_TEXT_MAX,
                                   widget=forms.TextInput(attrs={"placeholder": _("如：申请银行贷款")}),
                                   error_messages={"max_length": _("用途说明最多 %(limit_value)d 字（现为 %(show_value)d 字）")})
    language = forms.ChoiceField(label=_("报告语言"), choices=ReportLanguage.choices, initial=ReportLanguage.CHINESE,
                                 required=False, error_messages={"invalid_choice": _("报告语言应为中文或英文")})
    # The matter of the catalogue the request started from (按办理事项选择): kept with the report.
    matter = forms.ModelChoiceField(queryset=Matter.objects.none(), required=False, widget=forms.HiddenInput,
                                    error_messages={"invalid_choice": _("该办理事项不在清单中，请重新选择")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        domains = self.fields["domains"]
        assert isinstance(domains, forms.MultipleChoiceField)  # declared so above
        domains.choices = [(d.code, d.name) for d in Domain.objects.order_by("order")]
        matter = self.fields["matter"]
        assert isinstance(matter, forms.ModelChoiceField)  # declared so above
        matter.queryset = Matter.objects.active()

    @staticmethod
    def matter_initial(matter: Matter) -> dict:
        """What the form starts with for a request made for `matter`: its domains ticked (or 全部领域)."""
        return {"scope": matter.all_domains, "domains": matter.domain_codes(), "matter": matter.pk,
                "purpose": Purpose.ADMINISTRATION, "purpose_text": matter.name[:PURPOSE_TEXT_MAX]}

    @staticmethod
    def matter_options() -> list[dict]:
        """The catalogue for the 按办理事项选择 list: id, label and the domains it ticks ("all": 全部领域)."""
        return [{"id": m.pk, "label": f"{m.department.name}：{m.name}",
                 "domains": "all" if m.all_domains else " ".join(m.domain_codes())}
                for m in Matter.objects.active().select_related("department").prefetch_related("domains")
                .order_by("department__name", "name")]

    def clean(self):
        data = super().clean()
        everything, chosen = data.get("scope"), data.get("domains")
        if everything and chosen:
            self.add_error("domains", _("“全部领域”与单个领域不能同时选择：要完整版请取消单个领域，要部分领域请取消“全部领域”"))
        elif not everything and "domains" in data and not chosen:
            self.add_error("domains", _("请至少选择一个领域，或选择“全部领域”"))
        return data

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or ReportLanguage.CHINESE  # not sent: the report in Chinese

    def service_domains(self) -> str | list[str]:
        """What issue_report takes: "all" or the chosen codes."""
        return ALL if self.cleaned_data["scope"] else list(self.cleaned_data["domains"])


class GrantForm(SiteForm):
    """An entity lets an organisation (a bank, an agency) read its reports for a while. The organisation is chosen from
    the list of active organisations the office keeps: no account name is typed, so none can be probed."""

    organisation = forms.ModelChoiceField(
        label=_("被授权机构"), queryset=Organisation.objects.none(), empty_label=_("请选择机构"),
        error_messages={"required": _("请选择被授权机构"),
                        "invalid_choice": _("请从列表中选择被授权机构")})
    valid_from = date_field(_("起始日期"), required_message=_("请填写起始日期"))
    valid_until = date_field(_("截止日期"), required_message=_("请填写截止日期"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)  # declared so above
        field.queryset = Organisation.objects.filter(active=True).order_by("kind", "name")
        field.label_from_instance = lambda o: f"{o.name}（{o.get_kind_display()}）"

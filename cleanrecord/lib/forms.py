"""The site's form base: every field's error in Chinese beside it, and a service's refusal shown as a form error.

Templates render a form with front/form_errors.html (all errors at once, at the top, each a link to its field)
and front/field.html (label tied to the input, required mark, the field's errors named by aria-describedby).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cleanrecord.lib.refusals import Refused
from cleanrecord.lib.text import has_control

DATE_ERRORS = {"invalid": _("日期格式应为 YYYY-MM-DD（如 2024-03-01）"), "required": _("请填写日期")}
DATE_FORMATS = ["%Y-%m-%d"]


def date_field(label, *, required: bool = True, **kwargs) -> forms.DateField:
    """A date typed as YYYY-MM-DD (the browser's date input sends that), refused in Chinese otherwise."""
    messages = {**DATE_ERRORS, "required": kwargs.pop("required_message", DATE_ERRORS["required"])}
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS, error_messages=messages,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def no_controls(value: str) -> None:
    # NUL is refused by Django's own validator on every CharField; this one refuses the other control characters.
    if "\x00" not in value and has_control(value, text=True):
        raise forms.ValidationError(_("含有不允许的控制字符，请删除后重试"), code="control")


def text_field(label, *, max_length: int, min_length: int | None = None, required: bool = True,
               required_message=None, textarea: bool = False, **kwargs) -> forms.CharField:
    """Free text within its column's length, without control characters, refused in Chinese otherwise."""
    messages = {"required": required_message or _("请填写此项"),
                "max_length": _("最多 %(limit_value)d 字（现为 %(show_value)d 字）"),
                "min_length": _("至少 %(limit_value)d 字（现为 %(show_value)d 字）")}
    widget = kwargs.pop("widget", None) or (forms.Textarea(attrs={"rows": 5, "cols": 70}) if textarea else None)
    return forms.CharField(label=label, max_length=max_length, min_length=min_length, required=required,
                           error_messages=messages, validators=[no_controls], widget=widget, **kwargs)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name: a list, possibly empty; what they hold is for the service to judge."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files  # empty, too large, of the wrong type: the service refuses them by name


class SiteForm(forms.Form):
    required_css_class = "required"
    error_css_class = "invalid"

    def refuse(self, refusal: Refused) -> None:
        """The service's refusal as an error of the field it names (or of the whole form)."""
        field = refusal.field if refusal.field in self.fields else None
        self.add_error(field, str(refusal))

    def has_required(self) -> bool:
        return any(f.required for f in self.fields.values())

    def error_list(self) -> list[tuple[str | None, object, str]]:
        """(field id or None, field label or None, message) for every error, in the fields' order."""
        found: list[tuple[str | None, object, str]] = [(None, None, str(m)) for m in self.non_field_errors()]
        for bound in self:
            for message in bound.errors:
                found.append((bound.id_for_label or bound.auto_id, bound.label, str(message)))
        return found

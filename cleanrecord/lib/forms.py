"""The site's form base: every field's error in Chinese beside it, and a service's refusal shown as a form error.

Templates render a form with front/form_errors.html (all errors at once, at the top, each a link to its field)
and front/field.html (label tied to the input, required mark, the field's errors named by aria-describedby).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cleanrecord.lib.refusals import Refused

DATE_ERRORS = {"invalid": _("日期格式应为 YYYY-MM-DD（如 2024-03-01）"), "required": _("请填写日期")}
DATE_FORMATS = ["%Y-%m-%d"]


def date_field(label, *, required: bool = True, **kwargs) -> forms.DateField:
    """A date typed as YYYY-MM-DD (the browser's date input sends that), refused in Chinese otherwise."""
    messages = {**DATE_ERRORS, "required": kwargs.pop("required_message", DATE_ERRORS["required"])}
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS, error_messages=messages,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


class SiteForm(forms.Form):
    required_css_class = "required"
    error_css_class = "invalid"

    def refuse(self, refusal: Refused) -> None:
        """The service's refusal as an error of the field it names (or of the whole form)."""
        field = refusal.field if refusal.field in self.fields else None
        self.add_error(field, refusal.message)

    def error_list(self) -> list[tuple[str | None, object, str]]:
        """(field id or None, field label or None, message) for every error, in the fields' order."""
        found: list[tuple[str | None, object, str]] = [(None, None, str(m)) for m in self.non_field_errors()]
        for bound in self:
            for message in bound.errors:
                found.append((bound.id_for_label or bound.auto_id, bound.label, str(message)))
        return found

"""Template filters that keep personal ID numbers off public pages."""

from django import template

from cleanrecord.lib.identifiers import mask_id_numbers_in

register = template.Library()


@register.filter
def mask_ids(value) -> str:
    """The value as text with every resident-ID-shaped number in it masked (6201**********1234)."""
    if value is None:
        return ""
    return mask_id_numbers_in(str(value))

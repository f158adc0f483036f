"""Template filters for Chinese dates, times, amounts and percentages (cleanrecord/lib/formats.py)."""

from django import template

from cleanrecord.lib import formats

register = template.Library()

register.filter("zh_date", formats.zh_date)
register.filter("zh_datetime", formats.zh_datetime)
register.filter("yuan", formats.yuan)
register.filter("wan_yuan", formats.wan_yuan)
register.filter("percent", formats.percent)

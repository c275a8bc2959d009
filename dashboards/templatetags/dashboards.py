from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone

register = template.Library()


@register.filter
def cell(row: dict, key: str):
    """A table cell: thousands separators for counts, a dash for figures that do not apply."""
    value = row.get(key)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✔" if value else "—"
    if isinstance(value, int):
        return intcomma(value)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return value


@register.filter
def vn_time(value):
    """A timestamp on Vietnam time (the settings' TIME_ZONE), as the ministry reads it."""
    if not value:
        return "—"
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")

from django import template
from django.utils.html import format_html

register = template.Library()



@register.simple_tag
def id_number(value, scope):
    """A personal ID number as this user's role may see it (masked unless allowed)."""
    return scope.show_id_number(value)


@register.simple_tag
def verification_badge(person):
    """A verification status in its state's colour, the one the dashboards' charts use (portal.css --state-*)."""
    status = person.verification_status
    return format_html('<span class="badge state state-{}" data-status="{}">{}</span>', status, status,
                       person.get_verification_status_display())

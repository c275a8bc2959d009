import unicodedata

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language_info

from edu_portal.common import listing
from edu_portal.common.i18n import message_render, stored_text

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

@register.simple_tag
def page_links(page, query, param=""):
    """The links of includes/pagination.html: previous, next and the numbered pages, each keeping the
    page's other parameters (filters, sort, page size). `param`: the page's parameter ("page" unless the
    page holds several lists)."""
    param = param or "page"
    query = query.copy()
    query.pop(param.replace("page", "export"), None)
    links = {"numbers": listing.page_links(page, query, param), "previous": "", "next": ""}
    if page.has_previous():
        query[param] = page.previous_page_number()
        links["previous"] = "?" + query.urlencode()
    if page.has_next():
        query[param] = page.next_page_number()
        links["next"] = "?" + query.urlencode()
    return links


@register.filter
def stored(value):
    """A message kept in the database, in the reader's language: a {"code", "params"} value from the message
    catalogue, or a sentence stored in Vietnamese (edu_portal/common/i18n.py)."""
    return message_render(value) if isinstance(value, dict) else stored_text(value)


@register.simple_tag
def language_choices():
    """The languages of the switch, each named in its own language ("Tiếng Việt", "English"): an English speaker
    looks for "English", not "Tiếng Anh". NFC, as all our Vietnamese text (Django's own name is decomposed)."""
    return [{"code": code, "name": unicodedata.normalize("NFC", get_language_info(code)["name_local"])}
            for code, _name in settings.LANGUAGES]

import unicodedata

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language_info

from edu_portal.common.i18n import message_render, stored_text

register = template.Library()

_BADGES = {"verified": "success", "mismatch": "danger", "not_found": "warning", "invalid_id": "danger",
           "error": "secondary", "queued": "info", "unverified": "light"}


@register.simple_tag
def id_number(value, scope):
    """A personal ID number as this user's role may see it (masked unless allowed)."""
    return scope.show_id_number(value)


@register.simple_tag
def verification_badge(person):
    status = person.verification_status
    return format_html('<span class="badge text-bg-{}" data-status="{}">{}</span>', _BADGES.get(status, "light"),
                       status, person.get_verification_status_display())


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

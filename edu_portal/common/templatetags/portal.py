import unicodedata

from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info

from edu_portal.common import listing
from edu_portal.common.i18n import message_render, stored_text
from edu_portal.common.memo import Kept

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


def _nav_link(item: dict, css: str) -> str:
    active, current = (" active", ' aria-current="page"') if item.get("active") else ("", "")
    return (f'<a class="{css}{active}" href="{conditional_escape(item["url"])}"{current}>'
            f'{conditional_escape(item["label"])}</a>')


_NAV: Kept[str] = Kept()  # nav_entries' HTML by what it depends on


def _entries_key(items) -> tuple:
    return tuple((item["url"], bool(item.get("active"))) for item in items)


@register.simple_tag(takes_context=True)
def nav_entries(context) -> str:
    """The navigation bar's entries (accounts/context_processors.py): the records, then one menu per group (a group
    of one is a plain link); the current page's entry carries aria-current="page", and its group is marked too.
    Built here rather than by template loops: every page of the portal renders its twenty entries (~0.5 ms). Kept
    by each process per language, entries and current one: an entry's label is fixed by its address (the
    constants NAV_RECORDS, NAV_GROUPS and each app's nav_items), and translating the twenty cost ~0.1 ms a page."""
    records, groups = context.get("nav_records") or (), context.get("nav_groups") or ()
    key = (get_language(), _entries_key(records),
           tuple((group["key"], bool(group.get("active")), _entries_key(group["items"])) for group in groups))
    return _NAV.get(key, lambda: _nav_html(records, groups))


def _nav_html(records, groups) -> str:
    parts = [f'<li class="nav-item">{_nav_link(item, "nav-link")}</li>' for item in records]
    parts.append("\n        ")
    for group in groups:
        items = group["items"]
        if len(items) == 1:
            parts.append(f'<li class="nav-item">{_nav_link(items[0], "nav-link")}</li>')
            continue
        entries = "".join(f"<li>{_nav_link(item, 'dropdown-item')}</li>" for item in items)
        parts.append(
            '<li class="nav-item dropdown">\n'
            f'  <button class="nav-link dropdown-toggle{" active" if group.get("active") else ""}" type="button"'
            f' data-bs-toggle="dropdown" aria-expanded="false" data-testid="nav-group-{conditional_escape(group["key"])}">'
            f'{conditional_escape(group["label"])}</button>\n'
            f'  <ul class="dropdown-menu">{entries}</ul>\n</li>')
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped above

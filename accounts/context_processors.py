import functools

from django.apps import apps
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from .scope import Scope

# The menus of the navigation bar, in order. A ministry user has fourteen entries: side by side they wrapped onto
# three lines at 1366 px (issue 21), so the records stay on the bar and the rest are grouped by what they are for.
NAV_GROUPS = (
    ("records", _("Nghiệp vụ")),        # what is done to the records: transfers, year-end, duplicates, facilities
    ("data", _("Dữ liệu")),             # getting the data in and right: uploads, identity verification, reporting
    ("statistics", _("Số liệu")),       # figures and indicators
    ("admin", _("Quản trị")),           # API tokens, audit trail, webhooks
)
# The records themselves, always on the bar.
NAV_RECORDS = (("schools:list", _("Trường học")), ("teachers:list", _("Cán bộ, giáo viên")),
               ("students:list", _("Học sinh")))


@functools.cache
def _url(url_name: str, prefix: str) -> str | None:
    """A menu entry's address: the URLconf does not change while the process runs, so each is reversed once per
    script prefix rather than ~20 times a page (~0.5 ms of a dashboard's 20 ms budget); None if it has none."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def scope(request):
    """The user's scope and the navigation entries their role may use, the current page's entry marked.

    Each app declares its entries as `nav_items = [(url_name, label, roles or None)]` on its AppConfig, and the
    menu they sit under as `nav_group` (one of NAV_GROUPS; "data" when missing), so a new app adds itself to the
    menu without editing a shared template.
    """
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    prefix = get_script_prefix()
    records = [{"url": _url(name, prefix), "label": label} for name, label in NAV_RECORDS]
    nav = []
    grouped = {key: [] for key, _label in NAV_GROUPS}
    for config in apps.get_app_configs():
        for url_name, label, roles in getattr(config, "nav_items", ()):
            if roles and user.role not in roles and not user.is_superuser:
                continue
            url = _url(url_name, prefix)
            if url is None:
                continue
            item = {"url": url, "label": label}
            nav.append(item)
            grouped.get(getattr(config, "nav_group", "data"), grouped["data"]).append(item)
    _mark_current(request.path, records + nav)
    groups = [{"key": key, "label": label, "items": grouped[key],
               "active": any(i["active"] for i in grouped[key])} for key, label in NAV_GROUPS if grouped[key]]
    return {"user_scope": Scope.for_user(user), "nav_items": nav, "nav_records": records, "nav_groups": groups}


def _mark_current(path: str, items: list[dict]) -> None:
    """The entry whose address is the longest start of the current one (/students/transfers/ is "Chuyển trường",
    /students/12/ is "Học sinh")."""
    best = max((i for i in items if path.startswith(i["url"])), key=lambda i: len(i["url"]), default=None)
    for item in items:
        item["active"] = item is best

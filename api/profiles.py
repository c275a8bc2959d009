"""API profiles (ApiProfile): what a token's client system may reach and, of the records, which fields.

- The resources are the parts of the API under /api/v1/ (`students`, `staff`, `schools`, `stats`, `transfers`,
  ...), read from api/urls.py, so a new part of the API is a resource without a list kept here. A profile
  names those it reaches, each for reading or also writing; anything else is refused (403) before the view
  runs (api.authentication), whatever the view's own permissions.
- Of the records (RECORDS), it may name the fields, read and written; edu_portal.common.api.profiles applies
  them on every read (lists, details, `updated_since` feeds) and write of those endpoints. The keys of a record
  (its id, code, school) are always shown: a client cannot sync without them.
- A profile only narrows: a read-only token stays read-only, a token without the right to full ID numbers
  gets masked numbers whatever its profile says.
"""
from __future__ import annotations

from functools import cache

from django.urls import URLResolver
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from edu_portal.common.api.profiles import FieldRule
from edu_portal.common.exceptions import AppError

ALL = "*"
# Always reachable: a client reads what its own token may do.
OPEN = frozenset({"me"})
# bulk/<records>/ (uploads/api/): under the rule of <records>, not a part of its own.
BULK = "bulk"
# The records whose fields a profile can name: resource -> its viewset.
RECORDS = {"students": "students.api.views.StudentViewSet", "staff": "teachers.api.views.StaffViewSet",
           "schools": "schools.api.views.SchoolViewSet"}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@cache
def resources() -> tuple[str, ...]:
    """The API's parts: the first segment of every address api/urls.py includes (tokens/ is a page for people)."""
    from api import urls  # noqa: PLC0415 - the URL configuration imports every app's views; only when asked

    found = []
    for pattern in urls.urlpatterns:
        route = str(getattr(pattern.pattern, "_route", "")).strip("/")
        if isinstance(pattern, URLResolver) and route and "/" not in route:
            found.append(route)
    return tuple(sorted(set(found)))


@cache
def record_fields(resource: str) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """(readable, writable, keys) of a record resource: its detail's fields, what its create and update accept,
    and the keys every read keeps."""
    viewset = import_string(RECORDS[resource])
    readable = frozenset(viewset.detail_serializer_class.Meta.fields)
    writable = frozenset(viewset.write_serializer_class().fields) | frozenset(viewset.update_serializer_class().fields)
    return readable, writable, viewset.profile_keys


def profile_rules_clean(rules) -> dict:
    """The rules of a profile as stored, or AppError naming what is wrong (unknown resource or field, bad shape)."""
    if not isinstance(rules, dict) or not rules:
        raise AppError(_("Hồ sơ phải nêu ít nhất một phần của API."), details={"rules": [_("Trống.")]})
    known, errors, clean = set(resources()), {}, {}
    for resource, rule in rules.items():
        if resource not in known:
            errors[resource] = [_("Không có phần API này. Các phần: %(names)s.") % {"names": ", ".join(sorted(known))}]
            continue
        if not isinstance(rule, dict) or set(rule) - {"read", "write"} or "read" not in rule:
            errors[resource] = [_('Phải có dạng {"read": [...] hoặc "*", "write": [...] hoặc "*"}.')]
            continue
        clean[resource] = {}
        for mode in ("read", "write"):
            value = rule.get(mode, [])
            if value == ALL:
                clean[resource][mode] = ALL
                continue
            if not isinstance(value, list) or not all(isinstance(f, str) for f in value):
                errors[f"{resource}.{mode}"] = [_('Phải là danh sách tên trường hoặc "*".')]
                continue
            if resource not in RECORDS:
                if value:
                    errors[f"{resource}.{mode}"] = [_('Phần này không chia theo trường: "*" hoặc [].')]
                clean[resource][mode] = []
                continue
            readable, writable, _keys = record_fields(resource)
            unknown = sorted(set(value) - (readable if mode == "read" else writable))
            if unknown:
                errors[f"{resource}.{mode}"] = [_("Không có trường: %(fields)s.") % {"fields": ", ".join(unknown)}]
            clean[resource][mode] = sorted(set(value))
    if errors:
        first = next(iter(errors.items()))
        raise AppError(gettext("%(value)s: %(value2)s") % {"value": first[0], "value2": first[1][0]}, code="invalid_profile", details=errors)
    return clean


def token_rule(token, resource: str) -> FieldRule | None:
    """The fields of `resource` the token's profile lets it read and write (None: no profile, or not a record)."""
    profile = getattr(token, "profile", None)
    if profile is None or resource not in RECORDS:
        return None
    rule = profile.rules.get(resource) or {}

    def fields(mode: str) -> frozenset[str] | None:
        value = rule.get(mode, [])
        return None if value == ALL else frozenset(value)

    return FieldRule(read=fields("read"), write=fields("write"))


def request_rule(request, resource: str) -> FieldRule | None:
    """settings.API_PROFILE_RESOLVER: the request's token's rule (browser sessions have no profile)."""
    return token_rule(getattr(request, "auth", None), resource)


def profile_refusal(profile, *, path: str, method: str) -> str | None:
    """Why the profile refuses this request (a message), or None when it reaches it."""
    if profile is None:
        return None
    parts = path.split("/api/v1/", 1)
    resource = parts[1].split("/", 1)[0] if len(parts) == 2 else ""
    if resource == BULK:
        # A bulk upsert writes records of one kind (bulk/<records>/): that kind's rule holds. The jobs are the
        # sending token's own, read by it whatever its profile.
        resource = (parts[1].split("/") + [""])[1]
        if resource not in RECORDS:
            return None
    if resource in OPEN or resource not in resources():
        return None  # the API's own 404 answers unknown addresses
    rule = profile.rules.get(resource)
    if rule is None:
        return _("Hồ sơ truy cập “%(profile)s” của mã này không cho phép dùng phần API “%(resource)s”.") % {
            "profile": profile.name, "resource": resource}
    if method not in SAFE_METHODS and not rule.get("write"):
        return _("Hồ sơ truy cập “%(profile)s” của mã này chỉ cho phép đọc phần API “%(resource)s”.") % {
            "profile": profile.name, "resource": resource}
    return None

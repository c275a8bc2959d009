"""Field profiles on the record endpoints (issue 20: "per token, which fields it may read and write").

The platform knows no app: what a request's client may read and write of a kind of record comes from the
resolver settings.API_PROFILE_RESOLVER names (the api app: the token's ApiProfile), as a FieldRule, or None
when nothing is limited (no profile, a browser session). Which resources a profile reaches at all is checked
when the token is authenticated (api.authentication); here, the fields of the records it reaches:

- reads (a list page, a detail, the `updated_since` feed) carry only the readable fields, and always the
  record's keys (`keys`: its id, its code, its school's code), without which a client cannot sync;
- a write naming a field the profile does not let it write is refused whole (403, the fields named), never
  half-applied by dropping what it may not write.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from edu_portal.common.exceptions import AppError


@dataclass(frozen=True)
class FieldRule:
    """The fields of one kind of record a client may read and write; None: every field."""

    read: frozenset[str] | None
    write: frozenset[str] | None


def request_rule(request, resource: str) -> FieldRule | None:
    """The FieldRule of `resource` ("students", "staff", "schools") for this request's client; None: no limit."""
    resolver = getattr(settings, "API_PROFILE_RESOLVER", "")
    if not resolver:
        return None
    return import_string(resolver)(request, resource)


def trim(rows: list[dict], rule: FieldRule | None, keys: tuple[str, ...]) -> list[dict]:
    """The rows with only the readable fields (and the keys), in their order."""
    if rule is None or rule.read is None:
        return rows
    shown = rule.read | set(keys)
    return [{k: v for k, v in row.items() if k in shown} for row in rows]


def refuse_unwritable(data, rule: FieldRule | None) -> None:
    """403 naming the fields of `data` the profile does not let the client write (all refused, none applied)."""
    if rule is None or rule.write is None or not isinstance(data, dict):
        return
    refused = sorted(set(data) - rule.write)
    if refused:
        message = _("Hồ sơ truy cập của mã này không cho phép ghi các trường: %(fields)s.") % {
            "fields": ", ".join(refused)}
        raise AppError(message, code="field_not_in_profile", status_code=403,
                       details={name: [_("Không được ghi theo hồ sơ truy cập.")] for name in refused})

"""Reads of the trail: the ministry's search, and one record's history for its page."""
from __future__ import annotations

import copy

from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, When

from accounts.models import Role, User
from api.models import ApiToken
from edu_portal.common.identity import mask_id_number

from .models import CHANGE_ACTIONS, VIEW_ACTIONS, Action, AuditEvent

# Personal ID numbers inside before/after are always shown masked in the trail's pages and
# exports: the trail tells who changed or saw a number; the full number is on the record's page.
MASKED_KEYS = ("id_number",)
HISTORY_LIMIT = 50


LOGS = {"changes": CHANGE_ACTIONS, "views": VIEW_ACTIONS}


def event_list(*, filters=None, log: str | None = None) -> QuerySet[AuditEvent]:
    """Every event, newest first, filtered by AuditEventFilterSet (ministry only: see views); `log`
    "changes" or "views" keeps one of the trail's two logs (LOGS)."""
    from .filtersets import AuditEventFilterSet

    queryset = with_token_holders(AuditEvent.objects.order_by("-id"))
    if log in LOGS:
        # The same list the partial index audit_views_newest is built on, for the planner to use it.
        queryset = queryset.filter(action__in=[str(a) for a in LOGS[log]])
    if filters:
        queryset = AuditEventFilterSet(filters, queryset=queryset).qs
    return queryset


def record_history(model_label: str, record_id: int, *, related: dict[str, list[int]] | None = None,
                   limit: int = HISTORY_LIMIT, log: str | None = None) -> list[AuditEvent]:
    """The newest events about one record: its writes and the showings of its full ID number,
    and the writes of the records it holds (`related`: model label -> ids, e.g. a pupil's
    enrollments, results and physical records). An upload's batch of inserts (audit migration 0007)
    comes back as one insert event per record asked for, with that record's row. `log` "changes" or
    "views": only the writes, or only the showings of the ID number (never of related records)."""
    label = model_label.lower()
    where = Q(model=label) & (Q(record_id=record_id) | Q(record_ids__contains=[record_id]))
    wanted = {label: {record_id}}
    for other, ids in (related or {}).items():
        if ids:
            where |= Q(model=other) & (Q(record_id__in=list(ids)) | Q(record_ids__overlap=list(ids)))
            wanted.setdefault(other, set()).update(ids)
    if log == "views":
        where = Q(model=label) & (Q(record_id=record_id) | Q(record_ids__contains=[record_id]))
    if log in LOGS:
        where &= Q(action__in=[str(a) for a in LOGS[log]])
    events = with_token_holders(AuditEvent.objects.filter(where).order_by("-id"))[:limit]
    return [one for e in events for one in _per_record(e, wanted.get(e.model, set()))][:limit]


def _per_record(event: AuditEvent, ids: set[int]) -> list[AuditEvent]:
    """A batch of inserts split into the events of the records in `ids`; any other event as it is."""
    rows = batch_rows(event)
    if rows is None:
        return [event]
    split = []
    for pk in sorted((int(key) for key in rows if int(key) in ids), reverse=True):
        one = copy.copy(event)
        one.record_id, one.record_ids, one.after = pk, None, rows[str(pk)]
        split.append(one)
    return split


def batch_rows(event: AuditEvent) -> dict | None:
    """The rows of an upload's batch of inserts (audit migration 0007) by record id (as text), each a dict
    of column -> value as text (None for NULL); None for any other event."""
    after = event.after
    if not (event.action == Action.INSERT and event.record_ids and isinstance(after, dict)
            and isinstance(after.get("rows"), dict) and isinstance(after.get("columns"), list)):
        return None
    return {pk: dict(zip(after["columns"], record_fields(text), strict=False)) for pk, text in after["rows"].items()}


def record_fields(text: str) -> list[str | None]:
    """PostgreSQL's text form of a row, e.g. (7,,"Lê Thị A",x), as its fields: None for an empty (NULL)
    field; a quoted field unquoted (a doubled quote or a backslash escapes the next character)."""
    body, fields, i = text[1:-1], [], 0
    while True:
        if body[i:i + 1] == '"':
            i, chars = i + 1, []
            while True:
                c = body[i]
                if c == '"' and body[i + 1:i + 2] == '"':
                    chars.append('"')
                    i += 2
                elif c == '"':
                    i += 1
                    break
                elif c == "\\":
                    chars.append(body[i + 1])
                    i += 2
                else:
                    chars.append(c)
                    i += 1
            fields.append("".join(chars))
        else:
            end = body.find(",", i)
            end = len(body) if end == -1 else end
            fields.append(body[i:end] or None)
            i = end
        if i >= len(body):
            return fields
        i += 1  # the comma


def with_token_holders(queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """Each event done with an API token also names the token's owner and the user who issued it
    (`token_owner`, `token_issuer`: usernames). Whoever issues a token for someone else receives
    its secret, so the trail must tell them apart; the token row records both and is never
    edited after issue (only revoked), so the event's token_id is enough to find them."""
    tokens = ApiToken.objects.filter(pk=OuterRef("token_id"))
    return queryset.annotate(token_owner=Subquery(tokens.values("user__username")[:1]),
                             token_issuer=Subquery(tokens.values("created_by__username")[:1]))


def masked(values: dict | None) -> dict | None:
    if not values:
        return values
    if set(values) == {"columns", "rows"}:  # a batch of inserts (audit migration 0007): each row, masked
        rows = {pk: dict(zip(values["columns"], record_fields(text), strict=False))
                for pk, text in values["rows"].items()}
        return {"rows": {pk: masked(row) for pk, row in rows.items()}}
    return {key: (mask_id_number(value) if key in MASKED_KEYS and value else value) for key, value in values.items()}


def usernames(events) -> dict[int, str]:
    """Usernames of the users named by id on these events (tasks carry the id of who queued them)."""
    ids = {e.actor_id for e in events if e.actor_id is not None}
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}


ACTOR_CHOICES_LIMIT = 500


def actor_choices() -> list[tuple[str, str]]:
    """(username, full name) of the users the actor picker offers (typing any username still works):
    the ministry's and provinces' users first, a bounded list (a country has tens of thousands)."""
    rank = Case(When(role=Role.MINISTRY, then=0), When(role=Role.PROVINCE, then=1), default=2)
    users = (User.objects.filter(is_active=True).order_by(rank, "username")
             .values_list("username", "first_name", "last_name")[:ACTOR_CHOICES_LIMIT])
    return [(username, f"{first} {last}".strip()) for username, first, last in users]

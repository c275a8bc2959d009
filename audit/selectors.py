"""Reads of the trail: the ministry's search, and one record's history for its page."""
from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from api.models import ApiToken
from edu_portal.common.identity import mask_id_number

from .models import AuditEvent

# Personal ID numbers inside before/after are always shown masked in the trail's pages and
# exports: the trail tells who changed or saw a number; the full number is on the record's page.
MASKED_KEYS = ("id_number",)
HISTORY_LIMIT = 50


def event_list(*, filters=None) -> QuerySet[AuditEvent]:
    """Every event, newest first, filtered by AuditEventFilterSet (ministry only: see views)."""
    from .filtersets import AuditEventFilterSet

    queryset = with_token_holders(AuditEvent.objects.order_by("-id"))
    if filters:
        queryset = AuditEventFilterSet(filters, queryset=queryset).qs
    return queryset


def record_history(model_label: str, record_id: int, *, related: dict[str, list[int]] | None = None,
                   limit: int = HISTORY_LIMIT) -> list[AuditEvent]:
    """The newest events about one record: its writes and the showings of its full ID number,
    and the writes of the records it holds (`related`: model label -> ids, e.g. a pupil's
    enrollments, results and physical records)."""
    where = Q(model=model_label.lower()) & (Q(record_id=record_id) | Q(record_ids__contains=[record_id]))
    for label, ids in (related or {}).items():
        if ids:
            where |= Q(model=label, record_id__in=list(ids))
    return list(with_token_holders(AuditEvent.objects.filter(where).order_by("-id"))[:limit])


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
    return {key: (mask_id_number(value) if key in MASKED_KEYS and value else value) for key, value in values.items()}


def usernames(events) -> dict[int, str]:
    """Usernames of the users named by id on these events (tasks carry the id of who queued them)."""
    ids = {e.actor_id for e in events if e.actor_id is not None}
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}

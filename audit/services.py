"""Writes to the trail that the triggers cannot see: showing or exporting full ID numbers.

(Writes of records are captured by the database triggers, not here: see audit/models.py.)
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from .context import current_actor
from .models import Action, AuditEvent, Door


def _label(model) -> str:
    return model if isinstance(model, str) else model._meta.label_lower


def id_numbers_viewed(*, user, model, record_ids: Iterable[int], door: str, request_id: str = "",
                      token_id: int | None = None, action: str = Action.VIEW_ID) -> AuditEvent | None:
    """One event naming every record whose full ID number was shown (a detail page names one, a
    list page or an export many); found by record through the GIN index on record_ids."""
    ids = sorted({int(pk) for pk in record_ids if pk is not None})
    if not ids:
        return None
    # Straight to the primary, outside the replica router: a record of a read is not a "write"
    # that should pin the client to the primary (edu_portal/db_router.py).
    return AuditEvent.objects.using(DEFAULT_DB_ALIAS).create(
        occurred_at=timezone.now(), actor_id=getattr(user, "pk", None),
        actor=user.get_username() if user is not None else "", door=door, token_id=token_id,
        request_id=(request_id or "")[:128], action=action, model=_label(model),
        record_id=ids[0] if len(ids) == 1 else None, record_ids=ids,
    )


def id_numbers_shown(*, request, scope, records, model=None, action: str = Action.VIEW_ID) -> AuditEvent | None:
    """For views: record the records whose ID number this response shows in full (only when the
    scope shows them unmasked and the record has one). `records` are instances with `id_number`."""
    if not scope.can_view_id_numbers:
        return None
    records = list(records)
    ids = [r.pk for r in records if getattr(r, "id_number", None)]
    if not ids:
        return None
    door = Door.API if request.path.startswith("/api/") else Door.WEB
    token = getattr(request, "auth", None)
    return id_numbers_viewed(user=request.user, model=model or type(records[0]), record_ids=ids, door=door,
                             request_id=getattr(request, "request_id", ""), action=action,
                             token_id=getattr(token, "pk", None) if token is not None and not isinstance(
                                 token, (str, bytes)) else None)


def deletion_recorded(*, tombstone) -> AuditEvent:
    """A record deleted (edu_portal.common.tombstones): one event on the tombstone, naming the deleted
    record and the reason, under the actor the triggers would name (audit.context), in the deleting
    transaction, so a deletion rolled back leaves no event. The triggers record the deleted row."""
    actor_id, actor, door, request_id, token_id = current_actor().values()
    return AuditEvent.objects.create(
        occurred_at=timezone.now(), actor_id=actor_id, actor=(actor or "")[:150], door=door, token_id=token_id,
        request_id=(request_id or "")[:128], action=Action.DELETE, model="common.deletedrecord",
        record_id=tombstone.pk,
        before={"kind": tombstone.kind, "record_id": tombstone.record_id, "code": tombstone.code,
                "reason": tombstone.reason},
        changed_fields=["reason"],
    )

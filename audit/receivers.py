"""What the audit app hears from the layers below it, which may not import it (audit/apps.py
connects these)."""
from __future__ import annotations

from .models import Action, Door
from .services import deletion_recorded, id_numbers_shown, id_numbers_viewed


def on_id_numbers_shown(sender, *, request, scope, records, exported: bool = False, **kwargs) -> None:
    """edu_portal.common.signals.id_numbers_shown: a response (page, API, admin) showed full ID
    numbers. `scope` None: the sender checked the right itself (Django admin)."""
    action = Action.EXPORT_ID if exported else Action.VIEW_ID
    if scope is None:
        id_numbers_viewed(user=request.user, model=sender, door=Door.API if request.path.startswith("/api/") else Door.WEB,
                          record_ids=[r.pk for r in records if getattr(r, "id_number", None)],
                          request_id=getattr(request, "request_id", ""), action=action)
        return
    id_numbers_shown(request=request, scope=scope, records=records, model=sender, action=action)


def on_record_deleted(sender, *, tombstone, **kwargs) -> None:
    """edu_portal.common.signals.record_deleted: the reason a record was deleted, under the name of
    whoever deleted it (the triggers record the deleted row itself)."""
    deletion_recorded(tombstone=tombstone)

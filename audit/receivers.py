"""What the audit app hears from the layers below it, which may not import it (audit/apps.py
connects these)."""
from __future__ import annotations

from .models import Action
from .services import id_numbers_shown


def on_id_numbers_shown(sender, *, request, scope, records, exported: bool = False, **kwargs) -> None:
    """edu_portal.common.signals.id_numbers_shown: an API response showed full ID numbers."""
    id_numbers_shown(request=request, scope=scope, records=records, model=sender,
                     action=Action.EXPORT_ID if exported else Action.VIEW_ID)

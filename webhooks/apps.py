from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Webhooks (issue 20): client systems subscribe to events; signed deliveries by Celery, logged, replayable."""

    name = "webhooks"
    verbose_name = _("Webhook")
    nav_group = "admin"  # the menu this app's entries sit under (accounts/context_processors.py)
    nav_items = [("webhooks:list", _("Webhook"), ("ministry", "province"))]

    def ready(self):
        from edu_portal.common.signals import events_emitted

        from .receivers import on_events_emitted

        # The services below emit events in their transaction; the outbox rows are written in it too.
        events_emitted.connect(on_events_emitted, dispatch_uid="webhooks.events_emitted")

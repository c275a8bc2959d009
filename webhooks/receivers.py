"""The signal the services below send inside their transaction (edu_portal.common.events)."""
from .services import events_record


def on_events_emitted(sender, events, **kwargs) -> None:
    # A failure here fails the change: an event promised to a subscriber is not dropped silently.
    events_record(events)

from django import template

from ..selectors import masked, record_history, usernames

register = template.Library()


@register.inclusion_tag("audit/record_history.html")
def audit_history(record):
    """The record's history for its page (the page has already checked the user's scope)."""
    events = record_history(record._meta.label_lower, record.pk)
    names = usernames(events)
    for e in events:
        e.before_shown, e.after_shown = masked(e.before), masked(e.after)
        e.user_name = names.get(e.actor_id, "")
    return {"events": events, "record": record}

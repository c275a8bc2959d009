from django import template

from ..selectors import masked, record_history, usernames

register = template.Library()


# Records shown on their holder's page (prefetched by the page's selector): their writes belong
# to the holder's history.
RELATED = {"students.student": (("enrollments", "students.enrollment"), ("results", "students.academicresult"),
                                ("physical_records", "students.physicalrecord"))}


@register.inclusion_tag("audit/record_history.html")
def audit_history(record):
    """The record's history for its page (the page has already checked the user's scope)."""
    label = record._meta.label_lower
    related = {model: [r.pk for r in getattr(record, name).all()] for name, model in RELATED.get(label, ())}
    events = record_history(label, record.pk, related=related)
    names = usernames(events)
    for e in events:
        e.before_shown, e.after_shown = masked(e.before), masked(e.after)
        e.user_name = names.get(e.actor_id, "")
    return {"events": events, "record": record}

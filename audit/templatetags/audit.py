from django import template

from ..describe import describe
from ..permissions import may_read_trail
from ..selectors import record_history

register = template.Library()


# Records shown on their holder's page (prefetched by the page's selector): their writes belong
# to the holder's history.
RELATED = {"students.student": (("enrollments", "students.enrollment"), ("results", "students.academicresult"),
                                ("physical_records", "students.physicalrecord")),
           "teachers.staffmember": (("postings", "teachers.staffposting"),)}


@register.inclusion_tag("audit/record_history.html", takes_context=True)
def audit_history(context, record):
    """The record's history for its page (the page has already checked the user's scope): its
    changes; and, apart and only for those who may read the trail, who saw its full ID number
    (a page view is not a change, and must not push the changes out of the list)."""
    label = record._meta.label_lower
    related = {model: [r.pk for r in getattr(record, name).all()] for name, model in RELATED.get(label, ())}
    request = context.get("request")
    user = getattr(request, "user", None)
    views = None
    if user is not None and may_read_trail(user) and hasattr(record, "id_number"):
        views = describe(record_history(label, record.pk, log="views"))
    return {"events": describe(record_history(label, record.pk, related=related, log="changes")),
            "views": views, "record": record, "trail_url_model": label}

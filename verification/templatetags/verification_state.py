"""{% identity_state person kind scope %}: the live verification block of a pupil's or staff member's
page (the same template its htmx refresh renders, verification.views.identity_state_view)."""
from django import template

from verification.selectors import identity_state_of

register = template.Library()


@register.inclusion_tag("verification/_identity_state.html")
def identity_state(person, kind: str, scope):
    return {"state": identity_state_of(person=person, kind=kind, scope=scope)}

"""Reads shared by the two moves between schools: a pupil's transfer (students) and a staff member's
reassignment (teachers). Both apps keep their own model and rules; the scope rule and the to-do list's
shape are one, so they live here, below both (the records apps may not import each other)."""
from collections.abc import Callable
from typing import Any, NamedTuple

from django.db.models import QuerySet

from edu_portal.common.exceptions import NotInScope


class MissingData(NamedTuple):
    """One kind of required data a school's records lack: the to-do list's group and the edit form's
    notice read the same definition."""
    key: str
    title: str
    reason: str  # what to do, shown under each record on the to-do list and on top of its edit form
    records: QuerySet
    # The reason for one record, where it says more than `reason` (a pupil without a number: why).
    record_reason: Callable[[Any], str] | None = None


def missing_reasons(gaps: list[MissingData], *, pk: int) -> list[str]:
    """The missing data of one record, in words (the notice on top of its edit form)."""
    return [gap.reason for gap in gaps if gap.records.filter(pk=pk).exists()]


def requests_in_scope(qs: QuerySet, *, scope, status: str | None = None) -> QuerySet:
    """Move requests either side of which is in scope: a school sees what it asked for (incoming) and
    what is asked of it (outgoing), a province those of its schools. `scope` is an accounts Scope
    (duck-typed: the platform layer sits below accounts)."""
    if scope.kind != "country":
        qs = qs.filter(scope.q("from_school") | scope.q("to_school"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def request_in_scope_get(qs: QuerySet, *, scope, pk: int):
    """One request of `requests_in_scope`; outside the scope it does not exist (NotInScope)."""
    request = requests_in_scope(qs, scope=scope).filter(pk=pk).first()
    if request is None:
        raise NotInScope()
    return request

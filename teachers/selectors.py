"""Reads on staff members, always through the caller's scope."""
from django.db.models import QuerySet

from accounts.scope import Scope
from edu_portal.common.exceptions import NotInScope

from .filtersets import StaffFilterSet
from .models import StaffMember


def staff_list(*, scope: Scope, filters: dict | None = None) -> QuerySet[StaffMember]:
    qs = scope.filter(StaffMember.objects.select_related("school", "school__province"))
    filterset = StaffFilterSet(filters, queryset=qs)
    filterset.id_search = scope.can_view_id_numbers
    return filterset.qs


def staff_get(*, scope: Scope, pk: int, for_update: bool = False) -> StaffMember:
    """`for_update` (inside a transaction): the row is locked, for an edit that compares before it writes."""
    qs = scope.filter(StaffMember.objects.select_related("school", "school__province"))
    if for_update:
        qs = qs.select_for_update(of=("self",))
    staff = qs.filter(pk=pk).first()
    if staff is None:
        raise NotInScope()
    return staff

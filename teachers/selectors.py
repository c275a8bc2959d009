"""Reads on staff members, always through the caller's scope."""
from django.db.models import Prefetch, QuerySet

from accounts.scope import Scope
from edu_portal.common.exceptions import NotInScope

from .filtersets import StaffFilterSet
from .models import ReassignmentStatus, StaffMember, StaffPosting, StaffReassignment


def staff_list(*, scope: Scope, filters: dict | None = None) -> QuerySet[StaffMember]:
    qs = scope.filter(StaffMember.objects.select_related("school", "school__province"))
    filterset = StaffFilterSet(filters, queryset=qs)
    filterset.id_search = scope.can_view_id_numbers
    return filterset.qs


def staff_get(*, scope: Scope, pk: int, for_update: bool = False) -> StaffMember:
    """A staff member with their postings (quá trình công tác, newest first). `for_update` (inside a
    transaction): the row is locked, for an edit that compares before it writes."""
    qs = scope.filter(StaffMember.objects.select_related("school", "school__province"))
    if for_update:
        qs = qs.select_for_update(of=("self",))
    staff = qs.prefetch_related(
        Prefetch("postings", queryset=StaffPosting.objects.select_related("school").order_by("-id")),
    ).filter(pk=pk).first()
    if staff is None:
        raise NotInScope()
    return staff


def staff_reassignment_list(*, scope: Scope, status: str | None = None) -> QuerySet[StaffReassignment]:
    """Reassignment requests either side of which is in scope: a school sees what it asked for (incoming)
    and what is asked of it (outgoing), a province those of its schools."""
    qs = StaffReassignment.objects.select_related("staff", "from_school", "to_school", "requested_by",
                                                  "decided_by")
    if scope.kind != "country":
        qs = qs.filter(scope.q("from_school") | scope.q("to_school"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def staff_reassignment_get(*, scope: Scope, pk: int) -> StaffReassignment:
    reassignment = staff_reassignment_list(scope=scope).filter(pk=pk).first()
    if reassignment is None:
        raise NotInScope()
    return reassignment


def staff_in_transit(*, staff: StaffMember) -> StaffReassignment | None:
    """The open request for this member, if any (the staff page says so, and edits wait for the answer)."""
    return StaffReassignment.objects.select_related("to_school").filter(staff=staff, status=ReassignmentStatus.PENDING).first()

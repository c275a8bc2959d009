"""Reads on staff members, always through the caller's scope."""
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.scope import Scope
from edu_portal.common.exceptions import NotInScope
from edu_portal.common.moves import MissingData, missing_reasons, request_in_scope_get, requests_in_scope

from .filtersets import StaffFilterSet
from .models import EmploymentStatus, Position, ReassignmentStatus, StaffMember, StaffPosting, StaffReassignment


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


# Staff a school still employs: a retired, resigned or transferred member keeps the record, unasked.
EMPLOYED = (EmploymentStatus.WORKING, EmploymentStatus.ON_LEAVE)


def staff_missing_data(*, scope: Scope) -> list[MissingData]:
    """What a school must fill in on its staff's records: the số định danh cá nhân, and a teacher's
    main subject (môn dạy chính: the teaching assignment and the teachers-per-subject figures need it;
    the upload leaves it optional because other staff have none). Qualification cannot be missing:
    the model, the upload and the form require it."""
    staff = scope.filter(StaffMember.objects.filter(employment_status__in=EMPLOYED))
    return [
        MissingData("staff_no_id_number", _("Cán bộ chưa có số định danh"),
                    _("Chưa có số định danh cá nhân: bấm Sửa để bổ sung số 12 chữ số (người được xem đầy đủ "
                      "số định danh nhập)."), staff.filter(id_number__isnull=True)),
        MissingData("staff_no_main_subject", _("Giáo viên chưa có môn dạy chính"),
                    _("Giáo viên chưa có môn dạy chính: bấm Sửa để ghi môn dạy."),
                    staff.filter(position=Position.TEACHER, main_subject="")),
    ]


def staff_missing_reasons(*, scope: Scope, staff: StaffMember) -> list[str]:
    """The missing data of one staff member, in words (the notice on top of the edit form)."""
    return missing_reasons(staff_missing_data(scope=scope), pk=staff.pk)


def staff_reassignment_list(*, scope: Scope, status: str | None = None) -> QuerySet[StaffReassignment]:
    """Reassignment requests either side of which is in scope (edu_portal.common.moves)."""
    return requests_in_scope(_reassignments(), scope=scope, status=status)


def staff_reassignment_get(*, scope: Scope, pk: int) -> StaffReassignment:
    return request_in_scope_get(_reassignments(), scope=scope, pk=pk)


def _reassignments() -> QuerySet[StaffReassignment]:
    return StaffReassignment.objects.select_related("staff", "from_school", "to_school", "requested_by",
                                                    "decided_by")


def staff_in_transit(*, staff: StaffMember) -> StaffReassignment | None:
    """The open request for this member, if any (the staff page says so, and edits wait for the answer)."""
    return StaffReassignment.objects.select_related("to_school").filter(staff=staff, status=ReassignmentStatus.PENDING).first()

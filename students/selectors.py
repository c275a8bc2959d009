"""Reads on pupils, always through the caller's scope."""
import datetime as dt

from django.conf import settings
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from accounts.scope import Scope
from edu_portal.common.exceptions import NotInScope
from edu_portal.common.models import current_school_year

from .filtersets import StudentFilterSet
from .models import (
    OPEN_ENROLLMENT,
    AcademicResult,
    Enrollment,
    EnrollmentStatus,
    PhysicalRecord,
    Student,
    TransferRequest,
    TransferStatus,
)


def student_list(*, scope: Scope, filters: dict | None = None) -> QuerySet[Student]:
    """Pupils in scope, in Vietnamese name order, each with their class this school year
    (`current_class`: a subquery PostgreSQL evaluates for the page's rows only)."""
    this_year = Enrollment.objects.filter(OPEN_ENROLLMENT, student=OuterRef("pk"), school_year=current_school_year())
    qs = scope.filter(Student.objects.select_related("school", "school__province")
                      .annotate(current_class=Subquery(this_year.values("class_name")[:1])))
    filterset = StudentFilterSet(filters, queryset=qs)
    filterset.id_search = scope.can_view_id_numbers
    return filterset.qs


def student_get(*, scope: Scope, pk: int, for_update: bool = False) -> Student:
    """A pupil with their enrollments, results and physical records (newest first). `for_update`
    (inside a transaction): the pupil's row is locked, for an edit that compares before it writes."""
    qs = scope.filter(Student.objects.select_related("school", "school__province", "birth_province"))
    if for_update:
        qs = qs.select_for_update(of=("self",))
    student = qs.prefetch_related(
        Prefetch("enrollments", queryset=Enrollment.objects.select_related("school").order_by("-school_year", "-id")),
        Prefetch("results", queryset=AcademicResult.objects.order_by("-school_year", "term")),
        Prefetch("physical_records", queryset=PhysicalRecord.objects.order_by("-measured_on")),
    ).filter(pk=pk).first()
    if student is None:
        raise NotInScope()
    return student


def transfer_list(*, scope: Scope, status: str | None = None) -> QuerySet[TransferRequest]:
    """Transfer requests either side of which is in scope: a school sees what it asked for (incoming)
    and what is asked of it (outgoing), a province those of its schools."""
    qs = TransferRequest.objects.select_related("student", "from_school", "to_school", "requested_by",
                                                "decided_by")
    if scope.kind != "country":
        qs = qs.filter(scope.q("from_school") | scope.q("to_school"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def transfer_get(*, scope: Scope, pk: int) -> TransferRequest:
    transfer = transfer_list(scope=scope).filter(pk=pk).first()
    if transfer is None:
        raise NotInScope()
    return transfer


def transfer_overdue_since() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.TRANSFER_ESCALATE_DAYS)


def transfers_overdue(*, scope: Scope) -> QuerySet[TransferRequest]:
    """Requests the sending school has not answered in TRANSFER_ESCALATE_DAYS days ("chờ xử lý quá
    hạn"): listed for the sending school's province, which may release on its behalf."""
    qs = transfer_list(scope=scope, status=TransferStatus.PENDING).filter(created_at__lt=transfer_overdue_since())
    if scope.kind != "country":
        qs = qs.filter(scope.q("from_school"))
    return qs


def enrollments_transferred_out(*, scope: Scope, since: dt.datetime | None = None) -> QuerySet[Enrollment]:
    """Enrollments closed by a transfer at the schools in scope (changed since `since`): how a client
    syncing the sending school's pupils learns that one left, once the pupil is out of its scope."""
    qs = scope.filter(Enrollment.objects.filter(status=EnrollmentStatus.TRANSFERRED_OUT))
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    return qs

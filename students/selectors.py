"""Reads on pupils, always through the caller's scope."""
import datetime as dt

from django.conf import settings
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value, When
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


TRANSFER_PAGE_LIMIT = 500  # a school's or a province's requests of the year are few; the newest first


def transfer_pages(*, scope: Scope) -> dict[str, QuerySet[TransferRequest]]:
    """The transfers page: requests asked of the scope's schools ("outgoing": they answer) and those
    the scope's schools made ("incoming": they wait), pending first and, among those, the ones
    escalated to the province first. A province holding both schools sees a request on both lists."""
    order = [Case(When(status=TransferStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()),
             F("escalated_at").asc(nulls_last=True), "-created_at", "-id"]
    qs = TransferRequest.objects.select_related("student", "student__school", "from_school", "to_school",
                                                "requested_by", "decided_by")
    if scope.kind == "country":
        # The ministry sees every request once, as the sending side's answerer of last resort.
        return {"outgoing": qs.order_by(*order)[:TRANSFER_PAGE_LIMIT], "incoming": qs.none()}
    return {"outgoing": qs.filter(scope.q("from_school")).order_by(*order)[:TRANSFER_PAGE_LIMIT],
            "incoming": qs.filter(scope.q("to_school")).order_by(*order)[:TRANSFER_PAGE_LIMIT]}


def transfer_pending_of(*, student: Student) -> TransferRequest | None:
    """The pupil's open request, if any (the banner on the pupil's page)."""
    return (TransferRequest.objects.select_related("to_school", "requested_by")
            .filter(student=student, status=TransferStatus.PENDING).first())


def students_awaiting_transfer(*, scope: Scope) -> QuerySet[Student]:
    """"Chờ tiếp nhận": pupils whose school recorded them as leaving by transfer (their latest
    enrollment there is closed as transferred out) and whom no school has taken in yet (they are still
    attached to the old school, with no open enrollment since). Annotated with the year and day they
    left; in Vietnamese name order."""
    left = (Enrollment.objects.filter(student=OuterRef("pk"), school=OuterRef("school"))
            .order_by("-school_year", "-id"))
    studying_since = Enrollment.objects.filter(OPEN_ENROLLMENT, student=OuterRef("pk"),
                                               school_year__gte=OuterRef("left_year"))
    return (scope.filter(Student.objects.select_related("school"))
            .annotate(left_status=Subquery(left.values("status")[:1]), left_year=Subquery(left.values("school_year")[:1]),
                      left_on=Subquery(left.values("left_on")[:1]))
            .filter(left_status=EnrollmentStatus.TRANSFERRED_OUT)
            .exclude(Exists(studying_since)))

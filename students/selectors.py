"""Reads on pupils, always through the caller's scope."""
import datetime as dt
import re

from django.conf import settings
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import COUNTRY, PROVINCE, Scope
from edu_portal.common.exceptions import NotInScope
from edu_portal.common.models import current_school_year
from edu_portal.common.moves import MissingData, missing_reasons, request_in_scope_get, requests_in_scope
from schools.models import School

from .filtersets import StudentFilterSet
from .intake import missing_reason_label
from .models import (
    LEAVING_STATUSES,
    OPEN_ENROLLMENT,
    AcademicResult,
    Enrollment,
    EnrollmentStatus,
    PhysicalRecord,
    Student,
    TransferRequest,
    TransferStatus,
)
from .search import NameSearchResults, is_name_search


def student_list(*, scope: Scope, filters: dict | None = None) -> QuerySet[Student]:
    """Pupils in scope, in Vietnamese name order, each with their grade and class this school year
    (`current_grade`, `current_class`: subqueries PostgreSQL evaluates for the page's rows only)."""
    this_year = Enrollment.objects.filter(OPEN_ENROLLMENT, student=OuterRef("pk"), school_year=current_school_year())
    qs = scope.filter(Student.objects.select_related("school", "school__province")
                      .annotate(current_class=Subquery(this_year.values("class_name")[:1]),
                                current_grade=Subquery(this_year.values("grade")[:1])))
    filterset = StudentFilterSet(filters, queryset=qs)
    filterset.id_search = scope.can_view_id_numbers
    return filterset.qs


# Filters a name search over a country or a province may carry and still walk the name index alone.
_WIDE_SEARCH_FILTERS = {"q", "province", "page", "per_page"}


def student_list_page(*, scope: Scope, filters=None):
    """The list page's rows: a search by name over a country or a province goes through
    students.search (its first pages in the list's order without reading the country); anything else
    is student_list as it is (a school's or a commune's pupils are few enough to sort)."""
    typed = (filters or {}).get("q") or ""
    # The name directory's area: the province chosen, else the scope's. Its pupils are the scope's own
    # (students.search reads them by area): a province's staff who choose another province see nobody,
    # as the plain list answers them.
    area = (filters or {}).get("province") or (scope.province_code if scope.kind == PROVINCE else "")
    if scope.kind not in (COUNTRY, PROVINCE) or not is_name_search(typed) \
            or any(value for key, value in (filters or {}).items() if key not in _WIDE_SEARCH_FILTERS) \
            or (scope.kind == PROVINCE and area != scope.province_code):
        return student_list(scope=scope, filters=filters)
    rest = filters.copy()
    rest["q"] = ""
    # The list without the search: its scope and the model (the search's own list is never read).
    base = student_list(scope=scope, filters=rest)
    return NameSearchResults(base, base, typed, area=area,
                             rows=lambda: student_list(scope=Scope.country(can_view_id_numbers=scope.can_view_id_numbers)))


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


def grade_label(grade: int) -> str:
    return str(_("Mầm non")) if grade == 0 else str(_("Khối %(grade)s") % {"grade": grade})


def _natural(text: str) -> list:
    # 6A2 before 6A10, as a school numbers its classes.
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def class_pickers(*, scope: Scope, school_id: int | None, grade: str = "") -> dict[str, list[tuple] | None]:
    """The grade and class pickers of the pupil list: the grades and the classes that the school has
    this school year (the classes of the chosen grade only, once one is picked). Without one school
    (a province's list across its schools) the grades are every grade and there is no class picker:
    "6A" of one school is not "6A" of another."""
    if school_id is None or not scope.filter(School.objects.filter(pk=school_id), school_field="").exists():
        return {"grade": [(g, grade_label(g)) for g in range(0, 13)], "class_name": None}
    rows = (Enrollment.objects.filter(OPEN_ENROLLMENT, school_id=school_id, school_year=current_school_year())
            .order_by().values_list("grade", "class_name").distinct())
    pairs = sorted(set(rows), key=lambda row: (row[0], _natural(row[1])))
    chosen = int(grade) if grade.isdigit() else None
    return {"grade": [(g, grade_label(g)) for g in sorted({g for g, _c in pairs})],
            "class_name": [(c, c) for g, c in pairs if chosen is None or g == chosen]}


def students_at_school(*, scope: Scope) -> QuerySet[Student]:
    """The pupils a school keeps records of now: in scope, and not leavers (a pupil who dropped out,
    completed, died or moved abroad keeps the school and the history, but nothing is asked of them)."""
    latest = (Enrollment.objects.filter(student=OuterRef("pk"), school=OuterRef("school"))
              .order_by("-school_year", "-id").values("status")[:1])
    return (scope.filter(Student.objects.all()).annotate(latest_status=Subquery(latest))
            # A pupil with no enrollment yet (NULL) is kept: NOT IN alone would drop them.
            .filter(Q(latest_status__isnull=True) | ~Q(latest_status__in=LEAVING_STATUSES)))


def _no_id_number_text() -> str:
    return _("Chưa có số định danh cá nhân: bấm Sửa để bổ sung số 12 chữ số (người được xem đầy đủ "
             "số định danh nhập).")


def _no_id_number_reason(student: Student) -> str:
    """The to-do line of a pupil enrolled without a number: why (students.intake), then what to do."""
    why = missing_reason_label(student.id_number_missing_reason, student.id_number_missing_note)
    return _("Lý do chưa có số định danh: %(why)s. %(todo)s") % {"why": why, "todo": _no_id_number_text()} \
        if why else _no_id_number_text()


def student_missing_data(*, scope: Scope) -> list[MissingData]:
    """What a school must fill in on its pupils' records: the 12-digit số định danh cá nhân (the key of
    the population registry and of the ministry's database) and this school year's grade and class
    (a pupil with no class is in no class list and no statistics). Ethnicity cannot be missing (the
    model keeps a value, the upload and the form require one); the place of birth is optional on the
    upload, so it is not asked for here."""
    pupils = students_at_school(scope=scope)
    year = current_school_year()
    return [
        MissingData("student_no_id_number", _("Học sinh chưa có số định danh"), _no_id_number_text(),
                    pupils.filter(id_number__isnull=True), record_reason=_no_id_number_reason),
        MissingData("student_no_enrollment", _("Học sinh chưa có lớp năm học này"),
                    _("Chưa có khối và lớp năm học %(year)s: bấm Sửa để ghi khối và lớp.")
                    % {"year": f"{year}-{year + 1}"},
                    pupils.exclude(Exists(Enrollment.objects.filter(OPEN_ENROLLMENT, student=OuterRef("pk"),
                                                                     school_year=year)))),
    ]


def student_missing_reasons(*, scope: Scope, student: Student) -> list[str]:
    """The missing data of one pupil, in words (the notice on top of their edit form)."""
    return missing_reasons(student_missing_data(scope=scope), pk=student.pk)


def transfer_list(*, scope: Scope, status: str | None = None) -> QuerySet[TransferRequest]:
    """Transfer requests either side of which is in scope (edu_portal.common.moves)."""
    return requests_in_scope(_transfers(), scope=scope, status=status)


def transfer_get(*, scope: Scope, pk: int) -> TransferRequest:
    return request_in_scope_get(_transfers(), scope=scope, pk=pk)


def _transfers() -> QuerySet[TransferRequest]:
    return TransferRequest.objects.select_related("student", "from_school", "to_school", "requested_by",
                                                  "decided_by")


def transfer_overdue_since() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.TRANSFER_ESCALATE_DAYS)


def transfers_overdue(*, scope: Scope) -> QuerySet[TransferRequest]:
    """Requests the sending school has not answered in TRANSFER_ESCALATE_DAYS days ("chờ xử lý quá
    hạn"): listed for the sending school's province, which may release on its behalf."""
    qs = transfer_list(scope=scope, status=TransferStatus.PENDING).filter(created_at__lt=transfer_overdue_since())
    if scope.kind != "country":
        qs = qs.filter(scope.q("from_school"))
    return qs




def transfer_pages(*, scope: Scope) -> dict[str, QuerySet[TransferRequest]]:
    """The transfers page: requests asked of the scope's schools ("outgoing": they answer) and those
    the scope's schools made ("incoming": they wait), pending first and, among those, the ones
    escalated to the province first. A province holding both schools sees a request on both lists. Paged by
    the page (edu_portal.common.views.list_page)."""
    order = [Case(When(status=TransferStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()),
             F("escalated_at").asc(nulls_last=True), "-created_at", "-id"]
    qs = TransferRequest.objects.select_related("student", "student__school", "from_school", "to_school",
                                                "requested_by", "decided_by")
    if scope.kind == "country":
        # The ministry sees every request once, as the sending side's answerer of last resort.
        return {"outgoing": qs.order_by(*order), "incoming": qs.none()}
    return {"outgoing": qs.filter(scope.q("from_school")).order_by(*order),
            "incoming": qs.filter(scope.q("to_school")).order_by(*order)}


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


def enrollments_transferred_out(*, scope: Scope, since: dt.datetime | None = None) -> QuerySet[Enrollment]:
    """Enrollments closed by a transfer at the schools in scope (changed since `since`): how a client
    syncing the sending school's pupils learns that one left, once the pupil is out of its scope."""
    qs = scope.filter(Enrollment.objects.filter(status=EnrollmentStatus.TRANSFERRED_OUT))
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    return qs

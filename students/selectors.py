"""Reads on pupils, always through the caller's scope."""
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from accounts.scope import Scope
from edu_portal.common.exceptions import NotInScope
from edu_portal.common.models import current_school_year

from .filtersets import StudentFilterSet
from .models import AcademicResult, Enrollment, PhysicalRecord, Student


def student_list(*, scope: Scope, filters: dict | None = None) -> QuerySet[Student]:
    """Pupils in scope, in Vietnamese name order, each with their class this school year
    (`current_class`: a subquery PostgreSQL evaluates for the page's rows only)."""
    this_year = Enrollment.objects.filter(student=OuterRef("pk"), school_year=current_school_year())
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
        Prefetch("enrollments", queryset=Enrollment.objects.select_related("school").order_by("-school_year")),
        Prefetch("results", queryset=AcademicResult.objects.order_by("-school_year", "term")),
        Prefetch("physical_records", queryset=PhysicalRecord.objects.order_by("-measured_on")),
    ).filter(pk=pk).first()
    if student is None:
        raise NotInScope()
    return student

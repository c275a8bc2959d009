"""Reads on schools, always through the caller's scope."""
from django.db.models import QuerySet

from accounts.scope import Scope
from edu_portal.common.exceptions import NotInScope

from .filtersets import SchoolFilterSet
from .models import School


def school_list(*, scope: Scope, filters: dict | None = None) -> QuerySet[School]:
    qs = scope.filter(School.objects.select_related("province", "commune"), school_field="")
    return SchoolFilterSet(filters, queryset=qs).qs


def school_get(*, scope: Scope, pk: int) -> School:
    school = scope.filter(School.objects.select_related("province", "commune", "merged_into"),
                          school_field="").filter(pk=pk).first()
    if school is None:
        raise NotInScope()
    return school


def school_counts(*, school: School) -> dict:
    """Head counts shown on a school's page."""
    from students.models import Student
    from teachers.models import StaffMember

    return {"students": Student.objects.filter(school=school).count(),
            "staff": StaffMember.objects.filter(school=school).count()}

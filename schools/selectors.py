"""Reads on schools, always through the caller's scope."""
from django.db.models import QuerySet

from accounts.scope import Scope
from edu_portal.common.exceptions import NotInScope

from .filtersets import SchoolFilterSet
from .models import School


def school_ids_in_area(*, province_code: str | None = None, commune_code: str | None = None) -> QuerySet:
    """The ids of an area's schools, as a subquery for `school__any_of` (edu_portal.common.lookups
    says why pupils and staff of an area are not found by a join)."""
    qs = School.objects.order_by()
    if province_code is not None:
        qs = qs.filter(province_id=province_code)
    if commune_code is not None:
        qs = qs.filter(commune_id=commune_code)
    return qs.values("pk")


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

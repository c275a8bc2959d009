"""The school a record written through the API points to, and the schools of a page of records:
shared by the pupils' and staff endpoints (students/api/, teachers/api/)."""
from __future__ import annotations

from django.utils.translation import gettext

from edu_portal.common.exceptions import AppError
from schools.models import School


def school_for_write(scope, pk: int | None, *, field: str = "school") -> School:
    """The school a written record points to; one outside the scope is refused the same way as
    one that does not exist, so a client learns nothing about other scopes."""
    school = scope.filter(School.objects.all(), school_field="").filter(pk=pk).first() if pk else None
    if school is None:
        raise AppError(gettext("%(field)s: Không có trường này trong phạm vi của mã truy cập.") % {"field": field},
                       details={field: ["Không có trường này trong phạm vi của mã truy cập."]})
    return school


def attach_schools(rows: list[dict]) -> None:
    """The page's schools (code, province) by a second small query instead of a join: joined,
    PostgreSQL may read the schools' primary key from its start to merge it with one area's
    pupils (national size: 5 ms of a 7 ms page of Hồ Chí Minh City's pupils)."""
    schools = {pk: (code, province) for pk, code, province in
               School.objects.filter(pk__in={r["school_id"] for r in rows}).values_list("pk", "code", "province_id")}
    for row in rows:
        row["school__code"], row["school__province_id"] = schools[row["school_id"]]

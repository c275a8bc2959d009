"""The demo's reporting period (issue 19), so that one full period can be tried at any time of the year:

- a period of the current school year open today (the kind the calendar suggests: start of year from August
  to October, end of semester I from November to February, end of year from March), deadline in 10 days;
- a mistake to fix at the `school` login's school: a pupil entered twice (a second record of a pupil of its
  fullest class, without an ID number), which puts that class over the legal size, a blocking check;
- the other Hà Nội schools (up to OTHER_SUBMITTED; `school2`'s among them) have already submitted, so that
  `hanoi` has reports to approve and one to return.
Idempotent: once the period exists nothing more is planted (a re-run of `make run` keeps what users did).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.models import current_school_year
from reporting.models import ReportingPeriod
from reporting.services import period_create, submission_submit
from schools.models import School
from students.models import Enrollment, Student
from students.services import student_create

OTHER_SUBMITTED = 5


def _kind(today: dt.date) -> str:
    if today.month in (8, 9, 10):
        return "start"
    return "semester_1" if today.month in (11, 12, 1, 2) else "end"


def reporting_demo_ensure(school: School) -> ReportingPeriod | None:
    today = timezone.localdate()
    year = current_school_year()
    if ReportingPeriod.objects.filter(school_year=year).exists():
        return None
    country = Scope.country(can_view_id_numbers=True)
    period = period_create(scope=country, school_year=year, kind=_kind(today),
                           opens_on=today - dt.timedelta(days=10), closes_on=today + dt.timedelta(days=10),
                           expires_on=today + dt.timedelta(days=40))
    _pupil_entered_twice(school, year)
    others = (School.objects.filter(province_id=school.province_id, status="open")
              .exclude(pk=school.pk).order_by("code"))
    submitted = 0
    for other in others[:OTHER_SUBMITTED * 4]:
        try:
            submission_submit(scope=country, user=None, period_id=period.pk, school_id=other.pk)
        except AppError:
            continue  # a school whose data fails a blocking check has not submitted: as in life
        submitted += 1
        if submitted == OTHER_SUBMITTED:
            break
    return period


def _pupil_entered_twice(school: School, year: int) -> None:
    fullest = (Enrollment.objects.filter(school=school, school_year=year, status="studying", grade__gte=1)
               .values("grade", "class_name").annotate(n=Count("id")).order_by("-n", "grade", "class_name").first())
    if fullest is None:
        return
    original = Student.objects.filter(enrollments__school=school, enrollments__school_year=year,
                                      enrollments__class_name=fullest["class_name"]).order_by("pk").first()
    limit = 45 if fullest["grade"] >= 6 else 35
    for n in range(limit - fullest["n"] + 1):
        student_create(scope=Scope.country(can_view_id_numbers=True), school=school,
                       pupil_code=f"{original.pupil_code[:16]}-N{n}", full_name=original.full_name,
                       date_of_birth=original.date_of_birth, gender=original.gender, grade=fullest["grade"],
                       class_name=fullest["class_name"], ethnicity=original.ethnicity,
                       id_number_missing_reason="pending")

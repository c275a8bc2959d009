"""The demo logins of dev settings: ministry, hanoi, school, school2 and school_hcm (see README)."""
from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext

from accounts.models import Role, User
from accounts.services import user_create
from edu_portal.common import period_locks
from edu_portal.common.exceptions import AppError
from edu_portal.common.models import current_school_year
from schools.models import School

from .reporting import reporting_demo_ensure


def _demo_school(province_id: str, *, like: School | None = None, besides: School | None = None) -> School | None:
    """The first open school of a province by code; with `like`, one of the same level first, else a
    multi-level one (liên cấp: every grade), so a pupil transferred between demo schools finds their
    grade there (the services refuse a grade the school does not teach)."""
    schools = School.objects.filter(province_id=province_id, status="open").order_by("code")
    if besides is not None:
        schools = schools.exclude(pk=besides.pk)
    if like is not None:
        return (schools.filter(level=like.level).first() or schools.filter(level="multi_level").first()
                or schools.first())
    return schools.first()


@transaction.atomic
def demo_users_ensure() -> list[User]:
    """The demo logins (ministry, hanoi, three school administrators: two schools of Hà Nội and one
    of Hồ Chí Minh City, so that transfers can be tried within and across provinces); only where
    settings allow demo logins."""
    if not settings.DEMO_LOGINS_ENABLED:
        raise AppError(gettext("Tài khoản demo chỉ có ở môi trường phát triển."), code="demo_disabled")
    school = _demo_school("01")
    if school is None:
        raise AppError(gettext("Chưa có trường nào ở Hà Nội: hãy chạy seed_demo trước."), code="no_demo_school")
    # The transfer logins need a second Hà Nội school and one in Hồ Chí Minh City; a seed too small for
    # them (34 schools: one a province) still gets the three scopes.
    school2 = _demo_school("01", like=school, besides=school)
    school_hcm = _demo_school("79", like=school)
    wanted = [
        dict(username="ministry", role=Role.MINISTRY, full_name="Chuyên viên Bộ GD&ĐT"),
        dict(username="hanoi", role=Role.PROVINCE, province_id="01", full_name="Chuyên viên Sở GD&ĐT Hà Nội"),
        dict(username="school", role=Role.SCHOOL, school_id=school.pk, may_view_id_numbers=True,
             full_name=f"Quản trị {school.name}"),
    ] + [dict(username=name, role=Role.SCHOOL, school_id=other.pk, may_view_id_numbers=True,
              full_name=f"Quản trị {other.name}")
         for name, other in (("school2", school2), ("school_hcm", school_hcm)) if other is not None]
    users = []
    for spec in wanted:
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            users.append(user_create(password=settings.DEMO_PASSWORD, **spec))
            continue
        # Re-running keeps the user (uploads, tokens and the audit trail refer to it).
        user.first_name = spec.pop("full_name")
        for field, value in spec.items():
            setattr(user, field, value)
        user.set_password(settings.DEMO_PASSWORD)
        user.is_active = True
        user.save()
        users.append(user)
    year_end_results_ensure(school)
    # A reporting period to try (issue 19): the school has a mistake to fix before it submits.
    reporting_demo_ensure(school)
    return users


# The share of pupils of the demo school whose whole-year result does not pass (summer re-assessment).
NOT_PASSING_PER_MILLE = 40


def year_end_results_ensure(school: School) -> int:
    """Whole-year results of the current year for the `school` login's pupils who have none, so that a
    demo user can try the year-end (xét lên lớp) at any time of the year: the seed records term 1 only in
    the current year, as a school has in December. Ratings by the circulars' scales (primary: Thông tư
    27/2020; secondary: 22/2021), a few not passing; deterministic. Returns how many were written."""
    with connection.cursor() as cursor:
        # Demo tooling, run again by every `make run`: not a school's edit of a period it reported.
        period_locks.bypass(cursor)
        cursor.execute(f"""
            INSERT INTO students_academicresult (student_id, school_id, school_year, term, learning_rating,
                                                 conduct_rating, subject_scores, created_at, updated_at)
            SELECT e.student_id, e.school_id, e.school_year, 0,
                   CASE WHEN e.grade <= 5 THEN (CASE WHEN e.student_id %% 1000 < {NOT_PASSING_PER_MILLE}
                                                     THEN 'chua_hoan_thanh' ELSE 'hoan_thanh_tot' END)
                        ELSE (CASE WHEN e.student_id %% 1000 < {NOT_PASSING_PER_MILLE} THEN 'chua_dat'
                                   ELSE 'kha' END) END,
                   CASE WHEN e.grade <= 5 THEN 'dat' ELSE 'kha' END, '{{}}'::jsonb, now(), now()
            FROM students_enrollment e
            WHERE e.school_id = %s AND e.school_year = %s AND e.status = 'studying' AND e.grade >= 1
            ON CONFLICT DO NOTHING""", [school.pk, current_school_year()])  # noqa: S608 -- constants only
        return cursor.rowcount

import datetime as dt
import itertools
import random

import pytest

from accounts.scope import Scope
from edu_portal.common.models import current_school_year
from students import services as student_services
from students.models import Student
from teachers.models import StaffMember
from tests.factories import SchoolFactory, make_staff, make_student, real_identity


@pytest.fixture
def world(db, school_a, school_b, school_other_province):
    """Five schools in three provinces with pupils, staff, results and measurements."""
    rng = random.Random(5)
    extra = [SchoolFactory(province_id="79", level="lower_secondary", ownership="private"),
             SchoolFactory(province_id="48", level="preschool")]
    schools = [school_a, school_b, school_other_province, *extra]
    year = current_school_year()
    for school in schools:
        for i in range(rng.randint(3, 6)):
            grade = 0 if school.level == "preschool" else 6 + i % 4 if school.level == "lower_secondary" else 1 + i % 5
            pupil(school, rng=rng, grade=grade)
        make_staff(school)
        make_staff(school, qualification="college", position="teacher")
        make_staff(school, position="principal")
    scope = Scope.country()
    for student in Student.objects.order_by("pk")[::2]:
        student_services.academic_result_record(scope=scope, student=student, school_year=year, term=1,
                                                learning_rating=rng.choice(["tot", "kha", "hoan_thanh"]),
                                                conduct_rating=rng.choice(["tot", "dat"]))
    for student in Student.objects.order_by("pk")[::3]:
        student_services.physical_record_add(scope=scope, student=student, measured_on=measure_day(year),
                                             height_cm=rng.randint(110, 160), weight_kg=rng.randint(20, 60))
    StaffMember.objects.filter(pk__in=StaffMember.objects.order_by("pk").values("pk")[:2]).update(
        verification_status="mismatch", verification_mismatch_fields=["full_name"])
    return schools


_serials = itertools.count(400_000, 13)


def pupil(school, *, rng: random.Random, grade: int = 3):
    """A pupil of random gender with a registry-consistent identity, created through the service."""
    identity = real_identity(serial=next(_serials), gender=rng.choice("MF"), year=2014)
    return make_student(school, grade=grade, class_name=f"{grade}A", **identity)


def measure_day(year: int) -> dt.date:
    from django.utils import timezone

    today = timezone.localdate()
    day = dt.date(year, 10, 1)
    return day if day <= today else today

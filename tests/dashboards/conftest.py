import datetime as dt
import itertools
import random

import pytest

from accounts.scope import Scope
from edu_portal.common.models import current_school_year
from students import services as student_services
from students.assessment.subjects import subjects_for
from students.models import OPEN_ENROLLMENT, AcademicResult, Enrollment, Student
from teachers.models import StaffMember
from tests.dashboards.facilities_data import facilities_world  # noqa: F401 - a fixture of the facilities tests
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
        grade = grade_of(student, year)
        if grade:  # preschool has no results
            result_record(student, year=year, term=1, grade=grade, **random_ratings(rng, grade))
    for student in Student.objects.order_by("pk")[::3]:
        student_services.physical_record_add(scope=scope, student=student, measured_on=measure_day(year),
                                             height_cm=rng.randint(110, 160), weight_kg=rng.randint(20, 60))
    StaffMember.objects.filter(pk__in=StaffMember.objects.order_by("pk").values("pk")[:2]).update(
        verification_status="mismatch", verification_mismatch_fields=["full_name"])
    return schools


_serials = itertools.count(400_000, 13)

# Subject results that give each rating under Circular 22/2021 (every scored subject at this
# average, every commented one Đạt) and 27/2020 (every subject at this level, tests at this score).
SECONDARY_AVERAGE = {"tot": 9.0, "kha": 7.0, "dat": 5.5, "chua_dat": 3.0}
PRIMARY_LEVEL = {"hoan_thanh_xuat_sac": ("Hoàn thành tốt", 10), "hoan_thanh_tot": ("Hoàn thành tốt", 8),
                 "hoan_thanh": ("Hoàn thành", 6), "chua_hoan_thanh": ("Chưa hoàn thành", 6)}


def subjects_giving(grade: int, rating: str) -> dict:
    """The grade's compulsory subjects (and four electives from grade 10), rated to give `rating`."""
    subjects = [s for s in subjects_for(grade) if s.compulsory]
    if grade >= 10:
        subjects += [s for s in subjects_for(grade) if not s.compulsory and s.scored][:4]
    if grade <= 5:
        level, test = PRIMARY_LEVEL[rating]
        return {s.name: {"rating": level, "test": test} if s.has_periodic_test(grade) else level for s in subjects}
    return {s.name: SECONDARY_AVERAGE[rating] if s.scored else "Đạt" for s in subjects}


def random_ratings(rng: random.Random, grade: int) -> dict:
    """A learning and a conduct rating of the grade's scale that can go together."""
    if grade >= 6:
        return {"rating": rng.choice(list(SECONDARY_AVERAGE)), "conduct": rng.choice(["tot", "kha", "dat", "chua_dat"])}
    rating = rng.choice(list(PRIMARY_LEVEL))
    # The top two primary levels need qualities rated Tốt; Hoàn thành needs at least Đạt.
    conduct = ("tot" if rating in ("hoan_thanh_xuat_sac", "hoan_thanh_tot") else
               rng.choice(["tot", "dat"]) if rating == "hoan_thanh" else rng.choice(["tot", "dat", "can_co_gang"]))
    return {"rating": rating, "conduct": conduct}


def grade_of(student, year: int) -> int:
    return Enrollment.objects.get(OPEN_ENROLLMENT, student=student, school_year=year).grade


def result_record(student, *, year: int, term: int, grade: int, rating: str, conduct: str):
    """A result recorded through the service, with subject results that give its rating."""
    return student_services.academic_result_record(
        scope=Scope.country(), student=student, school_year=year, term=term, learning_rating=rating,
        conduct_rating=conduct, subject_scores=subjects_giving(grade, rating))


def pupil(school, *, rng: random.Random, grade: int = 3):
    """A pupil of random gender with a registry-consistent identity, created through the service."""
    # Born in the year that fits the grade (a preschool child must fit an age group).
    age = 4 if grade == 0 else grade + 6
    identity = real_identity(serial=next(_serials), gender=rng.choice("MF"), year=current_school_year() - age)
    return make_student(school, grade=grade, class_name=f"{grade}A", **identity)


def measure_day(year: int) -> dt.date:
    from django.utils import timezone

    today = timezone.localdate()
    day = dt.date(year, 10, 1)
    return day if day <= today else today


@pytest.fixture
def multi_level(db):
    """A multi-level school teaching both scales: four pupils in grade 3 (Circular 27/2020) and two
    in grade 8 (Circular 22/2021) with first-term results, and one grade-4 pupil whose stored
    rating is of the secondary scale (as schools' files had them before ratings followed the grade)."""
    rng = random.Random(11)
    school = SchoolFactory(level="multi_level", province_id="01")
    year = current_school_year()
    for grade, rating, conduct in [(3, "hoan_thanh_xuat_sac", "tot"), (3, "hoan_thanh_tot", "tot"),
                                   (3, "hoan_thanh", "dat"), (3, "hoan_thanh", "tot"),
                                   (8, "tot", "tot"), (8, "kha", "kha")]:
        result_record(pupil(school, rng=rng, grade=grade), year=year, term=1, grade=grade, rating=rating,
                      conduct=conduct)
    legacy = pupil(school, rng=rng, grade=4)
    result_record(legacy, year=year, term=1, grade=4, rating="hoan_thanh", conduct="dat")
    AcademicResult.objects.filter(student=legacy).update(learning_rating="tot", conduct_rating="kha")
    return school

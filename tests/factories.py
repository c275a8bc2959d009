"""factory_boy factories. Records are created through the services where a service exists, so
that tests see the same validation and side effects as the product."""
from __future__ import annotations

import datetime as dt
import itertools

import factory

from accounts.models import Role, User
from accounts.scope import Scope
from demo_population.truth import citizen_for, id_number_for
from schools.models import School
from students import services as student_services
from teachers import services as staff_services

_codes = itertools.count(1)
SEED = 2026


def next_code(prefix: str) -> str:
    return f"{prefix}{next(_codes):07d}"


def commune_of(province_code: str) -> str:
    from geo.models import Commune

    return Commune.objects.filter(province_id=province_code).order_by("code").values_list("code", flat=True)[0]


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    code = factory.LazyFunction(lambda: next_code("T"))
    name = factory.Sequence(lambda n: f"Trường Tiểu học Thử Nghiệm {n}")
    level = "primary"
    ownership = "public"
    province_id = "01"
    commune_id = factory.LazyAttribute(lambda o: commune_of(o.province_id))
    address = "1 Phố Thử"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.MINISTRY
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-2026")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def real_identity(*, serial: int, year: int = 2015, gender: str = "F", legacy: str = "001") -> dict:
    """An identity that the mock registry's truth confirms (MATCH)."""
    for s in itertools.count(serial):
        citizen = citizen_for(id_number_for(legacy_province_code=legacy, year_of_birth=year,
                                            gender=gender, serial=s % 1_000_000), SEED)
        if citizen:
            return {"id_number": citizen.id_number, "full_name": citizen.full_name,
                    "date_of_birth": citizen.date_of_birth, "gender": citizen.gender}
    raise AssertionError("unreachable")


_serials = itertools.count(1000)


def make_student(school: School, **overrides):
    """A pupil created through student_create, with a registry-consistent identity by default."""
    identity = real_identity(serial=next(_serials) * 7)
    data = dict(pupil_code=next_code("HS"), grade=3, class_name="3A", **identity)
    data.update(overrides)
    if not data.get("id_number"):
        # A pupil without a number is enrolled with a reason (students.intake).
        data.setdefault("id_number_missing_reason", "pending")
    return student_services.student_create(scope=Scope.country(can_view_id_numbers=True), school=school, **data)


def make_staff(school: School, **overrides):
    identity = real_identity(serial=next(_serials) * 7, year=1985, gender="M")
    data = dict(staff_code=next_code("CB"), qualification="bachelor", **identity)
    data.update(overrides)
    return staff_services.staff_create(scope=Scope.country(can_view_id_numbers=True), school=school, **data)


def ymd(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def teaching_every_grade(school):
    """Make `school` a multi-level one (liên cấp), where grades 0-12 may all be enrolled
    (schools.models.LEVEL_GRADES): for tests that need pupils of several levels in one school."""
    school.level = "multi_level"
    school.save(update_fields=["level"])
    return school

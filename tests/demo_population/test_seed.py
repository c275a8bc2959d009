"""seed_demo: deterministic, realistic, and planted so that verification comes out as designed."""
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from demo_population.load import geography
from demo_population.seed import plan_make
from demo_population.services import demo_users_ensure
from students.models import Student
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_the_plan_is_deterministic_and_covers_every_province():
    geo = geography()
    first, second = (plan_make(n_schools=60, seed=7, geo=geo) for _ in range(2))
    assert first == second
    assert {s.province for s in first.schools} == set(geo.provinces)
    assert plan_make(n_schools=60, seed=8, geo=geo) != first


def test_seed_refuses_to_run_twice_without_flush_and_if_empty_skips():
    call_command("seed_demo", schools=34, workers=1)
    count = Student.objects.count()
    call_command("seed_demo", schools=34, workers=1, if_empty=True)
    assert Student.objects.count() == count
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo", schools=34, workers=1)


def test_demo_logins_have_the_three_scopes_and_three_schools():
    call_command("seed_demo", schools=34, workers=1)  # one school per province
    demo_users_ensure()  # too few schools for the transfer logins: the three scopes still
    assert set(User.objects.values_list("username", flat=True)) == {"ministry", "hanoi", "school", "school_hcm"}
    SchoolFactory(province_id="01", level="secondary")
    call_command("create_demo_users")
    call_command("create_demo_users")  # idempotent
    users = {u.username: u for u in User.objects.all()}
    assert users["ministry"].role == "ministry"
    assert users["hanoi"].province_id == "01"
    assert users["school"].school.province_id == "01"
    assert users["school"].check_password("edu-demo-2026")
    # Transfers can be tried within Hà Nội and from Hà Nội to Hồ Chí Minh City, between school administrators.
    assert users["school2"].role == users["school_hcm"].role == "school"
    assert users["school2"].school.province_id == "01" and users["school2"].school != users["school"].school
    assert users["school_hcm"].school.province_id == "79"
    assert users["school2"].check_password("edu-demo-2026") and users["school_hcm"].check_password("edu-demo-2026")
    # A pupil of `school` must find their grade at school2: same level, else a multi-level school.
    multi_level = SchoolFactory(province_id="01", level="multi_level", code="Z0000001")
    demo_users_ensure()
    school2 = User.objects.get(username="school2").school
    assert school2.level == users["school"].school.level or school2 == multi_level


def test_planted_duplicates_are_deterministic_and_mostly_at_a_second_school():
    import csv

    from demo_population.seed import province_rows, tone_placement_swapped

    geo = geography()
    plan = plan_make(n_schools=400, seed=2026, geo=geo)
    province = max(geo.provinces, key=lambda p: sum(s.pupils for s in plan.schools if s.province == p))
    today = timezone.localdate()
    runs = [province_rows(plan=plan, province=province, seed=2026, school_year=2026, today=today,
                          legacy_codes=geo.legacy[province]) for _ in range(2)]
    assert {k: b.getvalue() for k, b in runs[0].items()} == {k: b.getvalue() for k, b in runs[1].items()}
    # Mostly the same child at a second school (moved without a transfer), sometimes twice at one.
    school_of = {int(row[0]): row[8] for row in csv.reader(io.StringIO(runs[0]["student"].getvalue()))}
    pairs = [(int(a), int(b)) for a, b, _kind in csv.reader(io.StringIO(runs[0]["duplicate"].getvalue()))]
    assert len(pairs) > 10
    assert sum(school_of[a] != school_of[b] for a, b in pairs) > len(pairs) / 2
    assert tone_placement_swapped("Nguyễn Thị Thủy") == "Nguyễn Thị Thuỷ"
    assert tone_placement_swapped("Lê Văn Hoà") == "Lê Văn Hòa" and tone_placement_swapped("Hoàng An") == "Hoàng An"

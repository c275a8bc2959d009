"""Vietnamese name order (edu_portal.common.names): given name, then middle, then family name,
under Vietnamese collation, on every page that lists people; and an index that serves it."""
import datetime as dt
import random

import pytest
from django.db import connection

from accounts.scope import PROVINCE, Scope
from edu_portal.common.names import family_name, given_name, middle_name, vietnamese_order
from students.models import Student
from students.selectors import student_list
from tests.factories import SchoolFactory, make_staff, make_student
from verification.models import VerificationStatus

pytestmark = pytest.mark.django_db

# A class list as a Vietnamese teacher would read it. Each neighbour pair is chosen to break an
# older or simpler order: given name first (the old lists sorted "Vũ Thị An" last, by "V"); equal
# given names by middle name ("Đinh Thị Bình" before "Nguyễn Văn Bình"), then by family name ("Hồ"
# before "Huỳnh", which byte order puts the other way round); a < ă < â and d < đ as letters of
# their own ("Anh" before "Ân", "Bảo" before "Bằng", "Dũng" before "Đức": a collation that treats
# them as accented a/d, ICU's root, gives the opposite); the tone decides before the middle name
# ("Trịnh Thu Hà" before "Lê Thị Hạ"); two-word and one-word names; a four-word name, whose
# middle name is two words ("Thị Minh"), after a two-word one with no middle name.
CLASS_LIST = ["Vũ Thị An", "Trần Thị Anh", "Trần Văn Ân", "Lê Văn Bảo", "Đỗ Thị Bằng", "Đinh Thị Bình",
              "Nguyễn Văn Bình", "Hồ Văn Cường", "Huỳnh Văn Cường", "Phạm Dũng", "Lý Đức", "Trịnh Thu Hà",
              "Lê Thị Hạ", "Hùng", "Lê Khai", "Nguyễn Thị Minh Khai"]


def shuffled(names: list[str]) -> list[str]:
    """The names in an order unlike the expected one, so that neither the pk nor the order of
    creation can pass for the name order."""
    names = list(names)
    random.Random(14).shuffle(names)
    assert names != CLASS_LIST
    return names


def test_the_class_list_breaks_the_old_order():
    # Otherwise the tests below could not tell the new order from the old one (full name, C collation).
    assert sorted(CLASS_LIST, key=lambda n: n.encode()) != CLASS_LIST


@pytest.mark.parametrize(("name", "parts"), [
    ("Nguyễn Văn An", ("An", "Văn", "Nguyễn")),
    ("Nguyễn Thị Minh Khai", ("Khai", "Thị Minh", "Nguyễn")),
    ("Lê Khai", ("Khai", "", "Lê")),
    ("Hùng", ("Hùng", "", "Hùng")),
])
def test_the_parts_of_a_name(school_a, name, parts):
    make_student(school_a, full_name=name)
    row = Student.objects.annotate(g=given_name(), m=middle_name(), f=family_name()).values_list("g", "m", "f").get()
    assert row == parts


def test_the_database_orders_names_the_vietnamese_way(school_a):
    for name in shuffled(CLASS_LIST):
        make_student(school_a, full_name=name)
    assert list(Student.objects.values_list("full_name", flat=True)) == CLASS_LIST
    assert list(Student.objects.order_by(*vietnamese_order(), "pk").values_list("full_name", flat=True)) == CLASS_LIST


def test_a_schools_pupil_list_reads_in_vietnamese_order(client, school_a, school_b, school_user):
    for name in shuffled(CLASS_LIST):
        make_student(school_a, full_name=name, class_name="3A")
    make_student(school_b, full_name="Vũ Thị A")  # another school's pupil: not on this list
    client.force_login(school_user)
    page = client.get("/students/", {"school": school_a.pk, "per_page": 100})
    assert [s.full_name for s in page.context["page"]] == CLASS_LIST
    html = page.content.decode()
    assert [html.index(f">{name}</a>") for name in CLASS_LIST] == sorted(html.index(f">{name}</a>") for name in CLASS_LIST)


def test_a_province_list_reads_in_vietnamese_order_across_its_schools(client, school_a, school_b, province_user):
    for i, name in enumerate(shuffled(CLASS_LIST)):
        make_student(school_a if i % 2 else school_b, full_name=name)
    client.force_login(province_user)
    assert [s.full_name for s in client.get("/students/", {"per_page": 25}).context["page"]] == CLASS_LIST


def test_a_schools_staff_list_reads_in_vietnamese_order(client, school_a, school_user):
    for name in shuffled(CLASS_LIST):
        make_staff(school_a, full_name=name)
    client.force_login(school_user)
    page = client.get("/staff/", {"school": school_a.pk, "per_page": 100})
    assert [s.full_name for s in page.context["page"]] == CLASS_LIST


def test_the_verification_failures_list_reads_in_vietnamese_order_within_each_school(client, school_a, school_b,
                                                                                    school_user, province_user):
    for i, name in enumerate(shuffled(CLASS_LIST)):
        make_student(school_a if i % 2 else school_b, full_name=name)
    Student.objects.update(verification_status=VerificationStatus.MISMATCH)
    client.force_login(province_user)
    rows = [(s.school.name, s.full_name) for s in client.get("/verification/failures/").context["page"]]
    by_school = {school: [n for s, n in rows if s == school] for school in (school_a.name, school_b.name)}
    assert [s for s, _ in rows] == sorted(s for s, _ in rows)  # schools by name, as before
    for names in by_school.values():
        assert names == [n for n in CLASS_LIST if n in names]


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Ngọc", "Hữu", "Thanh", "", "Thị Minh"]
GIVEN = ["An", "Anh", "Ân", "Bảo", "Bằng", "Bình", "Cường", "Dũng", "Đức", "Hà", "Hạ", "Hùng", "Khai", "Linh",
         "Mai", "Nam", "Oanh", "Phúc", "Quân", "Sơn", "Tâm", "Uyên", "Vy", "Yến"]


def _random_pupils(schools, count: int, *, prefix: str, seed: int) -> None:
    """`count` pupils with everyday names spread over `schools`, analysed for the planner."""
    rng = random.Random(seed)
    Student.objects.bulk_create([
        Student(pupil_code=f"{prefix}{i:07d}", date_of_birth=dt.date(2015, 1, 1), gender="F",
                school=schools[i % len(schools)],
                full_name=" ".join(filter(None, (rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)))))
        for i in range(count)], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE students_student")


def test_province_and_school_pages_are_served_by_the_name_indexes(school_other_province):
    """With enough rows for the planner to care (20,000 pupils in 21 schools), a page of a
    province's pupils walks student_vi_name_search (its keys begin with the order) and a school's walks
    student_school_vi_name: no sort
    of the whole province. Written as the list page writes it (selector, then a slice)."""
    schools = [SchoolFactory(province_id="01") for _ in range(20)] + [school_other_province]
    _random_pupils(schools, 20_000, prefix="HSPLAN", seed=14)
    province = student_list(scope=Scope(PROVINCE, province_code="01"), filters={})
    school = student_list(scope=Scope.country(), filters={"school": str(schools[0].pk)})
    for queryset, index in ((province, "student_vi_name_search"), (school, "student_school_vi_name")):
        for first in (0, 200):  # the first page and the ninth
            plan = queryset[first:first + 25].explain()
            assert f"using {index} " in plan and "Sort" not in plan, plan
    # What the test tells apart: the old order (full name, C collation) had no index serving it.
    assert "Sort" in province.order_by("full_name", "pk")[:25].explain()


def test_a_class_list_shows_one_class_in_vietnamese_order(client, school_a, school_user):
    """?class_name= (and ?grade=) pick the class of this school year; the list shows each pupil's class."""
    for name in shuffled(CLASS_LIST):
        make_student(school_a, full_name=name, grade=3, class_name="3A")
    make_student(school_a, full_name="Vũ Thị A", grade=3, class_name="3B")  # the class next door
    make_student(school_a, full_name="Trần Văn Ba", grade=4, class_name="4A")
    client.force_login(school_user)
    page = client.get("/students/", {"class_name": "3a", "per_page": 100})
    assert [s.full_name for s in page.context["page"]] == CLASS_LIST
    assert {s.current_class for s in page.context["page"]} == {"3A"}
    assert '<td data-testid="class">3A</td>' in page.content.decode()
    grade_3 = client.get("/students/", {"grade": 3, "per_page": 100}).context["page"]
    assert [s.full_name for s in grade_3] == ["Vũ Thị A", *CLASS_LIST]  # given name "A" before "An"


def test_a_communes_list_is_sorted_in_the_same_order_not_walked_through_the_country(school_a):
    """A commune's few pupils among many are found by school and sorted (names.vietnamese_order_by_sorting):
    the same order, and a plan that does not walk the country's name index testing every row's school."""
    from geo.models import Commune

    elsewhere = Commune.objects.filter(province_id="01").exclude(code=school_a.commune_id).values_list("code", flat=True)[0]
    others = [SchoolFactory(province_id="01", commune_id=elsewhere) for _ in range(20)]
    here = SchoolFactory(province_id="01", commune_id=school_a.commune_id)
    for name in shuffled(CLASS_LIST):
        make_student(here, full_name=name)
    _random_pupils(others, 20_000, prefix="HSCOM", seed=15)
    commune = student_list(scope=Scope.country(), filters={"commune": school_a.commune_id})
    assert list(commune.values_list("full_name", flat=True)) == CLASS_LIST  # school_a has no pupils
    # At national size the planner walked the country's name index for this (10 s on page 40): the ORDER BY
    # is written so that no index can match it, whatever the planner's estimates.
    plan = commune[975:1000].explain()
    assert "student_vi_name" not in plan and "Sort" in plan, plan
    assert "concat(" in str(commune.query).lower()

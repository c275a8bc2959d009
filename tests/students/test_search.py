"""students.search: a name search over a country or a province answers exactly what the plain list
answers (same pupils, same order, every page), whichever of its steps finds them: the capped walk, the
walk of the name directory, or the directory's trigram index; and the directory (PupilName) keeps up
with every write of a name or a school."""
import pytest
from django.db import connection
from django.urls import reverse

from accounts.scope import PROVINCE, SCHOOL, Scope
from students import search
from students.models import PupilName, Student
from students.search import NameSearchResults, fold
from students.selectors import student_list, student_list_page
from tests.factories import make_student

pytestmark = pytest.mark.django_db

NAMES = [
    "Nguyễn Thị Trang", "Lê Trang Anh", "Trần Thị Tráng", "Phạm Thị Trâm", "Đỗ Quang Huy", "Đỗ Quang Huỳnh",
    "Nguyễn Văn An", "Nguyễn Ân", "Nguyễn Văn Anh", "Dương Văn Ánh", "Lê Văn Đức", "Lê Minh Dục",
    "Hoàng Ngọc Anh", "Nguyễn Thị Thu Trang", "Nguyễn Thu Hà", "Bùi Gia Bảo", "Đặng Thu Thảo", "Vũ Đức Duy",
    "Trương Thị Thuỷ", "Nguyễn Thị Thúy", "Ka Trang", "Trang", "H'Hen Niê", "Trần Đình Ưng", "Ưng Hoàng Phúc",
    "Nguyễn Văn Trang", "Lò Thị Ơn", "Phan Ơn Lâm", "Y Trang Niê",
]
QUERIES = [
    "trang", "tra", "trâm", "tram", "an", "anh", "duc", "đức", "d", "thu", "thu trang", "thi trang",
    "do quang huy", "do quang h", "quang", "nguyen", "nguyen van", "van a", "ung", "ưng", "h'hen", "hen",
    "ka trang", "nguyen thi thuy", "thuy", "thuý", "on", "ơn lam", "y trang", "x", "TRANG", "Nguyễn Văn",
]


@pytest.fixture
def pupils(school_a, school_other_province):
    made = [make_student(school_a if i % 2 else school_other_province, full_name=name, id_number=None)
            for i, name in enumerate(NAMES)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE students_student")
    return made


def plain(scope, typed) -> list[int]:
    return list(student_list(scope=scope, filters={"q": typed}).values_list("pk", flat=True))


def pages(results: NameSearchResults, per_page: int = 4) -> list[int]:
    ids, start = [], 0
    while True:
        chunk = [s.pk for s in results[start:start + per_page]]
        ids += chunk
        if len(chunk) < per_page:
            return ids
        start += per_page


@pytest.mark.parametrize("names_cap", [1, 2, 10_000])
@pytest.mark.parametrize("scope", [Scope.country(), Scope(PROVINCE, province_code="01")], ids=["country", "province"])
def test_every_page_is_the_plain_lists_page(pupils, monkeypatch, names_cap, scope):
    # Each step answers in turn: a walk of the names that gives up at once leaves it to the trigram
    # index; a walk of 10,000 reads every name.
    monkeypatch.setattr(search, "NAMES_WALK_CAP", names_cap)
    for typed in QUERIES:
        results = student_list_page(scope=scope, filters={"q": typed})
        assert isinstance(results, NameSearchResults)
        assert pages(results) == plain(scope, typed), typed


def test_the_step_each_kind_of_query_takes(pupils, monkeypatch):
    country = Scope.country()

    def step(typed):
        results = student_list_page(scope=country, filters={"q": typed})
        results[0:10]
        return results.step

    assert step("trang") == "names"  # the directory holds fewer names than its walk reads
    monkeypatch.setattr(search, "NAMES_WALK_CAP", 2)
    assert step("trang") == "trigrams"
    # The second name in the list's order, typed whole: within a walk of two names.
    _first, second = student_list(scope=country)[:2]
    found = student_list_page(scope=country, filters={"q": fold(second.full_name)})
    assert [s.pk for s in found[0:1]] == [second.pk] and found.step == "names"


def test_a_province_sees_its_own_pupils_only(pupils, monkeypatch):
    monkeypatch.setattr(search, "NAMES_WALK_CAP", 2)
    hanoi = Scope(PROVINCE, province_code="01")
    found = [s.pk for s in student_list_page(scope=hanoi, filters={"q": "trang"})[0:50]]
    assert found and set(Student.objects.filter(pk__in=found).values_list("school__province_id", flat=True)) == {"01"}
    # Another province chosen by a province's staff: nobody (their scope stays theirs).
    assert list(student_list_page(scope=hanoi, filters={"q": "trang", "province": "79"})[0:50]) == []


@pytest.mark.parametrize("names_cap", [2, 10_000])
def test_the_ministry_choosing_a_province_gets_the_plain_lists_pages(pupils, monkeypatch, names_cap):
    monkeypatch.setattr(search, "NAMES_WALK_CAP", names_cap)
    for typed in QUERIES:
        filters = {"q": typed, "province": "79"}
        results = student_list_page(scope=Scope.country(), filters=filters)
        assert isinstance(results, NameSearchResults)
        expected = list(student_list(scope=Scope.country(), filters=filters).values_list("pk", flat=True))
        assert pages(results) == expected, typed


def test_the_directory_follows_names_and_schools(school_a, school_other_province):
    def names(area):
        return set(PupilName.objects.filter(area=area).values_list("full_name", flat=True))

    pupil = make_student(school_a, full_name="Nguyễn Thị Mới", id_number=None)
    assert "Nguyễn Thị Mới" in names("01") and "Nguyễn Thị Mới" in names("")
    Student.objects.filter(pk=pupil.pk).update(full_name="Nguyễn Thị Đổi")
    assert "Nguyễn Thị Đổi" in names("01") and "Nguyễn Thị Đổi" in names("")
    Student.objects.filter(pk=pupil.pk).update(school=school_other_province)
    assert "Nguyễn Thị Đổi" in names("79")
    # A school moved to another province (the 2025 merger) takes its pupils' names there.
    make_student(school_other_province, full_name="Lê Văn Chuyển", id_number=None)
    assert "Lê Văn Chuyển" not in names("01")
    type(school_a).objects.filter(pk=school_other_province.pk).update(province_id="01")
    assert "Lê Văn Chuyển" in names("01")
    row = PupilName.objects.get(area="", full_name="Nguyễn Thị Đổi")
    assert (row.given, row.middle, row.family, row.folded) == ("Đổi", "Thị", "Nguyễn", " nguyen thi doi")
    # Rows written without triggers (the seeders' COPY) are added by the fill, once.
    PupilName.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pupil_names_fill()")
        cursor.execute("SELECT pupil_names_fill()")
    assert PupilName.objects.filter(area="").count() == Student.objects.values("full_name").distinct().count()


def test_a_code_typed_finds_its_pupil_on_any_step(pupils, monkeypatch):
    monkeypatch.setattr(search, "NAMES_WALK_CAP", 2)
    pupil = pupils[3]
    results = student_list_page(scope=Scope.country(), filters={"q": pupil.pupil_code})
    assert [s.pk for s in results[0:5]] == plain(Scope.country(), pupil.pupil_code) == [pupil.pk]


def test_count_is_exact_when_few_match_and_estimated_otherwise(pupils, monkeypatch):
    expected = len(plain(Scope.country(), "trang"))
    results = student_list_page(scope=Scope.country(), filters={"q": "trang"})
    assert results.count() == expected and not results.estimated
    monkeypatch.setattr(search, "NAMES_WALK_CAP", 2)
    few = student_list_page(scope=Scope.country(), filters={"q": "trang"})
    assert few.count() == expected and not few.estimated
    monkeypatch.setattr(search, "COUNT_EXACT", 3)
    many = student_list_page(scope=Scope.country(), filters={"q": "trang"})
    assert many.count() >= 3 and many.estimated
    # The first pages are never cut short by an estimate below what was found.
    assert [s.pk for s in many[0:3]] == plain(Scope.country(), "trang")[:3]


def test_other_filters_and_small_scopes_keep_the_plain_list(pupils, school_a):
    assert not isinstance(student_list_page(scope=Scope.country(), filters={"q": "trang", "gender": "F"}),
                          NameSearchResults)
    school = Scope(SCHOOL, school_id=school_a.pk, province_code="01")
    assert not isinstance(student_list_page(scope=school, filters={"q": "trang"}), NameSearchResults)
    assert not isinstance(student_list_page(scope=Scope.country(), filters={"q": "012345678901"}),
                          NameSearchResults)


def test_fold_drops_diacritics_case_and_spaces():
    assert fold("  Nguyễn   ĐỨC ") == "nguyen duc"


def test_the_list_page_searches_a_country_and_says_the_count_is_about(client, ministry_user, pupils, monkeypatch):
    monkeypatch.setattr(search, "NAMES_WALK_CAP", 2)
    monkeypatch.setattr(search, "COUNT_EXACT", 5)
    client.force_login(ministry_user)
    page = client.get(reverse("students:list"), {"q": "trang"})
    assert page.status_code == 200
    body = page.content.decode()
    for name in ("Nguyễn Thị Trang", "Lê Trang Anh", "Ka Trang", "Y Trang Niê"):
        assert name in body
    assert "Phạm Thị Trâm" not in body
    assert "khoảng" in body


@pytest.mark.parametrize("cap", [2, 10_000])
def test_a_code_typed_is_counted_and_listed(pupils, monkeypatch, cap):
    monkeypatch.setattr(search, "NAMES_WALK_CAP", cap)
    pupil = pupils[5]
    results = student_list_page(scope=Scope.country(), filters={"q": pupil.pupil_code})
    assert results.count() == 1 and [s.pk for s in results[0:25]] == [pupil.pk]

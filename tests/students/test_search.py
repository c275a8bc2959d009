"""students.search: a name search over a country or a province answers exactly what the plain list
answers (same pupils, same order, every page), whichever of its steps finds them: the capped walk, the
given-name blocks with the heads' index, or the heads' index alone."""
import pytest
from django.db import connection
from django.urls import reverse

from accounts.scope import PROVINCE, SCHOOL, Scope
from students import search
from students.search import NameSearchResults, fold, spellings
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


@pytest.mark.parametrize(("cap", "long_cap", "block_cap"), [(2, 2, 2), (2, 2, 10_000), (2, 10_000, 2), (10_000, 2, 2)])
@pytest.mark.parametrize("scope", [Scope.country(), Scope(PROVINCE, province_code="01")], ids=["country", "province"])
def test_every_page_is_the_plain_lists_page(pupils, monkeypatch, cap, long_cap, block_cap, scope):
    # Each step answers in turn: walks that give up at once leave it to the given-name blocks (whole
    # blocks, or none for several words) and the heads' index; a walk of 10,000 reads the scope whole.
    monkeypatch.setattr(search, "WALK_CAP", cap)
    monkeypatch.setattr(search, "LONG_WALK_CAP", long_cap)
    monkeypatch.setattr(search, "BLOCK_WALK_CAP", block_cap)
    for typed in QUERIES:
        results = student_list_page(scope=scope, filters={"q": typed})
        assert isinstance(results, NameSearchResults)
        assert pages(results) == plain(scope, typed), typed


def test_the_step_each_kind_of_query_takes(pupils, monkeypatch):
    for cap in ("WALK_CAP", "LONG_WALK_CAP", "BLOCK_WALK_CAP"):
        monkeypatch.setattr(search, cap, 2)
    country = Scope.country()
    # One word: the given-name blocks answer (with the heads' index for Lê Trang Anh).
    trang = student_list_page(scope=country, filters={"q": "trang"})
    blocks = trang._given_blocks(10)
    assert blocks is not None
    assert {"Nguyễn Thị Trang", "Trần Thị Tráng", "Ka Trang", "Trang"} <= set(
        trang.base.filter(pk__in=blocks).values_list("full_name", flat=True))
    # Several words whose last one's block is longer than the walk may read: step 3.
    assert student_list_page(scope=country, filters={"q": "do quang huy"})._given_blocks(10) is None
    steps = {}
    for typed in ("trang", "do quang huy", "h'hen"):
        results = student_list_page(scope=country, filters={"q": typed})
        results[0:10]
        steps[typed] = results.step
    assert steps == {"trang": "blocks", "do quang huy": "heads", "h'hen": "sorted"}
    monkeypatch.setattr(search, "LONG_WALK_CAP", 10_000)
    results = student_list_page(scope=country, filters={"q": "nguyen van"})
    results[0:10]
    assert results.step == "long walk"


def test_a_code_typed_finds_its_pupil_on_any_step(pupils, monkeypatch):
    monkeypatch.setattr(search, "WALK_CAP", 2)
    pupil = pupils[3]
    results = student_list_page(scope=Scope.country(), filters={"q": pupil.pupil_code})
    assert [s.pk for s in results[0:5]] == plain(Scope.country(), pupil.pupil_code) == [pupil.pk]


def test_count_is_exact_when_the_walk_read_the_scope_or_few_match_and_estimated_otherwise(pupils, monkeypatch):
    expected = len(plain(Scope.country(), "trang"))
    results = student_list_page(scope=Scope.country(), filters={"q": "trang"})
    assert results.count() == expected and not results.estimated
    monkeypatch.setattr(search, "WALK_CAP", 2)
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


def test_spellings_restore_the_letters_diacritics_fold_away():
    assert spellings("an") == ["an", "ăn", "ân"]
    assert set(spellings("duc")) == {"duc", "dưc", "đuc", "đưc"}
    assert spellings("trang") == ["trang", "trăng", "trâng"]
    assert spellings("oaoaoa") is None  # 729 spellings: step 3 instead
    assert fold("  Nguyễn   ĐỨC ") == "nguyen duc"


def test_given_names_lie_in_the_ranges_of_their_folded_beginnings():
    """The ICU property step 2 rests on: a given name whose folded form begins with a word sorts, under
    the Vietnamese collation, inside [s, s + U+FFFF) of one of the word's spellings s; and a name whose
    folded form does not begin with it sorts in none of them."""
    names = sorted({n.split(" ")[-1] for n in NAMES} | {"Ánh", "Ảnh", "Anh", "Ăn", "Ấn", "Đào", "Dao", "Dạo",
                                                         "Ðức", "Thuỷ", "Thủy", "Ưng", "Ửng", "Ơn", "Ôn",
                                                         "Yến", "Yên", "Yen", "H'Hen", "Ka-Trang", "TRANG"})
    with connection.cursor() as cursor:
        for name in names:
            folded = fold(name)
            for size in range(1, len(folded) + 1):
                word = folded[:size]
                if not word.isalpha():
                    continue
                inside = []
                for spelling in spellings(word):
                    cursor.execute("SELECT %s COLLATE \"vi-x-icu\" >= %s AND %s COLLATE \"vi-x-icu\" < %s",
                                   [name, spelling, name, spelling + "\uffff"])
                    inside.append(cursor.fetchone()[0])
                assert any(inside), (name, word)
            for other in ("trang", "an", "duc", "thu", "yen", "ung"):
                if not folded.startswith(other):
                    for spelling in spellings(other):
                        cursor.execute("SELECT %s COLLATE \"vi-x-icu\" >= %s AND %s COLLATE \"vi-x-icu\" < %s",
                                       [name, spelling, name, spelling + "\uffff"])
                        assert not cursor.fetchone()[0], (name, spelling)


def test_the_list_page_searches_a_country_and_says_the_count_is_about(client, ministry_user, pupils, monkeypatch):
    monkeypatch.setattr(search, "WALK_CAP", 2)
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
    monkeypatch.setattr(search, "WALK_CAP", cap)
    pupil = pupils[5]
    results = student_list_page(scope=Scope.country(), filters={"q": pupil.pupil_code})
    assert results.count() == 1 and [s.pk for s in results[0:25]] == [pupil.pk]

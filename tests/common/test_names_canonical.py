"""One canonical form of a person's name (edu_portal.common.identity.canonical_name), the same in
PostgreSQL (vn_name_canonical, made by students 0012), and search without diacritics or case."""
import re
import unicodedata

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.scope import Scope
from demo_population import names as demo_names
from edu_portal.common.identity import NAME_CANONICAL_CANDIDATE, canonical_name
from edu_portal.common.search import name_words_q
from students.models import Student
from students.selectors import student_list
from teachers.selectors import staff_list
from tests.factories import SchoolFactory, make_staff, make_student


@pytest.mark.parametrize(("typed", "stored"), [
    ("Hoà", "Hòa"), ("HOÀ", "HÒA"), ("hoạ", "họa"), ("Thuý", "Thúy"), ("THUỶ", "THỦY"), ("Tuỵ", "Tụy"),
    ("khoẻ", "khỏe"), ("Hoè", "Hòe"), ("qúy", "quý"), ("Qùynh", "Quỳnh"), ("gìa", "già"),
    ("  Nguyễn\u00a0Thị\tThuý ", "Nguyễn Thị Thúy"),
    # Unchanged: the mark already on the main vowel in both styles.
    ("Quý", "Quý"), ("Hoàng", "Hoàng"), ("Hoài", "Hoài"), ("Nguyễn", "Nguyễn"), ("Tuyết", "Tuyết"),
    ("Khuê", "Khuê"), ("thuở", "thuở"), ("giữ gìn", "giữ gìn"), ("Già", "Già"), ("ngoẻo", "ngoẻo"),
    ("Thủy", "Thủy"), ("Hòa", "Hòa"), ("Đoàn", "Đoàn"), ("Khuya", "Khuya"),
])
def test_one_tone_placement(typed, stored):
    assert canonical_name(typed) == stored
    assert canonical_name(unicodedata.normalize("NFD", typed)) == stored


def test_demo_names_are_already_canonical():
    # The seed and the mock registry draw from these lists: their names must need no rewriting.
    for name in [*dict(demo_names.FAMILY_NAMES), *demo_names.MIDDLE_MALE, *demo_names.MIDDLE_FEMALE,
                 *demo_names.GIVEN_MALE, *demo_names.GIVEN_FEMALE]:
        assert canonical_name(name) == name


SYLLABLES = ["Hoà", "Hòa", "hoà", "Thuý", "Thúy", "THUỶ", "Khoẻ", "khỏe", "Quý", "qúy", "Gìa", "già",
             "Nguyễn", "NGUYỄN", "Văn", "Thị", "Hoàng", "Hoài", "Tuyết", "Ánh", "Đặng", "Quỳnh", "Oà", "uỳ",
             "Lê", "Ngọc", "Hoạ", "Tuỵ", "giữ", "gìn", "Khuya", "Phương", "Ư", "Ờ", "a"]
SPACES = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000", " \n "])
variant = st.tuples(st.sampled_from(SYLLABLES), st.sampled_from(["NFC", "NFD"]), st.booleans()).map(
    lambda t: unicodedata.normalize(t[1], t[0].upper() if t[2] else t[0]))
# Names as typed (any form, spacing, case), and odd text the rules must also agree on.
typed_names = st.one_of(
    st.lists(st.tuples(variant, SPACES), min_size=1, max_size=5).map(lambda parts: " " + "".join(
        word + space for word, space in parts)),
    st.text(alphabet=st.sampled_from(list("aeiouyAEIOUYqgQGhđĐ ") + ["\u0300", "\u0301", "\u0303",
                                     "\u0309", "\u0323", "\u0302", "\u0306", "\u031b", "\t"]), max_size=12),
)


@given(typed_names)
def test_canonical_form_is_idempotent_and_nfc_with_single_spaces(name):
    stored = canonical_name(name)
    assert canonical_name(stored) == stored
    assert unicodedata.is_normalized("NFC", stored)
    assert stored == stored.strip() and "  " not in stored and not re.search(r"[^\S ]", stored)


@given(typed_names)
def test_the_migration_prefilter_misses_no_name_that_changes(name):
    stored = unicodedata.normalize("NFC", name)
    if canonical_name(stored) != stored:
        assert re.search(NAME_CANONICAL_CANDIDATE, stored)


@given(st.lists(typed_names, min_size=1, max_size=30))
@settings(max_examples=30, deadline=None)
@pytest.mark.django_db
def test_sql_function_agrees_with_python(batch):
    with connection.cursor() as cursor:
        cursor.execute("SELECT vn_name_canonical(n) FROM unnest(%s::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i",
                       [batch])
        assert [row[0] for row in cursor.fetchall()] == [canonical_name(name) for name in batch]


@pytest.mark.django_db
def test_search_without_diacritics_finds_the_same_pupils_and_staff():
    school = SchoolFactory()
    named = {name: make_student(school, full_name=name).pk for name in
             ["Nguyễn Văn An", "Nguyễn Vân Anh", "NGUYỄN VĂN BÌNH", "Trần Văn Đức", "Nguyễn Thị Thuý", "Lan Nguyễn"]}
    country = Scope.country(can_view_id_numbers=True)

    def found(q, lister=student_list):
        return {p.pk for p in lister(scope=country, filters={"q": q})}

    nguyen_van = found("nguyen van")
    assert nguyen_van == {named["Nguyễn Văn An"], named["Nguyễn Vân Anh"], named["NGUYỄN VĂN BÌNH"]}
    for q in ["Nguyễn Văn", "Nguyễn văn", "NGUYEN VAN", unicodedata.normalize("NFD", "Nguyễn Văn"), " nguyen  van "]:
        assert found(q) == nguyen_van, q
    assert found("duc") == found("Đức") == {named["Trần Văn Đức"]}
    # Any placement of the tone, or none, finds the pupil stored as "Thúy".
    assert found("thuy") == found("Thuý") == found("Thúy") == {named["Nguyễn Thị Thuý"]}
    # Words from their start: "an" is An and Anh, not Lan.
    assert found("an") == {named["Nguyễn Văn An"], named["Nguyễn Vân Anh"]}
    # A search with exact diacritics finds at least what it found before (a substring of the name).
    assert found("Nguyễn Văn An") >= {named["Nguyễn Văn An"]}

    staff = make_staff(school, full_name="Phạm Thị Hoà")
    assert {s.pk for s in staff_list(scope=country, filters={"q": "pham thi hoa"})} == {staff.pk}
    assert {s.pk for s in staff_list(scope=country, filters={"q": "Hòa"})} == {staff.pk}


@pytest.mark.django_db
def test_names_are_stored_in_the_canonical_form():
    school = SchoolFactory()
    pupil = make_student(school, full_name=unicodedata.normalize("NFD", " Lê  Thị THUÝ "))
    pupil.refresh_from_db()
    assert pupil.full_name == "Lê Thị THÚY"


@pytest.mark.django_db
def test_name_search_uses_the_trigram_index():
    with connection.cursor() as cursor:
        # An almost empty table: say what the planner can do, not what it prefers. With sequential and plain
        # index scans off, only a bitmap scan of an index that serves the condition is left (a walk of the
        # name-order index, filtering each row, was chosen at random otherwise).
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        plan = Student.objects.filter(name_words_q("Nguyễn Văn")).explain()
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
    assert "student_name_search_trgm" in plan

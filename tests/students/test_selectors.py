"""Pupil lists by area: a province's or commune's pupils through the filters and through a
province user's scope, by the literal list of the area's schools."""
import pytest

from accounts.scope import PROVINCE, Scope
from geo.models import Commune
from students.selectors import student_list
from tests.factories import SchoolFactory, make_student

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_areas():
    second_commune = Commune.objects.filter(province_id="01").order_by("code").values_list("code", flat=True)[1]
    schools = [SchoolFactory(province_id="01"), SchoolFactory(province_id="01", commune_id=second_commune),
               SchoolFactory(province_id="79")]
    return schools, {school.pk: make_student(school).pk for school in schools}


def test_province_and_commune_filters(three_areas):
    (hanoi_a, hanoi_b, saigon), pupil_of = three_areas
    country = Scope.country()
    assert {s.pk for s in student_list(scope=country, filters={"province": "01"})} == {
        pupil_of[hanoi_a.pk], pupil_of[hanoi_b.pk]}
    assert [s.pk for s in student_list(scope=country, filters={"commune": hanoi_b.commune_id})] == [
        pupil_of[hanoi_b.pk]]
    assert not student_list(scope=country, filters={"province": "99"}).exists()


def test_province_scope_sees_only_its_schools_even_when_filtering_for_another(three_areas):
    (hanoi_a, hanoi_b, saigon), pupil_of = three_areas
    hanoi = Scope(PROVINCE, province_code="01")
    assert {s.pk for s in student_list(scope=hanoi)} == {pupil_of[hanoi_a.pk], pupil_of[hanoi_b.pk]}
    assert not student_list(scope=hanoi, filters={"province": "79"}).exists()
    assert not student_list(scope=hanoi, filters={"commune": saigon.commune_id}).exists()

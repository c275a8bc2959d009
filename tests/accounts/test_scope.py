"""Scope is a plain value: it builds filters and compares itself with other scopes, without queries."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.scope import COUNTRY, PROVINCE, SCHOOL, Scope
from schools.models import School
from students.models import Student
from tests.factories import make_student
from uploads.models import Upload

HANOI = Scope(PROVINCE, province_code="01")


def test_province_scope_finds_its_pupils_through_the_schools_subquery(school_a, school_other_province):
    here, there = make_student(school_a), make_student(school_other_province)
    with CaptureQueriesContext(connection) as ctx:
        pupils = list(HANOI.filter(Student.objects.all()).values_list("pk", flat=True))
    assert pupils == [here.pk]
    assert there.pk not in pupils
    # The shape measured at national scale (edu_portal.common.lookups): the province's school ids
    # first, then the pupils by one constant array of them, no join.
    ids, query = ctx.captured_queries
    assert ids["sql"].startswith("SELECT id FROM schools_school WHERE province_id = ")
    assert f"= ANY(ARRAY[{school_a.pk}]::bigint[])" in query["sql"]
    assert "JOIN" not in query["sql"] and "SELECT id FROM schools_school" not in query["sql"]


def test_province_field_filters_rows_that_keep_their_own_province(db):
    sql = str(HANOI.filter(Upload.objects.all(), province_field="province").query)
    assert '"uploads_upload"."province_id" = 01' in sql
    school = Scope(SCHOOL, school_id=7, province_code="01")
    assert '"uploads_upload"."school_id" = 7' in str(school.filter(Upload.objects.all(), province_field="province").query)
    assert str(Scope.country().filter(Upload.objects.all(), province_field="province").query) == str(
        Upload.objects.all().query)


def test_schools_are_limited_by_their_own_province_and_id(school_a, school_b, school_other_province):
    assert set(HANOI.filter(School.objects.all(), school_field="")) == {school_a, school_b}
    one = Scope(SCHOOL, school_id=school_a.pk, province_code="01")
    assert list(one.filter(School.objects.all(), school_field="")) == [school_a]


@pytest.mark.parametrize(("outer", "inner", "expected"), [
    (Scope(COUNTRY), Scope(COUNTRY), True),
    (Scope(COUNTRY), Scope(SCHOOL, school_id=1, province_code="79"), True),
    (HANOI, Scope(COUNTRY), False),
    (HANOI, Scope(PROVINCE, province_code="01"), True),
    (HANOI, Scope(PROVINCE, province_code="79"), False),
    (HANOI, Scope(SCHOOL, school_id=1, province_code="01"), True),
    (HANOI, Scope(SCHOOL, school_id=1, province_code="79"), False),
    (Scope(SCHOOL, school_id=1, province_code="01"), HANOI, False),
    (Scope(SCHOOL, school_id=1, province_code="01"), Scope(SCHOOL, school_id=1, province_code="01"), True),
    (Scope(SCHOOL, school_id=1, province_code="01"), Scope(SCHOOL, school_id=2, province_code="01"), False),
])
def test_includes(outer, inner, expected):
    assert outer.includes(inner) is expected

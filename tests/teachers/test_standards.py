"""The teachers' training standard: Luật Giáo dục 2019 Điều 72, the roadmap of Nghị định 71/2020 and the
retirement ages of Nghị định 135/2020. Expected dates are worked out by hand from the texts."""
import datetime as dt
import importlib
import itertools
from types import SimpleNamespace

import pytest
from django.db import connection

from teachers.models import StaffMember
from teachers.standards import qualification_standard, qualification_standard_sql, retirement_date
from tests.factories import SchoolFactory, make_staff

ON = dt.date(2026, 1, 1)
YOUNG = dt.date(1990, 5, 5)  # far from retirement: on the roadmap whenever below the standard


def standard(level, qualification, training="teacher_training", certificate=False, *, position="teacher",
             born=YOUNG, gender="F", on=ON):
    return qualification_standard(school_level=level, position=position, qualification=qualification,
                                  training_field=training, pedagogy_certificate=certificate, date_of_birth=born,
                                  gender=gender, on=on)


@pytest.mark.parametrize("level, qualification, training, certificate, expected", [
    # Điều 72 khoản 1 điểm a: preschool, a pedagogy college degree or higher; a certificate does not replace it.
    ("preschool", "college", "teacher_training", False, "meets"),
    ("preschool", "doctor", "teacher_training", False, "meets"),
    ("preschool", "below_college", "teacher_training", False, "roadmap"),
    ("preschool", "college", "other", True, "roadmap"),
    ("preschool", "bachelor", "other", True, "roadmap"),
    # Điểm b: primary and lower secondary, a bachelor's in teacher training or a bachelor's plus the certificate.
    ("primary", "bachelor", "teacher_training", False, "meets"),
    ("primary", "college", "teacher_training", False, "roadmap"),
    ("primary", "bachelor", "other", False, "roadmap"),
    ("primary", "bachelor", "other", True, "meets"),
    ("primary", "college", "other", True, "roadmap"),
    ("lower_secondary", "master", "other", True, "meets"),
    ("lower_secondary", "bachelor", "other", False, "roadmap"),
    ("lower_secondary", "below_college", "teacher_training", True, "roadmap"),
    # Upper secondary: the same degrees, but Nghị định 71/2020 has no roadmap for it.
    ("upper_secondary", "bachelor", "other", True, "meets"),
    ("upper_secondary", "doctor", "teacher_training", False, "meets"),
    ("upper_secondary", "bachelor", "other", False, "below"),
    ("upper_secondary", "college", "teacher_training", False, "below"),
    # A multi-level school is held to its highest level (upper secondary); a GDTX centre teaches upper secondary.
    ("multi_level", "bachelor", "teacher_training", False, "meets"),
    ("multi_level", "college", "teacher_training", False, "below"),
    ("continuing", "bachelor", "other", True, "meets"),
])
def test_the_standard_of_article_72_by_level(level, qualification, training, certificate, expected):
    assert standard(level, qualification, training, certificate) == expected


def test_principals_are_assessed_and_other_staff_are_not_teachers():
    assert standard("primary", "college", position="principal") == "roadmap"
    assert standard("primary", "bachelor", position="vice_principal") == "meets"
    assert standard("primary", "doctor", position="other") == "not_teacher"


@pytest.mark.parametrize("born, gender, retires", [
    # Nghị định 135/2020, Phụ lục I: the age of the year it is reached.
    ("1960-12-15", "M", "2020-12-15"),  # 60, before 2021
    ("1961-01-15", "M", "2021-04-15"),  # 60 years 3 months in 2021
    ("1961-09-15", "M", "2021-12-15"),
    ("1961-10-15", "M", "2022-04-15"),  # 60y3m would fall in 2022, whose age is 60y6m
    ("1966-04-10", "M", "2028-04-10"),  # 62 from 2028
    ("1966-01-20", "F", "2021-05-20"),  # 55 years 4 months in 2021
    ("1975-05-02", "F", "2035-05-02"),  # 60 from 2035
])
def test_retirement_dates_follow_decree_135(born, gender, retires):
    assert retirement_date(dt.date.fromisoformat(born), gender) == dt.date.fromisoformat(retires)


@pytest.mark.parametrize("level, qualification, gender, last_exempt, first_on_roadmap", [
    # Còn đủ 84 tháng from 1/8/2020: retiring on or after 1/8/2027 (women: 57y4m in 2027; men: 61y9m).
    ("preschool", "below_college", "F", "1970-03-31", "1970-04-01"),
    ("primary", "college", "F", "1970-03-31", "1970-04-01"),
    ("lower_secondary", "college", "M", "1965-10-31", "1965-11-01"),
    # A primary teacher with a secondary-level diploma needs 108 months: retiring on or after 1/8/2029 (58y).
    ("primary", "below_college", "F", "1971-07-31", "1971-08-01"),
])
def test_exempt_or_on_the_roadmap_at_the_decree_71_threshold(level, qualification, gender, last_exempt,
                                                            first_on_roadmap):
    assert standard(level, qualification, born=dt.date.fromisoformat(last_exempt), gender=gender) == "exempt"
    assert standard(level, qualification, born=dt.date.fromisoformat(first_on_roadmap), gender=gender) == "roadmap"


def test_after_the_roadmap_ends_a_teacher_below_the_standard_is_below():
    assert standard("primary", "college", on=dt.date(2030, 12, 31)) == "roadmap"
    assert standard("primary", "college", on=dt.date(2031, 1, 1)) == "below"
    # Exemption is a fact of 1/8/2020: it does not end with the roadmap.
    assert standard("primary", "college", born=dt.date(1966, 1, 1), on=dt.date(2031, 1, 1)) == "exempt"
    assert standard("primary", "bachelor", on=dt.date(2031, 1, 1)) == "meets"


@pytest.mark.django_db
@pytest.mark.parametrize("on", [ON, dt.date(2031, 1, 1)])
def test_the_sql_rule_agrees_with_the_python_rule(on):
    births = [dt.date.fromisoformat(d) for d in (
        "1962-03-01", "1965-10-31", "1965-11-01", "1967-07-31", "1967-08-01", "1970-03-31", "1970-04-01",
        "1971-07-31", "1971-08-01", "1990-05-05")]
    cases = list(itertools.product(
        ["preschool", "primary", "lower_secondary", "upper_secondary", "multi_level", "continuing"],
        ["teacher", "other"], ["below_college", "college", "bachelor", "master", "doctor"],
        ["teacher_training", "other"], [False, True], ["M", "F"], births))
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s::date)"] * len(cases))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qualification_standard_sql(on=on, level='m.level')} FROM (VALUES {rows}) AS"  # noqa: S608
            " m(level, position, qualification, training_field, pedagogy_certificate, gender, date_of_birth)",
            [value for case in cases for value in case])
        from_sql = [row[0] for row in cursor.fetchall()]
    from_python = [standard(level, qualification, training, certificate, position=position, born=born,
                            gender=gender, on=on)
                   for level, position, qualification, training, certificate, gender, born in cases]
    assert from_sql == from_python
    assert {"meets", "roadmap" if on == ON else "below", "exempt", "not_teacher"} <= set(from_sql)


@pytest.mark.django_db
def test_the_migration_derives_the_status_of_existing_staff():
    preschool, primary = SchoolFactory(level="preschool"), SchoolFactory(level="primary")
    young = make_staff(primary, qualification="college")
    near_retirement = make_staff(primary, qualification="college", id_number=None,
                                 date_of_birth=dt.date(1966, 1, 1), gender="F")
    qualified = make_staff(preschool, qualification="college")
    clerk = make_staff(primary, qualification="bachelor", position="other")
    # As the rows stand before the migration: no status yet (the column's default).
    StaffMember.objects.update(qualification_standard="below", meets_qualification_standard=False)
    migration = importlib.import_module("teachers.migrations.0006_training_standard")
    migration.standards_derive(None, SimpleNamespace(connection=connection))
    got = dict(StaffMember.objects.values_list("pk", "qualification_standard"))
    assert got == {young.pk: "roadmap", near_retirement.pk: "exempt", qualified.pk: "meets",
                   clerk.pk: "not_teacher"}
    assert set(StaffMember.objects.filter(meets_qualification_standard=True).values_list("pk", flat=True)) == {
        qualified.pk}

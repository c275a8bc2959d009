"""Preschool age groups (nhà trẻ / mẫu giáo): the rule, its SQL twin, the upload, the services, the
data migration's statement and the dashboards' counts."""
import datetime as dt
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connection

from accounts.scope import Scope
from dashboards.metrics import METRIC_NAMES
from dashboards.presentation import indicator_tables
from dashboards.services import stats_refresh_all
from edu_portal.common.exceptions import AppError
from edu_portal.common.importing import ImportContext
from edu_portal.common.models import current_school_year
from geo.ethnicity import ethnic_groups_read, ethnicity_lookup_build
from students import services as student_services
from students.importers import validate_row
from students.models import Enrollment
from students.preschool import PreschoolAgeError, age_group, age_group_sql, enrollment_age_group
from students.selectors import student_list
from tests.factories import make_student, real_identity, teaching_every_grade
from tests.uploads.conftest import PUPIL_HEADER, commit, csv_bytes, run_upload

Y = 2026  # school year 2026-2027: starts 5 September 2026


@pytest.mark.parametrize("born,group", [
    # Mẫu giáo by year of birth, whatever the day: 1 January and 31 December of one year are alike.
    (dt.date(2021, 1, 1), "mg_5_6"), (dt.date(2021, 12, 31), "mg_5_6"),
    (dt.date(2022, 1, 1), "mg_4_5"), (dt.date(2022, 12, 31), "mg_4_5"),
    (dt.date(2023, 1, 1), "mg_3_4"), (dt.date(2023, 12, 31), "mg_3_4"),
    # Nhà trẻ by completed months on 5 September 2026.
    (dt.date(2024, 1, 1), "nt_25_36"),   # 32 months
    (dt.date(2024, 9, 5), "nt_13_24"),   # exactly 24 completed months: "từ 13 đến 24 tháng"
    (dt.date(2024, 9, 6), "nt_13_24"),   # 23 months
    (dt.date(2024, 8, 5), "nt_25_36"),   # 25 months
    (dt.date(2025, 8, 5), "nt_13_24"),   # 13 months
    (dt.date(2025, 8, 6), "nt_3_12"),    # 12 months (13 tomorrow)
    (dt.date(2025, 9, 5), "nt_3_12"),    # 12 months exactly
    (dt.date(2026, 6, 5), "nt_3_12"),    # 3 months
])
def test_each_group_and_its_boundaries(born, group):
    assert age_group(date_of_birth=born, school_year=Y) == group


@pytest.mark.parametrize("born", [dt.date(2020, 12, 31), dt.date(2020, 1, 1), dt.date(2018, 6, 1)])
def test_a_child_of_grade_one_age_fits_no_group(born):
    with pytest.raises(PreschoolAgeError, match="lớp 1"):
        age_group(date_of_birth=born, school_year=Y)


def test_grades_one_to_twelve_have_no_group():
    assert enrollment_age_group(grade=1, date_of_birth=dt.date(2020, 1, 1), school_year=Y) == ""


def test_under_three_months_on_the_day_of_enrollment_is_refused():
    born = dt.date(2026, 9, 1)
    with pytest.raises(PreschoolAgeError, match="3 tháng"):
        enrollment_age_group(grade=0, date_of_birth=born, school_year=Y, today=dt.date(2026, 11, 30))
    # Three months on: the same child is enrolled in the youngest group.
    assert enrollment_age_group(grade=0, date_of_birth=born, school_year=Y, today=dt.date(2026, 12, 1)) == "nt_3_12"
    # A past school year: counted at its end (31 May), not today.
    with pytest.raises(PreschoolAgeError):
        enrollment_age_group(grade=0, date_of_birth=dt.date(2025, 3, 15), school_year=2024,
                             today=dt.date(2026, 11, 30))


@pytest.mark.django_db
def test_the_sql_twin_agrees_with_the_rule_day_by_day():
    """The set-based writers and the data migration use the SQL expression: same answer for every
    birthday over seven years and three school years."""
    days = [dt.date(2017, 1, 1) + dt.timedelta(days=n) for n in range(0, 365 * 10, 3)]
    expr = age_group_sql(grade="0", date_of_birth="b", school_year="y")
    with connection.cursor() as cur:
        for year in (2024, 2025, 2026):
            cur.execute(f"SELECT b, {expr} FROM unnest(%s::date[]) b, (SELECT %s::int y) v", [days, year])  # noqa: S608
            got = dict(cur.fetchall())
            for day in days:
                if day.year > year + 1 or (day.year == year + 1 and day.month > 5):
                    continue  # born after the school year: no child to place
                try:
                    want = age_group(date_of_birth=day, school_year=year)
                except PreschoolAgeError:
                    want = ""
                assert got[day] == want, (day, year)


TODAY = dt.date(2026, 11, 25)
PRESCHOOL = SimpleNamespace(pk=1, level="preschool", province_id="01")
CTX = ImportContext(scope=Scope.country(can_view_id_numbers=True), school=PRESCHOOL, school_year=Y, today=TODAY,
                    references={"province_codes": frozenset({"01"}),
                                "ethnicity_lookup": ethnicity_lookup_build(ethnic_groups_read())})
ROW = {"pupil_code": "MN0001", "id_number": "", "full_name": "Nguyễn Thị An", "date_of_birth": "15/03/2021",
       "gender": "Nữ", "ethnicity": "", "birth_province": "1", "grade": "0", "class_name": "MG5A"}


@pytest.mark.parametrize("born,fragment", [
    ("15/03/2020", "đã đến tuổi vào lớp 1"),
    ("01/10/2026", "chưa đủ 3 tháng tuổi"),
])
def test_an_upload_row_of_the_wrong_age_is_a_row_error(born, fragment):
    cleaned, errors = validate_row({**ROW, "date_of_birth": born}, context=CTX)
    assert cleaned is None
    assert [e.column for e in errors] == ["date_of_birth"] and fragment in errors[0].reason


def test_an_upload_row_of_a_five_year_old_is_clean():
    cleaned, errors = validate_row(ROW, context=CTX)
    assert errors == [] and cleaned["grade"] == 0


@pytest.mark.django_db
def test_services_store_the_group_and_refuse_grade_one_age(school_a):
    teaching_every_grade(school_a)
    year = current_school_year()
    # No ID number on file, so that the date of birth can be corrected alone.
    child = make_student(school_a, grade=0, class_name="MG5A",
                         **{**real_identity(serial=901, year=year - 5), "id_number": None})
    assert Enrollment.objects.get(student=child).age_group == "mg_5_6"
    # A corrected date of birth moves the child to the group of the new year of birth.
    student_services.student_update(scope=Scope.country(can_view_id_numbers=True), student=child,
                                    date_of_birth=child.date_of_birth.replace(year=year - 4, day=1))
    assert Enrollment.objects.get(student=child).age_group == "mg_4_5"
    with pytest.raises(AppError, match="lớp 1"):
        make_student(school_a, grade=0, class_name="MG5B", **real_identity(serial=902, year=year - 6))
    pupil = make_student(school_a, grade=1, class_name="1A", **real_identity(serial=903, year=year - 6))
    assert Enrollment.objects.get(student=pupil).age_group == ""
    # The pupil list filters preschool children by group.
    found = student_list(scope=Scope.country(), filters={"age_group": "mg_4_5"})
    assert [s.pk for s in found] == [child.pk]


@pytest.mark.django_db
def test_uploads_write_the_group(school_user):
    year = current_school_year()
    school = school_user.school
    school.level = "preschool"
    school.save()
    born = [dt.date(year - 5, 2, 1), dt.date(year - 3, 11, 30), dt.date(year - 1, 8, 1)]
    # Young children often have no ID number yet: the upload says why (issue 16).
    rows = [[f"MN{n:04d}", "", f"Trẻ Thứ {chr(65 + n)}", d.strftime("%d/%m/%Y"), "Nam", "", "01", "0", "MG",
             "Chưa có số định danh"] for n, d in enumerate(born)]
    upload = run_upload(school_user, csv_bytes([*PUPIL_HEADER, "Lý do chưa có số định danh"], rows), school=school)
    commit(school_user, upload)
    groups = dict(Enrollment.objects.filter(school_year=year).values_list("student__pupil_code", "age_group"))
    assert groups == {"MN0000": "mg_5_6", "MN0001": "mg_3_4", "MN0002": "nt_13_24"}


@pytest.mark.django_db
def test_the_migration_statement_fills_existing_enrollments(school_a):
    teaching_every_grade(school_a)
    year = current_school_year()
    child = make_student(school_a, grade=0, class_name="MG", **real_identity(serial=904, year=year - 5))
    Enrollment.objects.update(age_group="")
    with connection.cursor() as cur:
        cur.execute(import_module("students.migrations.0007_preschool_age_group").FILL)
    assert Enrollment.objects.get(student=child).age_group == "mg_5_6"


@pytest.mark.django_db
def test_dashboards_count_each_group_and_show_five_year_olds(school_a):
    teaching_every_grade(school_a)
    year = current_school_year()
    for serial, age in ((905, 5), (906, 5), (907, 4), (908, 3)):
        make_student(school_a, grade=0, class_name="MG", **real_identity(serial=serial, year=year - age))
    assert {f"pupils_age_{g}" for g in ("mg_5_6", "mg_4_5", "mg_3_4", "nt_3_12")} <= set(METRIC_NAMES)
    stats_refresh_all()
    summary, tables = indicator_tables(scope=Scope.country(), filters={"school_year": str(year)})
    assert summary.total["pupils_age_mg_5_6"] == 2
    table = next(t for t in tables if t.name == "preschool_age_groups")
    assert "trẻ 5 tuổi: 2" in table.title
    assert {r["label"]: r["count"] for r in table.rows}["Mẫu giáo 4–5 tuổi"] == 1

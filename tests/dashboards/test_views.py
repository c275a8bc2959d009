"""Dashboard pages: scope, drill-down, filters in the URL, exports."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from dashboards.services import stats_refresh_all
from schools.models import School
from students.models import Enrollment, Student
from teachers.models import StaffMember
from tests.factories import UserFactory, make_staff, make_student


@pytest.fixture
def refreshed(world):
    stats_refresh_all()
    return world


def test_pages_need_login(client, db):
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_ministry_overview_and_drill_down(client, ministry_user, refreshed, django_assert_max_num_queries):
    client.force_login(ministry_user)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("dashboards:overview"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Số liệu tính đến" in html
    assert reverse("dashboards:province", args=["79"]) in html
    province = client.get(reverse("dashboards:province", args=["01"]))
    assert province.status_code == 200
    commune = client.get(reverse("dashboards:commune", args=[refreshed[0].commune_id]))
    assert reverse("dashboards:school", args=[refreshed[0].pk]) in commune.content.decode()
    school = client.get(reverse("dashboards:school", args=[refreshed[0].pk]))
    body = school.content.decode()
    assert f'/schools/{refreshed[0].pk}/' in body and f"/students/?school={refreshed[0].pk}" in body
    for name in ("indicators", "completeness"):
        assert client.get(reverse(f"dashboards:{name}"), {"province": "01", "level": "primary"}).status_code == 200


def test_province_user_gets_their_province_only(client, province_user, refreshed):
    client.force_login(province_user)
    response = client.get(reverse("dashboards:overview"), {"school_year": ""})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboards:province", args=["01"]))
    assert client.get(reverse("dashboards:province", args=["79"])).status_code == 404
    assert client.get(reverse("dashboards:commune", args=[refreshed[2].commune_id])).status_code == 404
    assert client.get(reverse("dashboards:school", args=[refreshed[2].pk])).status_code == 404
    # Filtering the indicators by another province gives that province's nothing.
    page = client.get(reverse("dashboards:indicators"), {"province": "79"})
    assert page.status_code == 200
    assert page.context["total"]["pupils"] == 0
    assert 'name="province"' not in page.content.decode()  # no choice of province to offer


def test_school_user_gets_their_school(client, school_user, refreshed):
    client.force_login(school_user)
    response = client.get(reverse("dashboards:overview"))
    assert response["Location"].startswith(reverse("dashboards:school", args=[school_user.school_id]))
    assert client.get(reverse("dashboards:school", args=[refreshed[1].pk])).status_code == 404
    assert client.get(response["Location"]).status_code == 200


def test_bad_filter_is_a_message_not_a_500(client, ministry_user, refreshed):
    client.force_login(ministry_user)
    assert client.get(reverse("dashboards:overview"), {"level": "x"}).status_code == 400


def test_sortable_province_table(client, ministry_user, refreshed):
    client.force_login(ministry_user)
    page = client.get(reverse("dashboards:overview"), {"sort": "-pupils"})
    units = page.context["tables"][0].rows
    assert [r["pupils"] for r in units] == sorted((r["pupils"] for r in units), reverse=True)


def test_csv_and_excel_exports_neutralise_formulas(client, ministry_user, refreshed):
    School.objects.filter(pk=refreshed[0].pk).update(name="=HYPERLINK(\"http://x\")")
    stats_refresh_all()
    client.force_login(ministry_user)
    url = reverse("dashboards:commune", args=[refreshed[0].commune_id])
    csv_response = client.get(url, {"export": "csv", "table": "units"})
    assert csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
    xlsx = client.get(url, {"export": "xlsx", "table": "units"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]  # under the "as of" row and the header
    assert any(n.startswith("'=HYPERLINK") for n in names)
    header = [c.value for c in sheet[2]]
    assert header[0] == "Trường" and "Học sinh" in header


def test_every_indicator_table_exports(client, ministry_user, refreshed):
    client.force_login(ministry_user)
    page = client.get(reverse("dashboards:indicators"))
    for table in page.context["tables"]:
        response = client.get(reverse("dashboards:indicators"), {"export": "xlsx", "table": table.name})
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row == len(table.rows) + 2  # the "as of" row, the header


def test_odd_unit_codes_are_not_found(client, ministry_user, school_a):
    client.force_login(ministry_user)
    for url in ["/dashboards/provinces/012/", "/dashboards/provinces/x/", "/dashboards/communes/0%00/",
                "/dashboards/schools/999999999/"]:
        assert client.get(url).status_code == 404, url


def test_school_page_shows_and_exports_the_two_scales_apart(client, ministry_user, multi_level):
    stats_refresh_all()
    client.force_login(ministry_user)
    url = reverse("dashboards:school", args=[multi_level.pk])
    html = client.get(url).content.decode()
    assert "Tiểu học — TT 27/2020" in html and "THCS, THPT — TT 22/2021" in html
    body = client.get(url, {"export": "csv", "table": "conduct_ratings_primary"}).content.decode("utf-8-sig")
    # Vietnamese CSV: ";" between fields and a decimal comma (edu_portal.common.exports), under the "as of" line.
    assert body.splitlines()[1:] == ["Phân loại;Số lượng;Tỉ lệ (%)", "Tốt;3;75,0", "Đạt;1;25,0", "Cần cố gắng;0;0,0"]


# --- the school's to-do list on the home page ------------------------------------------------------

def test_school_home_lists_what_to_fix_with_reasons_and_links(client, school_a, school_b):
    mismatch = make_student(school_a)
    Student.objects.filter(pk=mismatch.pk).update(verification_status="mismatch",
                                                  verification_mismatch_fields=["date_of_birth"])
    unknown = make_student(school_a)
    Student.objects.filter(pk=unknown.pk).update(verification_status="not_found")
    no_number = make_student(school_a, id_number=None)
    no_class = make_student(school_a)
    Enrollment.objects.filter(student=no_class).delete()
    staff = make_staff(school_a)
    StaffMember.objects.filter(pk=staff.pk).update(verification_status="mismatch",
                                                   verification_mismatch_fields=["full_name"])
    elsewhere = make_student(school_b)
    Student.objects.filter(pk=elsewhere.pk).update(verification_status="mismatch")
    masked = UserFactory(username="t_todo", role=Role.SCHOOL, school=school_a, may_view_id_numbers=False)
    client.force_login(masked)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="todo-student_verification"' in html
    assert "chưa khớp với Cơ sở dữ liệu quốc gia về dân cư: ngày sinh" in html
    assert "Không tìm thấy số định danh này" in html
    for pupil in (mismatch, unknown, no_number, no_class):
        assert reverse("students:edit", args=[pupil.pk]) in html
    assert reverse("teachers:edit", args=[staff.pk]) in html and "họ và tên" in html
    assert reverse("students:edit", args=[elsewhere.pk]) not in html
    assert 'data-testid="todo-student_no_id_number"' in html and 'data-testid="todo-student_no_enrollment"' in html
    for pupil in (mismatch, unknown):
        assert pupil.id_number not in html  # masking holds on the to-do list


def test_no_todo_list_for_a_province(client, province_user, school_a):
    pupil = make_student(school_a)
    Student.objects.filter(pk=pupil.pk).update(verification_status="mismatch")
    client.force_login(province_user)
    assert 'data-testid="todo"' not in client.get(reverse("home")).content.decode()


def test_empty_todo_list_says_so(client, school_user, school_a):
    client.force_login(school_user)
    assert 'data-testid="todo-empty"' in client.get(reverse("home")).content.decode()


def test_school_dashboard_counts_pupils_without_id_number(client, school_user, school_a):
    """Issue 16: "Học sinh chưa có số định danh", a count and its share, on the school's dashboard."""
    for _ in range(3):
        make_student(school_a)
    make_student(school_a, id_number=None, id_number_missing_reason="not_issued")
    stats_refresh_all()
    client.force_login(school_user)
    html = client.get(reverse("dashboards:school", args=[school_a.pk])).content.decode()
    assert "Học sinh chưa có số định danh" in html
    assert 'data-testid="fig-pupils-without-id">1<' in html
    assert 'data-testid="fig-pupils-without-id-pct">25' in html


def test_drill_down_tables_name_and_link_each_unit(client, ministry_user, refreshed):
    """The communes of a province and the schools of a commune by name (a school with its code), each
    linked to its own page with the filters kept, in the table and in its chart."""
    client.force_login(ministry_user)
    school = refreshed[2]  # province 79
    page = client.get(reverse("dashboards:province", args=["79"]), {"level": school.level})
    html = page.content.decode()
    commune = school.commune
    link = reverse("dashboards:commune", args=[commune.code]) + f"?level={school.level}"
    assert f'<tr data-key="{commune.code}"><td data-col="name"><a href="{link}">{commune.name}</a></td>' in html
    chart = page.context["tables"][0].chart
    assert commune.name in chart["labels"] and 'id="chart-units"' in html
    page = client.get(reverse("dashboards:commune", args=[commune.code]))
    html = page.content.decode()
    assert f'<a href="{reverse("dashboards:school", args=[school.pk])}">{school.name} ({school.code})</a>' in html
    assert 'href="?export=csv&table=units"' in html


@pytest.mark.parametrize(("url", "current"), [
    ("/dashboards/", "Tổng quan"), ("/dashboards/provinces/01/", "Tổng quan"),
    ("/dashboards/indicators/", "Các chỉ số"), ("/dashboards/facilities/", "Cơ sở vật chất"),
    ("/dashboards/facilities/provinces/01/", "Cơ sở vật chất"),
])
def test_one_tab_is_marked_current_and_every_tab_keeps_the_filters(client, ministry_user, refreshed, url, current):
    import re

    client.force_login(ministry_user)
    html = client.get(url, {"level": "primary"}).content.decode()
    tabs = re.search(r'<ul class="nav nav-tabs mb-3">(.*?)</ul>', html, re.S).group(1)
    marked = re.findall(r'class="nav-link active" aria-current="page" href="[^"]*"[^>]*>([^<]*)<', tabs)
    assert marked == [current]
    links = re.findall(r'href="([^"]*)"', tabs)
    assert len(links) == 5 and all("level=primary" in link for link in links)

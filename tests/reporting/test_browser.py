"""Issue 19's "Done when" in headless Chromium, through one full period: the ministry opens it; the school finds
its blocking error (a pupil entered twice puts class 3A over 35), deletes the mistaken record and submits;
Hà Nội returns one school and approves the others in one action; the ministry sees the rates, accepts Hà Nội and
its official figures beside the live ones, on the reporting page and on Hà Nội's dashboard with the period chosen;
an edit after approval is refused with its reason; the province grants an exception, and the change shows as
needing re-approval while the official figures stay (on the dashboard too)."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.scope import Scope
from dashboards.services import stats_refresh_schools
from reporting import services
from reporting.models import ReportingPeriod, Submission
from tests.conftest import save_artifact
from tests.factories import SchoolFactory, make_staff, make_student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.click("text=Đăng xuất")


def add_pupil(page, base, code):
    page.goto(f"{base}/students/new/")
    page.fill("#id_pupil_code", code)
    page.select_option("#id_id_number_missing_reason", "pending")
    page.fill("#id_full_name", "Nguyễn Thị Mới")
    page.fill("#id_date_of_birth", "2017-03-01")
    page.select_option("#id_gender", "F")
    page.select_option("#id_grade", "3")
    page.fill("#id_class_name", "3B")
    page.get_by_test_id("save").click()


def test_one_full_period(page, login, live_server, school_a, school_b, school_user, province_user, ministry_user):
    base = live_server.url
    school_c = SchoolFactory(name="Trường Tiểu học Xê", province_id="01")
    for school in (school_a, school_b, school_c):
        make_staff(school)
        make_staff(school)
    class_3a = [make_student(school_a, class_name="3A") for _ in range(35)]
    twice = make_student(school_a, class_name="3A", full_name=class_3a[0].full_name, id_number=None)
    for school in (school_b, school_c):
        for _ in range(12):
            make_student(school)

    # The ministry opens the period.
    login(page, ministry_user)
    page.get_by_test_id("nav-group-data").click()  # its menu in the navigation bar
    page.click("text=Kỳ báo cáo")
    today = timezone.localdate()
    page.select_option("#id_kind", "semester_1")
    page.fill("#id_opens_on", str(today - dt.timedelta(days=1)))
    page.fill("#id_closes_on", str(today + dt.timedelta(days=5)))
    page.fill("#id_expires_on", str(today + dt.timedelta(days=30)))
    page.get_by_test_id("period-open").click()
    page.wait_for_url(re.compile(r"/reporting/\d+/$"))
    period = ReportingPeriod.objects.get()
    sign_out(page)
    for school in (school_b, school_c):
        services.submission_submit(scope=Scope.country(), user=None, period_id=period.pk, school_id=school.pk)

    # The school checks, finds the class over its size, deletes the record entered twice, and submits.
    login(page, school_user)
    page.get_by_test_id("nav-group-data").click()  # its menu in the navigation bar
    page.click("text=Kỳ báo cáo")
    page.click(f"text={period.get_kind_display()}")
    page.get_by_test_id("check").click()
    checks = page.get_by_test_id("checks").inner_text()
    assert "Sĩ số lớp vượt mức tối đa" in checks and "Lớp 3A có 36 học sinh (tối đa 35)." in checks
    assert page.get_by_test_id("submit").is_disabled()
    page.goto(f"{base}/students/{twice.pk}/")
    page.get_by_test_id("delete").locator("summary").click()
    delete = page.get_by_test_id("delete-form")
    delete.locator("[name=reason]").fill("Nhập trùng học sinh lớp 3A")
    delete.locator("[name=confirm]").check()
    page.get_by_test_id("delete-submit").click()
    page.wait_for_url(re.compile(r"/students/$"))
    page.goto(f"{base}/reporting/{period.pk}/")
    page.get_by_test_id("check").click()
    assert "Lớp 3A có 36" not in page.get_by_test_id("checks").inner_text()
    page.get_by_test_id("submit").click()
    assert "Đã nộp báo cáo" in page.content()
    assert "Đã nộp" in page.get_by_test_id("submission-status").inner_text()
    sign_out(page)

    # Hà Nội returns school B with a comment, then approves A and C in one action.
    login(page, province_user)
    page.goto(f"{base}/reporting/{period.pk}/")
    rows = page.get_by_test_id("submissions")
    rows.locator(f'tr[data-school="{school_b.code}"] input[type=checkbox]').check()
    page.fill("#decide-comment", "Thiếu giáo viên lớp 3")
    page.get_by_test_id("return").click()
    assert "Đã trả lại 1 báo cáo" in page.content()
    for school in (school_a, school_c):
        page.get_by_test_id("submissions").locator(f'tr[data-school="{school.code}"] input[type=checkbox]').check()
    page.get_by_test_id("approve").click()
    assert "Đã duyệt 2 báo cáo" in page.content()
    assert Submission.objects.get(school=school_b).status == "returned"
    sign_out(page)

    # The ministry: rates by province, accepts Hà Nội, official figures beside live ones.
    login(page, ministry_user)
    page.goto(f"{base}/reporting/{period.pk}/")
    hanoi = page.get_by_test_id("completeness").locator('tr[data-area="01"]')
    cells = hanoi.locator("td").all_inner_texts()
    assert cells[1:5] == ["3", "3", "100,0", "100,0"]  # schools, submitted, reporting and on-time rates
    page.get_by_test_id("accept-01").click()
    assert "Đã tiếp nhận số liệu của tỉnh Thành phố Hà Nội" in page.content()
    figures = page.get_by_test_id("official-figures").locator('tr[data-area="01"]')
    assert figures.get_by_test_id("official-pupils").inner_text() == "47"  # A's 35 and C's 12; B was returned
    live = figures.get_by_test_id("live-pupils").inner_text()
    save_artifact(page, "reporting_ministry")
    # The dashboard of Hà Nội with the period chosen: the official figures beside the live ones, labelled, with
    # how many schools they cover.
    page.goto(f"{base}/dashboards/provinces/01/")
    page.get_by_test_id("period-picker").select_option(str(period.pk))
    page.get_by_test_id("filter-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"period={period.pk}"))
    assert "Số liệu chính thức (đã duyệt, kỳ Cuối học kỳ I" in page.get_by_test_id("official-label").inner_text()
    assert "Số liệu trực tiếp" in page.get_by_test_id("live-label").inner_text()
    assert page.get_by_test_id("official-pupils").inner_text() == "47"
    assert page.get_by_test_id("live-pupils").inner_text() == live
    # (Of the schools the statistics count: school B's were never computed in this test.)
    assert re.search(r"2/\d trường đã được Sở duyệt; Bộ đã tiếp nhận 2/\d",
                     page.get_by_test_id("official-coverage").inner_text())
    official_table = page.get_by_test_id("table-official").inner_text()
    assert "Số liệu chính thức (đã duyệt, kỳ Cuối học kỳ I" in official_table and "Số liệu trực tiếp" in official_table
    save_artifact(page, "reporting_dashboard_official")
    sign_out(page)

    # After approval the school cannot add a pupil, and is told why.
    login(page, school_user)
    add_pupil(page, base, "HSMOI1")
    error = page.get_by_test_id("form-error").inner_text()
    assert "đã được" in error and "duyệt" in error and "Cuối học kỳ I" in error
    sign_out(page)

    # The province grants an exception; the school's new pupil is kept and the report needs approving again.
    login(page, province_user)
    page.goto(f"{base}/reporting/{period.pk}/")
    page.get_by_test_id("submissions").locator(f'tr[data-school="{school_a.code}"] button').click()
    form = page.get_by_test_id(f"exception-{school_a.code}")
    form.locator("input[name=reason]").fill("Bổ sung học sinh chuyển đến")
    form.locator("button").click()
    assert "Đã cho phép ngoại lệ" in page.content()
    sign_out(page)
    login(page, school_user)
    add_pupil(page, base, "HSMOI2")
    page.wait_for_url(re.compile(r"/students/\d+/$"))
    sign_out(page)
    stats_refresh_schools(school_ids=[school_a.pk])
    login(page, ministry_user)
    page.goto(f"{base}/reporting/{period.pk}/")
    figures = page.get_by_test_id("official-figures").locator('tr[data-area="01"]')
    assert figures.get_by_test_id("official-pupils").inner_text() == "47"
    assert figures.get_by_test_id("live-pupils").inner_text() == "48"
    assert page.get_by_test_id("completeness").locator('tr[data-area="01"] td').nth(6).inner_text() == "1"
    # The published figures of Hà Nội on its dashboard did not move either; the live ones did.
    page.goto(f"{base}/dashboards/provinces/01/?period={period.pk}")
    assert page.get_by_test_id("official-pupils").inner_text() == "47"
    assert page.get_by_test_id("live-pupils").inner_text() == "48"
    sign_out(page)
    login(page, province_user)
    page.goto(f"{base}/reporting/{period.pk}/")
    row = page.get_by_test_id("submissions").locator(f'tr[data-school="{school_a.code}"]')
    assert row.get_by_test_id("needs-reapproval").is_visible()

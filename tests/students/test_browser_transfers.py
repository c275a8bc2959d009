"""The transfer journey in headless Chromium, as the schools' clerks and the province officer do it:
school B asks for a pupil of school A, school A releases, school B finds the pupil in its list with the
history; a Hồ Chí Minh City school asks for another pupil, school A declines, the city school asks
again and Hà Nội's education department releases on the school's behalf."""
import re
import time

import pytest

from accounts.models import Role
from dashboards.models import SchoolStats
from students.models import Student
from tests.conftest import save_artifact
from tests.factories import UserFactory, make_student
from tests.processes import thread_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ask(page, base, pupil, class_name):
    page.goto(f"{base}/students/transfers/")
    page.get_by_test_id("transfer-new").click()
    page.fill("#id_pupil_code", pupil.pupil_code)
    page.fill("#id_date_of_birth", pupil.date_of_birth.isoformat())
    page.select_option("#id_grade", "3")
    page.fill("#id_class_name", class_name)
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(r"/students/transfers/$"))
    row = page.get_by_test_id("incoming").get_by_test_id("transfer-row").first
    assert row.get_attribute("data-status") == "pending"
    # What the receiving school sees of the pupil it asked for: the name, not the code.
    assert pupil.full_name in row.inner_text() and pupil.pupil_code not in page.content()


def sign_out(page):
    page.click("text=Đăng xuất")


def test_a_pupil_moves_to_another_school_and_to_another_province(page, login, live_server, school_a, school_b,
                                                                 school_other_province, school_user, school_user_b,
                                                                 province_user):
    base = live_server.url
    first, second = make_student(school_a), make_student(school_a)
    school_hcm = UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province)

    login(page, school_user_b)
    ask(page, base, first, "3B")
    sign_out(page)

    login(page, school_user)
    page.get_by_test_id("nav-group-records").click()  # its menu in the navigation bar
    page.click("text=Chuyển trường")
    page.get_by_test_id("outgoing").get_by_test_id("release").click()
    assert "Đã đồng ý chuyển trường" in page.content()
    sign_out(page)

    login(page, school_user_b)
    page.goto(f"{base}/students/")
    page.click(f"text={first.full_name}")
    history = page.get_by_test_id("enrollment-history")
    studying = history.locator('[data-testid="enrollment"][data-status="studying"]')
    left = history.locator('[data-testid="enrollment"][data-status="transferred_out"]')
    assert school_b.name in studying.inner_text() and "3B" in studying.inner_text()
    assert school_a.name in left.inner_text() and "Đã chuyển trường" in left.inner_text()
    save_artifact(page, "transfer-history-school-b")
    sign_out(page)

    # To another province: declined first, asked again, released by the sending school's province.
    login(page, school_hcm)
    ask(page, base, second, "3A")
    sign_out(page)
    login(page, school_user)
    page.goto(f"{base}/students/transfers/")
    row = page.get_by_test_id("outgoing").get_by_test_id("transfer-row").first
    row.get_by_test_id("decline-open").click()
    row.locator('input[name="reason"]').fill("Học sinh chưa hoàn thành học kỳ I")
    row.get_by_test_id("decline").click()
    assert "Đã từ chối" in page.content()
    sign_out(page)
    login(page, school_hcm)
    page.goto(f"{base}/students/transfers/")
    assert "Học sinh chưa hoàn thành học kỳ I" in page.get_by_test_id("incoming").inner_text()
    ask(page, base, second, "3A")
    sign_out(page)
    login(page, province_user)
    page.goto(f"{base}/students/transfers/")
    pending = page.locator('[data-testid="outgoing"] [data-testid="transfer-row"][data-status="pending"]')
    assert second.full_name in pending.inner_text()
    pending.get_by_test_id("release").click()
    assert "Đã đồng ý chuyển trường" in page.content()
    sign_out(page)

    login(page, school_hcm)
    page.goto(f"{base}/students/")
    page.click(f"text={second.full_name}")
    assert school_other_province.name in page.get_by_test_id("enrollment-history").inner_text()
    save_artifact(page, "transfer-history-school-hcm")
    assert Student.objects.get(pk=second.pk).school == school_other_province
    sign_out(page)

    # The statistics: the refreshes the releases queued run on a real worker, and each school's dashboard
    # counts the moves (two out of school A, one into school B, one into the Hồ Chí Minh City school).
    with thread_worker():
        for school, field, count in ((school_a, "enrol_transferred_out", 2), (school_b, "enrol_transferred_in", 1),
                                     (school_other_province, "enrol_transferred_in", 1)):
            deadline = time.monotonic() + 90
            while not SchoolStats.objects.filter(school=school, **{field: count}).exists():
                assert time.monotonic() < deadline, f"{field} != {count} for {school.name}"
                time.sleep(0.2)
    for user, school, label, count in ((school_user, school_a, "Chuyển đi", "2"),
                                       (school_user_b, school_b, "Chuyển đến", "1"),
                                       (school_hcm, school_other_province, "Chuyển đến", "1")):
        login(page, user)
        page.goto(f"{base}/dashboards/schools/{school.pk}/")
        row = page.get_by_test_id("table-movements").locator(
            "tr", has=page.locator('td[data-col="label"]', has_text=label))
        assert row.locator('td[data-col="count"]').inner_text().strip() == count, (school.name, label)
        save_artifact(page, f"transfer-dashboard-{school.pk}")
        sign_out(page)

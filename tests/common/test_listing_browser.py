"""The list component in Chromium: a province's user finds a school by typing part of its name in the school
picker's search box (static/js/pickers.js), the list narrows to it, then sorts by a column and keeps the school."""
import pytest

from tests.factories import make_student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_province_user_searches_the_school_picker_and_sorts(page, login, live_server, province_user, school_a,
                                                               school_b):
    pupil_a, pupil_b = make_student(school_a), make_student(school_b)
    login(page, province_user)
    page.goto(f"{live_server.url}/students/")
    assert page.get_by_text(pupil_b.full_name).count() == 1
    box = page.get_by_label("Tìm theo tên hoặc mã")
    box.fill("hoc A")
    page.locator(f'select[name=school] option[value="{school_a.pk}"]').wait_for(state="attached")
    page.select_option("select[name=school]", str(school_a.pk))  # the change sends the form
    page.wait_for_url(f"**school={school_a.pk}**")
    assert page.get_by_text(pupil_a.full_name).count() == 1 and page.get_by_text(pupil_b.full_name).count() == 0
    page.get_by_role("link", name="Ngày sinh").click()
    page.wait_for_url("**sort=born**")
    assert f"school={school_a.pk}" in page.url
    header = page.locator("th[aria-sort=ascending]")
    assert "Ngày sinh" in header.inner_text()

"""The journey "enter a class's term results on the class sheet", in headless Chromium, as a school's
administrator: from the class list to the sheet, typed, saved, seen on a pupil's page; and a bad
value shown next to its cell with nothing saved."""
import pytest

from accounts.models import Role
from students.models import AcademicResult
from tests.conftest import save_artifact
from tests.factories import SchoolFactory, UserFactory, make_student
from tests.students.test_class_sheet import GOOD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school_class():
    school = SchoolFactory(name="Trường THCS Thử Nghiệm", level="lower_secondary", province_id="01")
    user = UserFactory(username="t_thcs_sheet", role=Role.SCHOOL, school=school, may_view_id_numbers=True)
    pupils = [make_student(school, grade=7, class_name="7A", full_name=name)
              for name in ("Trần Minh Châu", "Nguyễn Thị An", "Lê Văn Bình")]
    return school, user, pupils


def _type_sheet(page, scores_of):
    rows = page.get_by_test_id("sheet-row")
    for r in range(rows.count()):
        row = rows.nth(r)
        for subject, value in scores_of(r).items():
            row.locator(f'input[data-subject="{subject}"]').fill(value)
        row.get_by_test_id("conduct").select_option("tot")


def test_enter_a_class_term_results_on_the_class_sheet(page, login, live_server, school_class):
    school, user, pupils = school_class
    login(page, user)
    page.goto(f"{live_server.url}/students/?grade=7&class_name=7A")
    page.get_by_test_id("class-sheet").click()
    page.get_by_test_id("sheet-table").wait_for()
    names = [page.get_by_test_id("sheet-row").nth(i).locator("a").inner_text() for i in range(3)]
    assert names == ["Nguyễn Thị An", "Lê Văn Bình", "Trần Minh Châu"]  # given name first
    _type_sheet(page, lambda r: {**GOOD, "Toán": "9,5" if r == 0 else GOOD["Toán"]})
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    assert "Đã lưu sổ điểm lớp 7A" in page.content()
    assert page.get_by_test_id("learning").first.inner_text() == "Tốt"
    save_artifact(page, "class-sheet-saved")
    page.get_by_test_id("sheet-row").first.locator("a").click()
    results = page.get_by_test_id("results")
    assert "Toán: 9,5" in results.inner_text() and "Học kỳ I" in results.inner_text()
    assert AcademicResult.objects.filter(student__in=pupils).count() == 3


def test_a_bad_value_is_shown_next_to_its_cell_and_nothing_is_saved(page, login, live_server, school_class):
    school, user, pupils = school_class
    login(page, user)
    page.goto(f"{live_server.url}/students/class-sheets/?school={school.pk}")
    page.get_by_role("link", name="Học kỳ I").first.click()
    _type_sheet(page, lambda r: {**GOOD, "Giáo dục thể chất": "7"} if r == 1 else GOOD)
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    bad_row = page.get_by_test_id("sheet-row").nth(1)
    error = bad_row.get_by_test_id("cell-error")
    assert error.count() == 1 and "Giáo dục thể chất" in error.inner_text()
    assert "is-invalid" in bad_row.locator('input[data-subject="Giáo dục thể chất"]').get_attribute("class")
    # The other rows keep what was typed.
    assert page.get_by_test_id("sheet-row").nth(0).locator('input[data-subject="Toán"]').input_value() == "8,5"
    assert "Không có kết quả nào được lưu" in page.content()
    save_artifact(page, "class-sheet-refused")
    assert not AcademicResult.objects.filter(student__in=pupils).exists()

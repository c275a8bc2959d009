"""A school administrator uploads pupils in a real browser, with a real Celery worker."""
import datetime as dt

import pytest

from students.models import Student
from tests.conftest import save_artifact
from tests.processes import thread_worker

from .conftest import PUPIL_HEADER, csv_bytes, pupil_rows

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
def upload_worker(transactional_db):
    """A real worker thread consuming the test broker's default queue.

    (Pointing the app at a private queue and back does not work: Celery caches its queue
    objects on first use, and later tests' tasks would go to a queue nobody consumes.)"""
    with thread_worker():
        yield


def _choose_file(page, name: str, content: bytes) -> None:
    page.set_input_files("input[type=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])


@pytest.mark.django_db(transaction=True)
def test_school_admin_fixes_errors_and_commits_pupils(upload_worker, page, login, live_server, school_user):
    rows = pupil_rows(5)
    rows[1][3] = "31/02/2016"       # spreadsheet row 3
    rows[3][1] = "1316000004"       # row 5: Excel dropped the leading zeros
    login(page, school_user)

    page.goto(f"{live_server.url}/uploads/new/")
    assert "MB" in page.inner_text("[data-testid=limits]")
    page.select_option("#id_kind", "pupils")
    _choose_file(page, "lop3.csv", csv_bytes(PUPIL_HEADER, rows, delimiter=";", encoding="utf-8-sig"))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector("[data-testid=error-table]", timeout=30_000)
    save_artifact(page, "uploads_preview_with_errors")
    table = page.inner_text("[data-testid=error-table]")
    assert "31/02/2016" in table and "không phải là ngày hợp lệ" in table
    assert "001316000004" in table  # the proposed fix for the dropped zeros
    assert page.inner_text("[data-testid=count-errors]") == "2"
    assert page.locator("[data-testid=confirm]").count() == 0

    with page.expect_download() as download:
        page.click("[data-testid=error-file]")
    error_file = download.value
    text = open(error_file.path(), encoding="utf-8-sig").read()
    assert error_file.suggested_filename == "lop3_loi.csv"
    lines = text.splitlines()
    assert lines[0].split(";")[-1] == "Lỗi" and len(lines) == 3
    assert "Dòng 3, cột Ngày sinh: '31/02/2016' không phải là ngày hợp lệ" in text

    rows[1][3] = "28/02/2016"
    rows[3][1] = "001316000004"
    page.goto(f"{live_server.url}/uploads/new/")
    _choose_file(page, "lop3_da_sua.csv", csv_bytes(PUPIL_HEADER, rows, delimiter=";", encoding="utf-8-sig"))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector("[data-testid=confirm]", timeout=30_000)
    assert page.inner_text("[data-testid=count-new]") == "5"
    save_artifact(page, "uploads_preview_valid")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=upload-status][data-status=committed]", timeout=30_000)
    save_artifact(page, "uploads_committed")
    assert Student.objects.filter(school=school_user.school).count() == 5

    page.goto(f"{live_server.url}/students/")
    listed = page.inner_text("[data-testid=student-table]")
    for row in rows:
        assert row[0] in listed
    save_artifact(page, "uploads_pupils_listed")
    page.goto(f"{live_server.url}/uploads/")
    assert "lop3_da_sua.csv" in page.inner_text("[data-testid=upload-table]")


def _upload(page, live_server, name: str, content: bytes) -> None:
    page.goto(f"{live_server.url}/uploads/new/")
    page.select_option("#id_kind", "pupils")
    _choose_file(page, name, content)
    page.click("[data-testid=upload-form] button[type=submit]")


def _commit(page) -> None:
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=upload-status][data-status=committed]", timeout=30_000)


def _births(school) -> list:
    return sorted(Student.objects.filter(school=school).values_list("date_of_birth", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_month_first_file_is_read_month_first_with_a_notice_and_saved_right(upload_worker, page, login, live_server,
                                                                             school_user):
    """Issue 16: dates only month-first can read (Excel with US settings) settle the column; nobody is asked."""
    rows = pupil_rows(3)
    for row, born in zip(rows, ["12/25/2016", "11/20/2016", "04/02/2016"], strict=True):
        row[3] = born
    login(page, school_user)

    _upload(page, live_server, "us.csv", csv_bytes(PUPIL_HEADER, rows))
    page.wait_for_selector("[data-testid=confirm]", timeout=30_000)
    notice = page.inner_text("[data-testid=date-notice-date_of_birth]")
    assert notice.startswith("Cột «Ngày sinh»: đọc theo tháng/ngày/năm vì 2 ô chỉ đọc được theo cách này "
                             "(ví dụ dòng 2: 12/25/2016 → 25/12/2016)")
    assert page.locator("[data-testid=date-questions]").count() == 0
    assert page.locator("[data-testid=date-orders]").count() == 0   # nobody chose: the file settled it
    save_artifact(page, "uploads_month_first_notice")
    _commit(page)

    assert _births(school_user.school) == [dt.date(2016, 4, 2), dt.date(2016, 11, 20), dt.date(2016, 12, 25)]


@pytest.mark.django_db(transaction=True)
def test_an_ambiguous_date_column_is_asked_and_the_answer_is_saved(upload_worker, page, login, live_server,
                                                                  school_user):
    rows = pupil_rows(2)
    rows[0][3], rows[1][3] = "04/02/2016", "05/06/2016"   # either order reads them, differently
    login(page, school_user)

    _upload(page, live_server, "mo_ho.csv", csv_bytes(PUPIL_HEADER, rows))
    page.wait_for_selector("[data-testid=question-date_of_birth]", timeout=30_000)
    question = page.inner_text("[data-testid=question-date_of_birth]")
    assert "Ngày sinh" in question and "02/04/2016" in question   # 04/02/2016 read month-first
    assert page.locator("[data-testid=confirm]").count() == 0
    save_artifact(page, "uploads_date_question")
    page.check("#mdy_date_of_birth")
    page.click("[data-testid=answer]")
    page.wait_for_selector("[data-testid=confirm]", timeout=30_000)
    _commit(page)

    assert _births(school_user.school) == [dt.date(2016, 4, 2), dt.date(2016, 5, 6)]

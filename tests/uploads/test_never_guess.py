"""Uploads never guess (issue 16): date columns read in one order decided from the whole column or asked,
codes whose leading zeros Excel stripped matched to the record on file, scientific notation explained,
and every changed field listed with its old and new value (ID numbers masked where they must be)."""
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from accounts.models import Role
from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.importing.dates import DateColumnTally
from students.models import Student
from tests.factories import UserFactory
from uploads import services
from uploads.models import UploadStatus
from uploads.selectors import upload_view

from .conftest import PUPIL_HEADER, commit, csv_bytes, pupil_rows, run_upload

pytestmark = pytest.mark.django_db


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_dates(dates: list) -> list[list]:
    rows = pupil_rows(len(dates))
    for row, date in zip(rows, dates, strict=True):
        row[3] = date
    return rows


def _answer(user, upload, **orders):
    services.upload_answer(user=user, upload_id=upload.pk, date_orders=orders, enqueue=False)
    return services.upload_validate(upload_id=upload.pk)


@pytest.mark.parametrize(("values", "settled"), [
    (["13/02/2016", "04/02/2016"], "dmy"),          # day-first evidence (and an ambiguous value)
    (["02/13/2016", "04/02/2016"], "mdy"),          # month-first evidence alone settles too
    (["02/13/2016", "12/25/2016"], "mdy"),
    (["13/02/2016", "02/13/2016"], None),           # mixed: asked
    (["04/02/2016", "05/06/2016"], None),           # ambiguous only: asked
    (["05/05/2016", "2016-06-07", ""], "dmy"),      # nothing to decide
])
def test_one_kind_of_evidence_settles_a_column_mixed_or_ambiguous_asks(values, settled):
    tally = DateColumnTally("date_of_birth")
    for row, value in enumerate(values, start=2):
        tally.add(row, value)
    assert tally.settled == settled


def test_the_notice_shows_the_first_month_first_cell_even_after_many_ambiguous_ones():
    tally = DateColumnTally("date_of_birth")
    for row in range(2, 30):
        tally.add(row, "04/02/2016")
    tally.add(30, "12/25/2016")
    assert tally.settled == "mdy"
    assert tally.notice("Ngày sinh")["example"] == {"row": 30, "value": "12/25/2016", "read": "25/12/2016"}


def _births() -> dict:
    return dict(Student.objects.values_list("pupil_code", "date_of_birth"))


US_DATES = ["03/15/2016", "04/02/2016", "11/06/2016"]   # Excel with US regional settings
US_READ = [dt.date(2016, 3, 15), dt.date(2016, 4, 2), dt.date(2016, 11, 6)]


AMBIGUOUS = ["04/02/2016", "05/06/2016"]                 # either order reads them, differently


def test_month_first_csv_column_is_read_month_first_with_a_notice_naming_the_files_header(client, school_user):
    header = [*PUPIL_HEADER]
    header[3] = "NGÀY SINH"   # the file's own spelling of the template's "Ngày sinh"
    upload = run_upload(school_user, csv_bytes(header, _with_dates(US_DATES)))

    assert upload.status == UploadStatus.VALIDATED and upload.can_commit and not upload.questions
    assert upload.date_orders == {}  # the file settled it: nobody chose anything
    (notice,) = upload.notices
    assert notice["column"] == "date_of_birth" and notice["order"] == "mdy"
    assert notice["message"] == ("Cột «NGÀY SINH»: đọc theo tháng/ngày/năm vì 1 ô chỉ đọc được theo cách này "
                                 "(ví dụ dòng 2: 03/15/2016 → 15/03/2016); 2 ô đọc được theo cả hai cách cũng "
                                 "được đọc theo tháng/ngày/năm")
    client.force_login(school_user)
    page = client.get(f"/uploads/{upload.pk}/").content.decode()
    assert 'data-testid="date-notice-date_of_birth"' in page and "Cột «NGÀY SINH»" in page
    assert "date_of_birth" not in page.replace('data-testid="date-notice-date_of_birth"', "")
    assert 'data-testid="date-orders"' not in page and "chọn" not in notice["message"]

    commit(school_user, upload)
    assert sorted(_births().values()) == US_READ  # 04/02 is 2 April, as the rest of the column says


def test_a_cell_a_month_first_column_cannot_read_is_one_error_read_month_first(school_user):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, _with_dates([*US_DATES, "13/25/2016"])))

    # The first pass read the column day-first (13/25 refused, 03/15 refused): its errors are not kept.
    assert upload.status == UploadStatus.INVALID and upload.error_count == 1
    assert [(e["row"], e["value"]) for e in upload.errors] == [(5, "13/25/2016")]
    assert "tháng/ngày/năm của cột này" in upload.errors[0]["reason"]
    assert upload.notices[0]["column"] == "date_of_birth"


def test_month_first_xlsx_text_column_is_settled_and_real_date_cells_count_for_nothing(school_user):
    rows = _with_dates([*US_DATES, dt.datetime(2016, 1, 20)])   # a real date cell: unambiguous
    upload = run_upload(school_user, _xlsx([PUPIL_HEADER, *rows]), name="hs.xlsx")

    assert upload.status == UploadStatus.VALIDATED
    assert upload.notices[0]["counts"] == {"dmy": 0, "mdy": 1, "either": 2, "same": 0}
    commit(school_user, upload)
    assert sorted(_births().values()) == sorted([*US_READ, dt.date(2016, 1, 20)])


def test_mixed_column_asks_and_a_cell_the_chosen_order_cannot_read_is_an_error_not_a_guess(school_user):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, _with_dates(["13/02/2016", "02/13/2016", "05/06/2016"])))
    assert upload.status == UploadStatus.QUESTION
    assert "cả ngày chỉ đọc được theo ngày/tháng" in upload.questions[0]["why"]

    upload = _answer(school_user, upload, date_of_birth="dmy")
    assert upload.status == UploadStatus.INVALID
    assert [(e["row"], e["value"]) for e in upload.errors] == [(3, "02/13/2016")]


def test_ambiguous_column_asks_but_day_first_evidence_or_same_either_way_does_not(school_user):
    ambiguous = run_upload(school_user, csv_bytes(PUPIL_HEADER, _with_dates(AMBIGUOUS)))
    assert ambiguous.status == UploadStatus.QUESTION and ambiguous.questions[0]["suggested"] == "dmy"
    assert ambiguous.questions[0]["header"] == "Ngày sinh" and not ambiguous.notices
    answered = _answer(school_user, ambiguous, date_of_birth="mdy")
    # The preview names the column as the file does, and says the order is the user's choice.
    assert [n["message"] for n in answered.notices] == ["Cột «Ngày sinh»: đọc theo tháng/ngày/năm như bạn đã chọn."]
    commit(school_user, answered)
    assert sorted(_births().values()) == [dt.date(2016, 4, 2), dt.date(2016, 5, 6)]
    Student.objects.all().delete()

    settled = run_upload(school_user, csv_bytes(PUPIL_HEADER, _with_dates(["04/02/2016", "25/06/2016"])))
    assert settled.status == UploadStatus.VALIDATED
    commit(school_user, settled)
    assert sorted(_births().values()) == [dt.date(2016, 2, 4), dt.date(2016, 6, 25)]

    same = run_upload(school_user, csv_bytes(PUPIL_HEADER, _with_dates(["05/05/2016", "2016-06-07"])))
    assert same.status == UploadStatus.VALIDATED


def test_answer_must_cover_every_question_and_only_a_questioned_upload(school_user):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, _with_dates(AMBIGUOUS)))
    with pytest.raises(AppError) as refused:
        services.upload_answer(user=school_user, upload_id=upload.pk, date_orders={"date_of_birth": "ymd"},
                               enqueue=False)
    assert refused.value.code == "answer_required"
    _answer(school_user, upload, date_of_birth="mdy")
    with pytest.raises(AppError) as again:
        services.upload_answer(user=school_user, upload_id=upload.pk, date_orders={"date_of_birth": "dmy"})
    assert again.value.code == "no_question"


def test_code_whose_leading_zeros_excel_stripped_is_the_record_on_file(school_user):
    rows = pupil_rows(2)
    rows[0][0] = "000123"
    commit(school_user, run_upload(school_user, csv_bytes(PUPIL_HEADER, rows)))
    assert Student.objects.count() == 2

    rows[0][0] = 123          # Excel read the code as a number
    rows[0][8] = "3B"
    upload = run_upload(school_user, _xlsx([PUPIL_HEADER, *rows]), name="hs.xlsx")

    assert upload.status == UploadStatus.VALIDATED
    assert (upload.new_count, upload.changed_count) == (0, 1)
    assert upload.notices == [{"row": 2, "message": "mã 123 được hiểu là 000123 (Excel đã bỏ số 0 ở đầu)"}]
    commit(school_user, upload)
    assert Student.objects.count() == 2
    assert not Student.objects.filter(pupil_code="123").exists()


def test_a_file_holding_a_code_both_with_and_without_its_zeros_is_refused_on_the_second(school_user):
    rows = pupil_rows(1)
    rows[0][0] = "000123"
    commit(school_user, run_upload(school_user, csv_bytes(PUPIL_HEADER, rows)))
    again = pupil_rows(2)
    again[0][0], again[1][0] = "000123", "123"

    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, again))

    assert [(e["row"], e["value"]) for e in upload.errors] == [(3, "123")]
    assert "trùng với dòng 2" in upload.errors[0]["reason"]


def test_numbers_in_scientific_notation_are_explained(school_user):
    rows = pupil_rows(2)
    rows[0][0] = "1.23457E+11"
    rows[1][1] = "1,23457E+11"
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, rows))

    by_row = {e["row"]: e for e in upload.errors}
    assert set(by_row) == {2, 3}
    for error in by_row.values():
        assert "lũy thừa" in error["reason"] and "Văn bản (Text)" in error["reason"]


def test_preview_lists_each_changed_field_old_and_new_masked_for_who_may_not_see_numbers(school_user, school_a):
    # The first file enrolls the pupil without a number, saying why (students.intake); the second adds it.
    header = PUPIL_HEADER + ["Lý do chưa có số định danh"]
    rows = [row + [""] for row in pupil_rows(2)]
    rows[0][1], rows[0][-1] = "", "Đang chờ cấp"
    commit(school_user, run_upload(school_user, csv_bytes(header, rows)))
    rows[0][1], rows[0][-1] = "001316000001", ""
    rows[0][2] = "Nguyễn Thị Đã Sửa"

    upload = run_upload(school_user, csv_bytes(header, rows))

    (change,) = upload.changes
    assert change["row"] == 2 and change["code"] == "HSA0000001"
    fields = {f["field"]: (f["header"], f["old"], f["new"]) for f in change["fields"]}
    assert fields == {"id_number": ("Số định danh cá nhân", "", "001316000001"),
                      "full_name": ("Họ và tên", "Nguyễn Thị Thử B", "Nguyễn Thị Đã Sửa")}

    clerk = UserFactory(username="t_clerk_a", role=Role.SCHOOL, school=school_a, may_view_id_numbers=False)
    seen = upload_view(scope=Scope.for_user(clerk), user=clerk, pk=upload.pk)
    masked = {f["field"]: f["new"] for f in seen.changes[0]["fields"]}
    assert masked["id_number"] == "001*******01"
    shown = upload_view(scope=Scope.for_user(school_user), user=school_user, pk=upload.pk)
    assert {f["field"]: f["new"] for f in shown.changes[0]["fields"]}["id_number"] == "001316000001"


def test_the_page_asks_the_question_and_takes_the_answer(client, school_user):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, _with_dates(AMBIGUOUS)))
    client.force_login(school_user)

    page = client.get(f"/uploads/{upload.pk}/").content.decode()
    assert 'data-testid="question-date_of_birth"' in page and "02/04/2016" in page

    response = client.post(f"/uploads/{upload.pk}/answer/", {"order_date_of_birth": "mdy"})
    assert response.status_code == 302
    upload = services.upload_validate(upload_id=upload.pk)
    assert upload.status == UploadStatus.VALIDATED and upload.date_orders == {"date_of_birth": "mdy"}

"""Upload pages: templates, the form, the preview, confirm, downloads, and scope on each."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from edu_portal.common.models import current_school_year, school_year_label
from students.models import AcademicResult, PhysicalRecord
from tests import queued
from tests.factories import make_student
from uploads.models import Upload, UploadStatus

from .conftest import PUPIL_HEADER, commit, csv_bytes, pupil_rows, run_upload

pytestmark = pytest.mark.django_db


def test_excel_template_has_vietnamese_headers_and_a_codes_sheet(client, school_user):
    client.force_login(school_user)
    response = client.get(reverse("uploads:template", args=["pupils", "xlsx"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Dữ liệu", "Mã hợp lệ"]
    # The reason for a blank ID number sits beside it (issue 16; optional, so PUPIL_HEADER files omit it).
    assert [c.value for c in book["Dữ liệu"][1]] == [*PUPIL_HEADER[:2], "Lý do chưa có số định danh",
                                                      *PUPIL_HEADER[2:]]
    codes = [row[0] for row in book["Mã hợp lệ"].iter_rows(values_only=True)]
    assert "Giới tính" in codes and "01" in codes  # columns and the province codes
    # The 54 ethnic groups with their codes (Quyết định 121-TCTK/PPCĐ), which the row message points to.
    pairs = [row[:2] for row in book["Mã hợp lệ"].iter_rows(values_only=True)]
    assert ("05", "Khơ-me") in pairs and ("54", "Rơ-măm") in pairs


def test_csv_template_opens_in_excel_with_accents(client, school_user):
    client.force_login(school_user)
    response = client.get(reverse("uploads:template", args=["staff", "csv"]))
    assert response.content.startswith("\ufeff".encode())
    assert "Mã cán bộ" in response.content.decode("utf-8-sig")
    assert client.get(reverse("uploads:template", args=["schools", "csv"])).status_code == 404


def test_form_states_limits_and_creates_an_upload(client, school_user):
    client.force_login(school_user)
    page = client.get(reverse("uploads:new")).content.decode()
    assert "MB" in page and "dòng dữ liệu" in page and 'name="school_code"' not in page
    content = csv_bytes(PUPIL_HEADER, pupil_rows(2))
    response = client.post(reverse("uploads:new"), {"kind": "pupils",
                                                    "file": SimpleUploadedFile("a.csv", content, "text/csv")})
    upload = Upload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("uploads:detail", args=[upload.pk])
    assert upload.status == UploadStatus.PENDING and upload.uploaded_by == school_user


def test_form_refuses_other_files_with_a_message(client, school_user):
    client.force_login(school_user)
    response = client.post(reverse("uploads:new"), {"kind": "pupils",
                                                    "file": SimpleUploadedFile("a.exe", b"MZ", "application/x")})
    assert response.status_code == 200 and "Chỉ nhận tệp CSV" in response.content.decode()
    assert not Upload.objects.exists()


def test_province_user_uploads_on_behalf_of_a_school_by_code(client, province_user, school_a,
                                                              school_other_province):
    client.force_login(province_user)
    file = SimpleUploadedFile("a.csv", csv_bytes(PUPIL_HEADER, pupil_rows(1)), "text/csv")
    response = client.post(reverse("uploads:new"), {"kind": "pupils", "school_code": school_other_province.code,
                                                    "file": file})
    assert "trong phạm vi của bạn" in response.content.decode()
    file.seek(0)
    client.post(reverse("uploads:new"), {"kind": "pupils", "school_code": school_a.code, "file": file})
    assert Upload.objects.get().school == school_a


def test_preview_confirm_and_scope_of_pages(client, school_user, school_user_b, django_capture_on_commit_callbacks):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(3)))
    client.force_login(school_user_b)
    for name in ("detail", "status", "original"):
        assert client.get(reverse(f"uploads:{name}", args=[upload.pk])).status_code == 404
    assert client.post(reverse("uploads:confirm", args=[upload.pk])).status_code == 404
    assert upload.file_name not in client.get(reverse("uploads:list")).content.decode()

    client.force_login(school_user)
    page = client.get(reverse("uploads:detail", args=[upload.pk])).content.decode()
    assert 'data-testid="confirm"' in page and 'data-testid="count-new">3<' in page
    assert upload.file_name in client.get(reverse("uploads:list")).content.decode()
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("uploads:confirm", args=[upload.pk]))
    # The commit task, queued once the confirmation is stored.
    assert queued.queued_tasks() == [("uploads.tasks.upload_commit_task", [upload.pk], {})]
    queued.clear()
    upload.refresh_from_db()
    assert upload.status == UploadStatus.COMMITTING and upload.committed_by == school_user
    response = client.get(reverse("uploads:status", args=[upload.pk]))
    assert "HX-Refresh" not in response and 'hx-trigger="every 1s"' in response.content.decode()


def test_finished_status_asks_htmx_to_reload(client, school_user):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(1)))
    client.force_login(school_user)
    assert client.get(reverse("uploads:status", args=[upload.pk]))["HX-Refresh"] == "true"


def test_results_and_measurements_for_the_schools_pupils(school_user, school_a):
    pupil = make_student(school_a)
    header = ["Mã học sinh", "Năm học", "Học kỳ", "Kết quả học tập", "Kết quả rèn luyện", "Điểm các môn"]
    # A grade-3 pupil (Thông tư 27/2020): every compulsory subject, with its periodic test where there is one.
    subjects = ("Tiếng Việt: HTT, 8; Toán: HTT, 9; Đạo đức: HTT; Tự nhiên và Xã hội: HTT; Ngoại ngữ 1: HTT, 9; "
                "Tin học và Công nghệ: HTT, 9; Giáo dục thể chất: HTT; Âm nhạc: HTT; Mĩ thuật: HTT; "
                "Hoạt động trải nghiệm: HTT")
    year = current_school_year()  # the pupil's enrollment
    rows = [[pupil.pupil_code, school_year_label(year), "Cả năm", "Hoàn thành tốt", "Tốt", subjects],
            ["KHONGCO", school_year_label(year), "Cả năm", "Hoàn thành", "Đạt", ""]]
    upload = run_upload(school_user, csv_bytes(header, rows), kind="results")
    assert [e["row"] for e in upload.errors] == [3]
    upload = commit(school_user, run_upload(school_user, csv_bytes(header, rows[:1]), kind="results"))
    assert upload.new_count == 1
    result = AcademicResult.objects.get(student=pupil)
    assert (result.school_year, result.term, result.learning_rating) == (year, 0, "hoan_thanh_tot")
    assert result.subject_scores["Toán"] == {"rating": "Hoàn thành tốt", "test": 9}
    assert run_upload(school_user, csv_bytes(header, rows[:1]), kind="results").unchanged_count == 1

    header = ["Mã học sinh", "Ngày đo", "Chiều cao (cm)", "Cân nặng (kg)"]
    upload = commit(school_user, run_upload(school_user, csv_bytes(header, [[pupil.pupil_code, "15/09/2025", "128,5",
                                                                             "26"]]), kind="physical"))
    record = PhysicalRecord.objects.get(student=pupil)
    assert upload.new_count == 1 and str(record.bmi) == "15.7" and record.nutrition_status


def test_english_ui_keeps_the_files_vietnamese(client, school_user):
    """Choice labels are translated on screen, but a file's values and its template stay in the
    ministry's Vietnamese format whatever language the administrator reads the portal in."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    client.force_login(school_user)
    response = client.get(reverse("uploads:template", args=["pupils", "xlsx"]))
    codes = {row[0]: row[3] for row in load_workbook(io.BytesIO(response.content))["Mã hợp lệ"].iter_rows(
        values_only=True) if row}
    assert codes["Giới tính"] == "Nam; Nữ"

    with translation.override("en"):
        upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(1) + [
            ["HSA0000099", "001316000099", "Nguyễn Thị Thử", "15/03/2016", "Female", "", "01", "3", "3A"]]))
    assert upload.status == UploadStatus.INVALID
    assert [e["row"] for e in upload.errors] == [3]  # "Nữ" is accepted, the English "Female" is not
    assert "Nam, Nữ" in upload.errors[0]["message"]

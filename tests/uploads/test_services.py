"""The upload services end to end against PostgreSQL: validation, preview counts, the
all-or-nothing commit, re-upload idempotence, transfers, scope and bad files."""
import codecs
import io
import unicodedata
import zipfile

import pytest
from django.core.files.base import ContentFile
from openpyxl import Workbook

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year
from schools.models import School
from students.models import Enrollment, Student
from tests import queued
from tests.factories import make_student
from uploads import services
from uploads.models import UploadStatus
from uploads.selectors import upload_get, upload_list

from .conftest import PUPIL_HEADER, commit, csv_bytes, pupil_rows, run_upload

pytestmark = pytest.mark.django_db


def test_valid_file_is_previewed_then_committed_with_enrollment(school_user, school_a,
                                                                  django_capture_on_commit_callbacks):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(12)))
    assert upload.status == UploadStatus.VALIDATED
    assert (upload.total_rows, upload.new_count, upload.changed_count, upload.error_count) == (12, 12, 0, 0)
    assert not Student.objects.exists()  # nothing is written before the user confirms

    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        upload = commit(school_user, upload)

    # After the commit: the new identities go to verification, the school's statistics are refreshed.
    tasks = {name: args for name, args, _ in queued.queued_tasks()}
    assert tasks["dashboards.refresh_schools"] == [[school_a.pk]]
    kind, ids = tasks["verification.identities_verify"]
    assert kind == "student" and sorted(ids) == sorted(Student.objects.values_list("pk", flat=True))
    queued.clear()

    assert upload.status == UploadStatus.COMMITTED
    assert Student.objects.filter(school=school_a).count() == 12
    assert Enrollment.objects.filter(school=school_a, school_year=current_school_year(), grade=3,
                                     class_name="3A").count() == 12
    pupil = Student.objects.get(pupil_code="HSA0000001")
    assert (pupil.id_number, pupil.gender, pupil.ethnicity, pupil.verification_status) == \
        ("001316000001", "F", "Kinh", "queued")
    school_a.refresh_from_db()
    assert school_a.last_synced_at is not None


def test_reupload_of_the_same_file_changes_nothing(school_user):
    content = csv_bytes(PUPIL_HEADER, pupil_rows(8))
    commit(school_user, run_upload(school_user, content))
    stamps = dict(Student.objects.values_list("pupil_code", "updated_at"))

    again = run_upload(school_user, content)
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 8)
    again = commit(school_user, again)

    assert again.status == UploadStatus.COMMITTED
    assert dict(Student.objects.values_list("pupil_code", "updated_at")) == stamps


def test_changed_rows_are_counted_and_only_they_move_updated_at(school_user):
    rows = pupil_rows(5)
    commit(school_user, run_upload(school_user, csv_bytes(PUPIL_HEADER, rows)))
    before = dict(Student.objects.values_list("pupil_code", "updated_at"))
    Student.objects.update(verification_status="verified")
    rows[1][2] = "Nguyễn Thị Đã Sửa"   # identity change: re-verified
    rows[2][8] = "3B"                  # enrollment change only

    upload = commit(school_user, run_upload(school_user, csv_bytes(PUPIL_HEADER, rows)))

    assert (upload.new_count, upload.changed_count, upload.unchanged_count) == (0, 2, 3)
    after = {s.pupil_code: s for s in Student.objects.all()}
    assert after["HSA0000002"].full_name == "Nguyễn Thị Đã Sửa"
    assert after["HSA0000002"].verification_status == "queued"
    assert after["HSA0000002"].updated_at > before["HSA0000002"]
    assert after["HSA0000003"].verification_status == "verified"
    assert Enrollment.objects.get(student=after["HSA0000003"]).class_name == "3B"
    for code in ("HSA0000001", "HSA0000004", "HSA0000005"):
        assert after[code].updated_at == before[code]


def test_errors_name_row_column_value_and_reason_and_block_the_commit(school_user):
    rows = pupil_rows(4)
    rows[0][3] = "31/02/2015"        # row 2
    rows[1][1] = "1316000002"        # row 3: Excel dropped the leading zeros
    rows[2][0] = rows[3][0]          # row 4 repeats the code of row 5
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, rows))

    assert upload.status == UploadStatus.INVALID
    messages = [e["message"] for e in upload.errors]
    assert "Dòng 2, cột Ngày sinh: '31/02/2015' không phải là ngày hợp lệ" in messages
    assert any(m.startswith("Dòng 3, cột Số định danh cá nhân: '1316000002'") and "'001316000002'" in m
               for m in messages)
    assert "Dòng 5, cột Mã học sinh: 'HSA0000004' trùng với dòng 4 trong tệp" in messages
    assert upload.error_row_count == 3
    with pytest.raises(AppError):
        services.upload_confirm(user=school_user, upload_id=upload.pk, enqueue=False)
    assert not Student.objects.exists()


def test_error_file_has_the_failing_rows_an_error_column_and_no_live_formulas(school_user):
    rows = pupil_rows(3)
    rows[0][8] = "=HYPERLINK(\"http://x\")"
    rows[0][2] = "@SUM(1)"
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, rows))

    text = upload.error_file.open("rb").read().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].endswith(",Lỗi")
    assert len(lines) == 2
    assert "'@SUM(1)" in lines[1] and "'=HYPERLINK" in lines[1]
    assert "Dòng 2, cột Lớp: '=HYPERLINK" in lines[1] and "công thức" in lines[1]


def test_pupil_at_another_school_needs_a_transfer_named_only_within_scope(school_user, school_a, school_b,
                                                                          province_user):
    other = make_student(school_b, pupil_code="HSA0000001", id_number=None)
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(2)))
    reason = upload.errors[0]["reason"]
    assert "chuyển trường" in reason and "một trường khác" in reason and school_b.name not in reason

    rows = [[code, "", *rest] for code, _, *rest in pupil_rows(2)]  # a province officer types no ID numbers
    upload = run_upload(province_user, csv_bytes(PUPIL_HEADER, rows), school=school_a)
    assert school_b.name in upload.errors[0]["reason"]
    other.refresh_from_db()
    assert other.school_id == school_b.pk


def test_id_number_of_another_pupil_in_scope_is_refused_naming_the_pupil(school_user, school_a):
    # The uploader may see that pupil's full number anyway: the refusal may say whose it is.
    make_student(school_a, pupil_code="HSX1", id_number="001316000001", full_name="Lê Thị Khác",
                 date_of_birth=__import__("datetime").date(2016, 1, 1), gender="F")
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(1)))
    assert upload.status == UploadStatus.INVALID
    assert "đã thuộc học sinh mã HSX1" in upload.errors[0]["reason"]


def test_id_number_of_a_pupil_out_of_scope_is_held_not_refused(school_user, school_b):
    # Another school's pupil: the uploader may not learn the number exists, so the row goes in
    # as any other, with the claim held for a reviewer; the confirmed owner keeps the number.
    owner = make_student(school_b, pupil_code="HSB1", id_number="001316000001", full_name="Lê Thị Khác",
                         date_of_birth=__import__("datetime").date(2016, 1, 1), gender="F")
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(2)))
    assert (upload.status, upload.new_count, upload.error_count) == (UploadStatus.VALIDATED, 2, 0)
    upload = commit(school_user, upload)
    assert (upload.status, upload.new_count) == (UploadStatus.COMMITTED, 2)
    claimed = Student.objects.get(pupil_code="HSA0000001")
    assert claimed.id_number == "001316000001" and claimed.id_number_held
    owner.refresh_from_db()
    assert owner.id_number == "001316000001" and not owner.id_number_held
    assert not Student.objects.get(pupil_code="HSA0000002").id_number_held


def test_commit_is_all_or_nothing_when_data_changed_since_validation(school_user, school_b):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(30)))
    assert upload.status == UploadStatus.VALIDATED
    # Meanwhile another school registers the pupil of row 25.
    make_student(school_b, pupil_code="HSA0000024", id_number=None)

    upload = commit(school_user, upload)

    assert upload.status == UploadStatus.FAILED
    assert "Không có gì được ghi" in upload.message
    assert Student.objects.count() == 1  # only the other school's pupil


def test_commit_twice_writes_once(school_user):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(3)))
    upload = commit(school_user, upload)
    assert services.upload_commit(upload_id=upload.pk).status == UploadStatus.COMMITTED
    assert Student.objects.count() == 3
    with pytest.raises(AppError):
        services.upload_confirm(user=school_user, upload_id=upload.pk, enqueue=False)


@pytest.mark.parametrize("encoding,delimiter", [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t")])
def test_files_as_spreadsheets_write_them(school_user, encoding, delimiter):
    """BOM or not, UTF-16 'Unicode text', semicolons, NFD names, serial dates, stray spaces,
    reordered columns and empty trailing rows."""
    header = list(reversed(PUPIL_HEADER))
    rows = [list(reversed(r)) for r in pupil_rows(3)]
    rows[0][6] = unicodedata.normalize("NFD", "  Nguyễn   Thị Hoà ")
    rows[1][5] = "42444"                       # 15/03/2016 as an Excel serial number
    rows[2][8] = "  HSA0000003 "
    content = csv_bytes(header, rows + [[""] * 9, [""] * 9], delimiter=delimiter, encoding=encoding)
    if encoding == "utf-16":
        assert content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))

    upload = commit(school_user, run_upload(school_user, content))

    assert upload.status == UploadStatus.COMMITTED, upload.errors
    assert upload.new_count == 3
    first = Student.objects.get(pupil_code="HSA0000001")
    # NFC, one space, and the one tone-mark placement (edu_portal.common.identity.canonical_name).
    assert first.full_name == "Nguyễn Thị Hòa"
    assert str(Student.objects.get(pupil_code="HSA0000002").date_of_birth) == "2016-03-15"


def test_title_rows_above_the_header_are_skipped(school_user):
    content = csv_bytes(["DANH SÁCH HỌC SINH LỚP 3A", "", "", "", "", "", "", "", ""],
                        [["Năm học 2026-2027"] + [""] * 8, PUPIL_HEADER, *pupil_rows(2)])
    upload = run_upload(school_user, content)
    assert upload.status == UploadStatus.VALIDATED and upload.new_count == 2


def test_wrong_template_names_missing_and_unknown_columns(school_user):
    header = ["Mã học sinh", "Họ tên", "Ngày sinh", "Giới tính", "Khối", "Lớp", "Ghi chú"]
    upload = run_upload(school_user, csv_bytes(header, [["HS1", "A", "01/01/2016", "Nữ", "3", "3A", ""]]))
    assert upload.status == UploadStatus.REJECTED
    assert "thiếu cột: 'Họ và tên'" in upload.message
    assert "'Họ tên'" in upload.message and "'Ghi chú'" in upload.message


@pytest.mark.parametrize("content,name,expected", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "anh.csv", "không phải là CSV"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "cu.xlsx", ".xls"),
    (b"M\xe3 h\xf4c sinh,T\xean\n", "ansi.csv", "UTF-8"),  # a Windows-1258 file
])
def test_files_that_are_not_csv_or_excel_are_refused(school_user, content, name, expected):
    upload = run_upload(school_user, content, name=name)
    assert upload.status == UploadStatus.REJECTED
    assert expected in upload.message


def test_wrong_extension_and_size_limit_are_stated(school_user, monkeypatch):
    with pytest.raises(AppError, match="CSV"):
        services.upload_create(user=school_user, kind="pupils", file=ContentFile(b"x", name="a.pdf"), enqueue=False)
    monkeypatch.setattr(services.create, "MAX_BYTES", 100)
    with pytest.raises(AppError, match="vượt giới hạn"):
        services.upload_create(user=school_user, kind="pupils", file=ContentFile(b"x" * 101, name="a.csv"),
                               enqueue=False)


def test_row_limit(school_user):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(6)), max_rows=5)
    assert upload.status == UploadStatus.REJECTED
    assert "vượt giới hạn" in upload.message


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_excel_dates_numbers_and_formulas(school_user):
    import datetime as dt

    good = pupil_rows(3)
    good[0][3] = dt.datetime(2016, 3, 15)        # a date cell
    good[1][1] = 1316000002                      # ID typed as a number: leading zeros lost
    good[2][7] = 3                               # a number cell
    good[2][8] = "=CONCAT(\"3\",\"A\")"            # formula: refused, never evaluated
    upload = run_upload(school_user, _xlsx([PUPIL_HEADER, *good]), name="hs.xlsx")

    assert upload.file_format == "xlsx"
    by_row = {e["row"]: e for e in upload.errors}
    assert set(by_row) == {3, 4}
    assert "'001316000002'" in by_row[3]["reason"]
    assert "công thức" in by_row[4]["reason"]
    # The error file is an .xlsx whose cells cannot run as formulas.
    from openpyxl import load_workbook

    sheet = load_workbook(upload.error_file.open("rb")).active
    values = [c.value for c in sheet[3]]
    assert values[8].startswith("'=") and values[-1].startswith("Dòng 4")


def test_excel_zip_bomb_is_refused_before_opening(school_user):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/sharedStrings.xml", "<sst>" + "A" * 60_000_000 + "</sst>")
    upload = run_upload(school_user, out.getvalue(), name="bom.xlsx")
    assert upload.status == UploadStatus.REJECTED
    assert "giải nén quá lớn" in upload.message


def test_scope_of_uploads(school_user, school_user_b, province_user, province_user_y, ministry_user, school_a):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(1)))
    for user in (school_user, province_user, ministry_user):
        assert upload_get(scope=Scope.for_user(user), pk=upload.pk).pk == upload.pk
    for user in (school_user_b, province_user_y):
        with pytest.raises(NotInScope):
            upload_get(scope=Scope.for_user(user), pk=upload.pk)
        assert not upload_list(scope=Scope.for_user(user)).exists()
        with pytest.raises(NotInScope):
            services.upload_confirm(user=user, upload_id=upload.pk, enqueue=False)


def test_who_uploads_what_for_which_school(school_user, province_user_y, school_a, school_b):
    with pytest.raises(AppError):
        services.upload_create(user=school_user, kind="schools", file=ContentFile(b"a", name="t.csv"), enqueue=False)
    # A school administrator's upload goes to their own school whatever is asked.
    upload = services.upload_create(user=school_user, kind="pupils", file=ContentFile(b"a", name="t.csv"),
                                    school=school_b, enqueue=False)
    assert upload.school == school_a
    with pytest.raises(NotInScope):
        services.upload_create(user=province_user_y, kind="pupils", file=ContentFile(b"a", name="t.csv"),
                               school=school_a, enqueue=False)
    with pytest.raises(AppError, match="chọn trường"):
        services.upload_create(user=province_user_y, kind="pupils", file=ContentFile(b"a", name="t.csv"),
                               enqueue=False)


def test_schools_upload_in_province_scope(province_user):
    from tests.factories import commune_of

    header = ["Mã trường", "Tên trường", "Cấp học", "Loại hình", "Mã tỉnh", "Mã xã/phường", "Địa chỉ", "Trạng thái"]
    rows = [["HN001", "Trường Tiểu học Thử", "Tiểu học", "Công lập", "01", commune_of("01"), "", ""],
            ["HCM01", "Trường Tiểu học Xa", "Tiểu học", "Công lập", "79", commune_of("79"), "", ""]]
    upload = run_upload(province_user, csv_bytes(header, rows), kind="schools", name="truong.csv")
    assert [e["row"] for e in upload.errors] == [3]
    assert "ngoài phạm vi" in upload.errors[0]["reason"]

    upload = commit(province_user, run_upload(province_user, csv_bytes(header, rows[:1]), kind="schools"))
    assert upload.status == UploadStatus.COMMITTED
    assert School.objects.get(code="HN001").province_id == "01"
    assert upload.province_id == "01" and upload.school_id is None


def test_a_pupil_without_id_number_needs_a_reason_and_loses_it_with_the_number(school_user, school_a):
    """Intake without an ID number (issue 16): a blank number needs the column "Lý do chưa có số định
    danh"; the reason is stored, kept by a re-upload with the cell empty, and cleared by the number."""
    header = [*PUPIL_HEADER, "Lý do chưa có số định danh"]
    rows = [[*row, ""] for row in pupil_rows(3)]
    rows[0][1] = ""                       # row 2: no number, no reason
    rows[1][1], rows[1][9] = "", "Người nước ngoài"
    rows[2][1], rows[2][9] = "", "dang cho cap"  # typed without diacritics
    upload = run_upload(school_user, csv_bytes(header, rows))
    assert upload.status == UploadStatus.INVALID
    assert [e["message"].split(":")[0] for e in upload.errors] == ["Dòng 2, cột Lý do chưa có số định danh"]
    assert "bắt buộc khi để trống số định danh" in upload.errors[0]["message"]

    rows[0][9] = "Khác: gia đình chưa làm khai sinh"
    commit(school_user, run_upload(school_user, csv_bytes(header, rows)))
    stored = dict(Student.objects.values_list("pupil_code", "id_number_missing_reason"))
    assert stored == {"HSA0000001": "other", "HSA0000002": "foreigner", "HSA0000003": "pending"}
    assert Student.objects.get(pupil_code="HSA0000001").id_number_missing_note == "gia đình chưa làm khai sinh"

    # The same file without the column keeps the reasons (an empty cell keeps what is on record).
    again = run_upload(school_user, csv_bytes(PUPIL_HEADER, [row[:9] for row in rows]))
    assert (again.error_count, again.changed_count) == (0, 0)
    # The number comes: the reason goes and the pupil is queued for verification.
    rows[2][1], rows[2][9] = "001316000003", ""
    queued.clear()
    commit(school_user, run_upload(school_user, csv_bytes(header, rows)))
    pupil = Student.objects.get(pupil_code="HSA0000003")
    assert (pupil.id_number, pupil.id_number_missing_reason, pupil.verification_status) == \
        ("001316000003", "", "queued")
    queued.clear()

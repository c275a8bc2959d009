"""Messages kept in the database are shown in the reader's language (issue 21): an upload's result is stored as a
code with parameters; sentences stored in Vietnamese before (and row errors, failure reasons) are read back through
the catalogue; what the catalogue does not know (a reason a user typed) is shown as stored."""
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import Role
from edu_portal.common.i18n import message_render, message_source, message_store, stored_text
from tests.factories import SchoolFactory, UserFactory
from uploads.models import Upload
from uploads.services import upload_create, upload_validate


def test_a_stored_message_is_rendered_in_the_reader_language_with_its_plural_and_separators():
    stored = message_store("upload.failed_rows", n=1)
    with translation.override("en"):
        assert message_render(stored) == "1 row has errors: correct the file and upload it again. Nothing was saved."
        assert message_render(message_store("upload.failed_rows", n=1234)).startswith("1,234 rows have errors")
    with translation.override("vi"):
        assert message_render(message_store("upload.failed_rows", n=1234)).startswith("1.234 dòng có lỗi")
    assert message_source(message_store("upload.committed", created=3, changed=0, unchanged=1)) == (
        "Đã ghi: 3 mới, 0 thay đổi, 1 không đổi.")
    with pytest.raises(KeyError):
        message_store("no.such.code")


def test_sentences_stored_in_vietnamese_are_read_back_in_english_and_unknown_text_is_left_alone():
    with translation.override("en"):
        assert stored_text("Đã ghi: 3 mới, 0 thay đổi, 1 không đổi.") == "Saved: 3 new, 0 changed, 1 unchanged."
        row_error = ("Dòng 3, cột Số định danh cá nhân: '121*****52' không hợp lệ: Số định danh phải có 12 chữ số "
                     "(có thể Excel đã bỏ số 0 ở đầu: thử '001*******52').")
        assert stored_text(row_error) == (
            "Row 3, column Personal ID number: '121*****52' is not valid: The ID number must have 12 digits "
            "(Excel may have dropped a leading zero: try '001*******52').")
        assert stored_text("học sinh") == "pupil"
        assert stored_text("Gia đình chuyển vào Huế") == "Gia đình chuyển vào Huế"  # typed by a user: data
    with translation.override("vi"):
        assert stored_text("Đã ghi: 3 mới, 0 thay đổi, 1 không đổi.") == "Đã ghi: 3 mới, 0 thay đổi, 1 không đổi."


@pytest.mark.django_db
def test_an_upload_page_shows_its_result_and_row_errors_in_the_reader_language(client):
    school = SchoolFactory(province_id="01")
    clerk = UserFactory(role=Role.SCHOOL, school=school, may_view_id_numbers=True)
    csv = ("Mã học sinh;Số định danh cá nhân;Họ và tên;Ngày sinh;Giới tính;Dân tộc;Nơi sinh (mã tỉnh);Khối;Lớp\n"
           "HSU0000002;1216000052;Trần Văn Tải;15/03/2016;Nam;;01;3;3A\n").encode()
    upload = upload_create(user=clerk, kind="pupils", enqueue=False,
                           file=SimpleUploadedFile("hs.csv", csv, content_type="text/csv"))
    upload = upload_validate(upload_id=upload.pk)
    assert upload.message_code == {"code": "upload.failed_rows", "params": {"n": 1}}
    assert upload.message.startswith("1 dòng có lỗi")  # the Vietnamese text kept beside the code
    # A row written before codes existed: its text only.
    old = Upload.objects.create(kind="pupils", uploaded_by=clerk, school=school, file_name="cu.csv", file_size=1,
                                school_year=upload.school_year,
                                status="committed", message="Đã ghi: 3 mới, 0 thay đổi, 1 không đổi.")
    client.force_login(clerk)
    vi = client.get(f"/uploads/{upload.pk}/").content.decode()
    assert "1 dòng có lỗi" in vi and "không hợp lệ" in vi
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get(f"/uploads/{upload.pk}/").content.decode()
    assert "1 row has errors: correct the file and upload it again." in en
    assert "is not valid: The ID number must have 12 digits" in en and "không hợp lệ" not in en
    assert "Saved: 3 new, 0 changed, 1 unchanged." in client.get(f"/uploads/{old.pk}/").content.decode()

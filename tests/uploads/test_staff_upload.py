"""Staff uploads: new rows, an identity change sends the person back to verification, other
changes do not, and re-uploading the same file changes nothing."""
import pytest

from teachers.models import StaffMember

from .conftest import commit, csv_bytes, run_upload

pytestmark = pytest.mark.django_db

HEADER = ["Mã cán bộ", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Trình độ đào tạo"]


def rows(name_b="Trần Văn Bình", qualification_a="Đại học"):
    return [["CBA0000001", "001185000001", "Lê Thị An", "02/09/1985", "Nữ", "Giáo viên", qualification_a],
            ["CBA0000002", "001085000002", name_b, "13/10/1985", "Nam", "Giáo viên", "Đại học"]]


def test_staff_upload_new_changed_and_unchanged(school_user):
    upload = commit(school_user, run_upload(school_user, csv_bytes(HEADER, rows()), kind="staff", name="cb.csv"))
    assert upload.status == "committed" and upload.new_count == 2, upload.message
    StaffMember.objects.update(verification_status="verified")

    again = commit(school_user, run_upload(school_user, csv_bytes(HEADER, rows()), kind="staff", name="cb.csv"))
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 2)

    changed = commit(school_user, run_upload(
        school_user, csv_bytes(HEADER, rows(name_b="Trần Văn Bính", qualification_a="Thạc sĩ")), kind="staff",
        name="cb.csv"))
    assert changed.changed_count == 2, changed.message
    staff = {s.staff_code: s for s in StaffMember.objects.all()}
    assert staff["CBA0000001"].qualification == "master"
    assert staff["CBA0000001"].verification_status == "verified"  # not an identity field
    assert staff["CBA0000002"].full_name == "Trần Văn Bính"
    assert staff["CBA0000002"].verification_status == "queued"  # identity changed: verify again

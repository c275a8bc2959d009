"""Staff row rules: shared by uploads and the API; the qualification standard is derived."""
import datetime as dt
from types import SimpleNamespace

import pytest

from accounts.scope import Scope
from edu_portal.common.importing import ImportContext
from geo.ethnicity import ethnic_groups_read, ethnicity_lookup_build
from teachers.importers import STAFF, validate_row
from tests.factories import make_staff
from tests.uploads.conftest import commit, csv_bytes, media_root, run_upload  # noqa: F401 - fixture

TODAY = dt.date(2026, 11, 25)
GOOD = {"staff_code": "CB1", "id_number": "001085000123", "full_name": "Trần Văn Bình", "date_of_birth": "02/09/1985",
        "gender": "Nam", "position": "Giáo viên", "qualification": "Cao đẳng", "main_subject": "Toán"}


def ctx(level):
    return ImportContext(scope=Scope.country(can_view_id_numbers=True), school=SimpleNamespace(pk=1, level=level), today=TODAY,
                         references={"ethnicity_lookup": ethnicity_lookup_build(ethnic_groups_read())})


@pytest.mark.parametrize("typed,stored", [("", "Kinh"), ("Khmer", "Khơ-me"), ("Mông", "HMông"), ("Bana", "Ba-na")])
def test_an_ethnicity_spelling_is_stored_as_the_official_name(typed, stored):
    cleaned, errors = validate_row({**GOOD, "ethnicity": typed}, context=ctx("primary"))
    assert errors == [] and cleaned["ethnicity"] == stored


def test_an_unknown_ethnicity_is_a_row_message():
    cleaned, errors = validate_row({**GOOD, "ethnicity": "Xyz"}, context=ctx("primary"))
    assert cleaned is None and [(e.column, e.value) for e in errors] == [("ethnicity", "Xyz")]
    assert "54 dân tộc" in errors[0].reason and "Mã hợp lệ" in errors[0].reason


@pytest.mark.parametrize("level,qualification,meets", [
    ("preschool", "Cao đẳng", True), ("primary", "Cao đẳng", False), ("primary", "Đại học", True),
    ("upper_secondary", "master", True), ("preschool", "Trung cấp trở xuống", False),
])
def test_qualification_standard_is_derived_from_level(level, qualification, meets):
    cleaned, errors = validate_row({**GOOD, "qualification": qualification}, context=ctx(level))
    assert errors == []
    assert cleaned["meets_qualification_standard"] is meets
    assert cleaned["employment_status"] == "working" and cleaned["gender"] == "M"


@pytest.mark.parametrize("changes,column", [
    ({"date_of_birth": "01/01/2015"}, "date_of_birth"),   # under working age
    ({"position": "Bảo vệ"}, "position"),
    ({"qualification": ""}, "qualification"),
    ({"id_number": "001185000123"}, "id_number"),
])
def test_staff_rules(changes, column):
    _, errors = validate_row({**GOOD, **changes}, context=ctx("primary"))
    assert [e.column for e in errors] == [column]


@pytest.mark.django_db
def test_staff_upload_commits_and_refuses_staff_of_another_school(school_user, school_b):
    other = make_staff(school_b)
    header = [c.header for c in STAFF.columns]
    rows = [["CB9000001", "001085000123", "Trần Văn Bình", "22/09/1985", "Nam", "", "Giáo viên", "Toán", "Đại học", ""],
            [other.staff_code, "", "Lê Thị Khác", "01/01/1980", "Nữ", "", "Giáo viên", "", "Đại học", ""]]
    upload = run_upload(school_user, csv_bytes(header, rows), kind="staff", name="cb.csv")
    assert [e["row"] for e in upload.errors] == [3] and "điều chuyển" in upload.errors[0]["reason"]

    upload = commit(school_user, run_upload(school_user, csv_bytes(header, rows[:1]), kind="staff", name="cb.csv"))
    assert upload.status == "committed" and upload.new_count == 1
    staff = school_user.school.staff.get(staff_code="CB9000001")
    assert staff.meets_qualification_standard and staff.verification_status == "queued"


@pytest.mark.parametrize("cells, training, certificate, standard", [
    # Luật Giáo dục 2019 Điều 72: a bachelor's outside teacher training needs the pedagogy certificate.
    ({"training_field": "Ngoài sư phạm", "pedagogy_certificate": "Có"}, "other", True, "meets"),
    ({"training_field": "ngoài sư phạm", "pedagogy_certificate": "Không"}, "other", False, "roadmap"),
    # Blank cells (or an old template without the columns): Sư phạm, no certificate.
    ({"training_field": "", "pedagogy_certificate": ""}, "teacher_training", False, "meets"),
    ({}, "teacher_training", False, "meets"),
    # The API's JSON values go through the same rules.
    ({"training_field": "other", "pedagogy_certificate": True}, "other", True, "meets"),
    ({"training_field": "other", "pedagogy_certificate": False}, "other", False, "roadmap"),
    ({"position": "Nhân viên"}, "teacher_training", False, "not_teacher"),
])
def test_training_field_and_certificate_decide_the_standard(cells, training, certificate, standard):
    cleaned, errors = validate_row({**GOOD, "qualification": "Đại học", **cells}, context=ctx("primary"))
    assert errors == []
    assert (cleaned["training_field"], cleaned["pedagogy_certificate"]) == (training, certificate)
    assert cleaned["qualification_standard"] == standard
    assert cleaned["meets_qualification_standard"] is (standard == "meets")


@pytest.mark.parametrize("changes, column", [
    ({"training_field": "Kỹ thuật"}, "training_field"),
    ({"pedagogy_certificate": "Có lẽ"}, "pedagogy_certificate"),
])
def test_training_cells_are_checked(changes, column):
    cleaned, errors = validate_row({**GOOD, **changes}, context=ctx("primary"))
    assert cleaned is None and [e.column for e in errors] == [column]
    assert "Sư phạm" in errors[0].reason or "Có" in errors[0].reason


def test_the_template_states_the_new_columns_and_their_defaults():
    columns = {c.key: c for c in STAFF.columns}
    assert columns["training_field"].header == "Chuyên ngành đào tạo" and not columns["training_field"].required
    assert columns["pedagogy_certificate"].header == "Chứng chỉ NVSP"
    assert "Để trống là Sư phạm" in columns["training_field"].help
    assert "Để trống là Không" in columns["pedagogy_certificate"].help


@pytest.mark.django_db
def test_an_upload_stores_training_and_rewrites_the_standard_when_it_changes(school_user):
    header = ["Mã cán bộ", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ",
              "Trình độ đào tạo", "Chuyên ngành đào tạo", "Chứng chỉ NVSP"]

    def upload(certificate):
        row = ["CB9000002", "001085000123", "Trần Văn Bình", "22/09/1985", "Nam", "Giáo viên", "Đại học",
               "Ngoài sư phạm", certificate]
        return commit(school_user, run_upload(school_user, csv_bytes(header, [row]), kind="staff", name="cb.csv"))

    assert upload("Không").new_count == 1
    staff = school_user.school.staff.get(staff_code="CB9000002")
    assert (staff.training_field, staff.pedagogy_certificate, staff.qualification_standard,
            staff.meets_qualification_standard) == ("other", False, "roadmap", False)

    assert upload("Có").changed_count == 1
    staff.refresh_from_db()
    assert (staff.pedagogy_certificate, staff.qualification_standard, staff.meets_qualification_standard) == (
        True, "meets", True)
    assert upload("Có").unchanged_count == 1


@pytest.mark.django_db
def test_uploaded_staff_get_a_posting_and_a_member_in_transit_waits(school_user, school_user_b):
    from teachers.models import StaffPosting
    from teachers.services import staff_reassignment_request

    header = ["Mã cán bộ", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ",
              "Trình độ đào tạo", "Môn dạy chính"]

    def row(subject):
        return ["CB9000003", "001085000123", "Trần Văn Bình", "22/09/1985", "Nam", "Giáo viên", "Đại học", subject]

    assert commit(school_user, run_upload(school_user, csv_bytes(header, [row("Toán")]), kind="staff",
                                          name="cb.csv")).new_count == 1
    staff = school_user.school.staff.get(staff_code="CB9000003")
    assert list(StaffPosting.objects.filter(staff=staff).values_list("school_id", "ended_on")) == [
        (school_user.school_id, None)]

    validated = run_upload(school_user, csv_bytes(header, [row("Ngữ văn")]), kind="staff", name="cb.csv")
    # Asked for between validation and commit: the commit is refused as stale, nothing written.
    staff_reassignment_request(scope=Scope.for_user(school_user_b), user=school_user_b, to_school=school_user_b.school,
                               staff_code="CB9000003", date_of_birth=staff.date_of_birth, position="teacher")
    refused = commit(school_user, validated)
    assert refused.status == "failed" and "điều chuyển" in refused.message
    staff.refresh_from_db()
    assert staff.main_subject == "Toán"
    # Validated after the request: the row says why it waits.
    upload = run_upload(school_user, csv_bytes(header, [row("Ngữ văn")]), kind="staff", name="cb.csv")
    assert [e["row"] for e in upload.errors] == [2] and "điều chuyển" in upload.errors[0]["reason"]
    # An unchanged row is not an edit: it passes.
    assert run_upload(school_user, csv_bytes(header, [row("Toán")]), kind="staff", name="cb.csv").errors == []

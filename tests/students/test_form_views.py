"""The pupil's add and edit pages: who may use them, what they save, and what they refuse."""
import pytest
from django.urls import reverse

from accounts.models import Role
from students.models import Enrollment, Student
from tests.factories import UserFactory, make_student, real_identity

pytestmark = pytest.mark.django_db


def _new(**overrides) -> dict:
    identity = real_identity(serial=7777)
    data = {"pupil_code": "HSVIEW1", "id_number": identity["id_number"], "full_name": identity["full_name"],
            "date_of_birth": identity["date_of_birth"].isoformat(), "gender": identity["gender"],
            "ethnicity": "Kinh", "birth_province": "01", "grade": "3", "class_name": "3B"}
    data.update(overrides)
    return data


def _edit(student, **overrides) -> dict:
    data = {"id_number": student.id_number or "", "full_name": student.full_name,
            "date_of_birth": student.date_of_birth.isoformat(), "gender": student.gender,
            "ethnicity": student.ethnicity, "birth_province": student.birth_province_id or "",
            "updated_at": student.updated_at.isoformat()}
    data.update(overrides)
    return data


def test_school_admin_adds_a_pupil_with_this_years_class(client, school_user, school_a):
    client.force_login(school_user)
    assert 'data-testid="add"' in client.get(reverse("students:list")).content.decode()
    page = client.get(reverse("students:new"))
    assert page.status_code == 200 and 'name="id_number"' in page.content.decode()
    response = client.post(reverse("students:new"), _new())
    student = Student.objects.get(pupil_code="HSVIEW1")
    assert response.status_code == 302 and response["Location"] == reverse("students:detail", args=[student.pk])
    assert student.school == school_a and student.verification_status == "queued"
    assert Enrollment.objects.get(student=student).class_name == "3B"


def test_bad_input_is_shown_next_to_the_fields_never_a_500(client, school_user):
    client.force_login(school_user)
    response = client.post(reverse("students:new"), _new(date_of_birth="31/02/2015", grade="", full_name=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-date_of_birth"' in html and 'data-testid="error-full_name"' in html
    assert not Student.objects.filter(pupil_code="HSVIEW1").exists()


def test_a_taken_pupil_code_is_a_form_error(client, school_user, school_a):
    existing = make_student(school_a)
    client.force_login(school_user)
    response = client.post(reverse("students:new"), _new(pupil_code=existing.pupil_code, id_number=""))
    assert response.status_code == 200
    assert "đã tồn tại" in response.content.decode()


def test_identity_edit_requeues_verification_and_shows_on_the_page(client, school_user, school_a):
    student = make_student(school_a)
    Student.objects.filter(pk=student.pk).update(verification_status="mismatch",
                                                 verification_mismatch_fields=["full_name"])
    student.refresh_from_db()
    client.force_login(school_user)
    detail = client.get(reverse("students:detail", args=[student.pk])).content.decode()
    assert reverse("students:edit", args=[student.pk]) in detail
    response = client.post(reverse("students:edit", args=[student.pk]), _edit(student, full_name="Lê Thị Sửa"))
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.full_name == "Lê Thị Sửa" and student.verification_status == "queued"
    assert student.verification_mismatch_fields == []
    assert "Đang chờ xác thực" in client.get(reverse("students:detail", args=[student.pk])).content.decode()


def test_stale_form_is_refused_and_nothing_is_lost(client, school_user, school_a):
    student = make_student(school_a)
    client.force_login(school_user)
    seen = _edit(student, full_name="Tên Của Tôi")
    other = _edit(student, full_name="Tên Người Khác")
    assert client.post(reverse("students:edit", args=[student.pk]), other).status_code == 302
    response = client.post(reverse("students:edit", args=[student.pk]), seen)
    assert response.status_code == 200
    html = response.content.decode()
    assert "vừa được người khác sửa" in html and 'data-testid="stored"' in html and "Tên Của Tôi" in html
    student.refresh_from_db()
    assert student.full_name == "Tên Người Khác"


def test_pupil_without_a_class_this_year_is_enrolled_from_the_edit_form(client, school_user, school_a):
    student = make_student(school_a)
    Enrollment.objects.filter(student=student).delete()
    client.force_login(school_user)
    assert 'name="class_name"' in client.get(reverse("students:edit", args=[student.pk])).content.decode()
    response = client.post(reverse("students:edit", args=[student.pk]), _edit(student, grade="4", class_name="4C"))
    assert response.status_code == 302
    assert Enrollment.objects.get(student=student).class_name == "4C"


def test_another_schools_pupil_is_not_found(client, school_user, school_b):
    other = make_student(school_b)
    client.force_login(school_user)
    assert client.get(reverse("students:edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("students:edit", args=[other.pk]), _edit(other, full_name="X Y")).status_code == 404
    other.refresh_from_db()
    assert other.full_name != "X Y"


def test_province_user_adds_only_for_a_school_of_their_province(client, province_user, school_a,
                                                                school_other_province):
    client.force_login(province_user)
    assert client.get(reverse("students:new")).status_code == 404
    assert client.get(reverse("students:new"), {"school": school_other_province.pk}).status_code == 404
    assert client.get(reverse("students:new"), {"school": school_a.pk}).status_code == 200


def test_masked_user_gets_no_id_field_and_cannot_post_one(client, school_a):
    masked = UserFactory(username="t_masked", role=Role.SCHOOL, school=school_a, may_view_id_numbers=False)
    student = make_student(school_a)
    client.force_login(masked)
    page = client.get(reverse("students:edit", args=[student.pk])).content.decode()
    assert 'name="id_number"' not in page and student.id_number not in page
    data = _edit(student, id_number="001215000001")
    response = client.post(reverse("students:edit", args=[student.pk]), data)
    assert response.status_code == 200 and "không được nhập hoặc sửa số định danh" in response.content.decode()
    student.refresh_from_db()
    assert student.id_number != "001215000001"
    # Without a number the edit goes through and the number on record is kept.
    data.pop("id_number")
    data["full_name"] = "Phạm Văn Giữ"
    assert client.post(reverse("students:edit", args=[student.pk]), data).status_code == 302
    kept = Student.objects.get(pk=student.pk)
    assert kept.full_name == "Phạm Văn Giữ" and kept.id_number == student.id_number


def test_edit_form_says_what_to_fix_on_top(client, school_user, school_a):
    """Opened from the to-do list, the edit form says why: the field that differs from the population
    registry, and the data the record lacks."""
    pupil = make_student(school_a)
    Student.objects.filter(pk=pupil.pk).update(verification_status="mismatch",
                                               verification_mismatch_fields=["full_name", "gender"])
    Enrollment.objects.filter(student=pupil).delete()
    client.force_login(school_user)
    html = client.get(reverse("students:edit", args=[pupil.pk])).content.decode()
    assert 'data-testid="fix-reasons"' in html
    assert "Cơ sở dữ liệu quốc gia về dân cư: họ và tên, giới tính" in html
    assert "Chưa có khối và lớp năm học" in html
    fine = make_student(school_a)
    assert 'data-testid="fix-reasons"' not in client.get(reverse("students:edit", args=[fine.pk])).content.decode()


def test_a_pupil_without_id_number_is_added_with_a_reason_next_to_the_field(client, school_user, school_a):
    """Intake without an ID number (issue 16): the reason is asked next to the number, then kept."""
    client.force_login(school_user)
    page = client.get(reverse("students:new")).content.decode()
    assert 'name="id_number_missing_reason"' in page and "Đang chờ cấp" in page
    response = client.post(reverse("students:new"), _new(id_number=""))
    assert response.status_code == 200
    assert 'data-testid="error-id_number_missing_reason"' in response.content.decode()
    assert not Student.objects.filter(pupil_code="HSVIEW1").exists()

    response = client.post(reverse("students:new"), _new(id_number="", id_number_missing_reason="other",
                                                         id_number_missing_note="Trẻ mới chuyển từ nước ngoài về"))
    student = Student.objects.get(pupil_code="HSVIEW1")
    assert response.status_code == 302
    assert (student.id_number, student.id_number_missing_reason, student.id_number_missing_note) == \
        (None, "other", "Trẻ mới chuyển từ nước ngoài về")
    assert student.verification_status == "invalid_id"

"""The staff member's add and edit pages: who may use them, what they save, and what they refuse."""
import pytest
from django.urls import reverse

from teachers.models import StaffMember
from tests.factories import make_staff, real_identity

pytestmark = pytest.mark.django_db


def _edit(staff, **overrides) -> dict:
    data = {"id_number": staff.id_number or "", "full_name": staff.full_name,
            "date_of_birth": staff.date_of_birth.isoformat(), "gender": staff.gender, "ethnicity": staff.ethnicity,
            "position": staff.position, "main_subject": staff.main_subject, "qualification": staff.qualification,
            "training_field": staff.training_field, "employment_status": staff.employment_status,
            "updated_at": staff.updated_at.isoformat()}
    if staff.pedagogy_certificate:
        data["pedagogy_certificate"] = "on"
    data.update(overrides)
    return data


def test_school_admin_adds_a_staff_member(client, school_user, school_a):
    client.force_login(school_user)
    assert 'data-testid="add"' in client.get(reverse("teachers:list")).content.decode()
    identity = real_identity(serial=8181, year=1980, gender="M")
    response = client.post(reverse("teachers:new"), {
        "staff_code": "CBVIEW1", "id_number": identity["id_number"], "full_name": identity["full_name"],
        "date_of_birth": identity["date_of_birth"].isoformat(), "gender": "M", "ethnicity": "Kinh",
        "position": "teacher", "main_subject": "Toán", "qualification": "bachelor", "training_field": "other",
        "pedagogy_certificate": "on", "employment_status": "working"})
    staff = StaffMember.objects.get(staff_code="CBVIEW1")
    assert response.status_code == 302
    assert staff.school == school_a and staff.pedagogy_certificate and staff.training_field == "other"


def test_qualification_edit_derives_the_standard(client, school_user, school_a):
    staff = make_staff(school_a, qualification="college")
    client.force_login(school_user)
    assert reverse("teachers:edit", args=[staff.pk]) in client.get(
        reverse("teachers:detail", args=[staff.pk])).content.decode()
    response = client.post(reverse("teachers:edit", args=[staff.pk]), _edit(staff, qualification="bachelor"))
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.qualification == "bachelor" and staff.qualification_standard == "meets"


def test_bad_date_is_a_field_error(client, school_user, school_a):
    staff = make_staff(school_a)
    client.force_login(school_user)
    response = client.post(reverse("teachers:edit", args=[staff.pk]), _edit(staff, date_of_birth="2020-01-01"))
    assert response.status_code == 200 and 'data-testid="error-date_of_birth"' in response.content.decode()


def test_stale_form_is_refused(client, school_user, school_a):
    staff = make_staff(school_a)
    client.force_login(school_user)
    first, second = _edit(staff, main_subject="Ngữ văn"), _edit(staff, main_subject="Lịch sử")
    assert client.post(reverse("teachers:edit", args=[staff.pk]), first).status_code == 302
    response = client.post(reverse("teachers:edit", args=[staff.pk]), second)
    assert "vừa được người khác sửa" in response.content.decode()
    staff.refresh_from_db()
    assert staff.main_subject == "Ngữ văn"


def test_another_schools_staff_is_not_found(client, school_user, school_b):
    other = make_staff(school_b)
    client.force_login(school_user)
    assert client.get(reverse("teachers:edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("teachers:edit", args=[other.pk]), _edit(other, main_subject="X")).status_code == 404


def test_edit_form_says_what_to_fix_on_top(client, school_user, school_a):
    staff = make_staff(school_a, main_subject="")
    StaffMember.objects.filter(pk=staff.pk).update(verification_status="not_found")
    client.force_login(school_user)
    html = client.get(reverse("teachers:edit", args=[staff.pk])).content.decode()
    assert 'data-testid="fix-reasons"' in html
    assert "Không tìm thấy số định danh này" in html and "chưa có môn dạy chính" in html

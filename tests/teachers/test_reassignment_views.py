"""The reassignments page (điều chuyển công tác): a school asks, the other answers, the staff page keeps the
history; what each side sees of the member."""
import pytest
from django.urls import reverse

from teachers.models import StaffMember, StaffReassignment
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def _ask(client, staff, **overrides):
    return client.post(reverse("teachers:reassignments"), {
        "staff_code": staff.staff_code, "date_of_birth": staff.date_of_birth.isoformat(), "position": "teacher",
        **overrides}, follow=True)  # the message is read here, not on the next user's page


def test_a_school_asks_the_other_releases_and_the_staff_page_shows_the_history(
        client, school_a, school_b, school_user, school_user_b):
    staff = make_staff(school_a)
    client.force_login(school_user_b)
    assert reverse("teachers:reassignments") in client.get(reverse("teachers:list")).content.decode()
    response = _ask(client, staff)
    assert response.redirect_chain == [(reverse("teachers:reassignments"), 302)]
    assert "Đã gửi đề nghị điều chuyển" in response.content.decode()
    reassignment = StaffReassignment.objects.get()
    page = client.get(reverse("teachers:reassignments")).content.decode()
    # The receiving school sees who it asked for, not the record: no ID number, no link to the member's page.
    assert f'data-testid="incoming-{reassignment.pk}"' in page and staff.full_name in page
    assert staff.id_number not in page and reverse("teachers:detail", args=[staff.pk]) not in page
    assert f'data-testid="cancel-{reassignment.pk}"' in page and "release-" not in page

    client.force_login(school_user)
    page = client.get(reverse("teachers:reassignments")).content.decode()
    assert f'data-testid="release-{reassignment.pk}"' in page
    detail = client.get(reverse("teachers:detail", args=[staff.pk])).content.decode()
    assert 'data-testid="in-transit"' in detail and school_b.name in detail
    response = client.post(reverse("teachers:reassignment_release", args=[reassignment.pk]), follow=True)
    assert "Đã đồng ý điều chuyển" in response.content.decode()
    assert StaffMember.objects.get(pk=staff.pk).school == school_b

    client.force_login(school_user_b)
    detail = client.get(reverse("teachers:detail", args=[staff.pk])).content.decode()
    assert 'data-testid="posting-history"' in detail and school_a.name in detail
    assert "Điều chuyển công tác" in detail and 'data-testid="in-transit"' not in detail


def test_not_found_and_bad_input_are_shown_on_the_form(client, school_a, school_user_b):
    staff = make_staff(school_a)
    client.force_login(school_user_b)
    unknown = _ask(client, staff, staff_code="KHONGCO").content.decode()
    wrong_date = _ask(client, staff, date_of_birth="1970-01-01").content.decode()
    assert 'data-testid="form-error"' in unknown and 'data-testid="form-error"' in wrong_date
    assert "Không tìm thấy cán bộ" in unknown and "Không tìm thấy cán bộ" in wrong_date
    assert staff.full_name not in unknown + wrong_date
    assert 'data-testid="field-error-position"' in _ask(client, staff, position="janitor").content.decode()
    assert not StaffReassignment.objects.exists()


def test_decline_needs_a_reason_and_stale_answers_are_told(client, school_a, school_user, school_user_b):
    staff = make_staff(school_a)
    client.force_login(school_user_b)
    _ask(client, staff)
    reassignment = StaffReassignment.objects.get()
    client.force_login(school_user)
    response = client.post(reverse("teachers:reassignment_decline", args=[reassignment.pk]), {"reason": " "},
                           follow=True)
    assert "Nhập lý do từ chối" in response.content.decode()
    # The sending school's edit form is refused while the request is open.
    edit = client.post(reverse("teachers:edit", args=[staff.pk]), {
        "id_number": staff.id_number, "full_name": staff.full_name, "date_of_birth": staff.date_of_birth.isoformat(),
        "gender": staff.gender, "ethnicity": staff.ethnicity, "position": staff.position, "main_subject": "Toán",
        "qualification": staff.qualification, "training_field": staff.training_field,
        "employment_status": staff.employment_status, "updated_at": staff.updated_at.isoformat()})
    assert edit.status_code == 200 and "thủ tục điều chuyển" in edit.content.decode()
    assert StaffMember.objects.get(pk=staff.pk).main_subject == staff.main_subject
    # The receiving school withdraws; the sending school's answer, from the page it had open, is told so.
    client.force_login(school_user_b)
    client.post(reverse("teachers:reassignment_cancel", args=[reassignment.pk]))
    client.force_login(school_user)
    response = client.post(reverse("teachers:reassignment_release", args=[reassignment.pk]), follow=True)
    assert "đã được xử lý" in response.content.decode()
    assert StaffMember.objects.get(pk=staff.pk).school == school_a


def test_a_province_sees_its_schools_requests_and_releases_on_behalf(client, school_a, school_b, school_user_b,
                                                                    province_user, province_user_y):
    staff = make_staff(school_a)
    client.force_login(school_user_b)
    _ask(client, staff)
    reassignment = StaffReassignment.objects.get()
    client.force_login(province_user_y)
    page = client.get(reverse("teachers:reassignments")).content.decode()
    assert staff.full_name not in page and 'data-testid="request-form"' not in page
    assert client.post(reverse("teachers:reassignment_release", args=[reassignment.pk])).status_code == 404
    client.force_login(province_user)
    page = client.get(reverse("teachers:reassignments")).content.decode()
    assert f'data-testid="release-{reassignment.pk}"' in page and f'data-testid="cancel-{reassignment.pk}"' in page
    client.post(reverse("teachers:reassignment_release", args=[reassignment.pk]))
    assert StaffMember.objects.get(pk=staff.pk).school == school_b


def test_the_page_reads_a_fixed_number_of_queries(client, school_a, school_b, school_user, school_user_b,
                                                 django_assert_max_num_queries):
    for _ in range(5):
        client.force_login(school_user_b)
        _ask(client, make_staff(school_a))
    client.force_login(school_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("teachers:reassignments")).status_code == 200

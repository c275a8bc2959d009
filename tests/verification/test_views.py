"""Pages of verification: runs (ministry, province), live progress, failures for schools."""
import pytest
from django.urls import reverse

from schools.selectors import scope_parse
from students.models import Student
from teachers.models import StaffMember
from tests.factories import make_staff, make_student
from verification import services
from verification.models import RunStatus, VerificationRun

pytestmark = pytest.mark.django_db


def test_school_user_is_sent_to_their_failures(client, school_user):
    client.force_login(school_user)
    response = client.get(reverse("verification:runs"))
    assert response.status_code == 302 and response.url == reverse("verification:failures")


def test_ministry_sees_start_form_and_runs(client, ministry_user, school_a, django_assert_max_num_queries):
    services.run_start(scope=scope_parse(f"school:{school_a.code}"))
    client.force_login(ministry_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("verification:runs"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Toàn quốc" in html and 'name="school_code"' in html and school_a.name in html


def test_province_user_sees_only_runs_of_their_province(client, province_user, school_a, school_other_province):
    here = services.run_start(scope=scope_parse(f"school:{school_a.code}"))
    there = services.run_start(scope=scope_parse(f"school:{school_other_province.code}"))
    client.force_login(province_user)
    html = client.get(reverse("verification:runs")).content.decode()
    assert f"#{here.pk}<" in html and f"#{there.pk}<" not in html
    assert client.get(reverse("verification:run_detail", args=[there.pk])).status_code == 404
    assert "Toàn quốc" not in html  # a province cannot start a country run


def test_start_run_from_the_form(client, province_user, school_a):
    client.force_login(province_user)
    response = client.post(reverse("verification:run_start"), {"province": "01", "school_code": school_a.code})
    run = VerificationRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("verification:run_detail", args=[run.pk])
    assert run.scope == f"school:{school_a.code}" and run.started_by == province_user


def test_province_cannot_start_country_run(client, province_user):
    client.force_login(province_user)
    response = client.post(reverse("verification:run_start"), {"province": ""})
    assert response.status_code == 403
    assert "phạm vi tỉnh của mình" in response.content.decode()
    assert not VerificationRun.objects.exists()


def test_run_page_polls_while_active_and_cancel_stops_it(client, ministry_user, school_a):
    run = services.run_start(scope=scope_parse(f"school:{school_a.code}"))
    client.force_login(ministry_user)
    html = client.get(reverse("verification:run_detail", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'data-testid="progress-bar"' in html
    partial = client.get(reverse("verification:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()

    response = client.post(reverse("verification:run_cancel", args=[run.pk]))
    assert response.status_code == 302
    assert VerificationRun.objects.get(pk=run.pk).status == RunStatus.CANCELLED
    html = client.get(reverse("verification:run_detail", args=[run.pk])).content.decode()
    assert "hx-trigger" not in html


def test_failures_page_explains_in_vietnamese_and_links_to_records(client, school_user, school_a, school_b,
                                                                     django_assert_max_num_queries):
    mismatch = make_student(school_a)
    Student.objects.filter(pk=mismatch.pk).update(verification_status="mismatch",
                                                  verification_mismatch_fields=["full_name", "date_of_birth"])
    missing = make_student(school_a)
    Student.objects.filter(pk=missing.pk).update(verification_status="not_found")
    fine = make_student(school_a)
    Student.objects.filter(pk=fine.pk).update(verification_status="verified")
    elsewhere = make_student(school_b)
    Student.objects.filter(pk=elsewhere.pk).update(verification_status="not_found")
    client.force_login(school_user)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("verification:failures"))

    html = response.content.decode()
    assert "chưa khớp với Cơ sở dữ liệu quốc gia về dân cư: họ và tên, ngày sinh" in html
    assert "Không tìm thấy số định danh này" in html
    assert reverse("students:detail", args=[mismatch.pk]) in html
    assert reverse("students:detail", args=[missing.pk]) in html
    assert reverse("students:detail", args=[fine.pk]) not in html
    assert reverse("students:detail", args=[elsewhere.pk]) not in html
    # "sửa hồ sơ" is an action the page now offers: each row links to the record's edit form.
    assert reverse("students:edit", args=[mismatch.pk]) in html and reverse("students:edit", args=[missing.pk]) in html
    assert "bấm Sửa để sửa hồ sơ" in html


def test_failures_page_lists_staff_and_invalid_ids(client, school_user, school_a):
    staff = make_staff(school_a)
    StaffMember.objects.filter(pk=staff.pk).update(verification_status="invalid_id", id_number=None)
    client.force_login(school_user)
    html = client.get(reverse("verification:failures"), {"kind": "staff"}).content.decode()
    assert reverse("teachers:detail", args=[staff.pk]) in html
    assert reverse("teachers:edit", args=[staff.pk]) in html
    assert "chưa có số định danh" in html


def test_identity_state_polls_while_queued_and_stops_when_final(client, school_user, school_a):
    """The pupil page's verification block: while the record waits for the registry it says so and
    asks again every 2 s; once the answer is there it shows it and stops asking. No ID number in it."""
    pupil = make_student(school_a)
    Student.objects.filter(pk=pupil.pk).update(verification_status="queued")
    client.force_login(school_user)
    url = reverse("verification:identity_state", args=["student", pupil.pk])
    queued = client.get(url)
    html = queued.content.decode()
    assert queued.status_code == 200 and queued["Cache-Control"] == "no-store"
    assert 'data-status="queued"' in html and "Đang xác thực" in html
    assert f'hx-get="{url}"' in html and 'hx-trigger="every 2s"' in html
    assert pupil.id_number not in html
    page = client.get(reverse("students:detail", args=[pupil.pk])).content.decode()
    assert f'hx-get="{url}"' in page  # the page itself starts the polling

    Student.objects.filter(pk=pupil.pk).update(verification_status="mismatch",
                                               verification_mismatch_fields=["full_name"])
    html = client.get(url).content.decode()
    assert 'data-status="mismatch"' in html and "hx-get" not in html and "Đang xác thực" not in html
    assert "họ và tên" in html


def test_identity_state_keeps_to_the_scope_and_masks_quoted_numbers(client, school_user_b, school_a):
    from accounts.models import Role
    from tests.factories import UserFactory

    pupil = make_student(school_a)
    # An invalid number: the reason quotes digits ("thử '0012...'"): masked for a user who may not see them.
    Student.objects.filter(pk=pupil.pk).update(verification_status="invalid_id", id_number="1234567890")
    client.force_login(school_user_b)
    assert client.get(reverse("verification:identity_state", args=["student", pupil.pk])).status_code == 404
    assert client.get(reverse("verification:identity_state", args=["nobody", pupil.pk])).status_code == 404
    masked = UserFactory(username="t_masked_state", role=Role.SCHOOL, school=school_a, may_view_id_numbers=False)
    client.force_login(masked)
    html = client.get(reverse("verification:identity_state", args=["student", pupil.pk])).content.decode()
    assert "Số định danh không hợp lệ" in html and "1234567890" not in html and "001234567890" not in html
    staff = make_staff(school_a)
    assert client.get(reverse("verification:identity_state", args=["staff", staff.pk])).status_code == 200

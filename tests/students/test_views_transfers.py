"""The transfer pages (students/views_transfers.py): ask, follow, answer, cancel; the province's view;
the pupil page's banner and history. Through the Django test client, signed in as each side."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.scope import Scope
from students.models import Enrollment, Student, TransferRequest, TransferStatus
from students.services import TRANSFER_NOT_FOUND, student_withdraw, transfer_request_create, transfers_escalate
from tests.factories import UserFactory, make_student

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def form(pupil, **changes):
    return {"pupil_code": pupil.pupil_code, "date_of_birth": pupil.date_of_birth.isoformat(), "grade": "3",
            "class_name": "3B", **changes}


def test_the_receiving_school_asks_and_sees_only_what_identifies_the_pupil(client, school_a, school_b,
                                                                          school_user_b):
    pupil = make_student(school_a, ethnicity="Tày")
    signed_in(client, school_user_b)
    response = client.post(reverse("students:transfer_new"), form(pupil), follow=True)
    assert response.status_code == 200
    transfer = TransferRequest.objects.get()
    assert (transfer.to_school, transfer.status, transfer.requested_by) == (school_b, "pending", school_user_b)
    text = response.content.decode()
    assert "Đã gửi đề nghị" in text and pupil.full_name in text and school_a.name in text
    assert pupil.date_of_birth.strftime("%d/%m/%Y") in text
    # Nothing else of the record: no code, no ID number (full or masked), no link to a page it may not see.
    assert pupil.pupil_code not in text and pupil.id_number not in text and "Tày" not in text
    assert reverse("students:detail", kwargs={"pk": pupil.pk}) not in text
    assert client.get(reverse("students:detail", kwargs={"pk": pupil.pk})).status_code == 404


def test_unknown_pupil_and_wrong_birth_date_get_the_same_words(client, school_a, school_user_b):
    pupil = make_student(school_a)
    signed_in(client, school_user_b)
    answers = [client.post(reverse("students:transfer_new"), form(pupil, **change)).content.decode()
               for change in ({"pupil_code": "KHONG-CO"}, {"date_of_birth": "2015-01-01"})]
    assert all(TRANSFER_NOT_FOUND in a for a in answers)
    assert not TransferRequest.objects.exists()


def test_the_id_number_field_only_for_users_who_may_type_them(client, school_b):
    blind = UserFactory(username="t_blind_b", role=Role.SCHOOL, school=school_b, may_view_id_numbers=False)
    assert 'name="id_number"' not in signed_in(client, blind).get(reverse("students:transfer_new")).content.decode()


def test_the_sending_school_releases_and_the_pupil_moves_with_history(client, school_a, school_b, school_user,
                                                                      school_user_b):
    pupil = make_student(school_a)
    transfer = transfer_request_create(scope=Scope.for_user(school_user_b), user=school_user_b, to_school=school_b,
                                       pupil_code=pupil.pupil_code, date_of_birth=pupil.date_of_birth, grade=3,
                                       class_name="3B")
    signed_in(client, school_user)
    page = client.get(reverse("students:transfers")).content.decode()
    assert 'data-testid="release"' in page and 'data-testid="cancel"' not in page
    detail = client.get(reverse("students:detail", kwargs={"pk": pupil.pk})).content.decode()
    assert 'data-testid="transfer-banner"' in detail and school_b.name in detail
    assert 'data-testid="leave-form"' not in detail  # no leaver form while the request is open
    response = client.post(reverse("students:transfer_release", kwargs={"pk": transfer.pk}), follow=True)
    assert "Đã đồng ý chuyển trường" in response.content.decode()
    assert Student.objects.get(pk=pupil.pk).school == school_b
    signed_in(client, school_user_b)
    detail = client.get(reverse("students:detail", kwargs={"pk": pupil.pk})).content.decode()
    assert 'data-status="studying"' in detail and 'data-status="transferred_out"' in detail
    assert timezone.localdate().strftime("%d/%m/%Y") in detail


def test_decline_needs_a_reason_and_the_receiving_school_reads_it_or_cancels(client, school_a, school_b,
                                                                             school_user, school_user_b):
    pupil = make_student(school_a)
    transfer = transfer_request_create(scope=Scope.for_user(school_user_b), user=school_user_b, to_school=school_b,
                                       pupil_code=pupil.pupil_code, date_of_birth=pupil.date_of_birth, grade=3,
                                       class_name="3B")
    signed_in(client, school_user)
    url = reverse("students:transfer_decline", kwargs={"pk": transfer.pk})
    assert "Nhập lý do từ chối" in client.post(url, {"reason": " "}, follow=True).content.decode()
    assert TransferRequest.objects.get().status == TransferStatus.PENDING
    # The sending side may not cancel the other school's request.
    refused = client.post(reverse("students:transfer_cancel", kwargs={"pk": transfer.pk}), follow=True)
    assert "Chỉ trường tiếp nhận" in refused.content.decode()
    client.post(url, {"reason": "Học sinh chưa hoàn thành học kỳ"})
    signed_in(client, school_user_b)
    page = client.get(reverse("students:transfers")).content.decode()
    assert "Học sinh chưa hoàn thành học kỳ" in page and "Bị từ chối" in page
    again = transfer_request_create(scope=Scope.for_user(school_user_b), user=school_user_b, to_school=school_b,
                                    pupil_code=pupil.pupil_code, date_of_birth=pupil.date_of_birth, grade=3,
                                    class_name="3B")
    client.post(reverse("students:transfer_cancel", kwargs={"pk": again.pk}))
    assert TransferRequest.objects.get(pk=again.pk).status == TransferStatus.CANCELLED


def test_the_province_sees_escalated_requests_first_and_its_pupils_awaiting_a_school(
        client, school_a, school_b, school_other_province, school_user, province_user, settings,
        django_assert_max_num_queries):
    settings.TRANSFER_ESCALATE_DAYS = 3
    hcm = UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province)
    late_pupil, new_pupil, leaver = make_student(school_a), make_student(school_a), make_student(school_a)
    late = transfer_request_create(scope=Scope.for_user(hcm), user=hcm, to_school=school_other_province,
                                   pupil_code=late_pupil.pupil_code, date_of_birth=late_pupil.date_of_birth,
                                   grade=3, class_name="3A")
    transfer_request_create(scope=Scope.for_user(hcm), user=hcm, to_school=school_other_province,
                            pupil_code=new_pupil.pupil_code, date_of_birth=new_pupil.date_of_birth, grade=3,
                            class_name="3A")
    TransferRequest.objects.filter(pk=late.pk).update(created_at=timezone.now() - dt.timedelta(days=4))
    transfers_escalate(days=3)
    student_withdraw(scope=Scope.for_user(school_user), student=leaver, status="transferred_out",
                     left_on=timezone.localdate())
    signed_in(client, province_user)
    # Each of the three lists counts its rows for its numbered pages (a count each, not one per row).
    with django_assert_max_num_queries(15):
        page = client.get(reverse("students:transfers")).content.decode()
    outgoing = page.split('data-testid="outgoing"')[1].split("</table>")[0]
    assert outgoing.index(late_pupil.full_name) < outgoing.index(new_pupil.full_name)
    assert "Quá hạn, chuyển lên Sở" in outgoing and outgoing.count('data-testid="release"') == 2
    awaiting = page.split('data-testid="awaiting"')[1].split("</table>")[0]
    assert leaver.full_name in awaiting and late_pupil.full_name not in awaiting
    assert all(p.id_number not in page for p in (late_pupil, new_pupil, leaver))
    # The province releases on the school's behalf.
    client.post(reverse("students:transfer_release", kwargs={"pk": late.pk}))
    assert Student.objects.get(pk=late_pupil.pk).school == school_other_province


def test_leaving_by_transfer_from_the_pupil_page_then_taken_in(client, school_a, school_b, school_user,
                                                               school_user_b):
    pupil = make_student(school_a)
    signed_in(client, school_user)
    client.post(reverse("students:withdraw", kwargs={"pk": pupil.pk}),
                {"status": "transferred_out", "left_on": timezone.localdate().isoformat()})
    detail = client.get(reverse("students:detail", kwargs={"pk": pupil.pk})).content.decode()
    assert 'data-testid="awaiting-banner"' in detail
    signed_in(client, school_user_b)
    response = client.post(reverse("students:transfer_new"), form(pupil), follow=True)
    assert "đã được tiếp nhận" in response.content.decode()
    assert Enrollment.objects.filter(student=pupil, school=school_b, status="studying").exists()
    assert client.get(reverse("students:detail", kwargs={"pk": pupil.pk})).status_code == 200


def test_each_list_of_the_transfers_page_sorts_pages_and_exports_on_its_own(client, school_a, school_b, school_user,
                                                                            school_user_b):
    """The page's lists (edu_portal.common.listing with a prefix per list): sorting one leaves the others as
    they are; an export holds that list only, and only what identifies the pupil (no code, no ID number)."""
    from tests.exports import read_export

    pupils = [make_student(school_a) for _ in range(3)]
    for pupil in pupils:
        transfer_request_create(scope=Scope.for_user(school_user_b), user=school_user_b, to_school=school_b,
                                pupil_code=pupil.pupil_code, date_of_birth=pupil.date_of_birth, grade=3,
                                class_name="3B")
    signed_in(client, school_user)
    page = client.get(reverse("students:transfers"), {"outgoing_sort": "-born"})
    shown = [t.student.date_of_birth for t in page.context["outgoing"]["page"]]
    assert shown == sorted(shown, reverse=True) and len(shown) == 3
    assert 'data-testid="release"' in page.content.decode()  # the rows keep their actions
    assert "outgoing_sort=born" in page.content.decode()  # the header sorts the other way
    as_of, rows = read_export(client.get(reverse("students:transfers"), {"outgoing_export": "csv"}))
    assert rows[0][0] == "Học sinh" and len(rows) == 4 and school_a.name in as_of
    text = "\n".join(";".join(r) for r in rows)
    assert not any(p.pupil_code in text or p.id_number in text for p in pupils)

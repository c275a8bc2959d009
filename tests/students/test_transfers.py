"""Transfers between schools: the receiving school asks, the sending school (or its province) answers."""
import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from accounts.scope import Scope
from audit.context import clear, set_actor
from audit.models import AuditEvent
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year
from students.models import Enrollment, EnrollmentStatus, Student, TransferRequest, TransferStatus
from students.selectors import student_list, transfer_list, transfers_overdue
from students.services import (
    TRANSFER_NOT_FOUND,
    physical_record_add,
    transfer_decline,
    transfer_release,
    transfer_request_create,
)
from tests.factories import UserFactory, make_student

pytestmark = pytest.mark.django_db


def ask(user, pupil, **overrides):
    args = {"pupil_code": pupil.pupil_code, "date_of_birth": pupil.date_of_birth, "grade": 3, "class_name": "3B"}
    return transfer_request_create(scope=Scope.for_user(user), user=user, to_school=user.school,
                                   **{**args, **overrides})


def test_request_then_release_closes_the_old_enrollment_and_opens_one(school_a, school_b, school_user,
                                                                      school_user_b):
    pupil = make_student(school_a)
    physical_record_add(scope=Scope.country(), student=pupil, measured_on=timezone.localdate(),
                        height_cm=130, weight_kg=28)
    transfer = ask(school_user_b, pupil)
    assert transfer.status == TransferStatus.PENDING and transfer.from_school == school_a
    transfer_release(scope=Scope.for_user(school_user), user=school_user, transfer_id=transfer.pk)
    pupil.refresh_from_db()
    transfer.refresh_from_db()
    assert pupil.school == school_b
    assert (transfer.status, transfer.decided_by) == (TransferStatus.RELEASED, school_user)
    rows = {e.school_id: e for e in Enrollment.objects.filter(student=pupil, school_year=current_school_year())}
    assert rows[school_a.pk].status == EnrollmentStatus.TRANSFERRED_OUT
    assert rows[school_a.pk].left_on == timezone.localdate()
    assert (rows[school_b.pk].status, rows[school_b.pk].grade, rows[school_b.pk].class_name) == ("studying", 3, "3B")
    # The records follow the pupil: the receiving school sees them; the old school no longer lists the pupil.
    assert pupil.physical_records.count() == 1
    assert list(student_list(scope=Scope.for_user(school_user_b))) == [pupil]
    assert student_list(scope=Scope.for_user(school_user_b)).get().current_class == "3B"
    assert not student_list(scope=Scope.for_user(school_user)).exists()
    assert list(student_list(scope=Scope.for_user(school_user_b), filters={"grade": 3})) == [pupil]


def test_unknown_code_and_wrong_birth_date_get_the_same_answer(school_a, school_user_b):
    pupil = make_student(school_a)
    answers = []
    for overrides in ({"pupil_code": "NO-SUCH-CODE"}, {"date_of_birth": pupil.date_of_birth + dt.timedelta(days=1)}):
        with pytest.raises(AppError) as err:
            ask(school_user_b, pupil, **overrides)
        answers.append((err.value.code, err.value.message, err.value.status_code, err.value.details))
    assert answers[0] == answers[1] == ("not_found", TRANSFER_NOT_FOUND, 404, {})
    assert not TransferRequest.objects.exists()


def test_id_number_only_for_scopes_that_may_type_them(school_a, school_b):
    pupil = make_student(school_a)
    blind = UserFactory(username="t_blind_b", role=Role.SCHOOL, school=school_b, may_view_id_numbers=False)
    with pytest.raises(AppError) as err:
        ask(blind, pupil, pupil_code="", id_number=pupil.id_number)
    assert err.value.code == "id_number_not_allowed"
    seeing = UserFactory(username="t_seeing_b", role=Role.SCHOOL, school=school_b, may_view_id_numbers=True)
    assert ask(seeing, pupil, pupil_code="", id_number=pupil.id_number).student == pupil


def test_two_schools_asking_and_a_pupil_in_transit(school_a, school_b, school_other_province, school_user_b):
    pupil = make_student(school_a)
    ask(school_user_b, pupil)
    with pytest.raises(AppError) as again:
        ask(school_user_b, pupil)
    assert again.value.code == "duplicate_request"
    hcm = UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province)
    with pytest.raises(AppError) as other:
        ask(hcm, pupil)
    assert other.value.code == "in_transit" and "chuyển trường khác" in other.value.message
    assert TransferRequest.objects.count() == 1


def test_only_the_sending_side_answers(school_a, school_b, school_other_province, school_user, school_user_b,
                                       province_user_y):
    pupil = make_student(school_a)
    transfer = ask(school_user_b, pupil)
    with pytest.raises(AppError) as err:
        transfer_release(scope=Scope.for_user(school_user_b), user=school_user_b, transfer_id=transfer.pk)
    assert err.value.status_code == 403
    with pytest.raises(NotInScope):
        transfer_release(scope=Scope.for_user(province_user_y), user=province_user_y, transfer_id=transfer.pk)
    pupil.refresh_from_db()
    assert pupil.school == school_a


def test_decline_needs_a_reason_and_frees_the_pupil(school_a, school_b, school_user, school_user_b):
    pupil = make_student(school_a)
    transfer = ask(school_user_b, pupil)
    with pytest.raises(AppError):
        transfer_decline(scope=Scope.for_user(school_user), user=school_user, transfer_id=transfer.pk, reason=" ")
    transfer_decline(scope=Scope.for_user(school_user), user=school_user, transfer_id=transfer.pk,
                     reason="Chưa hoàn tất học bạ")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.reason) == (TransferStatus.DECLINED, "Chưa hoàn tất học bạ")
    with pytest.raises(AppError) as err:
        transfer_release(scope=Scope.for_user(school_user), user=school_user, transfer_id=transfer.pk)
    assert err.value.code == "not_pending"
    assert ask(school_user_b, pupil).status == TransferStatus.PENDING  # a new request may be made


def test_province_releases_on_behalf_and_sees_overdue_requests(school_a, school_other_province, province_user,
                                                               settings):
    pupil = make_student(school_a)
    hcm = UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province)
    transfer = ask(hcm, pupil)
    settings.TRANSFER_ESCALATE_DAYS = 5
    assert not transfers_overdue(scope=Scope.for_user(province_user)).exists()
    TransferRequest.objects.filter(pk=transfer.pk).update(created_at=timezone.now() - dt.timedelta(days=6))
    assert list(transfers_overdue(scope=Scope.for_user(province_user))) == [transfer]
    # The receiving school's province sees the request but has nothing overdue of its own.
    assert not transfers_overdue(scope=Scope(kind="province", province_code="79")).exists()
    transfer_release(scope=Scope.for_user(province_user), user=province_user, transfer_id=transfer.pk)
    assert Student.objects.get(pk=pupil.pk).school == school_other_province


def test_both_sides_list_their_requests(school_a, school_b, school_other_province, school_user, school_user_b):
    pupil = make_student(school_a)
    transfer = ask(school_user_b, pupil)
    other = UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province)
    assert list(transfer_list(scope=Scope.for_user(school_user))) == [transfer]
    assert list(transfer_list(scope=Scope.for_user(school_user_b))) == [transfer]
    assert not transfer_list(scope=Scope.for_user(other)).exists()


def test_every_step_is_in_the_audit_trail_with_its_user(school_a, school_b, school_user, school_user_b):
    pupil = make_student(school_a)
    try:
        set_actor(user=school_user_b, door="web")
        transfer = ask(school_user_b, pupil)
        set_actor(user=school_user, door="web")
        transfer_release(scope=Scope.for_user(school_user), user=school_user, transfer_id=transfer.pk)
    finally:
        clear()
    events = AuditEvent.objects.filter(model="students.transferrequest", record_id=transfer.pk).order_by("id")
    assert [(e.action, e.actor) for e in events] == [("insert", school_user_b.username),
                                                     ("update", school_user.username)]
    assert AuditEvent.objects.filter(model="students.enrollment", action="update",
                                     actor=school_user.username).exists()


def test_the_partial_index_holds_without_the_service(school_a, school_b, school_user_b):
    pupil = make_student(school_a)
    ask(school_user_b, pupil)
    with connection.cursor() as cur, pytest.raises(Exception, match="one_open_transfer_per_pupil"):
        cur.execute("INSERT INTO students_transferrequest (student_id, from_school_id, to_school_id, grade,"
                    " class_name, status, reason, created_at) VALUES (%s, %s, %s, 3, '3B', 'pending', '', now())",
                    [pupil.pk, school_a.pk, school_b.pk])

"""Transfers between schools: the receiving school asks, the sending school (or its province) answers."""
import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from accounts.scope import Scope
from audit.context import clear, set_actor
from audit.models import AuditEvent
from edu_portal.celery import app
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year
from students import tasks
from students.models import Enrollment, EnrollmentStatus, Student, TransferRequest, TransferStatus
from students.selectors import (
    student_list,
    students_awaiting_transfer,
    transfer_list,
    transfer_pages,
    transfers_overdue,
)
from students.services import (
    TRANSFER_NOT_FOUND,
    physical_record_add,
    student_delete,
    student_enroll,
    student_readmit,
    student_transfer,
    student_update,
    student_withdraw,
    transfer_cancel,
    transfer_decline,
    transfer_release,
    transfer_request_create,
)
from tests.factories import SchoolFactory, UserFactory, make_student

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


def test_a_school_is_asked_only_for_grades_it_teaches(school_a, school_b, school_user_b):
    """A primary school takes grades 1-5 (schools.models.LEVEL_GRADES, as the upload checks): asking for a
    pupil into grade 7 is refused before anything is looked up, and so is a move into a kindergarten."""
    pupil = make_student(school_a)
    with pytest.raises(AppError) as err:
        ask(school_user_b, pupil, grade=7, class_name="7A")
    assert err.value.code == "grade_not_taught" and "khối 1 đến 5" in err.value.message
    kindergarten = SchoolFactory(province_id="01", level="preschool")
    with pytest.raises(AppError) as err:
        student_transfer(scope=Scope.country(), student=pupil, to_school=kindergarten, grade=3, class_name="3A")
    assert err.value.code == "grade_not_taught"
    assert not TransferRequest.objects.exists() and Student.objects.get(pk=pupil.pk).school == school_a


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


# --- cancel, the in-transit guard, escalation, "chờ tiếp nhận" -------------------------------------

def test_the_receiving_side_cancels_its_request_and_only_it(school_a, school_b, school_user, school_user_b,
                                                            province_user):
    pupil = make_student(school_a)
    transfer = ask(school_user_b, pupil)
    with pytest.raises(AppError) as sending:
        transfer_cancel(scope=Scope.for_user(school_user), user=school_user, transfer_id=transfer.pk)
    assert (sending.value.code, sending.value.status_code) == ("forbidden", 403)
    transfer_cancel(scope=Scope.for_user(school_user_b), user=school_user_b, transfer_id=transfer.pk)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == (TransferStatus.CANCELLED, school_user_b)
    with pytest.raises(AppError) as again:
        transfer_cancel(scope=Scope.for_user(province_user), user=province_user, transfer_id=transfer.pk)
    assert again.value.code == "not_pending"
    pupil.refresh_from_db()
    assert pupil.school == school_a and pupil.enrollments.get().status == EnrollmentStatus.STUDYING
    assert ask(school_user_b, pupil).status == TransferStatus.PENDING  # free to be asked for again


def test_the_receiving_province_may_cancel_and_an_unrelated_school_does_not_see_it(
        school_a, school_other_province, province_user_y, school_user_b):
    pupil = make_student(school_a)
    hcm = UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province)
    transfer = ask(hcm, pupil)
    with pytest.raises(NotInScope):
        transfer_cancel(scope=Scope.for_user(school_user_b), user=school_user_b, transfer_id=transfer.pk)
    transfer_cancel(scope=Scope.for_user(province_user_y), user=province_user_y, transfer_id=transfer.pk)
    assert TransferRequest.objects.get(pk=transfer.pk).status == TransferStatus.CANCELLED


@pytest.mark.parametrize("write", ["update", "enroll", "withdraw", "delete", "readmit"])
def test_the_sending_school_cannot_change_a_pupil_in_transit(school_a, school_b, school_user, school_user_b, write):
    pupil = make_student(school_a)
    if write == "enroll":
        pupil.enrollments.all().delete()
    transfer = ask(school_user_b, pupil)
    scope = Scope.for_user(school_user)
    calls = {
        "update": lambda: student_update(scope=scope, student=pupil, full_name="Tên Khác Hẳn"),
        "enroll": lambda: student_enroll(scope=scope, student=pupil, grade=3, class_name="3C"),
        "withdraw": lambda: student_withdraw(scope=scope, student=pupil, status="completed",
                                             left_on=timezone.localdate()),
        "delete": lambda: student_delete(scope=scope, student=pupil, reason="Nhập trùng"),
        "readmit": lambda: student_readmit(scope=scope, student=pupil),
    }
    with pytest.raises(AppError) as refused:
        calls[write]()
    assert (refused.value.code, refused.value.status_code) == ("in_transit", 409)
    assert "đang trong thủ tục chuyển trường" in refused.value.message and school_b.name in refused.value.message
    stored = Student.objects.get(pk=pupil.pk)
    assert stored.full_name == pupil.full_name and stored.school == school_a
    # Once answered, the record is the school's to edit again.
    transfer_decline(scope=scope, user=school_user, transfer_id=transfer.pk, reason="Chưa đủ hồ sơ")
    student_update(scope=scope, student=stored, ethnicity="Tày")


def test_escalation_marks_overdue_requests_once(school_a, school_b, school_other_province, school_user_b,
                                                province_user, settings):
    settings.TRANSFER_ESCALATE_DAYS = 5
    old, fresh = make_student(school_a), make_student(school_a)
    late = ask(school_user_b, old)
    recent = ask(UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province), fresh)
    TransferRequest.objects.filter(pk=late.pk).update(created_at=timezone.now() - dt.timedelta(days=6))
    assert tasks.transfers_escalate() == 1
    late.refresh_from_db()
    first = late.escalated_at
    assert first is not None and TransferRequest.objects.get(pk=recent.pk).escalated_at is None
    # A second run (a redelivered task, tomorrow's beat) changes nothing.
    assert tasks.transfers_escalate() == 0
    late.refresh_from_db()
    assert late.escalated_at == first
    # The sending school's province lists it first and may answer it.
    outgoing = list(transfer_pages(scope=Scope.for_user(province_user))["outgoing"])
    assert outgoing == [late, recent]
    transfer_release(scope=Scope.for_user(province_user), user=province_user, transfer_id=late.pk)


def test_the_daily_beat_names_the_escalation_task_the_worker_knows(settings):
    app.loader.import_default_modules()
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "students.transfers_escalate"]
    assert entry["task"] in app.tasks and entry["schedule"] == 86400.0


def test_a_pupil_left_by_transfer_waits_for_a_school_and_is_taken_in_at_once(
        school_a, school_b, school_other_province, school_user, school_user_b, province_user, province_user_y):
    pupil, staying = make_student(school_a), make_student(school_a)
    left = student_withdraw(scope=Scope.for_user(school_user), student=pupil, status="transferred_out",
                            left_on=timezone.localdate(), reason="Gia đình chuyển nhà")
    assert left.status == EnrollmentStatus.TRANSFERRED_OUT and Student.objects.get(pk=pupil.pk).school == school_a
    assert list(students_awaiting_transfer(scope=Scope.for_user(province_user))) == [pupil]
    assert list(students_awaiting_transfer(scope=Scope.for_user(school_user))) == [pupil]
    assert not students_awaiting_transfer(scope=Scope.for_user(province_user_y)).exists()
    assert staying not in students_awaiting_transfer(scope=Scope.country())
    transfer = ask(school_user_b, pupil, grade=3, class_name="3D")
    assert transfer.status == TransferStatus.RELEASED and transfer.decided_at is not None
    pupil.refresh_from_db()
    assert pupil.school == school_b
    rows = list(Enrollment.objects.filter(student=pupil).order_by("id").values_list("school_id", "status",
                                                                                    "class_name"))
    assert rows == [(school_a.pk, "transferred_out", "3A"), (school_b.pk, "studying", "3D")]
    assert not students_awaiting_transfer(scope=Scope.country()).exists()


def test_a_pupil_awaiting_a_school_may_be_taken_back(school_a, school_user):
    pupil = make_student(school_a)
    scope = Scope.for_user(school_user)
    student_withdraw(scope=scope, student=pupil, status="transferred_out", left_on=timezone.localdate())
    student_readmit(scope=scope, student=pupil)
    assert pupil.enrollments.get().status == EnrollmentStatus.STUDYING
    assert not students_awaiting_transfer(scope=scope).exists()

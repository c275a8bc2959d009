"""Staff reassignments between schools (điều chuyển công tác): the receiving school asks, the sending school
(or its province) answers, the receiving side may withdraw; the postings keep each school's history."""
import datetime as dt
import importlib

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from accounts.scope import Scope
from audit.context import clear, set_actor
from audit.models import AuditEvent
from edu_portal.common.exceptions import AppError, NotInScope
from teachers.models import ReassignmentStatus, StaffMember, StaffPosting, StaffReassignment
from teachers.selectors import staff_get, staff_list, staff_reassignment_list
from teachers.services import (
    REASSIGNMENT_NOT_FOUND,
    staff_delete,
    staff_reassign,
    staff_reassignment_cancel,
    staff_reassignment_decline,
    staff_reassignment_release,
    staff_reassignment_request,
    staff_update,
)
from tests.factories import SchoolFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db


def ask(user, staff, **overrides):
    args = {"staff_code": staff.staff_code, "date_of_birth": staff.date_of_birth, "position": "vice_principal"}
    return staff_reassignment_request(scope=Scope.for_user(user), user=user, to_school=user.school,
                                      **{**args, **overrides})


def release(user, reassignment):
    return staff_reassignment_release(scope=Scope.for_user(user), user=user, reassignment_id=reassignment.pk)


def test_new_staff_get_an_open_posting_at_their_school(school_a):
    staff = make_staff(school_a, position="teacher")
    assert list(StaffPosting.objects.filter(staff=staff).values_list("school_id", "position", "ended_on")) == [
        (school_a.pk, "teacher", None)]


def test_request_then_release_closes_the_posting_and_opens_one(school_a, school_b, school_user, school_user_b):
    staff = make_staff(school_a, position="teacher")
    reassignment = ask(school_user_b, staff)
    assert (reassignment.status, reassignment.from_school, reassignment.to_school) == (
        ReassignmentStatus.PENDING, school_a, school_b)
    release(school_user, reassignment)
    staff.refresh_from_db()
    reassignment.refresh_from_db()
    assert (staff.school, staff.position) == (school_b, "vice_principal")
    assert (reassignment.status, reassignment.decided_by) == (ReassignmentStatus.RELEASED, school_user)
    today = timezone.localdate()
    history = list(staff_get(scope=Scope.for_user(school_user_b), pk=staff.pk).postings.all())
    assert [(p.school_id, p.position, p.started_on, p.ended_on, p.end_reason) for p in history] == [
        (school_b.pk, "vice_principal", today, None, ""),
        (school_a.pk, "teacher", None, today, "reassigned")]
    # The receiving school lists the member; the sending school no longer does, but keeps its posting.
    assert list(staff_list(scope=Scope.for_user(school_user_b))) == [staff]
    assert not staff_list(scope=Scope.for_user(school_user)).exists()
    assert StaffPosting.objects.filter(school=school_a, staff=staff, end_reason="reassigned").exists()


def test_the_training_standard_follows_the_new_school_level(school_b, school_user_b, province_user):
    # A college degree in teacher training meets the standard for preschool, not for primary (Luật Giáo dục
    # 2019, Điều 72): moved to a primary school, the member's standard is derived again.
    preschool = SchoolFactory(name="Trường Mầm non C", province_id="01", level="preschool")
    staff = make_staff(preschool, qualification="college")
    assert staff.qualification_standard == "meets"
    release(province_user, ask(school_user_b, staff, position="teacher"))
    staff.refresh_from_db()
    assert staff.school == school_b and staff.qualification_standard != "meets"
    assert not staff.meets_qualification_standard


def test_release_asks_for_both_schools_statistics_after_commit(school_a, school_b, school_user, school_user_b,
                                                              django_capture_on_commit_callbacks):
    from tests import queued

    staff = make_staff(school_a)
    reassignment = ask(school_user_b, staff)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        release(school_user, reassignment)
    assert queued.queued_tasks() == [("dashboards.refresh_schools", [sorted([school_a.pk, school_b.pk])], {})]
    queued.clear()


def test_unknown_code_and_wrong_birth_date_get_the_same_answer(school_a, school_user_b):
    staff = make_staff(school_a)
    answers = []
    for overrides in ({"staff_code": "NO-SUCH-CODE"}, {"date_of_birth": staff.date_of_birth + dt.timedelta(days=1)}):
        with pytest.raises(AppError) as err:
            ask(school_user_b, staff, **overrides)
        answers.append((err.value.code, err.value.message, err.value.status_code, err.value.details))
    assert answers[0] == answers[1] == ("not_found", REASSIGNMENT_NOT_FOUND, 404, {})
    assert not StaffReassignment.objects.exists()


def test_bad_input_is_refused_before_anything_is_written(school_a, school_user, school_user_b):
    staff = make_staff(school_a)
    with pytest.raises(AppError) as err:
        ask(school_user_b, staff, position="janitor")
    assert "position" in err.value.details
    with pytest.raises(AppError) as err:
        ask(school_user_b, staff, staff_code="  ")
    assert "staff_code" in err.value.details
    with pytest.raises(AppError) as err:
        ask(school_user, staff)  # asking for one's own staff member
    assert err.value.code == "already_here"
    assert not StaffReassignment.objects.exists()


def test_two_schools_asking_and_a_member_in_transit(school_a, school_b, school_other_province, school_user_b):
    staff = make_staff(school_a)
    ask(school_user_b, staff)
    with pytest.raises(AppError) as again:
        ask(school_user_b, staff)
    assert again.value.code == "duplicate_request"
    hcm = UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province)
    with pytest.raises(AppError) as other:
        ask(hcm, staff)
    assert other.value.code == "in_transit" and other.value.status_code == 409
    assert StaffReassignment.objects.count() == 1


def test_edits_and_deletion_wait_while_a_request_is_open(school_a, school_user, school_user_b, province_user):
    staff = make_staff(school_a)
    reassignment = ask(school_user_b, staff)
    for scope in (Scope.for_user(school_user), Scope.for_user(province_user)):
        with pytest.raises(AppError) as err:
            staff_update(scope=scope, staff=StaffMember.objects.get(pk=staff.pk), main_subject="Toán")
        assert err.value.code == "in_transit"
        with pytest.raises(AppError) as err:
            staff_delete(scope=scope, staff=StaffMember.objects.get(pk=staff.pk), reason="Nhập trùng")
        assert err.value.code == "in_transit"
    assert StaffMember.objects.get(pk=staff.pk).main_subject == staff.main_subject
    staff_reassignment_decline(scope=Scope.for_user(school_user), user=school_user, reassignment_id=reassignment.pk,
                               reason="Thiếu giáo viên")
    staff_update(scope=Scope.for_user(school_user), staff=StaffMember.objects.get(pk=staff.pk), main_subject="Toán")
    assert StaffMember.objects.get(pk=staff.pk).main_subject == "Toán"


def test_only_the_sending_side_answers_and_only_the_receiving_side_cancels(
        school_a, school_b, school_user, school_user_b, province_user_y):
    staff = make_staff(school_a)
    reassignment = ask(school_user_b, staff)
    with pytest.raises(AppError) as err:
        release(school_user_b, reassignment)
    assert (err.value.code, err.value.status_code) == ("forbidden", 403)
    with pytest.raises(AppError) as err:
        staff_reassignment_cancel(scope=Scope.for_user(school_user), user=school_user,
                                  reassignment_id=reassignment.pk)
    assert (err.value.code, err.value.status_code) == ("forbidden", 403)
    with pytest.raises(NotInScope):
        release(province_user_y, reassignment)
    with pytest.raises(NotInScope):
        staff_reassignment_cancel(scope=Scope.for_user(province_user_y), user=province_user_y,
                                  reassignment_id=reassignment.pk)
    assert StaffMember.objects.get(pk=staff.pk).school == school_a


def test_cancel_frees_the_member_and_stale_answers_are_refused(school_a, school_user, school_user_b):
    staff = make_staff(school_a)
    reassignment = ask(school_user_b, staff)
    staff_reassignment_cancel(scope=Scope.for_user(school_user_b), user=school_user_b,
                              reassignment_id=reassignment.pk)
    reassignment.refresh_from_db()
    assert (reassignment.status, reassignment.decided_by) == (ReassignmentStatus.CANCELLED, school_user_b)
    # The sending school answering the page it opened before the cancel: refused, nothing moved.
    with pytest.raises(AppError) as err:
        release(school_user, reassignment)
    assert err.value.code == "not_pending"
    with pytest.raises(AppError) as err:
        staff_reassignment_decline(scope=Scope.for_user(school_user), user=school_user,
                                   reassignment_id=reassignment.pk, reason="Muộn")
    assert err.value.code == "not_pending"
    assert StaffMember.objects.get(pk=staff.pk).school == school_a
    assert StaffPosting.objects.filter(staff=staff).count() == 1
    assert ask(school_user_b, staff).status == ReassignmentStatus.PENDING  # a new request may be made


def test_a_member_moved_meanwhile_makes_the_request_stale(school_a, school_b, school_user, school_user_b,
                                                         province_user):
    staff = make_staff(school_a)
    reassignment = ask(school_user_b, staff)
    # Written outside the services (an admin, a script): the request no longer describes the member.
    StaffMember.objects.filter(pk=staff.pk).update(school=school_b)
    with pytest.raises(AppError) as err:
        release(province_user, reassignment)
    assert err.value.code == "stale"
    reassignment.refresh_from_db()
    assert reassignment.status == ReassignmentStatus.PENDING


def test_decline_needs_a_reason(school_a, school_user, school_user_b):
    staff = make_staff(school_a)
    reassignment = ask(school_user_b, staff)
    with pytest.raises(AppError) as err:
        staff_reassignment_decline(scope=Scope.for_user(school_user), user=school_user,
                                   reassignment_id=reassignment.pk, reason="  ")
    assert "reason" in err.value.details
    staff_reassignment_decline(scope=Scope.for_user(school_user), user=school_user, reassignment_id=reassignment.pk,
                               reason="Chưa có người thay")
    reassignment.refresh_from_db()
    assert (reassignment.status, reassignment.reason) == (ReassignmentStatus.DECLINED, "Chưa có người thay")


def test_province_releases_on_behalf_and_reassigns_directly_within_its_schools(
        school_a, school_b, school_other_province, province_user):
    staff = make_staff(school_a)
    hcm = UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province)
    release(province_user, ask(hcm, staff))
    assert StaffMember.objects.get(pk=staff.pk).school == school_other_province

    other = make_staff(school_a, position="teacher")
    staff_reassign(scope=Scope.for_user(province_user), staff=other, to_school=school_b)
    assert StaffMember.objects.get(pk=other.pk).school == school_b
    assert StaffPosting.objects.filter(staff=other).count() == 2
    # Across provinces a province holds only one side: that goes through a request.
    with pytest.raises(NotInScope):
        staff_reassign(scope=Scope.for_user(province_user), staff=StaffMember.objects.get(pk=other.pk),
                       to_school=school_other_province)


def test_direct_reassignment_waits_for_an_open_request(school_a, school_b, school_other_province, province_user):
    staff = make_staff(school_a)
    hcm = UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province)
    ask(hcm, staff)
    with pytest.raises(AppError) as err:
        staff_reassign(scope=Scope.for_user(province_user), staff=staff, to_school=school_b)
    assert err.value.code == "in_transit"


def test_both_sides_and_their_provinces_list_the_request(school_a, school_b, school_other_province, school_user,
                                                        school_user_b, province_user, province_user_y):
    staff = make_staff(school_a)
    reassignment = ask(school_user_b, staff)
    other = UserFactory(username="t_school_hcm", role=Role.SCHOOL, school=school_other_province)
    for user in (school_user, school_user_b, province_user):
        assert list(staff_reassignment_list(scope=Scope.for_user(user))) == [reassignment]
    for user in (other, province_user_y):
        assert not staff_reassignment_list(scope=Scope.for_user(user)).exists()
    assert list(staff_reassignment_list(scope=Scope.for_user(school_user), status="declined")) == []


def test_a_member_without_a_posting_still_leaves_a_history(school_a, school_user, school_user_b):
    staff = make_staff(school_a)
    StaffPosting.objects.filter(staff=staff).delete()  # rows loaded outside the services (demo seed)
    release(school_user, ask(school_user_b, staff))
    assert sorted(StaffPosting.objects.filter(staff=staff).values_list("school_id", "ended_on")) == sorted(
        [(school_a.pk, timezone.localdate()), (school_user_b.school_id, None)])


def test_every_step_is_in_the_audit_trail_with_its_user(school_a, school_user, school_user_b):
    staff = make_staff(school_a)
    try:
        set_actor(user=school_user_b, door="web")
        reassignment = ask(school_user_b, staff)
        set_actor(user=school_user, door="web")
        release(school_user, reassignment)
    finally:
        clear()
    events = AuditEvent.objects.filter(model="teachers.staffreassignment", record_id=reassignment.pk).order_by("id")
    assert [(e.action, e.actor) for e in events] == [("insert", school_user_b.username),
                                                     ("update", school_user.username)]
    assert AuditEvent.objects.filter(model="teachers.staffposting", action="update",
                                     actor=school_user.username).exists()


def test_the_partial_indexes_hold_without_the_services(school_a, school_b, school_user_b):
    staff = make_staff(school_a)
    ask(school_user_b, staff)
    with connection.cursor() as cur, pytest.raises(Exception, match="one_open_reassignment_per_staff"):
        cur.execute("INSERT INTO teachers_staffreassignment (staff_id, from_school_id, to_school_id, position,"
                    " status, reason, created_at) VALUES (%s, %s, %s, 'teacher', 'pending', '', now())",
                    [staff.pk, school_a.pk, school_b.pk])


def test_the_migration_gives_each_member_one_open_posting(school_a, school_b):
    staff = [make_staff(school_a), make_staff(school_b, position="principal")]
    StaffPosting.objects.all().delete()
    migration = importlib.import_module("teachers.migrations.0007_staff_reassignments")
    with connection.cursor() as cur:
        cur.execute(migration.BACKFILL)
    assert sorted(StaffPosting.objects.values_list("staff_id", "school_id", "position", "started_on", "ended_on")) == [
        (staff[0].pk, school_a.pk, staff[0].position, None, None), (staff[1].pk, school_b.pk, "principal", None, None)]

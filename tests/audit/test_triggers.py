"""The database triggers: every write to an audited table, whatever the door, is in the trail."""
import io

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.scope import Scope
from audit.context import set_actor
from audit.models import AuditEvent
from schools import services as school_services
from students import services as student_services
from students.models import Student
from tests.factories import make_student

pytestmark = pytest.mark.django_db


def events(model, pk=None, **filters):
    qs = AuditEvent.objects.filter(model=model, **filters)
    return list(qs.filter(record_id=pk) if pk is not None else qs)


def test_a_write_through_a_service_records_before_after_door_and_actor(school_a, school_user):
    pupil = make_student(school_a, full_name="Nguyễn Văn An", ethnicity="Kinh")
    created = events("students.student", pupil.pk, action="insert")
    assert len(created) == 1 and created[0].after["full_name"] == "Nguyễn Văn An"
    assert created[0].door == "shell" and created[0].before is None

    set_actor(user=school_user, door="web", request_id="req-audit-0001")
    student_services.student_update(scope=Scope.for_user(school_user), student=pupil, ethnicity="Tày")

    [event] = events("students.student", pupil.pk, action="update")
    assert event.changed_fields == ["ethnicity"]
    assert event.before == {"ethnicity": "Kinh"} and event.after == {"ethnicity": "Tày"}
    assert (event.door, event.actor, event.actor_id) == ("web", "t_school_a", school_user.pk)
    assert event.request_id == "req-audit-0001"
    # The enrollment written with the pupil is in the trail too, under its own model.
    assert events("students.enrollment", action="insert")[0].after["student_id"] == pupil.pk


def test_an_update_that_changes_nothing_records_nothing(school_a):
    pupil = make_student(school_a)
    before = AuditEvent.objects.count()
    # The service rewrites every column and moves updated_at; nothing else differs.
    student_services.student_update(scope=Scope.country(), student=pupil, full_name=pupil.full_name)
    Student.objects.filter(pk=pupil.pk).update(ethnicity=pupil.ethnicity)
    assert AuditEvent.objects.count() == before


def test_only_changed_rows_of_a_set_based_update_are_recorded(school_a):
    pupils = [make_student(school_a, ethnicity="Kinh") for _ in range(3)]
    Student.objects.filter(pk=pupils[0].pk).update(ethnicity="Mường")
    Student.objects.filter(pk__in=[p.pk for p in pupils]).update(ethnicity="Mường")  # 2 of 3 change
    updates = events("students.student", action="update")
    assert sorted(e.record_id for e in updates) == sorted([pupils[0].pk, pupils[1].pk, pupils[2].pk])
    assert all(e.after == {"ethnicity": "Mường"} for e in updates)


def test_a_bulk_copy_insert_is_captured_row_for_row(school_a, school_user):
    set_actor(user=school_user, door="upload")
    rows = "".join(f'2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,unverified,0,"",{{}},COPY{n:05d},'
                   f"Học Sinh {n},2015-01-01,F,Kinh,{school_a.pk}\n" for n in range(500))
    with transaction.atomic(), connection.cursor() as cursor:
        # The raw psycopg2 cursor, as the uploads' writers and the seeder use it.
        cursor.cursor.copy_expert(
            "COPY students_student (created_at, updated_at, verification_status, verification_attempts, "
            "verification_error, verification_mismatch_fields, pupil_code, full_name, date_of_birth, gender, "
            "ethnicity, school_id) FROM STDIN WITH (FORMAT csv)", io.StringIO(rows))
    inserted = AuditEvent.objects.filter(model="students.student", action="insert", door="upload",
                                         actor_id=school_user.pk)
    assert inserted.count() == 500
    ids = set(Student.objects.filter(pupil_code__startswith="COPY").values_list("pk", flat=True))
    assert set(inserted.values_list("record_id", flat=True)) == ids


def test_deletes_keep_the_old_row(school_a):
    school = school_services.school_create(scope=Scope.country(), code="AUD0001", name="Trường Xóa", level="primary",
                                           ownership="public", province_id="01", commune_id=school_a.commune_id)
    type(school).objects.filter(pk=school.pk).delete()
    [event] = events("schools.school", school.pk, action="delete")
    assert event.before["code"] == "AUD0001" and event.after is None and event.door == "shell"


def test_password_hashes_never_reach_the_trail(ministry_user):
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    ministry_user.set_password("another-pw-2026-x")
    ministry_user.save()
    [event] = AuditEvent.objects.filter(model="accounts.user", record_id=ministry_user.pk, id__gt=last)
    assert event.changed_fields == ["password"] and event.after == {"password": "***"}
    assert all("pbkdf2" not in str(e.after) and "md5$" not in str(e.after)
               for e in AuditEvent.objects.filter(model="accounts.user"))


def test_the_trail_refuses_update_and_delete(school_a):
    make_student(school_a)
    assert AuditEvent.objects.exists()
    for sql in ("UPDATE audit_auditevent SET actor = 'someone else'", "DELETE FROM audit_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=AuditEvent.objects.first().pk).delete()


def test_a_rolled_back_write_leaves_no_event_and_the_actor_is_pushed_again(school_a, school_user):
    pupil = make_student(school_a)
    set_actor(user=school_user, door="web")
    with pytest.raises(RuntimeError), transaction.atomic():
        Student.objects.filter(pk=pupil.pk).update(ethnicity="Thái")
        raise RuntimeError
    assert not events("students.student", pupil.pk, action="update")
    # The session setting made in the rolled-back transaction is gone; the next write names the actor again.
    Student.objects.filter(pk=pupil.pk).update(ethnicity="Nùng")
    [event] = events("students.student", pupil.pk, action="update")
    assert event.actor == "t_school_a" and event.door == "web"


def test_a_verification_retry_that_changes_only_bookkeeping_is_not_recorded(school_a):
    from django.db.models import F
    from django.utils import timezone

    pupil = make_student(school_a)
    Student.objects.filter(pk=pupil.pk).update(verification_attempts=F("verification_attempts") + 1,
                                               verification_checked_at=timezone.now())
    assert not events("students.student", pupil.pk, action="update")
    Student.objects.filter(pk=pupil.pk).update(verification_status="verified", verification_checked_at=timezone.now())
    [event] = events("students.student", pupil.pk, action="update")
    assert event.changed_fields == ["verification_status"]

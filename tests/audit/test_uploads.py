"""An upload's commit is in the trail: who, when, and every new record's row (issue 20 batches the rows of
each INSERT into events of their own: audit migration 0007), on the record's page and in the ministry's search."""
import csv
import io

import pytest
from django.urls import reverse

from audit.context import set_actor
from audit.models import AuditEvent
from audit.selectors import record_history
from students.models import Enrollment, Student
from tests.uploads.conftest import PUPIL_HEADER, commit, csv_bytes, pupil_rows, run_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _committed(user, n: int, prefix: str = "HSAU"):
    set_actor(user=user, door="upload")  # as the commit task does for the user who pressed "commit"
    upload = run_upload(user, csv_bytes(PUPIL_HEADER, pupil_rows(n, prefix=prefix)))
    upload = commit(user, upload)
    assert upload.status == "committed" and upload.new_count == n
    return upload


def test_every_pupil_an_upload_adds_has_its_row_who_and_when_in_the_trail(school_a, school_user):
    _committed(school_user, 3)
    pupils = list(Student.objects.filter(pupil_code__startswith="HSAU").order_by("pk"))
    assert len(pupils) == 3
    for pupil in pupils:
        enrollment = Enrollment.objects.get(student=pupil)
        history = record_history("students.student", pupil.pk, related={"students.enrollment": [enrollment.pk]})
        [added] = [e for e in history if e.model == "students.student" and e.action == "insert"]
        assert (added.record_id, added.actor_id, added.actor, added.door) == (
            pupil.pk, school_user.pk, "t_school_a", "upload")
        assert added.occurred_at is not None
        # Each column of the row as written, as text (PostgreSQL's text form of the row: audit migration 0007).
        assert (added.after["pupil_code"], added.after["full_name"], added.after["id_number"],
                added.after["date_of_birth"], added.after["school_id"]) == (
            pupil.pupil_code, pupil.full_name, pupil.id_number, pupil.date_of_birth.isoformat(), str(school_a.pk))
        [enrolled] = [e for e in history if e.model == "students.enrollment" and e.action == "insert"]
        assert enrolled.record_id == enrollment.pk and enrolled.actor_id == school_user.pk
        assert (enrolled.after["student_id"], enrolled.after["class_name"]) == (str(pupil.pk), enrollment.class_name)
    # One event per batch of rows, not one per row: the pupils' batch names them all.
    [batch] = AuditEvent.objects.filter(model="students.student", action="insert", record_ids__isnull=False)
    assert sorted(batch.record_ids) == [p.pk for p in pupils] and batch.record_id is None


def test_a_pupils_page_and_the_ministrys_search_show_an_uploaded_pupil_with_the_number_masked(
        client, school_a, school_user, ministry_user):
    _committed(school_user, 2, prefix="HSAV")
    pupil = Student.objects.filter(pupil_code__startswith="HSAV").order_by("pk").first()
    client.force_login(school_user)
    html = client.get(f"/students/{pupil.pk}/").content.decode()
    # The pupil's row and its enrollment, each shown as one record's insert.
    assert html.count('data-action="insert"') == 2 and pupil.pupil_code in html

    client.force_login(ministry_user)
    url = reverse("audit:events")
    found = [v.event for log in ("changes", "views")
             for v in client.get(url, {"model": "students.student", "record": pupil.pk, "log": log}).context["events"]]
    # The batch that added the pupil, and the school's showing of its full number on the page above.
    assert sorted(e.action for e in found) == ["insert", "view_id"]
    [batch] = [e for e in found if e.action == "insert"]
    assert pupil.pk in batch.record_ids and batch.actor_id == school_user.pk
    response = client.get(url, {"model": "students.student", "record": pupil.pk, "action": "insert",
                                "format": "csv"})
    [row] = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert pupil.pupil_code in row["after"]
    assert pupil.id_number not in row["after"] and pupil.id_number[:3] in row["after"]


def test_a_refused_commit_leaves_nothing_in_the_trail(school_a, school_user):
    set_actor(user=school_user, door="upload")
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(2, prefix="HSAW")))
    # Another door adds one of the file's pupils after the check: the commit is refused, all or nothing.
    Student.objects.create(pupil_code="HSAW0000001", full_name="Nguyễn Thị Khác", date_of_birth="2016-03-15",
                           gender="F", school=school_a)
    before = AuditEvent.objects.filter(door="upload", action="insert").count()
    upload = commit(school_user, upload)
    assert upload.status == "failed"
    assert not Student.objects.filter(pupil_code="HSAW0000002").exists()
    assert AuditEvent.objects.filter(door="upload", action="insert").count() == before

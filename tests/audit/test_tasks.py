"""Tasks write under the task's name and door ("upload" for uploads), with the id of the user whose
request queued them, carried in the message's headers."""
import pytest

from audit import celery_signals
from audit.context import current_actor, set_actor
from audit.models import AuditEvent
from students.models import Enrollment, Student
from tests.uploads.conftest import PUPIL_HEADER, csv_bytes, pupil_rows, run_upload
from uploads import services as upload_services
from uploads.tasks import upload_commit_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_publishing_a_task_names_the_user_who_queued_it(school_user):
    headers = {}
    celery_signals.add_actor_header(headers=headers)
    assert headers == {}  # the shell queues as nobody in particular
    set_actor(user=school_user, door="web")
    celery_signals.add_actor_header(headers=headers)
    assert headers == {"portal_actor": {"id": school_user.pk, "name": "t_school_a"}}


def test_an_upload_committed_by_its_task_is_recorded_through_the_upload_door(school_user, school_a):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(40)), school=school_a)
    upload_services.upload_confirm(user=school_user, upload_id=upload.pk, enqueue=False)
    result = upload_commit_task.apply(args=[upload.pk],
                                      headers={"portal_actor": {"id": school_user.pk, "name": "t_school_a"}})
    assert result.successful()
    # Every new pupil and enrollment is named by an insert event (a batch of rows: audit migration 0007).
    pupils = AuditEvent.objects.filter(model="students.student", action="insert")
    assert _named(pupils) == set(Student.objects.filter(school=school_a).values_list("pk", flat=True))
    assert len(_named(pupils)) == 40
    assert set(pupils.values_list("door", "actor", "actor_id")) == {
        ("upload", f"uploads.tasks.upload_commit_task#{upload.pk}", school_user.pk)}
    enrollments = AuditEvent.objects.filter(model="students.enrollment", action="insert", door="upload")
    assert _named(enrollments) == set(Enrollment.objects.filter(school=school_a).values_list("pk", flat=True))
    # After the task the thread is the shell again.
    assert current_actor().door == "shell"


def _named(events) -> set[int]:
    return {pk for e in events for pk in (e.record_ids or [e.record_id])}

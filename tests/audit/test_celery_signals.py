"""An upload committed on the web and written by a real worker is recorded under the user who
committed it, through the upload door, with the id of the commit request."""
import pytest
from django.test import Client

from audit import celery_signals
from audit.context import clear, set_actor
from audit.models import AuditEvent
from edu_portal.celery import app as celery_app
from students.models import Student
from tests.processes import thread_worker
from tests.uploads.conftest import PUPIL_HEADER, csv_bytes, pupil_rows, run_upload
from uploads.models import Upload, UploadStatus

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def upload_worker(transactional_db):
    """A real worker (solo pool, in a thread of this process) with Celery's Django fix-up, which
    closes the database connection before every task, as the production worker does."""
    with thread_worker():
        yield
    celery_app.control.purge()  # the verification batches the commit queued: not for the next test's worker


def _wait_committed(pk: int, timeout: float = 60) -> Upload:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        upload = Upload.objects.get(pk=pk)
        if upload.status not in (UploadStatus.COMMITTING,):
            return upload
        time.sleep(0.1)
    raise AssertionError("the upload was not committed in time")


def test_rows_written_by_an_upload_commit_name_the_committing_user_and_request(upload_worker, school_user,
                                                                              school_a):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(12)), school=school_a)
    client = Client()
    client.force_login(school_user)
    response = client.post(f"/uploads/{upload.pk}/confirm/", headers={"X-Request-ID": "commit-req-0123456789"})
    assert response.status_code == 302
    assert _wait_committed(upload.pk).status == UploadStatus.COMMITTED
    ids = set(Student.objects.filter(school=school_a).values_list("pk", flat=True))
    assert len(ids) == 12
    # Every new pupil is named by an insert event (a batch of rows: audit migration 0007).
    rows = AuditEvent.objects.filter(model="students.student", action="insert", record_ids__overlap=list(ids))
    assert {pk for e in rows for pk in e.record_ids} == ids
    assert set(rows.values_list("actor_id", "door", "request_id")) == {
        (school_user.pk, "upload", "commit-req-0123456789")}
    assert not rows.filter(actor__startswith="db:").exists()
    enrollments = AuditEvent.objects.filter(model="students.enrollment", action="insert")
    assert set(enrollments.values_list("actor_id", "door", "request_id")) == {
        (school_user.pk, "upload", "commit-req-0123456789")}


def test_a_task_queued_with_an_api_token_names_the_token_too(school_user):
    headers = {}
    set_actor(user=school_user, door="api", token_id=42)
    try:
        celery_signals.add_actor_header(headers=headers)
    finally:
        clear()
    assert headers["portal_actor"] == {"id": school_user.pk, "name": "t_school_a", "token_id": 42}

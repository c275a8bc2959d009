"""The upload tasks as the broker runs them: a message delivered again and again (a worker killed
while it held it, late acks) ends with the upload marked failed instead of running forever."""
import uuid

import pytest

from tests.uploads.conftest import PUPIL_HEADER, csv_bytes, pupil_rows, run_upload
from uploads import services
from uploads.models import Upload, UploadStatus
from uploads.tasks import MAX_DELIVERIES, upload_commit_task, upload_validate_task

pytestmark = pytest.mark.django_db


def _killed_mid_task(upload, status):
    """What a worker killed in the middle of the task leaves behind: the row still in progress."""
    Upload.objects.filter(pk=upload.pk).update(status=status, progress=40, message="")


def test_validation_redelivered_past_the_cap_marks_the_upload_failed(school_user, school_a):
    upload = services.upload_create(user=school_user, kind="pupils", school=school_a, enqueue=False,
                                    file=_file(csv_bytes(PUPIL_HEADER, pupil_rows(5))))
    message_id = str(uuid.uuid4())  # a redelivered message keeps its task id
    for _ in range(MAX_DELIVERIES):
        assert upload_validate_task.apply(args=[upload.pk], task_id=message_id).successful()
        upload.refresh_from_db()
        assert upload.status == UploadStatus.VALIDATED  # each delivery below the cap really runs
        _killed_mid_task(upload, UploadStatus.VALIDATING)

    assert upload_validate_task.apply(args=[upload.pk], task_id=message_id).successful()
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED and upload.progress == 100
    assert "gián đoạn nhiều lần" in upload.message
    # Another message (a new upload of the same file, say) is counted on its own.
    other = services.upload_create(user=school_user, kind="pupils", school=school_a, enqueue=False,
                                   file=_file(csv_bytes(PUPIL_HEADER, pupil_rows(5, start=100))))
    assert upload_validate_task.apply(args=[other.pk], task_id=str(uuid.uuid4())).successful()
    other.refresh_from_db()
    assert other.status == UploadStatus.VALIDATED


def test_retries_after_a_database_outage_are_not_redeliveries(school_user, school_a):
    """Celery's own retries (autoretry on a lost database) are new messages, each counted on its
    own, or an outage longer than a few retries would fail good uploads; a message that is itself
    redelivered past the cap still ends the upload."""
    upload = services.upload_create(user=school_user, kind="pupils", school=school_a, enqueue=False,
                                    file=_file(csv_bytes(PUPIL_HEADER, pupil_rows(3))))
    message_id = str(uuid.uuid4())
    for retry in range(MAX_DELIVERIES + 2):
        upload_validate_task.apply(args=[upload.pk], task_id=message_id, retries=retry)
        upload.refresh_from_db()
        assert upload.status == UploadStatus.VALIDATED
        _killed_mid_task(upload, UploadStatus.VALIDATING)
    last = MAX_DELIVERIES + 1
    for _ in range(MAX_DELIVERIES - 1):  # retry number `last` (run once above) delivered again and again
        upload_validate_task.apply(args=[upload.pk], task_id=message_id, retries=last)
        _killed_mid_task(upload, UploadStatus.VALIDATING)
    upload_validate_task.apply(args=[upload.pk], task_id=message_id, retries=last)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED




def test_commit_redelivered_past_the_cap_is_failed_and_writes_nothing(school_user, school_a):
    from students.models import Student

    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(5)), school=school_a)
    message_id = str(uuid.uuid4())
    # Deliveries killed inside the commit's transaction leave nothing behind; here they find the
    # upload not yet confirmed and do nothing, which counts the deliveries all the same.
    for _ in range(MAX_DELIVERIES):
        assert upload_commit_task.apply(args=[upload.pk], task_id=message_id).successful()
    services.upload_confirm(user=school_user, upload_id=upload.pk, enqueue=False)

    assert upload_commit_task.apply(args=[upload.pk], task_id=message_id).successful()
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED and "gián đoạn nhiều lần" in upload.message
    assert not Student.objects.filter(school=school_a).exists()


def _file(content: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(content, name="hoc_sinh.csv")

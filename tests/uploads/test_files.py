"""An upload's files and error table hold the ID numbers typed into it (issue 12, items 2 and 6):
masked or refused for users without the right, downloads audited and never cached, and the work
files gone once the upload is committed, cancelled or expired."""
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from tests.factories import UserFactory
from uploads import services
from uploads.models import Upload, UploadStatus

from .conftest import PUPIL_HEADER, commit, csv_bytes, pupil_rows, run_upload

pytestmark = pytest.mark.django_db


def _with_errors(school_user):
    rows = pupil_rows(3)
    rows[1][1] = rows[1][1].lstrip("0")  # Excel dropped the zeros: the hint quotes the number fixed
    rows[2][3] = "31/02/2016"
    return run_upload(school_user, csv_bytes(PUPIL_HEADER, rows)), rows


def _work_files(upload) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "uploads" / "work" / str(upload.pk)
    return sorted(folder.glob("*")) if folder.exists() else []


def test_a_masked_officer_sees_a_schools_upload_without_any_full_number(client, school_user, province_user):
    upload, rows = _with_errors(school_user)
    assert upload.status == UploadStatus.INVALID and upload.error_file
    client.force_login(province_user)
    page = client.get(reverse("uploads:detail", args=[upload.pk])).content.decode()
    assert "Ngày sinh" in page  # the errors are listed ...
    typed = [r[1] for r in rows] + [rows[1][1].zfill(12)]
    assert not [n for n in typed if n in page]  # ... with every number masked, the hint included
    for name in ("uploads:original", "uploads:error_file"):
        response = client.get(reverse(name, args=[upload.pk]))
        assert response.status_code == 403, name
    assert not AuditEvent.objects.filter(action="export_id").exists()


def test_the_uploader_and_users_with_the_right_download_and_are_audited(client, school_user, province_user):
    upload, rows = _with_errors(school_user)
    officer = UserFactory(username="t_hanoi_id", role=Role.PROVINCE, province_id="01", may_view_id_numbers=True)
    for user in (school_user, officer):
        client.force_login(user)
        for name in ("uploads:original", "uploads:error_file"):
            response = client.get(reverse(name, args=[upload.pk]))
            assert response.status_code == 200 and response["Cache-Control"] == "no-store"
            assert rows[0][1].encode() in b"".join(response.streaming_content) or name == "uploads:error_file"
        events = AuditEvent.objects.filter(action="export_id", actor_id=user.pk, model="uploads.upload")
        assert events.count() == 2 and all(e.record_ids == [upload.pk] for e in events)


def test_work_files_go_when_the_upload_is_committed(school_user, django_capture_on_commit_callbacks):
    upload = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(2)))
    assert _work_files(upload)
    with django_capture_on_commit_callbacks(execute=True):
        commit(school_user, upload)
    assert _work_files(upload) == []
    upload.refresh_from_db()
    assert not upload.staged_file and upload.file  # the original is kept, access-controlled


def test_work_files_go_when_the_upload_is_cancelled(client, school_user, django_capture_on_commit_callbacks):
    upload, _ = _with_errors(school_user)
    assert _work_files(upload)
    client.force_login(school_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("uploads:cancel", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CANCELLED and _work_files(upload) == []
    assert client.get(reverse("uploads:error_file", args=[upload.pk])).status_code == 404
    assert client.post(reverse("uploads:confirm", args=[upload.pk])).status_code == 302
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CANCELLED  # nothing to commit any more


def test_work_files_of_forgotten_uploads_expire(school_user, django_capture_on_commit_callbacks):
    old = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(2)))
    fresh = run_upload(school_user, csv_bytes(PUPIL_HEADER, pupil_rows(2, start=5)))
    Upload.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.upload_expire_work() == 1
    old.refresh_from_db()
    assert old.status == UploadStatus.EXPIRED and _work_files(old) == [] and not old.can_commit
    assert _work_files(fresh) and services.upload_expire_work() == 0

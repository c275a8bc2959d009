"""The work files of an upload (staged rows, error file) and the upload's end without a commit:
cancelled, expired, or given up by a task that kept dying on it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.scope import Scope
from edu_portal.common.exceptions import AppError
from edu_portal.common.importing import ImportContext

from ..models import Upload, UploadStatus
from ..selectors import upload_get


def _context(upload: Upload) -> ImportContext:
    return ImportContext(scope=Scope.for_user(upload.uploaded_by), school=upload.school,
                         school_year=upload.school_year, today=timezone.localdate(),
                         date_orders=dict(upload.date_orders or {}))


def _work_name(upload: Upload, name: str) -> str:
    return f"uploads/work/{upload.pk}/{name}"


def _media_path(name: str) -> Path:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _discard_work(upload: Upload, ext: str | None = None) -> None:
    """The work files (staged rows, error file) hold the file's ID numbers in the clear: they live
    only while the upload may still be committed or corrected (issue 12)."""
    folder = Path(settings.MEDIA_ROOT) / _work_name(upload, "")
    names = ("staged.csv", f"errors.{ext}") if ext else ("staged.csv", "errors.csv", "errors.xlsx")
    for name in names:
        (folder / name).unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty (another file) or already gone


def upload_give_up(*, upload_id: int, statuses: tuple, message: str) -> None:
    """A task that kept dying on this upload (uploads/tasks.py): failed, with its work files gone."""
    if Upload.objects.filter(pk=upload_id, status__in=statuses).update(
            status=UploadStatus.FAILED, progress=100, message=message, staged_file="", error_file=""):
        _discard_work(Upload.objects.get(pk=upload_id))


# Uploads whose work files may be discarded, and what they become then.
EXPIRING = {UploadStatus.VALIDATED: UploadStatus.EXPIRED, UploadStatus.INVALID: UploadStatus.EXPIRED,
            UploadStatus.REJECTED: UploadStatus.REJECTED, UploadStatus.FAILED: UploadStatus.FAILED}
WORK_FILE_DAYS = getattr(settings, "UPLOADS_WORK_FILE_DAYS", 7)


@transaction.atomic
def upload_cancel(*, user, upload_id: int) -> Upload:
    """The user drops a checked file instead of committing it: its work files go at once."""
    upload = upload_get(scope=Scope.for_user(user), pk=upload_id, for_update=True)
    if upload.status not in (UploadStatus.VALIDATED, UploadStatus.INVALID, UploadStatus.QUESTION):
        raise AppError(gettext("Chỉ huỷ được tệp đã kiểm tra xong và chưa ghi."), code="not_cancellable", status_code=409)
    upload.status, upload.message = UploadStatus.CANCELLED, "Đã huỷ; không có gì được ghi."
    upload.staged_file.name, upload.error_file.name = "", ""
    upload.save(update_fields=["status", "message", "staged_file", "error_file"])
    transaction.on_commit(lambda: _discard_work(upload))
    return upload


def upload_expire_work(*, now=None, days: int | None = None) -> int:
    """Uploads left uncommitted for `days` lose their work files (a validated one can no longer be
    committed: it is expired). Returns how many were expired."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=WORK_FILE_DAYS if days is None else days)
    expired = 0
    for upload in Upload.objects.filter(status__in=list(EXPIRING), created_at__lt=cutoff).exclude(
            staged_file="", error_file="").iterator():
        with transaction.atomic():
            locked = Upload.objects.select_for_update().filter(pk=upload.pk, status=upload.status).first()
            if locked is None:
                continue
            locked.status = EXPIRING[locked.status]
            if locked.status == UploadStatus.EXPIRED:
                locked.message = "Hết hạn: tệp đã kiểm tra nhưng không được ghi trong thời hạn; hãy tải lên lại."
            locked.staged_file.name, locked.error_file.name = "", ""
            locked.save(update_fields=["status", "message", "staged_file", "error_file"])
            transaction.on_commit(lambda u=locked: _discard_work(u))
            expired += 1
    return expired

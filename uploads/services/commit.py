"""Confirm and commit: the user accepts the preview; one transaction writes every staged row or none."""
from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.scope import Scope
from edu_portal.common.bulk import batched_inserts
from edu_portal.common.exceptions import AppError
from edu_portal.common.i18n import message_source, message_store
from edu_portal.common.importing import StaleUpload
from edu_portal.common.queue import enqueue_on_commit
from schools.services import school_mark_synchronized

from ..models import Upload, UploadStatus
from ..registry import importer_for
from ..selectors import upload_get
from .work import _context, _discard_work

logger = logging.getLogger(__name__)

@transaction.atomic
def upload_confirm(*, user, upload_id: int, enqueue: bool = True) -> Upload:
    """Accept the preview: only an error-free, validated file can be committed."""
    upload = upload_get(scope=Scope.for_user(user), pk=upload_id, for_update=True)
    if upload.status == UploadStatus.COMMITTED:
        raise AppError(gettext("Tệp này đã được ghi."), code="already_committed", status_code=409)
    if not upload.can_commit:
        raise AppError(gettext("Chỉ ghi được tệp đã kiểm tra xong và không có lỗi."), code="not_committable", status_code=409)
    upload.status, upload.committed_by, upload.progress = UploadStatus.COMMITTING, user, 0
    upload.save(update_fields=["status", "committed_by", "progress"])
    if enqueue:
        enqueue_on_commit("uploads.tasks.upload_commit_task", upload_id)
    return upload


def staged_write(*, importer, context, now, staged_path, fallback_school_id: int | None = None) -> dict:
    """The staged rows of one school (or of schools, for the schools' own records) into the real tables, in the
    caller's transaction, and what follows a write: the school marked synchronized, the dashboards' figures of
    the schools touched, changed identities to verification and new people to the duplicate scan, all queued
    after commit. The upload commit and the API's bulk upsert (bulk.py) both write through here."""
    # New records are recorded in the trail a batch to an event (audit migration 0007), not row by row.
    with connection.cursor() as cursor:
        batched_inserts(cursor)
    result = importer.write(context=context, now=now, staged_path=staged_path)
    school_id = getattr(context.school, "pk", None) or fallback_school_id
    if school_id:
        school_mark_synchronized(school_id=school_id, at=now)
    # The dashboards' pre-aggregated figures of the schools touched, after commit.
    touched = result.get("school_ids") or ([school_id] if school_id else [])
    if touched and (result["new"] or result["changed"]):
        enqueue_on_commit("dashboards.refresh_schools", sorted({int(i) for i in touched}))
    queue_kind = importer.verification_kind
    if queue_kind and result["queued"]:
        # Handed to the workers in batches once this transaction commits (by task name:
        # uploads does not import verification).
        enqueue_on_commit("verification.identities_verify", queue_kind, [int(i) for i in result["queued"]])
    if importer.duplicate_scan_task and result.get("identity"):
        # New records and changed identities are looked at for a second record of the same person
        # (by the name the importer gives: uploads does not import the records' apps).
        enqueue_on_commit(importer.duplicate_scan_task, [int(i) for i in result["identity"]])
    return result


def upload_commit(*, upload_id: int) -> Upload:
    """Write every staged row in one transaction, or nothing. Safe to run twice: the status
    changes to committed in the same transaction as the records."""
    try:
        with transaction.atomic():
            upload = Upload.objects.select_for_update(of=("self",)).select_related("school", "uploaded_by").get(
                pk=upload_id)
            if upload.status != UploadStatus.COMMITTING:
                return upload
            importer = importer_for(upload.kind)
            context = _context(upload)
            if upload.school_id:
                # One upload at a time per school: the checks below stay true until commit.
                list(type(upload.school).objects.select_for_update().filter(pk=upload.school_id).values_list("pk"))
            now = timezone.now()
            result = staged_write(importer=importer, context=context, now=now,
                                  staged_path=Path(settings.MEDIA_ROOT) / upload.staged_file.name,
                                  fallback_school_id=upload.school_id)
            valid = upload.new_count + upload.changed_count + upload.unchanged_count
            upload.new_count, upload.changed_count = result["new"], result["changed"]
            upload.unchanged_count = max(valid - result["new"] - result["changed"], 0)
            upload.status, upload.committed_at, upload.progress = UploadStatus.COMMITTED, now, 100
            upload.message_code = message_store("upload.committed", created=upload.new_count,
                                                changed=upload.changed_count, unchanged=upload.unchanged_count)
            upload.message = message_source(upload.message_code)
            upload.save()
            # The staged rows are written: the work files go once this transaction commits.
            upload.staged_file.name = upload.error_file.name = ""
            upload.save(update_fields=["staged_file", "error_file"])
            transaction.on_commit(lambda: _discard_work(upload))
            if result.get("held"):
                logger.warning("upload %s by user %s: %d ID number(s) held for review", upload.pk,
                               upload.uploaded_by_id, result["held"])
    except (StaleUpload, IntegrityError, AppError) as exc:
        # AppError: a write the database refused with a reason for the user (an approved reporting period's
        # lock: edu_portal.common.period_locks); nothing was written.
        message = exc.message if isinstance(exc, (StaleUpload, AppError)) else (
            "Không ghi được vì dữ liệu trùng với bản ghi khác (ví dụ hai học sinh đổi số định danh cho nhau). "
            "Không có gì được ghi.")
        logger.info("upload %s: commit refused: %s", upload_id, exc)
        failed = Upload.objects.filter(pk=upload_id, status=UploadStatus.COMMITTING).update(
            status=UploadStatus.FAILED, message=message, progress=100, staged_file="", error_file="")
        if failed:  # the user uploads again: nothing of this one is needed any more
            _discard_work(Upload.objects.get(pk=upload_id))
    return Upload.objects.get(pk=upload_id)

"""Uploads: receive a file, validate it in the background, preview, then commit all or nothing.

    upload_create   store the original file and queue validation (after the transaction commits)
    upload_validate stream the file, validate every row (importers), check the database in
                    batches, write the staged rows and the error file; count new/changed/unchanged
    upload_confirm  the user accepts the preview of an error-free file: queue the commit
    upload_commit   one transaction: COPY the staged rows and upsert them (<app>/writers.py), mark
                    the school synchronized, queue changed identities for verification

The web form, the Celery tasks, the management command and the benchmark all go through these.
"""
from __future__ import annotations

import csv
import datetime as dt
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.scope import SCHOOL, Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.importing import UNCHANGED, ImportContext, RecordImporter, RowError, StaleUpload, header_key
from edu_portal.common.models import current_school_year
from edu_portal.common.queue import enqueue_on_commit
from schools.services import school_mark_synchronized

from .exports import ERROR_HEADER, ErrorFileWriter
from .models import Upload, UploadStatus
from .readers import FileRejected, detect_format, open_table
from .registry import importer_for, kinds_for

logger = logging.getLogger(__name__)

MAX_BYTES = getattr(settings, "UPLOADS_MAX_BYTES", 50 * 1024 * 1024)
MAX_ROWS = getattr(settings, "UPLOADS_MAX_ROWS", 200_000)
EXTENSIONS = (".csv", ".txt", ".xlsx")
BATCH = 5000               # rows checked against the database per query
STORED_ERRORS = 1000       # errors kept for the preview; all of them are in the error file


def limits_text() -> str:
    rows = f"{MAX_ROWS:,}".replace(",", ".")  # Vietnamese thousands separator
    return f"Tệp CSV (UTF-8) hoặc Excel (.xlsx), tối đa {MAX_BYTES // (1024 * 1024)} MB và {rows} dòng dữ liệu."


# --- create ---------------------------------------------------------------------------------

@transaction.atomic
def upload_create(*, user, kind: str, file, school=None, enqueue: bool = True) -> Upload:
    """Keep the original file and queue its validation. School users upload for their school;
    province and ministry users choose a school in their scope (or upload schools)."""
    scope = Scope.for_user(user)
    if kind not in kinds_for(scope):
        raise AppError("Bạn không được tải lên loại dữ liệu này.", code="kind_not_allowed", status_code=403)
    importer = importer_for(kind)
    province_id = None
    if importer.needs_school:
        if scope.kind == SCHOOL:
            school = user.school
        if school is None:
            raise AppError("Hãy chọn trường của dữ liệu tải lên.", details={"school": ["Bắt buộc."]})
        if not scope.contains_school(school):
            raise NotInScope("Trường này không thuộc phạm vi của bạn.")
        province_id = school.province_id
    else:
        school = None
        province_id = scope.province_code if scope.kind != "country" else None
    name = os.path.basename(getattr(file, "name", "") or "tep")[:200]
    if not name.lower().endswith(EXTENSIONS):
        raise AppError("Chỉ nhận tệp CSV (.csv) hoặc Excel (.xlsx).", code="bad_extension",
                       details={"file": [limits_text()]})
    size = file.size
    if size > MAX_BYTES:
        raise AppError(f"Tệp lớn {size / 1024 / 1024:.1f} MB, vượt giới hạn {MAX_BYTES // (1024 * 1024)} MB. "
                       "Hãy chia thành nhiều tệp nhỏ hơn.", code="too_big", details={"file": [limits_text()]})
    if size == 0:
        raise AppError("Tệp trống.", code="empty_file")
    upload = Upload(kind=kind, school=school, province_id=province_id, school_year=current_school_year(),
                    uploaded_by=user, file_name=name, file_size=size)
    upload.file.save(name, file, save=False)
    upload.save()
    if enqueue:
        enqueue_on_commit("uploads.tasks.upload_validate_task", upload.pk)
    return upload


# --- validate -------------------------------------------------------------------------------

def _context(upload: Upload) -> ImportContext:
    return ImportContext(scope=Scope.for_user(upload.uploaded_by), school=upload.school,
                         school_year=upload.school_year, today=timezone.localdate())


def _work_name(upload: Upload, name: str) -> str:
    return f"uploads/work/{upload.pk}/{name}"


def _media_path(name: str) -> Path:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def map_header(header: list, importer: RecordImporter) -> list[tuple[str, int]]:
    """(field key, column index) for each template column found; missing required columns and
    columns the template does not have are named in the refusal."""
    found: dict[str, int] = {}
    unknown, repeated = [], []
    ignored = {header_key(ERROR_HEADER)}
    for index, raw in enumerate(header):
        text = header_key(raw)
        if not text or text in ignored:
            continue
        key = importer.header_lookup.get(text)
        if key is None:
            unknown.append(str(raw).strip())
        elif key in found:
            repeated.append(str(raw).strip())
        else:
            found[key] = index
    missing = [c.header for c in importer.columns if c.required and c.key not in found]
    problems = []
    if missing:
        problems.append("thiếu cột: " + ", ".join(f"'{m}'" for m in missing))
    if unknown:
        problems.append("có cột không có trong mẫu: " + ", ".join(f"'{u}'" for u in unknown))
    if repeated:
        problems.append("có cột lặp lại: " + ", ".join(f"'{r}'" for r in repeated))
    if problems:
        raise FileRejected(f"Tệp không đúng mẫu '{importer.label}': " + "; ".join(problems) +
                           ". Hãy tải tệp mẫu và giữ nguyên dòng tiêu đề.")
    return list(found.items())


def find_header(first: list, rows, importer: RecordImporter, *, look_ahead: int = 9):
    """The header is the first non-empty row, or one of the next few when the sheet starts with
    a title ("DANH SÁCH HỌC SINH LỚP 3A"); the rows above it are skipped. When none fits, the
    refusal names what the first row lacks."""
    try:
        return first, map_header(first, importer)
    except FileRejected as refusal:
        for _ in range(look_ahead):
            candidate = next(rows, None)
            if candidate is None:
                break
            try:
                return candidate[1], map_header(candidate[1], importer)
            except FileRejected:
                continue
        raise refusal from None


class _Run:
    """One validation pass over a file."""

    def __init__(self, upload: Upload, importer: RecordImporter, *, max_rows: int) -> None:
        self.upload, self.importer, self.max_rows = upload, importer, max_rows
        self.context = _context(upload)
        self.counts = {"new": 0, "changed": 0, "unchanged": 0}
        self.rows = self.error_count = self.error_rows = 0
        self.stored: list[dict] = []
        self.seen: dict = {}
        self.seen_unique: dict[str, dict] = {f: {} for f in importer.unique_fields}
        self.batch: list[tuple[int, dict]] = []
        self.raw: dict[int, list] = {}

    def run(self, table, *, staged_path: Path, errors_path: Path) -> None:
        importer, context = self.importer, self.context
        rows = iter(table.rows())
        header, mapping = find_header(table.header, rows, importer)
        validate_row, key_of = importer.validate_row, importer.key
        key_column = importer.key_fields[0]
        delimiter = getattr(table, "delimiter", ",")
        self.errors_file = ErrorFileWriter(errors_path, header=list(header), file_format=self.upload.file_format,
                                           delimiter=delimiter)
        try:
            with open(staged_path, "w", encoding="utf-8", newline="") as staged_file:
                self.staged = csv.writer(staged_file)
                for rownum, values in rows:
                    self.rows += 1
                    if self.rows > self.max_rows:
                        limit = f"{self.max_rows:,}".replace(",", ".")
                        raise FileRejected(f"Tệp có hơn {limit} dòng dữ liệu, vượt giới hạn. Hãy chia thành "
                                           "nhiều tệp nhỏ hơn.")
                    width = len(values)
                    row = {key: (values[i] if i < width else None) for key, i in mapping}
                    cleaned, errors = validate_row(row, context=context)
                    if not errors:
                        key = key_of(cleaned)
                        first = self.seen.get(key)
                        if first is not None:
                            errors = [RowError(key_column, str(cleaned[key_column]),
                                               f"trùng với dòng {first} trong tệp")]
                        else:
                            self.seen[key] = rownum
                            for field, seen in self.seen_unique.items():
                                value = cleaned.get(field)
                                if value:
                                    if value in seen:
                                        errors = [RowError(field, value, f"trùng với dòng {seen[value]} trong tệp")]
                                    else:
                                        seen[value] = rownum
                    if errors:
                        self._record(rownum, values, errors)
                        continue
                    self.batch.append((rownum, cleaned))
                    self.raw[rownum] = values
                    if len(self.batch) >= BATCH:
                        self._flush()
                        Upload.objects.filter(pk=self.upload.pk).update(
                            progress=min(int(table.fraction_read() * 100), 99), total_rows=self.rows)
                self._flush()
        finally:
            self.errors_file.close()
        if self.rows == 0:
            raise FileRejected("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.")

    def _flush(self) -> None:
        if not self.batch:
            return
        writerow, stage_row = self.staged.writerow, self.importer.stage_row
        counts = self.counts
        for rownum, cleaned, state, errors in self.importer.resolve(self.batch, context=self.context):
            if errors:
                self._record(rownum, self.raw[rownum], errors)
                continue
            counts[state] += 1
            if state != UNCHANGED:
                writerow([*stage_row(cleaned), state, rownum])
        self.batch, self.raw = [], {}

    def _record(self, rownum: int, values: list, errors: list[RowError]) -> None:
        headers = self.importer.headers
        messages = []
        for error in errors:
            error = RowError(error.column, error.value, error.reason, rownum)
            header = headers.get(error.column, error.column)
            message = error.message(header)
            messages.append(message)
            self.error_count += 1
            if len(self.stored) < STORED_ERRORS:
                self.stored.append({"row": rownum, "column": header, "value": error.value, "reason": error.reason,
                                    "message": message})
        self.error_rows += 1
        self.errors_file.write(values, messages)


def upload_validate(*, upload_id: int, max_rows: int | None = None) -> Upload:
    """Validate the stored file. Safe to run twice: a finished validation is not redone, an
    interrupted one starts again from the first row."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload_id)
        if upload.status not in (UploadStatus.PENDING, UploadStatus.VALIDATING):
            return upload
        upload.status, upload.progress, upload.message = UploadStatus.VALIDATING, 0, ""
        upload.save(update_fields=["status", "progress", "message"])
    upload = Upload.objects.select_related("school", "uploaded_by", "uploaded_by__school").get(pk=upload_id)
    importer = importer_for(upload.kind)
    ext = "csv"
    try:
        path = Path(upload.file.path)
        upload.file_format = detect_format(path, upload.file_name)
        ext = upload.file_format
        staged_name, errors_name = _work_name(upload, "staged.csv"), _work_name(upload, f"errors.{ext}")
        run = _Run(upload, importer, max_rows=max_rows or MAX_ROWS)
        with open_table(path, upload.file_format) as table:
            run.run(table, staged_path=_media_path(staged_name), errors_path=_media_path(errors_name))
    except FileRejected as exc:
        _discard_work(upload, ext)
        Upload.objects.filter(pk=upload_id).update(status=UploadStatus.REJECTED, message=exc.message, progress=100,
                                                   file_format=upload.file_format, validated_at=timezone.now())
        return Upload.objects.get(pk=upload_id)
    except Exception:
        logger.exception("upload %s: validation failed", upload_id)
        _discard_work(upload, ext)
        Upload.objects.filter(pk=upload_id).update(
            status=UploadStatus.FAILED, progress=100,
            message="Lỗi hệ thống khi kiểm tra tệp; không có gì được ghi. Hãy thử lại sau.")
        raise
    upload.total_rows = run.rows
    upload.new_count, upload.changed_count, upload.unchanged_count = (run.counts["new"], run.counts["changed"],
                                                                      run.counts["unchanged"])
    upload.error_count, upload.error_row_count, upload.errors = run.error_count, run.error_rows, run.stored
    upload.staged_file.name = staged_name
    upload.error_file.name = errors_name if run.error_rows else ""
    if not run.error_rows:
        _media_path(errors_name).unlink(missing_ok=True)
    upload.status = UploadStatus.INVALID if run.error_count else UploadStatus.VALIDATED
    upload.progress, upload.validated_at = 100, timezone.now()
    upload.message = (f"{run.error_rows} dòng có lỗi: sửa tệp rồi tải lên lại. Không có gì được ghi."
                      if run.error_count else "Tệp hợp lệ: kiểm tra số liệu rồi bấm Ghi dữ liệu.")
    upload.save()
    return upload


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
    from .selectors import upload_get

    upload = upload_get(scope=Scope.for_user(user), pk=upload_id, for_update=True)
    if upload.status not in (UploadStatus.VALIDATED, UploadStatus.INVALID):
        raise AppError("Chỉ huỷ được tệp đã kiểm tra xong và chưa ghi.", code="not_cancellable", status_code=409)
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


# --- confirm and commit ---------------------------------------------------------------------

@transaction.atomic
def upload_confirm(*, user, upload_id: int, enqueue: bool = True) -> Upload:
    """Accept the preview: only an error-free, validated file can be committed."""
    from .selectors import upload_get

    upload = upload_get(scope=Scope.for_user(user), pk=upload_id, for_update=True)
    if upload.status == UploadStatus.COMMITTED:
        raise AppError("Tệp này đã được ghi.", code="already_committed", status_code=409)
    if not upload.can_commit:
        raise AppError("Chỉ ghi được tệp đã kiểm tra xong và không có lỗi.", code="not_committable", status_code=409)
    upload.status, upload.committed_by, upload.progress = UploadStatus.COMMITTING, user, 0
    upload.save(update_fields=["status", "committed_by", "progress"])
    if enqueue:
        enqueue_on_commit("uploads.tasks.upload_commit_task", upload_id)
    return upload


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
            result = importer.write(context=context, now=now,
                                    staged_path=Path(settings.MEDIA_ROOT) / upload.staged_file.name)
            valid = upload.new_count + upload.changed_count + upload.unchanged_count
            upload.new_count, upload.changed_count = result["new"], result["changed"]
            upload.unchanged_count = max(valid - result["new"] - result["changed"], 0)
            upload.status, upload.committed_at, upload.progress = UploadStatus.COMMITTED, now, 100
            upload.message = (f"Đã ghi: {upload.new_count} mới, {upload.changed_count} thay đổi, "
                              f"{upload.unchanged_count} không đổi.")
            upload.save()
            if upload.school_id:
                school_mark_synchronized(school_id=upload.school_id, at=now)
            # The dashboards' pre-aggregated figures of the schools touched, after commit.
            touched = result.get("school_ids") or ([upload.school_id] if upload.school_id else [])
            if touched and (result["new"] or result["changed"]):
                enqueue_on_commit("dashboards.refresh_schools", sorted({int(i) for i in touched}))
            # The staged rows are written: the work files go once this transaction commits.
            upload.staged_file.name = upload.error_file.name = ""
            upload.save(update_fields=["staged_file", "error_file"])
            transaction.on_commit(lambda: _discard_work(upload))
            if result.get("held"):
                logger.warning("upload %s by user %s: %d ID number(s) held for review", upload.pk,
                               upload.uploaded_by_id, result["held"])
            queue_kind = importer.verification_kind
            if queue_kind and result["queued"]:
                # Handed to the workers in batches once this transaction commits (by task name:
                # uploads does not import verification).
                enqueue_on_commit("verification.identities_verify", queue_kind, [int(i) for i in result["queued"]])
    except (StaleUpload, IntegrityError) as exc:
        message = exc.message if isinstance(exc, StaleUpload) else (
            "Không ghi được vì dữ liệu trùng với bản ghi khác (ví dụ hai học sinh đổi số định danh cho nhau). "
            "Không có gì được ghi.")
        logger.info("upload %s: commit refused: %s", upload_id, exc)
        failed = Upload.objects.filter(pk=upload_id, status=UploadStatus.COMMITTING).update(
            status=UploadStatus.FAILED, message=message, progress=100, staged_file="", error_file="")
        if failed:  # the user uploads again: nothing of this one is needed any more
            _discard_work(Upload.objects.get(pk=upload_id))
    return Upload.objects.get(pk=upload_id)


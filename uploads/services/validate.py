"""Validation: stream the file, check every row (importers), check the database in batches,
write the staged rows and the error file; count new/changed/unchanged."""
from __future__ import annotations

import csv
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from edu_portal.common.i18n import message_source, message_store
from edu_portal.common.importing import NEW, UNCHANGED, RecordImporter, RowError, as_text, header_key
from edu_portal.common.importing.codes import RESTORED_NOTE, restore_leading_zeros
from edu_portal.common.importing.dates import DAY_FIRST, MONTH_FIRST, DateColumnTally

from ..exports import ERROR_HEADER, ErrorFileWriter
from ..models import Upload, UploadStatus
from ..readers import FileRejected, detect_format, open_table
from ..registry import importer_for
from .work import _context, _discard_work, _media_path, _work_name

logger = logging.getLogger(__name__)

MAX_ROWS = getattr(settings, "UPLOADS_MAX_ROWS", 200_000)
BATCH = 5000               # rows checked against the database per query
STORED_ERRORS = 1000       # errors kept for the preview; all of them are in the error file
STORED_CHANGES = 1000      # changed rows listed field by field in the preview
STORED_DUPLICATES = 1000   # new rows that may be a person on file, listed in the preview (all are counted)
# The preview's check of new rows against the people on file (RecordImporter.likely_duplicates). Only the
# benchmark turns it off, to measure what it costs (bench/school_upload.py).
CHECK_DUPLICATES = True


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


# What the preview says of a date column read in the order the user chose when asked.
CHOSEN_NOTE = {MONTH_FIRST: "Cột «{header}»: đọc theo tháng/ngày/năm như bạn đã chọn.",
               DAY_FIRST: "Cột «{header}»: đọc theo ngày/tháng/năm như bạn đã chọn."}


class _Run:
    """One validation pass over a file."""

    def __init__(self, upload: Upload, importer: RecordImporter, *, max_rows: int,
                 settled: dict[str, str] | None = None, date_notices: list[dict] | None = None) -> None:
        """`settled`: the date columns a first pass found the file itself settles month-first ({key: 'mdy'}),
        read so in this pass, with `date_notices` saying so in the preview."""
        self.upload, self.importer, self.max_rows = upload, importer, max_rows
        self.context = _context(upload)
        self.context.date_orders.update(settled or {})
        self.counts = {"new": 0, "changed": 0, "unchanged": 0}
        self.rows = self.error_count = self.error_rows = 0
        self.stored: list[dict] = []
        self.seen: dict = {}
        self.seen_unique: dict[str, dict] = {f: {} for f in importer.unique_fields}
        self.batch: list[tuple[int, dict]] = []
        self.raw: dict[int, list] = {}
        known = self.context.date_orders   # answered by the user, or settled by the file in a first pass
        self.tallies = {key: DateColumnTally(key) for key in importer.date_columns if key not in known}
        self.changes: list[dict] = []
        self.notices: list[dict] = list(date_notices or [])
        self.questions: list[dict] = []
        self.settled: dict[str, str] = {}
        self.date_notices: list[dict] = []
        self.duplicates: list[dict] = []
        self.duplicate_count = 0

    def run(self, table, *, staged_path: Path, errors_path: Path) -> None:
        importer, context = self.importer, self.context
        rows = iter(table.rows())
        header, mapping = find_header(table.header, rows, importer)
        mapped = {key for key, _ in mapping}
        # Each column named as the user's file heads it (an alias, another case), in what the preview says.
        file_headers = {key: str(header[i]).strip() or importer.headers[key] for key, i in mapping}
        tallies = [t for key, t in self.tallies.items() if key in mapped]
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
                    for tally in tallies:
                        tally.add(rownum, row[tally.key])
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
        # A column whose order the file does not settle is asked about, never guessed (dates.py). One it settles
        # month-first was read day-first in this pass: upload_validate reads the file again with that order.
        self.questions = [t.question(file_headers[t.key]) for t in tallies if t.settled is None]
        month_first = [t for t in tallies if t.settled == MONTH_FIRST]
        self.settled = {t.key: MONTH_FIRST for t in month_first}
        self.date_notices = [t.notice(file_headers[t.key]) for t in month_first]
        # The orders the user chose when asked, named by the file's own headers (never the internal keys).
        chosen = [(key, order) for key, order in (self.upload.date_orders or {}).items() if key in file_headers]
        self.notices[:0] = [{"row": None, "column": key, "header": file_headers[key], "order": order,
                             "message": CHOSEN_NOTE[order].format(header=file_headers[key])}
                            for key, order in chosen]

    def _flush(self) -> None:
        if not self.batch:
            return
        writerow, stage_row = self.staged.writerow, self.importer.stage_row
        counts = self.counts
        restored = restore_leading_zeros(self.importer, self.batch, context=self.context)
        if restored:
            self._restored(restored)
        previous = self.context.previous
        created = []
        for rownum, cleaned, state, errors in self.importer.resolve(self.batch, context=self.context):
            stored = previous.pop(rownum, None)
            if errors:
                self._record(rownum, self.raw[rownum], errors)
                continue
            counts[state] += 1
            if state == NEW:
                created.append((rownum, cleaned))
            if state != UNCHANGED:
                writerow([*stage_row(cleaned), state, rownum])
                if stored and len(self.changes) < STORED_CHANGES:
                    self._changed(rownum, cleaned, stored)
        previous.clear()
        if created and CHECK_DUPLICATES:
            self._likely_duplicates(created)
        self.batch, self.raw = [], {}

    def _likely_duplicates(self, created: list[tuple[int, dict]]) -> None:
        """The rows that would create a record and may be a person already on file (at any school, this one
        included: a new code for a pupil on file is what this finds). A warning; the rows stay valid."""
        found = self.importer.likely_duplicates(created, context=self.context)
        self.duplicate_count += len(found)
        for rownum in sorted(found):
            if len(self.duplicates) >= STORED_DUPLICATES:
                break
            self.duplicates.append({"row": rownum, **found[rownum]})

    def _restored(self, restored: dict) -> None:
        """Codes read with their leading zeros restored: noted for the preview; a file that holds the same
        record under both forms is refused on the second row, as any repeated code is."""
        importer = self.importer
        kept = []
        for rownum, cleaned in self.batch:
            if rownum not in restored:
                kept.append((rownum, cleaned))
                continue
            given, code = restored[rownum]
            first = self.seen.get(importer.key(cleaned))
            if first is not None and first != rownum:
                self._record(rownum, self.raw[rownum], [RowError(importer.code_field, given,
                                                                 f"là mã {code} (Excel đã bỏ số 0 ở đầu), trùng "
                                                                 f"với dòng {first} trong tệp")])
                continue
            self.seen[importer.key(cleaned)] = rownum
            kept.append((rownum, cleaned))
            if len(self.notices) < STORED_ERRORS:
                self.notices.append({"row": rownum, "message": RESTORED_NOTE.format(given=given, code=code)})
        self.batch = kept

    def _changed(self, rownum: int, cleaned: dict, stored: dict) -> None:
        """Each field of a changed row with its old and new value, as the preview lists them."""
        headers = self.importer.headers
        fields = []
        for field, old in stored.items():
            new = cleaned.get(field)
            if old == new:
                continue
            header = headers.get(field) or headers.get(field.removesuffix("_id")) or field
            fields.append({"field": field, "header": header, "old": _shown(old), "new": _shown(new)})
        if fields:
            code_field = self.importer.code_field or self.importer.key_fields[0]
            self.changes.append({"row": rownum, "code": as_text(cleaned.get(code_field)), "fields": fields})

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


def _shown(value) -> str:
    if value is True or value is False:
        return "có" if value else "không"
    return as_text(value)


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
        if run.settled and not run.questions:
            # The file settles a column month-first, which the first pass could only learn at its end: every
            # cell of that column is read again in that order (never cell by cell). Only such files pay twice.
            run = _Run(upload, importer, max_rows=max_rows or MAX_ROWS, settled=run.settled,
                       date_notices=run.date_notices)
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
    if run.questions:
        # Nothing is staged from a guess: the user answers, and the file is checked again with the answer.
        _discard_work(upload, ext)
        Upload.objects.filter(pk=upload_id).update(
            status=UploadStatus.QUESTION, questions=run.questions, progress=100, total_rows=run.rows,
            notices=[], changes=[], duplicate_warnings=[], duplicate_warning_count=0,
            file_format=upload.file_format, validated_at=timezone.now(), staged_file="", error_file="",
            message="Chưa đọc được ngày trong tệp một cách chắc chắn: hãy chọn cách đọc cho từng cột bên dưới.")
        return Upload.objects.get(pk=upload_id)
    upload.total_rows = run.rows
    upload.questions, upload.changes, upload.notices = [], run.changes, run.notices
    upload.duplicate_warnings, upload.duplicate_warning_count = run.duplicates, run.duplicate_count
    upload.new_count, upload.changed_count, upload.unchanged_count = (run.counts["new"], run.counts["changed"],
                                                                      run.counts["unchanged"])
    upload.error_count, upload.error_row_count, upload.errors = run.error_count, run.error_rows, run.stored
    upload.staged_file.name = staged_name
    upload.error_file.name = errors_name if run.error_rows else ""
    if not run.error_rows:
        _media_path(errors_name).unlink(missing_ok=True)
    upload.status = UploadStatus.INVALID if run.error_count else UploadStatus.VALIDATED
    upload.progress, upload.validated_at = 100, timezone.now()
    upload.message_code = (message_store("upload.failed_rows", n=run.error_rows) if run.error_count
                           else message_store("upload.valid"))
    upload.message = message_source(upload.message_code)
    upload.save()
    return upload

"""Bulk upsert through the API (issue 20): a client system sends many pupils or staff members in one request,
answered at once with a job that a worker runs.

    bulk_job_create   the request's checks (limits, profile), the idempotency key, the job queued after commit
    bulk_job_run      the worker: every record through the upload's row rules (importers' validate_row and
                      resolve), then the same set-based writes as an upload commit (commit.staged_write), school
                      by school, and one result per record
    bulk_job_give_up  a job whose task kept dying: failed, nothing written

A job runs in one transaction: a worker that dies mid-job leaves nothing half-written (acks_late hands the job
to another worker, which starts again). Mode `atomic`: one rejected record and nothing is written. Mode
`per_record`: each school's valid records are written under a savepoint, so a school whose write the database
refuses (a record changed since it was checked) rejects only that school's records.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import Scope
from api.models import ApiToken
from api.profiles import record_fields
from edu_portal.common.exceptions import AppError
from edu_portal.common.importing import NEW, UNCHANGED, ImportContext, RowError
from edu_portal.common.models import current_school_year
from edu_portal.common.queue import enqueue_on_commit
from schools.models import School

from ..models import BulkJob, BulkMode, BulkOutcome, BulkResult, BulkStatus
from ..registry import importer_for
from .bulk_input import KEY_FIELDS, Line, record_lines
from .commit import staged_write
from .create import MAX_BYTES
from .validate import BATCH, MAX_ROWS

logger = logging.getLogger(__name__)

# records (the address) -> (upload kind, the record's code field, its table)
RECORDS = {"students": ("pupils", "pupil_code", "students_student"),
           "staff": ("staff", "staff_code", "teachers_staffmember")}
MAX_KEY_LENGTH = 100


def bulk_fields(records: str) -> frozenset[str]:
    """The field names a record of `records` may carry: the record API's create and update JSON, and school_code."""
    return record_fields(records)[1] | KEY_FIELDS


def body_hash(*, records: str, mode: str, content_kind: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{records}\n{mode}\n{content_kind}\n".encode())
    digest.update(body)
    return digest.hexdigest()


# --- the request ----------------------------------------------------------------------------------------------

@transaction.atomic
def bulk_job_create(*, user, token_id: int | None, records: str, mode: str, content_kind: str, body: bytes,
                    idempotency_key: str = "") -> tuple[BulkJob, bool]:
    """(job, created). The same key with the same body from the same token is the same job (not created again);
    with another body it is a 409."""
    digest = body_hash(records=records, mode=mode, content_kind=content_kind, body=body)
    if idempotency_key:
        existing = BulkJob.objects.filter(token_id=token_id, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replayed(existing, digest), False
    try:
        with transaction.atomic():
            job = BulkJob.objects.create(records=records, mode=mode, user=user, token_id=token_id,
                                         idempotency_key=idempotency_key, body_hash=digest,
                                         content_type=content_kind, body=body)
    except IntegrityError:  # the same key sent twice at once: the first one made the job
        return _replayed(BulkJob.objects.get(token_id=token_id, idempotency_key=idempotency_key), digest), False
    enqueue_on_commit("uploads.bulk_run", job.pk)
    return job, True


def _replayed(job: BulkJob, digest: str) -> BulkJob:
    if job.body_hash != digest:
        raise AppError(_("Khoá Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khoá mới."),
                       code="idempotency_key_reused", status_code=409)
    return job


# --- the worker -----------------------------------------------------------------------------------------------

@dataclass
class _Outcome:
    line: int
    key: dict
    outcome: str = BulkOutcome.REJECTED
    errors: dict = field(default_factory=dict)
    code: str = ""
    record_id: int | None = None


def _errors(errors: list[RowError], headers: dict) -> dict[str, list[str]]:
    """{field: [message]} as the record API words them; an ID number is never quoted back."""
    out: dict[str, list[str]] = {}
    for error in errors:
        shown = f"'{error.value}' " if error.value not in ("", None) and error.column != "id_number" else ""
        out.setdefault(error.column, []).append(f"{shown}{error.reason}".strip())
    return out


def _scope(job: BulkJob) -> Scope:
    if job.token_id is None:
        return Scope.for_user(job.user)
    token = ApiToken.objects.select_related("user", "school", "created_by", "profile").filter(
        pk=job.token_id, revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        raise AppError(_("Mã truy cập đã bị thu hồi trước khi việc được chạy; không có gì được ghi."),
                       code="token_revoked")
    return token.scope()


class _Run:
    """One job: read, validate, resolve and write its records."""

    def __init__(self, job: BulkJob) -> None:
        self.job = job
        kind, self.code_field, self.table = RECORDS[job.records]
        self.importer = importer_for(kind)
        self.headers = self.importer.headers
        self.outcomes: list[_Outcome] = []

    def reject(self, outcome: _Outcome, errors: dict) -> None:
        outcome.outcome, outcome.errors = BulkOutcome.REJECTED, errors

    def run(self, scope: Scope) -> None:
        job, importer, code_field = self.job, self.importer, self.code_field
        lines = list(record_lines(bytes(job.body).decode("utf-8-sig"), job.content_type, bulk_fields(job.records)))
        if len(lines) > MAX_ROWS:
            raise AppError(_("Yêu cầu có hơn %(rows)s bản ghi, vượt giới hạn.") % {"rows": MAX_ROWS},
                           code="too_many_records")
        schools = self._schools(scope, lines)
        this_year = current_school_year()
        groups: dict[tuple[int, int], list[tuple[_Outcome, dict]]] = defaultdict(list)
        for line in lines:
            row = line.row or {}
            outcome = _Outcome(line.number, {"school_code": _text(row.get("school_code")),
                                             code_field: _text(row.get(code_field))})
            self.outcomes.append(outcome)
            if line.problem:
                self.reject(outcome, {"__all__": [line.problem]})
                continue
            school = schools.get(("code", _text(row.get("school_code")))) or schools.get(("id", _id(row.get("school"))))
            if school is None:
                # As the record API says it (schools/api/lookups.py): one outside the scope is one that does not exist.
                self.reject(outcome, {"school_code": [_("Không có trường này trong phạm vi của mã truy cập.")]})
                continue
            outcome.key["school_code"] = school.code
            year = _text(row.get("school_year"))
            if year and not (year.isdigit() and len(year) == 4 and 2000 <= int(year) <= 2100):
                self.reject(outcome, {"school_year": [_("Phải là năm bắt đầu năm học, từ 2000 đến 2100.")]})
                continue
            groups[(school.pk, int(year) if year else this_year)].append((outcome, row))
        # One writer at a time per school (as an upload commit): the checks below stay true until commit.
        school_ids = sorted({pk for pk, _year in groups})
        list(School.objects.select_for_update().filter(pk__in=school_ids).order_by("pk").values_list("pk"))
        by_pk = {s.pk: s for s in schools.values()}
        seen: dict = {}
        seen_unique: dict[str, dict] = {f: {} for f in importer.unique_fields}
        checked, references = [], {}
        for (school_id, year), members in groups.items():
            # The reference lists (provinces, ethnic groups) are read once per job, not once per school.
            context = ImportContext(scope=scope, school=by_pk[school_id], school_year=year, references=references)
            valid = self._validate(context, members, seen, seen_unique)
            checked.append((context, valid))
        if job.mode == BulkMode.ATOMIC and any(o.outcome == BulkOutcome.REJECTED for o in self.outcomes):
            return  # nothing is written; the rejected records say why
        for context, valid in checked:
            self._write(context, valid)

    def _schools(self, scope: Scope, lines: list[Line]) -> dict:
        """The schools the records name (by code, or by id), within the scope only: a school outside it is
        answered as one that does not exist."""
        codes = {_text(line.row.get("school_code")) for line in lines if line.row and line.row.get("school_code")}
        ids = {_id(line.row.get("school")) for line in lines if line.row} - {None}
        found = scope.filter(School.objects.all(), school_field="").filter(code__in=codes) if codes else []
        by_id = scope.filter(School.objects.all(), school_field="").filter(pk__in=ids) if ids else []
        out = {("code", s.code): s for s in found}
        out |= {("id", s.pk): s for s in by_id}
        return out

    def _validate(self, context, members, seen, seen_unique) -> list[tuple[_Outcome, dict]]:
        """The upload's row rules, the duplicates within the request, then the database checks in batches."""
        importer, code_field = self.importer, self.code_field
        batch: list[tuple[int, dict]] = []
        by_line: dict[int, _Outcome] = {}
        for outcome, row in members:
            values = {k: v for k, v in row.items() if k not in KEY_FIELDS and k != "school_year"}
            cleaned, errors = importer.validate_row(values, context=context)
            if not errors:
                key = importer.key(cleaned)
                first = seen.get(key)
                if first is not None:
                    errors = [RowError(code_field, str(cleaned[code_field]),
                                       _("trùng với dòng %(line)s của yêu cầu") % {"line": first})]
                else:
                    seen[key] = outcome.line
                    for name, taken in seen_unique.items():
                        value = cleaned.get(name)
                        if value and value in taken:
                            errors = [RowError(name, value, _("trùng với dòng %(line)s của yêu cầu") % {
                                "line": taken[value]})]
                        elif value:
                            taken[value] = outcome.line
            if errors:
                self.reject(outcome, _errors(errors, self.headers))
                continue
            batch.append((outcome.line, cleaned))
            by_line[outcome.line] = outcome
        valid = []
        for start in range(0, len(batch), BATCH):
            for line, cleaned, state, errors in importer.resolve(batch[start:start + BATCH], context=context):
                outcome = by_line[line]
                if errors:
                    self.reject(outcome, _errors(errors, self.headers))
                    continue
                outcome.outcome = {NEW: BulkOutcome.CREATED, UNCHANGED: BulkOutcome.UNCHANGED}.get(
                    state, BulkOutcome.UPDATED)
                outcome.code = cleaned[code_field]
                valid.append((outcome, cleaned))
            context.previous.clear()  # the preview's old values: not needed here
        return valid

    def _write(self, context, valid: list[tuple[_Outcome, dict]]) -> None:
        """The school's new and changed records through the upload commit's set-based path."""
        importer = self.importer
        staged = [(o, c) for o, c in valid if o.outcome != BulkOutcome.UNCHANGED]
        if staged:
            state = {BulkOutcome.CREATED: "new", BulkOutcome.UPDATED: "changed"}
            with tempfile.NamedTemporaryFile("w+", encoding="utf-8", newline="", suffix=".csv") as f:
                writer = csv.writer(f)
                for outcome, cleaned in staged:
                    writer.writerow([*importer.stage_row(cleaned), state[outcome.outcome], outcome.line])
                f.flush()
                try:
                    with transaction.atomic():
                        staged_write(importer=importer, context=context, now=timezone.now(), staged_path=f.name)
                except (AppError, IntegrityError) as exc:
                    if self.job.mode == BulkMode.ATOMIC:
                        raise
                    message = exc.message if isinstance(exc, AppError) else _(
                        "Không ghi được vì dữ liệu trùng với bản ghi khác; không có gì của trường này được ghi.")
                    for outcome, _cleaned in staged:
                        self.reject(outcome, {"__all__": [message]})
        self._ids([o for o, _c in valid if o.outcome != BulkOutcome.REJECTED])

    def _ids(self, outcomes: list[_Outcome]) -> None:
        if not outcomes:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {self.code_field}, id FROM {self.table} WHERE {self.code_field} = ANY(%s)",  # noqa: S608 - fixed names
                           [[o.code for o in outcomes]])
            ids = dict(cursor.fetchall())
        for outcome in outcomes:
            outcome.record_id = ids.get(outcome.code)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _id(value) -> int | None:
    """A school's id as JSON (a number) or CSV (digits) carries it; anything else is none."""
    text = str(value).strip() if type(value) in (int, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 and int(text) > 0 else None


def bulk_job_run(*, job_id: int) -> BulkJob:
    """Run a queued job. Safe to run twice: a finished job is left alone; one interrupted (its transaction
    rolled back with the worker) starts again from its first record."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        if job.status not in (BulkStatus.QUEUED, BulkStatus.RUNNING):
            return job
        job.status, job.started_at = BulkStatus.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        with transaction.atomic():
            job = BulkJob.objects.select_for_update().select_related("user").get(pk=job_id)
            if job.status != BulkStatus.RUNNING:
                return job
            run = _Run(job)
            run.run(_scope(job))
            _finish(job, run.outcomes)
    except AppError as exc:
        logger.info("bulk job %s: refused: %s", job_id, exc)
        _fail(job_id, exc.message)
    except Exception:
        logger.exception("bulk job %s: failed", job_id)
        _fail(job_id, _("Lỗi hệ thống khi chạy; không có gì được ghi. Hãy gửi lại yêu cầu sau."))
        raise
    return BulkJob.objects.get(pk=job_id)


def _finish(job: BulkJob, outcomes: list[_Outcome]) -> None:
    counts = defaultdict(int)
    for o in outcomes:
        counts[o.outcome] += 1
    rejected = counts[BulkOutcome.REJECTED]
    if job.mode == BulkMode.ATOMIC and rejected:
        # Nothing was written: only the rejected records are reported, and the others count for nothing.
        outcomes = [o for o in outcomes if o.outcome == BulkOutcome.REJECTED]
        counts = {BulkOutcome.REJECTED: rejected}
        job.status = BulkStatus.FAILED
        job.error = _("%(count)s bản ghi bị từ chối; không có gì được ghi (mode=atomic).") % {"count": rejected}
    else:
        job.status = BulkStatus.DONE
    _save_results(job, outcomes)
    job.created_count = counts.get(BulkOutcome.CREATED, 0)
    job.updated_count = counts.get(BulkOutcome.UPDATED, 0)
    job.unchanged_count = counts.get(BulkOutcome.UNCHANGED, 0)
    job.rejected_count = rejected
    job.finished_at, job.body = timezone.now(), b""
    job.save()


def _save_results(job: BulkJob, outcomes: list[_Outcome]) -> None:
    """One row per record, by COPY: a job of 200,000 records writes its results in a second, not a minute."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for o in outcomes:
        writer.writerow([job.pk, o.line, o.outcome, json.dumps(o.key, ensure_ascii=False),
                         "" if o.record_id is None else o.record_id, json.dumps(o.errors, ensure_ascii=False)])
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {BulkResult._meta.db_table} (job_id, line, outcome, key, record_id, errors) "  # noqa: S608 - fixed names
                                  "FROM STDIN WITH (FORMAT csv)", buffer)


def _fail(job_id: int, message: str) -> None:
    """Failed, with nothing written (the job's transaction rolled back) and its body dropped."""
    BulkJob.objects.filter(pk=job_id, status__in=(BulkStatus.QUEUED, BulkStatus.RUNNING)).update(
        status=BulkStatus.FAILED, error=message, finished_at=timezone.now(), body=b"")


def bulk_job_give_up(*, job_id: int, message: str) -> None:
    _fail(job_id, message)


__all__ = ["MAX_BYTES", "MAX_KEY_LENGTH", "MAX_ROWS", "RECORDS", "bulk_fields", "bulk_job_create",
           "bulk_job_give_up", "bulk_job_run"]

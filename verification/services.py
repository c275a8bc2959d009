"""Writes on verification state: queueing, applying the registry's answers, runs, the sweep and the
push of education data (enrichment).

How a record moves: it is marked `queued` and its id handed to a batch task after the transaction
commits. The task sends the records still queued to the registry, and writes each answer with a
compare-and-set: only if the record is still queued and its identity fields still equal what was
sent. Anything else (edited while in flight) is queued again, so nobody is marked verified on data
the registry did not see.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from collections import Counter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.scope import COUNTRY, PROVINCE, Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.identity import IDENTITY_FIELDS, id_number_errors, identity_initial_status
from edu_portal.common.models import current_school_year
from edu_portal.common.queue import enqueue, enqueue_on_commit
from schools.selectors import scope_as_string, scope_describe, scope_parse
from students.models import Enrollment, Student
from teachers.models import StaffMember

from .models import EnrichmentCursor, RunStatus, VerificationRun, VerificationStatus
from .registry_client import RegistryClient
from .resilience import PREFIX, redis_client

logger = logging.getLogger(__name__)
KINDS = ("student", "staff")
INFLIGHT_KEY = PREFIX + "inflight"  # task id -> {"kind", "ids", "run", "at", "started"}
FINAL_STATES = (VerificationStatus.VERIFIED, VerificationStatus.MISMATCH, VerificationStatus.NOT_FOUND,
                VerificationStatus.INVALID_ID, VerificationStatus.ERROR)
RESULT_STATUS = {"MATCH": VerificationStatus.VERIFIED, "MISMATCH": VerificationStatus.MISMATCH,
                 "NOT_FOUND": VerificationStatus.NOT_FOUND}
# A batch registered as in flight but not started after this long is presumed lost too.
NEVER_STARTED_AFTER = 6 * 3600


def model_for(kind: str):
    if kind == "student":
        return Student
    if kind == "staff":
        return StaffMember
    raise ValueError(f"unknown kind {kind!r}")


__all__ = ["IDENTITY_FIELDS", "identity_initial_status"]  # kept importable from here (platform rules)


# --- queueing ------------------------------------------------------------------------------------

def identities_queue(*, kind: str, ids: list[int]) -> None:
    """Ask the workers to verify these records once the transaction commits.

    `kind` is "student" or "staff". Called by every service that creates a person or changes
    identity fields (they have already set the status: queued, or invalid_id which the task skips).
    The records apps, which may not import this app, enqueue the same task by name themselves.
    """
    if not ids:
        return
    enqueue_on_commit("verification.identities_verify", kind, [int(i) for i in ids])


def batches_enqueue(*, kind: str, ids: list[int], run_id: int | None = None) -> int:
    """Hand ids to the workers in batches (never one task per person); returns the task count.

    Each batch is registered as in flight in Redis until its task reaches an end, so that the
    sweep can tell a lost batch from a slow one.
    """
    size = settings.VERIFICATION_BATCH_SIZE
    tasks = 0
    client = redis_client()
    for start in range(0, len(ids), size):
        chunk = [int(i) for i in ids[start:start + size]]
        task_id = str(uuid.uuid4())
        pipe = client.pipeline()
        pipe.hset(INFLIGHT_KEY, task_id, json.dumps({"kind": kind, "ids": chunk, "run": run_id,
                                                     "at": time.time(), "started": None}))
        if run_id:
            pipe.incr(_run_inflight_key(run_id))
            pipe.expire(_run_inflight_key(run_id), 30 * 86400)
        pipe.execute()
        enqueue("verification.tasks.verify_records", kind, chunk, run_id=run_id, task_options={"task_id": task_id})
        tasks += 1
    return tasks


def _run_inflight_key(run_id: int) -> str:
    return f"{PREFIX}run:{run_id}:inflight"


def batch_started(task_id: str | None) -> None:
    if not task_id:
        return
    client = redis_client()
    raw = client.hget(INFLIGHT_KEY, task_id)
    if raw:
        entry = json.loads(raw)
        entry["started"] = time.time()
        client.hset(INFLIGHT_KEY, task_id, json.dumps(entry))


def batch_done(task_id: str | None) -> None:
    """The batch reached an end (answered, given up, or lost and handed out again): it is no longer
    in flight, and its run is closed if that was the last of it (the workers close runs, so
    that reading a run's progress writes nothing)."""
    if not task_id:
        return
    client = redis_client()
    raw = client.hget(INFLIGHT_KEY, task_id)
    if raw and client.hdel(INFLIGHT_KEY, task_id):
        run_id = json.loads(raw).get("run")
        if run_id:
            client.decr(_run_inflight_key(run_id))
            run = VerificationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).first()
            if run is not None:
                run_finish_if_done(run=run)


# --- one batch -----------------------------------------------------------------------------------

def _batch_queryset(*, kind: str, ids: list[int], run: VerificationRun | None):
    """The records of a batch that still wait for an answer (re-read: the task may be a repeat).

    Outside a run that means `queued`. A run does not mark its records (millions of extra writes):
    its batch takes the eligible records not checked since the run began, so that a batch
    delivered twice finds nothing left to do.
    """
    model = model_for(kind)
    qs = model.objects.filter(pk__in=ids)
    if run is None:
        return qs.filter(verification_status=VerificationStatus.QUEUED)
    return _eligible(qs, include_verified=run.include_verified).filter(
        Q(verification_checked_at__isnull=True) | Q(verification_checked_at__lt=run.created_at))


def batch_verify(*, kind: str, ids: list[int], run_id: int | None = None, client=None) -> Counter:
    """Verify the waiting records among `ids` with one registry call; returns counts per new status.

    Raises the registry client's errors (RegistryUnavailable, RegistryRateLimited, ...) for the
    task to retry; nothing is written in that case.
    """
    counts: Counter = Counter()
    run = VerificationRun.objects.filter(pk=run_id).first() if run_id else None
    if run_id and run is None:
        return counts  # the run was deleted
    pending = list(_batch_queryset(kind=kind, ids=ids, run=run).order_by("pk")
                   .values("pk", *IDENTITY_FIELDS, "verification_status", "verification_checked_at", "school_id"))
    if not pending:
        return counts
    if run and run_is_cancelled(run.pk):
        # Nothing to undo: a run does not mark its records, and those queued by an edit stay queued.
        counts["cancelled"] = len(pending)
        run_count(run_id, counts)
        return counts
    invalid = {r["pk"] for r in pending if not r["id_number"] or id_number_errors(
        r["id_number"], date_of_birth=r["date_of_birth"], gender=r["gender"])}
    if invalid:
        counts[VerificationStatus.INVALID_ID.value] += records_mark(
            kind=kind, ids=list(invalid), run=run, status=VerificationStatus.INVALID_ID, message="")
    sendable = [r for r in pending if r["pk"] not in invalid]
    if sendable:
        payload = [{"id_number": r["id_number"], "full_name": r["full_name"],
                    "date_of_birth": r["date_of_birth"].isoformat(), "gender": r["gender"]} for r in sendable]
        answer = (client or RegistryClient()).verify(payload)
        counts += results_apply(kind=kind, sent=sendable, results=answer["results"], run_id=run_id)
    run_count(run_id, counts)
    schools_changed({r["school_id"] for r in pending})
    return counts


DIRTY_SCHOOLS_KEY = PREFIX + "dirty_schools"
DIRTY_SCHOOLS_LOCK = PREFIX + "dirty_schools:scheduled"
STATS_DEBOUNCE_SECONDS = 5


def schools_changed(school_ids: set[int]) -> None:
    """The dashboards' statistics of these schools are stale: refresh them, at most once every
    few seconds for all the batches that land meanwhile (a national run has tens of thousands)."""
    if not school_ids:
        return
    client = redis_client()
    client.sadd(DIRTY_SCHOOLS_KEY, *school_ids)
    if client.set(DIRTY_SCHOOLS_LOCK, "1", nx=True, ex=STATS_DEBOUNCE_SECONDS * 6):
        enqueue("verification.schools_changed_flush", task_options={"countdown": STATS_DEBOUNCE_SECONDS})


def schools_changed_flush() -> int:
    """Hand the schools marked changed to the dashboards' one refresh task ("dashboards.refresh_schools",
    by name: verification does not import dashboards); returns how many."""
    client = redis_client()
    # Unlock first: a batch landing from now on schedules the next refresh itself.
    client.delete(DIRTY_SCHOOLS_LOCK)
    ids = sorted(int(i) for i in client.spop(DIRTY_SCHOOLS_KEY, 100_000) or [])
    if not ids:
        return 0
    enqueue("dashboards.refresh_schools", ids)
    return len(ids)


def results_apply(*, kind: str, sent: list[dict], results: list[dict], run_id: int | None = None) -> Counter:
    """Write the registry's answers with a compare-and-set, in one statement.

    A row takes its answer only if its identity fields still equal what was sent and its
    verification state is still the one read before sending. A record edited in the meantime (the
    edit queued it again) or answered by a duplicate delivery is left alone.
    """
    by_index = {r["index"]: r for r in results}
    rows = []
    for index, record in enumerate(sent):
        answer = by_index.get(index)
        if not answer or answer.get("result") not in RESULT_STATUS:
            continue
        rows.append((record["pk"], record["id_number"], record["full_name"], record["date_of_birth"],
                     record["gender"], record["verification_status"], record["verification_checked_at"],
                     RESULT_STATUS[answer["result"]], list(answer.get("mismatched_fields") or [])))
    if not rows:
        return Counter()
    table = model_for(kind)._meta.db_table
    sql = f"""
        UPDATE {table} AS t SET
            verification_status = v.status, verification_mismatch_fields = v.fields,
            verification_checked_at = now(), verification_attempts = t.verification_attempts + 1,
            verification_error = ''
        FROM (VALUES %s) AS v(id, id_number, full_name, date_of_birth, gender, prev_status, prev_checked,
                              status, fields)
        WHERE t.id = v.id AND t.id_number = v.id_number AND t.full_name = v.full_name
          AND t.date_of_birth = v.date_of_birth AND t.gender = v.gender
          AND t.verification_status = v.prev_status
          AND t.verification_checked_at IS NOT DISTINCT FROM v.prev_checked
        RETURNING t.id, t.verification_status
    """  # noqa: S608 - the table name comes from our own model, values are parameters
    template = "(%s, %s, %s, %s::date, %s, %s, %s::timestamptz, %s, %s::varchar[])"
    with transaction.atomic(), connection.cursor() as cursor:
        # The values are quoted by psycopg2; the statement itself goes through Django's cursor, so
        # that its execute wrappers (the audit trail's "who is writing") see it.
        values = ",".join(cursor.cursor.mogrify(template, row).decode() for row in rows)
        head, tail = sql.split("%s", 1)
        cursor.execute(head + values + tail)
        returned = cursor.fetchall()
    counts = Counter(status for _, status in returned)
    written = {pk for pk, _ in returned}
    stale = [row[0] for row in rows if row[0] not in written]
    if stale:
        model = model_for(kind)
        again = list(model.objects.filter(pk__in=stale, verification_status=VerificationStatus.QUEUED)
                     .values_list("pk", flat=True))
        logger.info("verification: %s %s answer(s) discarded (record changed in flight), %s queued again",
                    len(stale), kind, len(again))
        if again:
            # Belt and braces: the edit queued them already; a repeat finds nothing to do.
            batches_enqueue(kind=kind, ids=again, run_id=run_id)
    return counts


def records_mark(*, kind: str, ids: list[int], run: VerificationRun | None, status: str, message: str) -> int:
    """Move the waiting records among `ids` to `status` (error, invalid_id); returns how many."""
    return _batch_queryset(kind=kind, ids=ids, run=run).update(
        verification_status=status, verification_error=message[:500], verification_checked_at=timezone.now(),
        verification_attempts=F("verification_attempts") + 1,
    )


def batch_give_up(*, kind: str, ids: list[int], run_id: int | None, message: str) -> int:
    """After too many failures the records go to `error`; the sweep queues them again later."""
    run = VerificationRun.objects.filter(pk=run_id).first() if run_id else None
    if run_id and run is None:
        return 0
    marked = records_mark(kind=kind, ids=ids, run=run, status=VerificationStatus.ERROR, message=message)
    run_count(run_id, Counter({VerificationStatus.ERROR.value: marked}))
    return marked


# --- runs ----------------------------------------------------------------------------------------

def _run_key(run_id: int) -> str:
    return f"{PREFIX}run:{run_id}"


def run_count(run_id: int | None, counts: Counter) -> None:
    if not run_id or not counts:
        return
    pipe = redis_client().pipeline()
    for status, n in counts.items():
        if n:
            pipe.hincrby(_run_key(run_id), str(status), int(n))
    pipe.expire(_run_key(run_id), 30 * 86400)
    pipe.execute()


def run_live_counts(run_id: int) -> dict[str, int]:
    raw = redis_client().hgetall(_run_key(run_id))
    return {k.decode(): int(v) for k, v in raw.items()}


def run_is_cancelled(run_id: int) -> bool:
    return bool(redis_client().exists(f"{PREFIX}run:{run_id}:cancelled"))


def _eligible(qs, *, include_verified: bool):
    excluded = [VerificationStatus.INVALID_ID] + ([] if include_verified else [VerificationStatus.VERIFIED])
    return qs.exclude(verification_status__in=excluded)


def _scope_querysets(scope: Scope):
    for kind in KINDS:
        model = model_for(kind)
        yield kind, scope.filter(model.objects.all(), school_field="school")


@transaction.atomic
def run_start(*, scope: Scope, started_by=None, include_verified: bool = False,
              user_scope: Scope | None = None) -> VerificationRun:
    """Create a verification run for `scope`; the planning (queueing in batches) runs in a task.

    `user_scope` is the scope of the person starting it: a province may only verify itself or
    its schools, and schools do not start runs.
    """
    if user_scope is not None:
        if user_scope.kind not in (COUNTRY, PROVINCE):
            raise AppError("Chỉ Bộ và Sở Giáo dục mới bắt đầu được đợt xác thực.", code="forbidden",
                           status_code=403)
        if scope.kind == COUNTRY and user_scope.kind != COUNTRY:
            raise AppError("Bạn chỉ được xác thực trong phạm vi tỉnh của mình.", code="forbidden", status_code=403)
        if scope.province_code and not user_scope.contains_province(scope.province_code):
            raise AppError("Bạn chỉ được xác thực trong phạm vi tỉnh của mình.", code="forbidden", status_code=403)
    active = VerificationRun.objects.filter(scope=scope_as_string(scope),
                                            status__in=(RunStatus.PLANNING, RunStatus.RUNNING)).first()
    if active:
        raise AppError(f"Đợt xác thực #{active.pk} cho phạm vi này đang chạy; hãy chờ hoặc hủy đợt đó.",
                       code="conflict", status_code=409)
    run = VerificationRun.objects.create(
        scope=scope_as_string(scope), scope_label=scope_describe(scope), province_id=scope.province_code,
        school_id=scope.school_id, include_verified=include_verified,
        started_by=started_by if started_by and started_by.is_authenticated else None,
    )
    enqueue_on_commit("verification.tasks.run_plan_task", run.pk)
    return run


PLAN_AHEAD_BATCHES = 200  # batches of one run waiting in the broker at most (bounds Redis memory)
PLAN_STEP_SECONDS = 20.0


def run_plan(*, run_id: int, kind: str | None = None, after: int = 0, ahead: int = PLAN_AHEAD_BATCHES,
             budget: float = PLAN_STEP_SECONDS) -> tuple[str, int] | None:
    """One step of handing the run's eligible records to the workers, in batches, in id order.

    A national run is 24,000 batches: they are not all put in the broker at once. A step hands
    out batches while fewer than `ahead` of the run are in flight, for at most `budget` seconds,
    and returns where the next step continues (kind, last id), or None when all is handed out.
    The records are not rewritten (that would double the writes): a batch of a run takes the
    records not checked since the run began. A repeated step only repeats batches, harmlessly.
    """
    run = VerificationRun.objects.filter(pk=run_id).first()
    if run is None or run.status != RunStatus.PLANNING:
        return None
    client = redis_client()
    # One planner at a time (the command and the task, or a redelivered step): the others stand down.
    lock = f"{PREFIX}run:{run.pk}:planner"
    token = str(uuid.uuid4())
    if not client.set(lock, token, nx=True, px=int((budget + 60) * 1000)):
        return None
    try:
        return _run_plan_step(run, client=client, kind=kind, after=after, ahead=ahead, budget=budget)
    finally:
        if client.get(lock) == token.encode():
            client.delete(lock)


def _run_plan_step(run: VerificationRun, *, client, kind: str | None, after: int, ahead: int,
                   budget: float) -> tuple[str, int] | None:
    scope = scope_parse(run.scope)
    handed_key = f"{PREFIX}run:{run.pk}:handed"
    if kind is None:
        totals = {"total": 0, "skipped_verified": 0, "skipped_invalid": 0}
        for _kind, qs in _scope_querysets(scope):
            totals["skipped_invalid"] += qs.filter(verification_status=VerificationStatus.INVALID_ID).count()
            if not run.include_verified:
                totals["skipped_verified"] += qs.filter(verification_status=VerificationStatus.VERIFIED).count()
            totals["total"] += _eligible(qs, include_verified=run.include_verified).count()
        VerificationRun.objects.filter(pk=run.pk).update(**totals)
        client.set(handed_key, 0, ex=30 * 86400)
        kind, after = KINDS[0], 0
    size = settings.VERIFICATION_BATCH_SIZE
    deadline = time.monotonic() + budget
    while not run_is_cancelled(run.pk):
        if run_inflight(run.pk) >= ahead or time.monotonic() > deadline:
            return kind, after
        qs = scope.filter(model_for(kind).objects.all(), school_field="school")
        ids = list(_eligible(qs, include_verified=run.include_verified).filter(pk__gt=after).order_by("pk")
                   .values_list("pk", flat=True)[:size])
        if not ids:
            if KINDS.index(kind) + 1 < len(KINDS):
                kind, after = KINDS[KINDS.index(kind) + 1], 0
                continue
            break
        after = ids[-1]
        batches_enqueue(kind=kind, ids=ids, run_id=run.pk)
        client.incrby(handed_key, len(ids))
    # Records may have changed between counting and handing out: the total is what was handed out.
    VerificationRun.objects.filter(pk=run.pk, status=RunStatus.PLANNING).update(
        status=RunStatus.RUNNING, total=int(client.get(handed_key) or 0))
    # Every batch may have been answered before the run was marked running (a small school).
    run.refresh_from_db()
    run_finish_if_done(run=run)
    return None


def run_inflight(run_id: int) -> int:
    """How many batches of this run are still in flight (queued, running or waiting to retry)."""
    return max(0, int(redis_client().get(_run_inflight_key(run_id)) or 0))


def run_cancel(*, run: VerificationRun, scope: Scope) -> VerificationRun:
    """Stop a run: batches not yet sent give their records back (unverified); answers already
    received stay."""
    if not run_visible_to(run, scope):
        raise NotInScope()
    if scope.kind not in (COUNTRY, PROVINCE):
        # Schools may follow a run on their school, but only those who start runs may stop them.
        raise AppError("Chỉ Bộ và Sở Giáo dục mới hủy được đợt xác thực.", code="forbidden", status_code=403)
    if not run.is_active:
        raise AppError("Đợt xác thực này đã kết thúc.", code="conflict", status_code=409)
    redis_client().set(f"{PREFIX}run:{run.pk}:cancelled", "1", ex=7 * 86400)
    run.status = RunStatus.CANCELLED
    run.finished_at = timezone.now()
    run.counts = run_live_counts(run.pk)
    run.save(update_fields=["status", "finished_at", "counts"])
    return run


def run_visible_to(run: VerificationRun, scope: Scope) -> bool:
    return scope.covers(school_id=run.school_id, province_id=run.province_id)


def run_finish_if_done(*, run: VerificationRun, live: dict[str, int] | None = None) -> VerificationRun:
    """Close a running run once every record it handed out has an answer."""
    if run.status != RunStatus.RUNNING:
        return run
    live = live if live is not None else run_live_counts(run.pk)
    processed = sum(live.values())
    # A record answered by another batch first (an edit's) is not counted by the run: when no
    # batch of the run is left in flight, the run is over all the same.
    done = processed >= run.total or not run_inflight(run.pk)
    if done:
        updated = VerificationRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FINISHED, finished_at=timezone.now(), counts=live)
        if updated:
            run.refresh_from_db()
    return run


# --- sweep ---------------------------------------------------------------------------------------

def verification_sweep() -> dict[str, int]:
    """Re-queue what fell through: `error` records whose last try is old enough, batches lost with
    a dead worker, and queued records no batch is carrying. Run by Celery beat."""
    client = redis_client()
    now = time.time()
    report = Counter()
    stuck_after = settings.VERIFICATION_STUCK_AFTER
    entries = {k.decode(): json.loads(v) for k, v in client.hgetall(INFLIGHT_KEY).items()}
    lost = {task_id: e for task_id, e in entries.items()
            if (e.get("started") and now - e["started"] > stuck_after) or now - e["at"] > NEVER_STARTED_AFTER}
    for task_id, entry in lost.items():
        model = model_for(entry["kind"])
        ids = list(model.objects.filter(pk__in=entry["ids"], verification_status=VerificationStatus.QUEUED)
                   .values_list("pk", flat=True))
        report["lost_batches"] += 1
        report["requeued_lost"] += len(ids)
        if ids:
            batches_enqueue(kind=entry["kind"], ids=ids, run_id=entry.get("run"))
        # Only now: the lost batch leaving first could close its run while its records are re-handed.
        batch_done(task_id)
    nothing_in_flight = len(entries) == len(lost)
    cutoff = timezone.now() - dt.timedelta(seconds=settings.VERIFICATION_ERROR_RETRY_AFTER)
    for kind in KINDS:
        model = model_for(kind)
        if nothing_in_flight:
            # Queued records that no batch carries (a lost enqueue, a restored backup...).
            orphans = list(model.objects.filter(verification_status=VerificationStatus.QUEUED)
                           .order_by("pk").values_list("pk", flat=True)[:200_000])
            if orphans:
                report["requeued_orphans"] += len(orphans)
                batches_enqueue(kind=kind, ids=orphans)
        errors = list(model.objects.filter(verification_status=VerificationStatus.ERROR,
                                           verification_checked_at__lte=cutoff)
                      .order_by("pk").values_list("pk", flat=True)[:200_000])
        if errors:
            model.objects.filter(pk__in=errors, verification_status=VerificationStatus.ERROR).update(
                verification_status=VerificationStatus.QUEUED)
            report["requeued_errors"] += len(errors)
            batches_enqueue(kind=kind, ids=errors)
    for run in VerificationRun.objects.filter(status=RunStatus.RUNNING):
        run_finish_if_done(run=run)
    return dict(report)


# --- enrichment ----------------------------------------------------------------------------------

def enrichment_push(*, max_batches: int = 50, client=None) -> int:
    """Send the education data of verified pupils for the current school year to the registry, in
    batches, continuing where the last push stopped. Returns the number of records sent."""
    year = current_school_year()
    cursor, _ = EnrichmentCursor.objects.get_or_create(school_year=year)
    repass_hours = getattr(settings, "ENRICHMENT_REPASS_HOURS", 24)
    if cursor.pass_completed_at:
        if timezone.now() - cursor.pass_completed_at < dt.timedelta(hours=repass_hours):
            return 0
        cursor.last_student_id, cursor.pushed, cursor.pass_completed_at = 0, 0, None
    client = client or RegistryClient()
    sent = 0
    for _ in range(max_batches):
        rows = list(Enrollment.objects.filter(
            school_year=year, student_id__gt=cursor.last_student_id,
            student__verification_status=VerificationStatus.VERIFIED,
        ).order_by("student_id").values("student_id", "student__id_number", "grade", "class_name", "status",
                                        "school__code", "school__level")[:1000])
        if not rows:
            cursor.pass_completed_at = timezone.now()
            break
        client.push_education([{
            "id_number": r["student__id_number"], "school_year": year, "school_code": r["school__code"],
            "education_level": r["school__level"], "grade": r["grade"], "class_name": r["class_name"],
            "enrollment_status": r["status"],
        } for r in rows])
        cursor.last_student_id = rows[-1]["student_id"]
        cursor.pushed += len(rows)
        sent += len(rows)
        cursor.save()
    cursor.save()
    return sent

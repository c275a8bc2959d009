"""One batch: send the records still waiting to the registry and write its answers with a
compare-and-set; tell the dashboards which schools' statistics are stale."""
from __future__ import annotations

import logging
from collections import Counter

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from edu_portal.common.identity import IDENTITY_FIELDS, id_number_errors
from edu_portal.common.queue import enqueue

from ..models import VerificationRun, VerificationStatus
from ..registry_client import RegistryClient
from ..resilience import PREFIX, redis_client
from .queueing import batches_enqueue
from .records import RESULT_STATUS, eligible, model_for
from .runs import run_count, run_is_cancelled

logger = logging.getLogger(__name__)


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
    return eligible(qs, include_verified=run.include_verified).filter(
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

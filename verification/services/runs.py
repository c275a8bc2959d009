"""A verification run's life: start, live counters in Redis, cancel, close.

Runs are handed out in batches by `planning`; the workers close them (`queueing.batch_done`), so that
reading a run's progress writes nothing.
"""
from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.scope import COUNTRY, PROVINCE, Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.queue import enqueue_on_commit
from schools.selectors import scope_as_string, scope_describe

from ..models import RunStatus, VerificationRun
from ..resilience import PREFIX, redis_client


def _run_key(run_id: int) -> str:
    return f"{PREFIX}run:{run_id}"


def run_inflight_key(run_id: int) -> str:
    return f"{PREFIX}run:{run_id}:inflight"


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


def run_inflight(run_id: int) -> int:
    """How many batches of this run are still in flight (queued, running or waiting to retry)."""
    return max(0, int(redis_client().get(run_inflight_key(run_id)) or 0))


@transaction.atomic
def run_start(*, scope: Scope, started_by=None, include_verified: bool = False,
              user_scope: Scope | None = None) -> VerificationRun:
    """Create a verification run for `scope`; the planning (queueing in batches) runs in a task.

    `user_scope` is the scope of the person starting it: a province may only verify itself or
    its schools, and schools do not start runs.
    """
    if user_scope is not None:
        if user_scope.kind not in (COUNTRY, PROVINCE):
            raise AppError(gettext("Chỉ Bộ và Sở Giáo dục mới bắt đầu được đợt xác thực."), code="forbidden",
                           status_code=403)
        if scope.kind == COUNTRY and user_scope.kind != COUNTRY:
            raise AppError(gettext("Bạn chỉ được xác thực trong phạm vi tỉnh của mình."), code="forbidden", status_code=403)
        if scope.province_code and not user_scope.contains_province(scope.province_code):
            raise AppError(gettext("Bạn chỉ được xác thực trong phạm vi tỉnh của mình."), code="forbidden", status_code=403)
    active = VerificationRun.objects.filter(scope=scope_as_string(scope),
                                            status__in=(RunStatus.PLANNING, RunStatus.RUNNING)).first()
    if active:
        raise AppError(gettext("Đợt xác thực #%(pk)s cho phạm vi này đang chạy; hãy chờ hoặc hủy đợt đó.") % {"pk": active.pk},
                       code="conflict", status_code=409)
    run = VerificationRun.objects.create(
        scope=scope_as_string(scope), scope_label=scope_describe(scope), province_id=scope.province_code,
        school_id=scope.school_id, include_verified=include_verified,
        started_by=started_by if started_by and started_by.is_authenticated else None,
    )
    enqueue_on_commit("verification.tasks.run_plan_task", run.pk)
    return run


def run_cancel(*, run: VerificationRun, scope: Scope) -> VerificationRun:
    """Stop a run: batches not yet sent give their records back (unverified); answers already
    received stay."""
    if not run_visible_to(run, scope):
        raise NotInScope()
    if scope.kind not in (COUNTRY, PROVINCE):
        # Schools may follow a run on their school, but only those who start runs may stop them.
        raise AppError(gettext("Chỉ Bộ và Sở Giáo dục mới hủy được đợt xác thực."), code="forbidden", status_code=403)
    if not run.is_active:
        raise AppError(gettext("Đợt xác thực này đã kết thúc."), code="conflict", status_code=409)
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

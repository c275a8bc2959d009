"""Planning a run: handing its eligible records to the workers in batches, a step at a time."""
from __future__ import annotations

import time
import uuid

from django.conf import settings

from accounts.scope import Scope
from schools.selectors import scope_parse

from ..models import RunStatus, VerificationRun, VerificationStatus
from ..resilience import PREFIX, redis_client
from .queueing import batches_enqueue
from .records import KINDS, eligible, model_for
from .runs import run_finish_if_done, run_inflight, run_is_cancelled

PLAN_AHEAD_BATCHES = 200  # batches of one run waiting in the broker at most (bounds Redis memory)
PLAN_STEP_SECONDS = 20.0


def _scope_querysets(scope: Scope):
    for kind in KINDS:
        model = model_for(kind)
        yield kind, scope.filter(model.objects.all(), school_field="school")


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
            totals["total"] += eligible(qs, include_verified=run.include_verified).count()
        VerificationRun.objects.filter(pk=run.pk).update(**totals)
        client.set(handed_key, 0, ex=30 * 86400)
        kind, after = KINDS[0], 0
    size = settings.VERIFICATION_BATCH_SIZE
    deadline = time.monotonic() + budget
    while not run_is_cancelled(run.pk):
        if run_inflight(run.pk) >= ahead or time.monotonic() > deadline:
            return kind, after
        qs = scope.filter(model_for(kind).objects.all(), school_field="school")
        ids = list(eligible(qs, include_verified=run.include_verified).filter(pk__gt=after).order_by("pk")
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

"""The sweep (Celery beat): re-queue what fell through the cracks."""
from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter

from django.conf import settings
from django.utils import timezone

from ..models import RunStatus, VerificationRun, VerificationStatus
from ..resilience import redis_client
from .queueing import INFLIGHT_KEY, batch_done, batches_enqueue
from .records import KINDS, model_for
from .runs import run_finish_if_done

# A batch registered as in flight but not started after this long is presumed lost too.
NEVER_STARTED_AFTER = 6 * 3600


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

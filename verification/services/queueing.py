"""Handing records to the workers: after commit, in batches, each batch registered as in flight in
Redis until its task reaches an end (so that the sweep can tell a lost batch from a slow one)."""
from __future__ import annotations

import json
import time
import uuid

from django.conf import settings

from edu_portal.common.queue import enqueue, enqueue_on_commit

from ..models import RunStatus, VerificationRun
from ..resilience import PREFIX, redis_client
from .runs import run_finish_if_done, run_inflight_key

INFLIGHT_KEY = PREFIX + "inflight"  # task id -> {"kind", "ids", "run", "at", "started"}


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
            pipe.incr(run_inflight_key(run_id))
            pipe.expire(run_inflight_key(run_id), 30 * 86400)
        pipe.execute()
        enqueue("verification.tasks.verify_records", kind, chunk, run_id=run_id, task_options={"task_id": task_id})
        tasks += 1
    return tasks


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
            client.decr(run_inflight_key(run_id))
            run = VerificationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).first()
            if run is not None:
                run_finish_if_done(run=run)

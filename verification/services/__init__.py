"""Writes on verification state: queueing, applying the registry's answers, runs, the sweep and the
push of education data (enrichment).

How a record moves: it is marked `queued` and its id handed to a batch task after the transaction
commits. The task sends the records still queued to the registry, and writes each answer with a
compare-and-set: only if the record is still queued and its identity fields still equal what was
sent. Anything else (edited while in flight) is queued again, so nobody is marked verified on data
the registry did not see.

The package is split by concern; every name is importable from here as before:

    records     the kinds of person verified, their models, final statuses
    runs        a run's life: start, live counters, cancel, close
    queueing    handing records to the workers in batches, in-flight bookkeeping
    answers     one batch: the registry call and the compare-and-set of its answers
    planning    a run's records handed out in batches, a step at a time
    sweep       re-queueing what fell through (Celery beat)
    enrichment  the push of education data to the registry
"""
from edu_portal.common.identity import IDENTITY_FIELDS, identity_initial_status

from .answers import (
    DIRTY_SCHOOLS_KEY,
    DIRTY_SCHOOLS_LOCK,
    STATS_DEBOUNCE_SECONDS,
    batch_give_up,
    batch_verify,
    records_mark,
    results_apply,
    schools_changed,
    schools_changed_flush,
)
from .enrichment import enrichment_push
from .planning import PLAN_AHEAD_BATCHES, PLAN_STEP_SECONDS, run_plan
from .queueing import INFLIGHT_KEY, batch_done, batch_started, batches_enqueue, identities_queue
from .records import FINAL_STATES, KINDS, RESULT_STATUS, eligible, model_for
from .runs import (
    run_cancel,
    run_count,
    run_finish_if_done,
    run_inflight,
    run_inflight_key,
    run_is_cancelled,
    run_live_counts,
    run_start,
    run_visible_to,
)
from .sweep import NEVER_STARTED_AFTER, verification_sweep

__all__ = [
    "DIRTY_SCHOOLS_KEY", "DIRTY_SCHOOLS_LOCK", "FINAL_STATES", "IDENTITY_FIELDS", "INFLIGHT_KEY", "KINDS",
    "NEVER_STARTED_AFTER", "PLAN_AHEAD_BATCHES", "PLAN_STEP_SECONDS", "RESULT_STATUS", "STATS_DEBOUNCE_SECONDS",
    "batch_done", "batch_give_up", "batch_started", "batch_verify", "batches_enqueue", "eligible", "enrichment_push",
    "identities_queue", "identity_initial_status", "model_for", "records_mark", "results_apply", "run_cancel",
    "run_count", "run_finish_if_done", "run_inflight", "run_inflight_key", "run_is_cancelled", "run_live_counts",
    "run_plan", "run_start", "run_visible_to", "schools_changed", "schools_changed_flush", "verification_sweep",
]

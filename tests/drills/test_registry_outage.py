"""Drill: the national population registry is down for a whole minute in the middle of a run.

A real worker process with its own beat (so the sweep runs on its schedule, as in production)
verifies a school while the mock registry answers 503 to everything for 60 s. The workers must
not storm the registry (the circuit breaker holds them to one probe per cool-down), records the
registry could not answer go to `error` rather than hanging in `queued`, and once the registry is
back the beat's sweep re-queues them until every record is verified. `make drill` runs it.
"""
import os
import subprocess
import time

import pytest
from django.conf import settings

from tests.processes import database_url, start_worker, stop
from tests.verification.conftest import all_final, bulk_pupils, statuses, wait_until
from tests.verification.test_tasks import finished, start_run

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 60
COOLDOWN = 5.0  # the breaker's cool-down: while the registry is down, one probe per this many seconds


def _worker_with_beat(schedule_file) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.verification.worker_settings", "DATABASE_URL": database_url(),
           "POPULATION_API_URL": settings.POPULATION_API_URL,
           # Production's shape, on a shorter clock: give up on a batch after 4 failures, retry
           # errors 10 s later, sweep every 5 s (production: 6 failures, 600 s, 300 s).
           "VERIFICATION_BATCH_SIZE": "50", "VERIFICATION_RATE_LIMIT": "1000", "VERIFICATION_MAX_FAILURES": "4",
           "VERIFICATION_BACKOFF_BASE": "1", "VERIFICATION_BACKOFF_MAX": "8",
           "VERIFICATION_BREAKER_THRESHOLD": "3", "VERIFICATION_BREAKER_COOLDOWN": str(COOLDOWN),
           "VERIFICATION_ERROR_RETRY_AFTER": "10", "VERIFICATION_SWEEP_SECONDS": "5",
           "STATS_REFRESH_SECONDS": "3600"}
    return start_worker("outage", env=env, pool="threads", concurrency=4, beat_schedule=schedule_file)


def test_registry_down_for_a_minute_every_record_reaches_a_final_state(registry, school_a, tmp_path):
    pupils = bulk_pupils(school_a, 500, mismatch_every=10)  # 10 batches of 50
    worker = _worker_with_beat(tmp_path / "beat-schedule")
    try:
        registry.set(down=True)
        went_down = time.monotonic()
        run = start_run(school_a)

        # The run ends while the registry is still down: every record has an answer (`error`),
        # none is left queued, and the workers did not hammer the registry.
        run = wait_until(lambda: finished(run), timeout=OUTAGE_SECONDS - 5, message="the run to give up")
        assert statuses(pupils["ids"]) == {"error": 500}
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - went_down)))
        outage = time.monotonic() - went_down
        rejected = registry.stats().get("down_rejections", 0)
        # Without the breaker: 10 batches x 4 attempts = 40 calls, plus a token request each.
        # With it: 3 failures open it, then about one probe per cool-down for the whole outage.
        assert rejected <= 3 + outage / COOLDOWN + 4, rejected
        # Meanwhile the sweep keeps re-queueing the errors; the breaker fails them fast again.
        assert set(statuses(pupils["ids"])) <= {"error", "queued"}

        registry.set(down=False)
        came_back = time.monotonic()
        # Nobody presses a button: the beat's sweep re-queues the errors once they are 10 s old.
        wait_until(lambda: statuses(pupils["ids"]).get("error", 0) == 0 and all_final(pupils["ids"]),
                   timeout=120, message="the sweep to verify every record after the outage")
        assert statuses(pupils["ids"]) == {"verified": 450, "mismatch": 50}
        assert time.monotonic() - came_back < 120
    finally:
        stop(worker)

"""A worker process killed with SIGKILL in the middle of a batch loses nothing: the broker gives
the unacknowledged message to another worker, which finishes the batch (late acknowledgement)."""
import os
import signal
import subprocess

import pytest
from django.conf import settings

from edu_portal.celery import app as celery_app
from students.models import Student
from tests.processes import database_url, output_tail, start_worker, stop

from .conftest import bulk_pupils, statuses, wait_until
from .test_tasks import finished, start_run

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def start_worker_process(name: str) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.verification.worker_settings", "DATABASE_URL": database_url(),
           "POPULATION_API_URL": settings.POPULATION_API_URL,
           "VERIFICATION_BACKOFF_BASE": "0.05", "VERIFICATION_RATE_LIMIT": "1000"}
    return start_worker(name, env=env, heartbeat=False)


def test_worker_killed_mid_batch_every_record_still_reaches_a_final_state(registry, school_a):
    # What earlier tests of this process queued and left is not this worker's: it would take those first.
    celery_app.control.purge()
    registry.set(latency_ms=2000)
    pupils = bulk_pupils(school_a, 100)  # 2 batches of 50
    first = start_worker_process("doomed")
    second = None
    try:
        run = start_run(school_a)
        wait_until(lambda: registry.stats().get("in_flight", 0) >= 1, timeout=30,
                   message=lambda: f"the first batch to be in flight (the worker said: {output_tail(first)!r})")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert Student.objects.filter(pk__in=pupils["ids"], verification_status="verified").count() == 0

        registry.set(latency_ms=10)
        second = start_worker_process("rescuer")
        run = wait_until(lambda: finished(run), timeout=60, message="the run to finish on the second worker")

        assert statuses(pupils["ids"]) == {"verified": 100}
        assert sum(run.counts.values()) == 100
    finally:
        stop(first, timeout=10)
        if second:
            stop(second, timeout=10)

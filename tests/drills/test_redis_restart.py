"""Drill: Redis (broker, rate limiter, run counters) restarts in the middle of a verification run.

A Redis of the drill's own (append-only file on, as scripts/ensure_redis.sh starts it) carries
the run; it is stopped and started again while batches are in flight. The run must resume by
itself and every record must reach a final state: none lost, none stuck in `queued`.
`make drill` runs it.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.processes import ROOT, database_url, free_port, start_worker, stop
from tests.verification.conftest import all_final, bulk_pupils, statuses, wait_until
from tests.verification.test_tasks import finished
from verification.models import RunStatus, VerificationRun

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.dir, self.port, self.proc = directory, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--save", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, timeout=10, message="the drill's Redis to answer")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: Redis writes its append-only file and exits
            self.proc.wait(timeout=20)


def _env(redis_url: str) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.verification.worker_settings", "DATABASE_URL": database_url(),
            "TEST_REDIS_URL": redis_url, "POPULATION_API_URL": settings.POPULATION_API_URL,
            "VERIFICATION_BATCH_SIZE": "50", "VERIFICATION_RATE_LIMIT": "1000", "VERIFICATION_BACKOFF_BASE": "0.2",
            "VERIFICATION_BACKOFF_MAX": "2", "VERIFICATION_MAX_FAILURES": "20"}


def test_redis_restart_during_a_verification_run(registry, school_a, tmp_path, settings):
    redis = PrivateRedis(tmp_path)
    redis.start()
    shared_redis = settings.REDIS_URL
    settings.REDIS_URL = redis.url  # the run's live counters are read from the drill's Redis
    env = _env(redis.url)
    worker = start_worker("drill", env=env, pool="threads", concurrency=4)
    try:
        registry.set(latency_ms=400)
        pupils = bulk_pupils(school_a, 1000)  # 20 batches of 50, four at a time: several seconds of work
        subprocess.run([sys.executable, "manage.py", "verify", "--scope", f"school:{school_a.code}"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        wait_until(lambda: statuses(pupils["ids"]).get("verified", 0) >= 100, timeout=60,
                   message="the first answers")
        assert not all_final(pupils["ids"]), "the run ended before the restart: make it longer"

        redis.stop()
        time.sleep(3)  # the workers see the broker gone
        redis.start()

        wait_until(lambda: all_final(pupils["ids"]), timeout=180, message="every record to reach a final state")
        assert statuses(pupils["ids"]) == {"verified": 1000}
        run = wait_until(lambda: finished(VerificationRun.objects.get()), timeout=60, message="the run to end")
        assert run.status == RunStatus.FINISHED and sum(run.counts.values()) >= 1000
    finally:
        stop(worker)
        redis.stop()
        settings.REDIS_URL = shared_redis  # the registry fixture's teardown uses the shared Redis

"""Identity verification speed, end to end: verifications per second from starting a run to every
record in a final state, against the mock registry at its default 200 ms latency, side by side in
the same run with the naive design (one Celery task and one HTTP call per pupil).

    batched   services.run_start for a scratch school of N pupils (100,000; QUICK: 10,000): the
              planner task hands out batches of 1,000, workers call the registry once per batch,
              through the global rate limit, and write answers with one compare-and-set UPDATE
    naive     bench.naive_tasks.verify_one_naive: one task per pupil, one call per pupil (same
              client, rate limit and CAS write), on a smaller number of the same pupils (it is
              ~100x slower; its rate is a steady-state figure)

Everything runs in processes of its own: the mock registry on port 8198 (its defaults: 200 ms,
50 requests/s per client), Celery workers (prefork, concurrency 8) and a driver process, all with
Redis database 13 as broker and state, so that a running dev worker never sees these tasks. Data
lives in a scratch school in the benchmark database (DATABASE_URL, set by bench/run.py to the
edu_portal_bench database), bulk-inserted, and is deleted afterwards with the school.

`python -m bench.verification [--quick]` runs it alone against DATABASE_URL (must be migrated).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from tests.processes import ROOT, start_registry, start_worker, stop

N_FULL, N_QUICK = 100_000, 10_000
NAIVE_FULL, NAIVE_QUICK = 2_000, 600
WORKER_CONCURRENCY = 8
REGISTRY_PORT = 8198
BENCH_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
SECRET = "bench-registry-secret"  # noqa: S105 - a throwaway secret between two local processes
SCHOOL_CODE = "BENCHVERIF"


def _env() -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "edu_portal.settings.dev", "REDIS_URL": BENCH_REDIS,
            "CELERY_BROKER_URL": BENCH_REDIS, "CELERY_RESULT_BACKEND": BENCH_REDIS,
            "POPULATION_API_URL": f"http://127.0.0.1:{REGISTRY_PORT}", "POPULATION_API_CLIENT_SECRET": SECRET,
            "POPULATION_REGISTRY_PORT": str(REGISTRY_PORT), "POPULATION_REGISTRY_CLIENT_SECRET": SECRET,
            "POPULATION_REGISTRY_ADMIN_KEY": SECRET, "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING"}


def run(quick: bool) -> dict:
    n, naive_n = (N_QUICK, NAIVE_QUICK) if quick else (N_FULL, NAIVE_FULL)
    n = int(os.environ.get("BENCH_VERIFY_PUPILS", n))  # the national run measures 1,000,000
    env = _env()
    py = sys.executable
    logs = ROOT / ".local" / "bench-verification"
    logs.mkdir(parents=True, exist_ok=True)
    procs = []
    try:
        procs.append(start_worker(f"bench-verification-{os.getpid()}", env=env, pool="prefork",
                                  concurrency=WORKER_CONCURRENCY, include=["bench.naive_tasks"],
                                  log=logs / "worker.log"))
        procs.append(start_registry(REGISTRY_PORT, env=env, log=logs / "registry.log"))
        driver = subprocess.run([py, "-m", "bench.verification", "--driver", str(n), str(naive_n)], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=3600)
        if driver.returncode != 0:
            raise RuntimeError(f"driver failed: {driver.stderr[-3000:]}")
        result = json.loads(driver.stdout.strip().splitlines()[-1])
    finally:
        for proc in reversed(procs):
            stop(proc)
    result["target"] = {"verifications_per_second": 5000, "ratio_to_naive": 50}
    return result


# --- the driver: runs with Django set up against the benchmark database ----------------------------

def _pupils(n: int):
    """n pupils in a scratch school, identities drawn from the registry's truth (born in the
    1930s, so no seeded record shares an ID number); 5.6% carry a name the registry does not hold."""
    from demo_population.truth import citizen_for, id_number_for
    from geo.models import Commune
    from schools.models import School
    from students.models import Student

    commune = Commune.objects.filter(province_id="01").order_by("code").first()
    school = School.objects.create(code=SCHOOL_CODE, name="Trường thử tải xác thực", level="primary",
                                   ownership="public", province_id="01", commune=commune, address="-")
    rows, serial, made = [], 0, 0
    while made < n:
        year = 1930 + serial % 10
        gender = "F" if (serial // 10) % 2 else "M"
        number = id_number_for(legacy_province_code="001", year_of_birth=year, gender=gender, serial=serial // 20)
        serial += 1
        citizen = citizen_for(number, 2026)
        if citizen is None:
            continue
        name = citizen.full_name if made % 18 else "Nguyễn Văn Khác"
        rows.append(Student(pupil_code=f"BV{made:08d}", id_number=number, full_name=name,
                            date_of_birth=citizen.date_of_birth, gender=citizen.gender, school=school))
        made += 1
        if len(rows) == 50_000:  # in slices: a million pupils never sit in memory at once
            Student.objects.bulk_create(rows, batch_size=5000)
            rows = []
    Student.objects.bulk_create(rows, batch_size=5000)
    return school


def _cleanup() -> None:
    from django.db import connection

    from schools.models import School
    from verification.models import VerificationRun

    school = School.objects.filter(code=SCHOOL_CODE).first()
    if school:
        # One set-based DELETE: the ORM would load a million scratch pupils to cascade. The scratch
        # pupils have no enrollment, result or physical record.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM students_student WHERE school_id = %s", [school.pk])
        VerificationRun.objects.filter(school=school).delete()
        school.delete()


def _drive(n: int, naive_n: int) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from bench.naive_tasks import verify_one_naive
    from schools.selectors import scope_parse
    from students.models import Student
    from verification import services
    from verification.models import VerificationRun
    from verification.resilience import redis_client
    from verification.selectors import run_progress

    client = redis_client()
    for key in client.scan_iter("verification:*"):
        client.delete(key)
    client.delete("celery")
    _cleanup()
    _pupils(n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE students_student")
    # The workers must be up before the clock starts (they boot while the pupils are inserted).
    from edu_portal.celery import app

    deadline = time.monotonic() + 120
    while not (app.control.inspect(timeout=1).ping() or {}):
        if time.monotonic() > deadline:
            raise RuntimeError("the benchmark's Celery workers did not answer")

    # Batched: from starting the run to the run finished (every record answered).
    started = time.monotonic()
    run = services.run_start(scope=scope_parse(f"school:{SCHOOL_CODE}"))
    timeline = []  # (seconds, answered): when the first answers land, and the steady rate
    while True:
        progress = run_progress(run=VerificationRun.objects.get(pk=run.pk))
        timeline.append((round(time.monotonic() - started, 2), progress["processed"]))
        if not progress["run"].is_active:
            break
        if time.monotonic() - started > 1800:
            raise RuntimeError(f"batched run did not finish: {progress['processed']}/{progress['total']}")
        time.sleep(0.1)
    batched_seconds = time.monotonic() - started
    run = progress["run"]
    states = dict(Student.objects.filter(school__code=SCHOOL_CODE).values_list("verification_status")
                  .annotate(n=Count("pk")))
    answered = sum(run.counts.values())

    # Naive: one task and one call per pupil, on pupils of the same school, reset first.
    ids = list(Student.objects.filter(school__code=SCHOOL_CODE).order_by("pk").values_list("pk", flat=True)[:naive_n])
    Student.objects.filter(pk__in=ids).update(verification_status="queued", verification_checked_at=None)
    started = time.monotonic()
    for pk in ids:
        verify_one_naive.delay("student", pk)
    while Student.objects.filter(pk__in=ids, verification_status="queued").exists():
        if time.monotonic() - started > 1800:
            raise RuntimeError("naive run did not finish")
        time.sleep(0.2)
    naive_seconds = time.monotonic() - started
    _cleanup()

    batched_rate = answered / batched_seconds
    first = next((t for t, done in timeline if done), None)
    half = next((t for t, done in timeline if done >= answered / 2), None)
    naive_rate = naive_n / naive_seconds
    return {
        "pupils": n, "latency_ms": 200, "worker_concurrency": WORKER_CONCURRENCY, "batch_size": 1000,
        "batched": {"seconds": round(batched_seconds, 2), "answered": answered,
                    "verifications_per_second": round(batched_rate), "states": states,
                    "first_answers_after_seconds": first, "half_answered_after_seconds": half},
        "naive": {"pupils": naive_n, "seconds": round(naive_seconds, 2),
                  "verifications_per_second": round(naive_rate, 1)},
        "ratio_batched_to_naive": round(batched_rate / naive_rate, 1),
        "national_24m_minutes_at_batched_rate": round(24_000_000 / batched_rate / 60),
    }


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--driver":
        print(json.dumps(_drive(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        print(json.dumps(run(quick="--quick" in sys.argv), indent=2))

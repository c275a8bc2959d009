"""The replica drill's inside: run by test_replica_router.py as a process of its own, whose
DATABASE_URL is the drill's primary and DATABASE_REPLICA_URL its streaming replica, exactly as a
deployment would configure them (settings are read once, at start-up).

It migrates the primary, writes records through the services, waits until the replica has
replayed them, then reads through the dashboard pages and the API with Django's test client and
prints, as JSON, which server answered each query. The test asserts on that report.

    python -m tests.scaling.replica_probe
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from contextlib import ExitStack, contextmanager, redirect_stdout

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings.test")

TABLE = re.compile(r'(?:FROM|JOIN|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


@contextmanager
def query_log():
    """Every query run on either alias meanwhile: [{"db": alias, "tables": [...], "sql": ...}]."""
    from django.db import connections

    log: list[dict] = []

    def recorder(alias):
        def wrapper(execute, sql, params, many, context):
            log.append({"db": alias, "tables": sorted(set(TABLE.findall(sql))), "sql": sql[:200]})
            return execute(sql, params, many, context)
        return wrapper

    with ExitStack() as stack:
        for alias in ("default", "replica"):
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield log


def server(alias: str) -> dict:
    from django.db import connections

    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        in_recovery, port = cursor.fetchone()
    return {"in_recovery": in_recovery, "port": port}


def wait_for_replay(timeout: float = 30.0) -> float:
    """Seconds until the replica has replayed everything the primary has written so far (the insert
    position: with synchronous_commit=off a commit may still sit in the WAL buffers)."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        target = cursor.fetchone()[0]
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return round(time.monotonic() - started, 3)
        time.sleep(0.05)
    raise SystemExit(f"the replica did not replay {target} within {timeout} s")


def main() -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Role
    from accounts.scope import Scope
    from api.services import api_token_create
    from dashboards.services import stats_refresh_all
    from edu_portal.db_router import use_replica
    from schools.services import school_update
    from students.models import Student
    from tests.factories import SchoolFactory, UserFactory, make_staff, make_student

    assert "replica" in settings.DATABASES, "DATABASE_REPLICA_URL is not set"
    # cache.clear() below flushes a whole Redis database: only one the drill owns.
    assert os.environ.get("TEST_REDIS_URL") and not settings.REDIS_URL.endswith("/15"), "set TEST_REDIS_URL"
    cache.clear()  # our own Redis database (the test passes TEST_REDIS_URL): stale pins and figures
    report: dict = {"servers": {alias: server(alias) for alias in ("default", "replica")}}

    call_command("migrate", verbosity=0)
    call_command("load_admin_units", verbosity=0)

    # Writes, through the services (the factories call them), outside any use_replica() block.
    with query_log() as log:
        ministry = UserFactory(username=f"drill_{os.getpid()}", role=Role.MINISTRY)
        school = SchoolFactory(name="Trường Tiểu học Diễn Tập", province_id="01")
        pupils = [make_student(school) for _ in range(3)]
        make_staff(school)
        stats_refresh_all()
        _, read_secret = api_token_create(user=ministry, name="drill-read", scope=Scope.country())
        _, write_secret = api_token_create(user=ministry, name="drill-write", scope=Scope.country(), can_write=True)
    report["setup_queries"] = log
    report["replay_seconds"] = wait_for_replay()
    report["written_pupils"] = [p.pupil_code for p in pupils]

    browser = Client()
    browser.force_login(ministry)
    reader = Client(HTTP_AUTHORIZATION=f"Token {read_secret}")
    writer = Client(HTTP_AUTHORIZATION=f"Token {write_secret}")

    def step(name, fn):
        with query_log() as log:
            response = fn()
        report[name] = {"status": response.status_code, "queries": log,
                        "body": response.json() if response.get("Content-Type", "").startswith("application/json")
                        else None}
        return response

    step("dashboard_overview", lambda: browser.get(reverse("dashboards:overview")))
    step("dashboard_school", lambda: browser.get(reverse("dashboards:school", args=[school.pk])))
    step("api_stats_overview", lambda: reader.get("/api/v1/stats/overview/"))
    step("api_students_list", lambda: reader.get("/api/v1/students/"))
    created = step("api_student_create", lambda: writer.post("/api/v1/students/", data={
        "pupil_code": "HSDRILL0001", "full_name": "Nguyễn Thị Diễn Tập", "date_of_birth": "2016-03-04",
        "gender": "F", "school": school.pk, "grade": 4, "class_name": "4A"}, content_type="application/json"))
    new_id = created.json().get("id")
    # Read-your-writes: the writer's next read, straight away, must see its own write.
    step("api_read_own_write", lambda: writer.get(f"/api/v1/students/{new_id}/"))
    report["replay_after_write_seconds"] = wait_for_replay()
    step("api_read_other_client", lambda: reader.get(f"/api/v1/students/{new_id}/"))

    # The same rules, without HTTP: a write in the block, and an open transaction.
    with use_replica(), query_log() as log:
        Student.objects.filter(pk=pupils[0].pk).count()
        school_update(scope=Scope.country(), school=school, name="Trường Tiểu học Diễn Tập Mới")
        Student.objects.filter(pk=pupils[0].pk).count()
    report["block_read_write_read"] = log
    with use_replica(), query_log() as log:
        with transaction.atomic():
            Student.objects.filter(pk=pupils[0].pk).count()
    report["block_in_transaction"] = log

    try:
        with connections["replica"].cursor() as cursor:
            cursor.execute("CREATE TABLE drill_write_attempt (i int)")
        report["replica_write_error"] = None
    except Exception as exc:  # noqa: BLE001 - the hot standby refusing is the expected outcome
        report["replica_write_error"] = str(exc).splitlines()[0]

    # The standby goes away: the same reads are answered by the primary.
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    subprocess.run(["bash", "scripts/replica.sh", "stop-replica"], cwd=root, check=True, capture_output=True)
    step("api_students_list_replica_down", lambda: reader.get("/api/v1/students/"))
    step("dashboard_overview_replica_down", lambda: browser.get(reverse("dashboards:overview")))
    cache.clear()
    return report


if __name__ == "__main__":
    with redirect_stdout(sys.stderr):  # management commands talk on stdout; the report owns it
        result = main()
    json.dump(result, sys.stdout, ensure_ascii=False, default=str)

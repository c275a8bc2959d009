"""The read replica drill (`make drill`): a real primary and a real hot standby in streaming
replication (scripts/replica.sh), the portal configured with DATABASE_URL + DATABASE_REPLICA_URL in
a process of its own (tests/scaling/replica_probe.py), and a check of which server answered each
query of the dashboard pages and the API."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.drill

PRIMARY_ONLY_TABLES = ("accounts_user", "api_apitoken", "django_session")


@pytest.fixture(scope="module")
def report():
    started = subprocess.run(["bash", "scripts/replica.sh", "start"], cwd=ROOT, capture_output=True, text=True,
                             timeout=180)
    try:
        assert started.returncode == 0, started.stderr
        urls = dict(line.split("=", 1) for line in started.stdout.split() if "=" in line)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "edu_portal.settings.test",
               "DATABASE_URL": urls["PRIMARY_URL"], "DATABASE_REPLICA_URL": urls["REPLICA_URL"],
               # A Redis database of the drill's own: the probe flushes it.
               "TEST_REDIS_URL": os.environ.get("DRILL_REDIS_URL", "redis://127.0.0.1:6379/12")}
        probe = subprocess.run([sys.executable, "-m", "tests.scaling.replica_probe"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=300)
        assert probe.returncode == 0, probe.stderr[-3000:]
        yield json.loads(probe.stdout)
    finally:
        subprocess.run(["bash", "scripts/replica.sh", "stop"], cwd=ROOT, capture_output=True, timeout=120)


def served_by(queries: list[dict], prefixes: tuple[str, ...]) -> set[str]:
    """The databases that ran queries touching tables whose names start with one of `prefixes`."""
    return {q["db"] for q in queries if any(t.startswith(prefixes) for t in q["tables"])}


def test_the_pair_is_a_primary_and_a_hot_standby(report):
    assert report["servers"]["default"] == {"in_recovery": False, "port": 25432}
    assert report["servers"]["replica"] == {"in_recovery": True, "port": 25433}
    assert report["replica_write_error"] == "cannot execute CREATE TABLE in a read-only transaction"


def test_writes_through_the_services_go_to_the_primary(report):
    assert {q["db"] for q in report["setup_queries"]} == {"default"}
    assert served_by(report["api_student_create"]["queries"], ("students_",)) == {"default"}
    assert report["api_student_create"]["status"] == 201


def test_api_record_reads_come_from_the_replica_with_the_replayed_rows(report):
    step = report["api_students_list"]
    assert step["status"] == 200
    assert served_by(step["queries"], ("students_",)) == {"replica"}
    assert {r["pupil_code"] for r in step["body"]["results"]} >= set(report["written_pupils"])


def test_users_sessions_and_tokens_are_always_read_from_the_primary(report):
    # Who is asking is checked on the primary (when not in the API's short per-process token cache).
    queries = [q for step in report.values() if isinstance(step, dict) and "queries" in step for q in step["queries"]]
    assert served_by(queries, PRIMARY_ONLY_TABLES) == {"default"}


def test_dashboard_pages_read_schools_and_admin_units_from_the_replica(report):
    for name in ("dashboard_overview", "dashboard_school"):
        step = report[name]
        assert step["status"] == 200
        assert served_by(step["queries"], ("geo_", "schools_")) == {"replica"}, name


def test_dashboard_and_api_statistics_come_from_the_replica(report):
    for name in ("dashboard_overview", "dashboard_school", "api_stats_overview"):
        assert report[name]["status"] == 200
        assert served_by(report[name]["queries"], ("dashboards_",)) == {"replica"}, name


def test_a_client_reads_its_own_write_from_the_primary_others_from_the_replica(report):
    created = report["api_student_create"]["body"]
    own = report["api_read_own_write"]
    assert own["status"] == 200 and own["body"]["pupil_code"] == created["pupil_code"] == "HSDRILL0001"
    assert served_by(own["queries"], ("students_",)) == {"default"}
    other = report["api_read_other_client"]  # after the replica has replayed the write
    assert other["status"] == 200 and other["body"]["id"] == created["id"]
    assert served_by(other["queries"], ("students_",)) == {"replica"}


def test_inside_use_replica_a_write_or_a_transaction_sends_reads_back_to_the_primary(report):
    queries = report["block_read_write_read"]
    student_reads = [q["db"] for q in queries if q["tables"] == ["students_student"]]
    assert student_reads == ["replica", "default"]
    assert {q["db"] for q in report["block_in_transaction"]} == {"default"}


def test_when_the_replica_is_down_the_primary_answers(report):
    for name in ("api_students_list_replica_down", "dashboard_overview_replica_down"):
        step = report[name]
        assert step["status"] == 200, name
        assert {q["db"] for q in step["queries"]} == {"default"}, name
    codes = {r["pupil_code"] for r in report["api_students_list_replica_down"]["body"]["results"]}
    assert codes >= set(report["written_pupils"])

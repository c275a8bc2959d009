"""Drill: PostgreSQL restarts (immediate mode, as after a crash) in the middle of an upload's
commit. The upload must fail cleanly with nothing half-written, and committing again must write
it whole. Runs against a throwaway cluster (scripts/replica.sh), never the shared one.
`make drill` runs it."""
import glob
import os
import re
import subprocess
import sys

import pytest

from tests.processes import ROOT
from tests.verification.conftest import wait_until

pytestmark = [pytest.mark.drill]
PUPILS = 60_000


def _sh(*args, env=None, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=check, timeout=600)


@pytest.fixture
def cluster():
    out = _sh("bash", "scripts/replica.sh", "start").stdout
    url = re.search(r"PRIMARY_URL=(\S+)", out).group(1)
    try:
        yield url
    finally:
        _sh("bash", "scripts/replica.sh", "stop", check=False)


def _restart_immediately() -> None:
    data = os.path.join(ROOT, ".local", "replica-test", "primary")
    pg_ctl = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    _sh(*prefix, pg_ctl, "-D", data, "restart", "-m", "immediate", "-w", "-t", "60", "-l",
        os.path.join(ROOT, ".local", "replica-test", "primary.log"))


def test_postgres_restart_during_an_upload_commit(cluster):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "edu_portal.settings.test", "DATABASE_URL": cluster}
    _sh(sys.executable, "manage.py", "migrate", "--noinput", env=env)
    _sh(sys.executable, "manage.py", "load_admin_units", env=env)
    driver = [sys.executable, "-m", "tests.drills.upload_driver"]
    upload_id = int(_sh(*driver, "prepare", str(PUPILS), env=env).stdout.split()[-1])

    commit = subprocess.Popen([*driver, "commit", str(upload_id)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    wait_until(lambda: _writing(cluster), timeout=60, interval=0.05, message="the commit to be writing rows")
    assert commit.poll() is None, "the commit finished before the restart: use more pupils"
    _restart_immediately()
    out, err = commit.communicate(timeout=120)
    assert commit.returncode != 0, (out, err[-2000:])  # the connection died with the server: a loud failure

    status, pupils = wait_until(lambda: _count(driver, upload_id, env), timeout=60, message="the server back")
    assert (status, pupils) == ("committing", 0)  # nothing half-written; still waiting to be committed

    # The retry (uploads.tasks retries the commit task with backoff on exactly this error).
    assert _sh(*driver, "commit", str(upload_id), env=env).stdout.split()[-1] == "committed"
    assert _count(driver, upload_id, env) == ("committed", PUPILS)


def _writing(url) -> bool:
    """The commit's transaction is writing pupils (COPY into its staging table or the upsert)."""
    import psycopg2

    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
                       "AND xact_start < now() - interval '50 milliseconds' "
                       "AND query ~* '^\\s*(COPY|INSERT|UPDATE|WITH)'")
        return cursor.fetchone()[0] > 0


def _count(driver, upload_id, env):
    result = _sh(*driver, "count", str(upload_id), env=env, check=False)
    if result.returncode:
        return None
    status, pupils = result.stdout.split()[-2:]
    return status, int(pupils)

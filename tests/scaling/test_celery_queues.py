"""Celery queues by kind of work: every task of ours lands on its kind's queue when the split is
on (production), and the workers that `make run` starts consume every one of them."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from celery.app.routes import Router, prepare
from django.conf import settings

from edu_portal.celery import app

ROOT = Path(__file__).resolve().parents[2]
KINDS = {"verification": "verification", "uploads": "imports", "dashboards": "statistics"}


def routed_queue(routes, name: str) -> str:
    router = Router(prepare(routes), app.amqp.queues, create_missing=True, app=app)
    return router.route({}, name)["queue"].name


def our_tasks() -> list[str]:
    app.loader.import_default_modules()
    return sorted(n for n in app.tasks if n.split(".")[0] in KINDS)


def test_every_task_of_ours_has_a_queue_of_its_kind_when_split():
    names = our_tasks()
    assert {n.split(".")[0] for n in names} == set(KINDS)  # each kind has tasks; none is missed
    for name in names:
        assert routed_queue(settings.TASK_QUEUES_BY_KIND, name) == KINDS[name.split(".")[0]], name


def test_tests_and_dev_keep_one_queue_unless_asked():
    # The test and dev workers are started without -Q, so they consume the default queue only: every task of
    # ours must be sent there, or it would wait forever (asked of the app's own router, as a send would).
    for name in our_tasks():
        assert app.amqp.router.route({}, name)["queue"].name == app.amqp.default_queue.name, name


@pytest.mark.parametrize(("flag", "expected"), [(None, "verification"), ("0", "celery")])
def test_production_splits_the_queues_unless_turned_off(flag, expected):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "edu_portal.settings.production",
           "DJANGO_SECRET_KEY": "k" * 20 + "Q9w8E7r6T5y4U3i2O1p0AaSsDdFfGgHhJj", "DJANGO_ALLOWED_HOSTS": "portal.example",
           "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x", "REDIS_URL": "redis://127.0.0.1:6379/0",
           "POPULATION_API_URL": "https://registry.example", "POPULATION_API_CLIENT_SECRET": "s"}
    env.pop("CELERY_SPLIT_QUEUES", None)
    if flag is not None:
        env["CELERY_SPLIT_QUEUES"] = flag
    out = subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                          "print((settings.CELERY_TASK_ROUTES.get('verification.*') or {}).get('queue', 'celery'))"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == expected


def test_the_worker_of_make_run_consumes_every_queue():
    script = (ROOT / "scripts" / "run_all.sh").read_text()
    worker = next(line for line in script.splitlines() if re.match(r"start worker\s", line))
    consumed = set(re.search(r"-Q (\S+)", worker).group(1).split(","))
    assert consumed == {"celery", *KINDS.values()}


def test_a_worker_started_without_q_consumes_every_queue_a_task_is_routed_to():
    # docker-compose.yml and the systemd unit of docs/deploy.md start workers without -Q.
    declared = {q.name for q in settings.CELERY_TASK_QUEUES}
    assert declared == {"celery", *KINDS.values()}
    assert {route["queue"] for route in settings.TASK_QUEUES_BY_KIND.values()} <= declared

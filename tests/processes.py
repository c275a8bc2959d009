"""Starting and stopping the portal's own processes for tests, drills and benchmarks alike: the
mock population registry, Celery workers (a process of their own, or a thread of this one) and
gunicorn. One place, so that every caller starts them the same way and always stops them.

Each `start_*` returns the `subprocess.Popen`; `stop(proc)` ends it (SIGTERM, then SIGKILL after
a grace period) and `running(proc)` is the same as a `with` block. A process's stdout and stderr
go to `log` when given, else to an anonymous temporary file whose tail `output_tail(proc)` reads,
so that a process that fails to start says why (a pipe nobody reads could block a chatty child).

Imports nothing of the portal at module level: `bench` imports it before Django is set up.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port(preferred: int = 0) -> int:
    """`preferred` if nothing listens there, else any free port on loopback. (Another test session
    on this machine may hold a fixed port; its server would vanish when that session ends.) In parallel
    tests (pytest-xdist) always any free port: the processes would race for the preferred one."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        preferred = 0
    for port in dict.fromkeys((preferred, 0)):
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")


def database_url() -> str:
    """The URL of the database Django is connected to (the test database inside pytest), for a
    process started from a test that must write where the test reads."""
    from django.db import connection

    db = connection.settings_dict
    return (f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or HOST}:{db['PORT'] or 5432}/"
            f"{db['NAME']}")


def spawn(args: list[str], *, env: dict | None = None, log: Path | None = None) -> subprocess.Popen:
    """Start `args` in the project root, output to `log` (or a temporary file)."""
    out = open(log, "w+b") if log is not None else tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
    proc = subprocess.Popen(args, cwd=ROOT, env=env if env is not None else dict(os.environ),
                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    proc.output = out  # type: ignore[attr-defined]
    return proc


def output_tail(proc: subprocess.Popen, size: int = 3000) -> str:
    """The last `size` bytes the process wrote (read without moving the file offset it shares)."""
    out = getattr(proc, "output", None)
    if out is None or out.closed:
        return ""
    end = os.fstat(out.fileno()).st_size
    return os.pread(out.fileno(), size, max(0, end - size)).decode(errors="replace")


def stop(proc: subprocess.Popen | None, timeout: float = 20) -> None:
    """SIGTERM (a Celery worker warm-stops, gunicorn's master stops its workers), SIGKILL after
    `timeout` seconds. Safe on a process that has already exited, and on None."""
    if proc is None:
        return
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    out = getattr(proc, "output", None)
    if out is not None:
        out.close()


@contextmanager
def running(proc: subprocess.Popen, timeout: float = 20) -> Iterator[subprocess.Popen]:
    try:
        yield proc
    finally:
        stop(proc, timeout)


def wait_until_ready(url: str, proc: subprocess.Popen | None = None, *, timeout: float = 60,
                     status: int | None = 200) -> None:
    """Poll `url` until it answers (with `status`, or with anything when `status` is None). Fails
    at once if `proc` exits, with what it wrote."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:4]} exited with {proc.returncode}: {output_tail(proc)}")
        try:
            answer = httpx.get(url, timeout=2)
            if status is None or answer.status_code == status:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:.0f} s: "
                               f"{output_tail(proc) if proc is not None else ''}")
        time.sleep(0.2)


def start_registry(port: int, *, env: dict | None = None, log: Path | None = None,
                   timeout: float = 30) -> subprocess.Popen:
    """The mock population registry (`python -m population_registry`) on 127.0.0.1:`port`, ready
    to answer. `env` adds POPULATION_REGISTRY_* settings (secrets, latency, rate limit, seed)."""
    env = {**os.environ, **(env or {}), "POPULATION_REGISTRY_HOST": HOST, "POPULATION_REGISTRY_PORT": str(port)}
    proc = spawn([sys.executable, "-m", "population_registry"], env=env, log=log)
    try:
        wait_until_ready(f"http://{HOST}:{port}/healthz", proc, timeout=timeout)
    except BaseException:
        stop(proc, timeout=5)
        raise
    return proc


def start_worker(name: str, *, env: dict | None = None, pool: str = "solo", concurrency: int | None = None,
                 queues: Iterable[str] = (), include: Iterable[str] = (), beat_schedule: Path | None = None,
                 heartbeat: bool = True, log: Path | None = None) -> subprocess.Popen:
    """A Celery worker process of the project's app, named `name@<host>`. `env` is its whole
    environment (settings module, broker, database); `include` adds task modules (-I), and
    `beat_schedule` runs beat inside it (--beat), as production does on a single machine."""
    args = [sys.executable, "-m", "celery", "-A", "edu_portal", "worker"]
    if include := list(include):
        args += ["-I", ",".join(include)]
    if beat_schedule is not None:
        args += ["--beat", "--schedule", str(beat_schedule)]
    args += [f"--pool={pool}"]
    if concurrency is not None:
        args += [f"--concurrency={concurrency}"]
    args += ["--loglevel=WARNING", "--without-gossip", "--without-mingle"]
    if not heartbeat:
        args += ["--without-heartbeat"]
    if queues := list(queues):
        args += ["-Q", ",".join(queues)]
    return spawn([*args, "-n", f"{name}@%h"], env=env, log=log)


def start_gunicorn(port: int, *, env: dict | None = None, app: str | None = None, args: Iterable[str] = (),
                   log: Path | None = None) -> subprocess.Popen:
    """gunicorn with the project's gunicorn.conf.py on 127.0.0.1:`port` (not yet ready: call
    wait_until_ready). `app` replaces the configured WSGI application; `args` adds options."""
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"{HOST}:{port}",
               *args]
    return spawn([*command, app] if app else command, env=env, log=log)


@contextmanager
def thread_worker(app=None, *, queues: Iterable[str] | None = None) -> Iterator[None]:
    """A real Celery worker in a thread of this process (solo pool) consuming the test broker, with
    Celery's Django fix-up closing the database connection before every task, as in production."""
    from celery.contrib.testing.worker import start_worker as celery_start_worker

    if app is None:
        from edu_portal.celery import app
    options = {"queues": list(queues)} if queues else {}
    with celery_start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30,
                             **options):
        yield

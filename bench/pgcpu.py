"""The CPU time PostgreSQL spends on this process's connection: its backend and the parallel workers it starts,
read from /proc (PostgreSQL on this machine). On a shared machine a long statement's wall time is mostly waiting
for a core; its CPU time moves much less with the load, so the reports give both."""
from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: str) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def _workers(leader: int, stop: threading.Event, seen: dict) -> None:
    # Parallel workers live for one Gather: sampled every 0.1 s (the last tenth of each is missed).
    marker = f"parallel worker for PID {leader}"
    while not stop.is_set():
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    if marker in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
                        seen[pid] = max(seen.get(pid, 0.0), _cpu(pid) or 0.0)
                except OSError:
                    continue
        time.sleep(0.1)


@contextmanager
def pg_cpu(connection, out: dict, key: str):
    """Put in out[key] the seconds of CPU PostgreSQL spent on `connection` inside the block (None if its
    backend is not readable here, e.g. a remote server)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        leader = cursor.fetchone()[0]
    before = _cpu(str(leader))
    seen: dict = {}
    stop = threading.Event()
    sampler = threading.Thread(target=_workers, args=(leader, stop, seen), daemon=True)
    sampler.start()
    try:
        yield
    finally:
        stop.set()
        sampler.join()
        after = _cpu(str(leader))
        out[key] = None if before is None or after is None else round(after - before + sum(seen.values()), 2)

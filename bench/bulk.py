"""Bulk sync through HTTP (issue 20) against the single-record API, side by side in one run.

    bulk_full_load   K school systems (BENCH_BULK_SCHOOLS, 64) each POST their P new pupils (BENCH_BULK_PUPILS, 400)
                     as one NDJSON body to /api/v1/bulk/students/: 8 clients (BENCH_BULK_CLIENTS) send their share of
                     the schools, then poll their jobs every 0.25 s; records/s from the first POST to the last job done
    bulk_delta       the same schools each send a nightly delta: 5% of their pupils changed (class moved), the
                     way a vendor sends only what changed; records/s and jobs/s
    bulk_resync      the same schools send all their pupils again, 5% changed, 95% unchanged
    single_create    the single-record API on pupils of the same shape: POST /api/v1/students/ one per request,
                     8 clients (BENCH_BULK_SINGLE, 480 records)
    single_update    PATCH /api/v1/students/<id>/ one per request on those pupils

`ratio_*` are bulk records/s over single-record records/s. The fleet figure is an estimate: 17,083 school
systems each sending a delta of 5% of a school's average pupils (national 26.6M / 54,000), at the measured
jobs/s of the delta round. The server is gunicorn (BENCH_BULK_WEB_WORKERS, 2) and a Celery worker (prefork,
BENCH_BULK_WORKERS, 4: jobs wait on PostgreSQL as much as they compute) consuming the imports queue only; statistics and verification that the writes queue
are left in their queues (other workers' work in production) and purged at the end. Client, server, worker
and PostgreSQL share this machine's cores: the figures are a floor. CPU seconds of the server side are
reported beside wall time, and PostgreSQL's (its backends for this database, sampled by process title).
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.processes import start_gunicorn, start_worker, stop, wait_until_ready

HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_BULK_PORT", "8110"))
BASE = f"http://{HOST}:{PORT}"
GIVEN = ("An", "Bình", "Cường", "Dũng", "Khoa", "Long", "Minh", "Nam", "Phúc", "Quang", "Sơn", "Tùng")
POLL_SECONDS = 0.25
FLEET, NATIONAL_AVG_PUPILS, DELTA_SHARE = 17_083, 26_600_000 / 54_000, 0.05


def _pupil(school_code: str, code: str, serial: int, *, class_name: str = "3A") -> dict:
    # Boys born 2017 with ID numbers of a legacy province the seed does not use for them (digits agree).
    return {"school_code": school_code, "pupil_code": code, "id_number": f"0962{17:02d}{700_000 + serial:06d}",
            "full_name": f"Lê Văn {GIVEN[serial % len(GIVEN)]}", "date_of_birth": "2017-05-20", "gender": "M",
            "grade": 3, "class_name": class_name}


def _ndjson(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def _round(secret: str, bodies: list[list[dict]], clients: int) -> dict:
    """The clients send every body (each its share, one after another), then poll their jobs to the end, as a
    vendor serving many schools would; records/s from the first POST to the last job done."""
    headers = {"Authorization": f"Token {secret}"}
    local = [httpx.Client(base_url=BASE, headers=headers, timeout=600) for _ in range(clients)]

    def send(i: int) -> str:
        answer = local[i % clients].post("/api/v1/bulk/students/", content=_ndjson(bodies[i]),
                                         headers={"Content-Type": "application/x-ndjson"})
        answer.raise_for_status()
        return answer.json()["url"]

    def look(item: tuple[int, str]) -> dict:
        return local[item[0] % clients].get(item[1]).json()

    started, cpu, pg = time.perf_counter(), _server_cpu(), _pg_cpu()
    with ThreadPoolExecutor(clients) as pool:
        urls = list(pool.map(send, range(len(bodies))))
        jobs: dict[int, dict] = {}
        while len(jobs) < len(urls):
            time.sleep(POLL_SECONDS)
            waiting = [(i, url) for i, url in enumerate(urls) if i not in jobs]
            for (i, _url), job in zip(waiting, pool.map(look, waiting), strict=True):
                if job["status"] in ("done", "failed"):
                    jobs[i] = job
    seconds = time.perf_counter() - started
    records = sum(len(b) for b in bodies)
    counts = {k: sum(j["counts"][k] for j in jobs.values()) for k in ("created", "updated", "unchanged", "rejected")}
    return {"records": records, "jobs": len(bodies), "seconds": round(seconds, 2),
            "records_per_s": round(records / seconds, 1), "jobs_per_s": round(len(bodies) / seconds, 2),
            "counts": counts, "failed_jobs": sum(j["status"] == "failed" for j in jobs.values()),
            "server_cpu_s": round(_server_cpu() - cpu, 1), "postgres_cpu_s": round(_pg_cpu() - pg, 1),
            "clients": clients}


def _cpu_ms_per_record(result: dict) -> float:
    """Server CPU (gunicorn, worker and PostgreSQL) per record: less noisy than wall time on a shared machine."""
    return round((result["server_cpu_s"] + result["postgres_cpu_s"]) * 1000 / max(result["records"], 1), 3)


def _single(secret: str, requests: list[tuple[str, str, dict]], clients: int) -> dict:
    headers = {"Authorization": f"Token {secret}"}
    local = [httpx.Client(base_url=BASE, headers=headers, timeout=60) for _ in range(clients)]
    statuses: list[int] = []

    def send(i: int) -> None:
        method, path, data = requests[i]
        statuses.append(local[i % clients].request(method, path, json=data).status_code)

    started, cpu, pg = time.perf_counter(), _server_cpu(), _pg_cpu()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, range(len(requests))))
    seconds = time.perf_counter() - started
    return {"records": len(requests), "seconds": round(seconds, 2), "records_per_s": round(len(requests) / seconds, 1),
            "errors": sum(s >= 300 for s in statuses), "server_cpu_s": round(_server_cpu() - cpu, 1),
            "postgres_cpu_s": round(_pg_cpu() - pg, 1), "clients": clients}


_SERVER_PIDS: list[int] = []


class _PostgresCpu:
    """CPU seconds of this database's PostgreSQL backends (on this machine), sampled every 0.1 s by process
    title ("postgres: <user> <database> ..."): connections open and close with requests and tasks, so a backend
    is counted up to its last sample (a few ms of the last tenth of a second of each may be missed)."""

    def __init__(self, database: str) -> None:
        self.marker, self.seen, self.stop = f" {database} ".encode(), {}, threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self.stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    title = Path(f"/proc/{pid}/cmdline").read_bytes()
                    if title.startswith(b"postgres: ") and self.marker in title:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                        self.seen[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
                except (OSError, IndexError, ValueError):
                    continue
            time.sleep(0.1)

    def total(self) -> float:
        return sum(self.seen.values())


_PG: list[_PostgresCpu] = []


def _pg_cpu() -> float:
    return _PG[0].total() if _PG else 0.0


def _server_cpu() -> float:
    """User + system CPU seconds of the server processes (gunicorn and worker trees) so far."""
    total = 0.0
    for root in _SERVER_PIDS:
        for pid in [root, *_children(root)]:
            try:
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                continue
    return total


def _children(pid: int) -> list[int]:
    try:
        direct = [int(p) for p in open(f"/proc/{pid}/task/{pid}/children").read().split()]  # noqa: SIM115
    except OSError:
        return []
    return direct + [c for d in direct for c in _children(d)]


def run(quick: bool) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings.dev")
    django.setup()
    import redis
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import Role, User
    from accounts.scope import Scope
    from api.models import ApiToken
    from api.services import api_token_create
    from schools.models import LEVEL_GRADES, School
    from students.models import Student

    schools_n = int(os.environ.get("BENCH_BULK_SCHOOLS", "24" if quick else "64"))
    pupils_n = int(os.environ.get("BENCH_BULK_PUPILS", "400"))
    clients = int(os.environ.get("BENCH_BULK_CLIENTS", "8"))
    single_n = int(os.environ.get("BENCH_BULK_SINGLE", "240" if quick else "480"))
    levels = [level for level, (low, high) in LEVEL_GRADES.items() if low <= 3 <= high]
    schools = list(School.objects.filter(level__in=levels, status="open").order_by("id")[:schools_n + 1])
    if len(schools) < schools_n + 1:
        return {"status": "failed", "reason": f"needs {schools_n + 1} open schools teaching grade 3 (run seed first)"}
    single_school, schools = schools[0], schools[1:]
    run_id = int(time.time()) % 100_000
    Student.objects.filter(pupil_code__startswith="BK").delete()  # an earlier run's pupils (the bench's own codes)
    user, _ = User.objects.get_or_create(username="bench_bulk", defaults={"role": Role.MINISTRY,
                                                                           "may_view_id_numbers": True})
    if not user.may_view_id_numbers:
        User.objects.filter(pk=user.pk).update(may_view_id_numbers=True)
        user.refresh_from_db()
    token, secret = api_token_create(user=user, name="bench bulk", scope=Scope.country(), can_write=True,
                                     can_view_id_numbers=True)
    # The bench's ID numbers skip those the seed gave (a number on another pupil's record is rightly refused).
    taken = set(Student.objects.filter(id_number__startswith="096217").values_list("id_number", flat=True))
    serials = (n for n in range(1, 300_000) if _pupil("", "", n)["id_number"] not in taken)
    full: list[list[dict]] = [[_pupil(s.code, f"BK{s.pk:06d}{i:05d}", next(serials)) for i in range(pupils_n)]
                              for s in schools]
    step = round(1 / DELTA_SHARE)
    delta = [[dict(r, class_name="3B") for r in rows[::step]] for rows in full]
    resync = [[dict(r, class_name="3C") if i % step == 1 else (dict(r, class_name="3B") if i % step == 0 else r)
               for i, r in enumerate(rows)] for rows in full]
    singles = []
    for i in range(single_n):
        row = _pupil(single_school.code, f"BKS{run_id:05d}{i:06d}", next(serials))
        row.pop("school_code")
        singles.append(("POST", "/api/v1/students/", {**row, "school": single_school.pk}))

    redis_url = os.environ.get("REDIS_URL", settings.CELERY_BROKER_URL)
    env = dict(os.environ, DJANGO_DEBUG="false", API_THROTTLE_RATE="1000000000/minute", CELERY_SPLIT_QUEUES="1",
               GUNICORN_BIND=f"{HOST}:{PORT}", GUNICORN_WORKERS=os.environ.get("BENCH_BULK_WEB_WORKERS", "2"),
               GUNICORN_THREADS="4", GUNICORN_MAX_REQUESTS="0", GUNICORN_LOGLEVEL="warning", LOG_LEVEL="WARNING",
               CELERY_BROKER_URL=redis_url, REDIS_URL=redis_url)
    web = start_gunicorn(PORT, env=env)
    worker = start_worker("bench-bulk", env=env, pool="prefork",
                          concurrency=int(os.environ.get("BENCH_BULK_WORKERS", "4")), queues=["imports"])
    _SERVER_PIDS[:] = [web.pid, worker.pid]
    _PG[:] = [_PostgresCpu(settings.DATABASES["default"]["NAME"])]
    _PG[0].thread.start()
    out: dict = {"data": {"schools_synced": len(schools), "pupils_per_school": pupils_n,
                          "pupils_in_database": Student.objects.count(), "clients": clients},
                 "server": {"gunicorn_workers": env["GUNICORN_WORKERS"], "celery_workers": os.environ.get(
                     "BENCH_BULK_WORKERS", "4")}}
    try:
        wait_until_ready(f"{BASE}/healthz", web)
        _round(secret, [full[0][:5]], 1)  # warm: first request, first job
        out["bulk_full_load"] = _round(secret, full, clients)
        out["bulk_delta"] = _round(secret, delta, clients)
        out["bulk_resync"] = _round(secret, resync, clients)
        out["single_create"] = _single(secret, singles, clients)
        ids = dict(Student.objects.filter(pupil_code__in=[d["pupil_code"] for _m, _p, d in singles]).values_list(
            "pupil_code", "pk"))
        out["single_update"] = _single(secret, [("PATCH", f"/api/v1/students/{ids[d['pupil_code']]}/",
                                                 {"full_name": d["full_name"] + " Minh"})
                                                for _m, _p, d in singles if d["pupil_code"] in ids], clients)
        for name in ("bulk_full_load", "bulk_delta", "bulk_resync", "single_create", "single_update"):
            out[name]["server_cpu_ms_per_record"] = _cpu_ms_per_record(out[name])
        out["ratio_cpu_per_record_single_create_over_bulk_create"] = round(
            out["single_create"]["server_cpu_ms_per_record"] / max(out["bulk_full_load"]["server_cpu_ms_per_record"],
                                                                   0.001), 1)
        bulk_rate = out["bulk_full_load"]["records_per_s"]
        out["ratio_bulk_create_over_single_create"] = round(bulk_rate / max(out["single_create"]["records_per_s"], 0.1), 1)
        out["ratio_bulk_resync_over_single_update"] = round(
            out["bulk_resync"]["records_per_s"] / max(out["single_update"]["records_per_s"], 0.1), 1)
        per_school = round(NATIONAL_AVG_PUPILS * DELTA_SHARE)
        jobs_per_s = out["bulk_delta"]["jobs_per_s"] * per_school / max(len(delta[0]), 1) \
            if per_school > len(delta[0]) else out["bulk_delta"]["jobs_per_s"]
        out["fleet_nightly_delta_estimate"] = {
            "note": "ESTIMATE, not measured: 17,083 systems x one delta each, at the delta round's measured jobs/s "
                    "(scaled by records per job when the national delta is larger), this machine, this data size",
            "records_per_school": per_school, "records": FLEET * per_school,
            "minutes": round(FLEET / max(jobs_per_s, 0.001) / 60, 1), "target_minutes": 5}
        out["targets"] = {"bulk_records_per_s": 20_000, "ratio_over_single": 50}
        out["meets_targets"] = {"bulk_records_per_s": bulk_rate >= 20_000,
                                "ratio_over_single": out["ratio_bulk_create_over_single_create"] >= 50,
                                "fleet_minutes": out["fleet_nightly_delta_estimate"]["minutes"] <= 5}
    finally:
        _PG[0].stop.set()
        stop(web, timeout=30)
        stop(worker, timeout=60)
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        client = redis.Redis.from_url(redis_url)
        for queue in ("verification", "statistics", "celery"):  # follow-up work of the writes: not run here
            client.delete(queue)
    return out


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2, ensure_ascii=False))  # noqa: T201

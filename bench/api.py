"""The REST API under load: gunicorn on loopback, wrk as the load generator, token authentication.

    overview      GET /api/v1/stats/overview/ (pre-aggregated statistics; target >= 1,500 req/s, p99 < 30 ms)
    raw_group_by  the same figures (schools, staff, students, verification states; total, by level and
                  by ownership) computed by GROUP BY over the raw tables on every request, through
                  the same authentication, throttling and rendering (a bench-only address, below)
    pupils_page   GET /api/v1/students/?province=<p>&gender=F&page_size=100 (target >= 300 req/s)

Each is measured in the same run; `ratio` is overview req/s over raw req/s. The server is
gunicorn with the project's gunicorn.conf.py (workers/threads overridable by BENCH_API_WORKERS /
BENCH_API_THREADS), DEBUG off, the throttle raised out of the way. wrk runs on the same 2-core
machine, so its CPU is taken from the server: the figures are a floor.

The bench-only address /bench/api/raw-overview/ exists only in the URL configuration of the
gunicorn started here (`bench.api:bench_application()`), never in the public API.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

from tests.processes import start_gunicorn, stop, wait_until_ready

HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_API_PORT", "8300"))
BASE = f"http://{HOST}:{PORT}"
RAW_PATH = "/bench/api/raw-overview/"


# --- the bench-only server side ---------------------------------------------------------------

def _raw_overview_view():
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from api.scope import request_scope
    from dashboards.raw import raw_figures
    from verification.models import VerificationStatus

    def figures(row: dict) -> dict:
        return {"schools": row.get("schools", 0), "staff": row.get("staff", 0), "students": row.get("pupils", 0),
                "verification": {v: row.get(f"pupils_ver_{v}", 0) + row.get(f"staff_ver_{v}", 0)
                                 for v in VerificationStatus.values}}

    class RawOverview(APIView):
        """The overview's head figures by GROUP BY over schools, enrollments and staff, every time."""

        def get(self, request):
            scope = request_scope(request)
            total = raw_figures(scope=scope).get(None, {})
            data = figures(total)
            for group in ("level", "ownership"):
                data[f"by_{group}"] = [{"key": key, **figures(row)}
                                       for key, row in sorted(raw_figures(scope=scope, group=group).items())]
            return Response(data)

    return RawOverview.as_view()


def __getattr__(name: str):
    # This module is the URL configuration of the bench server; built on first use, once Django is set up.
    if name == "urlpatterns":
        from django.urls import include, path

        patterns = [path(RAW_PATH.strip("/") + "/", _raw_overview_view()), path("", include("edu_portal.urls"))]
        globals()["urlpatterns"] = patterns
        return patterns
    raise AttributeError(name)


def bench_application():
    """gunicorn 'bench.api:bench_application()': the portal plus the bench-only address."""
    from django.conf import settings
    from django.urls import get_resolver

    from edu_portal.wsgi import application  # the production entry point, views imported at boot

    settings.ROOT_URLCONF = "bench.api"
    get_resolver().url_patterns  # noqa: B018 - this configuration's views, at boot too
    return application


# --- the client side --------------------------------------------------------------------------

def _get(path: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(BASE + path, headers={"Authorization": f"Token {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - loopback
        return response.status, json.loads(response.read())


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(value) * _UNITS[unit], 2)


def _wrk(path: str, token: str, *, seconds: int, connections: int) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
           "-H", f"Authorization: Token {token}", BASE + path]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    latency = dict(re.findall(r"^\s+(50|75|90|99)\.?0*%\s+([\d.]+\w+)\s*$", out, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"requests_per_s": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), 1),
            "p50_ms": _ms(latency["50"]), "p90_ms": _ms(latency["90"]), "p99_ms": _ms(latency["99"]),
            "requests": int(total.group(1)) if total else None,
            "errors": int(non_2xx.group(1)) if non_2xx else 0, "connections": connections, "seconds": seconds}


def _sequential(path: str, token: str, *, n: int) -> dict:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        _get(path, token)
        times.append(time.perf_counter() - started)
    times.sort()
    return {"requests_per_s": round(n / sum(times), 3), "p50_ms": round(times[len(times) // 2] * 1000, 1),
            "max_ms": round(times[-1] * 1000, 1), "requests": n, "connections": 1}


def _statistics_ready() -> bool:
    """The overview reads the pre-aggregated statistics: compute them if this database has none."""
    from accounts.scope import Scope
    from dashboards.selectors import stats_summary
    from dashboards.services import stats_refresh_all

    if stats_summary(scope=Scope.country(), filters={}, groups=()).computed_at is None:
        stats_refresh_all()
        return True
    return False


def run(quick: bool) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings.dev")
    django.setup()
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import Role, User
    from accounts.scope import Scope
    from api.models import ApiToken
    from api.services import api_token_create
    from schools.models import School
    from students.models import Student

    if not shutil.which("wrk"):
        return {"status": "failed", "reason": "wrk is not installed (apt-get install -y wrk)"}
    seconds = 5 if quick else 15
    connections = int(os.environ.get("BENCH_API_CONNECTIONS", "8"))
    user, _ = User.objects.get_or_create(username="bench_api", defaults={"role": Role.MINISTRY})
    token, secret = api_token_create(user=user, name="bench", scope=Scope.country())
    busiest = (Student.objects.values("school__province_id").order_by().annotate(n=Count("id"))
               .order_by("-n").first())
    province = busiest["school__province_id"] if busiest else "01"
    pupils_path = f"/api/v1/students/?province={province}&gender=F&page_size=100"

    env = dict(os.environ, DJANGO_DEBUG="false", API_THROTTLE_RATE="1000000000/minute",
               GUNICORN_BIND=f"{HOST}:{PORT}", GUNICORN_WORKERS=os.environ.get("BENCH_API_WORKERS", "4"),
               GUNICORN_THREADS=os.environ.get("BENCH_API_THREADS", "1"), GUNICORN_MAX_REQUESTS="0",
               GUNICORN_LOGLEVEL="warning", LOG_LEVEL="WARNING")
    proc = start_gunicorn(PORT, env=env, app="bench.api:bench_application()")
    refreshed = _statistics_ready()
    out: dict = {"statistics_refreshed_first": refreshed, "server": {"workers": env["GUNICORN_WORKERS"], "threads": env["GUNICORN_THREADS"],
                            "pid": proc.pid},
                 "data": {"schools": School.objects.count(), "students": Student.objects.count(),
                          "pupils_page_province": province}}
    try:
        wait_until_ready(f"{BASE}/healthz", proc)
        status, overview = _get("/api/v1/stats/overview/", secret)
        _, raw = _get(RAW_PATH, secret)
        _, page = _get(pupils_path, secret)
        keys = ("schools", "staff", "students", "verification")
        out["figures_equal"] = {k: overview.get(k) == raw.get(k) for k in keys}
        out["pupils_page_rows"] = len(page["results"])
        for name, path in (("overview", "/api/v1/stats/overview/"), ("pupils_page", pupils_path)):
            _wrk(path, secret, seconds=2, connections=connections)  # warm every worker
            out[name] = _wrk(path, secret, seconds=seconds, connections=connections)
        # GROUP BY over millions of rows takes seconds: timed one request after another (wrk
        # would time out, and its abandoned requests would keep the workers busy).
        out["raw_group_by"] = _sequential(RAW_PATH, secret,
                                          n=int(os.environ.get("BENCH_RAW_ITERATIONS", 2 if quick else 4)))
        out["ratio_overview_over_raw_rps"] = round(
            out["overview"]["requests_per_s"] / max(out["raw_group_by"]["requests_per_s"], 0.1), 1)
        out["targets"] = {"overview_rps": 1500, "overview_p99_ms": 30, "pupils_page_rps": 300}
        out["meets_targets"] = {
            "overview_rps": out["overview"]["requests_per_s"] >= 1500,
            "overview_p99_ms": out["overview"]["p99_ms"] < 30,
            "pupils_page_rps": out["pupils_page"]["requests_per_s"] >= 300,
        }
    finally:
        stop(proc, timeout=30)  # SIGTERM: the gunicorn master started above stops its workers
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    return out


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2, ensure_ascii=False))  # noqa: T201

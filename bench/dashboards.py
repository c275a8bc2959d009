"""Dashboards: server time of the overview and the province drill-down, side by side with the
same figures computed by GROUP BY over the raw tables; full and incremental refresh times.

    page         the Django view through the test Client (middleware, session, template):
                 `cached` is the normal path (figures memoised per process until the next
                 refresh), `shared_cache` a process with an empty memo reading the figures
                 another process computed (Redis), `uncached` recomputes them from the
                 per-school statistics each time (a new statistics version before each request),
                 `first_after_refresh` the first request after an incremental refresh done the
                 way the worker does it (refresh, then warm the overview and that province)
    selector     stats_summary() alone over the per-school rows (the SQL of the uncached path)
    raw          dashboards.raw.raw_figures(): schools, connected, staff, pupils and the
                 verification states, GROUP BY over schools/enrollments/staff (the baseline)
    refresh      stats_refresh_all() of every year (INSERT ... SELECT ... GROUP BY, the rollup and the
                 flows), stats_refresh_current_years() (what beat runs every 15 minutes: the target
                 of 60 s), and stats_refresh_schools() of the largest school (what follows an upload)

Runs on whatever data the database holds (bench.run seeds one tenth of national scale first).
Every timing reports wall time and the process's CPU time; with other work on the machine
(see load_average_1_5_15) the wall time is mostly waiting.
"""
from __future__ import annotations

import os
import statistics
import time


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000, 2)


def _timed(fn, n: int) -> dict:
    """Wall time, and this process's CPU time (which a busy machine inflates much less: the
    difference is waiting for a CPU, PostgreSQL and Redis). `fn.before`, when there is one, runs before
    each call and outside its time: what makes the call cold (a new statistics version, which the refresh
    writes, not the page)."""
    times, cpu = [], []
    before = getattr(fn, "before", None)
    for _ in range(n):
        if before is not None:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {"n": n, "p50_ms": _p(times, 0.5), "p95_ms": _p(times, 0.95), "max_ms": _p(times, 1.0),
            "cpu_p50_ms": _p(cpu, 0.5), "cpu_p95_ms": _p(cpu, 0.95)}


def _before(fn, *steps):
    """`fn` timed after `steps` (run untimed before each call, by _timed)."""
    def call():
        fn()

    def before():
        for step in steps:
            step()

    call.before = before
    return call


def run(quick: bool) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import Role, User
    from accounts.scope import Scope
    from dashboards import cache, selectors
    from dashboards.raw import raw_figures
    from dashboards.services import stats_refresh_all, stats_refresh_current_years, stats_refresh_schools
    from schools.models import School
    from students.models import Enrollment

    from .pgcpu import pg_cpu

    n_page, n_raw = (60, 3) if quick else (400, 10)
    n_raw = int(os.environ.get("BENCH_RAW_ITERATIONS", n_raw))  # GROUP BY at national size takes seconds each
    out: dict = {"iterations": {"page": n_page, "raw": n_raw}}

    # BENCH_FULL_REFRESH=0: the every-year refresh (with the flows) was timed on its own (`manage.py
    # stats_refresh`: minutes at national size); the current year's is always timed.
    if os.environ.get("BENCH_FULL_REFRESH", "1") != "0":
        started = time.perf_counter()
        out["full_refresh_rows"] = stats_refresh_all()
        out["full_refresh_s"] = round(time.perf_counter() - started, 2)
    # BENCH_REFRESH=0: the pages only (while working on them): no refresh is timed (the current year's, a
    # school's, the first request after one), and with BENCH_RAW_ITERATIONS=0 no GROUP BY over the raw tables.
    refreshes = os.environ.get("BENCH_REFRESH", "1") != "0"
    if refreshes:
        started = time.perf_counter()
        with pg_cpu(connection, out, "current_year_refresh_pg_cpu_s"):
            out["current_year_refresh_rows"] = stats_refresh_current_years()
        out["current_year_refresh_s"] = round(time.perf_counter() - started, 2)
        out["current_year_refresh_target_s"] = 60

    biggest = (Enrollment.objects.values("school_id").order_by().annotate(n=django.db.models.Count("id"))
               .order_by("-n").first())
    if biggest and refreshes:
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            stats_refresh_schools(school_ids=[biggest["school_id"]])
            runs.append(time.perf_counter() - started)
        out["incremental_refresh_pupils"] = biggest["n"]
        out["incremental_refresh_ms_median"] = round(statistics.median(runs) * 1000, 1)
        out["incremental_refresh_ms_max"] = round(max(runs) * 1000, 1)
        out["incremental_refresh_target_ms"] = 2000

    user, created = User.objects.get_or_create(username="bench_ministry", defaults={"role": Role.MINISTRY})
    if created:
        user.set_unusable_password()  # signed in by force_login only
        user.save(update_fields=["password"])
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    scope = Scope.country()
    province = (selectors.stats_summary(scope=scope, groups=("province",)).groups["province"] or [{"key": "01"}])
    province = max(province, key=lambda r: r.get("schools", 0))["key"]
    out["drill_down_province"] = province
    communes = selectors.stats_summary(scope=scope, filters={"province": province}, groups=("commune",)).groups["commune"]
    commune = max(communes, key=lambda r: r.get("schools", 0))["key"] if communes else None
    out["drill_down_commune"] = commune

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return get

    def uncached(fn):
        """The cold path: a new statistics version (as after a refresh nobody warmed)."""
        return _before(fn, cache.stats_version_bump)

    def shared(fn):
        """A web process whose own memo is empty, reading what another process computed (Redis)."""
        return _before(fn, lambda: cache._LOCAL["entries"].clear())

    overview_url, province_url = "/dashboards/", f"/dashboards/provinces/{province}/"
    page(overview_url)()
    page(province_url)()
    out["overview_page_cached"] = _timed(page(overview_url), n_page)
    out["overview_page_uncached"] = _timed(uncached(page(overview_url)), n_page)
    out["overview_page_shared_cache"] = _timed(shared(page(overview_url)), n_page)
    out["province_page_cached"] = _timed(page(province_url), n_page)
    out["province_page_uncached"] = _timed(uncached(page(province_url)), n_page)
    out["province_page_shared_cache"] = _timed(shared(page(province_url)), n_page)
    if commune:
        commune_url = f"/dashboards/communes/{commune}/"
        page(commune_url)()
        out["commune_page_cached"] = _timed(page(commune_url), n_page)
        out["commune_page_uncached"] = _timed(uncached(page(commune_url)), n_page)
    if biggest:
        school_url = f"/dashboards/schools/{biggest['school_id']}/"
        page(school_url)()
        out["school_page"] = _timed(page(school_url), n_page)
    # The facilities dashboard (issue 18): the same cold (new statistics version) and cached timings.
    facility_urls = {"facilities_overview": "/dashboards/facilities/",
                     "facilities_province": f"/dashboards/facilities/provinces/{province}/"}
    if commune:
        facility_urls["facilities_commune"] = f"/dashboards/facilities/communes/{commune}/"
    if biggest:
        facility_urls["facilities_school"] = f"/dashboards/facilities/schools/{biggest['school_id']}/"
    for name, url in facility_urls.items():
        page(url)()
        out[f"{name}_page_cached"] = _timed(page(url), n_page)
        out[f"{name}_page_uncached"] = _timed(uncached(page(url)), n_page)
    out["api_facilities_uncached"] = _timed(uncached(page("/api/v1/stats/facilities/")), n_page)
    # What a user sees right after an upload: the worker refreshed the school and warmed the
    # shared cache (dashboards.tasks.refresh_school_stats, called here in-process), then the
    # first request of a web process whose own memo is empty.
    if biggest and refreshes:
        from dashboards.tasks import refresh_school_stats

        def after_refresh(url):
            def call():
                refresh_school_stats(school_ids=[biggest["school_id"]])
                cache._LOCAL["entries"].clear()
                started = time.perf_counter()
                page(url)()
                return time.perf_counter() - started
            return call

        # Warmed: the overview and the refreshed school's province; any other province is cold.
        out["refreshed_school_province"] = School.objects.get(pk=biggest["school_id"]).province_id
        for name, url in (("overview", overview_url), ("province", province_url)):
            firsts = [after_refresh(url)() for _ in range(max(10, n_page // 10))]
            out[f"{name}_page_first_after_refresh"] = {"n": len(firsts), "p50_ms": _p(firsts, 0.5),
                                                       "p95_ms": _p(firsts, 0.95), "max_ms": _p(firsts, 1.0)}
    out["overview_selector_uncached"] = _timed(uncached(
        lambda: selectors.stats_summary(scope=scope, groups=("province", "level", "ownership"))), n_page)
    out["api_overview_cached"] = _timed(page("/api/v1/stats/overview/"), n_page)

    def raw_overview():
        for group in ("province", "level", "ownership"):
            raw_figures(scope=scope, group=group)
        return raw_figures(scope=scope)

    def raw_province():
        for group in ("commune", "level", "ownership"):
            raw_figures(scope=scope, filters={"province": province}, group=group)
        return raw_figures(scope=scope, filters={"province": province})

    if not n_raw:
        out["page_p95_target_ms"] = 20
        out["load_average_1_5_15"] = [round(x, 1) for x in os.getloadavg()]
        return out
    out["overview_raw_group_by"] = _timed(raw_overview, n_raw)
    out["province_raw_group_by"] = _timed(raw_province, n_raw)

    # The same figures both ways (a benchmark of wrong numbers would be worthless).
    keys = ["schools", "connected", "pupils", "staff", "pupils_ver_verified", "staff_ver_verified"]
    pre = selectors.stats_summary.uncached(scope=scope, filters={}, groups=("province",))
    raw = raw_figures(scope=scope, group="province")
    out["figures_equal"] = all(
        {k: row[k] for k in keys} == {k: raw.get(row["key"], {}).get(k, 0) for k in keys}
        for row in pre.groups["province"])

    for name in ("overview", "province"):
        raw_p95 = out[f"{name}_raw_group_by"]["p95_ms"]
        out[f"{name}_ratio_raw_over_page_cached"] = round(raw_p95 / max(out[f"{name}_page_cached"]["p95_ms"], 0.01), 1)
        out[f"{name}_ratio_raw_over_page_uncached"] = round(
            raw_p95 / max(out[f"{name}_page_uncached"]["p95_ms"], 0.01), 1)
    out["page_p95_target_ms"] = 20
    out["load_average_1_5_15"] = [round(x, 1) for x in os.getloadavg()]
    out["cpus"] = os.cpu_count()
    out["data"] = {"schools": School.objects.count(), "enrollments": Enrollment.objects.count()}
    return out


if __name__ == "__main__":
    import json
    import sys

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_portal.settings.dev")
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2, default=str))

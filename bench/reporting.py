"""Approval and the national freeze at the size of the database it runs on (issue 19; targets: a whole province
approved in one action in under 10 s, the national period frozen in under 60 s).

    setup      a reporting period of the current school year opened, the year's statistics refreshed as the
               15-minute beat keeps them (stats_refresh_all(years=[year]): untimed for the targets, reported)
    province   every open school of the largest province marked submitted (in SQL), BENCH_REPORTING_STALE_SHARE
               of them (default 1%) with an enrollment written since that refresh; submissions_approve of all of
               them at once, as the province presses "Duyệt" (the stale ones refreshed for the year first,
               the others frozen from their stored rows); rolled back to before the approval
    national   every open school of the country marked submitted, the same share written since; then the
               ministry's national freeze (period_freeze_national: every report approved, every province accepted)
    baseline   the plain INSERT ... SELECT of that many statistics rows (the year's, of the province and of the
               country) into a copy of dashboards_schoolstats with its indexes: what writing the frozen rows
               costs at all

Everything is rolled back: the database is left as it was (but for dead rows that autovacuum clears).

    pages      the official-figure pages cold (target: 20 ms p95, as the live pages): the country, the largest
               province, its largest commune and its largest school, each with ?period=<a frozen period>, and the
               statistics API's overview/ and provinces/ with ?period=, through the Django test Client.
               `official_cold`: a new official version before each request (the official figures recomputed, the
               live ones as cached as on the live page); `all_cold`: the statistics' version too (nothing cached);
               `live_cold`: the same page without ?period= and a new statistics version (the live page's
               uncached path, for comparison). `sums_*`: the national and the province's official sums alone, from
               the official rollup and from the frozen rows (the way before the rollup).
               The period: the current year's period with the most frozen schools; if none has any, one is opened
               (with no domain: nothing is locked) and frozen nationally (period_freeze_national, timed), and LEFT
               in the database for the next run (BENCH_REPORTING_FREEZE=0: skip the pages rather than freeze).

BENCH_REPORTING_PARTS=approval,pages (default both) chooses the parts.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import time

PROVINCE_TARGET_S = 10.0
NATIONAL_TARGET_S = 60.0


class _Rollback(Exception):
    pass


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return round(time.perf_counter() - started, 3), value


def _submit(cursor, period_id: int, province: str | None) -> int:
    """Mark the open schools (of a province, or all) submitted, as thousands of schools pressing "Nộp"."""
    cursor.execute(
        "INSERT INTO reporting_submission (period_id, school_id, status, submitted_at, first_submitted_at, comment,"
        " changed_after_approval, updated_at) SELECT %(period)s, id, 'submitted', now(), now(), '', 0, now()"
        " FROM schools_school WHERE status = 'open' AND (%(province)s::text IS NULL OR province_id = %(province)s)"
        " ON CONFLICT (period_id, school_id) DO NOTHING", {"period": period_id, "province": province})
    return cursor.rowcount


def _write_some(cursor, school_ids: list[int], year: int, share: float) -> int:
    """One enrollment of every n-th school rewritten (a no-op update: the triggers record the write all the same),
    so that these schools' statistics rows are older than their data."""
    step = max(1, round(1 / share)) if share > 0 else 0
    chosen = school_ids[::step] if step else []
    if chosen:
        cursor.execute("UPDATE students_enrollment SET class_name = class_name WHERE id IN (SELECT min(id)"
                       " FROM students_enrollment WHERE school_id = ANY(%s) AND school_year = %s GROUP BY school_id)",
                       [chosen, year])
    return len(chosen)


def _baseline(cursor, year: int, province: str | None) -> tuple[float, int]:
    # Our own table, created in this (rolled back) transaction: a real one (WAL), as the frozen rows' table is.
    cursor.execute("DROP TABLE IF EXISTS bench_schoolstats")
    cursor.execute("CREATE TABLE bench_schoolstats (LIKE dashboards_schoolstats INCLUDING ALL)")
    started = time.perf_counter()
    cursor.execute("INSERT INTO bench_schoolstats SELECT * FROM dashboards_schoolstats WHERE school_year = %s"
                   " AND (%s::text IS NULL OR province_id = %s)", [year, province, province])
    return round(time.perf_counter() - started, 3), cursor.rowcount


class _Phases(logging.Handler):
    """The approval's own account of its phases (reporting.services logs them): stale check, refresh, freeze."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record):
        if record.getMessage().startswith("approve "):
            self.lines.append(record.getMessage())


def _approval(quick: bool) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.scope import PROVINCE, Scope
    from dashboards.services import stats_refresh_all
    from edu_portal.common.models import current_school_year
    from reporting import services
    from reporting.models import OfficialFigures, ReportingPeriod

    year = current_school_year()
    share = float(os.environ.get("BENCH_REPORTING_STALE_SHARE", "0.01"))
    today = timezone.localdate()
    out: dict = {"school_year": year, "stale_share": share}
    phases = _Phases()
    logger = logging.getLogger("reporting.services")
    logger.addHandler(phases)
    logger.setLevel(logging.INFO)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Opened directly, of a kind the year has no period of yet (rolled back with the rest).
            taken = set(ReportingPeriod.objects.filter(school_year=year).values_list("kind", flat=True))
            kind = next(k for k in ("end", "semester_1", "start") if k not in taken)
            period = ReportingPeriod.objects.create(school_year=year, kind=kind, domains=[
                "enrollment", "staff", "results", "physical", "facilities"], opens_on=today - dt.timedelta(days=1),
                closes_on=today + dt.timedelta(days=10), expires_on=today + dt.timedelta(days=20))
            out["setup_refresh_year_s"], _rows = _timed(lambda: stats_refresh_all(years=[year]))
            cursor.execute("SET LOCAL work_mem TO DEFAULT")  # the refresh's, kept by this outer transaction
            cursor.execute("SELECT province_id FROM schools_school WHERE status = 'open' GROUP BY 1"
                           " ORDER BY count(*) DESC, 1 LIMIT 1")
            province = cursor.fetchone()[0]

            # The province, rolled back to here afterwards.
            savepoint = transaction.savepoint()
            submitted = _submit(cursor, period.pk, province)
            cursor.execute("SELECT school_id FROM reporting_submission WHERE period_id = %s ORDER BY 1", [period.pk])
            ids = [r[0] for r in cursor.fetchall()]
            stale = _write_some(cursor, ids, year, share)
            scope = Scope(PROVINCE, province_code=province)
            seconds, approved = _timed(lambda: services.submissions_approve(
                scope=scope, user=None, period_id=period.pk, school_ids=ids, comment="bench"))
            out["province"] = {"province": province, "schools": submitted, "written_since_refresh": stale,
                               "approved": approved, "frozen": OfficialFigures.objects.filter(
                                   submission__period=period).count(), "approve_s": seconds,
                               "phases": phases.lines[-1] if phases.lines else ""}
            transaction.savepoint_rollback(savepoint)
            base_s, base_rows = _baseline(cursor, year, province)
            out["province"].update({"baseline_insert_rows": base_rows, "baseline_insert_s": base_s,
                                    "ratio_vs_baseline": round(seconds / base_s, 1) if base_s else None})

            # The country.
            submitted = _submit(cursor, period.pk, None)
            cursor.execute("SELECT school_id FROM reporting_submission WHERE period_id = %s ORDER BY 1", [period.pk])
            stale = _write_some(cursor, [r[0] for r in cursor.fetchall()], year, share)
            seconds, done = _timed(lambda: services.period_freeze_national(
                scope=Scope.country(), user=None, period_id=period.pk, comment="bench"))
            out["national"] = {"schools": submitted, "written_since_refresh": stale, **done,
                               "frozen": OfficialFigures.objects.filter(submission__period=period).count(),
                               "freeze_s": seconds, "phases": phases.lines[-1] if phases.lines else ""}
            base_s, base_rows = _baseline(cursor, year, None)
            out["national"].update({"baseline_insert_rows": base_rows, "baseline_insert_s": base_s,
                                    "ratio_vs_baseline": round(seconds / base_s, 1) if base_s else None})
            raise _Rollback
    except _Rollback:
        pass
    finally:
        logger.removeHandler(phases)
    out["target"] = {"province_approve_s<=10": out["province"]["approve_s"] <= PROVINCE_TARGET_S,
                     "national_freeze_s<=60": out["national"]["freeze_s"] <= NATIONAL_TARGET_S}
    return out


def run(quick: bool) -> dict:
    parts = [p for p in os.environ.get("BENCH_REPORTING_PARTS", "approval,pages").split(",") if p]
    out: dict = {}
    if "approval" in parts:
        out.update(_approval(quick))
    if "pages" in parts:
        from bench.reporting_pages import pages

        out["pages"] = pages(quick)
    return out

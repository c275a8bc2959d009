# ruff: noqa: S608 - the SQL below is assembled only from the constant metric definitions in
# metrics.py; every value (school ids, the year) is passed as a query parameter.
"""Writes on the pre-aggregated statistics: the per-school rows (SchoolStats), their rollup by
province and commune (StatsRollup, dashboards.rollup) and the flows between years (FlowStats), each
refresh in one transaction under one advisory lock.

Public entry points (other apps enqueue these after their writes commit):
- `stats_refresh_all(*, years=None) -> int`: recompute every school's rows (INSERT ... SELECT ... GROUP
  BY in PostgreSQL) and rebuild the rollup; without `years` every year and the flows (when beat
  starts, after the rollover and large imports), with `years` those years only, not the flows.
- `stats_refresh_current_years() -> int`: the current school year, and the next once opened
  (`stats_years_current`); beat, every 15 minutes ("dashboards-refresh-all").
- `stats_refresh_flows() -> int`: the flows of every school; beat, nightly ("dashboards-refresh-flows").
- `stats_refresh_schools(*, school_ids: list[int]) -> int`: recompute the rows (every year), the flows
  and the rollup's areas of these schools only (an upload, a verification batch, a transfer: pass
  both the old and the new school; a school's own record edited or deleted).
- `stats_refresh_leavers_due(*, on=None) -> list[int]`: the schools whose leavers' (or transferred
  pupils') day is today, refreshed daily by beat ("dashboards.refresh_leavers_due").
- Celery tasks in dashboards/tasks.py, enqueued by name (edu_portal.common.queue), so that the
  records apps and the other features need not import this app: `"dashboards.refresh_schools"`
  (school ids; the one task that refreshes schools, whoever changed them) and
  `"dashboards.tasks.refresh_all_stats"`. From a write, after it commits:
  `enqueue_on_commit("dashboards.refresh_schools", ids)`.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import time

from django.db import connection, transaction
from django.utils import timezone

from edu_portal.common.models import current_school_year
from edu_portal.common.queue import enqueue_on_commit
from facilities.standings import standings_refresh

from . import flows, rollup
from .cache import stats_changed
from .metrics import EQUIPMENT_SOURCE, METRICS, NUTRITION_LATEST, PUPIL_COLUMNS, SOURCES, STUDYING

log = logging.getLogger(__name__)

_TABLE = "dashboards_schoolstats"


def _refresh_sql(*, only_schools: bool, by_years: bool = False) -> str:
    """One statement: delete the rows, then recompute them from the raw tables, GROUP BY school.

    With `only_schools`, every source is limited by `school_id = ANY(%(ids)s)`, which the
    (school, school_year) indexes serve, so one school takes milliseconds. With `by_years`, every
    source counted by year is limited by `school_year = ANY(%(years)s)` (the staff have no year:
    the same rows go into every year's figures), and only those years' rows are replaced.
    """
    where = "AND {alias}.school_id = ANY(%(ids)s)" if only_schools else ""
    year_where = "AND {alias}.school_year = ANY(%(years)s)" if by_years else ""
    school_where = "WHERE sc.id = ANY(%(ids)s)" if only_schools else ""
    # The (pupil, year) pairs with results / physical records (metrics.HAS_RESULT, HAS_PHYSICAL), inlined
    # into each EXISTS; the enrollment they are correlated with limits them to its pupil and year.
    pairs_where = "WHERE school_year = ANY(%(years)s)" if by_years else ""
    # A partial refresh probes each pupil's results and physical records by index (metrics.HAS_RESULT,
    # HAS_PHYSICAL); the full refresh joins the rows it staged (_stage_sql).
    ctes = [f"hr AS NOT MATERIALIZED (SELECT student_id, school_year FROM students_academicresult {pairs_where})",
            f"hp AS NOT MATERIALIZED (SELECT student_id, school_year FROM students_physicalrecord {pairs_where})",
            ] if only_schools else []
    selects, joins = [], []
    for source, spec in SOURCES.items():
        metrics = [m for m in METRICS if m.source == source]
        cols = ",\n    ".join(f"{m.sql} AS {m.name}" for m in metrics)
        by_year = spec["by_year"]
        group = f"{spec['alias']}.school_id" + (f", {spec['alias']}.school_year" if by_year else "")
        limit = where.format(alias=spec["alias"]) + (" " + year_where.format(alias=spec["alias"]) if by_year else "")
        if by_years:  # metrics.SOURCES: the tables joined on the year (70 M enrollments probed, not 24 M, before)
            limit += "".join(" " + year_where.format(alias=alias) for alias in spec.get("joined_by_year", ()))
        from_ = EQUIPMENT_SOURCE if source == "equipment" else spec["from"]
        if source == "nutrition":
            if only_schools:
                # Among all the pupil's records of the year, whatever school took them: a school's refresh counts
                # what the full refresh counts (the latest measurement, at the school that took it).
                limit += " AND " + NUTRITION_LATEST.format(where="")
            else:
                from_ = f"{_LATEST} p"
                _assert_staged(metrics)
        if source == "pupil":
            staged = {} if only_schools else _STAGED_COLUMNS
            if not only_schools:
                from_ += (f" LEFT JOIN {_LATEST} lp ON lp.student_id = e.student_id AND lp.school_year = e.school_year"
                          f" LEFT JOIN {_RESULTS} lr ON lr.student_id = e.student_id AND lr.school_year = e.school_year")
            ctes.append(f"{source}_c AS ({_pupil_sql(metrics, from_=from_, limit=limit, staged=staged)})")
        else:
            ctes.append(f"{source}_c AS (SELECT {group}, {cols}\n  FROM {from_}\n  WHERE TRUE {limit}\n"
                        f"  GROUP BY {group})")
        on = f"{source}_c.school_id = sc.id" + (f" AND {source}_c.school_year = y.school_year" if by_year else "")
        joins.append(f"LEFT JOIN {source}_c ON {on}")
        selects += [f"COALESCE({source}_c.{m.name}, 0) AS {m.name}" for m in metrics]
    # Mismatch reasons: the fields recorded on persons whose status is "mismatch" (the
    # verification status index finds them without reading every pupil).
    ctes.append(
        "pmm AS (SELECT school_id, school_year, jsonb_object_agg(field, n) AS fields FROM ("
        " SELECT e.school_id, e.school_year, f AS field, COUNT(*) AS n"
        " FROM students_enrollment e JOIN students_student s ON s.id = e.student_id,"
        " unnest(s.verification_mismatch_fields) AS f"
        f" WHERE {STUDYING} AND s.verification_status = 'mismatch' {where.format(alias='e')}"
        f" {year_where.format(alias='e')}"
        " GROUP BY 1, 2, 3) x GROUP BY 1, 2)")
    ctes.append(
        "smm AS (SELECT school_id, jsonb_object_agg(field, n) AS fields FROM ("
        " SELECT m.school_id, f AS field, COUNT(*) AS n FROM teachers_staffmember m,"
        " unnest(m.verification_mismatch_fields) AS f"
        f" WHERE m.employment_status = 'working' AND m.verification_status = 'mismatch' {where.format(alias='m')}"
        " GROUP BY 1, 2) x GROUP BY 1)")
    # The years: every year with an enrollment, and always the current one (so that every
    # school has a row for it, even before its pupils are enrolled).
    # A partial refresh also keeps the years other schools have rows for, so that every school
    # has a row in every year (a school counts in a year even when none of its pupils does).
    others = f" UNION SELECT DISTINCT school_year FROM {_TABLE}" if only_schools else ""
    if by_years:
        # Of the years asked for, those with an enrollment (probed school by school through the
        # (school, school_year) index: no index leads with the year, and a scan of every enrollment
        # to learn that a year has none would take seconds), and the current one.
        ctes.insert(0, "years AS (SELECT y AS school_year FROM unnest(%(years)s::int[]) AS y WHERE y = %(current)s"
                       " OR EXISTS (SELECT 1 FROM schools_school sc0, LATERAL (SELECT 1 FROM students_enrollment e"
                       f" WHERE e.school_id = sc0.id AND e.school_year = y {where.format(alias='e')} LIMIT 1) x)"
                       # A year with facilities recorded (issue 18: a past year entered before its pupils).
                       " OR EXISTS (SELECT 1 FROM facilities_sitefacilities f WHERE f.school_year = y"
                       f" {where.format(alias='f')}))")
    else:
        ctes.insert(0, "years AS (SELECT DISTINCT school_year FROM students_enrollment e WHERE TRUE "
                       f"{where.format(alias='e')} UNION SELECT DISTINCT school_year FROM facilities_sitefacilities f"
                       f" WHERE TRUE {where.format(alias='f')} UNION SELECT %(current)s{others})")
    names = [m.name for m in METRICS]
    cte_sql = ",\n".join(ctes)
    join_sql = "\n".join(joins)
    columns = ("school_id, school_year, province_id, commune_id, level, ownership, status, last_synced_at,"
               f" pupil_mismatch_fields, staff_mismatch_fields, computed_at, {', '.join(names)}")
    select = (
        f"WITH {cte_sql}\n"
        "SELECT sc.id AS school_id, y.school_year, sc.province_id, sc.commune_id, sc.level, sc.ownership, sc.status,"
        " sc.last_synced_at, COALESCE(pmm.fields, '{}'::jsonb) AS pupil_mismatch_fields,"
        " COALESCE(smm.fields, '{}'::jsonb) AS staff_mismatch_fields, %(computed_at)s::timestamptz AS computed_at,\n"
        f"  {', '.join(selects)}\n"
        "FROM schools_school sc CROSS JOIN years y\n"
        f"{join_sql}\n"
        "LEFT JOIN pmm ON pmm.school_id = sc.id AND pmm.school_year = y.school_year\n"
        "LEFT JOIN smm ON smm.school_id = sc.id\n"
        f"{school_where}"
    )
    if not only_schools:
        # PostgreSQL plans no parallel workers for INSERT ... SELECT, but does for CREATE TABLE
        # AS: the full refresh aggregates into a temporary table, then copies 54,000 rows a year.
        delete = f"DELETE FROM {_TABLE}" + (" WHERE school_year = ANY(%(years)s)" if by_years else "")
        return (_stage_sql(by_years=by_years)
                + "DROP TABLE IF EXISTS _stats_new;\n"
                f"CREATE TEMP TABLE _stats_new ON COMMIT DROP AS {select};\n"
                f"DROP TABLE {_LATEST}, {_RESULTS};\n"
                f"{delete};\n"
                f"INSERT INTO {_TABLE} ({columns}) SELECT {columns} FROM _stats_new")
    return (
        f"WITH {cte_sql}\n"  # noqa: S608 - only our constant metric definitions are interpolated
        f"INSERT INTO {_TABLE} ({columns})\n"
        "SELECT sc.id, y.school_year, sc.province_id, sc.commune_id, sc.level, sc.ownership, sc.status,"
        " sc.last_synced_at, COALESCE(pmm.fields, '{}'::jsonb), COALESCE(smm.fields, '{}'::jsonb), %(computed_at)s::timestamptz,\n"
        f"  {', '.join(selects)}\n"
        "FROM schools_school sc CROSS JOIN years y\n"
        f"{join_sql}\n"
        "LEFT JOIN pmm ON pmm.school_id = sc.id AND pmm.school_year = y.school_year\n"
        "LEFT JOIN smm ON smm.school_id = sc.id\n"
        f"{school_where}"
    )


# The full refresh stages, for the years it refreshes, one row per (pupil, year) of the physical records (the latest
# measurement: metrics.NUTRITION_LATEST) and of the results (the first term's), each computed once by a parallel
# anti-join: the nutrition metrics count the first, and the pupil source joins both to know which pupils have
# results and measurements (issue 17: the semi-join of every enrollment with the physical records, and the
# anti-join of the latest measurement, each read the 21 million records again: ~35% of the national refresh).
# Unlogged tables, created and dropped in the refresh's transaction (under its advisory lock): a temporary table
# cannot be read by parallel workers.
_LATEST = "dashboards_refresh_latest_physical"
_RESULTS = "dashboards_refresh_result_pairs"
_LATEST_COLUMNS = ("student_id", "school_year", "school_id", "nutrition_status", "height_status")
_STAGED_COLUMNS = {"c": {"has_result": "lr.student_id IS NOT NULL", "has_physical": "lp.student_id IS NOT NULL"}}


def _stage_sql(*, by_years: bool) -> str:
    # The years on both sides of each anti-join: implied by its join on the year, but PostgreSQL does not carry
    # `= ANY(...)` across it, and would hash every year's records to find the latest of one year's.
    years = " AND {alias}.school_year = ANY(%(years)s)" if by_years else ""
    return (f"CREATE UNLOGGED TABLE {_LATEST} AS SELECT {', '.join('p.' + c for c in _LATEST_COLUMNS)}"
            f" FROM students_physicalrecord p WHERE {NUTRITION_LATEST.format(where=years.format(alias='p1'))}"
            f"{years.format(alias='p')};\n"
            f"CREATE UNLOGGED TABLE {_RESULTS} AS SELECT r0.student_id, r0.school_year FROM students_academicresult r0"
            " WHERE NOT EXISTS (SELECT FROM students_academicresult r1 WHERE r1.student_id = r0.student_id"
            f" AND r1.school_year = r0.school_year AND r1.term < r0.term{years.format(alias='r1')})"
            f"{years.format(alias='r0')};\n"
            # The planner's estimates for the joins (a new table has none).
            f"ANALYZE {_LATEST}; ANALYZE {_RESULTS};\n")


def _assert_staged(metrics: list) -> None:
    for m in metrics:
        for alias, column in re.findall(r"\b([a-z]\w*)\.([a-z_]\w*)", m.sql):
            assert alias == "p" and column in _LATEST_COLUMNS, f"{m.name}: {alias}.{column} is not staged"


def _pupil_sql(metrics: list, *, from_: str, limit: str, staged: dict) -> str:
    """The pupil source in two stages (metrics.PUPIL_COLUMNS): its rows grouped by the columns its conditions read,
    then each metric the sum of the counts of the groups meeting its condition (issue 17: ~36 conditions and the
    date rule on ~670,000 groups instead of 24 million enrollments; ~13 s of CPU less at national size).

    The outer query names the grouped rows e, and s (c) their pupil's columns (whether the pupil has results and
    measurements: `staged` gives the full refresh's expressions for them), so that the conditions read as on the
    raw rows. The grouping is planned in parallel (a partial aggregate in each worker) only if the planner expects
    it to reduce the rows: it multiplies the columns' distinct values and expects none. Over a UNION ALL (an
    empty second branch, removed by the planner) it has no statistics per column and expects a tenth of the rows."""
    columns = {name: staged.get(alias, {}).get(name, expr)
               for alias, cols in PUPIL_COLUMNS.items() for name, expr in cols.items()}
    for m in metrics:
        assert not m.aggregate, "a pupil metric is a count of the rows meeting its condition"
        for alias, column in re.findall(r"\b([a-z]\w*)\.([a-z_]\w*)", m.condition):
            assert column in PUPIL_COLUMNS.get(alias, {}), f"{m.name}: {alias}.{column} is not in PUPIL_COLUMNS"
    names = ", ".join(columns)
    branch = f"SELECT {', '.join(f'{expr} AS {name}' for name, expr in columns.items())} FROM {from_} WHERE {{}}"
    grouped = (f"SELECT {names}, COUNT(*)::int AS n FROM ({branch.format('TRUE ' + limit)} UNION ALL"
               f" {branch.format('FALSE')}) j GROUP BY {names}")
    aliases = "".join(f" CROSS JOIN LATERAL (SELECT {', '.join(f'e.{name}' for name in cols)}) {alias}"
                      for alias, cols in PUPIL_COLUMNS.items() if alias != "e")
    sums = ",\n    ".join(f"COALESCE(SUM(e.n) FILTER (WHERE {m.condition}), 0) AS {m.name}" for m in metrics)
    return (f"SELECT e.school_id, e.school_year, {sums}\n  FROM ({grouped}) e{aliases}\n"
            "  GROUP BY e.school_id, e.school_year")


_SQL: dict[tuple[bool, bool], str] = {}


def _sql(only_schools: bool, by_years: bool = False) -> str:
    key = (only_schools, by_years)
    if key not in _SQL:
        _SQL[key] = _refresh_sql(only_schools=only_schools, by_years=by_years)
    return _SQL[key]


_FLOWS_SQL: dict[bool, str] = {}


def _flows_sql(only_schools: bool) -> str:
    # The flows between school years (issue 17), refreshed with the same rows and lock.
    if only_schools not in _FLOWS_SQL:
        _FLOWS_SQL[only_schools] = flows.refresh_sql(only_schools=only_schools)
    return _FLOWS_SQL[only_schools]


def stats_refresh_all(*, years: list[int] | None = None) -> int:
    """Recompute every school's statistics and their rollup; readers see the old rows until the commit.

    With `years`, only those school years' rows (the beat's refresh of the current year: its figures
    move every day, past years' hardly ever), and not the flows between years (refreshed nightly by
    `stats_refresh_flows` and by this refresh of every year). Returns the school rows written."""
    started = time.monotonic()
    params = {"current": current_school_year(), "today": timezone.localdate()}
    if years is not None:
        params["years"] = sorted({int(y) for y in years})
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        # Enough memory for the hash joins and aggregates over millions of rows not to spill.
        cursor.execute("SET LOCAL work_mem = %s", [settings_work_mem()])
        if years is None:
            # The standings under Thông tư 13/2020 (computed in Python: facilities.standard) before they are
            # counted; facilities writes refresh their school's at once (stats_refresh_schools), so the beat's
            # refresh of the current years need not recompute 54,000 of them.
            standings_refresh()
        # Hash joins over the whole tables, in parallel: the planner otherwise probes the pupils' index for
        # each of 24 million enrollments (Memoize, 90 s at national size). Only for this statement: the
        # rollup and the flows keep their plans.
        cursor.execute("SET LOCAL enable_nestloop = off; SET LOCAL enable_memoize = off")
        params["computed_at"] = _computed_at(cursor)
        cursor.execute(_sql(False, by_years=years is not None), params)
        rows = cursor.rowcount
        cursor.execute("SET LOCAL enable_nestloop TO DEFAULT; SET LOCAL enable_memoize TO DEFAULT")
        if years is None:
            rollup.rollup_rebuild(cursor)
            cursor.execute(_flows_sql(False))
        else:
            rollup.rollup_rebuild(cursor, where=rollup.YEARS, params={"years": params["years"]})
    stats_changed()  # the cached figures dropped now and at commit
    log.info("stats_refresh_all(years=%s): %s rows in %.1f s", years, rows, time.monotonic() - started)
    return rows


def stats_years_current(*, today: dt.date | None = None) -> list[int]:
    """The school years whose figures move: the current one and, once a year-end or the rollover has
    opened it, the next one (it has statistics or enrollments)."""
    current = current_school_year(today)
    with connection.cursor() as cursor:
        # The next year's enrollments probed school by school ((school, school_year) index), as in
        # the refresh's years.
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_TABLE} WHERE school_year = %(next)s)"  # noqa: S608
                       " OR EXISTS (SELECT 1 FROM schools_school sc, LATERAL (SELECT 1 FROM students_enrollment e"
                       " WHERE e.school_id = sc.id AND e.school_year = %(next)s LIMIT 1) x)", {"next": current + 1})
        opened = cursor.fetchone()[0]
    return [current, current + 1] if opened else [current]


def stats_refresh_current_years() -> int:
    """The refresh beat runs every 15 minutes ("dashboards-refresh-all"): the years whose figures move."""
    return stats_refresh_all(years=stats_years_current())


def stats_refresh_flows() -> int:
    """Recompute the flows between school years (dashboards.flows) of every school: nightly by beat
    ("dashboards.refresh_flows"), since a pupil's flow depends on their next year, which the 15-minute
    refresh of the current years does not recompute. Returns the flow rows written."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        cursor.execute("SET LOCAL work_mem = %s", [settings_work_mem()])
        cursor.execute(_flows_sql(False))
        rows = cursor.rowcount
    stats_changed()  # the cached figures dropped now and at commit
    return rows


# One refresh at a time: two refreshes of the same rows would each delete what they can see and
# then collide on inserting (the unique school/year constraint). A partial refresh waits for a
# running full one, then recomputes from the newer data.
_LOCK_KEY = 0x64617368  # "dash"


def _lock(cursor) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def settings_work_mem() -> str:
    from django.conf import settings

    # The full refresh hashes every pupil (26.6 million at national size: 2.2 GB) in one parallel hash table,
    # shared by the workers (hash_mem_multiplier x work_mem each): with less it is split into batches on disk.
    return getattr(settings, "STATS_REFRESH_WORK_MEM", "1GB")


def _areas(cursor, ids: list[int]) -> set[tuple[int, str, str]]:
    cursor.execute(f"SELECT DISTINCT school_year, province_id, commune_id FROM {_TABLE}"  # noqa: S608
                   " WHERE school_id = ANY(%s)", [ids])
    return set(cursor.fetchall())


def _computed_at(cursor) -> dt.datetime:
    """The time the rows about to be computed are stamped with: one before which every transaction that has
    written had ended when the refresh takes its snapshot (read just before the refresh's statement, which takes
    it). A write stamped later (reporting.changes, clock_timestamp() after it wrote) may be missing from the rows;
    one stamped earlier is in them (this transaction's own earlier writes included). Usually the time of this
    read; earlier while an older transaction that wrote is still open."""
    cursor.execute("SELECT LEAST(clock_timestamp(), min(xact_start)) FROM pg_stat_activity WHERE datname = current_database()"
                   " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")
    return cursor.fetchone()[0]


def stats_refresh_schools(*, school_ids: list[int], years: list[int] | None = None) -> int:
    """Recompute these schools' statistics (all their school years), and the rollup of their
    communes and provinces: those they were in and those they are in now.

    With `years`, only those years' rows and their rollup, not the flows between years (an approval refreshing
    the schools of its period's year; the write that made them stale has enqueued their full refresh)."""
    ids = sorted({int(i) for i in school_ids})
    if not ids:
        return 0
    params = {"current": current_school_year(), "ids": ids, "today": timezone.localdate()}
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        areas = _areas(cursor, ids)
        standings_refresh(school_ids=ids)
        if years is None:
            cursor.execute(f"DELETE FROM {_TABLE} WHERE school_id = ANY(%s)", [ids])  # noqa: S608
        else:
            params["years"] = sorted({int(y) for y in years})
            areas = {a for a in areas if a[0] in params["years"]}
            cursor.execute(f"DELETE FROM {_TABLE} WHERE school_id = ANY(%s) AND school_year = ANY(%s)",  # noqa: S608
                           [ids, params["years"]])
        params["computed_at"] = _computed_at(cursor)
        cursor.execute(_sql(True, by_years=years is not None), params)
        rows = cursor.rowcount
        new_areas = _areas(cursor, ids)
        if years is not None:
            new_areas = {a for a in new_areas if a[0] in params["years"]}
        rollup.rollup_rebuild_areas(cursor, areas=areas | new_areas)
        if years is None:
            cursor.execute(_flows_sql(True), {"ids": ids})
    stats_changed()  # the cached figures dropped now and at commit
    return rows


def stats_refresh_leavers_due(*, on: dt.date | None = None, days: int = 3) -> list[int]:
    """Refresh the schools whose figures change by the calendar alone: a leaver recorded ahead of
    their day (left_on) leaves the counts on that day, and an enrollment a transfer opened counts
    from its first day (started_on). Run daily by beat ("dashboards.refresh_leavers_due"); the
    last `days` days are covered so that a day beat missed is caught up, and running it twice
    recomputes the same figures. Returns the schools refreshed."""
    on = on or timezone.localdate()
    since = on - dt.timedelta(days=days - 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT school_id FROM students_enrollment"
                       " WHERE left_on BETWEEN %(since)s AND %(on)s OR started_on BETWEEN %(since)s AND %(on)s",
                       {"since": since, "on": on})
        ids = sorted(row[0] for row in cursor.fetchall())
    stats_refresh_schools(school_ids=ids)
    return ids


def stats_refresh_schools_on_commit(*, school_ids: list[int]) -> None:
    """Ask a worker to refresh these schools once the caller's transaction has committed."""
    ids = sorted({int(i) for i in school_ids})
    if ids:
        enqueue_on_commit("dashboards.refresh_schools", ids)

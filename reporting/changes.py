# ruff: noqa: S608 - the trigger SQL is assembled from the constants of this module only; values are parameters.
"""Which schools' statistics are stale (issue 19, approval speed): an approval freezes a school from its stored
statistics row (dashboards_schoolstats) when nothing it counts changed since, and refreshes it first otherwise.

The database records every write the statistics count (reporting_schoolchange, append-only: writers never wait on
each other for it), by statement triggers like the lock triggers (reporting.locks), so that no door can forget:

- rows with a school and a year (enrollments, results, physical records, facilities of a year, equipment): that
  school and year; a physical record also the other schools measuring the same pupil that year (the statistics
  count each pupil's latest measurement, wherever it was taken);
- staff and sites (no year): the school, every year (NULL);
- a pupil's own record changed (gender, ethnicity, the registry's answer...): every school and year they are
  enrolled in;
- a school's own record (level, ownership, status, commune, province): the school, every year.

A row counts a change when `changed_at >= computed_at`. The trigger stamps clock_timestamp(), after the statement
wrote; the refresh stamps its rows with a time before which every writing transaction had ended when it took its
snapshot (dashboards.services._computed_at), so a write the refresh could not see is never older than its rows.
The calendar moves figures too (a leaver leaves on their day): a row computed on an earlier day is stale when one
of its enrollments starts or ends in between. Rows computed before this table existed count as stale (migration
0006 records every school as changed then).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction

from .locks import TRANSITION

# table: how its rows name the school and the year
TABLES = {
    "students_enrollment": "year",
    "students_academicresult": "year",
    "students_physicalrecord": "physical",
    "facilities_sitefacilities": "year",
    "facilities_equipmentholding": "year",
    "teachers_staffmember": "school",
    "facilities_site": "school",
    "students_student": "pupil",
    "schools_school": "school_record",
}

_INSERT = "INSERT INTO reporting_schoolchange (school_id, school_year, changed_at)"


def _rows(shape: str, rows: str) -> str:
    """The (school_id, school_year) pairs a statement's rows (`rows`: a transition table) touch."""
    if shape == "year":
        return f"SELECT school_id, school_year FROM {rows}"
    if shape == "school":
        return f"SELECT school_id, NULL::smallint FROM {rows}"
    if shape == "physical":
        return (f"SELECT school_id, school_year FROM {rows} UNION SELECT p.school_id, p.school_year"
                " FROM students_physicalrecord p WHERE (p.student_id, p.school_year) IN"
                f" (SELECT student_id, school_year FROM {rows})")
    raise ValueError(shape)


def _function(shape: str) -> str:
    name = f"reporting_changed_{shape}"
    if shape == "pupil":
        # Updates only: a new pupil has no enrollment yet; a deleted one's enrollments go first (their trigger).
        body = (f"{_INSERT} SELECT DISTINCT e.school_id, e.school_year, clock_timestamp()"
                " FROM students_enrollment e WHERE e.student_id IN (SELECT id FROM new_rows);")
    elif shape == "school_record":
        body = (f"{_INSERT} SELECT n.id, NULL, clock_timestamp() FROM new_rows n JOIN old_rows o ON o.id = n.id"
                " WHERE (n.level, n.ownership, n.status, n.commune_id, n.province_id)"
                " IS DISTINCT FROM (o.level, o.ownership, o.status, o.commune_id, o.province_id);")
    else:
        body = f"""
    IF TG_OP = 'INSERT' THEN
        {_INSERT} SELECT DISTINCT x.*, clock_timestamp() FROM ({_rows(shape, 'new_rows')}) x;
    ELSIF TG_OP = 'DELETE' THEN
        {_INSERT} SELECT DISTINCT x.*, clock_timestamp() FROM ({_rows(shape, 'old_rows')}) x;
    ELSE
        {_INSERT} SELECT DISTINCT x.*, clock_timestamp()
        FROM ({_rows(shape, 'new_rows')} UNION {_rows(shape, 'old_rows')}) x;
    END IF;"""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    {body}
    RETURN NULL;
END
$fn$;"""


def _ops(shape: str) -> tuple[str, ...]:
    return ("UPDATE",) if shape in ("pupil", "school_record") else ("INSERT", "UPDATE", "DELETE")


def install_sql() -> str:
    parts = [_function(shape) for shape in sorted(set(TABLES.values()))]
    for table, shape in TABLES.items():
        for op in _ops(shape):
            parts.append(f"CREATE TRIGGER school_changed_{op.lower()} AFTER {op} ON {table} REFERENCING {TRANSITION[op]}"
                         f" FOR EACH STATEMENT EXECUTE FUNCTION reporting_changed_{shape}();")
    # Until now nothing was recorded: every statistics row computed before counts as stale.
    parts.append(f"{_INSERT} SELECT id, NULL, clock_timestamp() FROM schools_school;")
    return "\n".join(parts)


def uninstall_sql() -> str:
    parts = [f"DROP TRIGGER IF EXISTS school_changed_{op.lower()} ON {table};"
             for table, shape in TABLES.items() for op in _ops(shape)]
    parts += [f"DROP FUNCTION IF EXISTS reporting_changed_{shape}();" for shape in sorted(set(TABLES.values()))]
    return "\n".join(parts)


def _local_day(column: str) -> str:
    return f"({column} AT TIME ZONE %(tz)s)::date"


STALE_SQL = f"""
SELECT x.id FROM unnest(%(ids)s::bigint[]) AS x(id)
LEFT JOIN dashboards_schoolstats st ON st.school_id = x.id AND st.school_year = %(year)s
WHERE st.id IS NULL
   OR EXISTS (SELECT 1 FROM reporting_schoolchange c WHERE c.school_id = x.id AND c.changed_at >= st.computed_at
              AND (c.school_year = %(year)s OR c.school_year IS NULL))
   OR ({_local_day('st.computed_at')} < %(today)s
       AND EXISTS (SELECT 1 FROM students_enrollment e WHERE e.school_id = x.id AND e.school_year = %(year)s
                   AND (e.left_on > {_local_day('st.computed_at')} AND e.left_on <= %(today)s
                        OR e.started_on > {_local_day('st.computed_at')} AND e.started_on <= %(today)s)))
ORDER BY x.id"""


def stale_schools(cursor, *, school_ids: list[int], school_year: int, today: dt.date) -> list[int]:
    """Of these schools, those whose statistics row of the year is missing or older than their data. Run after
    the schools' rows are locked (no write of theirs is in flight then: reporting.locks)."""
    cursor.execute(STALE_SQL, {"ids": list(school_ids), "year": int(school_year), "today": today,
                               "tz": settings.TIME_ZONE})
    return [row[0] for row in cursor.fetchall()]


PRUNE_SQL = """
DELETE FROM reporting_schoolchange c USING dashboards_schoolstats st
WHERE st.school_id = c.school_id AND c.school_year IS NOT NULL AND st.school_year = c.school_year
  AND c.changed_at < st.computed_at;
DELETE FROM reporting_schoolchange c USING (SELECT school_id, min(computed_at) AS computed_at
                                             FROM dashboards_schoolstats GROUP BY school_id) st
WHERE st.school_id = c.school_id AND c.school_year IS NULL AND c.changed_at < st.computed_at;
DELETE FROM reporting_schoolchange WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (
    PARTITION BY school_id, school_year ORDER BY changed_at DESC, id DESC) AS n FROM reporting_schoolchange) x
    WHERE n > 1);"""


def changes_prune() -> int:
    """Forget the changes every statistics row of their school (and year) already counts, and all but the latest
    of each school and year (a row is stale when the latest is newer than it): daily, by beat
    ("reporting.changes_prune"); at most one row per school and year remains. Returns the rows deleted."""
    deleted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in PRUNE_SQL.strip().split(";\n"):
            cursor.execute(sql)
            deleted += cursor.rowcount
    return deleted

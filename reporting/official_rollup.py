# ruff: noqa: S608 - the SQL below is assembled from the metric names (dashboards.metrics) only; values are parameters.
"""The official rollup (OfficialRollup): a period's frozen rows summed by province and by commune, each x level x
ownership, so that an official page reads a few hundred rows, not every school's JSON (issue 19; as
dashboards.rollup sums the live statistics).

The frozen rows change only at approval (re-approval deletes and writes them again; a re-opening, a return or an
exception leave them as they are: reporting.services), so the approval rebuilds the rollup of the provinces whose
frozen rows it deleted or wrote, in its own transaction, right after writing them: readers never see the two
disagree. Two approvals of one province at once rebuild it one after the other (an advisory lock per period and
province; each statement reads what the other committed).
"""
from __future__ import annotations

from dashboards.metrics import METRIC_NAMES

TABLE = "reporting_officialrollup"


def rebuild_sql(metrics: list[str]) -> str:
    """Delete the rollup rows of %(period)s in %(provinces)s and sum them again from the frozen rows: each row's
    JSON expanded once, both grains by grouping sets. A school's level and ownership are those frozen with its
    figures (rows frozen before they were read them from the school, as reporting.selectors.official_sums does)."""
    record = ", ".join([f"{m} bigint" for m in metrics] + ["level text", "ownership text"])
    level, ownership = "COALESCE(f.level, sc.level)", "COALESCE(f.ownership, sc.ownership)"
    return (
        f"DELETE FROM {TABLE} WHERE period_id = %(period)s AND province_id = ANY(%(provinces)s);\n"
        f"INSERT INTO {TABLE} (period_id, province_id, commune_id, level, ownership, approved, {', '.join(metrics)})\n"
        f"SELECT s.period_id, o.province_id, CASE WHEN GROUPING(o.commune_id) = 1 THEN '' ELSE o.commune_id END,"
        f" {level}, {ownership}, count(*), {', '.join(f'COALESCE(sum(f.{m}), 0)' for m in metrics)}\n"
        f"FROM reporting_officialfigures o JOIN reporting_submission s ON s.id = o.submission_id"
        f" JOIN schools_school sc ON sc.id = o.school_id CROSS JOIN LATERAL jsonb_to_record(o.figures) AS f({record})\n"
        f"WHERE s.period_id = %(period)s AND o.province_id = ANY(%(provinces)s)\n"
        f"GROUP BY GROUPING SETS ((s.period_id, o.province_id, o.commune_id, {level}, {ownership}),"
        f" (s.period_id, o.province_id, {level}, {ownership}))\n"
        # A frozen row without a commune counts in its province only (the commune grain's '' is the province's).
        f"HAVING GROUPING(o.commune_id) = 1 OR o.commune_id <> ''"
    )


def provinces_frozen(cursor, *, submission_ids: list[int]) -> set[str]:
    """The provinces of these submissions' frozen rows (before an approval replaces them: a school may have moved)."""
    cursor.execute("SELECT DISTINCT province_id FROM reporting_officialfigures WHERE submission_id = ANY(%s)",
                   [list(submission_ids)])
    return {row[0] for row in cursor.fetchall()}


def rollup_rebuild(cursor, *, period_id: int, provinces: set[str], metrics: list[str] | None = None) -> None:
    """Rebuild the period's rollup rows of these provinces (`metrics`: the table's columns; a migration passes
    those of its own time)."""
    if not provinces:
        return
    provinces = sorted(provinces)
    # In province order, so that two approvals touching several provinces never wait on each other in a circle.
    for code in provinces:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('reporting_official_rollup'), hashtext(%s))",
                       [f"{int(period_id)}:{code}"])
    cursor.execute(rebuild_sql(list(metrics or METRIC_NAMES)), {"period": int(period_id), "provinces": provinces})

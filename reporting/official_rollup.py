# ruff: noqa: S608 - the SQL below is assembled from the metric names (dashboards.metrics) only; values are parameters.
"""The official rollup (OfficialRollup): a period's frozen rows summed by province and by commune, each x level x
ownership, so that an official page reads a few hundred rows, not every school's JSON (issue 19; as
dashboards.rollup sums the live statistics).

The frozen rows change only at approval (re-approval deletes and writes them again; a re-opening, a return or an
exception leave them as they are: reporting.services), so the approval rebuilds the rollup of the communes whose
frozen rows it deleted or wrote, and of their provinces, in its own transaction, right after writing them: readers
never see the two disagree. One school approved costs its commune's frozen rows (a dozen), not its province's
thousands; the national freeze reads every frozen row once (~7 s of its ~35 s at national size). Two approvals in
one province at once rebuild it one after the other (an advisory lock per period and province; each statement
reads what the other committed).
"""
from __future__ import annotations

from dashboards.metrics import METRIC_NAMES

TABLE = "reporting_officialrollup"
# The rows by commune x level x ownership; each commune also has one row over every level and ownership
# (level = ownership = ''), which a province's page reads as they are: 168 rows, not a thousand summed again.
# Each a condition on the rows of a table alias given by format ("r." or "").
BY_COMMUNE = "{0}commune_id <> '' AND {0}level <> ''"
COMMUNE_TOTAL = "{0}commune_id <> '' AND {0}level = ''"


def rebuild_sql(metrics: list[str]) -> str:
    """Rebuild the period's (%(period)s, of school year %(year)s) rollup rows of some communes, given as parallel
    arrays %(provinces)s, %(communes)s, and of their provinces: the communes' rows summed again from their frozen
    rows (each row's JSON expanded once: the costly part, so only theirs), each commune's total from its rows,
    then the provinces' rows from their communes' rows (every frozen row has a commune: a school's is required). A school's level and ownership are
    those frozen with its figures (rows frozen before they were read them from the school, as
    reporting.selectors.official_sums does). Written in the unique key's order, so that an area's rows lie
    together in the table (a few pages, not one per row, for its page to read)."""
    record = ", ".join([f"{m} int" for m in metrics] + ["level text", "ownership text"])
    level, ownership = "COALESCE(f.level, sc.level)", "COALESCE(f.ownership, sc.ownership)"
    columns = f"period_id, province_id, commune_id, level, ownership, approved, {', '.join(metrics)}"
    areas = "(SELECT * FROM unnest(%(provinces)s::text[], %(communes)s::text[]))"
    provinces = "(SELECT DISTINCT unnest(%(provinces)s::text[]))"
    sums = ", ".join(f"sum({m})" for m in metrics)
    return (
        f"DELETE FROM {TABLE} WHERE period_id = %(period)s AND commune_id <> ''"
        f" AND (province_id, commune_id) IN {areas};\n"
        f"INSERT INTO {TABLE} ({columns})\n"
        f"SELECT %(period)s, o.province_id, o.commune_id, {level}, {ownership}, count(*),"
        f" {', '.join(f'COALESCE(sum(f.{m}), 0)' for m in metrics)}\n"
        f"FROM reporting_officialfigures o JOIN reporting_submission s ON s.id = o.submission_id"
        f" JOIN schools_school sc ON sc.id = o.school_id"
        f" CROSS JOIN LATERAL jsonb_to_record(o.figures) AS f({record})\n"
        f"WHERE s.period_id = %(period)s AND o.school_year = %(year)s AND (o.province_id, o.commune_id) IN {areas}\n"
        f"GROUP BY 2, 3, 4, 5 ORDER BY 2, 3, 4, 5;\n"
        f"INSERT INTO {TABLE} ({columns})\n"
        f"SELECT %(period)s, province_id, commune_id, '', '', sum(approved), {sums}\n"
        f"FROM {TABLE} WHERE period_id = %(period)s AND {BY_COMMUNE.format('')} AND (province_id, commune_id) IN {areas}\n"
        f"GROUP BY 2, 3 ORDER BY 2, 3;\n"
        f"DELETE FROM {TABLE} WHERE period_id = %(period)s AND commune_id = '' AND province_id IN {provinces};\n"
        f"INSERT INTO {TABLE} ({columns})\n"
        f"SELECT %(period)s, province_id, '', level, ownership, sum(approved), {sums}\n"
        f"FROM {TABLE} WHERE period_id = %(period)s AND {BY_COMMUNE.format('')} AND province_id IN {provinces}\n"
        f"GROUP BY 2, 4, 5 ORDER BY 2, 4, 5"
    )


def areas_frozen(cursor, *, submission_ids: list[int]) -> set[tuple[str, str]]:
    """The (province, commune) of these submissions' frozen rows (before an approval replaces them, and after:
    a school may have moved)."""
    cursor.execute("SELECT DISTINCT province_id, commune_id FROM reporting_officialfigures"
                   " WHERE submission_id = ANY(%s)", [list(submission_ids)])
    return set(cursor.fetchall())


def rollup_rebuild(cursor, *, period_id: int, school_year: int, areas: set[tuple[str, str]],
                   metrics: list[str] | None = None) -> None:
    """Rebuild the period's rollup rows of these (province, commune) and of their provinces (`metrics`: the
    table's columns; a migration passes those of its own time)."""
    if not areas:
        return
    provinces, communes = (list(column) for column in zip(*sorted(areas), strict=True))
    # In province order, so that two approvals touching several provinces never wait on each other in a circle.
    for code in sorted(set(provinces)):
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('reporting_official_rollup'), hashtext(%s))",
                       [f"{int(period_id)}:{code}"])
    cursor.execute(rebuild_sql(list(metrics or METRIC_NAMES)), {
        "period": int(period_id), "year": int(school_year), "provinces": provinces, "communes": communes})

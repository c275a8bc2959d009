# ruff: noqa: S608 - the SQL below is assembled from constant column names only; values are query parameters.
"""The rollup (StatsRollup): the per-school rows (SchoolStats) summed by province and by commune, each
× level × ownership, so that the pages of the country, a province and a commune read a few hundred
rows instead of 54,000 (issue 17).

The refreshes (services.py) rebuild it from SchoolStats in their own transaction, under their lock,
right after writing the per-school rows: the full refresh the years it recomputed, the partial one the
communes and provinces its schools are in (before and after: a school may have moved). Readers never
see the rollup disagree with the school rows.
"""
from __future__ import annotations

from schools.models import SchoolStatus

from .metrics import METRIC_NAMES

TABLE = "dashboards_statsrollup"
SOURCE = "dashboards_schoolstats"
# The commune column of each grain: '' marks the rows by province.
GRAINS = {"province": "''", "commune": "s.commune_id"}


def _fields_sum(column: str) -> str:
    """Per key, the sum of the rows' {field: count} objects ('{}' when none has a key)."""
    return (f"COALESCE((SELECT jsonb_object_agg(k, n) FROM (SELECT k, SUM(v::int) AS n"
            f" FROM unnest(array_agg(s.{column}) FILTER (WHERE s.{column} <> '{{}}'::jsonb)) AS j,"
            f" jsonb_each_text(j) AS kv(k, v) GROUP BY k) x), '{{}}'::jsonb)")


def rebuild_sql(*, grain: str, where: str) -> str:
    """Delete the rollup rows of `grain` that `where` selects and sum them again from the SchoolStats
    rows `where` selects. `where` names only school_year, province_id and (for the commune grain)
    commune_id, columns both tables have, so that one condition picks the same area in each."""
    commune = GRAINS[grain]
    grain_rows = "commune_id = ''" if grain == "province" else "commune_id <> ''"
    keys = "s.school_year, s.province_id" + (", s.commune_id" if grain == "commune" else "") + ", s.level, s.ownership"
    open_ = f"s.status = '{SchoolStatus.OPEN.value}'"
    metrics = ", ".join(METRIC_NAMES)
    sums = ", ".join(f"SUM(s.{m})" for m in METRIC_NAMES)
    return (
        f"DELETE FROM {TABLE} WHERE {grain_rows} AND ({where});\n"
        f"INSERT INTO {TABLE} (school_year, province_id, commune_id, level, ownership, schools, \"rows\", synced,"
        f" computed_at_min, computed_at_max, pupil_mismatch_fields, staff_mismatch_fields, {metrics})\n"
        f"SELECT s.school_year, s.province_id, {commune}, s.level, s.ownership,"
        f" COUNT(*) FILTER (WHERE {open_}), COUNT(*),"
        # Sorted, so that a reader counts those within the window by a binary search (selectors.py).
        f" COALESCE(array_agg(s.last_synced_at ORDER BY s.last_synced_at)"
        f" FILTER (WHERE {open_} AND s.last_synced_at IS NOT NULL), '{{}}'),"
        f" MIN(s.computed_at), MAX(s.computed_at), {_fields_sum('pupil_mismatch_fields')},"
        f" {_fields_sum('staff_mismatch_fields')}, {sums}\n"
        f"FROM {SOURCE} s WHERE {where}\n"
        f"GROUP BY {keys}"
    )


# The conditions the refreshes pass: every row, some years, or the areas a partial refresh touched
# (parallel arrays: %(years)s, %(provinces)s, %(communes)s).
EVERYTHING = "TRUE"
YEARS = "school_year = ANY(%(years)s)"
AREAS = {
    "province": "(school_year, province_id) IN (SELECT * FROM unnest(%(years)s::int[], %(provinces)s::text[]))",
    "commune": "(school_year, province_id, commune_id) IN"
               " (SELECT * FROM unnest(%(years)s::int[], %(provinces)s::text[], %(communes)s::text[]))",
}


def rollup_rebuild(cursor, *, where: str | dict[str, str] = EVERYTHING, params: dict | None = None) -> None:
    """Rebuild both grains of the rollup rows `where` selects (one condition, or one per grain)."""
    for grain in GRAINS:
        condition = where[grain] if isinstance(where, dict) else where
        cursor.execute(rebuild_sql(grain=grain, where=condition), params)


def rollup_rebuild_areas(cursor, *, areas: set[tuple[int, str, str]]) -> None:
    """Rebuild the rollup rows of these (school year, province, commune): the communes' rows and their
    provinces' rows (a province is at most a few thousand schools a year: milliseconds)."""
    if not areas:
        return
    years, provinces, communes = (list(column) for column in zip(*sorted(areas), strict=True))
    rollup_rebuild(cursor, where=AREAS, params={"years": years, "provinces": provinces, "communes": communes})

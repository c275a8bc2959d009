# ruff: noqa: S608 - the SQL below is assembled from constant column names only; values are query parameters.
"""The rollup (StatsRollup): the per-school rows (SchoolStats) summed by province and by commune, each
× level × ownership, so that the pages of the country, a province and a commune read a few hundred
rows instead of 54,000 (issue 17); and the country's rows (province_id = '') by level × ownership, summed
from the rows by province, so that the country's totals read a score of rows instead of 600.

The refreshes (services.py) rebuild it from SchoolStats in their own transaction, under their lock,
right after writing the per-school rows: the full refresh the years it recomputed, the partial one the
communes and provinces its schools are in (before and after: a school may have moved). Readers never
see the rollup disagree with the school rows.
"""
from __future__ import annotations

from schools.models import CONNECTED_WINDOW, SchoolStatus

from .metrics import METRIC_NAMES

TABLE = "dashboards_statsrollup"
SOURCE = "dashboards_schoolstats"
# The commune column of each grain: '' marks the rows by province. The "*_total" grains are the same
# areas' rows over every level and ownership (level = ownership = ''): a province page's table of its
# 168 communes reads 168 rows instead of summing a thousand (issue 17: ~2 ms of a 20 ms page). The
# readers of the other grains skip them (selectors._rollup_conditions: level <> '').
# The "country*" grains (province_id = '': the readers of the province grains skip them) are built last, from the
# rows by province.
GRAINS = {"province": "''", "commune": "s.commune_id", "province_total": "''", "commune_total": "s.commune_id",
          "country": "''", "country_total": "''"}
TOTAL = ""  # the level and ownership of a "*_total" grain's rows, and the province of a "country*" grain's
# The synchronisations a row keeps: those that may still count. A reader counts those within CONNECTED_WINDOW
# of its own time, later than the refresh's; one older than that at the refresh never counts again. Kept, they
# were most of what the country's totals read (46,000 schools ever synchronised, 17,000 within the window, at
# national size). A day more, for the clocks of the machines that read.
SYNCED_SINCE = f"now() - interval '{CONNECTED_WINDOW.days + 1} days'"


def _fields_sum(column: str) -> str:
    """Per key, the sum of the rows' {field: count} objects ('{}' when none has a key)."""
    return (f"COALESCE((SELECT jsonb_object_agg(k, n) FROM (SELECT k, SUM(v::int) AS n"
            f" FROM unnest(array_agg(s.{column}) FILTER (WHERE s.{column} <> '{{}}'::jsonb)) AS j,"
            f" jsonb_each_text(j) AS kv(k, v) GROUP BY k) x), '{{}}'::jsonb)")


def rebuild_sql(*, grain: str, where: str) -> str:
    """Delete the rollup rows of `grain` that `where` selects and sum them again from the SchoolStats
    rows `where` selects. `where` names only school_year, province_id and (for the commune grain)
    commune_id, columns both tables have, so that one condition picks the same area in each."""
    if grain.startswith("country"):
        return _country_sql(total=grain.endswith("_total"), where=where)
    if grain.endswith("_total"):
        return _total_sql(grain=grain, where=where)
    commune = GRAINS[grain]
    by_commune = grain == "commune"
    grain_rows = ("commune_id <> ''" if by_commune else "commune_id = '' AND province_id <> ''") + " AND level <> ''"
    keys = "s.school_year, s.province_id" + (", s.commune_id" if by_commune else "") + ", s.level, s.ownership"
    open_ = f"s.status = '{SchoolStatus.OPEN.value}'"
    metrics = ", ".join(METRIC_NAMES)
    sums = ", ".join(f"SUM(s.{m})" for m in METRIC_NAMES)
    return (
        f"DELETE FROM {TABLE} WHERE {grain_rows} AND ({where});\n"
        f"INSERT INTO {TABLE} ({_COLUMNS}, {metrics})\n"
        f"SELECT s.school_year, s.province_id, {commune}, s.level, s.ownership,"
        f" COUNT(*) FILTER (WHERE {open_}), COUNT(*),"
        # Sorted, so that a reader counts those within the window by a binary search (selectors.py).
        f" COALESCE(array_agg(s.last_synced_at ORDER BY s.last_synced_at)"
        f" FILTER (WHERE {open_} AND s.last_synced_at >= {SYNCED_SINCE}), '{{}}'),"
        f" MIN(s.computed_at), MAX(s.computed_at), {_fields_sum('pupil_mismatch_fields')},"
        f" {_fields_sum('staff_mismatch_fields')}, {sums}\n"
        f"FROM {SOURCE} s WHERE {where}\n"
        f"GROUP BY {keys}"
    )


_COLUMNS = ("school_year, province_id, commune_id, level, ownership, schools, \"rows\", synced,"
            " computed_at_min, computed_at_max, pupil_mismatch_fields, staff_mismatch_fields")


def _total_sql(*, grain: str, where: str) -> str:
    """A "*_total" grain summed from its area's rows by level and ownership (rebuilt just before it:
    rollup_rebuild follows GRAINS' order), a tenth of the rows SchoolStats would be (0.7 s a year)."""
    by_commune = grain == "commune_total"
    area = "commune_id <> ''" if by_commune else "commune_id = '' AND province_id <> ''"
    keys = "s.school_year, s.province_id" + (", s.commune_id" if by_commune else "")
    same_area = ("r.school_year = s.school_year AND r.province_id = s.province_id AND "
                 + ("r.commune_id = s.commune_id" if by_commune else "r.commune_id = ''"))
    return _resum_sql(rows=f"{area} AND level = '{TOTAL}'", where=where,
                      select=f"{keys}{'' if by_commune else ', MIN(s.commune_id)'}, '{TOTAL}', '{TOTAL}'",
                      source=f"{area} AND s.level <> '{TOTAL}'", keys=keys, same=f"{same_area} AND r.level <> '{TOTAL}'")


def _country_sql(*, total: bool, where: str) -> str:
    """The country's rows of the years `where` selects: by level × ownership summed from the rows by province
    (rebuilt just before: GRAINS' order), or (`total`) over every level and ownership from those."""
    def country(alias: str) -> str:
        return f"{alias}province_id = '{TOTAL}' AND {alias}commune_id = ''"

    if total:
        return _resum_sql(rows=f"{country('')} AND level = '{TOTAL}'", where=where,
                          select=f"s.school_year, '{TOTAL}', '', '{TOTAL}', '{TOTAL}'",
                          source=f"{country('s.')} AND s.level <> '{TOTAL}'", keys="s.school_year",
                          same=f"r.school_year = s.school_year AND {country('r.')} AND r.level <> '{TOTAL}'")
    return _resum_sql(rows=f"{country('')} AND level <> '{TOTAL}'", where=where,
                      select=f"s.school_year, '{TOTAL}', '', s.level, s.ownership",
                      source=f"s.province_id <> '{TOTAL}' AND s.commune_id = '' AND s.level <> '{TOTAL}'",
                      keys="s.school_year, s.level, s.ownership",
                      same="r.school_year = s.school_year AND r.province_id <> '' AND r.commune_id = ''"
                           " AND r.level = s.level AND r.ownership = s.ownership")


def _resum_sql(*, rows: str, where: str, select: str, source: str, keys: str, same: str) -> str:
    """Delete the rollup rows `rows` that `where` selects and sum them again from other rollup rows (`source`,
    alias s) grouped by `keys`: `select` the new rows' keys, `same` (alias r) the rows each one merges the
    synchronisations of."""
    metrics = ", ".join(METRIC_NAMES)
    sums = ", ".join(f"SUM(s.{m})" for m in METRIC_NAMES)
    return (
        f"DELETE FROM {TABLE} WHERE {rows} AND ({where});\n"
        f"INSERT INTO {TABLE} ({_COLUMNS}, {metrics})\n"
        f"SELECT {select}, SUM(s.schools), SUM(s.rows), {_merged_synced(same)},"
        f" MIN(s.computed_at_min), MAX(s.computed_at_max), {_fields_sum('pupil_mismatch_fields')},"
        f" {_fields_sum('staff_mismatch_fields')}, {sums}\n"
        f"FROM {TABLE} s WHERE {source} AND ({where})\n"
        f"GROUP BY {keys}"
    )


def _merged_synced(rows: str) -> str:
    """The sorted synchronisations of the rollup rows `rows` (alias r) as one sorted array (arrays of different
    lengths cannot be array_agg'ed), less those that can no longer count (SYNCED_SINCE)."""
    return (f"(SELECT COALESCE(array_agg(t ORDER BY t), '{{}}') FROM {TABLE} r, unnest(r.synced) t"
            f" WHERE {rows} AND t >= {SYNCED_SINCE})")


# The conditions the refreshes pass: every row, some years, or the areas a partial refresh touched
# (parallel arrays: %(years)s, %(provinces)s, %(communes)s).
EVERYTHING = "TRUE"
YEARS = "school_year = ANY(%(years)s)"
AREAS = {
    "province": "(school_year, province_id) IN (SELECT * FROM unnest(%(years)s::int[], %(provinces)s::text[]))",
    "commune": "(school_year, province_id, commune_id) IN"
               " (SELECT * FROM unnest(%(years)s::int[], %(provinces)s::text[], %(communes)s::text[]))",
}
AREAS["province_total"], AREAS["commune_total"] = AREAS["province"], AREAS["commune"]
# The country's rows sum every province's: those of the years touched are rebuilt whole.
AREAS["country"] = AREAS["country_total"] = YEARS


def rollup_rebuild(cursor, *, where: str | dict[str, str] = EVERYTHING, params: dict | None = None) -> None:
    """Rebuild every grain of the rollup rows `where` selects (one condition, or one per grain)."""
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

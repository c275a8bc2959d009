"""Reads of the reporting periods (issue 19): periods, the submissions a scope sees, completeness and
timeliness by area, and official figures beside live ones. Selectors never write."""
from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from accounts.scope import COUNTRY, PROVINCE, Scope
from dashboards.metrics import METRIC_NAMES
from edu_portal.common.prepared import execute_prepared

from .models import CheckResult, ReportingPeriod, Submission
from .official_rollup import BY_COMMUNE, COMMUNE_TOTAL


def period_list() -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.all()


def submission_list(*, scope: Scope, period: ReportingPeriod, status: str | None = None) -> QuerySet[Submission]:
    qs = scope.filter(Submission.objects.filter(period=period), "school").select_related("school", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("school__province_id", "school__name")


def check_list(*, scope: Scope, period: ReportingPeriod, school_id: int | None = None,
               status: str | None = None) -> QuerySet[CheckResult]:
    """The validation results of the period for the schools of the scope (the data-quality report)."""
    qs = scope.filter(CheckResult.objects.filter(period=period), "school").select_related("school")
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("school__province_id", "school__code", "rule")


def _area(scope: Scope) -> tuple[str, str, list]:
    """The grouping below the scope (country: provinces; province: communes; school: itself) and its filter."""
    if scope.kind == COUNTRY:
        return "sc.province_id", "TRUE", []
    if scope.kind == PROVINCE:
        return "sc.commune_id", "sc.province_id = %s", [scope.province_code]
    return "sc.id::text", "sc.id = %s", [scope.school_id]


def completeness(*, scope: Scope, period: ReportingPeriod) -> list[dict]:
    """Per area below the scope: the open schools that must report, how many submitted (and on time: first
    submission by the deadline, end of day in Asia/Ho_Chi_Minh), were approved, and the province's acceptance.
    One query; rates are computed by the caller's presentation (a share of `schools`)."""
    key, where, params = _area(scope)
    sql = f"""
        SELECT {key} AS area, count(*) AS schools,
               count(s.id) FILTER (WHERE s.first_submitted_at IS NOT NULL) AS submitted,
               count(s.id) FILTER (WHERE (s.first_submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= %s) AS on_time,
               count(s.id) FILTER (WHERE s.status = 'approved') AS approved,
               count(s.id) FILTER (WHERE s.status = 'returned') AS returned,
               count(s.id) FILTER (WHERE s.changed_after_approval > 0) AS changed_after_approval,
               bool_or(a.id IS NOT NULL) AS accepted
        FROM schools_school sc
        LEFT JOIN reporting_submission s ON s.school_id = sc.id AND s.period_id = %s
        LEFT JOIN reporting_provinceacceptance a ON a.province_id = sc.province_id AND a.period_id = %s
        WHERE sc.status = 'open' AND {where}
        GROUP BY 1 ORDER BY 1"""  # noqa: S608 - only constants are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.closes_on, period.pk, period.pk, *params])
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def not_submitted(*, scope: Scope, period: ReportingPeriod, limit: int = 500) -> list[dict]:
    """The open schools of the scope that have not submitted the period (or were returned and not again)."""
    _, where, params = _area(scope)
    sql = f"""
        SELECT sc.id, sc.code, sc.name, sc.province_id, sc.commune_id, s.status
        FROM schools_school sc LEFT JOIN reporting_submission s ON s.school_id = sc.id AND s.period_id = %s
        WHERE sc.status = 'open' AND {where} AND (s.id IS NULL OR s.status = 'returned')
        ORDER BY sc.province_id, sc.name LIMIT %s"""  # noqa: S608 - only constants are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.pk, *params, limit])
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def official_beside_live(*, scope: Scope, period: ReportingPeriod, metrics: list[str]) -> list[dict]:
    """Per area below the scope: each metric's official value (the sum of the figures frozen at approval;
    schools not approved count nothing) and its live value (the statistics now), with how many schools'
    figures are official."""
    metrics = [m for m in metrics if m in METRIC_NAMES]
    key, where, params = _area(scope)
    official = ", ".join(f"COALESCE(sum((o.figures ->> '{m}')::bigint), 0) AS official_{m}" for m in metrics)
    live = ", ".join(f"sum(st.{m}) AS live_{m}" for m in metrics)
    sql = f"""
        WITH live AS (SELECT {key} AS area, count(*) AS schools, {live}
                      FROM dashboards_schoolstats st JOIN schools_school sc ON sc.id = st.school_id
                      WHERE st.school_year = %s AND {where} GROUP BY 1),
             official AS (SELECT {key} AS area, count(*) AS official_schools, {official}
                          FROM reporting_officialfigures o JOIN reporting_submission s ON s.id = o.submission_id
                          JOIN schools_school sc ON sc.id = o.school_id
                          WHERE s.period_id = %s AND {where} GROUP BY 1)
        SELECT * FROM live LEFT JOIN official USING (area) ORDER BY area"""  # noqa: S608 - metric names are checked
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.school_year, *params, period.pk, *params])
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["official_schools"] = row.get("official_schools") or 0
        for m in metrics:
            row[f"official_{m}"] = row.get(f"official_{m}") or 0
    return rows



# The dimensions the dashboards group official figures by, as columns of the frozen rows. A school's level and
# ownership are frozen with its figures (rows frozen before that read them from the school).
_DIMS = {"province": "o.province_id", "commune": "o.commune_id", "school": "o.school_id",
         "level": "COALESCE(f.level, sc.level)", "ownership": "COALESCE(f.ownership, sc.ownership)"}


def official_sums(*, scope: Scope, period: ReportingPeriod | int, school_year: int, filters: dict,
                  groups: tuple[str, ...], metrics: list[str]) -> tuple[dict, dict[str, dict]]:
    """The sums of the figures frozen at approval for the period's schools in the scope and `filters` (the
    dashboards' cleaned filters: province, commune, level, ownership, school), in total and by each of `groups`, with
    `approved` (schools with frozen figures) and `accepted` (those of provinces the ministry accepted). One
    query: of the country or a province without schools asked, over the official rollup (the frozen rows summed
    at approval: reporting.official_rollup); otherwise over the frozen rows, each row's JSON expanded once
    (jsonb_to_record), then summed by grouping sets."""
    metrics = [m for m in metrics if m in METRIC_NAMES]
    unknown = [g for g in groups if g not in _DIMS]
    if unknown:
        raise ValueError(unknown)
    period = getattr(period, "pk", period)
    if scope.kind in (COUNTRY, PROVINCE) and "school" not in groups and filters.get("school") in (None, ""):
        return _rollup_sums(scope=scope, period=period, school_year=school_year, filters=filters, groups=groups,
                            metrics=metrics)
    return _frozen_sums(scope=scope, period=period, school_year=school_year, filters=filters, groups=groups,
                        metrics=metrics)


def _frozen_sums(*, scope: Scope, period: int, school_year: int, filters: dict, groups: tuple[str, ...],
                 metrics: list[str]) -> tuple[dict, dict[str, dict]]:
    """official_sums from the frozen rows themselves: a school, a commune by school (a few hundred rows at most,
    read by the commune's index)."""
    conditions, params = ["s.period_id = %s", "o.school_year = %s"], [period, school_year]
    if scope.kind == PROVINCE:
        conditions.append("o.province_id = %s")
        params.append(scope.province_code)
    elif scope.kind != COUNTRY:
        # The submission's too: its unique (period, school) index finds the one row.
        conditions.append("o.school_id = %s AND s.school_id = %s")
        params += [scope.school_id, scope.school_id]
    for key, column in (("province", "o.province_id"), ("commune", "o.commune_id"), ("level", _DIMS["level"]),
                        ("ownership", _DIMS["ownership"])):
        if filters.get(key) not in (None, ""):
            conditions.append(f"{column} = %s")
            params.append(str(filters[key]))
    if filters.get("school") not in (None, ""):  # the trends' filter of one school
        conditions.append("o.school_id = %s AND s.school_id = %s")
        params += [int(filters["school"])] * 2
    record = ", ".join([f"{m} bigint" for m in metrics] + ["level text", "ownership text"])
    dims = [_DIMS[g] for g in groups]
    sets = ", ".join(["()"] + [f"({d})" for d in dims])
    selected = [f"{d} AS d{i}, GROUPING({d}) AS g{i}" for i, d in enumerate(dims)]
    sums = [f"COALESCE(sum(f.{m}), 0)::bigint AS {m}" for m in metrics]
    sql = f"""
        SELECT {", ".join([*selected, "count(*)::int AS approved",
                           "(count(*) FILTER (WHERE a.id IS NOT NULL))::int AS accepted", *sums])}
        FROM reporting_officialfigures o
        JOIN reporting_submission s ON s.id = o.submission_id
        JOIN schools_school sc ON sc.id = o.school_id
        LEFT JOIN reporting_provinceacceptance a ON a.period_id = s.period_id AND a.province_id = o.province_id
        CROSS JOIN LATERAL jsonb_to_record(o.figures) AS f({record})
        WHERE {" AND ".join(conditions)}
        GROUP BY GROUPING SETS ({sets})"""  # noqa: S608 - metric and group names are checked above
    return _by_sets(sql, params, groups)


def _by_sets(sql: str, params, groups: tuple[str, ...]) -> tuple[dict, dict[str, dict]]:
    """The rows of a grouping-sets query (d<i>, g<i> per group) as the total and each group's rows by key."""
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params)
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    total: dict = {}
    by_group: dict[str, dict] = {g: {} for g in groups}
    for row in rows:
        keys = [row.pop(f"d{i}") for i in range(len(groups))]
        flags = [row.pop(f"g{i}") for i in range(len(groups))]
        if all(flags):
            total = row
            continue
        i = flags.index(0)
        by_group[groups[i]][keys[i]] = row
    return total, by_group


# The rollup's columns for the dimensions (reporting.official_rollup).
_ROLLUP_DIMS = {"province": "r.province_id", "commune": "r.commune_id", "level": "r.level", "ownership": "r.ownership"}


def _rollup_sums(*, scope: Scope, period: int, school_year: int, filters: dict, groups: tuple[str, ...],
                 metrics: list[str]) -> tuple[dict, dict[str, dict]]:
    """official_sums of the country or a province from the official rollup (the frozen rows summed at approval
    by province and by commune x level x ownership, and by commune over every level and ownership): the rows by
    commune when the selection or a group needs communes, else the rows by province. The same sums as from the
    frozen rows (tests/reporting/test_rollup.py)."""
    by_commune = "commune" in groups or filters.get("commune") not in (None, "")
    conditions = ["r.period_id = %s", "rp.school_year = %s"]  # the period's rows are of its year only
    params: list = [period, school_year]
    if scope.kind == PROVINCE:
        conditions.append("r.province_id = %s")
        params.append(scope.province_code)
    for key in ("province", "commune", "level", "ownership"):
        if filters.get(key) not in (None, ""):
            conditions.append(f"{_ROLLUP_DIMS[key]} = %s")
            params.append(str(filters[key]))
    rows = ("FROM reporting_officialrollup r JOIN reporting_reportingperiod rp ON rp.id = r.period_id"
            " LEFT JOIN reporting_provinceacceptance a ON a.period_id = r.period_id AND a.province_id = r.province_id"
            " WHERE ")
    coarse = [*conditions, "r.commune_id = ''"]
    if "commune" in groups and not any(filters.get(k) not in (None, "") for k in ("commune", "level", "ownership")):
        # A province's page: its communes' totals as they are (no sums: one row each), every other set (the
        # total, by level, by ownership) from the province's rows; a thousand rows by commune x level x
        # ownership summed by four sets took 1.9 ms of the 2.8 ms this query took.
        units = [f"r.commune_id AS d{i}, 0 AS g{i}" if g == "commune" else f"NULL AS d{i}, 1 AS g{i}"
                 for i, g in enumerate(groups)]
        columns = [*units, "r.approved", "(CASE WHEN a.id IS NOT NULL THEN r.approved ELSE 0 END) AS accepted",
                   *(f"r.{m}::bigint AS {m}" for m in metrics)]
        where = " AND ".join([*conditions, COMMUNE_TOTAL.format("r.")])
        sql = (f"SELECT {', '.join(columns)} {rows}{where}"  # noqa: S608 - metric names are checked by the caller
               f" UNION ALL {_grouped(rows, coarse, groups, metrics, skip='commune')}")
        return _by_sets(sql, params + params, groups)
    fine = [*conditions, BY_COMMUNE.format("r.")] if by_commune else coarse
    return _by_sets(_grouped(rows, fine, groups, metrics), params, groups)


def _grouped(rows: str, conditions: list[str], groups: tuple[str, ...], metrics: list[str], skip: str = "") -> str:
    """The sums of the rollup rows `conditions` select, by grouping sets () and each of `groups` (but `skip`,
    whose columns are then NULL, flagged as not grouped)."""
    dims = {g: _ROLLUP_DIMS[g] for g in groups if g != skip}
    sets = ", ".join(["()"] + [f"({d})" for d in dims.values()])
    selected = [f"{dims[g]} AS d{i}, GROUPING({dims[g]}) AS g{i}" if g in dims else f"NULL AS d{i}, 1 AS g{i}"
                for i, g in enumerate(groups)]
    columns = [*selected, "COALESCE(sum(r.approved), 0)::int AS approved",
               "COALESCE(sum(r.approved) FILTER (WHERE a.id IS NOT NULL), 0)::int AS accepted",
               *(f"COALESCE(sum(r.{m}), 0)::bigint AS {m}" for m in metrics)]
    return (f"SELECT {', '.join(columns)} {rows}{' AND '.join(conditions)}"  # noqa: S608 - names checked by the caller
            f" GROUP BY GROUPING SETS ({sets})")

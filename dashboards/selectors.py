"""Reads on the pre-aggregated statistics, always through the caller's scope.

The dashboard pages and the statistics API both call these functions, so a figure is the same
wherever it is shown. Sums by country, province, commune, level and ownership are read from the
rollup (StatsRollup: the per-school rows summed by province or commune × level × ownership, a few
hundred rows a page at national size) whenever the selection is made of whole areas; a school's
figures, a school scope and sums by school read the per-school rows (SchoolStats). Either way one
GROUPING SETS query, and the same figures. They only read: the cache around them lives in cache.py,
the tables and charts made of their figures in presentation.py.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from accounts.scope import COUNTRY, PROVINCE, SCHOOL, Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.identity import (
    FIXABLE_STATUSES,
    VerificationStatus,
    mask_digits,
    verification_failure_reason,
)
from edu_portal.common.models import current_school_year
from edu_portal.common.names import vietnamese_order
from edu_portal.common.prepared import execute_prepared
from geo.models import Commune, Province
from schools.models import CONNECTED_WINDOW, Ownership, School, SchoolLevel, SchoolStatus
from schools.selectors import scope_describe
from students.selectors import student_missing_data, students_at_school
from teachers.models import StaffMember
from teachers.selectors import EMPLOYED, staff_missing_data

from .cache import cached
from .filtersets import SchoolStatsFilterSet, years_on_record
from .metrics import METRIC_NAMES, MOVEMENT_METRICS
from .models import SchoolStats, StatsRollup
from .rollup import TOTAL

# The figures of the overview and the drill-down tables (the indicators page sums them all).
OVERVIEW_METRICS = (
    ["pupils", "pupils_female", "pupils_male", "staff", "staff_teacher", "teachers_qualified",
     "pupils_with_result", "pupils_with_physical", "pupils_complete", "pupils_without_id"]
    + [f"pupils_ver_{v}" for v in VerificationStatus.values]
    + [f"staff_ver_{v}" for v in VerificationStatus.values]
    + MOVEMENT_METRICS
)
GROUPS = {"province": "province_id", "commune": "commune_id", "school": "school_id", "level": "level",
          "ownership": "ownership"}


def ratio(a: float, b: float, scale: float = 1.0) -> float | None:
    return round(a * scale / b, 2) if b else None


# (state, its pupils' metric, its staff's metric): derive() runs for every row of a national table.
_VERIFICATION_METRICS = tuple((v, f"pupils_ver_{v}", f"staff_ver_{v}") for v in VerificationStatus.values)


def derive(row: dict) -> dict:
    """The indicators computed from a row of sums (for a school, a commune, a province or all). Runs for
    every row of a national table (a province page: 178 rows): ratio() inlined, each sum read once."""
    get = row.get
    pupils, staff, teachers = get("pupils", 0), get("staff", 0), get("staff_teacher", 0)
    verified = get("pupils_ver_verified", 0) + get("staff_ver_verified", 0)
    schools, male = get("schools", 0), get("pupils_male", 0)
    row["students"] = pupils
    row["verification"] = {v: get(p, 0) + get(s, 0) for v, p, s in _VERIFICATION_METRICS}
    row["verified"] = verified
    people = pupils + staff
    row["verified_pct"] = round(verified * 100 / people, 2) if people else None
    row["connected_pct"] = round(get("connected", 0) * 100 / schools, 2) if schools else None
    row["pupils_per_teacher"] = round(pupils / teachers, 2) if teachers else None
    row["teachers_qualified_pct"] = round(get("teachers_qualified", 0) * 100 / teachers, 2) if teachers else None
    # Gender parity index: girls per boy enrolled (UNESCO GPI uses enrolment ratios; without
    # population figures per age the enrolment counts are the proxy).
    row["gender_parity_index"] = round(get("pupils_female", 0) / male, 2) if male else None
    if pupils:
        row["results_pct"] = round(get("pupils_with_result", 0) * 100 / pupils, 2)
        row["physical_pct"] = round(get("pupils_with_physical", 0) * 100 / pupils, 2)
        row["completeness_pct"] = round(get("pupils_complete", 0) * 100 / pupils, 2)
        row["pupils_without_id_pct"] = round(get("pupils_without_id", 0) * 100 / pupils, 2)
    else:
        row["results_pct"] = row["physical_pct"] = row["completeness_pct"] = row["pupils_without_id_pct"] = None
    return row


@dataclass
class Summary:
    """Sums for the whole selection and for each group asked for."""

    total: dict
    groups: dict[str, list[dict]] = field(default_factory=dict)
    computed_at: dt.datetime | None = None  # the oldest row: every figure is at least this fresh
    updated_at: dt.datetime | None = None  # the newest row: drives ETag / Last-Modified
    filters: dict = field(default_factory=dict)


def stats_filter(*, scope: Scope, filters: dict | None = None) -> tuple[QuerySet[SchoolStats], dict]:
    """The scope-limited, filtered per-school rows and the cleaned filters; bad filters -> AppError."""
    cleaned = stats_clean(filters=filters)
    return SchoolStatsFilterSet(filters or {}, queryset=_scoped(scope)).qs, cleaned


# Filters found valid, and what they cleaned to, for every later reader in this process. A page read after a
# refresh (a new statistics version) cleaned them again with a new FilterSet, whose form deep-copies every
# filter's choices: about a millisecond of the cold path. The key holds all that the cleaning depends on: the
# values and the school years offered (those on record and the current one). The provinces, levels and ownerships
# offered are fixed for the process's life. Bad filters are not kept: their messages are in the reader's language.
_CLEANED: dict[tuple, dict] = {}
_CLEANED_MAX = 1024


def stats_clean(*, filters: dict | None) -> dict:
    """The statistics filters cleaned (school year, level, ownership, province, commune); bad ones -> AppError.
    Each caller gets its own copy (callers drop keys)."""
    values = tuple(sorted((k, str(v)) for k, v in (filters or {}).items() if v not in (None, "")))
    key = (years_on_record(), current_school_year(), values)
    cleaned = _CLEANED.get(key)
    if cleaned is None:
        filterset = SchoolStatsFilterSet(filters or {})
        if not filterset.is_valid():
            details = {k: [str(m) for m in v] for k, v in filterset.errors.items()}
            raise AppError(gettext("Bộ lọc không hợp lệ."), code="invalid_filter", details=details)
        cleaned = {k: v for k, v in filterset.form.cleaned_data.items() if v not in (None, "")}
        if len(_CLEANED) >= _CLEANED_MAX:
            _CLEANED.clear()
        _CLEANED[key] = cleaned
    return dict(cleaned)


def _scoped(scope: Scope) -> QuerySet[SchoolStats]:
    return scope.filter(SchoolStats.objects.all(), province_field="province")


def provinces_of(*, school_ids: list[int]) -> list[str]:
    return list(School.objects.filter(pk__in=school_ids).order_by().values_list("province_id", flat=True).distinct())


def stats_warm(*, province_codes=()) -> None:
    """Compute the most read selections right after a refresh (in the worker that refreshed), so
    that no user waits for them: the national overview of the pages and of the API, and the
    pages of the provinces whose schools changed."""
    country = Scope.country()
    stats_summary(scope=country, filters={}, groups=("province", "level", "ownership"))
    stats_summary(scope=country, filters={}, groups=("level", "ownership"), metrics=METRIC_NAMES)
    for code in sorted(set(province_codes)):
        stats_summary(scope=country, filters={"province": code}, groups=("commune", "level", "ownership"))


# Where the sums are read from: the rollup's rows by province or by commune, or the per-school rows.
ROLLUP_BY_PROVINCE, ROLLUP_BY_COMMUNE, SCHOOL_ROWS = "province", "commune", "school"
# The country's rows by level and ownership (rollup.GRAINS): what the whole country's sums are read from.
ROLLUP_COUNTRY = "country"
_TOTAL = "_total"  # a grain's rows over every level and ownership (rollup.GRAINS)
# The filters the rollup can apply, by its columns (the FilterSet's, less a school).
_ROLLUP_FILTERS = {"school_year": "school_year", "level": "level", "ownership": "ownership",
                   "province": "province_id", "commune": "commune_id"}


def stats_rows_source(*, scope: Scope, filters: dict | None = None, groups: tuple[str, ...] = ()) -> str:
    """The rows a selection is summed from: the rollup unless a school is involved (a school's scope,
    a school filter, sums by school); by commune when a commune is (a filter or the groups)."""
    filters = filters or {}
    if scope.kind == SCHOOL or "school" in groups or filters.get("school") not in (None, ""):
        return SCHOOL_ROWS
    if "commune" in groups or filters.get("commune") not in (None, ""):
        return ROLLUP_BY_COMMUNE
    return ROLLUP_BY_PROVINCE


def _rollup_conditions(scope: Scope, cleaned: dict, source: str) -> list[tuple[str, str, object]]:
    """The rollup's rows of the grain, in the scope (a province scope is its province's rows), filtered
    as stats_filter filtered the school rows (`cleaned` is its output): (column, "=", ">" or "<>", value).
    The rows by level and ownership, or of a "*_total" source those over every level and ownership
    (rollup.TOTAL)."""
    grain = source.removesuffix(_TOTAL)
    conditions = [("commune_id", ">" if grain == ROLLUP_BY_COMMUNE else "=", ""),
                  ("level", "=" if source.endswith(_TOTAL) else "<>", TOTAL)]
    if grain != ROLLUP_BY_COMMUNE:  # the rows by province, or the country's (province '')
        conditions.append(("province_id", "=" if grain == ROLLUP_COUNTRY else ">", TOTAL))
    if scope.kind == PROVINCE:
        conditions.append(("province_id", "=", scope.province_code))
    return conditions + [(column, "=", cleaned[key]) for key, column in _ROLLUP_FILTERS.items() if key in cleaned]


def _by_area(source: str, scope: Scope, cleaned: dict, groups: tuple[str, ...] = ()) -> str:
    """`source`, but the country's rows (a score a year) for the rows by province when the sums are the whole
    country's and none is by province: the same sums as from the 600 rows by province."""
    if (source == ROLLUP_BY_PROVINCE and scope.kind == COUNTRY and not {"province", "commune"} & cleaned.keys()
            and "province" not in groups):
        return ROLLUP_COUNTRY
    return source


def _rollup_rows(scope: Scope, cleaned: dict, source: str) -> QuerySet[StatsRollup]:
    qs = StatsRollup.objects.all()
    for column, op, value in _rollup_conditions(scope, cleaned, source):
        if op == "<>":
            qs = qs.exclude(**{column: value})
        else:
            qs = qs.filter(**{column if op == "=" else f"{column}__gt": value})
    return qs


def _rollup_where(scope: Scope, cleaned: dict, source: str) -> tuple[str, list]:
    """_rollup_rows as SQL: the summary's query is written by hand (the ORM took ~1 ms to compile it)."""
    conditions = _rollup_conditions(scope, cleaned, source)
    return " AND ".join(f"{column} {op} %s" for column, op, _value in conditions), [v for _c, _o, v in conditions]


def _school_rows_where(scope: Scope, cleaned: dict, school: int | None = None) -> tuple[str, list]:
    """The per-school rows of the scope (a province scope: its province's rows, by their own copy of it),
    filtered as stats_filter filters them (`cleaned` is its output), as SQL: the ORM took ~1 ms to compile
    each of these reads, a tenth of a school's or a commune's page."""
    conditions = []
    if scope.kind == SCHOOL:
        conditions.append(("school_id", scope.school_id))
    elif scope.kind == PROVINCE:
        conditions.append(("province_id", scope.province_code))
    if school is not None:
        conditions.append(("school_id", school))
    conditions += [(column, cleaned[key]) for key, column in _ROLLUP_FILTERS.items() if key in cleaned]
    return " AND ".join(f"{column} = %s" for column, _v in conditions) or "TRUE", [v for _c, v in conditions]


@cached
def stats_summary(*, scope: Scope, filters: dict | None = None, groups: tuple[str, ...] = (),
                  metrics: list[str] | None = None) -> Summary:
    """Sums of `metrics` over the selection, and per group ("province", "commune", "school",
    "level", "ownership"), in one query."""
    return stats_summary_from(source=stats_rows_source(scope=scope, filters=filters, groups=groups),
                              scope=scope, filters=filters, groups=groups, metrics=metrics)


def stats_summary_from(*, source: str, scope: Scope, filters: dict | None = None, groups: tuple[str, ...] = (),
                       metrics: list[str] | None = None, derive_row=derive) -> Summary:
    """stats_summary read from `source` (stats_rows_source; the tests compare the sources). `derive_row`:
    what computes a row's indicators from its sums (another set of metrics has its own)."""
    cleaned = stats_clean(filters=filters)
    metrics = list(metrics or OVERVIEW_METRICS)
    unknown = set(metrics) - set(METRIC_NAMES)
    if unknown:
        raise AppError(gettext("Chỉ số không tồn tại."), details={"metrics": sorted(unknown)})
    dims = [GROUPS[g] for g in groups]
    since = timezone.now() - CONNECTED_WINDOW
    # One step: the grouping sets straight over the rows. A selection is of one school year, so its rows
    # are already one per area (or school) × level × ownership: summing them by those first (as this
    # did) reduced nothing and summed every figure twice, the second time as numeric (SUM of bigint).
    if source == SCHOOL_ROWS:
        where, params = _school_rows_where(scope, cleaned)
        inner = (f"SELECT school_id, province_id, commune_id, level, ownership, status, last_synced_at,"  # noqa: S608 - constant columns; values are parameters
                 f" computed_at, {', '.join(metrics)} FROM {SchoolStats._meta.db_table} WHERE {where}")
        if scope.kind == SCHOOL and set(groups) <= {"level", "ownership"}:
            # One school's row of the year, summed here: GROUPING SETS of 200 sums over one row cost 2 ms of
            # the school's page to plan and run, the row itself a fifth of that.
            with connections[SchoolStats.objects.db].cursor() as cursor:
                execute_prepared(cursor, inner, params)
                names = [c[0] for c in cursor.description]
                school_rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
            return _summary_of(_grouping_in_python(school_rows, dims, metrics, since), groups, dims, metrics,
                               set(), derive_row, cleaned)
        counts = ("COUNT(*) FILTER (WHERE status = %s)::int AS schools,"
                  " COUNT(*) FILTER (WHERE status = %s AND last_synced_at >= %s)::int AS connected,"
                  " MIN(computed_at) AS computed_at, MAX(computed_at) AS updated_at")
        params, db = [SchoolStatus.OPEN, SchoolStatus.OPEN, since, *params], SchoolStats.objects.db
    else:
        source = _by_area(source, scope, cleaned, groups)
        where, params = _rollup_where(scope, cleaned, source)
        inner = _rollup_select(where, metrics)
        db = StatsRollup.objects.db  # the router's choice for reads (the replica where one is configured)
        # Connected: the open schools synchronised at or after `since`. `synced` is sorted, and
        # width_bucket (a binary search) counts the elements <= its operand: those before `since` are
        # those <= since - 1 µs (timestamps are whole microseconds in PostgreSQL and Python alike).
        counts = ("COALESCE(SUM(schools), 0)::int AS schools,"
                  " COALESCE(SUM(cardinality(synced) - width_bucket(%s::timestamptz, synced)), 0)::int AS connected,"
                  " MIN(computed_at_min) AS computed_at, MAX(computed_at_max) AS updated_at")
        params = [since - dt.timedelta(microseconds=1), *params]
    sets = [()] + [(d,) for d in dims]
    tail = f"{counts}, {', '.join(f'COALESCE(SUM({m}), 0)::int AS {m}' for m in metrics)}"
    unit = {ROLLUP_BY_COMMUNE: "commune", ROLLUP_BY_PROVINCE: "province"}.get(source)
    if unit in groups and unit not in cleaned and not {"level", "ownership"} & cleaned.keys():
        # The units' sums from the rows over every level and ownership (a province's 168 communes: 168 rows,
        # not a thousand summed), every other set (the total, by level, ...) from the rows by province, or the
        # country's: the same sums (one refresh rebuilds every grain), from a few dozen rows.
        column = GROUPS[unit]
        fine, fine_params = _rollup_where(scope, cleaned, source + _TOTAL)
        # The other sets (the total, by level, ...): the country's rows unless one is by province.
        coarse, coarse_params = _rollup_where(
            scope, cleaned, _by_area(ROLLUP_BY_PROVINCE, scope, cleaned, tuple(g for g in groups if g != unit)))
        sql = (f"{_unit_rows_sql(fine, dims, column, metrics)} UNION ALL "
               f"{_grouping_sql(_rollup_select(coarse, metrics), dims, [x for x in sets if x != (column,)], tail)}")
        params = [params[0], *fine_params, params[0], *coarse_params]  # each part's `since` and rows
    elif source == ROLLUP_BY_COMMUNE and "commune" in groups and "commune" not in cleaned:
        # As above, the communes' sums from their rows by level and ownership (a level or ownership is chosen).
        coarse, coarse_params = _rollup_where(scope, cleaned, _by_area(ROLLUP_BY_PROVINCE, scope, cleaned, groups))
        sql = (f"{_grouping_sql(inner, dims, [('commune_id',)], tail)} UNION ALL "
               f"{_grouping_sql(_rollup_select(coarse, metrics), dims, [x for x in sets if x != ('commune_id',)], tail)}")
        params = params + [params[0], *coarse_params]  # the second query's `since` and rows
    else:
        sql = _grouping_sql(inner, dims, sets, tail)
    sql, labelled = _with_labels(sql, groups)
    # The database the router chose for this queryset (the read replica where one is configured).
    with connections[db].cursor() as cursor:
        execute_prepared(cursor, sql, params)
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    return _summary_of(rows, groups, dims, metrics, labelled, derive_row, cleaned)


def _grouping_in_python(school_rows: list[dict], dims: list[str], metrics: list[str], since) -> list[dict]:
    """The rows _grouping_sql's query gives for the grouping sets (), (d,) for each of `dims` over these
    per-school rows: the same keys, flags, counts and sums (the total's even over no row)."""
    out = []
    for grouping in [None, *dims]:
        by_key: dict = {} if grouping else {None: []}
        for row in school_rows:
            by_key.setdefault(row[grouping] if grouping else None, []).append(row)
        for key, members in by_key.items():
            opened = [m for m in members if m["status"] == SchoolStatus.OPEN]
            computed = [m["computed_at"] for m in members]
            out.append({**{d: key if d == grouping else None for d in dims},
                        **{f"g_{d}": 0 if d == grouping else 1 for d in dims},
                        "schools": len(opened),
                        "connected": sum(1 for m in opened if m["last_synced_at"] and m["last_synced_at"] >= since),
                        "computed_at": min(computed, default=None), "updated_at": max(computed, default=None),
                        **{m: sum(r[m] or 0 for r in members) for m in metrics}})
    return out


def _summary_of(rows: list[dict], groups: tuple[str, ...], dims: list[str], metrics: list[str], labelled: set,
                derive_row, cleaned: dict) -> Summary:
    """The Summary of the grouping sets' rows (their flags say which set each is of)."""
    total = None
    out: dict[str, list[dict]] = {g: [] for g in groups}
    for row in rows:
        flags = [row.pop(f"g_{d}", 0) for d in dims]
        row.pop("g_none", None)
        label = (row.pop("label_name", None), row.pop("label_code", None)) if labelled else None
        if not dims or all(flags):
            for d in dims:
                row.pop(d, None)
            total = row
            continue
        for g, d, flag in zip(groups, dims, flags, strict=True):
            if not flag:
                for other in dims:
                    if other != d:
                        row.pop(other, None)
                row["key"] = row.pop(d)
                # A unit's newest row is not shown (the API shows its oldest, computed_at): not kept.
                del row["updated_at"]
                if g in labelled:
                    row["name"] = _label(g, row["key"], *label)
                out[g].append(derive_row(row))
                break
    if total is None:
        total = {m: 0 for m in metrics} | {"schools": 0, "connected": 0, "computed_at": None, "updated_at": None}
    derive_row(total)
    _label_groups(out)
    return Summary(total=total, groups=out, computed_at=total.pop("computed_at"),
                   updated_at=total.pop("updated_at"), filters=cleaned)


def _rollup_select(where: str, metrics: list[str]) -> str:
    return (f"SELECT province_id, commune_id, level, ownership, schools, synced, computed_at_min,"  # noqa: S608
            f" computed_at_max, {', '.join(metrics)} FROM {StatsRollup._meta.db_table} WHERE {where}")


def _unit_rows_sql(where: str, dims: list[str], column: str, metrics: list[str]) -> str:
    """The rollup rows over every level and ownership that `where` selects, one per unit (`column`), laid out as
    _grouping_sql lays out its grouping set (column,): nothing to sum, so no aggregate to plan (planning the
    sums of a few dozen figures took as long as running them)."""
    columns = [d if d == column else f"NULL AS {d}" for d in dims]
    flags = [f"{0 if d == column else 1} AS g_{d}" for d in dims]
    return (f"SELECT {', '.join(columns + flags)}, schools,"  # noqa: S608 - names from our constants
            " cardinality(synced) - width_bucket(%s::timestamptz, synced) AS connected,"
            # A unit's newest row is not kept (_summary_of): not read either (a timestamp parsed per unit).
            f" computed_at_min AS computed_at, NULL::timestamptz AS updated_at, {', '.join(metrics)}"
            f" FROM {StatsRollup._meta.db_table} WHERE {where}")


def _grouping_sql(inner: str, dims: list[str], sets: list[tuple[str, ...]], tail: str) -> str:
    """The sums `tail` of the rows `inner` selects by grouping `sets`; a column of `dims` in none of
    them is NULL, its GROUPING() flag 1 (so that two of these can be UNION'ed)."""
    used = {d for grouping_set in sets for d in grouping_set}
    columns = [d if d in used else f"NULL AS {d}" for d in dims]
    flags = [f"GROUPING({d}) AS g_{d}" if d in used else f"1 AS g_{d}" for d in dims] or ["0 AS g_none"]
    grouping_sets = ", ".join(f"({', '.join(x)})" for x in sets)
    return (f"SELECT {', '.join(columns + flags)}, {tail}"  # noqa: S608 - names from our constants
            f" FROM ({inner}) t GROUP BY GROUPING SETS ({grouping_sets})")


# The groups whose names the summary's query joins in (a province's 168 communes, a commune's schools:
# read with the figures rather than by a second query); the provinces' names are held per process.
_LABEL_JOINS = {  # group: (table, its key, the summary's column, the code shown after the name)
    "commune": (Commune._meta.db_table, "code", "commune_id", "NULL"),
    "school": (School._meta.db_table, "id", "school_id", "l.code"),
}


def _with_labels(sql: str, groups: tuple[str, ...]) -> tuple[str, set[str]]:
    """The summary's query with the names of its commune or school rows (label_name, label_code)."""
    joined = [g for g in groups if g in _LABEL_JOINS]
    if len(joined) != 1:  # never both at once (stats_rows_source); a second join would not be worth it
        return sql, set()
    table, key, column, code = _LABEL_JOINS[joined[0]]
    if code == "NULL":
        # The name alone: looked up row by row (a province's 168 communes by the primary key), where the join
        # hashed all 3,321 communes of the country for every province page (a millisecond).
        return (f"SELECT c.*, (SELECT l.name FROM {table} l WHERE l.{key} = c.{column}) AS label_name,"  # noqa: S608 - names from our constants
                f" NULL AS label_code FROM ({sql}) c"), {joined[0]}
    return (f"SELECT c.*, l.name AS label_name, {code} AS label_code"  # noqa: S608 - names from our constants
            f" FROM ({sql}) c LEFT JOIN {table} l ON l.{key} = c.{column}"), {joined[0]}


def _label(group: str, key, name: str | None, code: str | None):
    """A unit's name as the tables show it: a school with its code; the key when the unit is unknown."""
    if name is None:
        return key
    return f"{name} ({code})" if group == "school" else name


_PROVINCE_NAMES: dict[str, str] = {}


def province_names() -> dict[str, str]:
    if not _PROVINCE_NAMES:
        _PROVINCE_NAMES.update(Province.objects.values_list("code", "name"))
    return _PROVINCE_NAMES


_CHOICE_LABELS = {"level": dict(SchoolLevel.choices), "ownership": dict(Ownership.choices)}


def _label_groups(groups: dict[str, list[dict]]) -> None:
    for g, rows in groups.items():
        labels = province_names() if g == "province" else _CHOICE_LABELS.get(g)
        if labels is None and any("name" not in r for r in rows):  # communes or schools the query did not name
            labels = _unit_labels(g, [r["key"] for r in rows])
        if labels is not None:
            for row in rows:
                row["name"] = labels.get(row["key"], row["key"])
        # The key breaks ties (two communes of one name), so that the order is the same from either source.
        rows.sort(key=lambda r: (str(r["name"]), str(r["key"])) if g != "province" else r["key"])


def _unit_labels(group: str, keys: list) -> dict:
    if group == "commune":
        return dict(Commune.objects.filter(pk__in=keys).values_list("code", "name"))
    schools = School.objects.filter(pk__in=keys).values_list("pk", "code", "name")
    return {pk: _label("school", pk, name, code) for pk, code, name in schools}


@cached
def stats_mismatch_reasons(*, scope: Scope, filters: dict | None = None) -> list[tuple[str, int]]:
    """(field name, persons whose record differs from the registry on it), most common first."""
    return stats_mismatch_reasons_from(source=stats_rows_source(scope=scope, filters=filters),
                                       scope=scope, filters=filters)


def stats_mismatch_reasons_from(*, source: str, scope: Scope, filters: dict | None = None) -> list[tuple[str, int]]:
    qs, cleaned = stats_filter(scope=scope, filters=filters)
    if source != SCHOOL_ROWS:
        qs = _rollup_rows(scope, cleaned, _by_area(source, scope, cleaned))
    inner, params = qs.order_by().values("pupil_mismatch_fields", "staff_mismatch_fields").query.sql_with_params()
    sql = (f"SELECT k, SUM(v::int) FROM ({inner}) t,"  # noqa: S608 - the inner query is the ORM's
           " LATERAL (SELECT * FROM jsonb_each_text(t.pupil_mismatch_fields)"
           " UNION ALL SELECT * FROM jsonb_each_text(t.staff_mismatch_fields)) AS kv(k, v)"
           " GROUP BY k ORDER BY 2 DESC, 1")
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [(k, int(n)) for k, n in cursor.fetchall()]


def school_stats_get(*, scope: Scope, pk: int, filters: dict | None = None) -> Summary:
    """One school's figures; a school outside the scope is not found."""
    school = School.objects.filter(pk=pk).only("pk", "province_id").first()
    if school is None or not scope.contains_school(school):
        raise NotInScope()
    data = dict(filters or {})
    data.pop("province", None)
    data.pop("commune", None)
    qs_scope = Scope(SCHOOL, school_id=school.pk, province_code=school.province_id)
    return stats_summary(scope=qs_scope, filters=data, metrics=METRIC_NAMES)


# Failed verifications a school can fix (ERROR is the registry's outage: retried on its own).
TODO_VERIFICATION = FIXABLE_STATUSES
TODO_LIMIT = 20


@dataclass
class TodoGroup:
    """One kind of work on the school's to-do list: how many records, the first of them, and where
    they are fixed (each item links to its record's edit form)."""
    key: str
    title: str
    count: int
    items: list[dict]
    more_url: str = ""


def _todo_items(qs, *, kind: str, scope: Scope, reason) -> list[dict]:
    edit = "students:edit" if kind == "student" else "teachers:edit"
    code = "pupil_code" if kind == "student" else "staff_code"
    return [{"kind": kind, "pk": person.pk, "name": person.full_name, "code": getattr(person, code),
             "edit_url": edit, "reason": reason(person) if scope.can_view_id_numbers else mask_digits(reason(person))}
            for person in qs.order_by(*vietnamese_order(), "pk")[:TODO_LIMIT]]


def school_todo(*, scope: Scope) -> list[TodoGroup]:
    """What a school's administrators should fix, for its home page: records that failed verification
    (with the reason in words), then records missing required data (students.selectors and
    teachers.selectors say what is required). Only a school's own list: a province or ministry has the
    failures page and the dashboards for its thousands of schools. Leavers and staff who left are
    not listed: nothing is asked of them."""
    if scope.kind != SCHOOL:
        return []
    pupils = students_at_school(scope=scope)
    staff = scope.filter(StaffMember.objects.filter(employment_status__in=EMPLOYED))
    failed = {"verification_status__in": TODO_VERIFICATION, "id_number__isnull": False}
    groups = []
    # Pending transfers (requests the school must answer) belong here, first: the transfers' work adds
    # their group.
    for kind, qs, title in (("student", pupils, _("Học sinh chưa xác thực được định danh")),
                            ("staff", staff, _("Cán bộ chưa xác thực được định danh"))):
        failing = qs.filter(**failed)
        groups.append(TodoGroup(f"{kind}_verification", str(title), failing.count(),
                                _todo_items(failing, kind=kind, scope=scope, reason=verification_failure_reason),
                                more_url=f"?kind={kind}"))
    for kind, gaps in (("student", student_missing_data(scope=scope)), ("staff", staff_missing_data(scope=scope))):
        for gap in gaps:
            groups.append(TodoGroup(gap.key, str(gap.title), gap.records.count(),
                                    _todo_items(gap.records, kind=kind, scope=scope,
                                                reason=gap.record_reason or (lambda _p, text=str(gap.reason): text))))
    return [group for group in groups if group.count]


def home_summary(*, scope: Scope) -> dict:
    """What the home page shows beside the headline figures (dashboards/headline.py, read from the statistics as
    the dashboards' cards are): the user's scope. It counted every record here once (38,809 pupil records against
    the dashboard's 38,690 pupils studying), a second definition of the same figure, and over the whole table."""
    return {"scope_name": scope_describe(scope)}


TREND_METRICS = ["pupils", "pupils_female", "staff_teacher", "pupils_ver_verified", "pupils_with_result",
                 "pupils_without_id", "enrol_dropped_out", "enrol_transferred_in"]


@cached
def stats_by_year(*, scope: Scope, filters: dict | None = None, metrics: tuple[str, ...] = ()) -> list[dict]:
    """The main figures (or `metrics`) of the selection for every school year on record, oldest first (the
    trends): the same rows, scope and filters as the pages, all years at once."""
    return stats_by_year_from(source=stats_rows_source(scope=scope, filters=filters), scope=scope, filters=filters,
                              metrics=metrics)


def stats_by_year_from(*, source: str, scope: Scope, filters: dict | None = None,
                       metrics: tuple[str, ...] = (), derive_row=derive) -> list[dict]:
    filters = {k: v for k, v in (filters or {}).items() if k != "school_year"}
    school = filters.pop("school", None)
    cleaned = stats_clean(filters=filters)  # refuses bad filters as the pages do
    cleaned.pop("school_year", None)  # every year
    metrics = metrics or TREND_METRICS
    # Written by hand, as the summary's (the ORM took ~1.5 ms to compile a few dozen sums); bigint: the
    # integers the ORM's Sum gave.
    if source == SCHOOL_ROWS:
        where, params = _school_rows_where(scope, cleaned, int(school) if school is not None else None)
        table, count, db = SchoolStats._meta.db_table, "COUNT(*)", SchoolStats.objects.db
    else:
        # A year's totals, or its rows by level and ownership when one is chosen: the country's, or the area's.
        grain = _by_area(source, scope, cleaned)
        where, params = _rollup_where(scope, cleaned, grain if {"level", "ownership"} & cleaned.keys() else grain + _TOTAL)
        # Every year on record, named: the rollup's keys begin with the year, and without it a commune's rows
        # were looked for through the whole index (a commune's facilities page waited 8 ms for them).
        where, params = f"school_year = ANY(%s) AND {where}", [list(years_on_record()), *params]
        table, count, db = StatsRollup._meta.db_table, "SUM(rows)::bigint", StatsRollup.objects.db
    sql = (f"SELECT school_year, {count} AS schools, "  # noqa: S608 - constant columns; values are parameters
           f"{', '.join(f'SUM({m})::bigint AS {m}' for m in metrics)} FROM {table}"
           f" WHERE {where} GROUP BY school_year ORDER BY school_year")
    with connections[db].cursor() as cursor:  # the router's choice for reads
        execute_prepared(cursor, sql, params)
        names = [c[0] for c in cursor.description]
        sums = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    return [derive_row({k: v or 0 for k, v in row.items()}) for row in sums]

"""Reads on the pre-aggregated statistics, always through the caller's scope.

The dashboard pages and the statistics API both call these functions, so a figure is the same
wherever it is shown. Rollups (country, province, commune, level, ownership) are summed from
the per-school rows at query time: one GROUPING SETS query over at most a few thousand rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from accounts.scope import SCHOOL, Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.identity import VerificationStatus
from geo.models import Commune, Province
from schools.models import CONNECTED_WINDOW, Ownership, School, SchoolLevel, SchoolStatus
from students.models import ConductRating, LearningRating, NutritionStatus, Term
from teachers.models import Position, Qualification

from .filtersets import SchoolStatsFilterSet
from .metrics import GRADES, METRIC_NAMES
from .models import SchoolStats

# The figures of the overview and the drill-down tables (the indicators page sums them all).
OVERVIEW_METRICS = (
    ["pupils", "pupils_female", "pupils_male", "staff", "staff_teacher", "teachers_qualified",
     "pupils_with_result", "pupils_with_physical", "pupils_complete"]
    + [f"pupils_ver_{v}" for v in VerificationStatus.values]
    + [f"staff_ver_{v}" for v in VerificationStatus.values]
)
GROUPS = {"province": "province_id", "commune": "commune_id", "school": "school_id", "level": "level",
          "ownership": "ownership"}


def _ratio(a: float, b: float, scale: float = 1.0) -> float | None:
    return round(a * scale / b, 2) if b else None


def derive(row: dict) -> dict:
    """The indicators computed from a row of sums (for a school, a commune, a province or all)."""
    pupils, staff = row.get("pupils", 0), row.get("staff", 0)
    verified = row.get("pupils_ver_verified", 0) + row.get("staff_ver_verified", 0)
    row["students"] = pupils
    row["verification"] = {v: row.get(f"pupils_ver_{v}", 0) + row.get(f"staff_ver_{v}", 0)
                           for v in VerificationStatus.values}
    row["verified"] = verified
    row["verified_pct"] = _ratio(verified, pupils + staff, 100)
    row["connected_pct"] = _ratio(row.get("connected", 0), row.get("schools", 0), 100)
    row["pupils_per_teacher"] = _ratio(pupils, row.get("staff_teacher", 0))
    row["teachers_qualified_pct"] = _ratio(row.get("teachers_qualified", 0), row.get("staff_teacher", 0), 100)
    # Gender parity index: girls per boy enrolled (UNESCO GPI uses enrolment ratios; without
    # population figures per age the enrolment counts are the proxy).
    row["gender_parity_index"] = _ratio(row.get("pupils_female", 0), row.get("pupils_male", 0))
    row["results_pct"] = _ratio(row.get("pupils_with_result", 0), pupils, 100)
    row["physical_pct"] = _ratio(row.get("pupils_with_physical", 0), pupils, 100)
    row["completeness_pct"] = _ratio(row.get("pupils_complete", 0), pupils, 100)
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
    filterset = SchoolStatsFilterSet(filters or {}, queryset=_scoped(scope))
    if not filterset.is_valid():
        details = {k: [str(m) for m in v] for k, v in filterset.errors.items()}
        raise AppError("Bộ lọc không hợp lệ.", code="invalid_filter", details=details)
    cleaned = {k: v for k, v in filterset.form.cleaned_data.items() if v not in (None, "")}
    return filterset.qs, cleaned


def _scoped(scope: Scope) -> QuerySet[SchoolStats]:
    return scope.filter(SchoolStats.objects.all(), province_field="province")


# --- A small cache: figures change only when a refresh commits, which bumps the version ---

VERSION_KEY = "dashboards:stats_version"
_LOCAL: dict = {"version": None, "entries": {}}
_LOCAL_MAX = 512


def stats_version() -> str | None:
    """The version of the statistics (bumped by every refresh); None when Redis is unreachable."""
    from django.core.cache import cache

    try:
        return cache.get(VERSION_KEY) or "0"
    except Exception:  # noqa: BLE001 - without Redis the figures are computed every time
        return None


def stats_version_bump() -> None:
    import uuid

    from django.core.cache import cache

    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:  # noqa: BLE001, S110 - nothing is cached without Redis either
        pass


def _cache_key(scope: Scope, filters: dict | None, *parts) -> tuple:
    return (scope.kind, scope.province_code, scope.school_id,
            tuple(sorted((k, str(v)) for k, v in (filters or {}).items() if v not in (None, ""))), *parts)


SHARED_TTL = 3600  # seconds; a new version makes old entries unreachable long before


def _shared_key(version: str, key: tuple) -> str:
    import hashlib

    from django.db import connection

    # The database's name too: several databases may share one Redis (test workers, staging).
    digest = hashlib.sha256(repr((connection.settings_dict["NAME"], key)).encode()).hexdigest()[:40]
    return f"dashboards:s:{version}:{digest}"


def _redis_call(method, *args):
    """A call on the shared cache; None if Redis went away since the version was read (the
    selection is then computed, and the local copy still serves this process)."""
    try:
        return method(*args)
    except Exception:  # noqa: BLE001
        return None


def cached(fn):
    """Memoise a selector under the current statistics version: per process, and shared by every
    process through Redis, so that after a refresh one process computes a selection (national
    size: ~50 ms for the overview) and the others read it (~1 ms)."""
    import functools

    from django.core.cache import cache

    @functools.wraps(fn)
    def wrapper(*, scope: Scope, filters: dict | None = None, **kwargs):
        version = stats_version()
        if version is None:
            return fn(scope=scope, filters=filters, **kwargs)
        if _LOCAL["version"] != version:
            _LOCAL["version"], _LOCAL["entries"] = version, {}
        key = _cache_key(scope, filters, fn.__name__, *sorted((k, str(v)) for k, v in kwargs.items()))
        hit = _LOCAL["entries"].get(key)
        if hit is None:
            shared = _shared_key(version, key)
            hit = _redis_call(cache.get, shared)
            if hit is None:
                hit = fn(scope=scope, filters=filters, **kwargs)
                _redis_call(cache.set, shared, hit, SHARED_TTL)
            if len(_LOCAL["entries"]) >= _LOCAL_MAX:
                _LOCAL["entries"].clear()
            _LOCAL["entries"][key] = hit
        return _copy(hit)  # callers add links and sort rows

    wrapper.uncached = fn
    return wrapper


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


def _copy(value):
    """A copy deep enough for callers to change rows (dicts of numbers, one level of nesting)."""
    if isinstance(value, Summary):
        return Summary(total=_copy(value.total), groups={g: [_copy(r) for r in rows] for g, rows in value.groups.items()},
                       computed_at=value.computed_at, updated_at=value.updated_at, filters=dict(value.filters))
    if isinstance(value, dict):
        return {k: dict(v) if isinstance(v, dict) else v for k, v in value.items()}
    if isinstance(value, list):
        return list(value)
    return value


@cached
def stats_summary(*, scope: Scope, filters: dict | None = None, groups: tuple[str, ...] = (),
                  metrics: list[str] | None = None) -> Summary:
    """Sums of `metrics` over the selection, and per group ("province", "commune", "school",
    "level", "ownership"), in one query."""
    qs, cleaned = stats_filter(scope=scope, filters=filters)
    metrics = list(metrics or OVERVIEW_METRICS)
    unknown = set(metrics) - set(METRIC_NAMES)
    if unknown:
        raise AppError("Chỉ số không tồn tại.", details={"metrics": sorted(unknown)})
    dims = [GROUPS[g] for g in groups]
    inner, params = qs.order_by().values(
        "school_id", "province_id", "commune_id", "level", "ownership", "status", "last_synced_at",
        "computed_at", *metrics).query.sql_with_params()
    # Two steps: first one row per combination of the groups' columns (5,400 schools become a
    # few hundred rows), then the grouping sets over those; far fewer aggregate steps than
    # grouping sets over every school row.
    sets = ", ".join(["()"] + [f"({d})" for d in dims])
    grouping = [f"GROUPING({d}) AS g_{d}" for d in dims] or ["0 AS g_none"]
    first = ", ".join(f"COALESCE(SUM({m}), 0) AS {m}" for m in metrics)
    second = ", ".join(f"COALESCE(SUM({m}), 0)::int AS {m}" for m in metrics)
    by = f" GROUP BY {', '.join(dims)}" if dims else ""
    combined = (
        f"SELECT {''.join(d + ', ' for d in dims)}"  # noqa: S608 - names from our constants
        " COUNT(*) FILTER (WHERE status = %s) AS schools,"
        " COUNT(*) FILTER (WHERE status = %s AND last_synced_at >= %s) AS connected,"
        f" MIN(computed_at) AS computed_at, MAX(computed_at) AS updated_at, {first}"
        f" FROM ({inner}) t{by}"
    )
    sql = (
        f"SELECT {', '.join(dims + grouping) if dims else grouping[0]},"  # noqa: S608 - names from our constants
        " COALESCE(SUM(schools), 0)::int AS schools, COALESCE(SUM(connected), 0)::int AS connected,"
        f" MIN(computed_at) AS computed_at, MAX(updated_at) AS updated_at, {second}"
        f" FROM ({combined}) c GROUP BY GROUPING SETS ({sets})"
    )
    since = timezone.now() - CONNECTED_WINDOW
    # The database the router chose for this queryset (the read replica where one is configured).
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, [SchoolStatus.OPEN, SchoolStatus.OPEN, since, *params])
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    total = None
    out: dict[str, list[dict]] = {g: [] for g in groups}
    for row in rows:
        flags = [row.pop(f"g_{d}", 0) for d in dims]
        row.pop("g_none", None)
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
                out[g].append(derive(row))
                break
    if total is None:
        total = {m: 0 for m in metrics} | {"schools": 0, "connected": 0, "computed_at": None, "updated_at": None}
    derive(total)
    _label_groups(out)
    return Summary(total=total, groups=out, computed_at=total.pop("computed_at"),
                   updated_at=total.pop("updated_at"), filters=cleaned)


_PROVINCE_NAMES: dict[str, str] = {}


def province_names() -> dict[str, str]:
    if not _PROVINCE_NAMES:
        _PROVINCE_NAMES.update(Province.objects.values_list("code", "name"))
    return _PROVINCE_NAMES


def _label_groups(groups: dict[str, list[dict]]) -> None:
    labels = {"level": dict(SchoolLevel.choices), "ownership": dict(Ownership.choices)}
    for g, rows in groups.items():
        if g == "province":
            labels[g] = province_names()
        elif g == "commune" and rows:
            labels[g] = dict(Commune.objects.filter(pk__in=[r["key"] for r in rows]).values_list("code", "name"))
        elif g == "school" and rows:
            schools = School.objects.filter(pk__in=[r["key"] for r in rows]).values_list("pk", "code", "name")
            labels[g] = {pk: f"{name} ({code})" for pk, code, name in schools}
        for row in rows:
            row["name"] = labels.get(g, {}).get(row["key"], row["key"])
        rows.sort(key=lambda r: str(r["name"]) if g != "province" else r["key"])


@cached
def stats_mismatch_reasons(*, scope: Scope, filters: dict | None = None) -> list[tuple[str, int]]:
    """(field name, persons whose record differs from the registry on it), most common first."""
    qs, _ = stats_filter(scope=scope, filters=filters)
    inner, params = qs.order_by().values("pupil_mismatch_fields", "staff_mismatch_fields").query.sql_with_params()
    sql = (f"SELECT k, SUM(v::int) FROM ({inner}) t,"  # noqa: S608 - the inner query is the ORM's
           " LATERAL (SELECT * FROM jsonb_each_text(t.pupil_mismatch_fields)"
           " UNION ALL SELECT * FROM jsonb_each_text(t.staff_mismatch_fields)) AS kv(k, v)"
           " GROUP BY k ORDER BY 2 DESC, 1")
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [(k, int(n)) for k, n in cursor.fetchall()]


# --- The indicators, each as the table behind its chart ------------------------------------

@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict]
    chart: dict | None = None  # {"type", "labels", "datasets": [{"label", "data"}]}


def _dist(name, title, total, items, *, chart_type="bar") -> Table:
    count = sum(total.get(k, 0) for k, _ in items)
    rows = [{"label": label, "count": total.get(k, 0), "pct": _ratio(total.get(k, 0), count, 100)}
            for k, label in items]
    return Table(name, title, [("label", "Phân loại"), ("count", "Số lượng"), ("pct", "Tỉ lệ (%)")], rows,
                 {"type": chart_type, "labels": [r["label"] for r in rows],
                  "datasets": [{"label": title, "data": [r["count"] for r in rows]}]})


def default_term(total: dict) -> int:
    """The term to show ratings for: the whole year once it is assessed, else the latest term."""
    for term in (Term.WHOLE_YEAR, Term.SECOND, Term.FIRST):
        if any(total.get(f"learning_{term}_{r}", 0) for r in LearningRating.values):
            return int(term)
    return int(Term.WHOLE_YEAR)


def indicator_tables(*, scope: Scope, filters: dict | None = None, term: int | None = None) -> tuple[Summary, list[Table]]:
    """Every indicator of the dashboards with the table behind its chart."""
    summary = stats_summary(scope=scope, filters=filters, groups=("level",), metrics=METRIC_NAMES)
    total = summary.total
    term = default_term(total) if term is None else term
    by_level = summary.groups["level"]
    tables = [
        Table("pupils_per_teacher", "Số học sinh trên một giáo viên theo cấp học",
              [("name", "Cấp học"), ("pupils", "Học sinh"), ("staff_teacher", "Giáo viên"),
               ("pupils_per_teacher", "HS/GV")],
              by_level + [{"name": "Tất cả", **total}],
              {"type": "bar", "labels": [r["name"] for r in by_level],
               "datasets": [{"label": "HS/GV", "data": [r["pupils_per_teacher"] for r in by_level]}]}),
        Table("teachers_qualified", "Giáo viên đạt chuẩn trình độ đào tạo (Luật Giáo dục 2019, Điều 72)",
              [("name", "Cấp học"), ("staff_teacher", "Giáo viên"), ("teachers_qualified", "Đạt chuẩn"),
               ("teachers_qualified_pct", "Tỉ lệ (%)")],
              by_level + [{"name": "Tất cả", **total}],
              {"type": "bar", "labels": [r["name"] for r in by_level],
               "datasets": [{"label": "% đạt chuẩn", "data": [r["teachers_qualified_pct"] for r in by_level]}]}),
        Table("gender_parity", "Chỉ số bình đẳng giới (nữ/nam) theo cấp học",
              [("name", "Cấp học"), ("pupils_female", "Nữ"), ("pupils_male", "Nam"),
               ("gender_parity_index", "Nữ/Nam")],
              by_level + [{"name": "Tất cả", **total}],
              {"type": "bar", "labels": [r["name"] for r in by_level],
               "datasets": [{"label": "Nữ/Nam", "data": [r["gender_parity_index"] for r in by_level]}]}),
        _dist("enrollment_by_grade", "Học sinh theo khối lớp", total,
              [(f"pupils_grade_{g}", "Mầm non" if g == 0 else f"Lớp {g}") for g in GRADES]),
        _dist("learning_ratings", f"Kết quả học tập ({Term(term).label}; TT 22/2021 và TT 27/2020)", total,
              [(f"learning_{term}_{r.value}", r.label) for r in LearningRating]),
        _dist("conduct_ratings", f"Kết quả rèn luyện / phẩm chất ({Term(term).label})", total,
              [(f"conduct_{term}_{r.value}", r.label) for r in ConductRating]),
        _dist("nutrition", "Tình trạng dinh dưỡng (BMI theo tuổi, WHO)", total,
              [(f"nutrition_{n.value}", n.label) for n in NutritionStatus], chart_type="doughnut"),
        _dist("pupil_verification", "Xác thực định danh học sinh", total,
              [(f"pupils_ver_{v.value}", v.label) for v in VerificationStatus], chart_type="doughnut"),
        _dist("staff_verification", "Xác thực định danh cán bộ, giáo viên", total,
              [(f"staff_ver_{v.value}", v.label) for v in VerificationStatus], chart_type="doughnut"),
        _dist("staff_positions", "Cán bộ, giáo viên theo chức vụ", total,
              [(f"staff_{p.value}", p.label) for p in Position]),
        _dist("staff_qualifications", "Cán bộ, giáo viên theo trình độ đào tạo", total,
              [(f"staff_qual_{q.value}", q.label) for q in Qualification]),
    ]
    reasons = stats_mismatch_reasons(scope=scope, filters=filters)
    labels = {"id_number": "Số định danh", "full_name": "Họ và tên", "date_of_birth": "Ngày sinh",
              "gender": "Giới tính"}
    tables.append(Table("mismatch_reasons", "Lý do sai lệch thường gặp nhất (so với CSDL dân cư)",
                        [("label", "Thông tin sai lệch"), ("count", "Số người")],
                        [{"label": labels.get(k, k), "count": n} for k, n in reasons],
                        {"type": "bar", "labels": [labels.get(k, k) for k, _ in reasons],
                         "datasets": [{"label": "Số người", "data": [n for _, n in reasons]}]}))
    summary.term = term
    return summary, tables


COMPLETENESS_COLUMNS = [("name", "Trường"), ("pupils", "Học sinh"), ("pupils_with_result", "Có kết quả"),
                        ("results_pct", "% kết quả"), ("pupils_with_physical", "Có thể lực"),
                        ("physical_pct", "% thể lực"), ("completeness_pct", "% đầy đủ")]


def completeness_by_school(*, scope: Scope, filters: dict | None = None) -> tuple[Summary, Table]:
    """Schools ordered by data completeness, weakest first (schools with pupils only)."""
    summary = stats_summary(scope=scope, filters=filters, groups=("school",),
                            metrics=["pupils", "pupils_with_result", "pupils_with_physical", "pupils_complete"])
    rows = [r for r in summary.groups["school"] if r["pupils"]]
    rows.sort(key=lambda r: (r["completeness_pct"] or 0, r["name"]))
    return summary, Table("completeness", "Mức độ đầy đủ dữ liệu theo trường (yếu nhất trước)",
                          COMPLETENESS_COLUMNS, rows)


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

"""Reads on the flows between school years (dashboards.flows), through the caller's scope.

The pages and the API call the same functions, so a rate is the same wherever it is shown. Rates
are computed from sums of counts (never averaged), at whatever level is asked for.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connections
from django.utils.translation import gettext as _

from accounts.scope import COUNTRY, PROVINCE, SCHOOL, Scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year
from geo.models import Commune
from schools.models import Ownership, School

from .cache import cached
from .flows import COUNTS, LEVEL_GRADES
from .models import FlowStats
from .selectors import province_names, ratio

UNITS = {"province": "province_id", "commune": "commune_id", "school": "school_id"}
GENDERS = ("F", "M")


@dataclass
class FlowSummary:
    years: list[int]                      # school years whose next year is on record (flows known)
    year: int | None                      # the year of the tables by grade and by unit
    trend: dict[int, dict[str, dict]]     # year -> level -> counts and rates
    grades: list[dict] = field(default_factory=list)                  # the year, per grade
    by_gender: dict[str, dict[str, dict]] = field(default_factory=dict)  # gender -> level -> rates
    units: list[dict] = field(default_factory=list)                   # the year, per unit and level
    unit: str | None = None
    intake: list[dict] = field(default_factory=list)                  # per year: grade 1's new entrants
    filters: dict = field(default_factory=dict)


def flows_clean(filters: dict | None) -> dict:
    """The filters a flow selection accepts; anything malformed is refused with its field."""
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    errors: dict[str, list[str]] = {}
    out: dict = {}
    for key, value in filters.items():
        value = str(value)
        if key == "school_year":
            if not (value.isdigit() and 2000 <= int(value) <= current_school_year()):
                errors[key] = [_("Năm học không hợp lệ.")]
            else:
                out[key] = int(value)
        elif key == "province":
            if value not in province_names():
                errors[key] = [_("Mã tỉnh/thành phố không tồn tại.")]
            out[key] = value
        elif key == "commune":
            if not re.fullmatch(r"\d{5}", value):
                errors[key] = [_("Mã xã gồm 5 chữ số.")]
            out[key] = value
        elif key == "school":
            if not value.isdigit():
                errors[key] = [_("Mã trường không hợp lệ.")]
            else:
                out[key] = int(value)
        elif key == "ownership":
            if value not in Ownership.values:
                errors[key] = [_("Loại hình không hợp lệ.")]
            out[key] = value
        elif key == "gender":
            if value not in GENDERS:
                errors[key] = [_("Giới tính là F (nữ) hoặc M (nam).")]
            out[key] = value
    if errors:
        raise AppError(_("Bộ lọc không hợp lệ."), code="invalid_filter", details=errors)
    return out


def flows_in_scope(scope: Scope, filters: dict) -> None:
    """An area outside the caller's scope is not found, as on the other dashboard pages."""
    province = filters.get("province")
    if "commune" in filters:
        province = Commune.objects.filter(pk=filters["commune"]).values_list("province_id", flat=True).first()
        if province is None:
            raise NotInScope()
    if province is not None and not scope.contains_province(province):
        raise NotInScope()
    if "school" in filters:
        school = School.objects.filter(pk=filters["school"]).first()
        if school is None or not scope.contains_school(school):
            raise NotInScope()


def _where(scope: Scope, filters: dict) -> tuple[str, list]:
    clauses, params = ["TRUE"], []
    if scope.kind == PROVINCE:
        clauses.append("province_id = %s")
        params.append(scope.province_code)
    elif scope.kind == SCHOOL:
        clauses.append("school_id = %s")
        params.append(scope.school_id)
    for key, column in (("province", "province_id"), ("commune", "commune_id"), ("school", "school_id"),
                        ("ownership", "ownership"), ("gender", "gender")):
        if key in filters:
            clauses.append(f"{column} = %s")
            params.append(filters[key])
    return " AND ".join(clauses), params


def rates(row: dict, level: str) -> dict:
    """A level's rates from the counts of its grades (`row[grade][count]`), in per cent. Survival to
    the last grade follows UNESCO's reconstructed cohort with repetition allowed: a pupil in grade g
    eventually goes up with probability promoted / (base − repeated)."""
    first, last = LEVEL_GRADES[level]
    grades = [row.get(g, {}) for g in range(first, last + 1)]
    total = {c: sum(g.get(c, 0) for g in grades) for c in COUNTS}
    base = total["base"]
    out = {**total, "promotion_pct": ratio(total["promoted"], base, 100),
           "repetition_pct": ratio(total["repeated"], base, 100), "dropout_pct": ratio(total["dropped"], base, 100)}
    top = grades[-1]
    # The transition of the last grade to the next level (none after grade 12: that is graduation).
    out["transition_pct"] = ratio(top.get("promoted", 0), top.get("base", 0), 100) if last < 12 else None
    survival = 1.0
    for g in grades[:-1]:
        moving = g.get("base", 0) - g.get("repeated", 0)
        if moving <= 0:
            survival = None
            break
        survival *= g.get("promoted", 0) / moving
    out["survival_pct"] = round(survival * 100, 2) if survival is not None else None
    moving = top.get("base", 0) - top.get("repeated", 0)
    finishing = top.get("promoted", 0) + top.get("completed", 0)
    out["completion_pct"] = (round(survival * finishing / moving * 100, 2)
                             if survival is not None and moving > 0 else None)
    return out


def _grade_rates(counts: dict) -> dict:
    base = counts.get("base", 0)
    return {**counts, "promotion_pct": ratio(counts.get("promoted", 0), base, 100),
            "repetition_pct": ratio(counts.get("repeated", 0), base, 100),
            "dropout_pct": ratio(counts.get("dropped", 0), base, 100)}


@cached
def flows_summary(*, scope: Scope, filters: dict | None = None, unit: str | None = None) -> FlowSummary:
    """The flows of the selection: every year's rates per level (the trend), and for the chosen
    year (?school_year, else the latest known) the rates per grade, per gender and per `unit`
    ("province", "commune" or "school"; None: no unit table)."""
    cleaned = flows_clean(filters)
    flows_in_scope(scope, cleaned)
    if unit is not None and unit not in UNITS:
        raise AppError(_("Nhóm không hợp lệ."), code="invalid_filter", details={"group": [unit]})
    where, params = _where(scope, cleaned)
    sums = ", ".join(f"SUM({c})::int AS {c}" for c in COUNTS)
    unit_col = UNITS[unit] if unit else "NULL::int"
    unit_set = f", (school_year, grade, {unit_col})" if unit else ""
    sql = (f"SELECT school_year, grade, gender, {unit_col} AS unit, GROUPING(gender) AS g_gender,"  # noqa: S608
           f" {f'GROUPING({unit_col})' if unit else '1'} AS g_unit, {sums} FROM dashboards_flowstats WHERE {where}"
           f" GROUP BY GROUPING SETS ((school_year, grade), (school_year, grade, gender){unit_set})")
    rows = fetch_rows(sql, params)
    current = current_school_year()
    by_year: dict[int, dict[int, dict]] = {}
    by_gender: dict[tuple[int, str], dict[int, dict]] = {}
    by_unit: dict[tuple[int, object], dict[int, dict]] = {}
    for row in rows:
        counts = {c: row[c] or 0 for c in COUNTS}
        if not row["g_gender"]:
            by_gender.setdefault((row["school_year"], row["gender"]), {})[row["grade"]] = counts
        elif not row["g_unit"] and unit:
            by_unit.setdefault((row["school_year"], row["unit"]), {})[row["grade"]] = counts
        elif row["g_gender"] and row["g_unit"]:
            by_year.setdefault(row["school_year"], {})[row["grade"]] = counts
    # A year's flows are known once the next year has begun (its enrollments are on record).
    years = sorted(y for y in by_year if y < current)
    year = cleaned.get("school_year")
    if year not in years:
        year = years[-1] if years else None
    trend = {y: {level: rates(by_year[y], level) for level in LEVEL_GRADES} for y in years}
    summary = FlowSummary(years=years, year=year, trend=trend, unit=unit, filters=cleaned)
    # Grade 1's new entrants: every year after the first on record (before it, nobody has a past).
    first_on_record = min(by_year) if by_year else None
    for y in sorted(by_year):
        if y == first_on_record:
            continue
        g1 = by_year[y].get(1, {})
        new = g1.get("entrants", 0) + g1.get("from_preschool", 0)
        summary.intake.append({"year": y, "new_entrants": new, "from_preschool": g1.get("from_preschool", 0),
                               "preschool_pct": ratio(g1.get("from_preschool", 0), new, 100)})
    if year is None:
        return summary
    summary.grades = [{"grade": g, **_grade_rates(by_year[year].get(g, {c: 0 for c in COUNTS}))}
                      for g in range(1, 13) if by_year[year].get(g)]
    summary.by_gender = {gender: {level: rates(by_gender.get((year, gender), {}), level) for level in LEVEL_GRADES}
                         for gender in GENDERS}
    names = unit_names(unit, [k for (y, k) in by_unit if y == year])
    summary.units = sorted(
        ({"key": str(key), "name": names.get(key, str(key)),
          **{level: rates(grades, level) for level in LEVEL_GRADES}}
         for (y, key), grades in by_unit.items() if y == year),
        key=lambda r: r["name"])
    return summary


def fetch_rows(sql: str, params: list) -> list[dict]:
    """Rows of a statistics query as dicts, on the database the statistics are read from."""
    with connections[FlowStats.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def unit_names(unit: str | None, keys) -> dict:
    """The names of the units of a breakdown (provinces, communes, schools) by their keys."""
    if unit == "province":
        return province_names()
    if unit == "commune":
        return dict(Commune.objects.filter(pk__in=keys).values_list("code", "name"))
    if unit == "school":
        return dict(School.objects.filter(pk__in=keys).values_list("id", "name"))
    return {}


def flows_unit_for(scope: Scope, filters: dict) -> str:
    """The unit a selection is broken down by: the next level down from where it stands."""
    if scope.kind == SCHOOL or filters.get("school"):
        return "school"
    if filters.get("commune"):
        return "school"
    if filters.get("province") or scope.kind == PROVINCE:
        return "commune"
    return "province" if scope.kind == COUNTRY else "commune"

"""Enrolment ratios (issue 17): GER, NER and the intake rate of each level, through the caller's scope.

Pupils come from the flow rows (dashboards.flows: `enrolled` by school, year, grade, gender and
age); children from the registry's population (geo.PopulationCount: by commune, age and gender).
Both are summed over the same area (the country, a province, a commune) before dividing, so a
ratio is the same wherever it is shown. A school has no population of its own: no ratio for it.

    GER  = pupils of the level's grades (any age) / children of the level's official ages x 100
    NER  = pupils of official age in the level's grades / children of the official ages x 100
    GIR  = new entrants to grade 1 (any age) / children aged 6 x 100
    GPI  = GER of girls / GER of boys

Pupils are counted at the school's commune and children where they live, so a commune's ratios
can pass 100 (pupils from the next commune); the country's NER cannot, while the population holds
every child.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.scope import PROVINCE, SCHOOL, Scope
from edu_portal.common.exceptions import AppError
from geo.models import PopulationCount

from .cache import cached
from .flows import GRADE_ONE_AGE, LEVEL_AGES, LEVEL_GRADES
from .selectors import ratio
from .selectors_flows import GENDERS, fetch_rows, flows_clean, flows_in_scope, unit_names

UNITS = {"province": "province_id", "commune": "commune_id"}


@dataclass
class CoverageSummary:
    available: bool                        # False: a school's selection (no population of its own)
    years: list[int] = field(default_factory=list)               # years with pupils on record
    missing_years: list[int] = field(default_factory=list)       # of those, years without population figures
    year: int | None = None                                      # the year of the table by unit
    trend: dict[int, dict[str, dict]] = field(default_factory=dict)  # year -> level -> ratios
    intake: dict[int, dict] = field(default_factory=dict)            # year -> GIR (total and by gender)
    units: list[dict] = field(default_factory=list)              # the year, per unit: level -> ratios
    unit: str | None = None
    filters: dict = field(default_factory=dict)


def coverage_unit_for(scope: Scope, filters: dict) -> str | None:
    """Ratios by province for the country, by commune for a province; none below a commune."""
    if filters.get("commune") or filters.get("school") or scope.kind == SCHOOL:
        return None
    return "commune" if filters.get("province") or scope.kind == PROVINCE else "province"


def _where(scope: Scope, filters: dict, table: str) -> tuple[str, list]:
    """The area of the selection (the population has no school and no ownership: both sides are
    limited to the same province or commune, and to the gender asked for)."""
    clauses, params = ["TRUE"], []
    if scope.kind == PROVINCE:
        clauses.append(f"{table}.province_id = %s")
        params.append(scope.province_code)
    for key, column in (("province", "province_id"), ("commune", "commune_id"), ("gender", "gender")):
        if key in filters:
            clauses.append(f"{table}.{column} = %s")
            params.append(filters[key])
    return " AND ".join(clauses), params


def _level_case() -> tuple[str, str]:
    """SQL of a row's level from its grade, and whether its age is the level's official one."""
    level = "CASE " + " ".join(f"WHEN grade BETWEEN {lo} AND {hi} THEN '{name}'"
                               for name, (lo, hi) in LEVEL_GRADES.items()) + " END"
    official = " OR ".join(f"(grade BETWEEN {g[0]} AND {g[1]} AND age BETWEEN {LEVEL_AGES[n][0]} AND {LEVEL_AGES[n][1]})"
                           for n, g in LEVEL_GRADES.items())
    return level, official


def _pupils(where: str, params: list, unit_col: str) -> list[dict]:
    level, official = _level_case()
    sql = (f"SELECT school_year, gender, {unit_col} AS unit, {level} AS level, SUM(enrolled)::int AS enrolled,"  # noqa: S608
           f" (SUM(enrolled) FILTER (WHERE {official}))::int AS official,"
           f" (SUM(entrants + from_preschool) FILTER (WHERE grade = 1))::int AS new_entrants"
           f" FROM dashboards_flowstats f WHERE {where} AND grade BETWEEN 1 AND 12 GROUP BY 1, 2, 3, 4")
    return fetch_rows(sql, params)


def _children(where: str, params: list, unit_col: str) -> list[dict]:
    sql = (f"SELECT school_year, gender, {unit_col} AS unit, age, SUM(count)::int AS children"  # noqa: S608
           f" FROM {PopulationCount._meta.db_table} p WHERE {where} GROUP BY 1, 2, 3, 4")
    return fetch_rows(sql, params)


def _ratios(pupils: dict, children: dict, *, gir: bool) -> dict:
    """pupils[(gender, level)] -> counts; children[(gender, age)] -> count. Per level: GER, NER,
    their numerators and denominator, by gender, and the GPI; with `gir`, the intake rate."""
    out: dict = {}
    for level, (lo, hi) in LEVEL_AGES.items():
        row: dict = {}
        for sex in (None, *GENDERS):
            sexes = GENDERS if sex is None else (sex,)
            enrolled = sum(pupils.get((s, level), {}).get("enrolled") or 0 for s in sexes)
            official = sum(pupils.get((s, level), {}).get("official") or 0 for s in sexes)
            population = sum(children.get((s, a), 0) for s in sexes for a in range(lo, hi + 1))
            suffix = "" if sex is None else f"_{sex.lower()}"
            row.update({f"enrolled{suffix}": enrolled, f"official{suffix}": official,
                        f"population{suffix}": population,
                        f"ger{suffix}": ratio(enrolled, population, 100), f"ner{suffix}": ratio(official, population, 100)})
        # From the counts, not from the rounded ratios.
        girls, boys = (row["enrolled_f"], row["population_f"]), (row["enrolled_m"], row["population_m"])
        row["gpi"] = (round(girls[0] * boys[1] / (girls[1] * boys[0]), 3)
                      if girls[1] and boys[0] and boys[1] else None)
        out[level] = row
    if gir:
        intake: dict = {}
        for sex in (None, *GENDERS):
            sexes = GENDERS if sex is None else (sex,)
            new = sum(pupils.get((s, "primary"), {}).get("new_entrants") or 0 for s in sexes)
            aged_six = sum(children.get((s, GRADE_ONE_AGE), 0) for s in sexes)
            suffix = "" if sex is None else f"_{sex.lower()}"
            intake.update({f"new_entrants{suffix}": new, f"population_6{suffix}": aged_six,
                           f"gir{suffix}": ratio(new, aged_six, 100)})
        out["intake"] = intake
    return out


@cached
def coverage_summary(*, scope: Scope, filters: dict | None = None, unit: str | None = None,
                     as_of: str = "") -> CoverageSummary:
    """The enrolment ratios of the selection for every year with pupils on record, and for the chosen
    year (?school_year, else the latest with population figures) per `unit` ("province" or
    "commune"). `as_of` is the population's (geo.selectors.population_as_of): part of the cache key,
    so that figures fetched since are seen. Ownership is not a filter here: the children of an area
    are not divided by the kind of school they might attend."""
    cleaned = flows_clean(filters)
    flows_in_scope(scope, cleaned)
    if scope.kind == SCHOOL or "school" in cleaned:
        return CoverageSummary(available=False, filters=cleaned)
    if unit is not None and unit not in UNITS:
        raise AppError(_("Nhóm không hợp lệ."), code="invalid_filter", details={"group": [unit]})
    area = {k: v for k, v in cleaned.items() if k in ("province", "commune", "gender")}
    unit_col = UNITS[unit] if unit else "NULL::text"
    pupil_where, pupil_params = _where(scope, area, "f")
    child_where, child_params = _where(scope, area, "p")
    pupils: dict = {}
    children: dict = {}
    for row in _pupils(pupil_where, pupil_params, f"f.{unit_col}" if unit else unit_col):
        for key in ((row["school_year"], None), (row["school_year"], row["unit"])) if unit else \
                ((row["school_year"], None),):
            cell = pupils.setdefault(key, {}).setdefault((row["gender"], row["level"]), {})
            for c in ("enrolled", "official", "new_entrants"):
                cell[c] = cell.get(c, 0) + (row[c] or 0)
    for row in _children(child_where, child_params, f"p.{unit_col}" if unit else unit_col):
        for key in ((row["school_year"], None), (row["school_year"], row["unit"])) if unit else \
                ((row["school_year"], None),):
            cell = children.setdefault(key, {})
            cell[(row["gender"], row["age"])] = cell.get((row["gender"], row["age"]), 0) + row["children"]
    years = sorted({y for (y, u) in pupils if u is None and any(c.get("enrolled") for c in pupils[(y, u)].values())})
    with_population = {y for (y, u) in children if u is None}
    # Grade 1's new entrants are known from the second year on record (before it nobody has a past).
    first = years[0] if years else None
    summary = CoverageSummary(available=True, years=years, unit=unit, filters=cleaned,
                              missing_years=[y for y in years if y not in with_population])
    for y in years:
        if y not in with_population:
            continue
        ratios = _ratios(pupils[(y, None)], children[(y, None)], gir=y != first)
        summary.intake[y] = ratios.pop("intake", {})
        summary.trend[y] = ratios
    known = sorted(summary.trend)
    year = cleaned.get("school_year")
    summary.year = year if year in summary.trend else (known[-1] if known else None)
    if unit and summary.year is not None:
        keys = {u for (y, u) in [*children, *pupils] if y == summary.year and u is not None}
        names = unit_names(unit, keys)
        summary.units = sorted(
            ({"key": str(k), "name": names.get(k, str(k)),
              **_ratios(pupils.get((summary.year, k), {}), children.get((summary.year, k), {}), gir=False)}
             for k in keys), key=lambda r: r["name"])
    return summary


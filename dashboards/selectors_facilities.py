"""Reads of the facilities indicators (issue 18), always through the caller's scope: the facilities sums of the
statistics (the rollup for areas, the per-school rows for a school: dashboards.selectors), their ratios, and a
province's schools by their standing under Thông tư 13/2020 (facilities' SchoolStanding, written by the
refresh). Nothing here evaluates a school: the pages read what the refresh stored."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

from django.db import connections
from django.utils.translation import get_language

from accounts.scope import SCHOOL, Scope
from edu_portal.common.exceptions import NotInScope
from edu_portal.common.prepared import execute_prepared
from facilities.models import SchoolStanding
from facilities.standard import CRITERIA, Standing
from geo.models import Commune

from .cache import cached
from .indicators_facilities import FACILITY_METRICS, derive_facilities
from .selectors import Summary, stats_by_year_from, stats_clean, stats_rows_source, stats_summary_from

CRITERION_LABELS = {c.code: c.label for c in CRITERIA}


def criterion_labels() -> dict[str, str]:
    """The criteria's labels in the active language (not to be changed): translated once per language and process,
    not once per cell (a province's list has a thousand of them) nor once per page (fifteen lookups, 40 µs)."""
    return _criterion_labels(get_language())


@functools.cache
def _criterion_labels(language: str | None) -> dict[str, str]:
    return {code: str(label) for code, label in CRITERION_LABELS.items()}


@cached
def facilities_summary(*, scope: Scope, filters: dict | None = None, unit: str | None = None) -> Summary:
    """The facilities sums and indicators of the selection, per `unit` ("province", "commune", "school")
    when given, per level and per ownership. Cached with its indicators (the sums alone are not cached
    apart: derived on every read, the indicators of a province's communes cost a millisecond)."""
    groups = ((unit,) if unit else ()) + ("level", "ownership")
    return stats_summary_from(source=stats_rows_source(scope=scope, filters=filters, groups=groups), scope=scope,
                              filters=filters, groups=groups, metrics=FACILITY_METRICS, derive_row=derive_facilities)


def facilities_by_year(*, scope: Scope, filters: dict | None = None) -> list[dict]:
    """The facilities indicators of the selection for every school year on record, oldest first."""
    area = {k: v for k, v in (filters or {}).items() if k != "school_year"}
    return _facilities_by_year(scope=scope, filters=area)


@cached
def _facilities_by_year(*, scope: Scope, filters: dict) -> list[dict]:
    return stats_by_year_from(source=stats_rows_source(scope=scope, filters=filters), scope=scope, filters=filters,
                              metrics=tuple(FACILITY_METRICS), derive_row=derive_facilities)


@dataclass
class StandardList:
    """A selection's schools with a standing: those meeting level 1 (or 2) and the others with what they lack."""

    met: list[dict] = field(default_factory=list)
    unmet: list[dict] = field(default_factory=list)
    met_count: int = 0
    unmet_count: int = 0


def unmet_text(unmet: list, level: int, labels: dict | None = None) -> str:
    """The unmet criteria of a level as people read them: "Thư viện (1); Phòng học trên số lớp (3)".
    `labels`: the criteria's labels already translated (criterion_labels), for a list of many schools."""
    labels = labels or CRITERION_LABELS
    parts = []
    for code, standard_level, missing in unmet:
        if standard_level != level:
            continue
        label = str(labels.get(code, code))
        parts.append(f"{label} ({missing})" if missing is not None else label)
    return "; ".join(parts)


# The list's filters, by the standings' copies of their school (SchoolStanding).
_LIST_FILTERS = {"commune": "ss.commune_id", "level": "ss.level", "ownership": "ss.ownership"}


@cached
def facilities_standard_list(*, scope: Scope, filters: dict | None = None, limit: int | None = None,
                             met_page: int = 1, unmet_page: int = 1) -> StandardList:
    """The schools of the selection (a province, a commune; level, ownership, school year) assessed under Thông
    tư 13/2020 that year: those meeting level 1 (with what level 2 lacks) and the others (with the unmet level-1
    criteria and how much each lacks), by name; `limit` of each (page `met_page` and `unmet_page` of them, from
    1; all when no limit), and how many there are (a page past the end lists none, and still counts them)."""
    cleaned = stats_clean(filters=filters)  # refuses bad filters as the pages do
    if scope.kind == SCHOOL:
        raise NotInScope()
    # meets_level_1: true (level 1 or 2), false (below level 1), null (not assessed under the circular: not listed).
    conditions, values = ["ss.school_year = %s", "ss.meets_level_1 IS NOT NULL"], [cleaned["school_year"]]
    for province in {scope.province_code, cleaned.get("province")} - {None, ""}:
        conditions.append("ss.province_id = %s")
        values.append(province)
    for key, column in _LIST_FILTERS.items():
        if key in cleaned:
            conditions.append(f"{column} = %s")
            values.append(cleaned[key])
    # Written by hand (the ORM cannot say it): only a page of each kind leaves the database, with each kind's
    # count. A province has a few thousand schools: each page is read in its order from the index
    # standing_list_order (year, province, meets level 1, name, school), which stops after the page, where
    # joining and sorting the province's schools took 6 ms at national size (issue 18). The standings' copies of
    # their school's province, commune, name, level and ownership follow the school at once (a trigger:
    # facilities migration 0006). The page's LIMIT and OFFSET are in the text, not parameters: PostgreSQL plans
    # a generic plan for a LIMIT parameter as if a tenth of the rows were wanted, so it planned the statement
    # anew at every call (a third of a millisecond); the first pages of a list are the few texts there are.
    where = " AND ".join(conditions)
    standings, communes = SchoolStanding._meta.db_table, Commune._meta.db_table
    page = (f"(SELECT ss.school_id, ss.school_code, ss.school_name, c.name, ss.standing, ss.unmet, ss.meets_level_1,"  # noqa: S608 - constants; values are parameters
            f" NULL::bigint FROM {standings} ss LEFT JOIN {communes} c ON c.code = ss.commune_id WHERE {where} AND {{}} ss.meets_level_1"
            " ORDER BY ss.school_name, ss.school_id {})")
    pages = [f"LIMIT {'ALL' if limit is None else int(limit)} OFFSET {(max(int(number), 1) - 1) * int(limit or 0)}"
             for number in (met_page, unmet_page)]
    sql = (f"{page.format('', pages[0])} UNION ALL {page.format('NOT', pages[1])} UNION ALL"  # noqa: S608 - constants; values are parameters
           f" SELECT NULL, NULL, NULL, NULL, NULL, NULL, ss.meets_level_1, count(*) FROM {standings} ss"
           f" WHERE {where} GROUP BY ss.meets_level_1 ORDER BY 7, 3, 1")  # each kind by name, then id
    params = values * 3
    with connections[SchoolStanding.objects.db].cursor() as cursor:  # the router's choice for reads
        execute_prepared(cursor, sql, params)
        rows = cursor.fetchall()
    out = StandardList()
    for school_id, code, name, commune, standing, unmet, is_met, count in rows:
        kind = "met" if is_met else "unmet"
        if count is not None:
            setattr(out, f"{kind}_count", count)
            continue
        # Codes, not words: the cache is shared by readers of either language (presentation_facilities).
        getattr(out, kind).append({"key": school_id, "code": code, "name": name, "commune": commune,
                                   "standing": standing, "unmet": json.loads(unmet) if isinstance(unmet, str) else unmet})
    return out


@dataclass
class AreaPage:
    """What a province's or a commune's facilities page shows: its indicators by `unit`, its years, and a page of
    each of its standing lists."""

    summary: Summary
    trend: list[dict]
    standards: StandardList


@cached
def facilities_area_page(*, scope: Scope, filters: dict | None = None, unit: str, limit: int, met_page: int = 1,
                         unmet_page: int = 1) -> AreaPage:
    """An area page's three selections computed and cached as one entry: a cold page read and wrote three (each
    a round trip to Redis and a pickle, ~1 ms of a province's 20 ms). The same figures as each selector's."""
    area = {k: v for k, v in (filters or {}).items() if k != "school_year"}
    return AreaPage(summary=facilities_summary.uncached(scope=scope, filters=filters, unit=unit),
                    trend=_facilities_by_year.uncached(scope=scope, filters=area),
                    standards=facilities_standard_list.uncached(scope=scope, filters=filters, limit=limit,
                                                                met_page=met_page, unmet_page=unmet_page))


def facilities_school_standing(*, scope: Scope, school_id: int, school_year: int) -> dict | None:
    """One school's stored standing of a year, with its unmet criteria by level; None: not assessed."""
    if scope.kind == SCHOOL and scope.school_id != school_id:
        raise NotInScope()
    row = SchoolStanding.objects.filter(school_id=school_id, school_year=school_year).first()
    if row is None:
        return None
    return {"standing": row.standing, "label": str(Standing.LABELS[row.standing]),
            "lacks_1": unmet_text(row.unmet, 1), "lacks_2": unmet_text(row.unmet, 2),
            "unmet": [{"criterion": code, "label": str(CRITERION_LABELS.get(code, code)), "level": level,
                       "missing": missing} for code, level, missing in row.unmet]}

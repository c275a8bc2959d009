"""Reads of the facilities indicators (issue 18), always through the caller's scope: the facilities sums of the
statistics (the rollup for areas, the per-school rows for a school: dashboards.selectors), their ratios, and a
province's schools by their standing under Thông tư 13/2020 (facilities' SchoolStanding, written by the
refresh). Nothing here evaluates a school: the pages read what the refresh stored."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber

from accounts.scope import SCHOOL, Scope
from edu_portal.common.exceptions import NotInScope
from facilities.models import SchoolStanding
from facilities.standard import CRITERIA, Standing

from .cache import cached
from .indicators_facilities import FACILITY_METRICS, derive_facilities
from .selectors import Summary, stats_by_year, stats_filter, stats_summary

CRITERION_LABELS = {c.code: c.label for c in CRITERIA}
MET = (Standing.LEVEL_1, Standing.LEVEL_2)


def criterion_labels() -> dict[str, str]:
    """The criteria's labels in the active language: translated once for a list, not once per cell (a
    province's list has a thousand of them)."""
    return {code: str(label) for code, label in CRITERION_LABELS.items()}


def facilities_summary(*, scope: Scope, filters: dict | None = None, unit: str | None = None) -> Summary:
    """The facilities sums and indicators of the selection, per `unit` ("province", "commune", "school")
    when given, per level and per ownership."""
    groups = ((unit,) if unit else ()) + ("level", "ownership")
    summary = stats_summary(scope=scope, filters=filters, groups=groups, metrics=FACILITY_METRICS)
    derive_facilities(summary.total)
    for rows in summary.groups.values():
        for row in rows:
            derive_facilities(row)
    return summary


def facilities_by_year(*, scope: Scope, filters: dict | None = None) -> list[dict]:
    """The facilities indicators of the selection for every school year on record, oldest first."""
    area = {k: v for k, v in (filters or {}).items() if k != "school_year"}
    return [derive_facilities(row) for row in stats_by_year(scope=scope, filters=area,
                                                            metrics=tuple(FACILITY_METRICS))]


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


@cached
def facilities_standard_list(*, scope: Scope, filters: dict | None = None, limit: int | None = None) -> StandardList:
    """The schools of the selection (a province, a commune; level, ownership, school year) assessed under Thông
    tư 13/2020 that year: those meeting level 1 (with what level 2 lacks) and the others (with the unmet level-1
    criteria and how much each lacks), by name; the first `limit` of each, and how many there are."""
    _qs, cleaned = stats_filter(scope=scope, filters=filters)  # refuses bad filters as the pages do
    if scope.kind == SCHOOL:
        raise NotInScope()
    schools = Q()
    if scope.province_code:
        schools &= Q(school__province_id=scope.province_code)
    for key, column in (("province", "school__province_id"), ("commune", "school__commune_id"),
                        ("level", "school__level"), ("ownership", "school__ownership")):
        if key in cleaned:
            schools &= Q(**{column: cleaned[key]})
    met = ExpressionWrapper(Q(standing__in=MET), output_field=BooleanField())
    rows = (SchoolStanding.objects.filter(schools, school_year=cleaned["school_year"],
                                          standing__in=(*MET, Standing.NONE))
            .annotate(met=met, n=Window(Count("*"), partition_by=[met]))
            .order_by("school__name", "school_id"))
    if limit is not None:
        # Only the first `limit` of each kind leave the database, with each kind's count: a province has a few
        # thousand schools, and reading (and decoding the unmet criteria of) all of them cost more than the page.
        rows = rows.annotate(rank=Window(RowNumber(), partition_by=[met],
                                         order_by=[F("school__name").asc(), F("school_id").asc()])
                             ).filter(rank__lte=limit)
    out = StandardList()
    for school_id, code, name, commune, standing, unmet, is_met, count in rows.values_list(
            "school_id", "school__code", "school__name", "school__commune__name", "standing", "unmet", "met", "n"):
        kind = "met" if is_met else "unmet"
        setattr(out, f"{kind}_count", count)
        # Codes, not words: the cache is shared by readers of either language (presentation_facilities).
        getattr(out, kind).append({"key": school_id, "code": code, "name": name, "commune": commune,
                                   "standing": standing, "unmet": unmet})
    return out


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

"""The trends page: each figure over the school years and the flows of pupils between them, for the
country, a province, a commune or a school (the same filters carry it down), exportable table by table."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _

from accounts.scope import COUNTRY, Scope
from edu_portal.common.models import school_year_label
from geo.selectors import population_as_of

from .filtersets import FlowStatsFilterSet
from .presentation_coverage import coverage_tables
from .presentation_flows import flow_tables, trend_table
from .selectors import province_names, stats_by_year
from .selectors_coverage import coverage_summary, coverage_unit_for
from .selectors_flows import flows_clean, flows_in_scope, flows_summary, flows_unit_for
from .views import _respond

FILTER_KEYS = ("school_year", "province", "commune", "school", "ownership", "gender")


@login_required
def trends_view(request):
    scope = Scope.for_user(request.user)
    filters = {k: request.GET.get(k) for k in FILTER_KEYS if request.GET.get(k)}
    cleaned = flows_clean(filters)
    flows_in_scope(scope, cleaned)
    unit = flows_unit_for(scope, cleaned)
    summary = flows_summary(scope=scope, filters=filters, unit=unit)
    area = {k: v for k, v in filters.items() if k in ("province", "commune", "ownership")}
    trend = stats_by_year(scope=scope, filters=area | ({"school": cleaned["school"]} if "school" in cleaned else {}))
    # Enrolment ratios: the area's pupils over its children (the registry's population); none for a school.
    coverage = coverage_summary(scope=scope, filters=filters, unit=coverage_unit_for(scope, cleaned),
                                as_of=population_as_of())
    tables = [trend_table(trend), *coverage_tables(coverage), *flow_tables(summary)]
    title = _("Xu hướng và luồng học sinh")
    where = _("Toàn quốc") if scope.kind == COUNTRY and not cleaned.get("province") else \
        province_names().get(cleaned.get("province") or scope.province_code or "", "")
    return _respond(request, "dashboards/trends.html",
                    {"title": title, "where": where, "flows": summary, "filter": FlowStatsFilterSet(request.GET),
                     "coverage": coverage, "coverage_year": school_year_label(coverage.year) if coverage.year else "",
                     "population_missing": ", ".join(school_year_label(y) for y in coverage.missing_years),
                     "year_label": school_year_label(summary.year) if summary.year else "",
                     "hide_province": scope.kind != COUNTRY}, tables)

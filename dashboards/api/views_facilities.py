"""The facilities indicators (issue 18) through the API: the same selectors, filters and scope as the overview
(`/api/v1/stats/overview/`) and the facilities pages, with their definitions."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer

from api.scope import request_scope
from dashboards.indicators_facilities import DEFINITIONS, FACILITY_METRICS, RATIOS, derive_facilities
from dashboards.official import FACILITIES_DOMAIN, official_summary, period_from, require_domain
from dashboards.selectors_facilities import facilities_by_year, facilities_summary
from dashboards.selectors_flows import flows_clean, flows_in_scope

from .views import FILTER_PARAMS, PERIOD_PARAM, StatsView, official_attach, official_of, official_of_year
from .views_flows import AREA_PARAMS

FIGURES = [*FACILITY_METRICS, *RATIOS]


def _figures(row: dict) -> dict:
    out = {k: row.get(k) for k in FIGURES}
    if "key" in row:
        out |= {"key": str(row["key"]), "name": str(row["name"])}
    return out


def _definitions() -> list[dict]:
    return [{"key": d.key, "label": str(d.label), "formula": str(d.formula), "numerator": str(d.numerator),
             "denominator": str(d.denominator), "source": str(d.source)} for d in DEFINITIONS]


class FacilitiesView(StatsView):
    """Sums and indicators of the selection, by level and by ownership."""

    renderer_classes = [JSONRenderer]
    takes_period = True
    COMMUNE = OpenApiParameter("commune", {"type": "string", "pattern": "^[0-9]{5}$"}, description="Mã xã/phường")

    @extend_schema(summary="Chỉ số cơ sở vật chất của phạm vi (phòng học, nhà vệ sinh, nước, điện, internet, máy "
                           "tính, thiết bị, đạt chuẩn theo Thông tư 13/2020); với ?period= cả số liệu chính thức của "
                           "kỳ báo cáo có thu thập cơ sở vật chất",
                   parameters=[*FILTER_PARAMS[:4], COMMUNE, PERIOD_PARAM], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        scope = request_scope(request)
        filters = self.filters(request)
        period = self.period(request, filters)
        if period is not None:
            require_domain(period, FACILITIES_DOMAIN)

        def build():
            summary = facilities_summary(scope=scope, filters=filters)
            figures = _figures
            if period is not None:
                official = official_summary(scope=scope, period=period, filters=summary.filters,
                                            groups=("level", "ownership"), metrics=FACILITY_METRICS,
                                            derive_row=derive_facilities)
                official_attach(official, summary.total, summary.groups, FIGURES)
                figures = lambda r: _figures(r) | official_of(r, FIGURES)  # noqa: E731 - as _figures, with official
            data = {**({"period": period.as_dict()} if period else {}),
                    "computed_at": summary.computed_at, "filters": summary.filters, **figures(summary.total),
                    "by_level": [figures(r) for r in summary.groups["level"]],
                    "by_ownership": [figures(r) for r in summary.groups["ownership"]],
                    "definitions": _definitions()}
            return data, summary.updated_at

        return self.respond(request, scope, build)


class FacilitiesTrendsView(StatsView):
    """The indicators of the selection for every school year on record, oldest first."""

    renderer_classes = [JSONRenderer]
    allowed_filters = ("province", "commune", "level", "ownership")
    takes_period = True

    @extend_schema(summary="Chỉ số cơ sở vật chất qua các năm học (với ?period=: số liệu chính thức của năm học "
                           "của kỳ)", parameters=[AREA_PARAMS[0], AREA_PARAMS[1], *FILTER_PARAMS[1:3], PERIOD_PARAM],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        scope = request_scope(request)
        filters = self.filters(request)
        # As the trends: a malformed area refused, one outside the scope not found.
        flows_in_scope(scope, flows_clean({k: v for k, v in filters.items() if k != "level"}))
        period = period_from(request.query_params.get("period"))
        if period is not None:
            require_domain(period, FACILITIES_DOMAIN)

        def build():
            rows = [{"school_year": r["school_year"], "schools": r["schools"], **_figures(r)}
                    for r in facilities_by_year(scope=scope, filters=filters)]
            data = {"filters": filters, "results": rows, "definitions": _definitions()}
            if period is not None:
                official_of_year(rows, official_summary(scope=scope, period=period, filters=filters,
                                                        metrics=FACILITY_METRICS, derive_row=derive_facilities),
                                 FIGURES)
                data = {"period": period.as_dict(), **data}
            return data, None

        return self.respond(request, scope, build)

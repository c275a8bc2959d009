"""Trends and flows between school years (issue 17): the same selectors as the trends page."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer

from api.scope import request_scope
from dashboards.flows import COVERAGE_DEFINITIONS, DEFINITIONS, SOURCE
from dashboards.official import official_summary, period_from
from dashboards.selectors import derive, stats_by_year
from dashboards.selectors_coverage import UNITS as COVERAGE_UNITS
from dashboards.selectors_coverage import coverage_summary, coverage_unit_for
from dashboards.selectors_flows import GENDERS, UNITS, flows_clean, flows_in_scope, flows_summary, flows_unit_for
from geo.selectors import population_as_of
from schools.models import Ownership

from .views import FILTER_PARAMS, OFFICIAL_KEYS, PERIOD_PARAM, StatsView, official_of_year

AREA_PARAMS = [
    OpenApiParameter("province", {"type": "string", "pattern": "^[0-9]{2}$"}, description="Mã tỉnh/thành phố"),
    OpenApiParameter("commune", {"type": "string", "pattern": "^[0-9]{5}$"}, description="Mã xã/phường"),
    OpenApiParameter("school", {"type": "integer", "minimum": 1}, description="Mã số (id) của trường"),
    OpenApiParameter("ownership", OpenApiTypes.STR, description="Loại hình", enum=Ownership.values),
]
def _params(year_help: str, areas: list, units) -> list:
    """The filters of the flows and the coverage: the year of the tables, the area, gender, the unit."""
    return [OpenApiParameter("school_year", {"type": "integer", "minimum": 2000}, description=year_help), *areas,
            OpenApiParameter("gender", OpenApiTypes.STR, enum=list(GENDERS), description="F: nữ, M: nam"),
            OpenApiParameter("group", OpenApiTypes.STR, enum=list(units),
                             description="Đơn vị của bảng theo đơn vị; mặc định cấp dưới của phạm vi")]


FLOW_PARAMS = _params("Năm học của các bảng theo khối, giới tính, đơn vị; mặc định năm gần nhất có số liệu",
                      AREA_PARAMS, UNITS)


def _definitions(definitions=DEFINITIONS) -> list[dict]:
    return [{"key": d.key, "label": str(d.label), "formula": str(d.formula), "numerator": str(d.numerator),
             "denominator": str(d.denominator), "source": str(d.source or SOURCE)} for d in definitions]


COVERAGE_PARAMS = _params("Năm học của bảng theo đơn vị; mặc định năm gần nhất có số liệu dân số",
                          AREA_PARAMS[:3], COVERAGE_UNITS)


class CoverageView(StatsView):
    """GER, NER and the intake rate (population from the registry), with the flows' filters and scope
    rules; a school's scope (or ?school) has no ratios: `available` is false."""

    renderer_classes = [JSONRenderer]
    allowed_filters = ("school_year", "province", "commune", "school", "gender", "group")

    @extend_schema(summary="Tỉ lệ nhập học chung, đúng tuổi và vào lớp 1 theo cấp học, qua các năm học",
                   parameters=COVERAGE_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        scope = request_scope(request)
        filters = self.filters(request)
        group = filters.pop("group", None)
        as_of = population_as_of()

        def build():
            unit = group or coverage_unit_for(scope, flows_clean(filters))
            summary = coverage_summary(scope=scope, filters=filters, unit=unit, as_of=as_of)
            years = sorted(summary.trend)
            data = {"filters": summary.filters, "available": summary.available, "years": summary.years,
                    "population_missing": summary.missing_years, "school_year": summary.year,
                    "trend": [{"school_year": y, **summary.trend[y], "intake": summary.intake.get(y) or None}
                              for y in years],
                    "group": summary.unit if summary.available else None, "units": summary.units,
                    "population_as_of": as_of or None, "definitions": _definitions(COVERAGE_DEFINITIONS)}
            return data, None

        # The population's time is part of the stored answer's key: a new fetch is a new answer.
        return self.respond(request, scope, build, extra=as_of)


class FlowsView(StatsView):
    renderer_classes = [JSONRenderer]
    allowed_filters = ("school_year", "province", "commune", "school", "ownership", "gender", "group")

    @extend_schema(summary="Luồng học sinh giữa các năm học: lên lớp, lưu ban, bỏ học, chuyển cấp, hoàn thành",
                   parameters=FLOW_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        scope = request_scope(request)
        filters = self.filters(request)
        group = filters.pop("group", None)

        def build():
            unit = group or flows_unit_for(scope, filters)
            summary = flows_summary(scope=scope, filters=filters, unit=unit)
            data = {"filters": summary.filters, "years": summary.years, "school_year": summary.year,
                    "trend": [{"school_year": y, **summary.trend[y]} for y in summary.years],
                    "grades": summary.grades, "by_gender": summary.by_gender, "group": summary.unit,
                    "units": summary.units, "intake": summary.intake, "definitions": _definitions()}
            return data, None

        return self.respond(request, scope, build)


class TrendsView(StatsView):
    renderer_classes = [JSONRenderer]
    allowed_filters = ("province", "commune", "school", "ownership", "level")
    takes_period = True

    @extend_schema(summary="Số liệu chính qua các năm học (với ?period=: số liệu chính thức của năm học của kỳ)",
                   parameters=[*AREA_PARAMS, *FILTER_PARAMS[1:2], PERIOD_PARAM], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        scope = request_scope(request)
        filters = self.filters(request)

        # The same checks as the flows: a malformed area refused, one outside the scope not found.
        flows_in_scope(scope, flows_clean({k: v for k, v in filters.items() if k != "level"}))
        period = period_from(request.query_params.get("period"))

        def build():
            rows = stats_by_year(scope=scope, filters=filters)
            data = {"filters": filters, "results": rows}
            if period is not None:
                official_of_year(rows, official_summary(scope=scope, period=period, filters=filters,
                                                        derive_row=derive), OFFICIAL_KEYS)
                data = {"period": period.as_dict(), **data}
            return data, None

        return self.respond(request, scope, build)

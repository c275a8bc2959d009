"""Statistics endpoints: the same selectors as the dashboard pages, scoped by the token or user.

ETag and Last-Modified come from the statistics' version and computation time; a client that
sends If-None-Match gets 304 without the figures being recomputed.
"""
from __future__ import annotations

import hashlib

from django.http import HttpResponse
from django.utils.http import http_date, quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.scope import request_scope
from dashboards.cache import stats_version
from dashboards.presentation import indicator_tables
from dashboards.selectors import METRIC_NAMES, stats_summary
from edu_portal.common.exceptions import AppError, NotInScope
from geo.models import Province
from schools.models import Ownership, SchoolLevel

from .renderers import CSVRenderer
from .serializers import AreaListSerializer, OverviewSerializer

FILTERS = ("school_year", "level", "ownership", "province", "commune")
FILTER_PARAMS = [
    # The years with statistics change as years turn: not an enum of the schema (a year without any is a 400).
    OpenApiParameter("school_year", {"type": "integer", "minimum": 2000, "maximum": 2100},
                     description="Năm học (năm bắt đầu, vd. 2026 = 2026-2027) có số liệu; mặc định năm học hiện tại"),
    OpenApiParameter("level", OpenApiTypes.STR, description="Cấp học", enum=SchoolLevel.values),
    OpenApiParameter("ownership", OpenApiTypes.STR, description="Loại hình", enum=Ownership.values),
    OpenApiParameter("province", {"type": "string", "pattern": "^[0-9]{2}$"},
                     description="Mã tỉnh/thành phố (34 tỉnh sau 2025)"),
    OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
]
MAX_PAGE = 5000
_FIGURE_KEYS = set(OverviewSerializer().fields) | {"key", "name"}


def _figures(row: dict) -> dict:
    out = {k: v for k, v in row.items() if k in _FIGURE_KEYS}
    if "key" in out:
        out["key"] = str(out["key"])  # a province or commune code, or a school's id
    return out


class StatsView(APIView):
    renderer_classes = [JSONRenderer, CSVRenderer]
    allowed_filters = FILTERS

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors always in the API's JSON error shape, even when CSV was asked for.
        if response.status_code >= 400 and getattr(request, "accepted_renderer", None) is not None:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    def filters(self, request) -> dict:
        known = set(self.allowed_filters) | {"format", "page", "page_size"}
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise AppError("Tham số lọc không được hỗ trợ.", code="invalid_filter",
                           details={k: ["Không được hỗ trợ."] for k in unknown})
        # A filter named but left blank (`?level=`) is refused as the schema says (its values are an
        # enum), rather than read as "all": a client that meant one level learns it sent none.
        blank = sorted(k for k in self.allowed_filters if k in request.query_params and not request.query_params.get(k))
        if blank:
            raise AppError("Tham số lọc để trống.", code="invalid_filter",
                           details={k: ["Không được để trống: bỏ tham số này để lấy tất cả."] for k in blank})
        return {k: request.query_params.get(k) for k in self.allowed_filters if request.query_params.get(k)}

    def etag(self, request, scope, extra="") -> str | None:
        version = stats_version()
        if version is None:
            return None
        raw = f"{version}|{scope}|{request.get_full_path()}|{extra}|{request.accepted_renderer.format}"
        return quote_etag(hashlib.sha256(raw.encode()).hexdigest()[:32])

    def respond(self, request, scope, build, extra=""):
        """The figures, rendered once per statistics version: later requests for the same scope,
        filters and format get the stored bytes (the ETag already names all of these)."""
        etag = self.etag(request, scope, extra)
        if etag and etag in request.headers.get("If-None-Match", ""):
            return Response(status=304, headers={"ETag": etag})
        stored = _BODIES.get(etag) if etag else None
        if stored is None:
            data, updated_at = build()
            renderer = request.accepted_renderer
            content = renderer.render(data, request.accepted_media_type, self.get_renderer_context())
            media_type = renderer.media_type + (f"; charset={renderer.charset}" if renderer.charset else "")
            stored = (content, media_type, http_date(updated_at.timestamp()) if updated_at else None)
            if etag:
                if len(_BODIES) >= _BODIES_MAX:
                    _BODIES.clear()
                _BODIES[etag] = stored
        response = HttpResponse(stored[0], content_type=stored[1])
        if etag:
            response["ETag"] = etag
        if stored[2]:
            response["Last-Modified"] = stored[2]
        response["Cache-Control"] = "private, max-age=0, must-revalidate"
        return response


_BODIES: dict[str, tuple] = {}
_BODIES_MAX = 512


def _area_list(scope, filters, group, *, page=None, page_size=None):
    summary = stats_summary(scope=scope, filters=filters, groups=(group,))
    rows = summary.groups[group]
    count = len(rows)
    if page_size:
        rows = rows[(page - 1) * page_size: page * page_size]
    next_page = page + 1 if page_size and page * page_size < count else None
    data = {"computed_at": summary.computed_at, "filters": summary.filters, "count": count, "next_page": next_page,
            "total": _figures(summary.total), "results": [_figures(r) for r in rows]}
    return data, summary.updated_at


class OverviewView(StatsView):
    @extend_schema(summary="Số liệu tổng hợp của phạm vi", parameters=FILTER_PARAMS,
                   responses={200: OverviewSerializer})
    def get(self, request):
        scope = request_scope(request)
        filters = self.filters(request)

        def build():
            summary = stats_summary(scope=scope, filters=filters, groups=("level", "ownership"),
                                    metrics=METRIC_NAMES)
            _, tables = indicator_tables(scope=scope, filters=filters)
            data = {"computed_at": summary.computed_at, "filters": summary.filters, **_figures(summary.total),
                    "by_level": [_figures(r) for r in summary.groups["level"]],
                    "by_ownership": [_figures(r) for r in summary.groups["ownership"]],
                    "indicators": [{"name": t.name, "title": t.title, "scale": t.scale,
                                    "rows": [{k: r.get(k) for k, _ in t.columns} for r in t.rows]}
                                   for t in tables]}
            return data, summary.updated_at

        return self.respond(request, scope, build)


class ProvinceListView(StatsView):
    @extend_schema(summary="Số liệu theo tỉnh/thành phố", parameters=FILTER_PARAMS,
                   responses={200: AreaListSerializer})
    def get(self, request):
        scope = request_scope(request)
        filters = self.filters(request)
        return self.respond(request, scope, lambda: _area_list(scope, filters, "province"))


class CommuneListView(StatsView):
    allowed_filters = ("school_year", "level", "ownership")

    @extend_schema(summary="Số liệu theo xã/phường của một tỉnh", parameters=FILTER_PARAMS[:3] + FILTER_PARAMS[4:],
                   responses={200: AreaListSerializer})
    def get(self, request, code: str):
        scope = request_scope(request)
        if not code.isascii() or not code.isdigit() or not scope.contains_province(code) \
                or not Province.objects.filter(pk=code).exists():
            raise NotInScope()
        filters = self.filters(request) | {"province": code}
        return self.respond(request, scope, lambda: _area_list(scope, filters, "commune"))


class SchoolListView(StatsView):
    @extend_schema(summary="Số liệu theo trường", responses={200: AreaListSerializer},
                   parameters=FILTER_PARAMS + [
                       OpenApiParameter("commune", {"type": "string", "pattern": "^[0-9]{5}$"},
                                        description="Mã xã/phường"),
                       OpenApiParameter("page", {"type": "integer", "minimum": 1}),
                       OpenApiParameter("page_size", {"type": "integer", "minimum": 0, "maximum": MAX_PAGE},
                                        description="0: tất cả (mặc định với CSV)")])
    def get(self, request):
        scope = request_scope(request)
        filters = self.filters(request)
        try:
            page = int(request.query_params.get("page", 1))
            default_size = MAX_PAGE if request.accepted_renderer.format != "csv" else 0
            page_size = int(request.query_params.get("page_size", default_size))
        except ValueError as exc:
            raise AppError("page và page_size phải là số nguyên.", code="invalid_page") from exc
        if page < 1 or page_size < 0 or page_size > MAX_PAGE:
            raise AppError(f"page ≥ 1 và 0 ≤ page_size ≤ {MAX_PAGE}.", code="invalid_page")
        return self.respond(request, scope,
                            lambda: _area_list(scope, filters, "school", page=page, page_size=page_size or None))

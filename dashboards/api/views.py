"""Statistics endpoints: the same selectors as the dashboard pages, scoped by the token or user.

ETag and Last-Modified come from the statistics' version and computation time; a client that
sends If-None-Match gets 304 without the figures being recomputed.

Official figures (issue 19): overview/, provinces/, provinces/<code>/communes/, schools/ and facilities/ take
?period=<id> (GET /api/v1/reporting/periods/ lists the periods). The answer is then the usual live one, and
besides it names the period and gives each figures object (the total, each unit, level, ownership) its
`official` figures (frozen when the school's report of the period was approved; only approved schools count),
`difference` (live - official) and `coverage` ({"schools", "approved", "accepted"}: how many of the selection's
schools the official figures cover, and how many of those the ministry accepted, i.e. published):

    {"period": {"id", "school_year", "kind", "label", "domains"}, "computed_at": ..., "pupils": <live>, ...,
     "official": {"pupils": ..., ...}, "difference": {"pupils": ..., ...},
     "coverage": {"schools": 12, "approved": 9, "accepted": 9}, "by_level": [{..., "official": {...}, ...}]}

A period that does not exist, or of another school year than ?school_year=, is a 400 in the reader's language
(codes invalid_period, period_year_mismatch; facilities/ also period_without_domain when the period did not
collect facilities); without ?school_year= the period's year is the answer's. trends/ and facilities/trends/
take it too: the row of the period's school year gets `official`, `difference` and `coverage`. The flows and the
enrolment ratios are not frozen at approval: they refuse ?period= (period_not_supported).
"""
from __future__ import annotations

import hashlib

from django.http import HttpResponse
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.scope import request_scope
from dashboards.cache import stats_version
from dashboards.official import (
    OFFICIAL_METRICS,
    Official,
    Period,
    beside,
    official_summary,
    official_version,
    period_from,
)
from dashboards.presentation import indicator_tables
from dashboards.selectors import METRIC_NAMES, derive, stats_summary
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
PERIOD_PARAM = OpenApiParameter(
    "period", {"type": "integer", "minimum": 1},
    description="Kỳ báo cáo (id, /api/v1/reporting/periods/): thêm số liệu chính thức của kỳ (official), chênh lệch "
                "(difference) và độ phủ (coverage) bên cạnh số liệu trực tiếp")
MAX_PAGE = 5000
# The figures given official beside live, by the names of the live ones (sums, and the ratios computed from them).
OFFICIAL_KEYS = ["students", *(m for m in OFFICIAL_METRICS if m != "pupils"), "pupils_per_teacher",
                 "teachers_qualified_pct", "gender_parity_index", "pupils_without_id_pct"]
_FIGURE_KEYS = set(OverviewSerializer().fields) | {"key", "name"}


def _figures(row: dict) -> dict:
    out = {k: v for k, v in row.items() if k in _FIGURE_KEYS}
    if "key" in out:
        out["key"] = str(out["key"])  # a province or commune code, or a school's id
    return out


def official_of(row: dict, keys: list[str]) -> dict:
    """A figures object's official part (its row went through official.beside)."""
    return {"official": {k: row.get(f"official_{k}") for k in keys},
            "difference": {k: row.get(f"diff_{k}") for k in keys},
            "coverage": {"schools": row.get("schools", 0), "approved": row.get("approved", 0),
                         "accepted": row.get("accepted", 0)}}


def official_of_year(rows: list[dict], official: Official, keys: list[str]) -> None:
    """Trends: the row of the period's school year gets the official part (the figures the row has)."""
    for row in rows:
        if row.get("school_year") == official.period.school_year:
            present = [k for k in keys if k in row]
            beside(row, official.total, present)
            row.update(official_of(row, present))
            for key in present:
                row.pop(f"official_{key}", None)
                row.pop(f"diff_{key}", None)
            row.pop("approved", None)
            row.pop("accepted", None)


def official_attach(official: Official | None, total: dict, groups: dict[str, list[dict]], keys: list[str]) -> None:
    if official is None:
        return
    beside(total, official.total, keys)
    for group, rows in official.groups.items():
        for row in groups.get(group, []):
            beside(row, rows.get(row["key"]), keys)


class StatsView(APIView):
    renderer_classes = [JSONRenderer, CSVRenderer]
    allowed_filters = FILTERS
    # Whether ?period= is taken (the figures of one school year); the others refuse it with a reason.
    takes_period = False

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors always in the API's JSON error shape, even when CSV was asked for.
        if response.status_code >= 400 and getattr(request, "accepted_renderer", None) is not None:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    def filters(self, request) -> dict:
        if "period" in request.query_params and not self.takes_period:
            raise AppError(_("Số liệu chính thức theo kỳ báo cáo (?period=) chỉ có ở overview/, provinces/, "
                             "provinces/…/communes/, schools/, trends/, facilities/ và facilities/trends/: luồng "
                             "học sinh và tỉ lệ nhập học không được chốt khi duyệt."),
                           code="period_not_supported", details={"period": [_("Không được hỗ trợ.")]})
        known = set(self.allowed_filters) | {"format", "page", "page_size"} | ({"period"} if self.takes_period else set())
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise AppError(gettext("Tham số lọc không được hỗ trợ."), code="invalid_filter",
                           details={k: ["Không được hỗ trợ."] for k in unknown})
        # A filter named but left blank (`?level=`) is refused as the schema says (its values are an
        # enum), rather than read as "all": a client that meant one level learns it sent none.
        blank = sorted(k for k in self.allowed_filters if k in request.query_params and not request.query_params.get(k))
        if blank:
            raise AppError(gettext("Tham số lọc để trống."), code="invalid_filter",
                           details={k: ["Không được để trống: bỏ tham số này để lấy tất cả."] for k in blank})
        return {k: request.query_params.get(k) for k in self.allowed_filters if request.query_params.get(k)}

    def period(self, request, filters: dict) -> Period | None:
        """The period asked for, checked against the school year asked for (its own year when none is)."""
        period = period_from(request.query_params.get("period"), school_year=filters.get("school_year"))
        if period is not None:
            filters.setdefault("school_year", str(period.school_year))
        return period

    def etag(self, request, scope, extra="") -> str | None:
        version = stats_version()
        if version is None:
            return None
        raw = f"{version}|{scope}|{request.get_full_path()}|{extra}|{request.accepted_renderer.format}"
        return quote_etag(hashlib.sha256(raw.encode()).hexdigest()[:32])

    def respond(self, request, scope, build, extra=""):
        """The figures, rendered once per statistics version: later requests for the same scope,
        filters and format get the stored bytes (the ETag already names all of these)."""
        # The titles and labels are in the reader's language (issue 21): one stored body per language.
        extra = f"{extra}|{get_language()}"
        if "period" in request.query_params:
            # An acceptance changes the answer, not the statistics.
            extra = f"{extra}|{official_version()}"
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


def _area_list(scope, filters, group, *, page=None, page_size=None, period=None):
    summary = stats_summary(scope=scope, filters=filters, groups=(group,))
    official = (official_summary(scope=scope, period=period, filters=summary.filters, groups=(group,),
                                 derive_row=derive) if period else None)
    official_attach(official, summary.total, summary.groups, OFFICIAL_KEYS)
    rows = summary.groups[group]
    count = len(rows)
    if page_size:
        rows = rows[(page - 1) * page_size: page * page_size]
    next_page = page + 1 if page_size and page * page_size < count else None
    figures = _figures if period is None else lambda r: _figures(r) | official_of(r, OFFICIAL_KEYS)
    data = {"computed_at": summary.computed_at, "filters": summary.filters, "count": count, "next_page": next_page,
            "total": figures(summary.total), "results": [figures(r) for r in rows]}
    if period is not None:
        data = {"period": period.as_dict(), **data}
    return data, summary.updated_at


class OverviewView(StatsView):
    takes_period = True

    @extend_schema(summary="Số liệu tổng hợp của phạm vi (và số liệu chính thức của một kỳ báo cáo: ?period=)",
                   parameters=[*FILTER_PARAMS, PERIOD_PARAM], responses={200: OverviewSerializer})
    def get(self, request):
        scope = request_scope(request)
        filters = self.filters(request)
        period = self.period(request, filters)

        def build():
            summary = stats_summary(scope=scope, filters=filters, groups=("level", "ownership"),
                                    metrics=METRIC_NAMES)
            official = (official_summary(scope=scope, period=period, filters=summary.filters,
                                         groups=("level", "ownership"), derive_row=derive) if period else None)
            official_attach(official, summary.total, summary.groups, OFFICIAL_KEYS)
            figures = _figures if period is None else lambda r: _figures(r) | official_of(r, OFFICIAL_KEYS)
            _, tables = indicator_tables(scope=scope, filters=filters)
            data = {**({"period": period.as_dict()} if period else {}),
                    "computed_at": summary.computed_at, "filters": summary.filters, **figures(summary.total),
                    "by_level": [figures(r) for r in summary.groups["level"]],
                    "by_ownership": [figures(r) for r in summary.groups["ownership"]],
                    "indicators": [{"name": t.name, "title": t.title, "scale": t.scale,
                                    "rows": [{k: r.get(k) for k, _ in t.columns} for r in t.rows]}
                                   for t in tables]}
            return data, summary.updated_at

        return self.respond(request, scope, build)


class ProvinceListView(StatsView):
    takes_period = True

    @extend_schema(summary="Số liệu theo tỉnh/thành phố", parameters=[*FILTER_PARAMS, PERIOD_PARAM],
                   responses={200: AreaListSerializer})
    def get(self, request):
        scope = request_scope(request)
        filters = self.filters(request)
        period = self.period(request, filters)
        return self.respond(request, scope, lambda: _area_list(scope, filters, "province", period=period))


class CommuneListView(StatsView):
    allowed_filters = ("school_year", "level", "ownership")
    takes_period = True

    @extend_schema(summary="Số liệu theo xã/phường của một tỉnh",
                   parameters=[*FILTER_PARAMS[:3], *FILTER_PARAMS[4:], PERIOD_PARAM],
                   responses={200: AreaListSerializer})
    def get(self, request, code: str):
        scope = request_scope(request)
        if not code.isascii() or not code.isdigit() or not scope.contains_province(code) \
                or not Province.objects.filter(pk=code).exists():
            raise NotInScope()
        filters = self.filters(request) | {"province": code}
        period = self.period(request, filters)
        return self.respond(request, scope, lambda: _area_list(scope, filters, "commune", period=period))


class SchoolListView(StatsView):
    takes_period = True

    @extend_schema(summary="Số liệu theo trường", responses={200: AreaListSerializer},
                   parameters=FILTER_PARAMS + [PERIOD_PARAM,
                       OpenApiParameter("commune", {"type": "string", "pattern": "^[0-9]{5}$"},
                                        description="Mã xã/phường"),
                       OpenApiParameter("page", {"type": "integer", "minimum": 1}),
                       OpenApiParameter("page_size", {"type": "integer", "minimum": 0, "maximum": MAX_PAGE},
                                        description="0: tất cả (mặc định với CSV)")])
    def get(self, request):
        scope = request_scope(request)
        filters = self.filters(request)
        period = self.period(request, filters)
        try:
            page = int(request.query_params.get("page", 1))
            default_size = MAX_PAGE if request.accepted_renderer.format != "csv" else 0
            page_size = int(request.query_params.get("page_size", default_size))
        except ValueError as exc:
            raise AppError(gettext("page và page_size phải là số nguyên."), code="invalid_page") from exc
        if page < 1 or page_size < 0 or page_size > MAX_PAGE:
            raise AppError(gettext("page ≥ 1 và 0 ≤ page_size ≤ %(MAX_PAGE)s.") % {"MAX_PAGE": MAX_PAGE}, code="invalid_page")
        return self.respond(request, scope,
                            lambda: _area_list(scope, filters, "school", page=page, page_size=page_size or None,
                                               period=period))

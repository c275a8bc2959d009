"""/api/v1/facilities/: sites, their facilities of each school year, equipment holdings (with the change feed
of updated_since, as every record list), the equipment catalogue and the standing under Thông tư 13/2020.
Writes go through facilities.services with a read-write token of the school's scope."""
from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from edu_portal.common.api.base import (
    UPDATED_SINCE,
    ReadOnlyUnlessWriteToken,
    RecordViewSet,
    check_query_params,
    filtered,
    request_scope,
)
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year
from facilities.filtersets import (
    EquipmentHoldingFilterSet,
    EquipmentItemFilterSet,
    SiteFacilitiesFilterSet,
    SiteFilterSet,
)
from facilities.models import EquipmentHolding, EquipmentItem, Site, SiteFacilities
from facilities.selectors import (
    equipment_holdings,
    facilities_standard,
    site_facilities_list,
    site_get,
    site_list,
)
from facilities.services import (
    FIRST_YEAR,
    equipment_holdings_save,
    latest_school_year,
    site_create,
    site_facilities_save,
    site_update,
)
from schools.api.lookups import school_for_write
from schools.selectors import school_get

from .serializers import (
    EquipmentCatalogueSerializer,
    EquipmentHoldingSerializer,
    EquipmentItemSerializer,
    EquipmentWriteSerializer,
    SiteCreateSerializer,
    SiteFacilitiesSerializer,
    SiteFacilitiesWriteSerializer,
    SiteSerializer,
    SiteUpdateSerializer,
    StandardSerializer,
)


def _one(queryset, pk):
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise NotInScope()
    return record


@extend_schema_view(
    list=extend_schema(summary="Danh sách điểm trường", parameters=[UPDATED_SINCE]),
    retrieve=extend_schema(summary="Một điểm trường"),
    create=extend_schema(summary="Thêm điểm trường (mã có quyền ghi)", request=SiteCreateSerializer,
                         responses={201: SiteSerializer}),
    partial_update=extend_schema(summary="Sửa điểm trường (mã có quyền ghi)", request=SiteUpdateSerializer,
                                 responses=SiteSerializer),
)
class SiteViewSet(RecordViewSet):
    model = Site
    filterset_class = SiteFilterSet
    serializer_class = detail_serializer_class = SiteSerializer
    write_serializer_class = SiteCreateSerializer
    update_serializer_class = SiteUpdateSerializer

    def select_list(self, *, scope, filters):
        return site_list(scope=scope, filters=filters)

    def select_one(self, *, scope, pk):
        return site_get(scope=scope, pk=pk)

    def perform_write(self, *, scope, data):
        school = school_for_write(scope, data.pop("school"))
        return site_create(scope=scope, school=school, **data)

    def perform_update(self, *, scope, record, data):
        return site_update(scope=scope, site=record, **data)


@extend_schema_view(
    list=extend_schema(summary="Cơ sở vật chất của điểm trường theo năm học", parameters=[UPDATED_SINCE]),
    retrieve=extend_schema(summary="Cơ sở vật chất của một điểm trường trong một năm học"),
    create=extend_schema(summary="Ghi cơ sở vật chất của một điểm trường trong một năm học (tạo hoặc thay; mã có "
                                 "quyền ghi)", request=SiteFacilitiesWriteSerializer,
                         responses={201: SiteFacilitiesSerializer}),
)
class SiteFacilitiesViewSet(RecordViewSet):
    model = SiteFacilities
    filterset_class = SiteFacilitiesFilterSet
    serializer_class = detail_serializer_class = SiteFacilitiesSerializer
    write_serializer_class = SiteFacilitiesWriteSerializer

    def select_list(self, *, scope, filters):
        return site_facilities_list(scope=scope, filters=filters)

    def select_one(self, *, scope, pk):
        return _one(site_facilities_list(scope=scope), pk)

    def perform_write(self, *, scope, data):
        site = site_get(scope=scope, pk=data.pop("site"))
        return site_facilities_save(scope=scope, site=site, school_year=data.pop("school_year"), **data)


@extend_schema_view(
    list=extend_schema(summary="Thiết bị dạy học hiện có của các trường theo năm học", parameters=[UPDATED_SINCE]),
    retrieve=extend_schema(summary="Một dòng thiết bị hiện có"),
    create=extend_schema(summary="Ghi thiết bị hiện có của một trường trong một năm học (mọi dòng hoặc không dòng "
                                 "nào; mã có quyền ghi)", request=EquipmentWriteSerializer,
                         responses={201: EquipmentHoldingSerializer(many=True)}),
)
class EquipmentHoldingViewSet(RecordViewSet):
    model = EquipmentHolding
    filterset_class = EquipmentHoldingFilterSet
    serializer_class = detail_serializer_class = EquipmentHoldingSerializer
    write_serializer_class = EquipmentWriteSerializer

    def select_list(self, *, scope, filters):
        return equipment_holdings(scope=scope, filters=filters)

    def select_one(self, *, scope, pk):
        return _one(equipment_holdings(scope=scope), pk)

    def create(self, request, *args, **kwargs):
        """Many lines at once: answered with the school's holdings of the year as they now stand."""
        check_query_params(request, set())
        scope = request_scope(request)
        serializer = EquipmentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        school = school_for_write(scope, data["school"])
        equipment_holdings_save(scope=scope, school=school, school_year=data["school_year"],
                                holdings=[dict(line) for line in data["holdings"]])
        rows = equipment_holdings(scope=scope, filters={"school": school.pk, "school_year": data["school_year"]})
        return Response(EquipmentHoldingSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class EquipmentCatalogueView(APIView):
    """Reference data, the same for every client: the minimum equipment lists (a subset, facilities/catalogue.py)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="Danh mục thiết bị dạy học tối thiểu (Thông tư 02/2010, 37/2021, 38/2021, 39/2021)",
                   parameters=[OpenApiParameter("level", OpenApiTypes.STR, required=False),
                               OpenApiParameter("circular", OpenApiTypes.STR, required=False),
                               OpenApiParameter("subject", OpenApiTypes.STR, required=False),
                               OpenApiParameter("grade", OpenApiTypes.INT, required=False)],
                   responses=EquipmentCatalogueSerializer)
    def get(self, request):
        check_query_params(request, set(EquipmentItemFilterSet.base_filters))
        items = filtered(EquipmentItemFilterSet, request.query_params, EquipmentItem.objects.all())
        results = EquipmentItemSerializer(items, many=True).data
        return Response({"count": len(results), "results": results})


SCHOOL = OpenApiParameter("school", OpenApiTypes.INT, required=True, description="id của trường")
SCHOOL_YEAR = OpenApiParameter("school_year", OpenApiTypes.INT, required=False,
                               description="Năm bắt đầu của năm học; mặc định năm học hiện tại")


def _int_param(request, name: str, default=None) -> int:
    raw = request.query_params.get(name)
    if raw is None and default is not None:
        return default
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise AppError(gettext("%(name)s: Phải là một số nguyên.") % {"name": name}, details={name: ["Phải là một số nguyên."]})
    return int(raw)


class StandardView(APIView):
    """A school's standing under Thông tư 13/2020 in a school year, with the criteria it does not meet."""

    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Mức đạt tiêu chuẩn cơ sở vật chất (Thông tư 13/2020) và các tiêu chí chưa đạt",
                   parameters=[SCHOOL, SCHOOL_YEAR], responses=StandardSerializer)
    def get(self, request):
        check_query_params(request, {"school", "school_year"})
        scope = request_scope(request)
        school = school_get(scope=scope, pk=_int_param(request, "school"))
        year = _int_param(request, "school_year", current_school_year())
        if not FIRST_YEAR <= year <= latest_school_year():
            message = f"Năm học phải từ {FIRST_YEAR} đến {latest_school_year()}."
            raise AppError(gettext("school_year: %(message)s") % {"message": message}, details={"school_year": [message]})
        result = facilities_standard(scope=scope, school=school, school_year=year)
        unmet = [{"code": u.criterion.code, "label": str(u.criterion.label), "article": str(u.criterion.article),
                  "standard_level": u.standard_level, "message": str(u.shortfall.message),
                  "missing": None if u.shortfall.missing is None else str(u.shortfall.missing)}
                 for u in result.unmet]
        return Response(StandardSerializer({"school": school.pk, "school_year": year, "standing": result.standing,
                                            "label": str(result.label), "unmet": unmet}).data)

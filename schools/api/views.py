"""/api/v1/schools/: schools within the token's scope (no deletion: a school is closed instead)."""
from drf_spectacular.utils import extend_schema, extend_schema_view

from edu_portal.common.api.base import UPDATED_SINCE, RecordViewSet
from edu_portal.common.api.feed import FEED_PARAMETERS
from schools.filtersets import SchoolFilterSet
from schools.importers import SCHOOLS
from schools.models import School
from schools.selectors import school_get, school_list
from schools.services import school_create, school_edit_check, school_update

from .lookups import school_for_write
from .serializers import SchoolCreateSerializer, SchoolDetailSerializer, SchoolSerializer, SchoolUpdateSerializer


@extend_schema_view(
    list=extend_schema(summary="Danh sách trường", parameters=[UPDATED_SINCE, *FEED_PARAMETERS]),
    retrieve=extend_schema(summary="Một trường (kèm số học sinh, cán bộ)", responses=SchoolDetailSerializer),
    create=extend_schema(summary="Thêm trường (mã có quyền ghi, phạm vi toàn quốc hoặc tỉnh)",
                         request=SchoolCreateSerializer, responses={201: SchoolDetailSerializer}),
    partial_update=extend_schema(summary="Sửa thông tin trường (mã có quyền ghi, phạm vi toàn quốc hoặc tỉnh)",
                                 request=SchoolUpdateSerializer, responses=SchoolDetailSerializer),
)
class SchoolViewSet(RecordViewSet):
    model = School
    filterset_class = SchoolFilterSet
    serializer_class = SchoolSerializer
    detail_serializer_class = SchoolDetailSerializer
    write_serializer_class = SchoolCreateSerializer
    update_serializer_class = SchoolUpdateSerializer
    list_order = ("id",)
    partition_field = "id"  # a school is its own partition key, as its tombstone's school_id is
    importer = SCHOOLS
    not_for_update = frozenset({"code"})
    profile_resource = "schools"
    profile_keys = ("id", "code", "province", "updated_at")

    def select_list(self, *, scope, filters):
        return school_list(scope=scope, filters=filters)

    def select_one(self, *, scope, pk):
        return school_get(scope=scope, pk=pk)

    def current_row(self, record) -> dict:
        return {"code": record.code, "name": record.name, "level": record.level, "ownership": record.ownership,
                "province": record.province_id, "commune": record.commune_id, "address": record.address,
                "status": record.status}

    @staticmethod
    def _merged_into(scope, data: dict) -> dict:
        # Not an upload column: a merger names the receiving school, which must be in scope too.
        if "merged_into" not in data:
            return {}
        merged = data.pop("merged_into")
        return {"merged_into_id": school_for_write(scope, merged, field="merged_into").pk if merged else None}

    def perform_write(self, *, scope, data):
        school_edit_check(scope=scope)  # before validating: a school token is refused, whatever it sends
        merged = self._merged_into(scope, data)
        return school_create(scope=scope, **self.validated(data, scope=scope, school=None), **merged)

    def perform_update(self, *, scope, record, data):
        school_edit_check(scope=scope)  # before validating: a school token is refused, whatever it sends
        merged = self._merged_into(scope, data)
        changes = self.validated(data, scope=scope, school=record, record=record) if data else {}
        return school_update(scope=scope, school=record, **changes, **merged)

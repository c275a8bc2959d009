"""/api/v1/staff/: staff members within the token's scope."""
from drf_spectacular.utils import extend_schema, extend_schema_view

from edu_portal.common.api.base import DELETE_REASON, UPDATED_SINCE, RecordViewSet
from edu_portal.common.api.feed import FEED_PARAMETERS
from schools.api.lookups import attach_schools, school_for_write
from teachers.filtersets import StaffFilterSet
from teachers.importers import STAFF
from teachers.models import StaffMember
from teachers.selectors import staff_get, staff_list
from teachers.services import staff_create, staff_delete, staff_update

from .serializers import StaffCreateSerializer, StaffDetailSerializer, StaffSerializer, StaffUpdateSerializer


@extend_schema_view(
    list=extend_schema(summary="Danh sách cán bộ, giáo viên", parameters=[UPDATED_SINCE, *FEED_PARAMETERS]),
    retrieve=extend_schema(summary="Một cán bộ, giáo viên", responses=StaffDetailSerializer),
    create=extend_schema(summary="Thêm cán bộ, giáo viên (mã có quyền ghi)", request=StaffCreateSerializer,
                         responses={201: StaffDetailSerializer}),
    partial_update=extend_schema(summary="Sửa thông tin cán bộ, giáo viên (mã có quyền ghi)",
                                 request=StaffUpdateSerializer, responses=StaffDetailSerializer),
    destroy=extend_schema(summary="Xoá cán bộ nhập nhầm (mã có quyền ghi); ghi vào danh sách đã xoá",
                          parameters=[DELETE_REASON], responses={204: None}),
)
class StaffViewSet(RecordViewSet):
    model = StaffMember
    filterset_class = StaffFilterSet
    serializer_class = StaffSerializer
    detail_serializer_class = StaffDetailSerializer
    write_serializer_class = StaffCreateSerializer
    code_field = "staff_code"
    update_serializer_class = StaffUpdateSerializer
    importer = STAFF
    not_for_update = frozenset({"staff_code"})
    profile_resource = "staff"
    profile_keys = ("id", "staff_code", "school", "school_code", "province", "updated_at")

    def select_list(self, *, scope, filters):
        return staff_list(scope=scope, filters=filters)

    def select_one(self, *, scope, pk):
        return staff_get(scope=scope, pk=pk)

    def add_related(self, rows):
        attach_schools(rows)

    def current_row(self, record) -> dict:
        return {key: getattr(record, key) for key in (
            "staff_code", "id_number", "full_name", "date_of_birth", "gender", "ethnicity", "position",
            "main_subject", "qualification", "training_field", "pedagogy_certificate", "employment_status")}

    def perform_write(self, *, scope, data):
        school = school_for_write(scope, data.pop("school"))
        return staff_create(scope=scope, school=school,
                            **self.validated(data, scope=scope, school=school))

    def perform_update(self, *, scope, record, data):
        changes = self.validated(data, scope=scope, school=record.school, record=record)
        return staff_update(scope=scope, staff=record, **changes)

    def perform_delete(self, *, scope, record, reason):
        staff_delete(scope=scope, staff=record, reason=reason)

"""/api/v1/students/: pupils within the token's scope."""
from drf_spectacular.utils import extend_schema, extend_schema_view

from api.base import UPDATED_SINCE, RecordViewSet, school_for_write
from api.importing import validate_like_upload
from students.filtersets import StudentFilterSet
from students.models import Student
from students.selectors import student_get, student_list
from students.services import student_create, student_delete, student_update

from .serializers import StudentCreateSerializer, StudentDetailSerializer, StudentSerializer, StudentUpdateSerializer


@extend_schema_view(
    list=extend_schema(summary="Danh sách học sinh", parameters=[UPDATED_SINCE]),
    retrieve=extend_schema(summary="Một học sinh (ghi danh, kết quả học tập, thể lực)",
                           responses=StudentDetailSerializer),
    create=extend_schema(summary="Thêm học sinh (mã có quyền ghi)", request=StudentCreateSerializer,
                         responses={201: StudentDetailSerializer}),
    partial_update=extend_schema(summary="Sửa thông tin cá nhân của học sinh (mã có quyền ghi)",
                                 request=StudentUpdateSerializer, responses=StudentDetailSerializer),
    destroy=extend_schema(summary="Xoá học sinh nhập nhầm (mã có quyền ghi); ghi vào danh sách đã xoá",
                          responses={204: None}),
)
class StudentViewSet(RecordViewSet):
    model = Student
    filterset_class = StudentFilterSet
    serializer_class = StudentSerializer
    detail_serializer_class = StudentDetailSerializer
    write_serializer_class = StudentCreateSerializer
    code_field = "pupil_code"
    update_serializer_class = StudentUpdateSerializer

    def select_list(self, *, scope, filters):
        return student_list(scope=scope, filters=filters)

    def select_one(self, *, scope, pk):
        return student_get(scope=scope, pk=pk)

    def perform_write(self, *, scope, data):
        school = school_for_write(scope, data.pop("school"))
        return student_create(scope=scope, school=school,
                              **validate_like_upload("students", data, scope=scope, school=school))

    def perform_update(self, *, scope, record, data):
        changes = validate_like_upload("students", data, scope=scope, school=record.school, instance=record)
        return student_update(scope=scope, student=record, **changes)

    def perform_delete(self, *, scope, record):
        student_delete(scope=scope, student=record)

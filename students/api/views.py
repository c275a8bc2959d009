"""/api/v1/students/: pupils within the token's scope; /api/v1/subjects/: the subject catalogue."""
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from edu_portal.common.api.base import (
    DELETE_REASON,
    FEED_PAGING_PARAMS,
    UPDATED_SINCE,
    RecordViewSet,
    check_query_params,
    parse_updated_since,
    request_scope,
)
from edu_portal.common.api.feed import FEED_PARAMETERS, FeedWindow
from edu_portal.common.api.pagination import KeysetPagination
from edu_portal.common.exceptions import AppError
from schools.api.lookups import attach_schools, school_for_write
from students.assessment.reference import GRADES, grade_reference
from students.filtersets import StudentFilterSet
from students.importers import PUPILS
from students.models import OPEN_ENROLLMENT, Enrollment, Student
from students.selectors import enrollments_transferred_out, student_get, student_list
from students.services import student_create, student_delete, student_readmit, student_update, student_withdraw

from .serializers import (
    StudentCreateSerializer,
    StudentDetailSerializer,
    StudentReadmitSerializer,
    StudentSerializer,
    StudentUpdateSerializer,
    StudentWithdrawSerializer,
    SubjectCatalogueSerializer,
    TransferredOutSerializer,
)

# How a client syncing pupils with `updated_since` sees moves (issue 15), said once for the schema.
SYNC_MOVES = (
    "Đồng bộ tăng dần: `updated_since` trả về học sinh trong phạm vi có thay đổi từ thời điểm đó, kể cả khi "
    "chuyển trường, rời trường hay tiếp nhận lại (quá trình học nằm trong chi tiết học sinh, `enrollments`). "
    "Học sinh chuyển đến một trường trong phạm vi xuất hiện ở đây như bản ghi mới/cập nhật. Học sinh chuyển đi "
    "khỏi phạm vi không còn ở danh sách này: trường cũ biết qua `transferred-out/?updated_since=...` (ghi danh "
    "đã đóng, ngày chuyển đi). Bản ghi xoá vì nhập nhầm: `deleted/`."
)


@extend_schema_view(
    list=extend_schema(summary="Danh sách học sinh", description=SYNC_MOVES, parameters=[UPDATED_SINCE, *FEED_PARAMETERS]),
    retrieve=extend_schema(summary="Một học sinh (ghi danh, kết quả học tập, thể lực)",
                           responses=StudentDetailSerializer),
    create=extend_schema(summary="Thêm học sinh (mã có quyền ghi)", request=StudentCreateSerializer,
                         responses={201: StudentDetailSerializer}),
    partial_update=extend_schema(summary="Sửa thông tin cá nhân của học sinh (mã có quyền ghi)",
                                 request=StudentUpdateSerializer, responses=StudentDetailSerializer),
    destroy=extend_schema(summary="Xoá học sinh nhập nhầm (mã có quyền ghi); ghi vào danh sách đã xoá",
                          description="Chỉ cho hồ sơ nhập nhầm; học sinh rời trường thì dùng withdraw/. Bắt buộc "
                                      'lý do: ?reason=... hoặc thân JSON {"reason": "..."}.',
                          parameters=[DELETE_REASON], responses={204: None}),
)
class StudentViewSet(RecordViewSet):
    model = Student
    filterset_class = StudentFilterSet
    serializer_class = StudentSerializer
    detail_serializer_class = StudentDetailSerializer
    write_serializer_class = StudentCreateSerializer
    code_field = "pupil_code"
    update_serializer_class = StudentUpdateSerializer
    importer = PUPILS
    not_for_update = frozenset({"pupil_code", "grade", "class_name"})  # the enrollment is not edited here
    profile_resource = "students"
    profile_keys = ("id", "pupil_code", "school", "school_code", "province", "updated_at")

    def select_list(self, *, scope, filters):
        return student_list(scope=scope, filters=filters)

    def select_one(self, *, scope, pk):
        return student_get(scope=scope, pk=pk)

    def add_related(self, rows):
        attach_schools(rows)

    def current_row(self, record) -> dict:
        enrollment = record.enrollments.filter(OPEN_ENROLLMENT).order_by("-school_year").first()
        return {"pupil_code": record.pupil_code, "id_number": record.id_number, "full_name": record.full_name,
                "date_of_birth": record.date_of_birth, "gender": record.gender, "ethnicity": record.ethnicity,
                "birth_province": record.birth_province_id,
                "grade": enrollment.grade if enrollment else None,
                "class_name": enrollment.class_name if enrollment else None,
                "id_number_missing_reason": record.id_number_missing_reason,
                "id_number_missing_note": record.id_number_missing_note}

    def perform_write(self, *, scope, data):
        school = school_for_write(scope, data.pop("school"))
        return student_create(scope=scope, school=school,
                              **self.validated(data, scope=scope, school=school))

    def perform_update(self, *, scope, record, data):
        changes = self.validated(data, scope=scope, school=record.school, record=record)
        return student_update(scope=scope, student=record, **changes)

    def perform_delete(self, *, scope, record, reason):
        student_delete(scope=scope, student=record, reason=reason)

    @extend_schema(summary="Học sinh rời trường: bỏ học, hoàn thành, đã mất, ra nước ngoài (mã có quyền ghi)",
                   description="Ghi danh được đóng lại với tình trạng, ngày và lý do; hồ sơ và quá trình học "
                               "được giữ (không xoá), học sinh không còn được tính là đang học.",
                   request=StudentWithdrawSerializer, responses=StudentDetailSerializer)
    def withdraw(self, request, pk=None):
        return self._enrollment_action(request, pk, StudentWithdrawSerializer, student_withdraw)

    @extend_schema(summary="Tiếp nhận lại học sinh đã rời trường (mã có quyền ghi)",
                   request=StudentReadmitSerializer, responses=StudentDetailSerializer)
    def readmit(self, request, pk=None):
        return self._enrollment_action(request, pk, StudentReadmitSerializer, student_readmit)

    def _enrollment_action(self, request, pk, serializer_class, service):
        """POST <id>/withdraw/ and <id>/readmit/: the answer is the pupil's detail, history included."""
        check_query_params(request, set())
        scope = request_scope(request)
        record = self.select_one(scope=scope, pk=self._pk(pk))
        serializer = serializer_class(data=request.data, context={"scope": scope, "request": request})
        serializer.is_valid(raise_exception=True)
        service(scope=scope, student=record, **serializer.validated_data)
        record = self.select_one(scope=scope, pk=record.pk)
        self._audit_id_numbers(request, scope, [record])
        return Response(self.detail_serializer_class(record, context={"scope": scope, "request": request}).data)


class TransferredOutFeed(viewsets.GenericViewSet):
    """GET /api/v1/students/transferred-out/?updated_since=...: pupils who left the scope's schools by transfer."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = KeysetPagination
    serializer_class = TransferredOutSerializer
    queryset = Enrollment.objects.none()

    @extend_schema(summary="Học sinh đã chuyển đi khỏi các trường trong phạm vi (đồng bộ tăng dần)",
                   description="Mỗi dòng là một ghi danh đã đóng vì chuyển trường, ở trường chuyển đi: học sinh "
                               "không còn trong danh sách học sinh của phạm vi này. " + SYNC_MOVES,
                   parameters=[UPDATED_SINCE, *FEED_PARAMETERS])
    def list(self, request, *args, **kwargs):
        check_query_params(request, FEED_PAGING_PARAMS)
        scope = request_scope(request)
        since = parse_updated_since(request.query_params.get("updated_since"))
        window = FeedWindow.from_request(request)
        queryset = window.apply(enrollments_transferred_out(scope=scope, since=since),
                                stamp="updated_at", school="school_id").values(
            "id", "student_id", "student__pupil_code", "school_id", "school_year", "grade", "class_name", "left_on",
            "updated_at")
        rows = self.paginator.paginate_queryset(queryset, request, view=self, order=("updated_at", "id"))
        return self.paginator.get_paginated_response(self.get_serializer(rows, many=True).data)


GRADE_MESSAGE = "Phải là khối lớp từ 1 đến 12 (mầm non không có môn học của chương trình GDPT 2018)."
GRADE = OpenApiParameter("grade", {"type": "integer", "minimum": 1, "maximum": 12}, required=False,
                         description="Chỉ khối lớp này (1-12); mặc định mọi khối")


def _grade(raw: str) -> int:
    text = raw.strip()
    # At most two digits before int(): Python refuses to convert strings of thousands of digits.
    if not (text.isascii() and text.isdigit() and len(text) <= 2 and int(text) in GRADES):
        raise AppError(gettext("grade: %(GRADE_MESSAGE)s") % {"GRADE_MESSAGE": GRADE_MESSAGE}, details={"grade": [GRADE_MESSAGE]})
    return int(text)


class SubjectCatalogueView(APIView):
    """Reference data, the same for every client and no one's personal data: any valid token reads
    it, whatever its scope. What it lists is what uploads and the API's checks accept."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="Môn học của chương trình GDPT 2018 và thang đánh giá theo khối lớp",
                   description="Tên chính thức của từng môn (dùng trong điểm các môn), môn cho điểm hay đánh giá "
                               "bằng nhận xét, bắt buộc hay tự chọn, kiểm tra định kì (tiểu học), tên cũ được "
                               "chấp nhận; các mức kết quả học tập và rèn luyện của khối (TT 27/2020 cho khối 1-5, "
                               "TT 22/2021 cho khối 6-12).",
                   parameters=[GRADE], responses=SubjectCatalogueSerializer)
    def get(self, request):
        check_query_params(request, {"grade"})
        raw = request.query_params.get("grade")
        grades = [_grade(raw)] if raw is not None else GRADES
        results = [grade_reference(grade) for grade in grades]
        return Response({"count": len(results), "results": results})

"""/api/v1/staff-reassignments/: reassignments of staff between schools (điều chuyển công tác;
teachers.services staff_reassignment_*), shaped as /api/v1/transfers/.

The receiving school asks (POST), both sides list their requests (GET), the sending school or its
province answers (release/, decline/), the receiving side may withdraw (cancel/). A request shows the
receiving side only what identifies the staff member (name, date of birth, current school): never the ID
number or the rest of the record."""
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from edu_portal.common.api.base import ReadOnlyUnlessWriteToken, check_query_params, request_scope
from edu_portal.common.exceptions import AppError, NotInScope
from schools.api.lookups import school_for_write
from teachers.models import Position, ReassignmentStatus
from teachers.selectors import staff_reassignment_get, staff_reassignment_list
from teachers.services import (
    staff_reassignment_cancel,
    staff_reassignment_decline,
    staff_reassignment_release,
    staff_reassignment_request,
)

LIST_LIMIT = 1000  # a school's or a province's open requests are few; the newest first


class ReassignmentSchoolSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    province = serializers.CharField(source="province_id")


class ReassignmentStaffSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    date_of_birth = serializers.DateField()


class ReassignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ReassignmentStatus.choices)
    staff = ReassignmentStaffSerializer()
    from_school = ReassignmentSchoolSerializer()
    to_school = ReassignmentSchoolSerializer()
    position = serializers.ChoiceField(choices=Position.choices, help_text="Chức vụ ở trường tiếp nhận")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class ReassignmentListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ReassignmentSerializer(many=True)


class ReassignmentCreateSerializer(serializers.Serializer):
    staff_code = serializers.CharField(max_length=20)
    date_of_birth = serializers.DateField()
    position = serializers.ChoiceField(choices=Position.choices, help_text="Chức vụ ở trường tiếp nhận")
    school = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False,
                                      help_text="id của trường tiếp nhận; mặc định trường của mã truy cập")


class ReassignmentDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


def _answer(reassignment, *, code=status.HTTP_200_OK) -> Response:
    return Response(ReassignmentSerializer(reassignment).data, status=code)


def _receiving_school(scope, pk):
    if pk is None:
        if scope.school_id is None or scope.kind != "school":
            raise AppError("school: Nhập trường tiếp nhận.", details={"school": ["Bắt buộc với mã cấp Sở, Bộ."]})
        pk = scope.school_id
    return school_for_write(scope, pk)


def _pk(pk: int) -> int:
    if pk >= 2**63:
        raise NotInScope()
    return pk


class ReassignmentListView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Đề nghị điều chuyển công tác (của trường chuyển đi và trường tiếp nhận trong phạm vi)",
                   responses=ReassignmentListSerializer, operation_id="staff_reassignments_list")
    def get(self, request):
        check_query_params(request, {"status"})
        raw = request.query_params.get("status")
        if raw is not None and raw not in ReassignmentStatus.values:
            raise AppError("status: Tình trạng không hợp lệ.",
                           details={"status": [f"Một trong: {', '.join(ReassignmentStatus.values)}."]})
        rows = list(staff_reassignment_list(scope=request_scope(request), status=raw)[:LIST_LIMIT])
        return Response({"count": len(rows), "results": ReassignmentSerializer(rows, many=True).data})

    @extend_schema(summary="Trường tiếp nhận đề nghị điều chuyển một cán bộ đến (mã có quyền ghi)",
                   request=ReassignmentCreateSerializer, responses={201: ReassignmentSerializer},
                   operation_id="staff_reassignments_create")
    def post(self, request):
        check_query_params(request, set())
        scope = request_scope(request)
        serializer = ReassignmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        school = _receiving_school(scope, data.pop("school", None))
        reassignment = staff_reassignment_request(scope=scope, user=request.user, to_school=school, **data)
        return _answer(staff_reassignment_get(scope=scope, pk=reassignment.pk), code=status.HTTP_201_CREATED)


class ReassignmentDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Một đề nghị điều chuyển công tác", responses=ReassignmentSerializer,
                   operation_id="staff_reassignments_retrieve")
    def get(self, request, pk: int):
        check_query_params(request, set())
        return _answer(staff_reassignment_get(scope=request_scope(request), pk=_pk(pk)))


class ReassignmentReleaseView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Trường chuyển đi (hoặc Sở của trường) đồng ý điều chuyển cán bộ (mã có quyền ghi)",
                   request=None, responses=ReassignmentSerializer, operation_id="staff_reassignments_release")
    def post(self, request, pk: int):
        check_query_params(request, set())
        scope = request_scope(request)
        reassignment = staff_reassignment_release(scope=scope, user=request.user, reassignment_id=_pk(pk))
        return _answer(staff_reassignment_get(scope=scope, pk=reassignment.pk))


class ReassignmentDeclineView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Trường chuyển đi (hoặc Sở của trường) từ chối, có lý do (mã có quyền ghi)",
                   request=ReassignmentDeclineSerializer, responses=ReassignmentSerializer,
                   operation_id="staff_reassignments_decline")
    def post(self, request, pk: int):
        check_query_params(request, set())
        scope = request_scope(request)
        serializer = ReassignmentDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reassignment = staff_reassignment_decline(scope=scope, user=request.user, reassignment_id=_pk(pk),
                                                  reason=serializer.validated_data["reason"])
        return _answer(staff_reassignment_get(scope=scope, pk=reassignment.pk))


class ReassignmentCancelView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Trường tiếp nhận (hoặc Sở của trường) huỷ đề nghị đang chờ (mã có quyền ghi)",
                   request=None, responses=ReassignmentSerializer, operation_id="staff_reassignments_cancel")
    def post(self, request, pk: int):
        check_query_params(request, set())
        scope = request_scope(request)
        reassignment = staff_reassignment_cancel(scope=scope, user=request.user, reassignment_id=_pk(pk))
        return _answer(staff_reassignment_get(scope=scope, pk=reassignment.pk))

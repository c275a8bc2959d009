"""/api/v1/staff-reassignments/: reassignments of staff between schools (điều chuyển công tác;
teachers.services staff_reassignment_*), shaped as /api/v1/transfers/.

The receiving school asks (POST), both sides list their requests (GET), the sending school or its
province answers (release/, decline/), the receiving side may withdraw (cancel/). A request shows the
receiving side only what identifies the staff member (name, date of birth, current school): never the ID
number or the rest of the record."""
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from edu_portal.common.api.base import ReadOnlyUnlessWriteToken, check_query_params, request_scope
from edu_portal.common.api.moves import (
    LIST_LIMIT,
    MoveAnswerView,
    MoveDeclineSerializer,
    MovePersonSerializer,
    MoveSchoolSerializer,
    receiving_school_field,
    receiving_school_pk,
    request_pk,
)
from edu_portal.common.exceptions import AppError
from schools.api.lookups import school_for_write
from teachers.models import Position, ReassignmentStatus
from teachers.selectors import staff_reassignment_get, staff_reassignment_list
from teachers.services import (
    staff_reassignment_cancel,
    staff_reassignment_decline,
    staff_reassignment_release,
    staff_reassignment_request,
)


class ReassignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ReassignmentStatus.choices)
    staff = MovePersonSerializer()
    from_school = MoveSchoolSerializer()
    to_school = MoveSchoolSerializer()
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
    school = receiving_school_field()


def _answer(reassignment, *, code=status.HTTP_200_OK) -> Response:
    return Response(ReassignmentSerializer(reassignment).data, status=code)


class ReassignmentListView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Đề nghị điều chuyển công tác (của trường chuyển đi và trường tiếp nhận trong phạm vi)",
                   responses=ReassignmentListSerializer, operation_id="staff_reassignments_list")
    def get(self, request):
        check_query_params(request, {"status"})
        raw = request.query_params.get("status")
        if raw is not None and raw not in ReassignmentStatus.values:
            raise AppError(gettext("status: Tình trạng không hợp lệ."),
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
        school = school_for_write(scope, receiving_school_pk(scope, data.pop("school", None)))
        reassignment = staff_reassignment_request(scope=scope, user=request.user, to_school=school, **data)
        return _answer(staff_reassignment_get(scope=scope, pk=reassignment.pk), code=status.HTTP_201_CREATED)


class ReassignmentDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Một đề nghị điều chuyển công tác", responses=ReassignmentSerializer,
                   operation_id="staff_reassignments_retrieve")
    def get(self, request, pk: int):
        check_query_params(request, set())
        return _answer(staff_reassignment_get(scope=request_scope(request), pk=request_pk(pk)))


class _ReassignmentAnswerView(MoveAnswerView):
    def answer(self, *, scope, pk: int) -> Response:
        return _answer(staff_reassignment_get(scope=scope, pk=pk))


@extend_schema_view(post=extend_schema(
    summary="Trường chuyển đi (hoặc Sở của trường) đồng ý điều chuyển cán bộ (mã có quyền ghi)",
    request=None, responses=ReassignmentSerializer, operation_id="staff_reassignments_release"))
class ReassignmentReleaseView(_ReassignmentAnswerView):
    def act(self, *, scope, user, pk: int):
        return staff_reassignment_release(scope=scope, user=user, reassignment_id=pk)


@extend_schema_view(post=extend_schema(
    summary="Trường chuyển đi (hoặc Sở của trường) từ chối, có lý do (mã có quyền ghi)",
    request=MoveDeclineSerializer, responses=ReassignmentSerializer, operation_id="staff_reassignments_decline"))
class ReassignmentDeclineView(_ReassignmentAnswerView):
    body_serializer = MoveDeclineSerializer

    def act(self, *, scope, user, pk: int, reason: str):
        return staff_reassignment_decline(scope=scope, user=user, reassignment_id=pk, reason=reason)


@extend_schema_view(post=extend_schema(
    summary="Trường tiếp nhận (hoặc Sở của trường) huỷ đề nghị đang chờ (mã có quyền ghi)",
    request=None, responses=ReassignmentSerializer, operation_id="staff_reassignments_cancel"))
class ReassignmentCancelView(_ReassignmentAnswerView):
    def act(self, *, scope, user, pk: int):
        return staff_reassignment_cancel(scope=scope, user=user, reassignment_id=pk)

"""/api/v1/transfers/: transfer requests between schools (students.services transfer_*).

The receiving school asks (POST), both sides list their requests (GET), the sending school or its
province answers (release/, decline/), the receiving school (or its province) may withdraw its own
request (cancel/). A request shows the receiving side only what identifies the
pupil (name, date of birth, current school): never the ID number or the rest of the record."""
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
from students.models import TransferStatus
from students.selectors import transfer_get, transfer_list, transfer_overdue_since
from students.services import transfer_cancel, transfer_decline, transfer_release, transfer_request_create


class TransferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TransferStatus.choices)
    pupil = MovePersonSerializer(source="student")
    from_school = MoveSchoolSerializer()
    to_school = MoveSchoolSerializer()
    grade = serializers.IntegerField()
    class_name = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField(help_text="Chờ xử lý quá hạn (TRANSFER_ESCALATE_DAYS ngày)")
    escalated_at = serializers.DateTimeField(allow_null=True,
                                             help_text="Thời điểm đề nghị quá hạn được chuyển lên Sở của trường chuyển đi")

    def get_overdue(self, transfer) -> bool:
        return transfer.status == TransferStatus.PENDING and transfer.created_at < self.context["overdue_since"]


class TransferListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = TransferSerializer(many=True)


class TransferCreateSerializer(serializers.Serializer):
    pupil_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=12, required=False, allow_blank=True,
                                      help_text="Thay cho mã học sinh, chỉ với mã truy cập được xem số định danh")
    date_of_birth = serializers.DateField()
    grade = serializers.IntegerField(min_value=0, max_value=12, help_text="Khối lớp ở trường tiếp nhận")
    class_name = serializers.CharField(max_length=20)
    school = receiving_school_field()


def _answer(transfer, *, code=status.HTTP_200_OK) -> Response:
    context = {"overdue_since": transfer_overdue_since()}
    return Response(TransferSerializer(transfer, context=context).data, status=code)


class TransferListView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Đề nghị chuyển trường (của trường chuyển đi và trường tiếp nhận trong phạm vi)",
                   responses=TransferListSerializer, operation_id="transfers_list")
    def get(self, request):
        check_query_params(request, {"status"})
        raw = request.query_params.get("status")
        if raw is not None and raw not in TransferStatus.values:
            raise AppError(gettext("status: Tình trạng không hợp lệ."),
                           details={"status": [f"Một trong: {', '.join(TransferStatus.values)}."]})
        rows = list(transfer_list(scope=request_scope(request), status=raw)[:LIST_LIMIT])
        data = TransferSerializer(rows, many=True, context={"overdue_since": transfer_overdue_since()}).data
        return Response({"count": len(rows), "results": data})

    @extend_schema(summary="Trường tiếp nhận đề nghị chuyển một học sinh đến (mã có quyền ghi)",
                   request=TransferCreateSerializer, responses={201: TransferSerializer})
    def post(self, request):
        check_query_params(request, set())
        scope = request_scope(request)
        serializer = TransferCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        school = school_for_write(scope, receiving_school_pk(scope, data.pop("school", None)))
        transfer = transfer_request_create(scope=scope, user=request.user, to_school=school, **data)
        return _answer(transfer_get(scope=scope, pk=transfer.pk), code=status.HTTP_201_CREATED)


class TransferDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Một đề nghị chuyển trường", responses=TransferSerializer)
    def get(self, request, pk: int):
        check_query_params(request, set())
        return _answer(transfer_get(scope=request_scope(request), pk=request_pk(pk)))


class _TransferAnswerView(MoveAnswerView):
    def answer(self, *, scope, pk: int) -> Response:
        return _answer(transfer_get(scope=scope, pk=pk))


@extend_schema_view(post=extend_schema(
    summary="Trường chuyển đi (hoặc Sở của trường) đồng ý chuyển học sinh (mã có quyền ghi)",
    request=None, responses=TransferSerializer))
class TransferReleaseView(_TransferAnswerView):
    def act(self, *, scope, user, pk: int):
        return transfer_release(scope=scope, user=user, transfer_id=pk)


@extend_schema_view(post=extend_schema(
    summary="Trường chuyển đi (hoặc Sở của trường) từ chối, có lý do (mã có quyền ghi)",
    request=MoveDeclineSerializer, responses=TransferSerializer))
class TransferDeclineView(_TransferAnswerView):
    body_serializer = MoveDeclineSerializer

    def act(self, *, scope, user, pk: int, reason: str):
        return transfer_decline(scope=scope, user=user, transfer_id=pk, reason=reason)


@extend_schema_view(post=extend_schema(
    summary="Trường tiếp nhận (hoặc Sở của trường) huỷ đề nghị của mình (mã có quyền ghi)",
    request=None, responses=TransferSerializer))
class TransferCancelView(_TransferAnswerView):
    def act(self, *, scope, user, pk: int):
        return transfer_cancel(scope=scope, user=user, transfer_id=pk)

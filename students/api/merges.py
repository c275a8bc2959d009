"""GET /api/v1/students/merged/?updated_since=...: the key changes of merged duplicate pupils.

A merge (students.duplicates.student_merge) deletes one record: the deleted/ feed lists its id and
code with the reason "gộp vào <code>", and this feed says it in fields a client can follow: the old
code, the id it had, and the code (and id) of the record it now lives on."""
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets

from edu_portal.common.api.base import (
    PAGING_PARAMS,
    UPDATED_SINCE,
    check_query_params,
    parse_updated_since,
    request_scope,
)
from edu_portal.common.api.pagination import KeysetPagination

from ..duplicates import merges_since
from ..models import DuplicateCandidate


class MergeSerializer(serializers.Serializer):
    old_code = serializers.CharField(source="removed_code", help_text="mã học sinh của hồ sơ đã bị gộp (đã xoá)")
    new_code = serializers.CharField(source="kept_code", help_text="mã học sinh của hồ sơ được giữ lại")
    new_id = serializers.SerializerMethodField(help_text="id của hồ sơ được giữ lại")
    merged_at = serializers.DateTimeField(source="decided_at")

    def get_new_id(self, row) -> int | None:
        return row.pupil_a_id or row.pupil_b_id


class MergedFeed(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = KeysetPagination
    serializer_class = MergeSerializer
    queryset = DuplicateCandidate.objects.none()

    @extend_schema(summary="Hồ sơ học sinh trùng đã gộp: mã cũ -> mã mới (đồng bộ tăng dần)",
                   parameters=[UPDATED_SINCE])
    def list(self, request, *args, **kwargs):
        check_query_params(request, PAGING_PARAMS)
        scope = request_scope(request)
        since = parse_updated_since(request.query_params.get("updated_since"))
        rows = self.paginator.paginate_queryset(merges_since(scope=scope, since=since), request, view=self,
                                                order=("decided_at", "id"))
        return self.paginator.get_paginated_response(self.get_serializer(rows, many=True).data)

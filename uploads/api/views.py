"""/api/v1/bulk/: bulk upsert of pupils and staff by a client system (issue 20). Thin doors onto
uploads/services/bulk.py: the request is checked and answered at once with a job; a worker runs it."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from edu_portal.common.api.base import ReadOnlyUnlessWriteToken, check_query_params
from edu_portal.common.api.pagination import KeysetPagination
from edu_portal.common.api.profiles import refuse_unwritable, request_rule
from edu_portal.common.exceptions import AppError, NotInScope

from ..models import BulkJob, BulkMode, BulkOutcome
from ..services.bulk import MAX_BYTES, MAX_KEY_LENGTH, MAX_ROWS, RECORDS, bulk_fields, bulk_job_create
from ..services.bulk_input import CONTENT_TYPES, CSV, csv_header, decode, field_names

JOB_ANSWER = inline_serializer("BulkJobQueued", {
    "job": serializers.IntegerField(), "status": serializers.CharField(),
    "url": serializers.URLField(help_text="Địa chỉ của việc: GET để xem trạng thái")})
COUNTS = inline_serializer("BulkCounts", {name: serializers.IntegerField() for name in BulkOutcome.values})
JOB = inline_serializer("BulkJob", {
    "job": serializers.IntegerField(), "records": serializers.ChoiceField(choices=sorted(RECORDS)),
    "mode": serializers.ChoiceField(choices=BulkMode.values),
    "status": serializers.ChoiceField(choices=["queued", "running", "done", "failed"]),
    "counts": COUNTS, "created_at": serializers.DateTimeField(),
    "finished_at": serializers.DateTimeField(allow_null=True), "results_url": serializers.URLField(),
    "error": serializers.CharField(help_text="Lý do thất bại; trống nếu không")})
RESULT = inline_serializer("BulkRecordResult", {
    "line": serializers.IntegerField(help_text="Số dòng trong thân yêu cầu (CSV: dòng tiêu đề là dòng 1)"),
    "key": serializers.DictField(help_text="Khoá tự nhiên: school_code và pupil_code / staff_code"),
    "outcome": serializers.ChoiceField(choices=BulkOutcome.values),
    "id": serializers.IntegerField(allow_null=True, help_text="id của bản ghi; null nếu bị từ chối"),
    "errors": serializers.DictField(help_text='{"<trường>": ["lý do"]}; không bao giờ nhắc lại số định danh')})
RECORDS_PARAM = OpenApiParameter("records", str, OpenApiParameter.PATH, enum=sorted(RECORDS),
                                 description="Loại bản ghi: students (học sinh) hoặc staff (cán bộ)")
MODE = OpenApiParameter("mode", str, enum=BulkMode.values, required=False,
                        description="atomic (mặc định): một bản ghi bị từ chối thì không ghi gì; per_record: ghi "
                                    "các bản ghi hợp lệ, báo các bản ghi bị từ chối")
KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                       description=f"Tối đa {MAX_KEY_LENGTH} ký tự. Gửi lại cùng khoá và cùng thân: nhận lại việc "
                                   "đã tạo (200); cùng khoá, thân khác: 409 idempotency_key_reused")
CURSOR = OpenApiParameter("cursor", str, required=False, description="Giá trị lấy từ 'next' của trang trước (không tự tạo).")
PAGE_SIZE = OpenApiParameter("page_size", int, required=False, description="Số bản ghi mỗi trang (1-1000).")
OUTCOME = OpenApiParameter("outcome", str, enum=BulkOutcome.values, required=False,
                           description="Chỉ các bản ghi có kết quả này")


def _job_url(request, job: BulkJob) -> str:
    return request.build_absolute_uri(f"/api/v1/bulk/jobs/{job.pk}/")


def _visible_job(request, pk: int) -> BulkJob:
    """The job, to the token that sent it (or its owner in a browser session); anyone else: 404."""
    token = getattr(request, "auth", None)
    job = BulkJob.objects.defer("body").filter(pk=pk).first() if pk < 2**63 else None
    if job is None:
        raise NotInScope()
    # Each token is a client system: another token, even the same owner's, is told nothing. The owner, logged in
    # with a browser session (no token), sees the jobs of its tokens.
    mine = job.token_id == token.pk if token is not None and hasattr(token, "pk") else job.user_id == request.user.pk
    if not mine:
        raise NotInScope()
    return job


class BulkUpsertView(APIView):
    """POST /api/v1/bulk/<records>/: NDJSON or CSV records, answered at once with a job (202)."""

    permission_classes = [permissions.IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(
        summary="Ghi hàng loạt học sinh hoặc cán bộ (NDJSON hoặc CSV), chạy nền",
        description="Mỗi dòng NDJSON là một đối tượng JSON (cùng tên trường như khi thêm/sửa một bản ghi, thêm "
                    "school_code); CSV: dòng tiêu đề là tên các trường. Khớp theo khoá tự nhiên (school_code + "
                    "pupil_code / staff_code): thêm mới, cập nhật hoặc không đổi, cùng quy tắc như tải tệp lên. "
                    f"Tối đa {MAX_BYTES // (1024 * 1024)} MB và {MAX_ROWS} bản ghi.",
        parameters=[RECORDS_PARAM, MODE, KEY],
        request={"application/x-ndjson": OpenApiTypes.STR, "text/csv": OpenApiTypes.STR},
        responses={202: JOB_ANSWER, 200: OpenApiResponse(JOB_ANSWER, description="Gửi lại cùng Idempotency-Key"),
                   413: OpenApiResponse(description="Vượt giới hạn dung lượng hoặc số bản ghi")})
    def post(self, request, records: str):
        check_query_params(request, {"mode"})
        if records not in RECORDS:
            raise NotInScope("Không có loại bản ghi này; dùng students hoặc staff.")
        mode = request.query_params.get("mode", BulkMode.ATOMIC)
        if mode not in BulkMode.values:
            raise AppError("mode: Phải là atomic hoặc per_record.", details={"mode": ["Phải là atomic hoặc per_record."]})
        key = request.headers.get("Idempotency-Key", "")
        if len(key) > MAX_KEY_LENGTH or (key and not key.isprintable()):
            raise AppError(f"Idempotency-Key: tối đa {MAX_KEY_LENGTH} ký tự in được.", code="invalid",
                           details={"Idempotency-Key": [f"Tối đa {MAX_KEY_LENGTH} ký tự in được."]})
        kind = CONTENT_TYPES.get((request.content_type or "").split(";")[0].strip().lower())
        if kind is None:
            raise AppError("Content-Type phải là application/x-ndjson hoặc text/csv.", code="unsupported_media_type",
                           details={"content_type": sorted(CONTENT_TYPES)})
        body = self._body(request)
        fields = bulk_fields(records)
        text = decode(body)
        # Over the row limit: refused here by its line count, an upper bound, before any job is made.
        if text.count("\n") > MAX_ROWS + 1:
            raise AppError(f"Yêu cầu có hơn {MAX_ROWS} bản ghi, vượt giới hạn.", code="too_many_records",
                           status_code=413)
        if kind == CSV:
            csv_header(text, fields)  # a header that is not the API's field names refuses the whole body
        rule = request_rule(request, records)
        if rule is not None and rule.write is not None:
            # The profile's writable fields; the natural key names the record and is always allowed.
            _upload, code_field, _table = RECORDS[records]
            named = field_names(text, kind, fields) - {"school_code", "school", code_field}
            refuse_unwritable(dict.fromkeys(named), rule)
        token = getattr(request, "auth", None)
        job, created = bulk_job_create(user=request.user, token_id=getattr(token, "pk", None), records=records,
                                       mode=mode, content_kind=kind, body=body, idempotency_key=key)
        return Response({"job": job.pk, "status": job.status, "url": _job_url(request, job)},
                        status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)

    @staticmethod
    def _body(request) -> bytes:
        """The raw body, at most the upload limit (read from the stream: Django's in-memory cap does not apply)."""
        try:
            length = int(request.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        too_big = AppError(f"Thân yêu cầu vượt giới hạn {MAX_BYTES // (1024 * 1024)} MB; hãy chia nhỏ.",
                           code="too_big", status_code=413)
        if length > MAX_BYTES:
            raise too_big
        stream = request.stream
        body = stream.read(MAX_BYTES + 1) if stream is not None else b""
        if len(body) > MAX_BYTES:
            raise too_big
        if not body.strip():
            raise AppError("Thân yêu cầu trống.", code="empty_body")
        return body


class BulkJobView(APIView):
    """GET /api/v1/bulk/jobs/<id>/: a job's status and counts."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="Trạng thái và số đếm của một việc ghi hàng loạt", responses=JOB)
    def get(self, request, pk: int):
        check_query_params(request, set())
        job = _visible_job(request, pk)
        return Response({
            "job": job.pk, "records": job.records, "mode": job.mode, "status": job.status,
            "counts": {"created": job.created_count, "updated": job.updated_count,
                       "unchanged": job.unchanged_count, "rejected": job.rejected_count},
            "created_at": job.created_at, "finished_at": job.finished_at,
            "results_url": request.build_absolute_uri(f"/api/v1/bulk/jobs/{job.pk}/results/"), "error": job.error})


class BulkResultsView(APIView):
    """GET /api/v1/bulk/jobs/<id>/results/?outcome=: one row per record, by line, in keyset pages."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = KeysetPagination

    @extend_schema(summary="Kết quả từng bản ghi của một việc ghi hàng loạt",
                   parameters=[OUTCOME, CURSOR, PAGE_SIZE],
                   responses=inline_serializer("BulkResultPage", {
                       "next": serializers.URLField(allow_null=True), "results": RESULT.__class__(many=True)}))
    def get(self, request, pk: int):
        check_query_params(request, {"outcome", "cursor", "page_size"})
        job = _visible_job(request, pk)
        rows = job.results.all()
        outcome = request.query_params.get("outcome")
        if outcome is not None:
            if outcome not in BulkOutcome.values:
                raise AppError("outcome: Phải là created, updated, unchanged hoặc rejected.",
                               details={"outcome": [", ".join(BulkOutcome.values)]})
            rows = rows.filter(outcome=outcome)
        paginator = KeysetPagination()
        page = paginator.paginate_queryset(rows.values("line", "key", "outcome", "record_id", "errors"), request,
                                           view=self, order=("line",))
        return paginator.get_paginated_response([
            {"line": r["line"], "key": r["key"], "outcome": r["outcome"], "id": r["record_id"], "errors": r["errors"]}
            for r in page])

"""The year-end through the API (students.yearend), for school software and provincial systems:

    GET  /api/v1/year-end/?school=<id>&school_year=<Y>   proposals of the pupils not decided yet
    POST /api/v1/year-end/commit/     {"school": id, "school_year": Y}   (mã có quyền ghi)
    POST /api/v1/year-end/<id>/undo/  while the new year is unused        (mã có quyền ghi)
    GET  /api/v1/year-end/rollover/   the turns of the school year done (any token)
    POST /api/v1/year-end/rollover/   {"school_year": Y}: turn Y into Y+1 for the country (mã toàn quốc có quyền ghi)

Pupils are named by their code, never by their ID number."""
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scope import COUNTRY
from edu_portal.common.api.base import ReadOnlyUnlessWriteToken, check_query_params, request_scope
from edu_portal.common.exceptions import AppError, NotInScope
from edu_portal.common.models import current_school_year
from edu_portal.common.queue import enqueue_on_commit
from schools.api.lookups import school_for_write
from schools.models import School
from students import yearend
from students.models import Student, YearEndOutcome, YearRollover


class ProposalSerializer(serializers.Serializer):
    pupil_code = serializers.CharField()
    grade = serializers.IntegerField()
    class_name = serializers.CharField()
    outcome = serializers.ChoiceField(choices=YearEndOutcome.choices)


class CommitSerializer(serializers.Serializer):
    school = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    school_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False,
                                           help_text="Năm bắt đầu của năm học được xét (mặc định năm hiện tại)")


def _year(value) -> int:
    try:
        return int(value) if value not in (None, "") else current_school_year()
    except ValueError:
        raise AppError(gettext("school_year: phải là một năm (vd. 2025)."), details={"school_year": ["Không hợp lệ."]}) from None


class YearEndProposalsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Đề xuất xét lên lớp của một trường (học sinh chưa được ghi kết quả)",
                   parameters=[OpenApiParameter("school", int, required=True), OpenApiParameter("school_year", int)],
                   responses=ProposalSerializer(many=True), operation_id="year_end_proposals")
    def get(self, request):
        check_query_params(request, {"school", "school_year"})
        scope = request_scope(request)
        try:
            school_pk = int(request.query_params.get("school", ""))
        except ValueError:
            raise AppError(gettext("school: bắt buộc, là id của trường."), details={"school": ["Bắt buộc."]}) from None
        # A school outside the token's scope does not exist for it (as any object of another scope).
        school = scope.filter(School.objects.all(), "").filter(pk=school_pk).first()
        if school is None:
            raise NotInScope()
        proposals = yearend.year_end_proposals(school_ids=[school.pk], year=_year(request.query_params.get("school_year")))
        codes = dict(Student.objects.filter(pk__in=[p.student_id for p in proposals]).values_list("pk", "pupil_code"))
        return Response([{"pupil_code": codes[p.student_id], "grade": p.grade, "class_name": p.class_name,
                          "outcome": p.outcome} for p in proposals])


class YearEndCommitView(APIView):
    permission_classes = [IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Ghi kết quả xét lên lớp của một trường (tạo lớp dự kiến năm học mới)",
                   request=CommitSerializer, responses={200: dict}, operation_id="year_end_commit")
    def post(self, request):
        check_query_params(request, set())
        serializer = CommitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scope = request_scope(request)
        school = school_for_write(scope, serializer.validated_data["school"])
        year = serializer.validated_data.get("school_year") or current_school_year()
        counts = yearend.year_end_commit(scope=scope, user=None, school_ids=[school.pk], year=year)
        commit = yearend.latest_commits(school=school, year=year).first() if counts else None
        return Response({"year_end": commit.pk if commit else None, "decided": dict(counts)})


class YearEndUndoView(APIView):
    permission_classes = [IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Hoàn tác một lần ghi kết quả xét lên lớp (khi năm học mới chưa được sử dụng)",
                   request=None, responses={200: dict}, operation_id="year_end_undo")
    def post(self, request, pk: int):
        check_query_params(request, set())
        done = yearend.year_end_undo(scope=request_scope(request), user=None, year_end_id=pk)
        return Response({"year_end": done.pk, "undone_at": done.undone_at})


class RolloverSerializer(serializers.Serializer):
    school_year = serializers.IntegerField(min_value=2000, max_value=2100,
                                           help_text="Năm bắt đầu của năm học kết thúc (mặc định năm học vừa qua)",
                                           required=False)


class RolloverDoneSerializer(serializers.Serializer):
    school_year = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())


class YearRolloverView(APIView):
    permission_classes = [IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Các lần chuyển năm học đã làm", responses={200: RolloverDoneSerializer(many=True)},
                   operation_id="year_rollover_list")
    def get(self, request):
        check_query_params(request, set())
        return Response([{"school_year": r.school_year, "started_at": r.started_at, "finished_at": r.finished_at,
                          "counts": r.counts} for r in YearRollover.objects.order_by("-school_year")[:20]])

    @extend_schema(summary="Chuyển năm học cho cả nước (chạy nền; như tác vụ tự động sau ngày 1/8)",
                   request=RolloverSerializer, responses={202: dict}, operation_id="year_rollover_start")
    def post(self, request):
        check_query_params(request, set())
        serializer = RolloverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if request_scope(request).kind != COUNTRY:
            raise AppError(gettext("Chỉ mã truy cập toàn quốc được chuyển năm học cho cả nước."), code="forbidden",
                           status_code=403)
        year = serializer.validated_data.get("school_year") or current_school_year() - 1
        if year >= current_school_year():
            raise AppError(gettext("school_year: năm học này chưa kết thúc."), details={"school_year": ["Chưa kết thúc."]},
                           code="year_not_over", status_code=409)
        enqueue_on_commit("students.year_rollover", year, None)
        return Response({"school_year": year, "queued": True}, status=202)

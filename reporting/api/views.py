"""/api/v1/reporting/: reporting periods, the submissions a token sees, the actions of each level, completeness
and timeliness, and official figures beside live ones (issue 19). Actions need a read-write token; what a token
may do follows its scope (reporting.services: a school submits, a province decides, the country opens periods
and accepts provinces).

    GET  periods/                              every period
    POST periods/                              {"school_year", "kind", "opens_on", "closes_on", "expires_on", "domains"}
    GET  periods/<id>/submissions/?status=     the scope's submissions
    POST periods/<id>/submit/                  {"school": id}
    POST periods/<id>/approve/                 {"schools": [ids], "comment": ""}   all or none
    POST periods/<id>/return/                  {"schools": [ids], "comment": "..."}
    POST periods/<id>/reopen/                  {"school": id, "reason": "..."}
    POST periods/<id>/exceptions/              {"school": id, "hours": n, "reason": "..."}
    POST periods/<id>/accept/                  {"province": "01"}
    POST periods/<id>/freeze/                  {"comment": ""}   the ministry: approve every waiting report and
                                               accept every province, all or none
    GET  periods/<id>/completeness/            reporting and on-time rates by area below the scope
    GET  periods/<id>/figures/?metrics=a,b     official figures beside live ones, by area below the scope
    GET  periods/<id>/not-submitted/           the scope's open schools that have not submitted (or were returned)
    GET  periods/<id>/checks/?school=&status=  validation results of the scope's schools (the data-quality report)
    POST periods/<id>/checks/run/              {"school": id}  run the period's rules on one school now
    POST periods/<id>/checks/<check>/explain/  {"note": "..."}  explain a warning (a blocking rule is corrected)
"""
from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards.metrics import METRIC_NAMES
from edu_portal.common.api.base import ReadOnlyUnlessWriteToken, check_query_params, request_scope
from edu_portal.common.exceptions import AppError
from reporting import checks, selectors, services
from reporting.models import CheckStatus, Domain, PeriodKind, ReportingPeriod, SubmissionStatus
from reporting.rules import BY_CODE, describe

_ID = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _period(pk: int) -> ReportingPeriod:
    period = ReportingPeriod.objects.filter(pk=pk).first()
    if period is None:
        raise AppError(gettext("Không có kỳ báo cáo này."), code="not_found", status_code=404)
    return period


def _status_param(request, allowed: list[str]) -> str | None:
    status = request.query_params.get("status") or None
    if status and status not in allowed:
        raise AppError(gettext("status: một trong %(join)s.") % {"join": ', '.join(allowed)}, details={"status": ["Không hợp lệ."]})
    return status


def _user(request):
    return request.user if getattr(request.user, "is_authenticated", False) else None


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ["id", "school_year", "kind", "domains", "opens_on", "closes_on", "expires_on"]


class PeriodCreateSerializer(serializers.Serializer):
    school_year = serializers.IntegerField(min_value=2000, max_value=2100)
    kind = serializers.ChoiceField(choices=PeriodKind.choices)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    expires_on = serializers.DateField()
    domains = serializers.ListField(child=serializers.ChoiceField(choices=Domain.choices), required=False)


class PeriodListView(APIView):
    permission_classes = [IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Các kỳ báo cáo", responses=PeriodSerializer(many=True), operation_id="reporting_periods")
    def get(self, request):
        check_query_params(request, set())
        return Response(PeriodSerializer(selectors.period_list(), many=True).data)

    @extend_schema(summary="Mở kỳ báo cáo (mã toàn quốc có quyền ghi)", request=PeriodCreateSerializer,
                   responses={201: PeriodSerializer}, operation_id="reporting_period_create")
    def post(self, request):
        check_query_params(request, set())
        period = services.period_create(scope=request_scope(request), **_valid(PeriodCreateSerializer, request))
        return Response(PeriodSerializer(period).data, status=201)


class SubmissionSerializer(serializers.Serializer):
    school = serializers.IntegerField(source="school_id")
    school_code = serializers.CharField(source="school.code")
    status = serializers.CharField()
    first_submitted_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField()
    comment = serializers.CharField()
    changed_after_approval = serializers.IntegerField()


class SubmissionListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Báo cáo của các trường trong phạm vi", responses=SubmissionSerializer(many=True),
                   operation_id="reporting_submissions")
    def get(self, request, pk: int):
        check_query_params(request, {"status"})
        status = _status_param(request, SubmissionStatus.values)
        rows = selectors.submission_list(scope=request_scope(request), period=_period(pk), status=status)
        return Response(SubmissionSerializer(rows[:5000], many=True).data)


class SchoolSerializer(serializers.Serializer):
    school = _ID


class SchoolsSerializer(serializers.Serializer):
    schools = serializers.ListField(child=_ID, min_length=1, max_length=10000)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    school = _ID
    reason = serializers.CharField()


class ExceptionSerializer(ReasonSerializer):
    hours = serializers.IntegerField(min_value=1, max_value=24 * 14)


class ProvinceSerializer(serializers.Serializer):
    province = serializers.CharField(max_length=2)


class _Action(APIView):
    permission_classes = [IsAuthenticated, ReadOnlyUnlessWriteToken]

    def post(self, request, pk: int):
        check_query_params(request, set())
        _period(pk)
        return Response(self.act(request, pk, request_scope(request), _user(request)))


@extend_schema_view(post=extend_schema(summary="Trường nộp báo cáo của kỳ", request=SchoolSerializer, responses={200: dict},
                   operation_id="reporting_submit"))
class SubmitView(_Action):
    def act(self, request, pk, scope, user):
        data = _valid(SchoolSerializer, request)
        submission = services.submission_submit(scope=scope, user=user, period_id=pk, school_id=data["school"])
        return {"school": submission.school_id, "status": submission.status}


@extend_schema_view(post=extend_schema(summary="Sở duyệt báo cáo của nhiều trường một lần (tất cả hoặc không)", request=SchoolsSerializer,
                   responses={200: dict}, operation_id="reporting_approve"))
class ApproveView(_Action):
    def act(self, request, pk, scope, user):
        data = _valid(SchoolsSerializer, request)
        n = services.submissions_approve(scope=scope, user=user, period_id=pk, school_ids=data["schools"],
                                         comment=data["comment"])
        return {"approved": n}


@extend_schema_view(post=extend_schema(summary="Sở trả lại báo cáo kèm ý kiến", request=SchoolsSerializer, responses={200: dict},
                   operation_id="reporting_return"))
class ReturnView(_Action):
    def act(self, request, pk, scope, user):
        data = _valid(SchoolsSerializer, request)
        n = services.submissions_return(scope=scope, user=user, period_id=pk, school_ids=data["schools"],
                                        comment=data["comment"])
        return {"returned": n}


@extend_schema_view(post=extend_schema(summary="Mở lại báo cáo đã duyệt, có lý do", request=ReasonSerializer, responses={200: dict},
                   operation_id="reporting_reopen"))
class ReopenView(_Action):
    def act(self, request, pk, scope, user):
        data = _valid(ReasonSerializer, request)
        submission = services.submission_reopen(scope=scope, user=user, period_id=pk, school_id=data["school"],
                                                reason=data["reason"])
        return {"school": submission.school_id, "status": submission.status}


@extend_schema_view(post=extend_schema(summary="Sở cho phép trường sửa dữ liệu đã duyệt trong một thời hạn", request=ExceptionSerializer,
                   responses={200: dict}, operation_id="reporting_exception"))
class ExceptionView(_Action):
    def act(self, request, pk, scope, user):
        data = _valid(ExceptionSerializer, request)
        submission = services.exception_grant(scope=scope, user=user, period_id=pk, school_id=data["school"],
                                              hours=data["hours"], reason=data["reason"])
        return {"school": submission.school_id, "exception_until": submission.locks.values_list(
            "exception_until", flat=True).first()}


@extend_schema_view(post=extend_schema(summary="Bộ tiếp nhận số liệu đã duyệt của một tỉnh", request=ProvinceSerializer,
                   responses={200: dict}, operation_id="reporting_accept"))
class AcceptView(_Action):
    def act(self, request, pk, scope, user):
        data = _valid(ProvinceSerializer, request)
        acceptance = services.province_accept(scope=scope, user=user, period_id=pk, province_code=data["province"])
        return {"province": acceptance.province_id, "accepted_at": acceptance.accepted_at}


class FreezeSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(post=extend_schema(summary="Bộ chốt số liệu toàn quốc: duyệt mọi báo cáo đang chờ và tiếp nhận mọi tỉnh (tất cả hoặc"
                           " không)", request=FreezeSerializer, responses={200: dict}, operation_id="reporting_freeze"))
class FreezeView(_Action):
    def act(self, request, pk, scope, user):
        data = _valid(FreezeSerializer, request)
        return services.period_freeze_national(scope=scope, user=user, period_id=pk, comment=data["comment"])


class CompletenessView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Tỷ lệ nộp và nộp đúng hạn theo địa bàn", responses={200: dict},
                   operation_id="reporting_completeness")
    def get(self, request, pk: int):
        check_query_params(request, set())
        period = _period(pk)
        rows = selectors.completeness(scope=request_scope(request), period=period)
        for row in rows:
            row["reporting_rate"] = round(row["submitted"] / row["schools"], 4) if row["schools"] else None
            row["on_time_rate"] = round(row["on_time"] / row["schools"], 4) if row["schools"] else None
        return Response({"period": period.pk, "deadline": period.closes_on, "areas": rows})


class FiguresView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Số liệu chính thức (đã duyệt) bên cạnh số liệu hiện thời", responses={200: dict},
                   operation_id="reporting_figures")
    def get(self, request, pk: int):
        check_query_params(request, {"metrics"})
        period = _period(pk)
        wanted = [m for m in (request.query_params.get("metrics") or "pupils,staff").split(",") if m]
        bad = [m for m in wanted if m not in METRIC_NAMES]
        if bad:
            raise AppError(gettext("metrics: không có chỉ tiêu %(join)s.") % {"join": ', '.join(bad)}, details={"metrics": bad})
        rows = selectors.official_beside_live(scope=request_scope(request), period=period, metrics=wanted)
        return Response({"period": period.pk, "school_year": period.school_year, "metrics": wanted, "areas": rows})


class NotSubmittedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Các trường chưa nộp báo cáo (hoặc bị trả lại)", responses={200: dict},
                   operation_id="reporting_not_submitted")
    def get(self, request, pk: int):
        check_query_params(request, set())
        period = _period(pk)
        rows = selectors.not_submitted(scope=request_scope(request), period=period, limit=5000)
        return Response({"period": period.pk, "deadline": period.closes_on, "schools": rows})


class CheckSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    school = serializers.IntegerField(source="school_id")
    school_code = serializers.CharField(source="school.code")
    rule = serializers.CharField()
    title = serializers.SerializerMethodField()
    blocking = serializers.BooleanField()
    status = serializers.CharField()
    failing = serializers.IntegerField()
    items = serializers.SerializerMethodField()
    note = serializers.CharField()
    checked_at = serializers.DateTimeField()

    def get_title(self, check) -> str:
        rule = BY_CODE.get(check.rule)
        return str(rule.title) if rule else check.rule

    def get_items(self, check) -> list[dict]:
        # The data of each failing item, and the sentence in the reader's language.
        return [{**item, "text": describe(check.rule, item["item"], item["value"], item["limit"])}
                for item in check.items]


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField()


class ChecksView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Kết quả kiểm tra dữ liệu của các trường trong phạm vi", responses=CheckSerializer(many=True),
                   operation_id="reporting_checks")
    def get(self, request, pk: int):
        check_query_params(request, {"school", "status"})
        status = _status_param(request, CheckStatus.values)
        school = request.query_params.get("school") or None
        if school is not None and not school.isdigit():
            raise AppError(gettext("school: mã số (id) của trường."), details={"school": ["Không hợp lệ."]})
        rows = selectors.check_list(scope=request_scope(request), period=_period(pk),
                                    school_id=int(school) if school else None, status=status)
        return Response(CheckSerializer(rows[:5000], many=True).data)


class ChecksRunView(APIView):
    permission_classes = [IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Chạy các quy tắc kiểm tra của kỳ cho một trường", request=SchoolSerializer,
                   responses=CheckSerializer(many=True), operation_id="reporting_checks_run")
    def post(self, request, pk: int):
        check_query_params(request, set())
        period = _period(pk)
        data = _valid(SchoolSerializer, request)
        found = checks.checks_run_in_scope(scope=request_scope(request), period=period, school_id=data["school"])
        return Response(CheckSerializer(found, many=True).data)


class ExplainView(APIView):
    permission_classes = [IsAuthenticated, ReadOnlyUnlessWriteToken]

    @extend_schema(summary="Giải trình một cảnh báo kiểm tra dữ liệu", request=NoteSerializer,
                   responses=CheckSerializer, operation_id="reporting_check_explain")
    def post(self, request, pk: int, check: int):
        check_query_params(request, set())
        data = _valid(NoteSerializer, request)
        if not selectors.check_list(scope=request_scope(request), period=_period(pk)).filter(pk=check).exists():
            raise AppError(gettext("Không có kết quả kiểm tra này trong kỳ và phạm vi."), code="not_found", status_code=404)
        found = checks.check_explain(scope=request_scope(request), user=_user(request), check_id=check,
                                     note=data["note"])
        return Response(CheckSerializer(found).data)

"""Results and measurements written by API clients (mã có quyền ghi): the same doors as the pupil's
page and the class sheet (students.class_sheet), so the same input gets the same answer.

    POST /api/v1/students/<id>/results/   one pupil's term result
    POST /api/v1/students/<id>/physical/  one pupil's measurement
    POST /api/v1/class-results/           a class's term results, all or nothing

Bad input answers 400 `{"error": {...}}`; a refused class names each pupil's problems in
`details` by pupil code, cell by cell ("subject_scores.<môn>"). `updated_at` (optional) is the
stale check: the time of the stored record the client last read ("" = none on file); a result
saved since then is refused (409), not overwritten."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from edu_portal.common.api.base import ReadOnlyUnlessWriteToken, check_query_params, request_scope
from edu_portal.common.models import current_school_year
from schools.api.lookups import school_for_write
from students.class_sheet import ResultRow, class_results_record, physical_record_save, student_result_record
from students.models import Term
from students.selectors import student_get

from .serializers import AcademicResultSerializer, PhysicalRecordSerializer

SCORES_HELP = ("Điểm/mức đánh giá từng môn theo tên môn (GET /api/v1/subjects/): lớp 6-12 điểm 0-10 hoặc "
               "\"Đạt\"/\"Chưa đạt\"; lớp 1-5 \"Hoàn thành tốt\"/\"Hoàn thành\"/\"Chưa hoàn thành\" hoặc "
               "{\"rating\": ..., \"test\": 9} cho môn có bài kiểm tra định kì. Mỗi giá trị cũng có thể ghi như một "
               "ô của tệp tải lên (\"8,5\", \"HTT, 9\").")
UPDATED_AT_HELP = ("Thời điểm cập nhật của bản ghi mà client đã đọc (\"\" nếu chưa có); nếu bản ghi đã được sửa "
                   "sau thời điểm này thì bị từ chối (409). Bỏ trống trường này: ghi đè.")


class ResultWriteSerializer(serializers.Serializer):
    school_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False,
                                           help_text="Năm bắt đầu của năm học (2025 = 2025-2026); mặc định năm hiện tại")
    term = serializers.ChoiceField(choices=Term.choices)
    conduct_rating = serializers.CharField(max_length=20, help_text="Kết quả rèn luyện (mã hoặc tên mức)")
    learning_rating = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                            help_text="Để trống: tính từ điểm các môn; nếu ghi, phải khớp")
    subject_scores = serializers.DictField(child=serializers.JSONField(), required=False, default=dict,
                                           help_text=SCORES_HELP)
    updated_at = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None,
                                       help_text=UPDATED_AT_HELP)


class ClassRowSerializer(serializers.Serializer):
    pupil_code = serializers.CharField(max_length=20)
    conduct_rating = serializers.CharField(max_length=20)
    learning_rating = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    subject_scores = serializers.DictField(child=serializers.JSONField(), required=False, default=dict,
                                           help_text=SCORES_HELP)
    updated_at = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None,
                                       help_text=UPDATED_AT_HELP)


class ClassResultsSerializer(serializers.Serializer):
    school = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    grade = serializers.IntegerField(min_value=1, max_value=12)
    class_name = serializers.CharField(max_length=20)
    term = serializers.ChoiceField(choices=Term.choices)
    rows = ClassRowSerializer(many=True, max_length=200)


class ClassResultsAnswerSerializer(serializers.Serializer):
    saved = serializers.IntegerField(help_text="Số kết quả mới hoặc được sửa (kết quả không đổi không được ghi lại)")
    results = AcademicResultSerializer(many=True)


def _row(data: dict, pupil_code: str) -> ResultRow:
    return ResultRow(pupil_code=pupil_code, conduct_rating=data["conduct_rating"],
                     learning_rating=data.get("learning_rating") or "", subject_scores=data.get("subject_scores") or {},
                     seen=data.get("updated_at"))


class WriteView(APIView):
    permission_classes = [IsAuthenticated, ReadOnlyUnlessWriteToken]

    def _valid(self, request, serializer_class):
        check_query_params(request, set())
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return request_scope(request), serializer.validated_data


class StudentResultView(WriteView):
    @extend_schema(summary="Ghi / sửa kết quả học tập một học kỳ của học sinh (mã có quyền ghi)",
                   request=ResultWriteSerializer, responses=AcademicResultSerializer, operation_id="student_result_record")
    def post(self, request, pk: int):
        scope, data = self._valid(request, ResultWriteSerializer)
        student = student_get(scope=scope, pk=pk)
        result = student_result_record(scope=scope, student=student,
                                       school_year=data.get("school_year") or current_school_year(),
                                       term=int(data["term"]), row=_row(data, student.pupil_code))
        return Response(AcademicResultSerializer(result).data)


class PhysicalWriteSerializer(serializers.Serializer):
    measured_on = serializers.DateField()
    height_cm = serializers.CharField(max_length=10, help_text="40 đến 230 (cm), một chữ số thập phân")
    weight_kg = serializers.CharField(max_length=10, help_text="2 đến 200 (kg), một chữ số thập phân")
    updated_at = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None,
                                       help_text=UPDATED_AT_HELP)


class StudentPhysicalView(WriteView):
    @extend_schema(summary="Ghi / sửa số đo chiều cao, cân nặng (BMI và tình trạng dinh dưỡng được tính)",
                   request=PhysicalWriteSerializer, responses=PhysicalRecordSerializer,
                   operation_id="student_physical_record")
    def post(self, request, pk: int):
        scope, data = self._valid(request, PhysicalWriteSerializer)
        student = student_get(scope=scope, pk=pk)
        record = physical_record_save(scope=scope, student=student, measured_on=data["measured_on"],
                                      height_cm=data["height_cm"], weight_kg=data["weight_kg"],
                                      seen=data.get("updated_at"))
        return Response(PhysicalRecordSerializer(record).data)


class ClassResultsView(WriteView):
    @extend_schema(summary="Sổ điểm lớp: kết quả một học kỳ của cả lớp, năm học hiện tại (tất cả hoặc không)",
                   description="Mỗi dòng một học sinh của lớp (mã học sinh). Nếu một dòng không hợp lệ thì không "
                               "dòng nào được ghi; `error.details` liệt kê lỗi theo mã học sinh.",
                   request=ClassResultsSerializer, responses={status.HTTP_200_OK: ClassResultsAnswerSerializer},
                   operation_id="class_results_record")
    def post(self, request):
        scope, data = self._valid(request, ClassResultsSerializer)
        school = school_for_write(scope, data["school"])
        written = class_results_record(scope=scope, school=school, grade=data["grade"], class_name=data["class_name"],
                                       school_year=current_school_year(), term=int(data["term"]),
                                       rows=[_row(r, r["pupil_code"]) for r in data["rows"]])
        return Response({"saved": len(written), "results": AcademicResultSerializer(written, many=True).data})

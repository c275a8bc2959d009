"""Pupils in the API. ID numbers pass through the reader's scope (masked unless it may see them)."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from edu_portal.common.api.base import iso_date, iso_datetime
from edu_portal.common.models import Gender
from students.models import WITHDRAW_STATUSES, AcademicResult, Enrollment, PhysicalRecord, Student


class EnrollmentSerializer(serializers.ModelSerializer):
    """One year at one school: the pupil's enrollment history, newest first. A transfer closes the
    sending school's row (status transferred_out, left_on the day of the move) and opens one at the
    receiving school (started_on that day); a leaver's row keeps the status, the day and the reason."""

    school_code = serializers.CharField(source="school.code", read_only=True)
    started_on = serializers.DateField(read_only=True, allow_null=True,
                                       help_text="Ngày chuyển đến (ghi danh mở bởi chuyển trường); trống nếu học "
                                                 "từ đầu năm học")
    left_on = serializers.DateField(read_only=True, allow_null=True,
                                    help_text="Ngày rời trường (chuyển đi, bỏ học, ...); trống khi đang học. Ngày ở "
                                              "tương lai: học sinh vẫn học đến ngày đó")

    class Meta:
        model = Enrollment
        fields = ["school_year", "school", "school_code", "grade", "class_name", "age_group", "status",
                  "started_on", "left_on", "leave_reason", "updated_at"]


class AcademicResultSerializer(serializers.ModelSerializer):
    subject_scores = serializers.DictField(child=serializers.JSONField(), read_only=True)

    class Meta:
        model = AcademicResult
        fields = ["school_year", "term", "school", "learning_rating", "conduct_rating", "subject_scores", "updated_at"]


class PhysicalRecordSerializer(serializers.ModelSerializer):
    height_cm = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False)
    weight_kg = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False)
    bmi = serializers.DecimalField(max_digits=4, decimal_places=1, coerce_to_string=False)
    bmi_z_score = serializers.DecimalField(max_digits=4, decimal_places=2, coerce_to_string=False, allow_null=True)
    height_z_score = serializers.DecimalField(max_digits=4, decimal_places=2, coerce_to_string=False,
                                              allow_null=True)

    class Meta:
        model = PhysicalRecord
        fields = ["measured_on", "school_year", "school", "height_cm", "weight_kg", "bmi", "bmi_z_score",
                  "nutrition_status", "height_z_score", "height_status", "updated_at"]


class StudentSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(
        help_text="Số định danh cá nhân; che (001*******45) nếu mã truy cập không được xem đầy đủ.")
    school_code = serializers.CharField(source="school.code", read_only=True)
    province = serializers.CharField(source="school.province_id", read_only=True, help_text="Mã tỉnh của trường")

    class Meta:
        model = Student
        fields = ["id", "pupil_code", "id_number", "full_name", "date_of_birth", "gender", "ethnicity",
                  "birth_province", "school", "school_code", "province", "verification_status",
                  "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_id_number(self, obj) -> str:
        return self.context["scope"].show_id_number(obj.id_number)

    # A list page reads just these columns (no model instances) and renders them here: a page of
    # 100 pupils then costs a fraction of DRF's field-by-field rendering. The declared fields
    # above describe the same output (OpenAPI; tests compare a list row with the detail).
    LIST_VALUES = ("id", "pupil_code", "id_number", "full_name", "date_of_birth", "gender", "ethnicity",
                   "birth_province_id", "school_id", "verification_status",
                   "created_at", "updated_at")

    def to_representation(self, row: dict) -> dict:
        return {"id": row["id"], "pupil_code": row["pupil_code"],
                "id_number": self.context["scope"].show_id_number(row["id_number"]),
                "full_name": row["full_name"], "date_of_birth": iso_date(row["date_of_birth"]),
                "gender": row["gender"], "ethnicity": row["ethnicity"], "birth_province": row["birth_province_id"],
                "school": row["school_id"], "school_code": row["school__code"], "province": row["school__province_id"],
                "verification_status": row["verification_status"], "created_at": iso_datetime(row["created_at"]),
                "updated_at": iso_datetime(row["updated_at"])}


class StudentDetailSerializer(StudentSerializer):
    enrollments = EnrollmentSerializer(many=True, read_only=True)
    results = AcademicResultSerializer(many=True, read_only=True)
    physical_records = PhysicalRecordSerializer(many=True, read_only=True)
    verification_mismatch_fields = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(StudentSerializer.Meta):
        fields = [*StudentSerializer.Meta.fields, "verification_mismatch_fields", "id_number_missing_reason",
                  "id_number_missing_note", "enrollments", "results", "physical_records"]
        read_only_fields = fields

    def to_representation(self, obj) -> dict:
        return serializers.ModelSerializer.to_representation(self, obj)


class StudentUpdateSerializer(serializers.Serializer):
    """Personal data a client may correct (PATCH); changing an identity field re-queues verification."""

    id_number = serializers.CharField(max_length=12, required=False, allow_blank=True, allow_null=True)
    full_name = serializers.CharField(max_length=100, required=False)
    date_of_birth = serializers.DateField(required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    ethnicity = serializers.CharField(max_length=40, required=False)
    birth_province = serializers.CharField(max_length=2, required=False, allow_null=True, allow_blank=True,
                                           help_text="Mã tỉnh nơi sinh")
    id_number_missing_reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True,
        help_text="Bắt buộc khi không có số định danh (mã truy cập được nhập số định danh): not_issued (chưa có "
                  "số định danh: trẻ mới sinh / chưa làm thủ tục), pending (đang chờ cấp), foreigner (người nước "
                  "ngoài), other (kèm id_number_missing_note); xoá khi bổ sung số định danh")
    id_number_missing_note = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                                   help_text="Lý do khác (với other)")


class StudentCreateSerializer(StudentUpdateSerializer):
    """A new pupil enrolled at a school of the token's scope for a school year."""

    pupil_code = serializers.CharField(max_length=20)
    full_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    school = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id của trường")
    grade = serializers.IntegerField(min_value=0, max_value=12, help_text="Khối lớp (0 = mầm non)")
    class_name = serializers.CharField(max_length=20)
    school_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False,
                                           help_text="Năm bắt đầu năm học (2026 = 2026-2027); mặc định năm hiện tại")


class StudentWithdrawSerializer(serializers.Serializer):
    """A pupil leaves the school: the enrollment is closed, never deleted (students.services.student_withdraw)."""

    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in WITHDRAW_STATUSES],
                                     help_text="dropped_out: bỏ học; completed: hoàn thành chương trình; "
                                               "deceased: đã mất; moved_abroad: chuyển ra nước ngoài; "
                                               "transferred_out: chuyển trường, chưa có trường tiếp nhận")
    left_on = serializers.DateField(help_text="Ngày rời trường: từ ngày bắt đầu năm học (hoặc ngày chuyển đến), "
                                              "muộn nhất hết năm học; ngày ở tương lai: học sinh vẫn được tính "
                                              "là đang học đến ngày đó")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                   help_text="Lý do; bắt buộc khi bỏ học (dropped_out)")


class StudentReadmitSerializer(serializers.Serializer):
    """A leaver of this school taken back; a leaver of an earlier year needs this year's grade and class."""

    grade = serializers.IntegerField(min_value=0, max_value=12, required=False,
                                     help_text="Khối lớp năm học này (0 = mầm non); chỉ khi rời trường từ năm trước")
    class_name = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class RatingSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Mã gửi qua API")
    label = serializers.CharField(help_text="Tên theo thông tư (ghi trong tệp tải lên)")


class SubjectSerializer(serializers.Serializer):
    """A subject of the 2018 programme in one grade (students.assessment.reference)."""

    code = serializers.CharField()
    name = serializers.CharField(help_text="Tên chính thức; dùng tên này trong điểm các môn")
    assessment = serializers.ChoiceField(
        choices=["scored", "commented"],
        help_text="scored: điểm trung bình 0-10; commented: đánh giá bằng nhận xét (xem subject_ratings của khối)")
    compulsory = serializers.BooleanField(help_text="Môn bắt buộc (false: môn tự chọn, lựa chọn)")
    periodic_test = serializers.BooleanField(
        help_text="Tiểu học: có bài kiểm tra định kì cho điểm 1-10 ở khối này (TT 27/2020 Điều 7)")
    grades = serializers.ListField(child=serializers.IntegerField(), help_text="Các khối học môn này như ở đây")
    aliases = serializers.ListField(child=serializers.CharField(),
                                    help_text="Tên cũ được chấp nhận và đổi sang tên chính thức")


class GradeSubjectsSerializer(serializers.Serializer):
    grade = serializers.IntegerField(min_value=1, max_value=12)
    scale = serializers.ChoiceField(choices=["primary", "secondary"],
                                    help_text="primary: khối 1-5 (TT 27/2020); secondary: khối 6-12 (TT 22/2021)")
    circular = serializers.CharField(help_text="Thông tư quy định thang đánh giá của khối")
    learning_ratings = RatingSerializer(many=True, help_text="Kết quả học tập được chấp nhận ở khối này")
    conduct_ratings = RatingSerializer(many=True, help_text="Kết quả rèn luyện được chấp nhận ở khối này")
    subject_ratings = serializers.ListField(child=serializers.CharField(),
                                            help_text="Mức đánh giá một môn đánh giá bằng nhận xét")
    subjects = SubjectSerializer(many=True)


class SubjectCatalogueSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = GradeSubjectsSerializer(many=True)


class TransferredOutSerializer(serializers.Serializer):
    """A pupil who left a school of the reader's scope by transfer: the closed enrollment."""

    id = serializers.IntegerField(help_text="id của học sinh")
    pupil_code = serializers.CharField()
    school = serializers.IntegerField(help_text="id của trường chuyển đi (trong phạm vi của mã truy cập)")
    school_year = serializers.IntegerField()
    grade = serializers.IntegerField()
    class_name = serializers.CharField()
    left_on = serializers.DateField(help_text="Ngày chuyển đi")
    updated_at = serializers.DateTimeField()

    def to_representation(self, row: dict) -> dict:
        return {"id": row["student_id"], "pupil_code": row["student__pupil_code"], "school": row["school_id"],
                "school_year": row["school_year"], "grade": row["grade"], "class_name": row["class_name"],
                "left_on": iso_date(row["left_on"]), "updated_at": iso_datetime(row["updated_at"])}

"""Staff members (cán bộ quản lý, giáo viên, nhân viên) in the API."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from edu_portal.common.api.base import iso_date, iso_datetime
from edu_portal.common.models import Gender
from teachers.models import EmploymentStatus, Position, PostingEndReason, Qualification, StaffMember, TrainingField


class StaffSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(
        help_text="Số định danh cá nhân; che (001*******45) nếu mã truy cập không được xem đầy đủ.")
    school_code = serializers.CharField(source="school.code", read_only=True)
    province = serializers.CharField(source="school.province_id", read_only=True, help_text="Mã tỉnh của trường")
    qualification_standard = serializers.CharField(
        read_only=True, help_text="Chuẩn trình độ đào tạo (Luật Giáo dục 2019 Điều 72; lộ trình Nghị định "
                                  "71/2020): meets, roadmap, exempt, below, not_teacher. Do hệ thống tính.")
    meets_qualification_standard = serializers.BooleanField(
        read_only=True, help_text="= qualification_standard là meets (giữ cho các ứng dụng đang dùng).")

    class Meta:
        model = StaffMember
        fields = ["id", "staff_code", "id_number", "full_name", "date_of_birth", "gender", "ethnicity", "position",
                  "main_subject", "qualification", "training_field", "pedagogy_certificate", "qualification_standard",
                  "meets_qualification_standard", "employment_status", "school",
                  "school_code", "province", "verification_status", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_id_number(self, obj) -> str:
        return self.context["scope"].show_id_number(obj.id_number)

    # A list page reads just these columns and renders them here (see students/api/serializers.py).
    LIST_VALUES = ("id", "staff_code", "id_number", "full_name", "date_of_birth", "gender", "ethnicity", "position",
                   "main_subject", "qualification", "training_field", "pedagogy_certificate",
                   "qualification_standard", "meets_qualification_standard", "employment_status",
                   "school_id", "verification_status", "created_at",
                   "updated_at")

    def to_representation(self, row: dict) -> dict:
        return {"id": row["id"], "staff_code": row["staff_code"],
                "id_number": self.context["scope"].show_id_number(row["id_number"]),
                "full_name": row["full_name"], "date_of_birth": iso_date(row["date_of_birth"]),
                "gender": row["gender"], "ethnicity": row["ethnicity"], "position": row["position"],
                "main_subject": row["main_subject"], "qualification": row["qualification"],
                "training_field": row["training_field"], "pedagogy_certificate": row["pedagogy_certificate"],
                "qualification_standard": row["qualification_standard"],
                "meets_qualification_standard": row["meets_qualification_standard"],
                "employment_status": row["employment_status"], "school": row["school_id"],
                "school_code": row["school__code"], "province": row["school__province_id"],
                "verification_status": row["verification_status"], "created_at": iso_datetime(row["created_at"]),
                "updated_at": iso_datetime(row["updated_at"])}


class StaffPostingSerializer(serializers.Serializer):
    """One posting (quá trình công tác): where the member worked, from when to when, and why it ended."""
    school = serializers.IntegerField(source="school_id")
    school_code = serializers.CharField(source="school.code")
    school_name = serializers.CharField(source="school.name")
    province = serializers.CharField(source="school.province_id", help_text="Mã tỉnh của trường")
    position = serializers.ChoiceField(choices=Position.choices)
    started_on = serializers.DateField(allow_null=True, help_text="Trống: chưa rõ (trước khi có quá trình công tác)")
    ended_on = serializers.DateField(allow_null=True, help_text="Trống: đang công tác ở trường này")
    end_reason = serializers.ChoiceField(choices=[("", "—"), *PostingEndReason.choices],
                                         help_text="reassigned: điều chuyển công tác")


class StaffDetailSerializer(StaffSerializer):
    verification_mismatch_fields = serializers.ListField(child=serializers.CharField(), read_only=True)
    postings = StaffPostingSerializer(many=True, read_only=True,
                                      help_text="Quá trình công tác, mới nhất trước")

    class Meta(StaffSerializer.Meta):
        fields = [*StaffSerializer.Meta.fields, "verification_mismatch_fields", "postings"]
        read_only_fields = fields

    def to_representation(self, obj) -> dict:
        return serializers.ModelSerializer.to_representation(self, obj)


class StaffUpdateSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=12, required=False, allow_blank=True, allow_null=True)
    full_name = serializers.CharField(max_length=100, required=False)
    date_of_birth = serializers.DateField(required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    ethnicity = serializers.CharField(max_length=40, required=False)
    position = serializers.ChoiceField(choices=Position.choices, required=False)
    main_subject = serializers.CharField(max_length=60, required=False, allow_blank=True)
    qualification = serializers.ChoiceField(choices=Qualification.choices, required=False)
    training_field = serializers.ChoiceField(choices=TrainingField.choices, required=False,
                                             help_text="Chuyên ngành đào tạo; mặc định teacher_training (Sư phạm)")
    pedagogy_certificate = serializers.BooleanField(
        required=False, help_text="Chứng chỉ bồi dưỡng nghiệp vụ sư phạm; mặc định false")
    employment_status = serializers.ChoiceField(choices=EmploymentStatus.choices, required=False)


class StaffCreateSerializer(StaffUpdateSerializer):
    staff_code = serializers.CharField(max_length=20)
    full_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    qualification = serializers.ChoiceField(choices=Qualification.choices)
    position = serializers.ChoiceField(choices=Position.choices)
    school = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id của trường")

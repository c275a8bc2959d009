"""Schools in the API."""
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from edu_portal.common.api.base import iso_datetime
from schools.models import CONNECTED_WINDOW, Ownership, School, SchoolLevel, SchoolStatus


class SchoolSerializer(serializers.ModelSerializer):
    is_connected = serializers.BooleanField(read_only=True, help_text="Đã đồng bộ dữ liệu trong 30 ngày qua")

    class Meta:
        model = School
        fields = ["id", "code", "name", "level", "ownership", "province", "commune", "address", "status",
                  "merged_into", "last_synced_at", "is_connected", "created_at", "updated_at"]
        read_only_fields = fields

    # A list page reads just these columns and renders them here (see students/api/serializers.py).
    LIST_VALUES = ("id", "code", "name", "level", "ownership", "province_id", "commune_id", "address", "status",
                   "merged_into_id", "last_synced_at", "created_at", "updated_at")

    def to_representation(self, row: dict) -> dict:
        synced = row["last_synced_at"]
        return {"id": row["id"], "code": row["code"], "name": row["name"], "level": row["level"],
                "ownership": row["ownership"], "province": row["province_id"], "commune": row["commune_id"],
                "address": row["address"], "status": row["status"], "merged_into": row["merged_into_id"],
                "last_synced_at": iso_datetime(synced),
                "is_connected": bool(synced and timezone.now() - synced <= CONNECTED_WINDOW),
                "created_at": iso_datetime(row["created_at"]), "updated_at": iso_datetime(row["updated_at"])}


class SchoolCountsSerializer(serializers.Serializer):
    students = serializers.IntegerField()
    staff = serializers.IntegerField()


class SchoolDetailSerializer(SchoolSerializer):
    counts = serializers.SerializerMethodField()

    class Meta(SchoolSerializer.Meta):
        fields = [*SchoolSerializer.Meta.fields, "counts"]
        read_only_fields = fields

    def to_representation(self, obj) -> dict:
        return serializers.ModelSerializer.to_representation(self, obj)

    @extend_schema_field(SchoolCountsSerializer)
    def get_counts(self, obj) -> dict:
        from schools.selectors import school_counts

        return school_counts(school=obj)


class SchoolUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    level = serializers.ChoiceField(choices=SchoolLevel.choices, required=False)
    ownership = serializers.ChoiceField(choices=Ownership.choices, required=False)
    province = serializers.CharField(max_length=2, required=False, help_text="Mã tỉnh (2 chữ số)")
    commune = serializers.CharField(max_length=5, required=False, help_text="Mã xã/phường (5 chữ số)")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=SchoolStatus.choices, required=False)
    merged_into = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True,
                                           help_text="id của trường tiếp nhận (khi sáp nhập)")


class SchoolCreateSerializer(SchoolUpdateSerializer):
    code = serializers.CharField(max_length=20, help_text="Mã trường (Bộ GD&ĐT)")
    name = serializers.CharField(max_length=200)
    level = serializers.ChoiceField(choices=SchoolLevel.choices)
    ownership = serializers.ChoiceField(choices=Ownership.choices)
    province = serializers.CharField(max_length=2, help_text="Mã tỉnh (2 chữ số)")
    commune = serializers.CharField(max_length=5, help_text="Mã xã/phường (5 chữ số)")

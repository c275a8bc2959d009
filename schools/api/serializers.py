"""Schools in the API."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.base import iso_datetime
from schools.models import Ownership, School, SchoolLevel, SchoolStatus


class SchoolSerializer(serializers.ModelSerializer):
    is_connected = serializers.BooleanField(read_only=True, help_text="Đã đồng bộ dữ liệu trong 30 ngày qua")

    class Meta:
        model = School
        fields = ["id", "code", "name", "level", "ownership", "province", "commune", "address", "status",
                  "merged_into", "last_synced_at", "is_connected", "created_at", "updated_at"]
        read_only_fields = fields

    def to_representation(self, obj) -> dict:
        # Written out for speed (see students/api/serializers.py); the fields above describe it.
        return {"id": obj.pk, "code": obj.code, "name": obj.name, "level": obj.level, "ownership": obj.ownership,
                "province": obj.province_id, "commune": obj.commune_id, "address": obj.address,
                "status": obj.status, "merged_into": obj.merged_into_id,
                "last_synced_at": iso_datetime(obj.last_synced_at), "is_connected": obj.is_connected,
                "created_at": iso_datetime(obj.created_at), "updated_at": iso_datetime(obj.updated_at)}


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

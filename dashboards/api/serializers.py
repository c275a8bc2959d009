"""The statistics API's shapes: figures of an area (country, province, commune, school)."""
from rest_framework import serializers

from edu_portal.common.identity import VerificationStatus


class VerificationCountsSerializer(serializers.Serializer):
    def get_fields(self):
        return {v: serializers.IntegerField() for v in VerificationStatus.values}


class FiguresSerializer(serializers.Serializer):
    key = serializers.CharField(required=False, help_text="Mã tỉnh, mã xã hoặc id trường")
    name = serializers.CharField(required=False)
    schools = serializers.IntegerField(help_text="Trường đang hoạt động")
    connected = serializers.IntegerField(help_text="Trường đồng bộ dữ liệu trong 30 ngày")
    staff = serializers.IntegerField(help_text="Cán bộ, giáo viên đang công tác")
    students = serializers.IntegerField(help_text="Học sinh đang học trong năm học")
    verification = VerificationCountsSerializer(help_text="Số định danh (học sinh + cán bộ) theo trạng thái")
    verified = serializers.IntegerField()
    verified_pct = serializers.FloatField(allow_null=True)
    connected_pct = serializers.FloatField(allow_null=True)
    pupils_female = serializers.IntegerField()
    pupils_male = serializers.IntegerField()
    staff_teacher = serializers.IntegerField()
    teachers_qualified = serializers.IntegerField()
    pupils_per_teacher = serializers.FloatField(allow_null=True)
    teachers_qualified_pct = serializers.FloatField(allow_null=True)
    gender_parity_index = serializers.FloatField(allow_null=True)
    results_pct = serializers.FloatField(allow_null=True)
    physical_pct = serializers.FloatField(allow_null=True)
    completeness_pct = serializers.FloatField(allow_null=True)
    pupils_without_id = serializers.IntegerField(help_text="Học sinh đang học chưa có số định danh")
    pupils_without_id_pct = serializers.FloatField(allow_null=True,
                                                   help_text="Tỉ lệ (%) học sinh đang học chưa có số định danh")


class DistributionRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()
    pct = serializers.FloatField(allow_null=True, required=False)


class IndicatorSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    scale = serializers.ChoiceField(
        choices=["primary", "secondary"], allow_null=True,
        help_text="Thang đánh giá của phân bố kết quả: primary = Tiểu học (TT 27/2020, khối 1-5), "
                  "secondary = THCS, THPT (TT 22/2021, khối 6-12); tỉ lệ tính trên học sinh của thang đó; "
                  "null với các chỉ số khác")
    rows = serializers.ListField(child=serializers.DictField())


class OverviewSerializer(FiguresSerializer):
    computed_at = serializers.DateTimeField(allow_null=True, help_text="Số liệu tính đến")
    filters = serializers.DictField()
    by_level = FiguresSerializer(many=True)
    by_ownership = FiguresSerializer(many=True)
    indicators = IndicatorSerializer(many=True)


class AreaListSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField(allow_null=True)
    filters = serializers.DictField()
    count = serializers.IntegerField()
    next_page = serializers.IntegerField(allow_null=True, help_text="Trang tiếp theo (null: hết)")
    total = FiguresSerializer()
    results = FiguresSerializer(many=True)

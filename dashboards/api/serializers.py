"""The statistics API's shapes: figures of an area (country, province, commune, school).

The figures are live (the statistics as they are now). Asked with ?period=<id> (a reporting period of the school
year asked for, or of the current one), every figures object also carries `official` (the same figures summed
from what was frozen when each school's report of the period was approved), `difference` (live - official) and
`coverage` (schools of the selection, approved, accepted by the ministry), and the answer names its `period`."""
from rest_framework import serializers

from edu_portal.common.identity import VerificationStatus


class VerificationCountsSerializer(serializers.Serializer):
    def get_fields(self):
        return {v: serializers.IntegerField() for v in VerificationStatus.values}


class OfficialPeriodSerializer(serializers.Serializer):
    """The reporting period whose official figures an answer gives."""

    id = serializers.IntegerField()
    school_year = serializers.IntegerField()
    # Not an enum here: the reporting app's PeriodKind is the schema's ReportingPeriodKindEnum.
    kind = serializers.CharField(help_text="start (đầu năm học), semester_1 (cuối học kỳ I), end (cuối năm học)")
    label = serializers.CharField()
    domains = serializers.ListField(child=serializers.CharField())


class CoverageSerializer(serializers.Serializer):
    schools = serializers.IntegerField(help_text="Trường đang hoạt động của lựa chọn (số liệu trực tiếp)")
    approved = serializers.IntegerField(help_text="Trường có số liệu chính thức: báo cáo của kỳ đã được Sở duyệt")
    accepted = serializers.IntegerField(help_text="Trong đó: thuộc tỉnh Bộ đã tiếp nhận (số liệu đã công bố)")


def _official_fields(help_text: str):
    return serializers.DictField(child=serializers.FloatField(allow_null=True), required=False, allow_null=True,
                                 help_text=help_text)


class OfficialMixin(serializers.Serializer):
    """With ?period=<id>: the figures frozen at approval beside the live ones (issue 19)."""

    official = _official_fields("Chỉ có khi hỏi ?period=: số liệu chính thức (tổng số liệu chốt khi Sở duyệt báo cáo "
                                "của kỳ, chỉ các trường đã được duyệt); null từng số khi chưa trường nào được duyệt")
    difference = _official_fields("Chỉ có khi hỏi ?period=: số liệu trực tiếp trừ số liệu chính thức")
    coverage = CoverageSerializer(required=False, help_text="Chỉ có khi hỏi ?period=: số liệu chính thức phủ bao "
                                                            "nhiêu trường")


class FiguresSerializer(OfficialMixin):
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
    period = OfficialPeriodSerializer(required=False, help_text="Chỉ có khi hỏi ?period=: kỳ báo cáo của số liệu chính thức")
    computed_at = serializers.DateTimeField(allow_null=True, help_text="Số liệu tính đến")
    filters = serializers.DictField()
    by_level = FiguresSerializer(many=True)
    by_ownership = FiguresSerializer(many=True)
    indicators = IndicatorSerializer(many=True)


class AreaListSerializer(serializers.Serializer):
    period = OfficialPeriodSerializer(required=False, help_text="Chỉ có khi hỏi ?period=: kỳ báo cáo của số liệu chính thức")
    computed_at = serializers.DateTimeField(allow_null=True)
    filters = serializers.DictField()
    count = serializers.IntegerField()
    next_page = serializers.IntegerField(allow_null=True, help_text="Trang tiếp theo (null: hết)")
    total = FiguresSerializer()
    results = FiguresSerializer(many=True)

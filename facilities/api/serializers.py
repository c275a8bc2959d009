"""Sites, their facilities of each school year, equipment holdings, the catalogue and the standard in the API.
No personal data: the scope alone decides what a client reads."""
from __future__ import annotations

from rest_framework import serializers

from facilities.models import EquipmentHolding, EquipmentItem, Site, SiteFacilities, SiteKind
from facilities.services import FACILITIES_FIELDS


class RowSerializer(serializers.ModelSerializer):
    """A record or, on list pages, the dict of its LIST_VALUES (RecordViewSet reads columns, not models):
    every field's source is a plain column, so either renders through the same fields."""

    @classmethod
    def list_values(cls) -> tuple[str, ...]:
        return tuple(field.source for field in cls().fields.values())

    def to_representation(self, instance):
        if not isinstance(instance, dict):
            return super().to_representation(instance)
        return {name: (None if instance[field.source] is None else field.to_representation(instance[field.source]))
                for name, field in self.fields.items()}


class SiteSerializer(RowSerializer):
    school = serializers.IntegerField(source="school_id", read_only=True, help_text="id của trường")
    commune = serializers.CharField(source="commune_id", read_only=True, help_text="Mã xã/phường (5 chữ số)")

    class Meta:
        model = Site
        fields = ["id", "school", "code", "name", "kind", "commune", "address", "latitude", "longitude",
                  "distance_km", "active", "created_at", "updated_at"]
        read_only_fields = fields


class SiteFacilitiesSerializer(RowSerializer):
    site = serializers.IntegerField(source="site_id", read_only=True, help_text="id của điểm trường")
    school = serializers.IntegerField(source="school_id", read_only=True, help_text="id của trường")

    class Meta:
        model = SiteFacilities
        fields = ["id", "site", "school", "school_year", *FACILITIES_FIELDS, "created_at", "updated_at"]
        read_only_fields = fields


class EquipmentHoldingSerializer(RowSerializer):
    school = serializers.IntegerField(source="school_id", read_only=True, help_text="id của trường")
    item = serializers.CharField(source="item__code", read_only=True, help_text="Mã thiết bị trong danh mục")

    class Meta:
        model = EquipmentHolding
        fields = ["id", "school", "school_year", "item", "quantity", "working", "created_at", "updated_at"]
        read_only_fields = fields

    def to_representation(self, instance):
        if not isinstance(instance, dict):
            instance = {"id": instance.pk, "school_id": instance.school_id, "school_year": instance.school_year,
                        "item__code": instance.item.code, "quantity": instance.quantity,
                        "working": instance.working, "created_at": instance.created_at,
                        "updated_at": instance.updated_at}
        return super().to_representation(instance)


class EquipmentItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = EquipmentItem
        fields = ["code", "name", "level", "grade_from", "grade_to", "subject", "circular", "unit", "min_quantity",
                  "per"]
        read_only_fields = fields


class EquipmentCatalogueSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = EquipmentItemSerializer(many=True)


# --- writes: the services validate in full; these check JSON types only --------------------------------------

# What an integer column holds: a larger number is refused here, not by the database.
INT = {"min_value": -(2**31), "max_value": 2**31 - 1}

COORDINATE = {"max_digits": 9, "decimal_places": 6, "required": False, "allow_null": True}


class SiteUpdateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, required=False)
    name = serializers.CharField(max_length=200, required=False)
    commune = serializers.CharField(max_length=5, required=False, help_text="Mã xã/phường (5 chữ số)")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    latitude = serializers.DecimalField(**COORDINATE)
    longitude = serializers.DecimalField(**COORDINATE)
    distance_km = serializers.DecimalField(max_digits=6, decimal_places=1, required=False, allow_null=True,
                                           help_text="Điểm trường lẻ; tự tính khi có toạ độ của cả hai điểm trường")


class SiteCreateSerializer(SiteUpdateSerializer):
    school = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id của trường")
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=SiteKind.choices, help_text="Điểm trường chính ghi trước")
    commune = serializers.CharField(max_length=5, help_text="Mã xã/phường (5 chữ số)")


def _facilities_write_fields() -> dict:
    fields = {}
    for field in SiteFacilities._meta.fields:
        if field.name not in FACILITIES_FIELDS:
            continue
        if field.choices:
            fields[field.name] = serializers.ChoiceField(choices=field.choices, required=False)
        else:
            fields[field.name] = serializers.IntegerField(required=False, allow_null=field.null, **INT,
                                                          help_text=str(field.verbose_name))
    return fields


SiteFacilitiesWriteSerializer = type("SiteFacilitiesWriteSerializer", (serializers.Serializer,), {
    "site": serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id của điểm trường"),
    "school_year": serializers.IntegerField(help_text="Năm bắt đầu của năm học (2025: năm học 2025-2026)", **INT),
    **_facilities_write_fields(),
    "__doc__": "A site's facilities of a school year, created or replaced (fields not sent keep their value).",
})


class HoldingLineSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=30, help_text="Mã thiết bị trong danh mục")
    quantity = serializers.IntegerField(required=False, **INT)
    working = serializers.IntegerField(required=False, **INT)


class EquipmentWriteSerializer(serializers.Serializer):
    school = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id của trường")
    school_year = serializers.IntegerField(help_text="Năm bắt đầu của năm học", **INT)
    holdings = HoldingLineSerializer(many=True, allow_empty=False)


class StandardUnmetSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    article = serializers.CharField()
    standard_level = serializers.IntegerField(help_text="1 hoặc 2: mức độ có tiêu chí chưa đạt")
    message = serializers.CharField(help_text="Điều còn thiếu")
    missing = serializers.CharField(allow_null=True, help_text="Số còn thiếu (phòng, m², ...), nếu có")


class StandardSerializer(serializers.Serializer):
    school = serializers.IntegerField()
    school_year = serializers.IntegerField()
    standing = serializers.CharField(help_text="none, level_1, level_2, not_applicable, no_data")
    label = serializers.CharField()
    unmet = StandardUnmetSerializer(many=True)


for _serializer in (SiteSerializer, SiteFacilitiesSerializer, EquipmentHoldingSerializer):
    _serializer.LIST_VALUES = _serializer.list_values()  # the columns a list page reads (RecordViewSet.list)

"""One FilterSet per listable model, shared by the pages, the selectors and (later) the API."""
import django_filters
from django.utils.translation import gettext_lazy as _

from edu_portal.common.filtersets import IdFilter, PortalFilterSet
from schools.models import SchoolLevel

from .models import (
    Circular,
    Electricity,
    EquipmentHolding,
    EquipmentItem,
    Internet,
    Site,
    SiteFacilities,
    SiteKind,
    WaterSource,
)


class SiteFilterSet(PortalFilterSet):
    province = django_filters.CharFilter(field_name="school__province_id", label=_("Tỉnh/thành phố"))
    commune = django_filters.CharFilter(field_name="commune_id", label=_("Xã/phường"))
    school = IdFilter(field_name="school_id", label=_("Trường"))
    kind = django_filters.ChoiceFilter(choices=SiteKind.choices, label=_("Loại điểm trường"))
    active = django_filters.BooleanFilter(label=_("Đang sử dụng"))

    class Meta:
        model = Site
        fields = ["province", "commune", "school", "kind", "active"]


class SiteFacilitiesFilterSet(PortalFilterSet):
    province = django_filters.CharFilter(field_name="school__province_id", label=_("Tỉnh/thành phố"))
    commune = django_filters.CharFilter(field_name="site__commune_id", label=_("Xã/phường"))
    school = IdFilter(field_name="school_id", label=_("Trường"))
    site = IdFilter(field_name="site_id", label=_("Điểm trường"))
    school_year = django_filters.NumberFilter(label=_("Năm học"))
    water_source = django_filters.ChoiceFilter(choices=WaterSource.choices, label=_("Nguồn nước sạch"))
    electricity = django_filters.ChoiceFilter(choices=Electricity.choices, label=_("Điện"))
    internet = django_filters.ChoiceFilter(choices=Internet.choices, label=_("Kết nối internet"))

    class Meta:
        model = SiteFacilities
        fields = ["province", "commune", "school", "site", "school_year", "water_source", "electricity", "internet"]


class EquipmentItemFilterSet(PortalFilterSet):
    level = django_filters.ChoiceFilter(choices=SchoolLevel.choices, label=_("Cấp học"))
    circular = django_filters.ChoiceFilter(choices=Circular.choices, label=_("Văn bản"))
    subject = django_filters.CharFilter(lookup_expr="icontains", label=_("Môn học / lĩnh vực"))
    grade = django_filters.NumberFilter(method="filter_grade", label=_("Khối lớp"))

    class Meta:
        model = EquipmentItem
        fields = ["level", "circular", "subject", "grade"]

    def filter_grade(self, queryset, name, value):
        return queryset.filter(grade_from__lte=value, grade_to__gte=value)


class EquipmentHoldingFilterSet(PortalFilterSet):
    province = django_filters.CharFilter(field_name="school__province_id", label=_("Tỉnh/thành phố"))
    school = IdFilter(field_name="school_id", label=_("Trường"))
    school_year = django_filters.NumberFilter(label=_("Năm học"))
    item = django_filters.CharFilter(field_name="item__code", label=_("Mã thiết bị"))

    class Meta:
        model = EquipmentHolding
        fields = ["province", "school", "school_year", "item"]

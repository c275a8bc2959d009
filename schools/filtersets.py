"""One FilterSet for schools, shared by the HTML list, the API and the selectors."""
import django_filters
from django.utils.translation import gettext_lazy as _

from edu_portal.common.filtersets import PortalFilterSet
from edu_portal.common.search import search_q

from .models import Ownership, School, SchoolLevel, SchoolStatus


class SchoolFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Tìm kiếm (tên, mã)"))
    level = django_filters.ChoiceFilter(choices=SchoolLevel.choices, label=_("Cấp học"))
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices, label=_("Loại hình"))
    status = django_filters.ChoiceFilter(choices=SchoolStatus.choices, label=_("Trạng thái"))
    province = django_filters.CharFilter(field_name="province_id", label=_("Tỉnh/thành phố"))
    commune = django_filters.CharFilter(field_name="commune_id", label=_("Xã/phường"))

    class Meta:
        model = School
        fields = ["q", "level", "ownership", "status", "province", "commune"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(search_q(value, code_field="code", name_field="name", id_field=None))

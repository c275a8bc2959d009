import django_filters
from django.utils.translation import gettext_lazy as _

from edu_portal.common.filtersets import IdFilter, PortalFilterSet
from edu_portal.common.identity import VerificationStatus
from edu_portal.common.models import Gender
from edu_portal.common.search import search_q

from .models import EmploymentStatus, Position, Qualification, QualificationStandard, StaffMember, TrainingField


class StaffFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Tìm kiếm (tên, mã, số định danh)"))
    province = django_filters.CharFilter(method="filter_area", label=_("Tỉnh/thành phố"))
    commune = django_filters.CharFilter(method="filter_area", label=_("Xã/phường"))
    school = IdFilter(field_name="school_id", label=_("Trường"))
    school_code = django_filters.CharFilter(field_name="school__code", label=_("Mã trường"))
    position = django_filters.ChoiceFilter(choices=Position.choices, label=_("Chức vụ"))
    qualification = django_filters.ChoiceFilter(choices=Qualification.choices, label=_("Trình độ"))
    meets_qualification_standard = django_filters.BooleanFilter(label=_("Đạt chuẩn"))
    qualification_standard = django_filters.ChoiceFilter(choices=QualificationStandard.choices,
                                                         label=_("Chuẩn trình độ đào tạo"))
    training_field = django_filters.ChoiceFilter(choices=TrainingField.choices, label=_("Chuyên ngành đào tạo"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("Giới tính"))
    employment_status = django_filters.ChoiceFilter(choices=EmploymentStatus.choices, label=_("Tình trạng"))
    verification_status = django_filters.ChoiceFilter(choices=VerificationStatus.choices, label=_("Xác thực"))

    class Meta:
        model = StaffMember
        fields = ["q", "province", "commune", "school", "school_code", "position", "qualification",
                  "meets_qualification_standard", "qualification_standard", "training_field", "gender", "employment_status", "verification_status"]

    # Searching by a full ID number reveals whose it is: only for scopes that may see ID numbers
    # (the selectors switch it on).
    id_search = False

    def filter_q(self, queryset, name, value):
        return queryset.filter(search_q(value, code_field="staff_code", id_field="id_number" if self.id_search else None))

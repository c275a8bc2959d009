import django_filters
from django.utils.translation import gettext_lazy as _

from edu_portal.common.filtersets import IdFilter, PortalFilterSet
from edu_portal.common.identity import VerificationStatus
from edu_portal.common.models import Gender, current_school_year
from edu_portal.common.search import search_q

from .models import AgeGroup, EnrollmentStatus, Student

OPEN_STATUSES = [s for s in EnrollmentStatus if s != EnrollmentStatus.TRANSFERRED_OUT]


class StudentFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Tìm kiếm (tên, mã, số định danh)"))
    province = django_filters.CharFilter(method="filter_area", label=_("Tỉnh/thành phố"))
    commune = django_filters.CharFilter(method="filter_area", label=_("Xã/phường"))
    school = IdFilter(field_name="school_id", label=_("Trường"))
    school_code = django_filters.CharFilter(field_name="school__code", label=_("Mã trường"))
    # A class list: the pupils of a grade or a class in the current school year (their enrollment).
    grade = django_filters.NumberFilter(method="filter_enrollment", label=_("Khối lớp"), min_value=0, max_value=12)
    class_name = django_filters.CharFilter(method="filter_enrollment", label=_("Lớp"), max_length=20)
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("Giới tính"))
    verification_status = django_filters.ChoiceFilter(choices=VerificationStatus.choices, label=_("Xác thực"))
    born_after = django_filters.DateFilter(field_name="date_of_birth", lookup_expr="gte", label=_("Sinh từ ngày"))
    born_before = django_filters.DateFilter(field_name="date_of_birth", lookup_expr="lte", label=_("Sinh đến ngày"))
    # Preschool children by nhà trẻ / mẫu giáo group in the current school year (students.preschool).
    age_group = django_filters.ChoiceFilter(choices=AgeGroup.choices, method="filter_age_group",
                                            label=_("Nhóm tuổi"))

    class Meta:
        model = Student
        fields = ["q", "province", "commune", "school", "school_code", "grade", "class_name", "gender",
                  "verification_status", "born_after", "born_before", "age_group"]

    # Searching by a full ID number reveals whose it is: only for scopes that may see ID numbers
    # (the selectors switch it on).
    id_search = False

    def filter_q(self, queryset, name, value):
        return queryset.filter(search_q(value, code_field="pupil_code", id_field="id_number" if self.id_search else None))

    # Only the open enrollment of the year (a transfer leaves a closed one at the sending school): one
    # join row per pupil, so a pupil is listed once, in the class they are in now.
    def filter_age_group(self, queryset, name, value):
        return queryset.filter(enrollments__school_year=current_school_year(), enrollments__age_group=value,
                               enrollments__status__in=OPEN_STATUSES)

    def filter_enrollment(self, queryset, name, value):
        if name == "class_name":
            return queryset.filter(enrollments__school_year=current_school_year(),
                                   enrollments__class_name__iexact=value.strip(),
                                   enrollments__status__in=OPEN_STATUSES)
        return queryset.filter(enrollments__school_year=current_school_year(), enrollments__grade=value,
                               enrollments__status__in=OPEN_STATUSES)

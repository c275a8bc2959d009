"""One FilterSet for the statistics rows, shared by the dashboard pages, the API and the selectors."""
from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from edu_portal.common.filtersets import PortalFilterSet
from edu_portal.common.models import current_school_year, school_year_label
from geo.models import Province
from schools.models import Ownership, SchoolLevel

from .models import SchoolStats

_PROVINCES: list = []


def _province_choices():
    """The 34 provinces change by law, not by day: read once per process."""
    if not _PROVINCES:
        _PROVINCES.extend(Province.objects.order_by("code").values_list("code", "name"))
    return _PROVINCES


def _year_choices():
    now = current_school_year()
    return [(y, school_year_label(y)) for y in range(now, now - 6, -1)]


class SchoolStatsFilterSet(PortalFilterSet):
    school_year = django_filters.TypedChoiceFilter(choices=_year_choices, coerce=int, label=_("Năm học"))
    level = django_filters.ChoiceFilter(choices=SchoolLevel.choices, label=_("Cấp học"), empty_label=_("Tất cả cấp học"))
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices, label=_("Loại hình"),
                                            empty_label=_("Tất cả loại hình"))
    province = django_filters.ChoiceFilter(field_name="province_id", choices=_province_choices,
                                           label=_("Tỉnh/thành phố"), empty_label=_("Toàn quốc"))
    commune = django_filters.CharFilter(field_name="commune_id", label=_("Mã xã"), widget=forms.HiddenInput,
                                        validators=[RegexValidator(r"^\d{5}$", "Mã xã gồm 5 chữ số.")])

    class Meta:
        model = SchoolStats
        fields = ["school_year", "level", "ownership", "province", "commune"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        # The current school year unless one is asked for: every view is of one year.
        if not data.get("school_year"):
            data["school_year"] = str(current_school_year())
        super().__init__(data, *args, **kwargs)

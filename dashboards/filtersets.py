"""One FilterSet for the statistics rows, shared by the dashboard pages, the API and the selectors."""
from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db import connection
from django.utils.translation import gettext_lazy as _

from edu_portal.common.filtersets import PortalFilterSet
from edu_portal.common.models import current_school_year, school_year_label
from edu_portal.common.prepared import execute_prepared
from geo.models import Province
from schools.models import Ownership, SchoolLevel

from .cache import stats_version
from .models import FlowStats, SchoolStats

_PROVINCES: list = []


def _province_choices():
    """The 34 provinces change by law, not by day: read once per process."""
    if not _PROVINCES:
        _PROVINCES.extend(Province.objects.order_by("code").values_list("code", "name"))
    return _PROVINCES


_YEARS: dict = {"version": None, "years": ()}
# The years with statistics, by a loose index scan of stats_year_geo (a few index probes, not a read
# of every row: 160,000 rows at national size with three years).
_YEARS_SQL = """WITH RECURSIVE y AS (
    (SELECT school_year FROM dashboards_schoolstats ORDER BY school_year LIMIT 1)
    UNION ALL
    SELECT (SELECT s.school_year FROM dashboards_schoolstats s WHERE s.school_year > y.school_year
            ORDER BY s.school_year LIMIT 1) FROM y WHERE y.school_year IS NOT NULL)
SELECT school_year FROM y WHERE school_year IS NOT NULL"""


def years_on_record() -> tuple[int, ...]:
    """Read again whenever the statistics change (their version, dashboards.cache)."""
    version = stats_version()
    if version is None or version != _YEARS["version"]:
        with connection.cursor() as cursor:
            execute_prepared(cursor, _YEARS_SQL)
            _YEARS["years"] = tuple(row[0] for row in cursor.fetchall())
        _YEARS["version"] = version
    return _YEARS["years"]


def _year_choices():
    """The current school year and every year with statistics (issue 17: no year offered that would
    show nothing), newest first."""
    years = set(years_on_record()) | {current_school_year()}
    return [(y, school_year_label(y)) for y in sorted(years, reverse=True)]


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


class FlowStatsFilterSet(PortalFilterSet):
    """The trends page's filters (dashboards.selectors_flows.flows_clean checks the values): the year
    of its tables by grade and by unit (the latest with known flows unless asked), area, gender."""

    school_year = django_filters.ChoiceFilter(choices=_year_choices, label=_("Năm học"),
                                              empty_label=_("Năm gần nhất"))
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices, label=_("Loại hình"),
                                            empty_label=_("Tất cả loại hình"))
    province = django_filters.ChoiceFilter(field_name="province_id", choices=_province_choices,
                                           label=_("Tỉnh/thành phố"), empty_label=_("Toàn quốc"))
    commune = django_filters.CharFilter(field_name="commune_id", label=_("Mã xã"), widget=forms.HiddenInput)
    school = django_filters.NumberFilter(field_name="school_id", label=_("Trường"), widget=forms.HiddenInput)
    gender = django_filters.ChoiceFilter(choices=[("F", _("Nữ")), ("M", _("Nam"))], label=_("Giới tính"),
                                         empty_label=_("Cả nam và nữ"))

    class Meta:
        model = FlowStats
        fields = ["school_year", "ownership", "province", "commune", "school", "gender"]

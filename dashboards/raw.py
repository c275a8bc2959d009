"""The overview's figures computed straight from the raw tables with GROUP BY (no statistics
table). Slow at national scale by design: the benchmark reports it side by side with the
pre-aggregated selectors, and the tests use it as an independent check of their figures."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from accounts.scope import Scope
from edu_portal.common.identity import VerificationStatus
from edu_portal.common.models import current_school_year
from schools.models import CONNECTED_WINDOW, School, SchoolStatus
from students.models import Enrollment, EnrollmentStatus
from teachers.models import EmploymentStatus, StaffMember

from .metrics import YEAR_LAST_DAY

DIMS = {"province": "province_id", "commune": "commune_id", "level": "level", "ownership": "ownership",
        "school": "id"}


def _school_q(scope: Scope, filters: dict, prefix: str) -> Q:
    # The school's own province column (a join for pupils and staff), as the figures were measured.
    q = scope.q(prefix.removesuffix("__"), province_field=f"{prefix}province")
    for key in ("level", "ownership"):
        if filters.get(key):
            q &= Q(**{f"{prefix}{key}": filters[key]})
    if filters.get("province"):
        q &= Q(**{f"{prefix}province_id": filters["province"]})
    if filters.get("commune"):
        q &= Q(**{f"{prefix}commune_id": filters["commune"]})
    return q


def raw_figures(*, scope: Scope, filters: dict | None = None, group: str | None = None) -> dict:
    """{group key (or None for the total): {schools, connected, staff, pupils, pupils_ver_*, staff_ver_*}}."""
    filters = filters or {}
    year = int(filters.get("school_year") or current_school_year())
    dim = DIMS[group] if group else None
    out: dict = {}

    def put(rows, key_field):
        for row in rows:
            key = row.pop(key_field) if key_field else None
            out.setdefault(key, {}).update(row)

    since = timezone.now() - CONNECTED_WINDOW
    schools = School.objects.filter(_school_q(scope, filters, ""), status=SchoolStatus.OPEN)
    agg = {"schools": Count("id"), "connected": Count("id", filter=Q(last_synced_at__gte=since))}
    put(schools.values(dim).annotate(**agg).order_by() if dim else [schools.aggregate(**agg)], dim)

    # The date rule of metrics.STUDYING: from started_on (if any) until the day before left_on, as of
    # today or the year's last day of teaching, whichever comes first.
    as_of = min(timezone.localdate(), dt.date(year + 1, *YEAR_LAST_DAY))
    studying = ((Q(status=EnrollmentStatus.STUDYING) | Q(left_on__gt=as_of))
                & (Q(started_on__isnull=True) | Q(started_on__lte=as_of)))
    enrolled = Enrollment.objects.filter(studying, _school_q(scope, filters, "school__"), school_year=year)
    agg = {"pupils": Count("id")} | {f"pupils_ver_{v}": Count("id", filter=Q(student__verification_status=v))
                                     for v in VerificationStatus.values}
    key = f"school__{dim}" if dim else None
    put(enrolled.values(key).annotate(**agg).order_by() if dim else [enrolled.aggregate(**agg)], key)

    staff = StaffMember.objects.filter(_school_q(scope, filters, "school__"),
                                       employment_status=EmploymentStatus.WORKING)
    agg = {"staff": Count("id")} | {f"staff_ver_{v}": Count("id", filter=Q(verification_status=v))
                                    for v in VerificationStatus.values}
    put(staff.values(key).annotate(**agg).order_by() if dim else [staff.aggregate(**agg)], key)
    return out

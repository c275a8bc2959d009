"""The reporting app's reader of official figures for the dashboards (dashboards.official): registered when the
app starts (apps.ready), so that the dashboards' pages and statistics API show a period's frozen figures beside
the live ones without importing this app."""
from __future__ import annotations

from accounts.scope import Scope
from dashboards.official import Period
from edu_portal.common.models import school_year_label

from . import selectors
from .models import ReportingPeriod


def _period(row: ReportingPeriod) -> Period:
    return Period(id=row.pk, school_year=row.school_year, kind=row.kind,
                  label=f"{row.get_kind_display()} {school_year_label(row.school_year)}", domains=tuple(row.domains))


class ReportingOfficialSource:
    def periods(self, *, school_year: int) -> list[Period]:
        return [_period(p) for p in ReportingPeriod.objects.filter(school_year=school_year).order_by("opens_on", "pk")]

    def period(self, pk: int) -> Period | None:
        row = ReportingPeriod.objects.filter(pk=pk).first()
        return _period(row) if row is not None else None

    def sums(self, *, scope: Scope, period: Period, filters: dict, groups: tuple[str, ...],
             metrics: list[str]) -> tuple[dict, dict[str, dict]]:
        return selectors.official_sums(scope=scope, period=period.id, school_year=period.school_year,
                                       filters=filters, groups=groups, metrics=metrics)

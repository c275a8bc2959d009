"""The headline figures: one definition per figure, named on screen, shared by the home page, the dashboards'
cards, the statistics API and the exports (issue 21: the home page counted every pupil record, 38,809, while the
dashboard counted the pupils studying this school year, 38,690, and neither said which).

Each figure is a metric of the statistics (dashboards/metrics.py) for one school year, so home and dashboards
read the same numbers; its label names what is counted ("Học sinh đang học năm học 2026-2027"), and the
"verified" figure is split into pupils and staff, each a share of its own people.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from edu_portal.common.models import school_year_label as _year_label

from .selectors import ratio


@dataclass(frozen=True)
class Figure:
    key: str  # the metric's name (the stats API's field, the export's column)
    label: str
    value: int | None
    share: float | None = None  # percent of `of`, for the verified figures
    of: str = ""


def school_year_label(school_year: int | str) -> str:
    return _year_label(int(school_year))


def headline_figures(total: dict, *, school_year: int | str) -> list[Figure]:
    """The figures of the home page and the dashboards' cards, from a statistics summary's total."""
    pupils, staff = total.get("pupils") or 0, total.get("staff") or 0
    verified_pupils, verified_staff = total.get("pupils_ver_verified") or 0, total.get("staff_ver_verified") or 0
    return [
        Figure("schools", str(_("Trường đang hoạt động")), total.get("schools") or 0),
        Figure("staff", str(_("Cán bộ, giáo viên đang công tác")), staff),
        Figure("pupils", str(_("Học sinh đang học năm học %(year)s") % {"year": school_year_label(school_year)}),
               pupils),
        Figure("pupils_verified", str(_("Học sinh đã xác thực định danh")), verified_pupils,
               ratio(verified_pupils, pupils, 100), str(_("của học sinh đang học"))),
        Figure("staff_verified", str(_("Cán bộ, giáo viên đã xác thực định danh")), verified_staff,
               ratio(verified_staff, staff, 100), str(_("của cán bộ, giáo viên đang công tác"))),
    ]

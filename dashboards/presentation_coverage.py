"""The enrolment ratios on the trends page: a table per level over the years, grade 1's intake rate,
and the chosen year by unit; their definitions are in the page's definitions table (flows.DEFINITIONS)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from edu_portal.common.models import school_year_label

from .flows import LEVEL_AGES, LEVEL_LABELS
from .presentation import Table
from .selectors_coverage import CoverageSummary


def coverage_tables(summary: CoverageSummary) -> list[Table]:
    if not summary.available:
        return []
    tables = []
    years = sorted(summary.trend)
    for level, label in LEVEL_LABELS.items():
        lo, hi = LEVEL_AGES[level]
        rows = [{"year": school_year_label(y), **summary.trend[y][level]} for y in years]
        columns = [("year", _("Năm học")), ("population", _("Dân số %(lo)s-%(hi)s tuổi") % {"lo": lo, "hi": hi}),
                   ("enrolled", _("Học sinh của cấp học")), ("official", _("Học sinh đúng độ tuổi")),
                   ("ger", _("Nhập học chung (%)")), ("ger_f", _("Nhập học chung, nữ (%)")),
                   ("ger_m", _("Nhập học chung, nam (%)")), ("gpi", _("Bình đẳng giới (GPI)")),
                   ("ner", _("Nhập học đúng tuổi (%)")), ("ner_f", _("Đúng tuổi, nữ (%)")),
                   ("ner_m", _("Đúng tuổi, nam (%)"))]
        tables.append(Table(
            f"coverage_{level}", _("%(level)s: tỉ lệ nhập học qua các năm học") % {"level": label}, columns, rows,
            {"type": "line", "labels": [r["year"] for r in rows],
             "datasets": [{"label": str(_("Nhập học chung (%)")), "data": [r["ger"] for r in rows]},
                          {"label": str(_("Nhập học đúng tuổi (%)")), "data": [r["ner"] for r in rows]}]}))
    intake = [{"year": school_year_label(y), **summary.intake[y]} for y in years if summary.intake.get(y)]
    tables.append(Table(
        "coverage_intake", _("Tỉ lệ nhập học lớp 1 qua các năm học"),
        [("year", _("Năm học")), ("population_6", _("Dân số 6 tuổi")), ("new_entrants", _("Học sinh mới vào lớp 1")),
         ("gir", _("Nhập học lớp 1 (%)")), ("gir_f", _("Nữ (%)")), ("gir_m", _("Nam (%)"))], intake))
    if summary.unit and summary.year is not None:
        unit_title = {"province": _("Tỉnh/thành phố"), "commune": _("Xã/phường")}[summary.unit]
        columns = [("name", unit_title)]
        for level, label in LEVEL_LABELS.items():
            columns += [(f"{level}_ger", _("%(level)s: nhập học chung (%%)") % {"level": label}),
                        (f"{level}_ner", _("%(level)s: đúng tuổi (%%)") % {"level": label})]
        rows = [{"key": u["key"], "name": u["name"],
                 **{f"{level}_{k}": u[level][k] for level in LEVEL_LABELS for k in ("ger", "ner")}}
                for u in summary.units]
        tables.append(Table("coverage_units", _("Tỉ lệ nhập học theo đơn vị, năm học %(year)s")
                            % {"year": school_year_label(summary.year)}, columns, rows))
    return tables

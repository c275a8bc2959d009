"""The trends page as people read it: each figure over the years and the flows of pupils between
years, as tables (each exportable) with their charts and the definitions beside them."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from edu_portal.common.models import school_year_label

from .flows import DEFINITIONS, LEVEL_LABELS, SOURCE
from .presentation import Table
from .selectors_flows import FlowSummary

RATE_COLUMNS = [("promotion_pct", _("Lên lớp (%)")), ("repetition_pct", _("Lưu ban (%)")),
                ("dropout_pct", _("Bỏ học (%)"))]
GENDER_LABELS = {"F": _("Nữ"), "M": _("Nam")}


def trend_table(rows: list[dict]) -> Table:
    """The main figures over the years (dashboards.selectors.stats_by_year)."""
    for row in rows:
        row["year"] = school_year_label(row["school_year"])
    columns = [("year", _("Năm học")), ("schools", _("Trường")), ("pupils", _("Học sinh đang học")),
               ("pupils_female", _("Học sinh nữ")), ("staff_teacher", _("Giáo viên")),
               ("pupils_per_teacher", _("HS/GV")), ("verified_pct", _("Định danh đã xác thực (%)")),
               ("results_pct", _("Có kết quả học tập (%)")), ("pupils_without_id", _("Chưa có số định danh")),
               ("enrol_dropped_out", _("Bỏ học trong năm")), ("enrol_transferred_in", _("Chuyển đến"))]
    return Table("trend", _("Số liệu chính qua các năm học"), columns, rows,
                 {"type": "line", "labels": [r["year"] for r in rows],
                  "datasets": [{"label": str(_("Học sinh đang học")), "data": [r["pupils"] for r in rows]}]})


def flow_tables(summary: FlowSummary) -> list[Table]:
    tables = []
    years = summary.years
    for level, label in LEVEL_LABELS.items():
        rows = [{"year": school_year_label(y), **summary.trend[y][level]} for y in years]
        columns = [("year", _("Năm học")), ("base", _("Học sinh")), *RATE_COLUMNS]
        if level != "upper_secondary":
            columns.append(("transition_pct", _("Chuyển cấp (%)")))
        columns += [("survival_pct", _("Đi học đến lớp cuối cấp (%)")), ("completion_pct", _("Hoàn thành cấp (%)"))]
        tables.append(Table(f"flows_{level}", _("%(level)s: luồng học sinh qua các năm học") % {"level": label},
                            columns, rows,
                            {"type": "line", "labels": [r["year"] for r in rows],
                             "datasets": [{"label": str(_("Lưu ban (%)")), "data": [r["repetition_pct"] for r in rows]},
                                          {"label": str(_("Bỏ học (%)")), "data": [r["dropout_pct"] for r in rows]}]}))
    if summary.year is not None:
        year = school_year_label(summary.year)
        grades = [{**g, "label": _("Lớp %(grade)s") % {"grade": g["grade"]}} for g in summary.grades]
        tables.append(Table(
            "flows_grades", _("Theo khối lớp, năm học %(year)s") % {"year": year},
            [("label", _("Khối")), ("base", _("Học sinh")), ("promoted", _("Lên lớp")), ("repeated", _("Lưu ban")),
             ("dropped", _("Bỏ học")), ("completed", _("Hoàn thành, không học tiếp")), *RATE_COLUMNS], grades,
            {"type": "bar", "labels": [str(g["label"]) for g in grades],
             "datasets": [{"label": str(_("Lưu ban (%)")), "data": [g["repetition_pct"] for g in grades]},
                          {"label": str(_("Bỏ học (%)")), "data": [g["dropout_pct"] for g in grades]}]}))
        gender_rows = [{"level": label, "gender": GENDER_LABELS[sex], **summary.by_gender[sex][level]}
                       for level, label in LEVEL_LABELS.items() for sex in GENDER_LABELS]
        tables.append(Table(
            "flows_gender", _("Theo giới tính, năm học %(year)s") % {"year": year},
            [("level", _("Cấp học")), ("gender", _("Giới tính")), ("base", _("Học sinh")), *RATE_COLUMNS,
             ("survival_pct", _("Đi học đến lớp cuối cấp (%)")), ("completion_pct", _("Hoàn thành cấp (%)"))],
            gender_rows))
        if summary.unit:
            unit_rows = [{"key": u["key"], "name": u["name"],
                          **{f"{level}_{k}": u[level][k] for level in LEVEL_LABELS
                             for k in ("base", "dropout_pct", "repetition_pct")}}
                         for u in summary.units]
            unit_title = {"province": _("Tỉnh/thành phố"), "commune": _("Xã/phường"), "school": _("Trường")}[summary.unit]
            columns = [("name", unit_title)]
            for level, label in LEVEL_LABELS.items():
                columns += [(f"{level}_base", _("%(level)s: học sinh") % {"level": label}),
                            (f"{level}_dropout_pct", _("%(level)s: bỏ học (%%)") % {"level": label}),
                            (f"{level}_repetition_pct", _("%(level)s: lưu ban (%%)") % {"level": label})]
            tables.append(Table("flows_units", _("Theo đơn vị, năm học %(year)s") % {"year": year}, columns,
                                unit_rows))
    tables.append(Table("intake", _("Học sinh mới vào lớp 1"),
                        [("year", _("Năm học")), ("new_entrants", _("Học sinh mới vào lớp 1")),
                         ("from_preschool", _("Đã học mẫu giáo")), ("preschool_pct", _("Đã học mẫu giáo (%)"))],
                        [{**r, "year": school_year_label(r["year"])} for r in summary.intake]))
    tables.append(definitions_table())
    return tables


def definitions_table() -> Table:
    rows = [{"label": d.label, "formula": d.formula, "numerator": d.numerator, "denominator": d.denominator,
             "source": d.source or SOURCE} for d in DEFINITIONS]
    return Table("definitions", _("Định nghĩa các chỉ số"),
                 [("label", _("Chỉ số")), ("formula", _("Công thức")), ("numerator", _("Tử số")),
                  ("denominator", _("Mẫu số")), ("source", _("Nguồn"))], rows)

"""The indicators as people read them: each figure with the table behind its chart (titles,
column labels, chart data), over the statistics the selectors read."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.scope import Scope
from edu_portal.common.identity import VerificationStatus
from students.models import AgeGroup, HeightStatus, LearningRating, NutritionStatus, Term
from teachers.models import Position, Qualification

from .metrics import (
    BY_NAME,
    GRADES,
    METRIC_NAMES,
    MOVEMENT_METRICS,
    SCALES,
    conduct_metric,
    grade_label,
    learning_metric,
)
from .selectors import Summary, ratio, stats_mismatch_reasons, stats_summary


@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict]
    chart: dict | None = None  # {"type", "labels", "datasets": [{"label", "data"}]}
    scale: str | None = None  # a result distribution's rating scale ("primary", "secondary")
    wrap: tuple[str, ...] = ()  # columns of sentences: wrapped (cells stay on one line otherwise, portal.css)
    empty: str | None = None  # what an empty table says, when "no data" would mislead


def _dist(name, title, total, items, *, chart_type="bar", scale=None, states=None) -> Table:
    count = sum(total.get(k, 0) for k, _ in items)
    rows = [{"label": label, "count": total.get(k, 0), "pct": ratio(total.get(k, 0), count, 100)}
            for k, label in items]
    chart = {"type": chart_type, "labels": [r["label"] for r in rows],
             "datasets": [{"label": title, "data": [r["count"] for r in rows]}]}
    if states:  # each slice coloured as its state's badge (portal.css --state-*, read by charts.js)
        chart["states"] = states
    return Table(name, title, [("label", _("Phân loại")), ("count", _("Số lượng")), ("pct", _("Tỉ lệ (%)"))], rows, chart, scale)


# Circular 27/2020 rates a primary pupil's qualities (phẩm chất); Circular 22/2021 a secondary
# pupil's conduct (rèn luyện).
CONDUCT_TITLES = {"primary": _("Phẩm chất"), "secondary": _("Kết quả rèn luyện")}


def default_term(total: dict) -> int:
    """The term to show ratings for: the whole year once it is assessed, else the latest term."""
    for term in (Term.WHOLE_YEAR, Term.SECOND, Term.FIRST):
        if any(total.get(f"learning_{term}_{r}", 0) for r in LearningRating.values):
            return int(term)
    return int(Term.WHOLE_YEAR)


def indicator_tables(*, scope: Scope, filters: dict | None = None, term: int | None = None) -> tuple[Summary, list[Table]]:
    """Every indicator of the dashboards with the table behind its chart."""
    summary = stats_summary(scope=scope, filters=filters, groups=("level",), metrics=METRIC_NAMES)
    total = summary.total
    term = default_term(total) if term is None else term
    by_level = summary.groups["level"]
    tables = [
        Table("pupils_per_teacher", _("Số học sinh trên một giáo viên theo cấp học"),
              [("name", _("Cấp học")), ("pupils", _("Học sinh")), ("staff_teacher", _("Giáo viên")),
               ("pupils_per_teacher", _("HS/GV"))],
              by_level + [{"name": _("Tất cả"), **total}],
              {"type": "bar", "labels": [r["name"] for r in by_level],
               "datasets": [{"label": _("HS/GV"), "data": [r["pupils_per_teacher"] for r in by_level]}]}),
        Table("teachers_qualified", _("Giáo viên đạt chuẩn trình độ đào tạo (Luật Giáo dục 2019, Điều 72)"),
              [("name", _("Cấp học")), ("staff_teacher", _("Giáo viên")), ("teachers_qualified", _("Đạt chuẩn")),
               ("teachers_qualified_pct", _("Tỉ lệ (%)")),
               # The rest, by the roadmap of Nghị định 71/2020 (teachers/standards.py).
               ("teachers_roadmap", _("Chưa đạt, thuộc lộ trình nâng chuẩn (NĐ 71/2020)")),
               ("teachers_exempt", _("Không thuộc diện nâng chuẩn")), ("teachers_below", _("Chưa đạt chuẩn"))],
              by_level + [{"name": _("Tất cả"), **total}],
              {"type": "bar", "labels": [r["name"] for r in by_level],
               "datasets": [{"label": _("% đạt chuẩn"), "data": [r["teachers_qualified_pct"] for r in by_level]}]}),
        Table("gender_parity", _("Chỉ số bình đẳng giới (nữ/nam) theo cấp học"),
              [("name", _("Cấp học")), ("pupils_female", _("Nữ")), ("pupils_male", _("Nam")),
               ("gender_parity_index", _("Nữ/Nam"))],
              by_level + [{"name": _("Tất cả"), **total}],
              {"type": "bar", "labels": [r["name"] for r in by_level],
               "datasets": [{"label": _("Nữ/Nam"), "data": [r["gender_parity_index"] for r in by_level]}]}),
        _dist("enrollment_by_grade", _("Học sinh theo khối lớp"), total,
              [(f"pupils_grade_{g}", grade_label(g)) for g in GRADES]),
        # "Trẻ 5 tuổi" (mẫu giáo 5-6 tuổi, by year of birth) is the figure of universal preschool
        # education (phổ cập giáo dục mầm non cho trẻ em 5 tuổi): in the title, not only in a bar.
        _dist("preschool_age_groups", _("Trẻ mầm non theo nhóm tuổi — trẻ 5 tuổi: %(n)s") % {
              "n": number_format(total.get(f"pupils_age_{AgeGroup.KINDERGARTEN_5.value}", 0), force_grouping=True)},
              total,
              [(f"pupils_age_{a.value}", a.label) for a in AgeGroup]),
        # One distribution per rating scale, each over its own pupils (Circular 27/2020 for
        # grades 1-5, 22/2021 for 6-12): "Tốt 8%" of all pupils of both scales would mean nothing.
        *[_dist(f"learning_ratings_{s.key}", _("Kết quả học tập, %(scale)s (%(term)s)") % {"scale": s.title, "term": Term(term).label}, total,
                [(learning_metric(term, r.value), r.label) for r in s.learning], scale=s.key) for s in SCALES],
        *[_dist(f"conduct_ratings_{s.key}",
                _("%(what)s, %(scale)s (%(term)s)") % {"what": CONDUCT_TITLES[s.key], "scale": s.title,
                                                       "term": Term(term).label}, total,
                [(conduct_metric(term, s.key, r.value), r.label) for r in s.conduct], scale=s.key) for s in SCALES],
        movements_table(total),
        _dist("nutrition", _("Tình trạng dinh dưỡng (BMI theo tuổi, WHO)"), total,
              [(f"nutrition_{n.value}", n.label) for n in NutritionStatus], chart_type="doughnut"),
        _dist("stunting", _("Chiều cao theo tuổi (thấp còi, WHO)"), total,
              [(f"height_{h.value}", h.label) for h in HeightStatus], chart_type="doughnut"),
        _dist("pupil_verification", _("Xác thực định danh học sinh"), total,
              [(f"pupils_ver_{v.value}", v.label) for v in VerificationStatus], chart_type="doughnut",
              states=[v.value for v in VerificationStatus]),
        _dist("staff_verification", _("Xác thực định danh cán bộ, giáo viên"), total,
              [(f"staff_ver_{v.value}", v.label) for v in VerificationStatus], chart_type="doughnut",
              states=[v.value for v in VerificationStatus]),
        _dist("staff_positions", _("Cán bộ, giáo viên theo chức vụ"), total,
              [(f"staff_{p.value}", p.label) for p in Position]),
        _dist("staff_qualifications", _("Cán bộ, giáo viên theo trình độ đào tạo"), total,
              [(f"staff_qual_{q.value}", q.label) for q in Qualification]),
    ]
    reasons = stats_mismatch_reasons(scope=scope, filters=filters)
    labels = {"id_number": _("Số định danh"), "full_name": _("Họ và tên"), "date_of_birth": _("Ngày sinh"),
              "gender": _("Giới tính")}
    tables.append(Table("mismatch_reasons", _("Lý do sai lệch thường gặp nhất (so với CSDL dân cư)"),
                        [("label", _("Thông tin sai lệch")), ("count", _("Số người"))],
                        [{"label": labels.get(k, k), "count": n} for k, n in reasons],
                        {"type": "bar", "labels": [labels.get(k, k) for k, _ in reasons],
                         "datasets": [{"label": _("Số người"), "data": [n for _, n in reasons]}]}))
    summary.term = term
    return summary, tables


def movements_table(total: dict) -> Table:
    """Pupils who came (a transfer) and went (a transfer, or leaving school) during the school year,
    each counted from its date (dashboards/metrics.py): no percentage, they are not parts of a whole."""
    rows = [{"label": BY_NAME[m].label, "metric": m, "count": total.get(m, 0)} for m in MOVEMENT_METRICS]
    title = _("Học sinh chuyển đến, chuyển đi và rời trường trong năm học")
    return Table("movements", title, [("label", _("Phân loại")), ("count", _("Số học sinh"))], rows,
                 {"type": "bar", "labels": [r["label"] for r in rows],
                  "datasets": [{"label": title, "data": [r["count"] for r in rows]}]})


COMPLETENESS_COLUMNS = [("name", _("Trường")), ("pupils", _("Học sinh")), ("pupils_with_result", _("Có kết quả")),
                        ("results_pct", _("% kết quả")), ("pupils_with_physical", _("Có thể lực")),
                        ("physical_pct", _("% thể lực")), ("completeness_pct", _("% đầy đủ"))]


def completeness_by_school(*, scope: Scope, filters: dict | None = None) -> tuple[Summary, Table]:
    """Schools ordered by data completeness, weakest first (schools with pupils only)."""
    summary = stats_summary(scope=scope, filters=filters, groups=("school",),
                            metrics=["pupils", "pupils_with_result", "pupils_with_physical", "pupils_complete"])
    rows = [r for r in summary.groups["school"] if r["pupils"]]
    rows.sort(key=lambda r: (r["completeness_pct"] or 0, r["name"]))
    return summary, Table("completeness", _("Mức độ đầy đủ dữ liệu theo trường (yếu nhất trước)"),
                          COMPLETENESS_COLUMNS, rows)
